/** Compensation within one's limit, else an approval request; deciding approvals (compensations and order changes). */
import type { Database, Tx } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, conflict, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { notify } from '../../lib/notify';
import { effectiveLimitFen } from '../identity/identity.commands';
import { authorize, requireStaff } from '../identity/policy';
import { compensationLimitFor } from '../process/process.gifts';
import { ABOVE_ANY, approvalsRepo } from './tickets.approvals.repo';
import { orgDay } from './tickets.create';
import { emitInTx, lockVisibleInTx, notificationText } from './tickets.commands';
import { text, yuan } from './tickets.messages';
import { ordersRepo } from './tickets.orders.repo';
import { assertTicket } from './tickets.policy';
import { presentApproval, presentCompensation } from './tickets.present';
import { ticketsRepo } from './tickets.repo';

export type CompensationResult =
  | { kind: 'granted'; body: ReturnType<typeof presentCompensation> }
  | { kind: 'approval_required'; approvalId: string; compensationId: string; limitFen: number };

export async function requestCompensation(
  database: Database,
  ctx: Ctx,
  ticketId: string,
  input: { kind: string; amountFen: number; reason: string },
): Promise<CompensationResult> {
  authorize(ctx.actor, 'tickets.work');
  const actor = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const t = await lockVisibleInTx(tx, actor, ticketId);
    assertTicket(actor, t, 'compensate');
    const me = (await ticketsRepo.staffById(tx, actor.id))!;
    // the front desk grants routine small gifts up to its gift limit without approval (process.gifts.ts)
    const limit = await compensationLimitFor(tx, me, effectiveLimitFen(me), input.kind);
    const id = uuidv7();
    if (input.amountFen <= limit) {
      const c = await approvalsRepo.insertCompensation(tx, {
        id,
        ticketId,
        customerId: t.customerId,
        kind: input.kind,
        amountFen: input.amountFen,
        reason: input.reason,
        state: 'granted',
        requestedById: actor.id,
        decidedAt: new Date(),
      });
      await emitInTx(tx, ctx, t, 'ticket.compensation_granted', { compensationId: id, kind: input.kind, amountFen: input.amountFen });
      await writeAudit(tx, ctx, {
        action: 'compensation.granted',
        targetType: 'ticket',
        targetId: ticketId,
        changes: diff(null, { kind: input.kind, amountFen: input.amountFen }),
      });
      return { kind: 'granted', body: presentCompensation(c) };
    }
    const approvalId = uuidv7();
    await approvalsRepo.insert(tx, orgDay(new Date()), {
      id: approvalId,
      kind: 'compensation',
      ticketId,
      subjectId: id,
      amountFen: input.amountFen,
      requestedById: actor.id,
      state: 'pending',
    });
    await approvalsRepo.insertCompensation(tx, {
      id,
      ticketId,
      customerId: t.customerId,
      kind: input.kind,
      amountFen: input.amountFen,
      reason: input.reason,
      state: 'pending_approval',
      requestedById: actor.id,
      approvalId,
    });
    await emitInTx(tx, ctx, t, 'ticket.compensation_requested', {
      compensationId: id,
      approvalId,
      kind: input.kind,
      amountFen: input.amountFen,
      limitFen: limit,
    });
    const n = notificationText(text('tickets.notify.compensation_to_approve', { number: t.number, amount: yuan(input.amountFen) }));
    for (const approver of await approversForInTx(tx, approvalId)) {
      await notify(tx, { recipientId: approver, kind: 'approval.requested', ticketId, title: n.title, data: { approvalId, message: n.message } });
    }
    await writeAudit(tx, ctx, {
      action: 'compensation.approval_requested',
      targetType: 'ticket',
      targetId: ticketId,
      changes: diff(null, { kind: input.kind, amountFen: input.amountFen, approvalId }),
    });
    return { kind: 'approval_required', approvalId, compensationId: id, limitFen: limit };
  });
}

/**
 * Who is told about a new approval request: those the rule lets decide it, nearest first — the supervisors of the
 * requester's team when any may decide, otherwise the directors and admins who may (at most 20).
 */
export async function approversForInTx(tx: Tx, approvalId: string): Promise<string[]> {
  const candidates = await approvalsRepo.supervisingStaff(tx);
  if (candidates.length === 0) return [];
  const ok = await approvalsRepo.mayDecide(tx, approvalId, candidates);
  const may = candidates.filter((_, i) => ok[i]);
  const nearest = may.filter((c) => !c.roles.some((r) => ABOVE_ANY.includes(r)));
  return (nearest.length ? nearest : may).slice(0, 20).map((c) => c.id);
}

