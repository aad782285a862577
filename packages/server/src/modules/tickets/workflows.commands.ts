import { and, asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Tx } from '../../db/client';
import { approvals, categories, compensations, dispatchRules, handovers, orderChanges, orderLines, savedFilters, staff, teams, ticketLinks, tickets } from '../../db/schema';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, invalid, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { notify } from '../../lib/notify';
import { actorFromRow, effectiveLimitFen } from '../identity/identity.commands';
import type { StaffRow } from '../identity/identity.repo';
import { authorize, can, requireStaff, ROLE_PERMISSIONS, type Role } from '../identity/policy';
import { decideDispatch } from './dispatch';
import { emit, lockVisible, presentCompensation, presentHandover, resolveInTx, type Deps } from './tickets.commands';
import { ticketsRepo } from './tickets.repo';
import { ticketVisibilityScope } from './visibility';
import { OPEN_STATUSES } from './tickets.schema';

const isOpen = (s: string) => (OPEN_STATUSES as readonly string[]).includes(s);
const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

async function staffRow(tx: Tx, id: string) {
  const [s] = await tx.select().from(staff).where(eq(staff.id, id));
  return s;
}

// ───────────────────────────── handover (服务交接) ─────────────────────────────

export interface HandoverInput { toStaffId: string; situation: string; need: string; done: string; pending: string; expectation: string; cautions: string }

export async function requestHandover(deps: Deps, ctx: Ctx, ticketId: string, input: HandoverInput) {
  authorize(ctx.actor, 'tickets.work');
  const actor = requireStaff(ctx.actor);
  return deps.database.transaction(async (tx) => {
    const t = await lockVisible(tx, actor, ticketId);
    if (!isOpen(t.status)) throw new AppError('conflict', 'Only an open ticket can be handed over');
    if (t.ownerId !== actor.id && !can(actor, 'tickets.assign_any')) throw new AppError('forbidden', 'Only the owner (or a supervisor) hands a ticket over');
    if (input.toStaffId === t.ownerId) throw invalid('toStaffId', 'is already the owner');
    const to = await staffRow(tx, input.toStaffId);
    if (!to || !to.active || !to.roles.some((r) => permissionsFor(r).includes('tickets.work'))) throw invalid('toStaffId', 'no such active staff member who works tickets');
    const [pending] = await tx.select({ id: handovers.id }).from(handovers).where(and(eq(handovers.ticketId, ticketId), eq(handovers.state, 'pending')));
    if (pending) throw new AppError('conflict', 'A handover of this ticket is already waiting for confirmation', { extra: { handoverId: pending.id } });
    const id = uuidv7();
    const [h] = await tx.insert(handovers).values({ ...input, id, ticketId, fromStaffId: t.ownerId ?? actor.id, toStaffId: to.id, state: 'pending' }).returning();
    await emit(tx, ctx, t, 'ticket.handover_requested', { handoverId: id, toStaffId: to.id });
    await notify(tx, { recipientId: to.id, kind: 'handover.requested', ticketId, title: `${t.number} 交接待您确认：${t.subject}`, data: { handoverId: id } });
    const supervisorId = await teamSupervisor(tx, t.teamId);
    if (supervisorId && supervisorId !== actor.id && supervisorId !== to.id) await notify(tx, { recipientId: supervisorId, kind: 'handover.requested', ticketId, title: `${t.number} 交接待确认（${actor.name} → ${to.name}）`, data: { handoverId: id } });
    await writeAudit(tx, ctx, { action: 'handover.requested', targetType: 'ticket', targetId: ticketId, changes: diff(null, { toStaffId: to.id }) });
    return presentHandover(h!, actor.name, to.name);
  });
}

function permissionsFor(role: string): readonly string[] { return ROLE_PERMISSIONS[role as Role] ?? []; }

async function teamSupervisor(tx: Tx, teamId: string | null): Promise<string | null> {
  if (!teamId) return null;
  const [team] = await tx.select({ s: teams.supervisorId }).from(teams).where(eq(teams.id, teamId));
  return team?.s ?? null;
}

