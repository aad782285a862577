/**
 * Low-score recovery (低分挽回): a low answer opens a case on the original ticket; `recovery.opened` starts the
 * recovery standards (default templates: supervisor contact within 15 min, a solution within 48 h, a revisit within
 * a week — 24×7, editable like any standard). Each step is an event on the ticket's timeline that stops its clock;
 * the case closes only with the customer's outcome (recovered / not_recovered), optionally with a new survey.
 */
import type { Database, Executor, Tx } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import { systemCtx, type Ctx } from '../../lib/context';
import { notFound } from '../../lib/errors';
import { msg, t as text } from '../../i18n/index';
import { uuidv7 } from '../../lib/ids';
import { notify } from '../../lib/notify';
import { announceCatalogueChange, invalidateCatalogue } from '../../engine/engine';
import { authorize } from '../identity/policy';
import { buildDefinition, StandardFields } from '../standards/definition';
import { standardsForTicket } from '../standards/standards.repo';
import { STANDARD_TEMPLATES } from '../standards/templates';
import { recordTicketEvent, type TicketSnapshot } from '../tickets/ticket-events';
import { ticketsRepo } from '../tickets/tickets.repo';
import { createInvitation, defaultTemplate } from '../surveys/surveys.invitations';
import { assertRecoveryOpen } from './loops.policy';
import { presentRecovery } from './loops.present';
import { loopsRepo, type RecoveryRow, type TicketRow } from './loops.repo';

export const RECOVERY_TEMPLATE_KEYS = ['low-score-supervisor-15min', 'low-score-solution-48h', 'low-score-revisit-1-week'];
export type { RecoveryRow } from './loops.repo';

/**
 * The recovery standards come from the templates: adopted (active) the first time a low score arrives, unless a
 * standard with the template's code already exists — an admin's edit or deactivation is never undone.
 * Runs in its own transaction before the answer so the engine's catalogue sees committed standards.
 */
export async function ensureRecoveryStandards(database: Database): Promise<void> {
  const codes = RECOVERY_TEMPLATE_KEYS.map((k) => STANDARD_TEMPLATES.find((t) => t.key === k)!.code);
  const have = await loopsRepo.standardCodes(database.db, codes);
  if (have.length === codes.length) return;
  const ctx = systemCtx('loops');
  const created = await database.transaction(async (tx) => {
    let n = 0;
    for (const key of RECOVERY_TEMPLATE_KEYS) {
      const tpl = STANDARD_TEMPLATES.find((t) => t.key === key)!;
      const { def } = buildDefinition(StandardFields.parse(tpl.definition));
      const id = uuidv7();
      const versionId = uuidv7();
      const created = await loopsRepo.insertStandardIfAbsent(
        tx,
        { id, code: tpl.code, currentVersionId: versionId, currentVersion: 1, active: true, templateKey: tpl.key, createdBy: null },
        { id: versionId, standardId: id, version: 1, definition: def, createdBy: null },
      );
      if (!created) continue;
      await writeAudit(tx, ctx, {
        action: 'standard.created',
        targetType: 'standard',
        targetId: id,
        changes: diff(null, { code: tpl.code, templateKey: tpl.key, reason: '低分挽回首次启用' }),
      });
      n++;
    }
    if (n) await announceCatalogueChange(tx);
    return n;
  });
  if (created) invalidateCatalogue();
}

/** Who is told about a low score: the team's supervisor, else the team's supervisors, else every supervisor. */
async function supervisorsFor(tx: Tx, teamId: string | null): Promise<string[]> {
  if (teamId) {
    const sup = await loopsRepo.teamSupervisor(tx, teamId);
    if (sup) return [sup];
    const inTeam = await loopsRepo.activeStaffWithRole(tx, 'supervisor', teamId);
    if (inTeam.length) return inTeam;
  }
  return loopsRepo.activeStaffWithRole(tx, 'supervisor');
}