export async function decideApproval(database: Database, ctx: Ctx, approvalId: string, decision: 'approve' | 'reject', comment: string) {
  const actor = requireStaff(ctx.actor);
  authorize(actor, 'tickets.work');
  return database.transaction(async (tx) => {
    const a = await approvalsRepo.lock(tx, approvalId);
    if (!a) throw notFound('Approval');
    const me = (await ticketsRepo.staffById(tx, actor.id))!;
    const chk = await approvalsRepo.check(tx, approvalId, me);
    // A request on a ticket one cannot see does not exist for them (its requester always sees it).
    if (a.requestedById !== actor.id && !chk?.visible) throw notFound('Approval');
    if (a.state !== 'pending') throw conflict('approval_decided', `This request is already ${a.state}`, { state: a.state });
    if (a.requestedById === actor.id) throw new AppError('forbidden', 'Nobody approves their own request', { reason: 'approval_own_request' });
    if (!chk!.covers) {
      if (a.kind === 'compensation') {
        const params = { limit: yuan(effectiveLimitFen(me)), amount: yuan(a.amountFen ?? 0) };
        throw new AppError('forbidden', `Your limit ${params.limit} does not cover ${params.amount}`, { reason: 'approval_limit_too_low', params });
      }
      throw new AppError('forbidden', 'Order changes are approved by a supervisor', { reason: 'approval_needs_supervisor' });
    }
    if (!chk!.above)
      throw new AppError('forbidden', "Only a supervisor of the requester's team, or a director, decides this request", { reason: 'approval_not_above' });
    const state = decision === 'approve' ? 'approved' : 'rejected';
    const after = await approvalsRepo.decide(tx, approvalId, { state, decidedById: actor.id, comment, decidedAt: new Date() });
    const t = (await ticketsRepo.byId(tx, a.ticketId, true))!;
    if (a.kind === 'compensation') {
      await approvalsRepo.setCompensationState(tx, a.subjectId, decision === 'approve' ? 'granted' : 'rejected');
      if (decision === 'approve')
        await emitInTx(tx, ctx, t, 'ticket.compensation_granted', { compensationId: a.subjectId, approvalId, amountFen: a.amountFen, comment });
      else await emitInTx(tx, ctx, t, 'ticket.compensation_rejected', { compensationId: a.subjectId, approvalId, amountFen: a.amountFen, comment });
    } else {
      const change = await approvalsRepo.lockOrderChange(tx, a.subjectId);
      await approvalsRepo.setOrderChangeState(tx, a.subjectId, decision === 'approve' ? 'approved' : 'rejected');
      if (decision === 'approve' && change) await ordersRepo.replaceLines(tx, a.ticketId, change.lines as { item: string; spec: string; quantity: number }[]);
      await emitInTx(tx, ctx, t, decision === 'approve' ? 'ticket.order_change_approved' : 'ticket.order_change_rejected', {
        changeId: a.subjectId,
        approvalId,
        comment,
      });
    }
    const what = a.kind === 'compensation' ? 'compensation' : 'order_change';
    const n = notificationText(text(`tickets.notify.${what}_${state}`, { number: t.number }));
    await notify(tx, {
      recipientId: a.requestedById,
      kind: `approval.${state}`,
      ticketId: a.ticketId,
      title: n.title,
      data: { approvalId, comment, message: n.message },
    });
    await writeAudit(tx, ctx, { action: `approval.${state}`, targetType: 'approval', targetId: approvalId, changes: diff({ state: 'pending' }, { state }) });
    const detail = (await approvalsRepo.detail(tx, approvalId))!;
    return presentApproval(ctx.locale, { ...detail, a: after, mayDecide: false }, effectiveLimitFen(me));
  });
}

/** The approvals the viewer may decide (pending or not), requested, or decided; `canDecide` on the pending ones they may decide. */
export async function listApprovals(database: Database, ctx: Ctx, q: { state?: string | undefined }) {
  const actor = requireStaff(ctx.actor);
  authorize(actor, 'tickets.work');
  const me = (await ticketsRepo.staffById(database.db, actor.id))!;
  const rows = await approvalsRepo.listFor(database.db, me, q.state);
  const myLimit = effectiveLimitFen(me);
  return { items: rows.map((r) => presentApproval(ctx.locale, { ...r, mayDecide: r.a.state === 'pending' && r.mayDecide === true }, myLimit)) };
}