export async function decideHandover(deps: Deps, ctx: Ctx, handoverId: string, decision: 'confirm' | 'decline', note?: string) {
  const actor = requireStaff(ctx.actor);
  authorize(actor, 'tickets.work');
  return deps.database.transaction(async (tx) => {
    const [h] = await tx.select().from(handovers).where(eq(handovers.id, handoverId)).for('update');
    if (!h) throw notFound('Handover');
    // Only the receiver confirms: ownership moves only when they say they understood the case.
    if (h.toStaffId !== actor.id) {
      if (h.fromStaffId === actor.id || can(actor, 'tickets.read_all')) throw new AppError('forbidden', 'Only the receiver can confirm or decline a handover');
      throw notFound('Handover');
    }
    if (h.state !== 'pending') throw new AppError('conflict', `This handover is already ${h.state}`);
    const [t0] = await tx.select().from(tickets).where(eq(tickets.id, h.ticketId)).for('update');
    const t = t0!;
    const state = decision === 'confirm' ? 'confirmed' : 'declined';
    const [after] = await tx.update(handovers).set({ state, decisionNote: note ?? null, decidedAt: new Date() }).where(eq(handovers.id, handoverId)).returning();
    if (decision === 'confirm') {
      if (!isOpen(t.status)) throw new AppError('conflict', 'The ticket is no longer open');
      const transferred = t.teamId !== null && actor.teamId !== null && actor.teamId !== t.teamId;
      const [moved] = await tx.update(tickets).set({
        ownerId: actor.id, teamId: actor.teamId ?? t.teamId, handoverCount: t.handoverCount + 1, teamTransferCount: t.teamTransferCount + (transferred ? 1 : 0),
        status: t.status === 'new' ? 'assigned' : t.status, updatedAt: new Date(),
      }).where(eq(tickets.id, t.id)).returning();
      await emit(tx, ctx, moved!, 'ticket.handover_confirmed', { handoverId, fromStaffId: h.fromStaffId, toStaffId: actor.id });
      await emit(tx, ctx, moved!, 'ticket.assigned', { ownerId: actor.id, teamId: moved!.teamId, previousOwnerId: t.ownerId, reason: '服务交接已确认', auto: false });
      if (transferred) await emit(tx, ctx, moved!, 'ticket.team_transferred', { from: t.teamId, to: moved!.teamId });
      await notify(tx, { recipientId: h.fromStaffId, kind: 'handover.confirmed', ticketId: t.id, title: `${t.number} 交接已被 ${actor.name} 确认`, data: { handoverId } });
    } else {
      await emit(tx, ctx, t, 'ticket.handover_declined', { handoverId, note: note ?? null });
      await notify(tx, { recipientId: h.fromStaffId, kind: 'handover.declined', ticketId: t.id, title: `${t.number} 交接被 ${actor.name} 拒绝`, data: { handoverId, note: note ?? null } });
    }
    await writeAudit(tx, ctx, { action: `handover.${state}`, targetType: 'ticket', targetId: t.id, changes: decision === 'confirm' ? diff({ ownerId: t.ownerId }, { ownerId: actor.id }) : null });
    return presentHandover(after!, null, actor.name);
  });
}

/** Unconfirmed handovers visible to the sender, the receiver and their supervisors. */
export async function listHandovers(deps: Deps, ctx: Ctx, q: { state?: string | undefined }) {
  const actor = requireStaff(ctx.actor);
  authorize(actor, 'tickets.work');
  const from = alias(staff, 'hfrom');
  const to = alias(staff, 'hto');
  const scope = can(actor, 'tickets.read_all')
    ? undefined
    : sql`(${handovers.fromStaffId} = ${actor.id} OR ${handovers.toStaffId} = ${actor.id})`;
  const rows = await deps.database.db.select({ h: handovers, fromName: from.name, toName: to.name, number: tickets.number, subject: tickets.subject }).from(handovers)
    .leftJoin(from, eq(from.id, handovers.fromStaffId)).leftJoin(to, eq(to.id, handovers.toStaffId)).leftJoin(tickets, and(eq(tickets.id, handovers.ticketId), ticketVisibilityScope(actor)))
    .where(and(q.state ? eq(handovers.state, q.state) : undefined, scope)).orderBy(desc(handovers.id)).limit(200);
  return { items: rows.map((r) => presentHandover(r.h, r.fromName, r.toName, { ticketNumber: r.number, ticketSubject: r.subject })) };
}

// ───────────────────────────── compensation and approvals ─────────────────────────────

export type CompensationResult =
  | { kind: 'granted'; body: ReturnType<typeof presentCompensation> }
  | { kind: 'approval_required'; approvalId: string; compensationId: string; limitFen: number };

export async function requestCompensation(deps: Deps, ctx: Ctx, ticketId: string, input: { kind: string; amountFen: number; reason: string }): Promise<CompensationResult> {
  authorize(ctx.actor, 'tickets.work');
  const actor = requireStaff(ctx.actor);
  return deps.database.transaction(async (tx) => {
    const t = await lockVisible(tx, actor, ticketId);
    if (t.status === 'closed') throw new AppError('conflict', 'The ticket is closed');
    const me = (await staffRow(tx, actor.id))!;
    const limit = effectiveLimitFen(me);
    const id = uuidv7();
    if (input.amountFen <= limit) {
      const [c] = await tx.insert(compensations).values({ id, ticketId, customerId: t.customerId, kind: input.kind, amountFen: input.amountFen, reason: input.reason, state: 'granted', requestedById: actor.id, decidedAt: new Date() }).returning();
      await emit(tx, ctx, t, 'ticket.compensation_granted', { compensationId: id, kind: input.kind, amountFen: input.amountFen });
      await writeAudit(tx, ctx, { action: 'compensation.granted', targetType: 'ticket', targetId: ticketId, changes: diff(null, { kind: input.kind, amountFen: input.amountFen }) });
      return { kind: 'granted', body: presentCompensation(c!) };
    }
    const approvalId = uuidv7();
    await tx.insert(approvals).values({ id: approvalId, kind: 'compensation', ticketId, subjectId: id, amountFen: input.amountFen, requestedById: actor.id, state: 'pending' });
    await tx.insert(compensations).values({ id, ticketId, customerId: t.customerId, kind: input.kind, amountFen: input.amountFen, reason: input.reason, state: 'pending_approval', requestedById: actor.id, approvalId });
    await emit(tx, ctx, t, 'ticket.compensation_requested', { compensationId: id, approvalId, kind: input.kind, amountFen: input.amountFen, limitFen: limit });
    for (const approver of await approversFor(tx, approvalId)) {
      await notify(tx, { recipientId: approver, kind: 'approval.requested', ticketId, title: `${t.number} 补偿 ${yuan(input.amountFen)} 待您审批`, data: { approvalId } });
    }
    await writeAudit(tx, ctx, { action: 'compensation.approval_requested', targetType: 'ticket', targetId: ticketId, changes: diff(null, { kind: input.kind, amountFen: input.amountFen, approvalId }) });
    return { kind: 'approval_required', approvalId, compensationId: id, limitFen: limit };
  });
}

