/**
 * The complaint loop (投诉闭环, 6 steps): listen 倾听 → empathise 共情 → confirm 确认 → resolve 解决 → revisit 回访 →
 * feedback 反馈. Each step records its evidence and is an event on the ticket (`complaint.<step>`), so any standard may
 * start or stop on it. A complaint cannot be resolved before the first four steps, nor closed before all six.
 * Classification: type, responsibility, severity (serious → management is notified at once), root cause; the
 * feedback step may open an improvement action (一次性修正) on a standard.
 */
import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client';
import { complaintCases, complaintSteps, customers, improvementActions, staff, standards, tickets } from '../../db/schema';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, invalid, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { notify } from '../../lib/notify';
import { authorize, can } from '../identity/policy';
import { standardsForTicket } from '../standards/standards.repo';
import { recordTicketEvent } from '../tickets/ticket-events';
import { ticketsRepo } from '../tickets/tickets.repo';
import { ticketVisibilityScope } from '../tickets/visibility';

export const COMPLAINT_STEPS = ['listen', 'empathise', 'confirm', 'resolve', 'revisit', 'feedback'] as const;
export type ComplaintStep = (typeof COMPLAINT_STEPS)[number];
/** Steps needed before the ticket may be resolved (the rest follow the resolution, before closing). */
export const STEPS_BEFORE_RESOLVE: ComplaintStep[] = ['listen', 'empathise', 'confirm', 'resolve'];
export const STEP_EVENT: Record<ComplaintStep, string> = {
  listen: 'complaint.listened', empathise: 'complaint.empathised', confirm: 'complaint.confirmed',
  resolve: 'complaint.resolved', revisit: 'complaint.revisited', feedback: 'complaint.feedback',
};
export const SEVERITIES = ['minor', 'normal', 'serious'] as const;
export const RESPONSIBILITIES = ['ours', 'partner', 'customer', 'undetermined'] as const;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Create the case of a complaint ticket (idempotent). */
export async function ensureComplaintCase(tx: Tx, ticketId: string): Promise<typeof complaintCases.$inferSelect> {
  await tx.insert(complaintCases).values({ id: uuidv7(), ticketId }).onConflictDoNothing();
  const [c] = await tx.select().from(complaintCases).where(eq(complaintCases.ticketId, ticketId));
  return c!;
}

async function stepsOf(ex: Tx | Database['db'], caseId: string | null) {
  if (!caseId) return [];
  return ex.select({ s: complaintSteps, byName: staff.name }).from(complaintSteps).leftJoin(staff, eq(staff.id, complaintSteps.recordedBy))
    .where(eq(complaintSteps.caseId, caseId)).orderBy(asc(complaintSteps.recordedAt));
}

export function missingSteps(done: Set<string>, to: 'resolved' | 'closed'): ComplaintStep[] {
  const need = to === 'resolved' ? STEPS_BEFORE_RESOLVE : COMPLAINT_STEPS;
  return need.filter((s) => !done.has(s));
}

/** Ticket resolve/close guard (registered with onTicketTransition). */
export async function complaintGuard(tx: Tx, _ctx: Ctx, t: { id: string; type: string }, to: 'resolved' | 'closed'): Promise<void> {
  if (t.type !== 'complaint') return;
  const [c] = await tx.select({ id: complaintCases.id }).from(complaintCases).where(eq(complaintCases.ticketId, t.id));
  const done = new Set((c ? await tx.select({ step: complaintSteps.step }).from(complaintSteps).where(eq(complaintSteps.caseId, c.id)) : []).map((r) => r.step));
  const missing = missingSteps(done, to);
  if (missing.length) {
    throw new AppError('complaint_steps_missing', `投诉闭环未完成，缺少步骤：${missing.join(', ')} / complaint loop incomplete`, {
      extra: { reason: 'complaint_steps_missing', missingSteps: missing },
      errors: missing.map((m) => ({ path: `complaint.steps.${m}`, message: 'step missing' })),
    });
  }
}

async function presentComplaint(ex: Tx | Database['db'], t: typeof tickets.$inferSelect, c: typeof complaintCases.$inferSelect | undefined) {
  const rows = await stepsOf(ex, c?.id ?? null);
  const by = new Map(rows.map((r) => [r.s.step, r]));
  const done = new Set(by.keys());
  const clocks = (await standardsForTicket(ex, t.id));
  return {
    id: c?.id ?? null, ticketId: t.id, ticketNumber: t.number, ticketSubject: t.subject, ticketStatus: t.status,
    category: c?.category ?? null, responsibility: c?.responsibility ?? null, severity: c?.severity ?? 'normal', rootCause: c?.rootCause ?? null,
    escalatedAt: iso(c?.escalatedAt ?? null), improvementActionId: c?.improvementActionId ?? null,
    steps: COMPLAINT_STEPS.map((step) => {
      const r = by.get(step);
      return { step, done: !!r, evidence: r?.s.evidence ?? null, data: (r?.s.data as Record<string, unknown>) ?? null, recordedAt: iso(r?.s.recordedAt ?? null), recordedBy: r?.s.recordedBy ?? null, recordedByName: r?.byName ?? null };
    }),
    nextStep: COMPLAINT_STEPS.find((s) => !done.has(s)) ?? null,
    missingForResolve: missingSteps(done, 'resolved'), missingForClose: missingSteps(done, 'closed'),
    standards: clocks.filter((s) => !s.endedAt || s.state === 'breached'),
    createdAt: iso(c?.createdAt ?? t.createdAt),
  };
}

