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
import type { Database, Executor, Tx } from '../../db/client';
import { diff, emitEvent, writeAudit } from '../../lib/audit';
import { systemCtx, type Ctx } from '../../lib/context';
import { AppError, invalid, notFound } from '../../lib/errors';
import { msg, t as text } from '../../i18n/index';
import { uuidv7 } from '../../lib/ids';
import { notify } from '../../lib/notify';
import { authorize, can } from '../identity/policy';
import type { TicketSnapshot } from '../tickets/ticket-events';
import { emit } from '../tickets/tickets.commands';
import { recordTicketEvent } from '../tickets/ticket-events';
import { loopSettings } from './settings';
import { assertCanCompleteTask } from './loops.policy';
import { presentTask } from './loops.present';
import { loopsRepo } from './loops.repo';
import { touchModes } from './touches';

export { presentTask } from './loops.present';

const DAY = 86400_000;
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const RAISE: Record<string, string> = { low: 'normal', normal: 'high', high: 'urgent', urgent: 'urgent' };

/** ticket.resolved of a care type: guarantee window + care tasks (previous pending ones of the ticket are replaced). */
export async function planCareInTx(tx: Tx, snap: TicketSnapshot, at: Date): Promise<void> {
  const s = (await loopSettings(tx)).care;
  if (snap.type === 'internal' || !(s.ticketTypes as string[]).includes(snap.type)) return;
  const until = new Date(at.getTime() + s.guaranteeDays * DAY);
  await loopsRepo.upsertCarePlan(tx, { ticketId: snap.id, customerId: snap.customerId, guaranteeUntil: until });
  await loopsRepo.cancelPendingTasksOfTicket(tx, snap.id);
  const days = [...s.contactDays].sort((a, b) => a - b);
  const modes = touchModes(s.touches, days.length);
  await loopsRepo.insertTasks(
    tx,
    days.map((d, i) => ({
      id: uuidv7(),
      kind: 'care',
      ticketId: snap.id,
      customerId: snap.customerId,
      ownerId: snap.ownerId,
      teamId: snap.teamId,
      seq: i + 1,
      dueAt: new Date(at.getTime() + d * DAY),
      mode: modes[i],
    })),
  );
  await recordTicketEvent(tx, systemCtx('care'), snap, 'care.planned', { guaranteeUntil: until.toISOString(), contactDays: days });
}

/** ticket.reopened ends the care plan (a new resolve plans again). */
export async function cancelCareInTx(tx: Tx, ticketId: string): Promise<void> {
  await loopsRepo.cancelPendingTasksOfTicket(tx, ticketId, 'care');
  await loopsRepo.endCarePlan(tx, ticketId);
}

/** ticket.created: a new problem inside a guarantee window reopens the original ticket with raised priority. */
export async function guaranteeReopenInTx(tx: Tx, ctx: Ctx, snap: TicketSnapshot, at: Date): Promise<string | null> {
  const plan = await loopsRepo.lockGuaranteePlan(tx, snap.customerId, at, snap.id);
  if (!plan) return null;
  const orig = await loopsRepo.lockTicket(tx, plan.ticketId);
  if (!orig || (orig.status !== 'resolved' && orig.status !== 'closed')) return null;
  const to = orig.ownerId ? 'in_progress' : 'new';
  const priority = RAISE[orig.priority] ?? orig.priority;
  await loopsRepo.markPlanReopened(tx, plan.ticketId, snap.id);
  await loopsRepo.cancelPendingTasksOfTicket(tx, orig.id);
  const after = await loopsRepo.updateTicket(tx, orig.id, {
    status: to,
    priority,
    reopenCount: orig.reopenCount + 1,
    resolvedAt: null,
    closedAt: null,
    customerConfirmedAt: null,
    updatedAt: new Date(),
    version: orig.version + 1,
  });
  // The reason is stored on the timeline in the default language (as a manual reopen's reason is stored as typed),
  // with its message so a reader in another language sees it in theirs.
  const reasonMessage = msg('loops.care.guarantee_reopen_reason', { number: snap.number });
  const reason = text(undefined, reasonMessage.key, reasonMessage.params);
  await emit(tx, ctx, after, 'ticket.status_changed', { from: orig.status, to, cause: 'guarantee' }, orig.status);
  await emit(tx, ctx, after, 'ticket.reopened', { reason, reasonMessage, guarantee: true, newTicketId: snap.id }, orig.status);
  if (priority !== orig.priority) await emit(tx, ctx, after, 'ticket.priority_changed', { from: orig.priority, to: priority, cause: 'guarantee' });
  await emit(tx, ctx, after, 'care.guarantee_reopened', {
    newTicketId: snap.id,
    newTicketNumber: snap.number,
    guaranteeUntil: plan.guaranteeUntil.toISOString(),
  });
  await writeAudit(tx, ctx, {
    action: 'ticket.reopened',
    targetType: 'ticket',
    targetId: orig.id,
    changes: diff({ status: orig.status, priority: orig.priority }, { status: to, priority }),
  });
  return orig.id;
}

