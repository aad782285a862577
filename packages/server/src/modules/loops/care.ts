/**
 * After-sales care (售后关怀) and silent-customer reactivation (沉默客户唤醒).
 *
 * Care: resolving a ticket of a configured type opens a guarantee window (7 days by default) and schedules proactive
 * care contacts on the admin's days (1, 3, 6 by default), each a task for the ticket's owner. Completing one records
 * `ticket.revisited` on the ticket (which stops the current cycle of the "7 天内 3 次主动关怀" standard) and its outcome.
 * A new ticket from the same customer inside the window reopens the original with raised priority.
 *
 * Reactivation: customers with no contact for N days get a sequence of touchpoint tasks (4 by default); it stops as
 * soon as they respond (a new ticket, a reply, a survey answer, or a touch that reached them).
 */
import { and, asc, eq, gte, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Database, Executor, Tx } from '../../db/client';
import { careTasks, carePlans, customers, reactivationRuns, staff, tickets } from '../../db/schema';
import { diff, emitEvent, writeAudit } from '../../lib/audit';
import { systemCtx, type Ctx } from '../../lib/context';
import { AppError, invalid, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { notify } from '../../lib/notify';
import { authorize, can } from '../identity/policy';
import type { TicketSnapshot } from '../tickets/ticket-events';
import { emit } from '../tickets/tickets.commands';
import { loopSettings } from './settings';
import { ticketVisibilityScope } from '../tickets/visibility';

const DAY = 86400_000;
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const RAISE: Record<string, string> = { low: 'normal', normal: 'high', high: 'urgent', urgent: 'urgent' };

/** ticket.resolved of a care type: guarantee window + care tasks (previous pending ones of the ticket are replaced). */
export async function planCareInTx(tx: Tx, snap: TicketSnapshot, at: Date): Promise<void> {
  const s = (await loopSettings(tx)).care;
  if (!(s.ticketTypes as string[]).includes(snap.type)) return;
  const until = new Date(at.getTime() + s.guaranteeDays * DAY);
  await tx.insert(carePlans).values({ ticketId: snap.id, customerId: snap.customerId, guaranteeUntil: until, state: 'active' })
    .onConflictDoUpdate({ target: carePlans.ticketId, set: { guaranteeUntil: until, state: 'active', reopenedByTicketId: null } });
  await tx.update(careTasks).set({ state: 'cancelled' }).where(and(eq(careTasks.ticketId, snap.id), eq(careTasks.state, 'pending')));
  const days = [...s.contactDays].sort((a, b) => a - b);
  await tx.insert(careTasks).values(days.map((d, i) => ({
    id: uuidv7(), kind: 'care', ticketId: snap.id, customerId: snap.customerId, ownerId: snap.ownerId, teamId: snap.teamId, seq: i + 1, dueAt: new Date(at.getTime() + d * DAY),
  })));
  const { recordTicketEvent } = await import('../tickets/ticket-events');
  await recordTicketEvent(tx, systemCtx('care'), snap, 'care.planned', { guaranteeUntil: until.toISOString(), contactDays: days });
}

/** ticket.reopened ends the care plan (a new resolve plans again). */
export async function cancelCareInTx(tx: Tx, ticketId: string): Promise<void> {
  await tx.update(careTasks).set({ state: 'cancelled' }).where(and(eq(careTasks.ticketId, ticketId), eq(careTasks.state, 'pending'), eq(careTasks.kind, 'care')));
  await tx.update(carePlans).set({ state: 'ended' }).where(and(eq(carePlans.ticketId, ticketId), eq(carePlans.state, 'active')));
}

/** ticket.created: a new problem inside a guarantee window reopens the original ticket with raised priority. */
export async function guaranteeReopenInTx(tx: Tx, ctx: Ctx, snap: TicketSnapshot, at: Date): Promise<string | null> {
  const [plan] = await tx.select().from(carePlans).where(and(eq(carePlans.customerId, snap.customerId), eq(carePlans.state, 'active'), gte(carePlans.guaranteeUntil, at), sql`${carePlans.ticketId} <> ${snap.id}`))
    .orderBy(sql`${carePlans.guaranteeUntil} DESC`).limit(1).for('update');
  if (!plan) return null;
  const [orig] = await tx.select().from(tickets).where(eq(tickets.id, plan.ticketId)).for('update');
  if (!orig || (orig.status !== 'resolved' && orig.status !== 'closed')) return null;
  const to = orig.ownerId ? 'in_progress' : 'new';
  const priority = RAISE[orig.priority] ?? orig.priority;
  await tx.update(carePlans).set({ state: 'reopened', reopenedByTicketId: snap.id }).where(eq(carePlans.ticketId, plan.ticketId));
  await tx.update(careTasks).set({ state: 'cancelled' }).where(and(eq(careTasks.ticketId, orig.id), eq(careTasks.state, 'pending')));
  const [after] = await tx.update(tickets).set({ status: to, priority, reopenCount: orig.reopenCount + 1, resolvedAt: null, closedAt: null, customerConfirmedAt: null, updatedAt: new Date(), version: orig.version + 1 })
    .where(eq(tickets.id, orig.id)).returning();
  const reason = `保障期内客户再次报告问题（${snap.number}）`;
  await emit(tx, ctx, after!, 'ticket.status_changed', { from: orig.status, to, cause: 'guarantee' }, orig.status);
  await emit(tx, ctx, after!, 'ticket.reopened', { reason, guarantee: true, newTicketId: snap.id }, orig.status);
  if (priority !== orig.priority) await emit(tx, ctx, after!, 'ticket.priority_changed', { from: orig.priority, to: priority, cause: 'guarantee' });
  await emit(tx, ctx, after!, 'care.guarantee_reopened', { newTicketId: snap.id, newTicketNumber: snap.number, guaranteeUntil: plan.guaranteeUntil.toISOString() });
  await writeAudit(tx, ctx, { action: 'ticket.reopened', targetType: 'ticket', targetId: orig.id, changes: diff({ status: orig.status, priority: orig.priority }, { status: to, priority }) });
  return orig.id;
}

// ───────────────────────────── tasks ─────────────────────────────

export function presentTask(r: typeof careTasks.$inferSelect, x: { ticketNumber?: string | null; ticketSubject?: string | null; customerName?: string | null; ownerName?: string | null } = {}) {
  return {
    id: r.id, kind: r.kind, ticketId: r.ticketId, ticketNumber: x.ticketNumber ?? null, ticketSubject: x.ticketSubject ?? null, customerId: r.customerId, customerName: x.customerName ?? null,
    runId: r.runId, ownerId: r.ownerId, ownerName: x.ownerName ?? null, seq: r.seq, dueAt: r.dueAt.toISOString(), state: r.state, result: r.result, outcome: r.outcome,
    doneAt: iso(r.doneAt), overdue: r.state === 'pending' && r.dueAt.getTime() < Date.now(),
  };
}

/** The care calendar: the caller's tasks (supervisors: anyone's, or their team's) between from and to. */
export async function listTasks(database: Database, ctx: Ctx, q: { from?: string | undefined; to?: string | undefined; ownerId?: string | undefined; kind?: 'care' | 'reactivation' | undefined; state?: 'pending' | 'done' | 'cancelled' | 'all' | undefined; limit: number }) {
  authorize(ctx.actor, 'loops.work');
  const actor = ctx.actor;
  const conds = [];
  const from = q.from ? new Date(q.from) : new Date(Date.now() - 31 * DAY);
  const to = q.to ? new Date(q.to) : new Date(Date.now() + 62 * DAY);
  if (Number.isNaN(from.getTime())) throw invalid('from', 'must be an ISO date');
  if (Number.isNaN(to.getTime())) throw invalid('to', 'must be an ISO date');
  conds.push(gte(careTasks.dueAt, from), lte(careTasks.dueAt, to));
  if (q.kind) conds.push(eq(careTasks.kind, q.kind));
  if (q.state && q.state !== 'all') conds.push(eq(careTasks.state, q.state));
  const all = can(actor, 'tickets.read_all');
  if (q.ownerId) {
    if (!all && q.ownerId !== actor.id) throw new AppError('forbidden', 'You can see your own care tasks');
    conds.push(eq(careTasks.ownerId, q.ownerId));
  } else if (!all && actor.kind === 'staff') {
    conds.push(actor.teamId ? or(eq(careTasks.ownerId, actor.id), and(isNull(careTasks.ownerId), eq(careTasks.teamId, actor.teamId)))! : eq(careTasks.ownerId, actor.id));
  }
  const rows = await database.db.select({ r: careTasks, number: tickets.number, subject: tickets.subject, customerName: customers.name, ownerName: staff.name }).from(careTasks)
    // The ticket's number and subject only when the caller may see the ticket (the one visibility rule).
    .leftJoin(tickets, and(eq(tickets.id, careTasks.ticketId), ticketVisibilityScope(actor))).leftJoin(customers, eq(customers.id, careTasks.customerId)).leftJoin(staff, eq(staff.id, careTasks.ownerId))
    .where(and(...conds)).orderBy(asc(careTasks.dueAt)).limit(q.limit);
  return { items: rows.map((x) => presentTask(x.r, { ticketNumber: x.number, ticketSubject: x.subject, customerName: x.customerName, ownerName: x.ownerName })) };
}

export const TASK_RESULTS = ['reached', 'no_answer', 'issue_found', 'declined'] as const;

/** Complete a care / reactivation task with its result and outcome (owner, or a supervisor). */
export async function completeTask(database: Database, ctx: Ctx, id: string, input: { result: (typeof TASK_RESULTS)[number]; outcome: string }) {
  authorize(ctx.actor, 'loops.work');
  return database.transaction(async (tx) => {
    const [r] = await tx.select().from(careTasks).where(eq(careTasks.id, id)).for('update');
    if (!r) throw notFound('Care task');
    if (r.ownerId && r.ownerId !== ctx.actor.id && !can(ctx.actor, 'tickets.assign_any')) throw new AppError('forbidden', 'Only the task owner or a supervisor completes it');
    // An unowned task belongs to its team (as the care calendar lists it): another team's member may not complete it.
    if (!r.ownerId && r.teamId && !can(ctx.actor, 'tickets.assign_any') && (ctx.actor.kind !== 'staff' || ctx.actor.teamId !== r.teamId)) throw new AppError('forbidden', 'Only a member of the task\'s team or a supervisor completes it');
    if (r.state !== 'pending') throw new AppError('conflict', `This task is already ${r.state}`);
    const outcome = input.outcome.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
    if (!outcome) throw invalid('outcome', 'required');
    const now = new Date();
    const [after] = await tx.update(careTasks).set({ state: 'done', result: input.result, outcome, doneAt: now, doneBy: ctx.actor.id }).where(eq(careTasks.id, id)).returning();
    if (r.kind === 'care' && r.ticketId) {
      const [t] = await tx.select().from(tickets).where(eq(tickets.id, r.ticketId)).for('update');
      if (t) {
        await emit(tx, ctx, t, 'ticket.revisited', { careTaskId: id, seq: r.seq, result: input.result, outcome: outcome.slice(0, 500), kind: 'care' });
        await emit(tx, ctx, t, 'care.contacted', { careTaskId: id, seq: r.seq, result: input.result });
      }
    } else if (r.kind === 'reactivation') {
      await emitEvent(tx, ctx, { kind: 'reactivation.touched', aggregateType: 'customer', aggregateId: r.customerId, data: { taskId: id, seq: r.seq, result: input.result } });
      if (input.result === 'reached' && r.runId) await stopRun(tx, ctx, r.runId, r.customerId, 'responded');
      else if (r.runId) {
        const [left] = await tx.select({ n: sql<number>`count(*)::int` }).from(careTasks).where(and(eq(careTasks.runId, r.runId), eq(careTasks.state, 'pending')));
        if (Number(left?.n ?? 0) === 0) {
          await tx.update(reactivationRuns).set({ state: 'completed', endedAt: now }).where(and(eq(reactivationRuns.id, r.runId), eq(reactivationRuns.state, 'active')));
          await emitEvent(tx, ctx, { kind: 'reactivation.completed', aggregateType: 'customer', aggregateId: r.customerId, data: { runId: r.runId } });
        }
      }
    }
    await writeAudit(tx, ctx, { action: `${r.kind}_task.completed`, targetType: 'care_task', targetId: id, changes: diff({ state: 'pending' }, { state: 'done', result: input.result }) });
    return presentTask(after!);
  });
}

// ───────────────────────────── reactivation ─────────────────────────────

async function stopRun(tx: Tx, ctx: Ctx, runId: string, customerId: string, reason: string) {
  const stopped = await tx.update(reactivationRuns).set({ state: 'stopped', stoppedReason: reason, endedAt: new Date() }).where(and(eq(reactivationRuns.id, runId), eq(reactivationRuns.state, 'active'))).returning({ id: reactivationRuns.id });
  if (!stopped.length) return;
  await tx.update(careTasks).set({ state: 'cancelled' }).where(and(eq(careTasks.runId, runId), eq(careTasks.state, 'pending')));
  await emitEvent(tx, ctx, { kind: 'reactivation.stopped', aggregateType: 'customer', aggregateId: customerId, data: { runId, reason } });
}

/** The customer responded (new ticket, reply, survey answer): their active reactivation sequence stops. */
export async function stopReactivationInTx(tx: Tx, ctx: Ctx, customerId: string, reason: string): Promise<void> {
  const [run] = await tx.select({ id: reactivationRuns.id }).from(reactivationRuns).where(and(eq(reactivationRuns.customerId, customerId), eq(reactivationRuns.state, 'active')));
  if (run) await stopRun(tx, ctx, run.id, customerId, reason);
}

/**
 * Start sequences for silent customers. Safe with several processes: candidates are claimed with
 * FOR UPDATE SKIP LOCKED, and a partial unique index allows one active sequence per customer.
 */
export async function scanReactivation(database: Database, now = new Date(), limit = 200): Promise<number> {
  const s = (await loopSettings(database.db)).reactivation;
  if (!s.enabled) return 0;
  const cutoff = new Date(now.getTime() - s.silentDays * DAY);
  const ctx = systemCtx('reactivation');
  return database.transaction(async (tx) => {
    const res = (await tx.execute(sql`
      SELECT c.id, lc.last_at
        FROM customers c
        JOIN LATERAL (
          SELECT greatest(max(t.created_at), max(t.updated_at), (SELECT max(r.answered_at) FROM survey_responses r WHERE r.customer_id = c.id)) AS last_at
            FROM tickets t WHERE t.customer_id = c.id) lc ON true
       WHERE c.merged_into_id IS NULL AND lc.last_at IS NOT NULL AND lc.last_at < ${cutoff}
         AND coalesce((c.consent->>'marketing')::boolean, true)
         AND NOT EXISTS (SELECT 1 FROM reactivation_runs rr WHERE rr.customer_id = c.id AND (rr.state = 'active' OR rr.started_at >= ${cutoff}))
       ORDER BY lc.last_at LIMIT ${limit}
       FOR UPDATE OF c SKIP LOCKED`)) as unknown as { rows: { id: string; last_at: string | Date }[] };
    let started = 0;
    for (const c of res.rows) {
      const runId = uuidv7();
      const ins = await tx.insert(reactivationRuns).values({ id: runId, customerId: c.id, state: 'active', lastContactAt: new Date(c.last_at), startedAt: now }).onConflictDoNothing().returning({ id: reactivationRuns.id });
      if (!ins.length) continue;
      const [last] = await tx.select({ ownerId: tickets.ownerId, teamId: tickets.teamId }).from(tickets).where(eq(tickets.customerId, c.id)).orderBy(sql`${tickets.createdAt} DESC`).limit(1);
      const ownerId = last?.ownerId ?? null;
      await tx.insert(careTasks).values(s.touchDays.map((d, i) => ({ id: uuidv7(), kind: 'reactivation', customerId: c.id, runId, ownerId, teamId: last?.teamId ?? null, seq: i + 1, dueAt: new Date(now.getTime() + d * DAY) })));
      await emitEvent(tx, ctx, { kind: 'reactivation.started', aggregateType: 'customer', aggregateId: c.id, data: { runId, lastContactAt: new Date(c.last_at).toISOString(), touchpoints: s.touchDays.length } });
      if (ownerId) await notify(tx, { recipientId: ownerId, kind: 'reactivation.started', title: `沉默客户唤醒：${s.touchDays.length} 次接触任务已安排`, data: { runId, customerId: c.id } });
      started++;
    }
    return started;
  });
}

export async function customerRuns(ex: Executor, customerId: string) {
  const runs = await ex.select().from(reactivationRuns).where(eq(reactivationRuns.customerId, customerId)).orderBy(sql`${reactivationRuns.startedAt} DESC`).limit(10);
  const tasks = runs.length ? await ex.select().from(careTasks).where(inArray(careTasks.runId, runs.map((r) => r.id))).orderBy(asc(careTasks.seq)) : [];
  return runs.map((r) => ({ id: r.id, state: r.state, stoppedReason: r.stoppedReason, startedAt: r.startedAt.toISOString(), endedAt: iso(r.endedAt), lastContactAt: iso(r.lastContactAt), tasks: tasks.filter((t) => t.runId === r.id).map((t) => presentTask(t)) }));
}