async function complaintTicket(ex: Tx | Database['db'], ctx: Ctx, ticketId: string) {
  const t = await ticketsRepo.visibleById(ex, ctx.actor, ticketId);
  if (!t) throw notFound('Ticket');
  if (t.type !== 'complaint') throw invalid('ticketId', 'not a complaint ticket');
  return t;
}

export async function getComplaint(database: Database, ctx: Ctx, ticketId: string) {
  authorize(ctx.actor, 'loops.work');
  const t = await complaintTicket(database.db, ctx, ticketId);
  const [c] = await database.db.select().from(complaintCases).where(eq(complaintCases.ticketId, ticketId));
  return presentComplaint(database.db, t, c);
}

export interface StepInput {
  step: ComplaintStep; evidence: string;
  /** revisit: was the customer satisfied? */
  satisfied?: boolean | undefined;
  /** feedback: open an improvement action on a standard. */
  improvement?: { standardId: string; cause: string; change: string; ownerId: string; dueDate: string } | undefined;
}

/** Record (or correct) a step; steps go in order — a step whose predecessors are missing is refused. */
export async function recordStep(database: Database, ctx: Ctx, ticketId: string, input: StepInput) {
  authorize(ctx.actor, 'loops.work');
  return database.transaction(async (tx) => {
    const [locked] = await tx.select().from(tickets).where(eq(tickets.id, ticketId)).for('update');
    const t = await complaintTicket(tx, ctx, ticketId);
    void locked;
    if (t.status === 'closed') throw new AppError('conflict', 'The complaint is closed');
    const c = await ensureComplaintCase(tx, ticketId);
    const done = new Set((await tx.select({ step: complaintSteps.step }).from(complaintSteps).where(eq(complaintSteps.caseId, c.id))).map((r) => r.step));
    const idx = COMPLAINT_STEPS.indexOf(input.step);
    const before = COMPLAINT_STEPS.slice(0, idx).filter((s) => !done.has(s));
    if (before.length) throw new AppError('complaint_steps_missing', `请先完成前面的步骤：${before.join(', ')} / earlier steps missing`, { extra: { reason: 'complaint_steps_missing', missingSteps: before } });
    const evidence = input.evidence.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
    if (!evidence) throw invalid('evidence', 'required');
    const data: Record<string, unknown> = {};
    if (input.step === 'revisit' && input.satisfied !== undefined) data.satisfied = input.satisfied;
    if (input.improvement) {
      if (input.step !== 'feedback') throw invalid('improvement', 'only the feedback step opens an improvement action');
      authorize(ctx.actor, 'standards.improve');
      const [std] = await tx.select({ id: standards.id }).from(standards).where(eq(standards.id, input.improvement.standardId));
      if (!std) throw invalid('improvement.standardId', 'no such standard');
      const [owner] = await tx.select({ id: staff.id, active: staff.active }).from(staff).where(eq(staff.id, input.improvement.ownerId));
      if (!owner?.active) throw invalid('improvement.ownerId', 'no such active staff member');
      const impId = uuidv7();
      await tx.insert(improvementActions).values({ id: impId, standardId: std.id, cause: input.improvement.cause, change: input.improvement.change, ownerId: owner.id, dueDate: input.improvement.dueDate, createdBy: ctx.actor.id });
      await writeAudit(tx, ctx, { action: 'improvement.created', targetType: 'improvement_action', targetId: impId, changes: diff(null, { standardId: std.id, cause: input.improvement.cause, change: input.improvement.change, source: 'complaint' }) });
      await tx.update(complaintCases).set({ improvementActionId: impId, updatedAt: new Date() }).where(eq(complaintCases.id, c.id));
      data.improvementActionId = impId;
    }
    const again = done.has(input.step);
    await tx.insert(complaintSteps).values({ caseId: c.id, step: input.step, evidence, data, recordedBy: ctx.actor.id })
      .onConflictDoUpdate({ target: [complaintSteps.caseId, complaintSteps.step], set: { evidence, data, recordedBy: ctx.actor.id, recordedAt: new Date() } });
    await recordTicketEvent(tx, ctx, await ticketsRepo.snapshot(tx, t), STEP_EVENT[input.step], { caseId: c.id, step: input.step, evidence: evidence.slice(0, 500), corrected: again, ...data });
    await writeAudit(tx, ctx, { action: again ? 'complaint.step_corrected' : 'complaint.step_recorded', targetType: 'complaint_case', targetId: c.id, changes: diff(null, { step: input.step }) });
    const [c2] = await tx.select().from(complaintCases).where(eq(complaintCases.id, c.id));
    return presentComplaint(tx, t, c2);
  });
}

