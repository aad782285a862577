/**
 * The complaint loop (投诉闭环, 6 steps): listen 倾听 → empathise 共情 → confirm 确认 → resolve 解决 → revisit 回访 →
 * feedback 反馈. Each step records its evidence and is an event on the ticket (`complaint.<step>`), so any standard may
 * start or stop on it. A complaint cannot be resolved before the first four steps, nor closed before all six.
 * Classification: type, responsibility, severity (serious → management is notified at once), root cause; the
 * feedback step may open an improvement action (一次性修正) on a standard.
 */
import type { Database, Executor, Tx } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { invalid, notFound } from '../../lib/errors';
import { msg, t as text } from '../../i18n/index';
import { uuidv7 } from '../../lib/ids';
import { notify } from '../../lib/notify';
import { authorize } from '../identity/policy';
import { standardsForTicket } from '../standards/standards.repo';
import { recordTicketEvent, type TicketEventKind } from '../tickets/ticket-events';
import { ticketsRepo } from '../tickets/tickets.repo';
import { assertComplaintOpen, assertStepInOrder, assertTransitionAllowed, type ComplaintStep } from './loops.policy';
import { presentComplaint as present } from './loops.present';
import { loopsRepo, type ComplaintCaseRow, type TicketRow } from './loops.repo';
import type { RESPONSIBILITIES, SEVERITIES } from './loops.schema';

export { COMPLAINT_STEPS, missingSteps, STEPS_BEFORE_RESOLVE, type ComplaintStep } from './loops.policy';

export const STEP_EVENT: Record<ComplaintStep, TicketEventKind> = {
  listen: 'complaint.listened',
  empathise: 'complaint.empathised',
  confirm: 'complaint.confirmed',
  resolve: 'complaint.resolved',
  revisit: 'complaint.revisited',
  feedback: 'complaint.feedback',
};
export { RESPONSIBILITIES, SEVERITIES } from './loops.schema';

/** Create the case of a complaint ticket (idempotent). */
export async function ensureComplaintCase(tx: Tx, ticketId: string): Promise<ComplaintCaseRow> {
  return loopsRepo.ensureComplaintCase(tx, uuidv7(), ticketId);
}

/** Ticket resolve/close guard (registered with onTicketTransition). */
export async function complaintGuard(tx: Tx, _ctx: Ctx, t: { id: string; type: string }, to: 'resolved' | 'closed'): Promise<void> {
  if (t.type !== 'complaint') return;
  const c = await loopsRepo.complaintCaseOfTicket(tx, t.id);
  assertTransitionAllowed(c ? await loopsRepo.doneSteps(tx, c.id) : new Set(), to);
}

async function presentComplaint(ex: Executor, t: TicketRow, c: ComplaintCaseRow | undefined) {
  return present(t, c, c ? await loopsRepo.stepsOf(ex, c.id) : [], await standardsForTicket(ex, t.id));
}

async function complaintTicket(ex: Executor, ctx: Ctx, ticketId: string) {
  const t = await ticketsRepo.visibleById(ex, ctx.actor, ticketId);
  if (!t) throw notFound('Ticket');
  if (t.type !== 'complaint') throw invalid('ticketId', 'not a complaint ticket');
  return t;
}

export async function getComplaint(database: Database, ctx: Ctx, ticketId: string) {
  authorize(ctx.actor, 'loops.work');
  const t = await complaintTicket(database.db, ctx, ticketId);
  return presentComplaint(database.db, t, await loopsRepo.complaintCaseOfTicket(database.db, ticketId));
}

export interface StepInput {
  step: ComplaintStep;
  evidence: string;
  /** revisit: was the customer satisfied? */
  satisfied?: boolean | undefined;
  /** feedback: open an improvement action on a standard. */
  improvement?: { standardId: string; cause: string; change: string; ownerId: string; dueDate: string } | undefined;
}