// Who decides an approval (compensation above the requester's limit, change of a confirmed order). One rule, written
// once as SQL over approvals ⋈ tickets ⋈ requester ⋈ requester's team and used by the list, the decision and the
// notification of approvers:
//   • not one's own request;
//   • the approver can see the ticket — the one visibility rule, `ticketVisibilityScope` (tickets/visibility.ts);
//   • the approver covers it — an effective compensation limit ≥ the amount, or `orders.approve` for an order change;
//   • the approver is above the requester — a director or an admin, or a supervisor of the requester's team (the
//     team's designated supervisor, or a supervisor who is a member of that team) when the requester is not
//     themselves a supervisor, director or admin.
const requesterRow = alias(staff, 'requester');
const requesterTeam = alias(teams, 'requester_team');
const ABOVE_ANY = ['director', 'admin'];
const SUPERVISING = ['supervisor', 'director', 'admin'];

function approverRule(me: StaffRow) {
  const actor = actorFromRow(me, null);
  const v = ticketVisibilityScope(actor);
  const visible = sql<boolean>`COALESCE((${v ?? sql.raw('true')}), false)`;
  const orders = sql.raw(can(actor, 'orders.approve') ? 'true' : 'false');
  const covers = sql<boolean>`COALESCE(CASE WHEN ${approvals.kind} = 'compensation' THEN ${approvals.amountFen} <= ${effectiveLimitFen(me)}::int ELSE ${orders} END, false)`;
  const above: SQL<boolean> = !me.active ? sql`false`
    : me.roles.some((r) => ABOVE_ANY.includes(r)) ? sql`true`
      : me.roles.includes('supervisor')
        ? sql`COALESCE(NOT (${requesterRow.roles} && ${sql.param(SUPERVISING)}::text[]) AND (${requesterTeam.supervisorId} = ${me.id}::uuid OR ${requesterRow.teamId} = ${me.teamId}::uuid), false)`
        : sql`false`;
  const notOwn = sql<boolean>`(${approvals.requestedById} <> ${me.id}::uuid)`;
  return { visible, covers, above, notOwn, all: sql<boolean>`(${notOwn} AND ${visible} AND ${covers} AND ${above})` };
}

/** approvals joined with what the rule reads. */
function approvalsWithRequester<T extends Record<string, unknown>>(ex: Tx | Deps['database']['db'], fields: T) {
  return ex.select(fields as never).from(approvals)
    .innerJoin(tickets, eq(tickets.id, approvals.ticketId))
    .innerJoin(requesterRow, eq(requesterRow.id, approvals.requestedById))
    .leftJoin(requesterTeam, eq(requesterTeam.id, requesterRow.teamId));
}

/**
 * Who is told about a new approval request: those the rule lets decide it, nearest first — the supervisors of the
 * requester's team when any may decide, otherwise the directors and admins who may (at most 20).
 */
async function approversFor(tx: Tx, approvalId: string): Promise<string[]> {
  const candidates = await tx.select().from(staff)
    .where(and(eq(staff.active, true), sql`${staff.roles} && ${sql.param(SUPERVISING)}::text[]`)).orderBy(asc(staff.employeeNo)).limit(500);
  if (candidates.length === 0) return [];
  const fields = Object.fromEntries(candidates.map((c, i) => [`c${i}`, approverRule(c).all]));
  const [row] = (await approvalsWithRequester(tx, fields).where(eq(approvals.id, approvalId))) as Record<string, boolean>[];
  const may = candidates.filter((_, i) => row?.[`c${i}`] === true);
  const nearest = may.filter((c) => !c.roles.some((r) => ABOVE_ANY.includes(r)));
  return (nearest.length ? nearest : may).slice(0, 20).map((c) => c.id);
}