/** Open a recovery case for a low answer (inside the answer's transaction). One open case per ticket. */
export async function openRecoveryInTx(
  tx: Tx,
  ctx: Ctx,
  snap: TicketSnapshot,
  r: { responseId: string; score: Record<string, number>; reasons: string[]; comment: string | null },
): Promise<string | null> {
  if (await loopsRepo.lockOpenRecovery(tx, snap.id)) return null;
  const sups = await supervisorsFor(tx, snap.teamId);
  const id = uuidv7();
  // The case opens at the event's time (the clocks start then too).
  const ev = await recordTicketEvent(tx, ctx, snap, 'recovery.opened', { caseId: id, responseId: r.responseId, score: r.score, reasons: r.reasons });
  const now = ev.at;
  await loopsRepo.insertRecovery(tx, {
    id,
    ticketId: snap.id,
    customerId: snap.customerId,
    responseId: r.responseId,
    state: 'open',
    supervisorId: sups.length === 1 ? sups[0]! : null,
    teamId: snap.teamId,
    score: r.score,
    reasons: r.reasons,
    steps: [{ step: 'opened', at: now.toISOString(), byId: null, byName: null, note: r.comment }],
    openedAt: now,
  });
  await writeAudit(tx, ctx, { action: 'recovery.opened', targetType: 'recovery_case', targetId: id, changes: diff(null, { ticketId: snap.id, ...r.score }) });
  // Stored for its recipients: rendered in the default language, with the message for readers in another one.
  const title = msg('loops.recovery.opened.title', {
    number: snap.number,
    score: Object.entries(r.score)
      .map(([k, v]) => `${k.toUpperCase()} ${v}`)
      .join(', '),
  });
  const recipients = new Set([...sups, ...(snap.ownerId ? [snap.ownerId] : [])]);
  for (const rid of recipients)
    await notify(tx, {
      recipientId: rid,
      kind: 'recovery.opened',
      ticketId: snap.id,
      title: text(undefined, title.key, title.params),
      data: { caseId: id, message: title },
    });
  return id;
}

const STEP_EVENTS = { contact: 'recovery.contacted', solution: 'recovery.solution_proposed', revisit: 'recovery.revisited' } as const;
const STEP_STATE = { contact: 'contacted', solution: 'solution_proposed', revisit: 'revisited' } as const;
const STEP_AT = { contact: 'contactedAt', solution: 'solutionAt', revisit: 'revisitedAt' } as const;

async function lockCase(tx: Tx, ctx: Ctx, id: string): Promise<{ c: RecoveryRow; t: TicketRow }> {
  const c = await loopsRepo.lockRecovery(tx, id);
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
    assertRecoveryOpen(c);
    const now = new Date();
    const clean = note.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
    const byName = ctx.actor.kind === 'staff' ? ctx.actor.name : null;
    const steps = [...(c.steps as unknown[]), { step, at: now.toISOString(), byId: ctx.actor.id, byName, note: clean }];
    const order = ['open', 'contacted', 'solution_proposed', 'revisited'];
    const state = order.indexOf(STEP_STATE[step]) > order.indexOf(c.state) ? STEP_STATE[step] : c.state;
    const set: Partial<RecoveryRow> = { steps, state };
    if (!c[STEP_AT[step]]) set[STEP_AT[step]] = now;
    if (step === 'contact' && !c.supervisorId && ctx.actor.kind === 'staff') set.supervisorId = ctx.actor.id;
    const after = await loopsRepo.updateRecovery(tx, id, set);
    await recordTicketEvent(tx, ctx, await ticketsRepo.snapshot(tx, t), STEP_EVENTS[step], { caseId: id, note: clean });
    await writeAudit(tx, ctx, {
      action: STEP_EVENTS[step],
      targetType: 'recovery_case',
      targetId: id,
      changes: diff({ state: c.state }, { state: after.state }),
    });
    return presentCase(tx, after, t);
  });
}

