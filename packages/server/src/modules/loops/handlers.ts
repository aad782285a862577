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
import type { TicketEvent, TicketSnapshot } from '../tickets/ticket-events';
import { inviteOnTrigger } from '../surveys/surveys.commands';
import { cancelCareInTx, guaranteeReopenInTx, planCareInTx, stopReactivationInTx } from './care';
import { ensureComplaintCase } from './complaints';

const KINDS = new Set(['ticket.resolved', 'ticket.closed', 'field.visit_completed', 'ticket.created', 'ticket.customer_reply', 'ticket.reopened', 'ticket.updated']);

export async function onTicketEventForLoops(tx: Tx, ctx: Ctx, t: TicketSnapshot, ev: TicketEvent): Promise<void> {
  if (!KINDS.has(ev.kind)) return;
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
      if (t.type !== 'internal') await guaranteeReopenInTx(tx, ctx, t, ev.at);
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