export async function decideApproval(deps: Deps, ctx: Ctx, approvalId: string, decision: 'approve' | 'reject', comment: string) {
  const actor = requireStaff(ctx.actor);
  authorize(actor, 'tickets.work');
  return deps.database.transaction(async (tx) => {
    const [a] = await tx.select().from(approvals).where(eq(approvals.id, approvalId)).for('update');
    if (!a) throw notFound('Approval');
    const me = (await staffRow(tx, actor.id))!;
    const rule = approverRule(me);
    const [chk] = (await approvalsWithRequester(tx, { visible: rule.visible, covers: rule.covers, above: rule.above }).where(eq(approvals.id, approvalId))) as { visible: boolean; covers: boolean; above: boolean }[];
    // A request on a ticket one cannot see does not exist for them (its requester always sees it).
    if (a.requestedById !== actor.id && !chk?.visible) throw notFound('Approval');
    if (a.state !== 'pending') throw new AppError('conflict', `This request is already ${a.state}`);
    if (a.requestedById === actor.id) throw new AppError('forbidden', 'Nobody approves their own request');
    if (!chk!.covers) {
      if (a.kind === 'compensation') throw new AppError('forbidden', `Your limit ${yuan(effectiveLimitFen(me))} does not cover ${yuan(a.amountFen ?? 0)}`);
      throw new AppError('forbidden', 'Order changes are approved by a supervisor');
    }
    if (!chk!.above) throw new AppError('forbidden', "Only a supervisor of the requester's team, or a director, decides this request");
    const state = decision === 'approve' ? 'approved' : 'rejected';
    const [after] = await tx.update(approvals).set({ state, decidedById: actor.id, comment, decidedAt: new Date() }).where(eq(approvals.id, approvalId)).returning();
    const [t] = await tx.select().from(tickets).where(eq(tickets.id, a.ticketId)).for('update');
    if (a.kind === 'compensation') {
      await tx.update(compensations).set({ state: decision === 'approve' ? 'granted' : 'rejected', decidedAt: new Date() }).where(eq(compensations.id, a.subjectId));
      await emit(tx, ctx, t!, decision === 'approve' ? 'ticket.compensation_granted' : 'ticket.compensation_rejected', { compensationId: a.subjectId, approvalId, amountFen: a.amountFen, comment });
    } else {
      const [change] = await tx.select().from(orderChanges).where(eq(orderChanges.id, a.subjectId)).for('update');
      await tx.update(orderChanges).set({ state: decision === 'approve' ? 'approved' : 'rejected' }).where(eq(orderChanges.id, a.subjectId));
      if (decision === 'approve' && change) {
        await tx.delete(orderLines).where(eq(orderLines.ticketId, a.ticketId));
        const lines = change.lines as { item: string; spec: string; quantity: number }[];
        if (lines.length) await tx.insert(orderLines).values(lines.map((l, i) => ({ id: uuidv7(), ticketId: a.ticketId, position: i, item: l.item, spec: l.spec, quantity: l.quantity })));
      }
      await emit(tx, ctx, t!, decision === 'approve' ? 'ticket.order_change_approved' : 'ticket.order_change_rejected', { changeId: a.subjectId, approvalId, comment });
    }
    await notify(tx, { recipientId: a.requestedById, kind: `approval.${state}`, ticketId: a.ticketId, title: `${t!.number} 您的${a.kind === 'compensation' ? '补偿' : '订单变更'}申请已${decision === 'approve' ? '批准' : '驳回'}`, data: { approvalId, comment } });
    await writeAudit(tx, ctx, { action: `approval.${state}`, targetType: 'approval', targetId: approvalId, changes: diff({ state: 'pending' }, { state }) });
    return presentApproval(after!, t!.number, null, true);
  });
}

function presentApproval(a: typeof approvals.$inferSelect, number: string | null, requesterName: string | null, canDecide: boolean) {
  return {
    id: a.id, kind: a.kind as 'compensation', ticketId: a.ticketId, ticketNumber: number, subjectId: a.subjectId, amountFen: a.amountFen,
    requestedById: a.requestedById, requestedByName: requesterName, state: a.state as 'pending', decidedById: a.decidedById, comment: a.comment,
    createdAt: a.createdAt.toISOString(), decidedAt: a.decidedAt ? a.decidedAt.toISOString() : null,
    summary: a.kind === 'compensation' ? `补偿 ${yuan(a.amountFen ?? 0)}` : '订单变更', canDecide,
  };
}

/** The approvals the viewer may decide (pending or not), requested, or decided; `canDecide` on the pending ones they may decide. */
export async function listApprovals(deps: Deps, ctx: Ctx, q: { state?: string | undefined }) {
  const actor = requireStaff(ctx.actor);
  authorize(actor, 'tickets.work');
  const me = (await deps.database.db.select().from(staff).where(eq(staff.id, actor.id)))[0]!;
  const rule = approverRule(me);
  const rows = (await approvalsWithRequester(deps.database.db, { a: approvals, number: tickets.number, requesterName: requesterRow.name, mayDecide: rule.all })
    .where(and(q.state ? eq(approvals.state, q.state) : undefined, or(eq(approvals.requestedById, me.id), eq(approvals.decidedById, me.id), rule.all)))
    .orderBy(desc(approvals.id)).limit(200)) as { a: typeof approvals.$inferSelect; number: string; requesterName: string; mayDecide: boolean }[];
  return { items: rows.map((r) => presentApproval(r.a, r.number, r.requesterName, r.a.state === 'pending' && r.mayDecide === true)) };
}