// ───────────────────────────── tasks ─────────────────────────────

/** The care calendar: the caller's tasks (supervisors: anyone's, or their team's) between from and to. */
export async function listTasks(
  database: Database,
  ctx: Ctx,
  q: {
    from?: string | undefined;
    to?: string | undefined;
    ownerId?: string | undefined;
    kind?: 'care' | 'reactivation' | undefined;
    state?: 'pending' | 'done' | 'cancelled' | 'all' | undefined;
    limit: number;
  },
) {
  authorize(ctx.actor, 'loops.work');
  const actor = ctx.actor;
  const from = q.from ? new Date(q.from) : new Date(Date.now() - 31 * DAY);
  const to = q.to ? new Date(q.to) : new Date(Date.now() + 62 * DAY);
  if (Number.isNaN(from.getTime())) throw invalid('from', 'must be an ISO date');
  if (Number.isNaN(to.getTime())) throw invalid('to', 'must be an ISO date');
  const all = can(actor, 'tickets.read_all');
  if (q.ownerId && !all && q.ownerId !== actor.id) throw new AppError('forbidden', 'You can see your own care tasks');
  const rows = await loopsRepo.tasks(database.db, actor, {
    from,
    to,
    kind: q.kind,
    state: q.state && q.state !== 'all' ? q.state : undefined,
    ownerId: q.ownerId,
    scopeTeamOf: !q.ownerId && !all && actor.kind === 'staff' ? { id: actor.id, teamId: actor.teamId } : undefined,
    limit: q.limit,
  });
  const deliveries = await loopsRepo.touchDeliveries(
    database.db,
    rows.flatMap((x) => (x.r.autoOutboxId ? [x.r.autoOutboxId] : [])),
  );
  return {
    items: rows.map((x) =>
      presentTask(x.r, {
        ticketNumber: x.number,
        ticketSubject: x.subject,
        customerName: x.customerName,
        ownerName: x.ownerName,
        delivery: x.r.autoOutboxId ? deliveries.get(x.r.autoOutboxId) : undefined,
      }),
    ),
  };
}

import type { TASK_RESULTS } from './loops.schema';

export { TASK_RESULTS } from './loops.schema';

/** Complete a care / reactivation task with its result and outcome (owner, or a supervisor). */
export async function completeTask(database: Database, ctx: Ctx, id: string, input: { result: (typeof TASK_RESULTS)[number]; outcome: string }) {
  authorize(ctx.actor, 'loops.work');
  return database.transaction(async (tx) => {
    const r = await loopsRepo.lockTask(tx, id);
    if (!r) throw notFound('Care task');
    assertCanCompleteTask(ctx.actor, r);
    const outcome = input.outcome.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
    if (!outcome) throw invalid('outcome', 'required');
    const now = new Date();
    const after = await loopsRepo.updateTask(tx, id, { state: 'done', result: input.result, outcome, doneAt: now, doneBy: ctx.actor.id });
    if (r.kind === 'care' && r.ticketId) {
      const t = await loopsRepo.lockTicket(tx, r.ticketId);
      if (t) {
        await emit(tx, ctx, t, 'ticket.revisited', { careTaskId: id, seq: r.seq, result: input.result, outcome: outcome.slice(0, 500), kind: 'care' });
        await emit(tx, ctx, t, 'care.contacted', { careTaskId: id, seq: r.seq, result: input.result });
      }
    } else if (r.kind === 'reactivation') {
      await emitEvent(tx, ctx, {
        kind: 'reactivation.touched',
        aggregateType: 'customer',
        aggregateId: r.customerId,
        data: { taskId: id, seq: r.seq, result: input.result },
      });
      if (input.result === 'reached' && r.runId) await stopRun(tx, ctx, r.runId, r.customerId, 'responded');
      else if (r.runId) {
        if ((await loopsRepo.pendingTasksOfRun(tx, r.runId)) === 0) {
          await loopsRepo.completeRun(tx, r.runId, now);
          await emitEvent(tx, ctx, { kind: 'reactivation.completed', aggregateType: 'customer', aggregateId: r.customerId, data: { runId: r.runId } });
        }
      }
    }
    await writeAudit(tx, ctx, {
      action: `${r.kind}_task.completed`,
      targetType: 'care_task',
      targetId: id,
      changes: diff({ state: 'pending' }, { state: 'done', result: input.result }),
    });
    return presentTask(after);
  });
}