/** Classification; a complaint classified serious notifies every director (and admin) at once — once. */
export async function classifyComplaint(database: Database, ctx: Ctx, ticketId: string, input: { category?: string | null | undefined; responsibility?: (typeof RESPONSIBILITIES)[number] | null | undefined; severity?: (typeof SEVERITIES)[number] | undefined; rootCause?: string | null | undefined }) {
  authorize(ctx.actor, 'loops.work');
  return database.transaction(async (tx) => {
    const t = await complaintTicket(tx, ctx, ticketId);
    const c = await ensureComplaintCase(tx, ticketId);
    const set: Partial<typeof complaintCases.$inferSelect> = { updatedAt: new Date() };
    if (input.category !== undefined) set.category = input.category;
    if (input.responsibility !== undefined) set.responsibility = input.responsibility;
    if (input.severity !== undefined) set.severity = input.severity;
    if (input.rootCause !== undefined) set.rootCause = input.rootCause;
    const escalate = input.severity === 'serious' && !c.escalatedAt;
    if (escalate) set.escalatedAt = new Date();
    const [after] = await tx.update(complaintCases).set(set).where(eq(complaintCases.id, c.id)).returning();
    const snap = await ticketsRepo.snapshot(tx, t);
    const changes = diff({ category: c.category, responsibility: c.responsibility, severity: c.severity, rootCause: c.rootCause }, { category: after!.category, responsibility: after!.responsibility, severity: after!.severity, rootCause: after!.rootCause });
    if (Object.keys(changes).length) await recordTicketEvent(tx, ctx, snap, 'complaint.classified', { caseId: c.id, category: after!.category, responsibility: after!.responsibility, severity: after!.severity, rootCause: after!.rootCause });
    if (escalate) {
      const mgmt = await tx.select({ id: staff.id }).from(staff).where(and(eq(staff.active, true), sql`${staff.roles} && ARRAY['director']::text[]`));
      await recordTicketEvent(tx, ctx, snap, 'complaint.escalated', { caseId: c.id, severity: 'serious', notified: mgmt.map((m) => m.id) });
      for (const m of mgmt) await notify(tx, { recipientId: m.id, kind: 'complaint.escalated', ticketId: t.id, title: `${t.number} 严重投诉，请管理层立即关注：${t.subject}`, data: { caseId: c.id } });
    }
    await writeAudit(tx, ctx, { action: 'complaint.classified', targetType: 'complaint_case', targetId: c.id, changes });
    return presentComplaint(tx, t, after);
  });
}

/** The complaint board: open complaint tickets (or all) with their next step and clocks. */
export async function listComplaints(database: Database, ctx: Ctx, q: { state?: 'open' | 'all' | undefined; limit: number; cursor?: string | undefined }) {
  authorize(ctx.actor, 'loops.work');
  const v = ticketVisibilityScope(ctx.actor);
  const conds = [eq(tickets.type, 'complaint'), ...(q.state === 'all' ? [] : [inArray(tickets.status, ['new', 'assigned', 'in_progress', 'pending_customer', 'pending_internal', 'resolved'])]), ...(v ? [v] : []), ...(q.cursor ? [lt(tickets.id, q.cursor)] : [])];
  const rows = await database.db.select({ t: tickets, c: complaintCases, customerName: customers.name, ownerName: staff.name }).from(tickets)
    .leftJoin(complaintCases, eq(complaintCases.ticketId, tickets.id)).leftJoin(customers, eq(customers.id, tickets.customerId)).leftJoin(staff, eq(staff.id, tickets.ownerId))
    .where(and(...conds)).orderBy(desc(tickets.id)).limit(q.limit + 1);
  void can;
  const page = rows.slice(0, q.limit);
  return {
    nextCursor: rows.length > q.limit ? page[page.length - 1]!.t.id : null,
    items: await Promise.all(page.map(async (r) => {
      const p = await presentComplaint(database.db, r.t, r.c ?? undefined);
      return { ...p, customerName: r.customerName, ownerName: r.ownerName, priority: r.t.priority, overdue: p.standards.some((s) => s.state === 'breached') };
    })),
  };
}