// ───────────────────────────── orders ─────────────────────────────

export async function putOrderLines(deps: Deps, ctx: Ctx, ticketId: string, lines: { item: string; spec: string; quantity: number }[]) {
  authorize(ctx.actor, 'tickets.work');
  return deps.database.transaction(async (tx) => {
    const t = await lockVisible(tx, ctx.actor, ticketId);
    if (t.type !== 'order') throw invalid('type', 'only order tickets have order lines');
    if (t.tags.includes('订单已确认')) throw new AppError('conflict', 'The order was confirmed with the customer: file a change request for a supervisor to approve');
    await tx.delete(orderLines).where(eq(orderLines.ticketId, ticketId));
    await tx.insert(orderLines).values(lines.map((l, i) => ({ id: uuidv7(), ticketId, position: i, item: l.item, spec: l.spec, quantity: l.quantity })));
    await emit(tx, ctx, t, 'ticket.updated', { fields: ['orderLines'] });
    await writeAudit(tx, ctx, { action: 'order.lines_set', targetType: 'ticket', targetId: ticketId, changes: diff(null, { lines: lines.length }) });
    return { id: ticketId, lines: lines.length };
  });
}

/** Spec and quantity verified with the customer: from now on only an approved change request alters the lines. */
export async function confirmOrder(deps: Deps, ctx: Ctx, ticketId: string) {
  authorize(ctx.actor, 'tickets.work');
  return deps.database.transaction(async (tx) => {
    const t = await lockVisible(tx, ctx.actor, ticketId);
    if (t.type !== 'order') throw invalid('type', 'only order tickets can be confirmed');
    const lines = await ticketsRepo.orderLinesOf(tx, ticketId);
    if (lines.length === 0) throw invalid('orderLines', 'add the order lines first');
    if (t.tags.includes('订单已确认')) throw new AppError('conflict', 'Already confirmed');
    const [after] = await tx.update(tickets).set({ tags: [...t.tags, '订单已确认'], updatedAt: new Date() }).where(eq(tickets.id, ticketId)).returning();
    await emit(tx, ctx, after!, 'ticket.order_confirmed', { lines: lines.map((l) => ({ item: l.item, spec: l.spec, quantity: l.quantity })) });
    await writeAudit(tx, ctx, { action: 'order.confirmed', targetType: 'ticket', targetId: ticketId });
    return { id: ticketId, confirmed: true };
  });
}

export async function requestOrderChange(deps: Deps, ctx: Ctx, ticketId: string, input: { lines: { item: string; spec: string; quantity: number }[]; reason: string }) {
  authorize(ctx.actor, 'tickets.work');
  const actor = requireStaff(ctx.actor);
  return deps.database.transaction(async (tx) => {
    const t = await lockVisible(tx, actor, ticketId);
    if (t.type !== 'order' || !t.tags.includes('订单已确认')) throw new AppError('conflict', 'Change requests apply to confirmed orders; edit the lines directly before confirmation');
    const id = uuidv7();
    const approvalId = uuidv7();
    await tx.insert(approvals).values({ id: approvalId, kind: 'order_change', ticketId, subjectId: id, amountFen: null, requestedById: actor.id, state: 'pending' });
    await tx.insert(orderChanges).values({ id, ticketId, lines: input.lines, reason: input.reason, state: 'pending', requestedById: actor.id, approvalId });
    await emit(tx, ctx, t, 'ticket.order_change_requested', { changeId: id, approvalId, reason: input.reason });
    for (const approver of await approversFor(tx, approvalId)) {
      await notify(tx, { recipientId: approver, kind: 'approval.requested', ticketId, title: `${t.number} 订单变更待您审批`, data: { approvalId } });
    }
    await writeAudit(tx, ctx, { action: 'order.change_requested', targetType: 'ticket', targetId: ticketId, changes: diff(null, { approvalId }) });
    return { id, approvalId, state: 'pending' as const };
  });
}

// ───────────────────────────── links, merge, bulk ─────────────────────────────

export async function linkTickets(deps: Deps, ctx: Ctx, ticketId: string, otherId: string, kind: string) {
  authorize(ctx.actor, 'tickets.work');
  if (ticketId === otherId) throw invalid('otherId', 'a ticket cannot link to itself');
  return deps.database.transaction(async (tx) => {
    const t = await lockVisible(tx, ctx.actor, ticketId);
    const o = await lockVisible(tx, ctx.actor, otherId).catch(() => { throw invalid('otherId', 'no such ticket'); });
    const inverse = kind === 'parent' ? 'child' : kind === 'child' ? 'parent' : kind;
    await tx.insert(ticketLinks).values([{ ticketId, otherId, kind }, { ticketId: otherId, otherId: ticketId, kind: inverse }]).onConflictDoNothing();
    await emit(tx, ctx, t, 'ticket.linked', { otherId, kind, number: o.number });
    await writeAudit(tx, ctx, { action: 'ticket.linked', targetType: 'ticket', targetId: ticketId, changes: diff(null, { otherId, kind }) });
    return { id: ticketId };
  });
}

