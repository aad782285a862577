/** Order tickets: lines, confirmation with the customer, and change requests a supervisor approves. */
import type { Database } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { conflict, invalid } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { notify } from '../../lib/notify';
import { authorize, requireStaff } from '../identity/policy';
import { approversForInTx } from './tickets.approvals.commands';
import { orgDay } from './tickets.create';
import { approvalsRepo } from './tickets.approvals.repo';
import { emitInTx, lockVisibleInTx, notificationText } from './tickets.commands';
import { text } from './tickets.messages';
import { ordersRepo } from './tickets.orders.repo';
import { ticketsRepo } from './tickets.repo';

/** The tag that marks an order confirmed with the customer (data, shown as a tag; not a server text). */
export const ORDER_CONFIRMED_TAG = '订单已确认';

type Line = { item: string; spec: string; quantity: number };

export async function putOrderLines(database: Database, ctx: Ctx, ticketId: string, lines: Line[]) {
  authorize(ctx.actor, 'tickets.work');
  return database.transaction(async (tx) => {
    const t = await lockVisibleInTx(tx, ctx.actor, ticketId);
    if (t.type !== 'order') throw invalid('type', 'only order tickets have order lines');
    if (t.tags.includes(ORDER_CONFIRMED_TAG)) {
      throw conflict('order_confirmed', 'The order was confirmed with the customer: file a change request for a supervisor to approve');
    }
    await ordersRepo.replaceLines(tx, ticketId, lines);
    await emitInTx(tx, ctx, t, 'ticket.updated', { fields: ['orderLines'] });
    await writeAudit(tx, ctx, { action: 'order.lines_set', targetType: 'ticket', targetId: ticketId, changes: diff(null, { lines: lines.length }) });
    return { id: ticketId, lines: lines.length };
  });
}

/** Spec and quantity verified with the customer: from now on only an approved change request alters the lines. */
export async function confirmOrder(database: Database, ctx: Ctx, ticketId: string) {
  authorize(ctx.actor, 'tickets.work');
  return database.transaction(async (tx) => {
    const t = await lockVisibleInTx(tx, ctx.actor, ticketId);
    if (t.type !== 'order') throw invalid('type', 'only order tickets can be confirmed');
    const lines = await ticketsRepo.orderLinesOf(tx, ticketId);
    if (lines.length === 0) throw invalid('orderLines', 'add the order lines first');
    if (t.tags.includes(ORDER_CONFIRMED_TAG)) throw conflict('order_confirmed', 'Already confirmed');
    const after = await ticketsRepo.setFields(tx, ticketId, { tags: [...t.tags, ORDER_CONFIRMED_TAG] });
    await emitInTx(tx, ctx, after, 'ticket.order_confirmed', { lines: lines.map((l) => ({ item: l.item, spec: l.spec, quantity: l.quantity })) });
    await writeAudit(tx, ctx, { action: 'order.confirmed', targetType: 'ticket', targetId: ticketId });
    return { id: ticketId, confirmed: true };
  });
}

export async function requestOrderChange(database: Database, ctx: Ctx, ticketId: string, input: { lines: Line[]; reason: string }) {
  authorize(ctx.actor, 'tickets.work');
  const actor = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const t = await lockVisibleInTx(tx, actor, ticketId);
    if (t.type !== 'order' || !t.tags.includes(ORDER_CONFIRMED_TAG)) {
      throw conflict('order_not_confirmed', 'Change requests apply to confirmed orders; edit the lines directly before confirmation');
    }
    const id = uuidv7();
    const approvalId = uuidv7();
    await approvalsRepo.insert(tx, orgDay(new Date()), {
      id: approvalId,
      kind: 'order_change',
      ticketId,
      subjectId: id,
      amountFen: null,
      requestedById: actor.id,
      state: 'pending',
    });
    await approvalsRepo.insertOrderChange(tx, {
      id,
      ticketId,
      lines: input.lines,
      reason: input.reason,
      state: 'pending',
      requestedById: actor.id,
      approvalId,
    });
    await emitInTx(tx, ctx, t, 'ticket.order_change_requested', { changeId: id, approvalId, reason: input.reason });
    const n = notificationText(text('tickets.notify.order_change_to_approve', { number: t.number }));
    for (const approver of await approversForInTx(tx, approvalId)) {
      await notify(tx, { recipientId: approver, kind: 'approval.requested', ticketId, title: n.title, data: { approvalId, message: n.message } });
    }
    await writeAudit(tx, ctx, { action: 'order.change_requested', targetType: 'ticket', targetId: ticketId, changes: diff(null, { approvalId }) });
    return { id, approvalId, state: 'pending' as const };
  });
}