/** Close with the customer's outcome (required), optionally inviting the customer to a new survey. */
export async function closeRecovery(
  database: Database,
  ctx: Ctx,
  id: string,
  input: { outcome: 'recovered' | 'not_recovered'; note?: string | undefined; sendSurvey?: boolean | undefined },
) {
  authorize(ctx.actor, 'loops.recover');
  return database.transaction(async (tx) => {
    const { c, t } = await lockCase(tx, ctx, id);
    assertRecoveryOpen(c);
    const now = new Date();
    const note = (input.note ?? '').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
    const steps = [
      ...(c.steps as unknown[]),
      { step: 'closed', at: now.toISOString(), byId: ctx.actor.id, byName: ctx.actor.kind === 'staff' ? ctx.actor.name : null, note, outcome: input.outcome },
    ];
    const snap = await ticketsRepo.snapshot(tx, t);
    let followUp: string | null = null;
    if (input.sendSurvey) {
      const tpl = await defaultTemplate(tx);
      if (tpl) followUp = (await createInvitation(tx, snap, tpl, 'recovery.closed', now, 0, id)).id;
    }
    const after = await loopsRepo.updateRecovery(tx, id, { state: 'closed', outcome: input.outcome, closedAt: now, steps, followUpInvitationId: followUp });
    await recordTicketEvent(tx, ctx, snap, 'recovery.closed', { caseId: id, outcome: input.outcome, note, followUpSurveyId: followUp });
    await writeAudit(tx, ctx, {
      action: 'recovery.closed',
      targetType: 'recovery_case',
      targetId: id,
      changes: diff({ state: c.state, outcome: null }, { state: 'closed', outcome: input.outcome }),
    });
    return presentCase(tx, after, t);
  });
}

/** The recovery clocks of a case: clocks on its ticket of standards that start on `recovery.opened`, started since it opened. */
async function caseStandards(ex: Executor, c: RecoveryRow) {
  const all = await standardsForTicket(ex, c.ticketId);
  const recoveryStd = await loopsRepo.recoveryStandardIds(ex);
  const end = c.closedAt ? c.closedAt.getTime() : Infinity;
  return all
    .filter((s) => recoveryStd.has(s.standardId) && Date.parse(s.startedAt) >= c.openedAt.getTime() && Date.parse(s.startedAt) <= end)
    .sort((a, b) => a.limitSeconds - b.limitSeconds);
}

/** A case with its recovery clocks. */
export async function presentCase(ex: Executor, c: RecoveryRow, t?: TicketRow, extra: { customerName?: string | null; supervisorName?: string | null } = {}) {
  return presentRecovery(c, await caseStandards(ex, c), t, extra);
}

/** GET /tickets/{id}/recovery (contract): the ticket's latest recovery case with its clocks. */
export async function ticketRecovery(database: Database, ctx: Ctx, ticketId: string) {
  authorize(ctx.actor, 'tickets.work');
  const t = await ticketsRepo.visibleById(database.db, ctx.actor, ticketId);
  if (!t) throw notFound('Ticket');
  const c = await loopsRepo.latestRecoveryOfTicket(database.db, ticketId);
  if (!c) throw notFound('Recovery case');
  return presentCase(database.db, c, t);
}

/** The recovery board: cases by state, newest first (only tickets the caller may see). */
export async function listRecovery(
  database: Database,
  ctx: Ctx,
  q: { state?: 'open' | 'closed' | 'all' | undefined; limit: number; cursor?: string | undefined },
) {
  authorize(ctx.actor, 'loops.recover');
  const rows = await loopsRepo.recoveryBoard(database.db, ctx.actor, q);
  const page = rows.slice(0, q.limit);
  return {
    items: await Promise.all(page.map((r) => presentCase(database.db, r.c, r.t, { customerName: r.customerName, supervisorName: r.supervisorName }))),
    nextCursor: rows.length > q.limit ? page[page.length - 1]!.c.id : null,
  };
}