/** Merge a duplicate into another ticket: the duplicate is closed with a link; its history stays. */
export async function mergeTicket(deps: Deps, ctx: Ctx, ticketId: string, intoId: string) {
  authorize(ctx.actor, 'tickets.work');
  if (ticketId === intoId) throw invalid('intoId', 'a ticket cannot merge into itself');
  return deps.database.transaction(async (tx) => {
    const dup = await lockVisible(tx, ctx.actor, ticketId);
    const into = await lockVisible(tx, ctx.actor, intoId).catch(() => { throw invalid('intoId', 'no such ticket'); });
    if (dup.customerId !== into.customerId) throw invalid('intoId', 'belongs to another customer');
    if (into.mergedIntoId) throw invalid('intoId', 'was itself merged');
    const now = new Date();
    const [after] = await tx.update(tickets).set({ mergedIntoId: intoId, status: 'closed', closedAt: now, resolvedAt: dup.resolvedAt ?? now, resolution: `合并到 ${into.number}`, updatedAt: now }).where(eq(tickets.id, ticketId)).returning();
    await tx.insert(ticketLinks).values([{ ticketId, otherId: intoId, kind: 'duplicate' }, { ticketId: intoId, otherId: ticketId, kind: 'duplicate' }]).onConflictDoNothing();
    await emit(tx, ctx, after!, 'ticket.status_changed', { from: dup.status, to: 'closed', cause: 'merged' }, dup.status);
    await emit(tx, ctx, after!, 'ticket.merged', { intoId, intoNumber: into.number }, dup.status);
    await emit(tx, ctx, into, 'ticket.linked', { otherId: ticketId, kind: 'duplicate', number: dup.number, merged: true });
    await writeAudit(tx, ctx, { action: 'ticket.merged', targetType: 'ticket', targetId: ticketId, changes: diff({ mergedIntoId: null }, { mergedIntoId: intoId }) });
    return { id: ticketId, status: 'closed', mergedIntoId: intoId };
  });
}

export async function bulkAction(deps: Deps, ctx: Ctx, input: {
  ids: string[]; action: 'assign' | 'priority' | 'tag' | 'status' | 'resolve'; ownerId?: string | null | undefined; teamId?: string | null | undefined;
  priority?: string | undefined; tags?: string[] | undefined; status?: 'in_progress' | 'pending_customer' | 'pending_internal' | undefined; resolution?: string | undefined;
}) {
  authorize(ctx.actor, 'tickets.bulk');
  const { assignTicket, patchTicket, changeTicketStatus } = await import('./tickets.commands');
  const results: { id: string; ok: boolean; code?: string; detail?: string }[] = [];
  for (const id of input.ids) {
    try {
      switch (input.action) {
        case 'assign': await assignTicket(deps, ctx, id, { ownerId: input.ownerId, teamId: input.teamId, reason: '批量分派' }); break;
        case 'priority': if (!input.priority) throw invalid('priority', 'required'); await patchTicket(deps, ctx, id, { priority: input.priority }); break;
        case 'tag': {
          const t = await ticketsRepo.visibleById(deps.database.db, ctx.actor, id);
          if (!t) throw notFound('Ticket');
          await patchTicket(deps, ctx, id, { tags: [...t.tags, ...(input.tags ?? [])] });
          break;
        }
        case 'status': if (!input.status) throw invalid('status', 'required'); await changeTicketStatus(deps, ctx, id, { status: input.status }); break;
        case 'resolve': {
          if (!input.resolution) throw invalid('resolution', 'required');
          await deps.database.transaction(async (tx) => resolveInTx(tx, ctx, await lockVisible(tx, ctx.actor, id), input.resolution!));
          break;
        }
        default: { const never: never = input.action; throw new Error(String(never)); }
      }
      results.push({ id, ok: true });
    } catch (err) {
      const e = err as AppError;
      if (!(err instanceof AppError)) throw err;
      results.push({ id, ok: false, code: e.code, detail: e.message });
    }
  }
  return { results, succeeded: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length };
}

// ───────────────────────────── categories, dispatch rules, saved filters, duty ─────────────────────────────

export async function listCategories(deps: Deps, ctx: Ctx) {
  requireAny(ctx);
  const rows = await deps.database.db.select().from(categories).orderBy(asc(categories.position), asc(categories.name));
  return { items: rows.map((c) => ({ id: c.id, name: c.name, parentId: c.parentId, position: c.position })) };
}

function requireAny(ctx: Ctx) { if (ctx.actor.kind === 'system') return; if (ctx.actor.kind === 'customer') return; requireStaff(ctx.actor); }

export async function createCategory(deps: Deps, ctx: Ctx, input: { name: string; parentId?: string | null | undefined; position?: number | undefined }) {
  authorize(ctx.actor, 'categories.manage');
  return deps.database.transaction(async (tx) => createCategoryInTx(tx, ctx, input));
}

