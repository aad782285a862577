/**
 * The closed loops' ticket-event consumer (runs inside every ticket event's transaction):
 * - ticket.resolved → survey invitations (rules), after-sales care plan;
 * - ticket.closed of a complaint → surveys triggered by `complaint.closed`; `field.visit_completed` → its surveys;
 * - ticket.created → complaint case, guarantee-window reopen, reactivation stop;
 * - ticket.customer_reply → reactivation stop; ticket.reopened → the care plan ends.
 * Every other event returns at once (no query).
 */
import type { Tx } from '../../db/client';
import type { Ctx } from '../../lib/context';
import { writeSoon } from '../../lib/deferred';
import { uuidv7 } from '../../lib/ids';
import type { TicketEvent, TicketEventItem, TicketSnapshot } from '../tickets/ticket-events';
import { inviteOnTrigger } from '../surveys/surveys.invitations';
import { cancelCareInTx, guaranteeReopenInTx, planCareInTx, stopReactivationInTx } from './care';
import { ensureComplaintCase } from './complaints';
import { loopsRepo } from './loops.repo';

/**
 * The event kinds the loops consumer takes (every other kind returns at once). All are in TICKET_EVENT_KINDS except
 * 'field.visit_completed', which nothing emits yet (the field-service module will; a survey rule may already name it).
 */
export const LOOPS_EVENT_KINDS = [
  'ticket.resolved',
  'ticket.closed',
  'field.visit_completed',
  'ticket.created',
  'ticket.customer_reply',
  'ticket.reopened',
  'ticket.updated',
] as const;
const KINDS = new Set<string>(LOOPS_EVENT_KINDS);

export async function onTicketEventForLoops(tx: Tx, ctx: Ctx, t: TicketSnapshot, ev: TicketEvent): Promise<void> {
  if (!KINDS.has(ev.kind)) return;
  // Internal tickets (内部工单) are the organisation's own work: no survey, no after-care, no revisit, no reactivation.
  if (t.type === 'internal') return;
  switch (ev.kind) {
    case 'ticket.resolved':
      await inviteOnTrigger(tx, t, 'ticket.resolved', ev.at);
      await planCareInTx(tx, t, ev.at);
      return;
    case 'ticket.closed':
      if (t.type === 'complaint') await inviteOnTrigger(tx, t, 'complaint.closed', ev.at);
      return;
    case 'field.visit_completed':
      await inviteOnTrigger(tx, t, 'field.visit_completed', ev.at);
      return;
    case 'ticket.created':
      if (t.type === 'complaint') await ensureComplaintCase(tx, t.id);
      await guaranteeReopenInTx(tx, ctx, t, ev.at);
      await stopReactivationInTx(tx, ctx, t.customerId, 'new_ticket');
      return;
    case 'ticket.updated':
      if (t.type === 'complaint') await ensureComplaintCase(tx, t.id);
      return;
    case 'ticket.customer_reply':
      await stopReactivationInTx(tx, ctx, t.customerId, 'customer_reply');
      return;
    case 'ticket.reopened':
      if (!ev.data.guarantee) await cancelCareInTx(tx, t.id);
      return;
    default:
      return;
  }
}

/**
 * The same for the events of a command or a batch of creates. For `ticket.created` it asks once for the customers
 * that have a guarantee window or an active reactivation sequence, and only those pay the per-ticket work; the
 * complaint cases of new complaints are one INSERT. Every other event goes through the handler above, in order.
 */
export async function onTicketEventsForLoops(tx: Tx, items: TicketEventItem[]): Promise<void> {
  const relevant = items.filter((i) => KINDS.has(i.event.kind) && i.ticket.type !== 'internal');
  if (relevant.length === 0) return;
  // A resolve in the same batch may plan care for a customer: then keep the plain order, event by event.
  if (relevant.some((i) => i.event.kind !== 'ticket.created')) {
    for (const i of relevant) await onTicketEventForLoops(tx, i.ctx, i.ticket, i.event);
    return;
  }
  const customers = [...new Set(relevant.map((i) => i.ticket.customerId))];
  // One query: which of these customers have a guarantee window or a reactivation sequence running.
  const flags = await loopsRepo.customerLoopFlags(tx, customers);
  const complaints = relevant.filter((i) => i.ticket.type === 'complaint').map((i) => i.ticket.id);
  if (complaints.length) {
    const insert = loopsRepo.complaintCasesInsert(complaints.map((ticketId) => ({ id: uuidv7(), t: ticketId })));
    await writeSoon(tx, (id) => ({ ctes: [[`${id}_c`, insert]] }));
  }
  const plan = new Set(flags.filter((r) => r.plan).map((r) => r.id));
  const run = new Set(flags.filter((r) => r.run).map((r) => r.id));
  for (const { ctx, ticket: t, event: ev } of relevant) {
    if (plan.has(t.customerId)) await guaranteeReopenInTx(tx, ctx, t, ev.at);
    if (run.has(t.customerId)) await stopReactivationInTx(tx, ctx, t.customerId, 'new_ticket');
  }
}