/** Record (or correct) a step; steps go in order — a step whose predecessors are missing is refused. */
export async function recordStep(database: Database, ctx: Ctx, ticketId: string, input: StepInput) {
  authorize(ctx.actor, 'loops.work');
  return database.transaction(async (tx) => {
    await loopsRepo.lockTicket(tx, ticketId);
    const t = await complaintTicket(tx, ctx, ticketId);
    assertComplaintOpen(t.status);
    const c = await ensureComplaintCase(tx, ticketId);
    const done = await loopsRepo.doneSteps(tx, c.id);
    assertStepInOrder(done, input.step);
    const evidence = input.evidence.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
    if (!evidence) throw invalid('evidence', 'required');
    const data: Record<string, unknown> = {};
    if (input.step === 'revisit' && input.satisfied !== undefined) data.satisfied = input.satisfied;
    if (input.improvement) {
      if (input.step !== 'feedback') throw invalid('improvement', 'only the feedback step opens an improvement action');
      authorize(ctx.actor, 'standards.improve');
      if (!(await loopsRepo.standardExists(tx, input.improvement.standardId))) throw invalid('improvement.standardId', 'no such standard');
      const owner = await loopsRepo.activeStaff(tx, input.improvement.ownerId);
      if (!owner?.active) throw invalid('improvement.ownerId', 'no such active staff member');
      const std = { id: input.improvement.standardId };
      const impId = uuidv7();
      await loopsRepo.insertImprovement(tx, {
        id: impId,
        standardId: std.id,
        cause: input.improvement.cause,
        change: input.improvement.change,
        ownerId: owner.id,
        dueDate: input.improvement.dueDate,
        createdBy: ctx.actor.id,
      });
      await writeAudit(tx, ctx, {
        action: 'improvement.created',
        targetType: 'improvement_action',
        targetId: impId,
        changes: diff(null, { standardId: std.id, cause: input.improvement.cause, change: input.improvement.change, source: 'complaint' }),
      });
      await loopsRepo.updateComplaintCase(tx, c.id, { improvementActionId: impId, updatedAt: new Date() });
      data.improvementActionId = impId;
    }
    const again = done.has(input.step);
    await loopsRepo.upsertStep(tx, c.id, input.step, evidence, data, ctx.actor.id);
    await recordTicketEvent(tx, ctx, await ticketsRepo.snapshot(tx, t), STEP_EVENT[input.step], {
      caseId: c.id,
      step: input.step,
      evidence: evidence.slice(0, 500),
      corrected: again,
      ...data,
    });
    await writeAudit(tx, ctx, {
      action: again ? 'complaint.step_corrected' : 'complaint.step_recorded',
      targetType: 'complaint_case',
      targetId: c.id,
      changes: diff(null, { step: input.step }),
    });
    return presentComplaint(tx, t, await loopsRepo.complaintCase(tx, c.id));
  });
}

/** Classification; a complaint classified serious notifies every director (and admin) at once — once. */
export async function classifyComplaint(
  database: Database,
  ctx: Ctx,
  ticketId: string,
  input: {
    category?: string | null | undefined;
    responsibility?: (typeof RESPONSIBILITIES)[number] | null | undefined;
    severity?: (typeof SEVERITIES)[number] | undefined;
    rootCause?: string | null | undefined;
  },
) {
  authorize(ctx.actor, 'loops.work');
  return database.transaction(async (tx) => {
    const t = await complaintTicket(tx, ctx, ticketId);
    const c = await ensureComplaintCase(tx, ticketId);
    const set: Partial<ComplaintCaseRow> = { updatedAt: new Date() };
    if (input.category !== undefined) set.category = input.category;
    if (input.responsibility !== undefined) set.responsibility = input.responsibility;
    if (input.severity !== undefined) set.severity = input.severity;
    if (input.rootCause !== undefined) set.rootCause = input.rootCause;
    const escalate = input.severity === 'serious' && !c.escalatedAt;
    if (escalate) set.escalatedAt = new Date();
    const after = await loopsRepo.updateComplaintCase(tx, c.id, set);
    const snap = await ticketsRepo.snapshot(tx, t);
    const changes = diff(
      { category: c.category, responsibility: c.responsibility, severity: c.severity, rootCause: c.rootCause },
      { category: after.category, responsibility: after.responsibility, severity: after.severity, rootCause: after.rootCause },
    );
    if (Object.keys(changes).length)
      await recordTicketEvent(tx, ctx, snap, 'complaint.classified', {
        caseId: c.id,
        category: after.category,
        responsibility: after.responsibility,
        severity: after.severity,
        rootCause: after.rootCause,
      });
    if (escalate) {
      const mgmt = await loopsRepo.directors(tx);
      await recordTicketEvent(tx, ctx, snap, 'complaint.escalated', { caseId: c.id, severity: 'serious', notified: mgmt });
      // Stored for its recipients: rendered in the default language, with the message for readers in another one.
      const title = msg('loops.complaint.escalated.title', { number: t.number, subject: t.subject });
      for (const m of mgmt)
        await notify(tx, {
          recipientId: m,
          kind: 'complaint.escalated',
          ticketId: t.id,
          title: text(undefined, title.key, title.params),
          data: { caseId: c.id, message: title },
        });
    }
    await writeAudit(tx, ctx, { action: 'complaint.classified', targetType: 'complaint_case', targetId: c.id, changes });
    return presentComplaint(tx, t, after);
  });
}

/** The complaint board: open complaint tickets (or all) with their next step and clocks. */
export async function listComplaints(database: Database, ctx: Ctx, q: { state?: 'open' | 'all' | undefined; limit: number; cursor?: string | undefined }) {
  authorize(ctx.actor, 'loops.work');
  const rows = await loopsRepo.complaintBoard(database.db, ctx.actor, q);
  const page = rows.slice(0, q.limit);
  return {
    nextCursor: rows.length > q.limit ? page[page.length - 1]!.t.id : null,
    items: await Promise.all(
      page.map(async (r) => {
        const p = await presentComplaint(database.db, r.t, r.c ?? undefined);
        return { ...p, customerName: r.customerName, ownerName: r.ownerName, priority: r.t.priority, overdue: p.standards.some((s) => s.state === 'breached') };
      }),
    ),
  };
}