export async function createCategoryInTx(tx: Tx, ctx: Ctx, input: { name: string; parentId?: string | null | undefined; position?: number | undefined }) {
  if (input.parentId && !(await ticketsRepo.categoryExists(tx, input.parentId))) throw invalid('parentId', 'no such category');
  const id = uuidv7();
  const [c] = await tx.insert(categories).values({ id, name: input.name, parentId: input.parentId ?? null, position: input.position ?? 0 }).onConflictDoNothing().returning();
  if (!c) throw new AppError('conflict', 'A category with this name exists here', { errors: [{ path: 'name', message: 'already exists' }] });
  await writeAudit(tx, ctx, { action: 'category.created', targetType: 'category', targetId: id, changes: diff(null, { name: c.name, parentId: c.parentId }) });
  return { id: c.id, name: c.name, parentId: c.parentId, position: c.position };
}

function presentRule(r: typeof dispatchRules.$inferSelect, teamName: string | null) {
  return {
    id: r.id, name: r.name, active: r.active, position: r.position, conditions: r.conditions as Record<string, never>, teamId: r.teamId, teamName,
    requiredSkills: r.requiredSkills, maxOpenPerAgent: r.maxOpenPerAgent,
  };
}

export async function listRules(deps: Deps, ctx: Ctx) {
  requireStaff(ctx.actor);
  authorize(ctx.actor, 'tickets.work');
  const rows = await deps.database.db.select({ r: dispatchRules, teamName: teams.name }).from(dispatchRules).leftJoin(teams, eq(teams.id, dispatchRules.teamId)).orderBy(asc(dispatchRules.position), asc(dispatchRules.id));
  return { items: rows.map((x) => presentRule(x.r, x.teamName)) };
}

export interface RuleInput { name: string; active: boolean; position?: number | undefined; conditions: Record<string, unknown>; teamId: string; requiredSkills: string[]; maxOpenPerAgent: number | null }

export async function createRuleInTx(tx: Tx, ctx: Ctx, input: RuleInput) {
  const [team] = await tx.select({ id: teams.id, name: teams.name }).from(teams).where(eq(teams.id, input.teamId));
  if (!team) throw invalid('teamId', 'no such team');
  const position = input.position ?? Number((await tx.execute(sql`SELECT coalesce(max(position), 0) + 10 AS p FROM dispatch_rules`) as unknown as { rows: { p: number }[] }).rows[0]!.p);
  const id = uuidv7();
  const [r] = await tx.insert(dispatchRules).values({ id, name: input.name, active: input.active, position, conditions: input.conditions, teamId: input.teamId, requiredSkills: input.requiredSkills, maxOpenPerAgent: input.maxOpenPerAgent }).returning();
  await writeAudit(tx, ctx, { action: 'dispatch_rule.created', targetType: 'dispatch_rule', targetId: id, changes: diff(null, { name: r!.name, conditions: r!.conditions, teamId: r!.teamId }) });
  return presentRule(r!, team.name);
}

export async function createRule(deps: Deps, ctx: Ctx, input: RuleInput) {
  authorize(ctx.actor, 'dispatch.manage');
  return deps.database.transaction((tx) => createRuleInTx(tx, ctx, input));
}

export async function updateRule(deps: Deps, ctx: Ctx, id: string, input: RuleInput) {
  authorize(ctx.actor, 'dispatch.manage');
  return deps.database.transaction(async (tx) => {
    const [before] = await tx.select().from(dispatchRules).where(eq(dispatchRules.id, id)).for('update');
    if (!before) throw notFound('Dispatch rule');
    const [team] = await tx.select({ name: teams.name }).from(teams).where(eq(teams.id, input.teamId));
    if (!team) throw invalid('teamId', 'no such team');
    const [r] = await tx.update(dispatchRules).set({ name: input.name, active: input.active, position: input.position ?? before.position, conditions: input.conditions, teamId: input.teamId, requiredSkills: input.requiredSkills, maxOpenPerAgent: input.maxOpenPerAgent, updatedAt: new Date() }).where(eq(dispatchRules.id, id)).returning();
    await writeAudit(tx, ctx, { action: 'dispatch_rule.updated', targetType: 'dispatch_rule', targetId: id, changes: diff({ name: before.name, active: before.active, position: before.position, conditions: before.conditions, teamId: before.teamId, requiredSkills: before.requiredSkills, maxOpenPerAgent: before.maxOpenPerAgent }, { name: r!.name, active: r!.active, position: r!.position, conditions: r!.conditions, teamId: r!.teamId, requiredSkills: r!.requiredSkills, maxOpenPerAgent: r!.maxOpenPerAgent }) });
    return presentRule(r!, team.name);
  });
}

export async function deleteRule(deps: Deps, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'dispatch.manage');
  await deps.database.transaction(async (tx) => {
    const [gone] = await tx.delete(dispatchRules).where(eq(dispatchRules.id, id)).returning();
    if (!gone) throw notFound('Dispatch rule');
    await writeAudit(tx, ctx, { action: 'dispatch_rule.deleted', targetType: 'dispatch_rule', targetId: id, changes: diff({ name: gone.name }, null) });
  });
}

