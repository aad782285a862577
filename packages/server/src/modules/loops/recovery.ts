/**
 * Low-score recovery (低分挽回): a low answer opens a case on the original ticket; `recovery.opened` starts the
 * recovery standards (default templates: supervisor contact within 15 min, a solution within 48 h, a revisit within
 * a week — 24×7, editable like any standard). Each step is an event on the ticket's timeline that stops its clock;
 * the case closes only with the customer's outcome (recovered / not_recovered), optionally with a new survey.
 */
import { and, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client';
import { customers, recoveryCases, staff, standards, standardVersions, surveyTemplates, teams, tickets } from '../../db/schema';
import { diff, writeAudit } from '../../lib/audit';
import { systemCtx, type Ctx } from '../../lib/context';
import { AppError, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { notify } from '../../lib/notify';
import { announceCatalogueChange, invalidateCatalogue } from '../../engine/engine';
import { authorize, can } from '../identity/policy';
import { buildDefinition, StandardFields } from '../standards/definition';
import { standardsForTicket } from '../standards/standards.repo';
import { STANDARD_TEMPLATES } from '../standards/templates';
import { recordTicketEvent, type TicketSnapshot } from '../tickets/ticket-events';
import { ticketsRepo } from '../tickets/tickets.repo';
import { ticketVisibilityScope } from '../tickets/visibility';

export const RECOVERY_TEMPLATE_KEYS = ['low-score-supervisor-15min', 'low-score-solution-48h', 'low-score-revisit-1-week'];
export type RecoveryRow = typeof recoveryCases.$inferSelect;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * The recovery standards come from the templates: adopted (active) the first time a low score arrives, unless a
 * standard with the template's code already exists — an admin's edit or deactivation is never undone.
 * Runs in its own transaction before the answer so the engine's catalogue sees committed standards.
 */
export async function ensureRecoveryStandards(database: Database): Promise<void> {
  const codes = RECOVERY_TEMPLATE_KEYS.map((k) => STANDARD_TEMPLATES.find((t) => t.key === k)!.code);
  const have = await database.db.select({ code: standards.code }).from(standards).where(inArray(standards.code, codes));
  if (have.length === codes.length) return;
  const ctx = systemCtx('loops');
  const created = await database.transaction(async (tx) => {
    let n = 0;
    for (const key of RECOVERY_TEMPLATE_KEYS) {
      const tpl = STANDARD_TEMPLATES.find((t) => t.key === key)!;
      const { def } = buildDefinition(StandardFields.parse(tpl.definition));
      const id = uuidv7(); const versionId = uuidv7();
      const ins = await tx.insert(standards).values({ id, code: tpl.code, currentVersionId: versionId, currentVersion: 1, active: true, templateKey: tpl.key, createdBy: null })
        .onConflictDoNothing().returning({ id: standards.id });
      if (!ins.length) continue;
      await tx.insert(standardVersions).values({ id: versionId, standardId: id, version: 1, definition: def, createdBy: null });
      await writeAudit(tx, ctx, { action: 'standard.created', targetType: 'standard', targetId: id, changes: diff(null, { code: tpl.code, templateKey: tpl.key, reason: '低分挽回首次启用' }) });
      n++;
    }
    if (n) await announceCatalogueChange(tx);
    return n;
  });
  if (created) invalidateCatalogue();
}

async function supervisorsFor(tx: Tx, teamId: string | null): Promise<string[]> {
  if (teamId) {
    const [t] = await tx.select({ supervisorId: teams.supervisorId }).from(teams).where(eq(teams.id, teamId));
    if (t?.supervisorId) return [t.supervisorId];
    const inTeam = await tx.select({ id: staff.id }).from(staff).where(and(eq(staff.teamId, teamId), eq(staff.active, true), sql`${staff.roles} @> ARRAY['supervisor']::text[]`));
    if (inTeam.length) return inTeam.map((s) => s.id);
  }
  const all = await tx.select({ id: staff.id }).from(staff).where(and(eq(staff.active, true), sql`${staff.roles} @> ARRAY['supervisor']::text[]`));
  return all.map((s) => s.id);
}

/** Open a recovery case for a low answer (inside the answer's transaction). One open case per ticket. */
export async function openRecoveryInTx(tx: Tx, ctx: Ctx, snap: TicketSnapshot, r: { responseId: string; score: Record<string, number>; reasons: string[]; comment: string | null }): Promise<string | null> {
  const [open] = await tx.select({ id: recoveryCases.id }).from(recoveryCases).where(and(eq(recoveryCases.ticketId, snap.id), isNull(recoveryCases.closedAt))).for('update');
  if (open) return null;
  const sups = await supervisorsFor(tx, snap.teamId);
  const id = uuidv7();
  // The case opens at the event's time (the clocks start then too).
  const ev = await recordTicketEvent(tx, ctx, snap, 'recovery.opened', { caseId: id, responseId: r.responseId, score: r.score, reasons: r.reasons });
  const now = ev.at;
  await tx.insert(recoveryCases).values({
    id, ticketId: snap.id, customerId: snap.customerId, responseId: r.responseId, state: 'open', supervisorId: sups.length === 1 ? sups[0]! : null,
    teamId: snap.teamId, score: r.score, reasons: r.reasons, steps: [{ step: 'opened', at: now.toISOString(), byId: null, byName: null, note: r.comment }], openedAt: now,
  });
  await writeAudit(tx, ctx, { action: 'recovery.opened', targetType: 'recovery_case', targetId: id, changes: diff(null, { ticketId: snap.id, ...r.score }) });
  const title = `${snap.number} 低分挽回：请 15 分钟内联系客户（${Object.entries(r.score).map(([k, v]) => `${k.toUpperCase()} ${v}`).join('，')}）`;
  const recipients = new Set([...sups, ...(snap.ownerId ? [snap.ownerId] : [])]);
  for (const rid of recipients) await notify(tx, { recipientId: rid, kind: 'recovery.opened', ticketId: snap.id, title, data: { caseId: id } });
  return id;
}

const STEP_EVENTS = { contact: 'recovery.contacted', solution: 'recovery.solution_proposed', revisit: 'recovery.revisited' } as const;
const STEP_STATE = { contact: 'contacted', solution: 'solution_proposed', revisit: 'revisited' } as const;
const STEP_AT = { contact: 'contactedAt', solution: 'solutionAt', revisit: 'revisitedAt' } as const;

async function lockCase(tx: Tx, ctx: Ctx, id: string): Promise<{ c: RecoveryRow; t: typeof tickets.$inferSelect }> {
  const [c] = await tx.select().from(recoveryCases).where(eq(recoveryCases.id, id)).for('update');
  if (!c) throw notFound('Recovery case');
  const t = await ticketsRepo.visibleById(tx, ctx.actor, c.ticketId);
  if (!t) throw notFound('Recovery case');
  return { c, t };
}

/** contact / solution / revisit: each a timeline event on the ticket that stops its recovery clock. */
export async function recoveryStep(database: Database, ctx: Ctx, id: string, step: keyof typeof STEP_EVENTS, note: string) {
  authorize(ctx.actor, 'loops.recover');
  return database.transaction(async (tx) => {
    const { c, t } = await lockCase(tx, ctx, id);
    if (c.closedAt) throw new AppError('conflict', 'This recovery case is closed');
    const now = new Date();
    const clean = note.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
    const byName = ctx.actor.kind === 'staff' ? ctx.actor.name : null;
    const steps = [...(c.steps as unknown[]), { step, at: now.toISOString(), byId: ctx.actor.id, byName, note: clean }];
    const order = ['open', 'contacted', 'solution_proposed', 'revisited'];
    const state = order.indexOf(STEP_STATE[step]) > order.indexOf(c.state) ? STEP_STATE[step] : c.state;
    const set: Partial<RecoveryRow> = { steps, state };
    if (!c[STEP_AT[step]]) set[STEP_AT[step]] = now;
    if (step === 'contact' && !c.supervisorId && ctx.actor.kind === 'staff') set.supervisorId = ctx.actor.id;
    const [after] = await tx.update(recoveryCases).set(set).where(eq(recoveryCases.id, id)).returning();
    await recordTicketEvent(tx, ctx, await ticketsRepo.snapshot(tx, t), STEP_EVENTS[step], { caseId: id, note: clean });
    await writeAudit(tx, ctx, { action: STEP_EVENTS[step], targetType: 'recovery_case', targetId: id, changes: diff({ state: c.state }, { state: after!.state }) });
    return presentCase(tx, after!, t);
  });
}

/** Close with the customer's outcome (required), optionally inviting the customer to a new survey. */
export async function closeRecovery(database: Database, ctx: Ctx, id: string, input: { outcome: 'recovered' | 'not_recovered'; note?: string | undefined; sendSurvey?: boolean | undefined }) {
  authorize(ctx.actor, 'loops.recover');
  return database.transaction(async (tx) => {
    const { c, t } = await lockCase(tx, ctx, id);
    if (c.closedAt) throw new AppError('conflict', 'This recovery case is already closed');
    const now = new Date();
    const note = (input.note ?? '').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
    const steps = [...(c.steps as unknown[]), { step: 'closed', at: now.toISOString(), byId: ctx.actor.id, byName: ctx.actor.kind === 'staff' ? ctx.actor.name : null, note, outcome: input.outcome }];
    const snap = await ticketsRepo.snapshot(tx, t);
    let followUp: string | null = null;
    if (input.sendSurvey) {
      const { createInvitation, ensureDefaultTemplate } = await import('../surveys/surveys.commands');
      await ensureDefaultTemplate(tx);
      const [tpl] = await tx.select().from(surveyTemplates).where(eq(surveyTemplates.active, true)).orderBy(surveyTemplates.createdAt).limit(1);
      if (tpl) followUp = (await createInvitation(tx, snap, tpl, 'recovery.closed', now, 0, id)).id;
    }
    const [after] = await tx.update(recoveryCases).set({ state: 'closed', outcome: input.outcome, closedAt: now, steps, followUpInvitationId: followUp }).where(eq(recoveryCases.id, id)).returning();
    await recordTicketEvent(tx, ctx, snap, 'recovery.closed', { caseId: id, outcome: input.outcome, note, followUpSurveyId: followUp });
    await writeAudit(tx, ctx, { action: 'recovery.closed', targetType: 'recovery_case', targetId: id, changes: diff({ state: c.state, outcome: null }, { state: 'closed', outcome: input.outcome }) });
    return presentCase(tx, after!, t);
  });
}

/** The recovery clocks of a case: clocks on its ticket of standards that start on `recovery.opened`, started since it opened. */
async function caseStandards(ex: Tx | Database['db'], c: RecoveryRow) {
  const all = await standardsForTicket(ex, c.ticketId);
  const rows = await ex.select({ id: standards.id, def: standardVersions.definition }).from(standards).innerJoin(standardVersions, eq(standardVersions.id, standards.currentVersionId));
  const recoveryStd = new Set(rows.filter((r) => ((r.def as { start?: string[] }).start ?? []).includes('recovery.opened')).map((r) => r.id));
  const end = c.closedAt ? c.closedAt.getTime() : Infinity;
  return all.filter((s) => recoveryStd.has(s.standardId) && Date.parse(s.startedAt) >= c.openedAt.getTime() && Date.parse(s.startedAt) <= end)
    .sort((a, b) => a.limitSeconds - b.limitSeconds);
}

export async function presentCase(ex: Tx | Database['db'], c: RecoveryRow, t?: typeof tickets.$inferSelect, extra: { customerName?: string | null; supervisorName?: string | null } = {}) {
  const stds = await caseStandards(ex, c);
  return {
    id: c.id, ticketId: c.ticketId, ticketNumber: t?.number ?? null, ticketSubject: t?.subject ?? null, customerId: c.customerId,
    customerName: extra.customerName ?? null, state: c.state, outcome: c.outcome, supervisorId: c.supervisorId, supervisorName: extra.supervisorName ?? null,
    score: c.score as Record<string, number>, reasons: c.reasons, steps: c.steps as unknown[], followUpSurveyId: c.followUpInvitationId,
    openedAt: c.openedAt.toISOString(), contactedAt: iso(c.contactedAt), solutionAt: iso(c.solutionAt), revisitedAt: iso(c.revisitedAt), closedAt: iso(c.closedAt),
    standards: stds, overdue: stds.some((s) => s.state === 'breached' && !s.endedAt) || stds.some((s) => s.state === 'breached' && c.closedAt === null),
  };
}

/** GET /tickets/{id}/recovery (contract): the ticket's latest recovery case with its clocks. */
export async function ticketRecovery(database: Database, ctx: Ctx, ticketId: string) {
  authorize(ctx.actor, 'tickets.work');
  const t = await ticketsRepo.visibleById(database.db, ctx.actor, ticketId);
  if (!t) throw notFound('Ticket');
  const [c] = await database.db.select().from(recoveryCases).where(eq(recoveryCases.ticketId, ticketId)).orderBy(desc(recoveryCases.openedAt)).limit(1);
  if (!c) throw notFound('Recovery case');
  return presentCase(database.db, c, t);
}

/** The recovery board: cases by state, newest first (only tickets the caller may see). */
export async function listRecovery(database: Database, ctx: Ctx, q: { state?: 'open' | 'closed' | 'all' | undefined; limit: number; cursor?: string | undefined }) {
  authorize(ctx.actor, 'loops.recover');
  const v = ticketVisibilityScope(ctx.actor);
  const cond = q.state === 'closed' ? sql`${recoveryCases.closedAt} IS NOT NULL` : q.state === 'all' ? sql`true` : isNull(recoveryCases.closedAt);
  const conds = [cond, ...(v ? [v] : []), ...(q.cursor ? [lt(recoveryCases.id, q.cursor)] : [])];
  const rows = await database.db.select({ c: recoveryCases, t: tickets, customerName: customers.name, supervisorName: staff.name }).from(recoveryCases)
    .innerJoin(tickets, eq(tickets.id, recoveryCases.ticketId)).leftJoin(customers, eq(customers.id, recoveryCases.customerId)).leftJoin(staff, eq(staff.id, recoveryCases.supervisorId))
    .where(and(...conds)).orderBy(desc(recoveryCases.id)).limit(q.limit + 1);
  void can;
  const page = rows.slice(0, q.limit);
  return {
    items: await Promise.all(page.map((r) => presentCase(database.db, r.c, r.t, { customerName: r.customerName, supervisorName: r.supervisorName }))),
    nextCursor: rows.length > q.limit ? page[page.length - 1]!.c.id : null,
  };
}