// ───────────────────────────── reactivation ─────────────────────────────

async function stopRun(tx: Tx, ctx: Ctx, runId: string, customerId: string, reason: string) {
  if (!(await loopsRepo.stopRun(tx, runId, reason))) return;
  await emitEvent(tx, ctx, { kind: 'reactivation.stopped', aggregateType: 'customer', aggregateId: customerId, data: { runId, reason } });
}

/** The customer responded (new ticket, reply, survey answer): their active reactivation sequence stops. */
export async function stopReactivationInTx(tx: Tx, ctx: Ctx, customerId: string, reason: string): Promise<void> {
  const run = await loopsRepo.activeRunOf(tx, customerId);
  if (run) await stopRun(tx, ctx, run, customerId, reason);
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
    const silent = await loopsRepo.claimSilentCustomers(tx, cutoff, limit);
    let started = 0;
    for (const c of silent) {
      const runId = uuidv7();
      if (!(await loopsRepo.insertRunIfAbsent(tx, { id: runId, customerId: c.id, state: 'active', lastContactAt: new Date(c.last_at), startedAt: now })))
        continue;
      const last = await loopsRepo.lastTicketOwner(tx, c.id);
      const ownerId = last?.ownerId ?? null;
      const modes = touchModes(s.touches, s.touchDays.length);
      await loopsRepo.insertTasks(
        tx,
        [...s.touchDays]
          .sort((a, b) => a - b)
          .map((d, i) => ({
            id: uuidv7(),
            kind: 'reactivation',
            customerId: c.id,
            runId,
            ownerId,
            teamId: last?.teamId ?? null,
            seq: i + 1,
            dueAt: new Date(now.getTime() + d * DAY),
            mode: modes[i],
          })),
      );
      await emitEvent(tx, ctx, {
        kind: 'reactivation.started',
        aggregateType: 'customer',
        aggregateId: c.id,
        data: { runId, lastContactAt: new Date(c.last_at).toISOString(), touchpoints: s.touchDays.length },
      });
      // A worker has no reader: the default language, with the message for a reader in another one.
      const title = msg('loops.reactivation.started.title', { count: s.touchDays.length });
      if (ownerId)
        await notify(tx, {
          recipientId: ownerId,
          kind: 'reactivation.started',
          title: text(undefined, title.key, title.params),
          data: { runId, customerId: c.id, message: title },
        });
      started++;
    }
    return started;
  });
}

export async function customerRuns(ex: Executor, customerId: string) {
  const { runs, tasks } = await loopsRepo.runsOf(ex, customerId);
  const deliveries = await loopsRepo.touchDeliveries(
    ex,
    tasks.flatMap((t) => (t.autoOutboxId ? [t.autoOutboxId] : [])),
  );
  return runs.map((r) => ({
    id: r.id,
    state: r.state,
    stoppedReason: r.stoppedReason,
    startedAt: r.startedAt.toISOString(),
    endedAt: iso(r.endedAt),
    lastContactAt: iso(r.lastContactAt),
    tasks: tasks.filter((t) => t.runId === r.id).map((t) => presentTask(t, { delivery: t.autoOutboxId ? deliveries.get(t.autoOutboxId) : undefined })),
  }));
}

/** GET /customers/{id}/reactivation: a customer's reactivation sequences with their tasks. */
export async function customerReactivation(database: Database, ctx: Ctx, customerId: string) {
  authorize(ctx.actor, 'loops.work');
  return { items: await customerRuns(database.db, customerId) };
}

/** POST /loops/reactivation/scan: start the sequences now (the worker does it hourly). */
export async function scanReactivationNow(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'surveys.manage');
  return { started: await scanReactivation(database) };
}