/** "Who would get this ticket and why" — no write. */
export async function dryRun(deps: Deps, ctx: Ctx, input: { ticketId?: string | undefined; type?: string | undefined; channel?: string | undefined; priority?: string | undefined; categoryId?: string | null | undefined; customerId?: string | undefined; tier?: string | undefined; vip?: boolean | undefined }) {
  requireStaff(ctx.actor);
  authorize(ctx.actor, 'tickets.work');
  const ex = deps.database.db;
  let base = { type: input.type ?? 'inquiry', channel: input.channel ?? 'portal', priority: input.priority ?? 'normal', categoryId: input.categoryId ?? null, tier: input.tier ?? 'regular', vip: input.vip ?? false };
  if (input.ticketId) {
    const t = await ticketsRepo.visibleById(ex, ctx.actor, input.ticketId);
    if (!t) throw invalid('ticketId', 'no such ticket');
    const snap = await ticketsRepo.snapshot(ex, t);
    base = { type: t.type, channel: t.channel, priority: t.priority, categoryId: t.categoryId, tier: snap.customerTier, vip: snap.customerVip };
  } else if (input.customerId) {
    const rows = await ex.execute(sql`SELECT tier, vip FROM customers WHERE id = ${input.customerId}`) as unknown as { rows: { tier: string; vip: boolean }[] };
    if (!rows.rows[0]) throw invalid('customerId', 'no such customer');
    base = { ...base, tier: input.tier ?? rows.rows[0].tier, vip: input.vip ?? rows.rows[0].vip };
  }
  return decideDispatch(ex, base);
}

export async function listSavedFilters(deps: Deps, ctx: Ctx) {
  const actor = requireStaff(ctx.actor);
  const rows = await deps.database.db.select().from(savedFilters).where(eq(savedFilters.staffId, actor.id)).orderBy(asc(savedFilters.id));
  return { items: rows.map((r) => ({ id: r.id, name: r.name, query: r.query as Record<string, string> })) };
}

export async function createSavedFilter(deps: Deps, ctx: Ctx, input: { name: string; query: Record<string, string> }) {
  const actor = requireStaff(ctx.actor);
  const id = uuidv7();
  await deps.database.transaction(async (tx) => {
    await tx.insert(savedFilters).values({ id, staffId: actor.id, name: input.name, query: input.query });
    await writeAudit(tx, ctx, { action: 'saved_filter.created', targetType: 'saved_filter', targetId: id });
  });
  return { id, name: input.name, query: input.query };
}

export async function deleteSavedFilter(deps: Deps, ctx: Ctx, id: string) {
  const actor = requireStaff(ctx.actor);
  await deps.database.transaction(async (tx) => {
    const gone = await tx.delete(savedFilters).where(and(eq(savedFilters.id, id), eq(savedFilters.staffId, actor.id))).returning();
    if (!gone.length) throw notFound('Saved filter');
    await writeAudit(tx, ctx, { action: 'saved_filter.deleted', targetType: 'saved_filter', targetId: id });
  });
}

export async function setDuty(deps: Deps, ctx: Ctx, onDuty: boolean) {
  const actor = requireStaff(ctx.actor);
  await deps.database.transaction(async (tx) => {
    const [before] = await tx.select({ onDuty: staff.onDuty }).from(staff).where(eq(staff.id, actor.id));
    await tx.update(staff).set({ onDuty }).where(eq(staff.id, actor.id));
    await writeAudit(tx, ctx, { action: onDuty ? 'staff.signed_in_duty' : 'staff.signed_out_duty', targetType: 'staff', targetId: actor.id, changes: diff({ onDuty: before?.onDuty }, { onDuty }) });
  });
  return { onDuty };
}

/** Supervisor view: open load and on-duty state per member of the teams they can see. */
export async function teamLoad(deps: Deps, ctx: Ctx, teamId?: string) {
  const actor = requireStaff(ctx.actor);
  authorize(actor, 'tickets.work');
  const ex = deps.database.db;
  const scopeTeam = can(actor, 'tickets.read_all') ? teamId : (actor.teamId ?? '00000000-0000-0000-0000-000000000000');
  const members = await ex.select({ s: staff, teamName: teams.name }).from(staff).leftJoin(teams, eq(teams.id, staff.teamId))
    .where(and(eq(staff.active, true), scopeTeam ? eq(staff.teamId, scopeTeam) : undefined)).orderBy(asc(staff.employeeNo));
  const ids = members.map((m) => m.s.id);
  const load = await ticketsRepo.openLoad(ex, ids);
  const pendingHandovers = ids.length ? await ex.select({ to: handovers.toStaffId, n: sql<number>`count(*)::int` }).from(handovers).where(and(eq(handovers.state, 'pending'), inArray(handovers.toStaffId, ids))).groupBy(handovers.toStaffId) : [];
  const ph = new Map(pendingHandovers.map((p) => [p.to, Number(p.n)]));
  return {
    items: members.filter((m) => m.s.roles.some((r) => ['agent', 'supervisor', 'technician', 'frontdesk'].includes(r))).map((m) => ({
      staffId: m.s.id, employeeNo: m.s.employeeNo, name: m.s.name, teamId: m.s.teamId, teamName: m.teamName, onDuty: m.s.onDuty,
      openTickets: load.get(m.s.id) ?? 0, pendingHandovers: ph.get(m.s.id) ?? 0,
    })),
  };
}
