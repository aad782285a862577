/** Scorecards, manual inspections and appeals (issue #15 items 1, 4, 5). */
import type { Database, Executor, Tx } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, conflict, notFound, type FieldError } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { notify } from '../../lib/notify';
import { authorize, can, requireStaff } from '../identity/policy';
import { recordTicketEvent } from '../tickets/ticket-events';
import { ticketsRepo } from '../tickets/tickets.repo';
import { businessDaysAfter, orgCalendar } from './quality.calendar';
import { openCoachingTask } from './quality.coaching';
import { canReadInspection, canRuleAppeal, inspectionAbilities, qaScope } from './quality.policy';
import { presentAppeal, presentInspection, presentScorecard, type StoredScore } from './quality.present';
import { qualityRepo, type AppealRow, type InspectionRow } from './quality.repo';
import { qualityStatsRepo } from './quality.stats.repo';
import type { InspectionSubmitInput, ScorecardCreateInput, ScorecardPatchInput } from './quality.schema';
import { checkScores, SCORECARD_TEMPLATES, scoreOf, type ScorecardItem } from './scorecard';

export const APPEAL_WINDOW_KEY = 'quality.appeal_window_days';
const DEFAULT_APPEAL_DAYS = 3;

const validation = (errors: FieldError[]) => new AppError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });

// ── scorecards ──

export async function listScorecards(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'qa.view');
  return { items: (await qualityRepo.listScorecards(database.db)).map(presentScorecard) };
}

export async function getScorecard(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'qa.view');
  const row = await qualityRepo.scorecardById(database.db, id);
  if (!row) throw notFound('Scorecard');
  return presentScorecard(row);
}

export async function listTemplates(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'qa.manage');
  const adopted = new Set(await qualityRepo.templateKeysAdopted(database.db));
  return { items: SCORECARD_TEMPLATES.map((t) => ({ ...t, adopted: adopted.has(t.key) })) };
}

async function insertScorecard(tx: Executor, ctx: Ctx, input: ScorecardCreateInput, templateKey: string | null) {
  const row = await qualityRepo.insertScorecard(tx, {
    id: uuidv7(),
    templateKey,
    name: input.name,
    channel: input.channel ?? null,
    passMark: input.passMark,
    items: input.items,
    createdBy: ctx.actor.id,
  });
  await writeAudit(tx, ctx, {
    action: 'qa.scorecard_created',
    targetType: 'qa_scorecard',
    targetId: row.id,
    changes: diff(null, { name: row.name, templateKey }),
  });
  return presentScorecard(row);
}

export async function createScorecard(database: Database, ctx: Ctx, input: ScorecardCreateInput) {
  authorize(ctx.actor, 'qa.manage');
  return database.transaction((tx) => insertScorecard(tx, ctx, input, null));
}

export async function adoptTemplate(database: Database, ctx: Ctx, key: string) {
  authorize(ctx.actor, 'qa.manage');
  const t = SCORECARD_TEMPLATES.find((x) => x.key === key);
  if (!t) throw notFound('Scorecard template');
  return database.transaction((tx) => insertScorecard(tx, ctx, { name: t.name, channel: t.channel as never, passMark: t.passMark, items: t.items }, t.key));
}

/** A change is a new version; inspections already started keep the version they started with. */
export async function patchScorecard(database: Database, ctx: Ctx, id: string, input: ScorecardPatchInput) {
  authorize(ctx.actor, 'qa.manage');
  return database.transaction(async (tx) => {
    const before = await qualityRepo.scorecardById(tx, id, true);
    if (!before) throw notFound('Scorecard');
    const set = {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.channel !== undefined ? { channel: input.channel } : {}),
      ...(input.passMark !== undefined ? { passMark: input.passMark } : {}),
      ...(input.items !== undefined ? { items: input.items } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
    };
    const row = await qualityRepo.updateScorecard(tx, id, set);
    await writeAudit(tx, ctx, {
      action: 'qa.scorecard_changed',
      targetType: 'qa_scorecard',
      targetId: id,
      changes: diff(
        { name: before.name, passMark: before.passMark, version: before.version },
        { name: row.name, passMark: row.passMark, version: row.version },
      ),
    });
    return presentScorecard(row);
  });
}

// ── inspections ──

export async function appealWindowDays(ex: Executor): Promise<number> {
  const v = await qualityRepo.setting(ex, APPEAL_WINDOW_KEY);
  return typeof v === 'number' && v > 0 ? v : DEFAULT_APPEAL_DAYS;
}

async function appealDeadlineOf(ex: Executor, row: InspectionRow): Promise<Date | null> {
  if (!row.submittedAt) return null;
  return businessDaysAfter(await orgCalendar(ex), row.submittedAt, await appealWindowDays(ex));
}

async function present(ex: Executor, ctx: Ctx, row: InspectionRow) {
  const [version, appeal, people, numbers, deadline] = await Promise.all([
    qualityRepo.scorecardVersion(ex, row.scorecardId, row.scorecardVersion),
    qualityRepo.appealOf(ex, row.id),
    qualityRepo.staffNames(ex, [row.agentId, row.inspectorId]),
    qualityRepo.ticketNumbers(ex, [row.ticketId]),
    appealDeadlineOf(ex, row),
  ]);
  if (appeal?.ruledBy && !people.has(appeal.ruledBy)) for (const [k, v] of await qualityRepo.staffNames(ex, [appeal.ruledBy])) people.set(k, v);
  const allowed = inspectionAbilities(ctx.actor, row, appeal ?? null, deadline);
  const clocks = appeal ? await qualityStatsRepo.rulingClocks(ex, [row.ticketId]) : [];
  return presentInspection(row, version!, people, numbers.get(row.ticketId) ?? { number: '', subject: '' }, appeal ?? null, deadline, allowed, clocks);
}

/** Open a draft: the ticket's owner is the inspected agent; an inspector never inspects their own work. */
export async function createInspection(database: Database, ctx: Ctx, input: { ticketId: string; scorecardId: string }) {
  authorize(ctx.actor, 'qa.inspect');
  const me = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const ticket = await ticketsRepo.visibleById(tx, ctx.actor, input.ticketId);
    if (!ticket) throw notFound('Ticket');
    const card = await qualityRepo.scorecardById(tx, input.scorecardId);
    if (!card) throw notFound('Scorecard');
    if (!card.active) throw conflict('qa_scorecard_inactive', 'The scorecard is retired');
    if (!ticket.ownerId) throw conflict('qa_no_agent', 'The ticket has no owner to inspect');
    if (ticket.ownerId === me.id || (await qualityRepo.ticketWorkers(tx, ticket.id)).includes(me.id))
      throw conflict('qa_own_work', 'An inspector never inspects their own work');
    const row = await qualityRepo.insertInspection(tx, {
      id: uuidv7(),
      ticketId: ticket.id,
      agentId: ticket.ownerId,
      inspectorId: me.id,
      scorecardId: card.id,
      scorecardVersion: card.version,
      state: 'draft',
    });
    await writeAudit(tx, ctx, {
      action: 'qa.inspection_opened',
      targetType: 'qa_inspection',
      targetId: row.id,
      changes: diff(null, { ticketId: ticket.id, scorecardVersion: card.version }),
    });
    return { id: row.id, state: 'draft' as const };
  });
}

export async function getInspection(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'qa.own');
  const row = await qualityRepo.inspectionById(database.db, id);
  if (!row || !canReadInspection(ctx.actor, row)) throw notFound('Inspection');
  // A supervisor reads the inspections of their teams' agents (and their own, as agent or inspector): qaScope.
  const me = requireStaff(ctx.actor);
  if (row.agentId !== me.id && row.inspectorId !== me.id && !(await qualityRepo.agentInScope(database.db, qaScope(ctx.actor), row.agentId)))
    throw notFound('Inspection');
  return present(database.db, ctx, row);
}

export async function listInspections(
  database: Database,
  ctx: Ctx,
  q: { mine?: 'agent' | 'inspector' | undefined; agentId?: string | undefined; ticketId?: string | undefined; limit: number },
) {
  authorize(ctx.actor, 'qa.own');
  const me = requireStaff(ctx.actor);
  const all = can(ctx.actor, 'qa.view');
  // Without qa.view an agent sees only inspections of their own work (or done by them).
  const agentId = q.mine === 'agent' || (!all && q.mine !== 'inspector') ? me.id : q.agentId;
  const inspectorId = q.mine === 'inspector' ? me.id : undefined;
  if (!all && q.agentId && q.agentId !== me.id) return { items: [] };
  // With qa.view: every agent's (qa, directors) or the supervised teams' agents' (supervisors), besides one's own inspections.
  const scope = all && q.mine !== 'inspector' ? qaScope(ctx.actor) : undefined;
  const rows = await qualityRepo.listInspections(database.db, { agentId, inspectorId, ticketId: q.ticketId, scope, limit: q.limit });
  const items = [];
  for (const r of rows) if (canReadInspection(ctx.actor, r)) items.push(await present(database.db, ctx, r));
  return { items };
}

async function lockForInspector(tx: Tx, ctx: Ctx, id: string) {
  const row = await qualityRepo.inspectionById(tx, id, true);
  if (!row || !canReadInspection(ctx.actor, row)) throw notFound('Inspection');
  return row;
}

/** Evidence: a quoted span of one of the ticket's replies, or a pinned event of its timeline. */
async function checkEvidence(tx: Tx, ticketId: string, scores: InspectionSubmitInput['scores']): Promise<StoredScore[]> {
  const replies = new Map((await qualityRepo.ticketReplyIds(tx, ticketId)).map((r) => [r.id, r.body]));
  const eventIds = scores.flatMap((s) => (s.evidence && 'eventId' in s.evidence ? [s.evidence.eventId] : []));
  const events = new Set(await qualityRepo.ticketEventIds(tx, ticketId, eventIds));
  const errors: FieldError[] = [];
  const out = scores.map((s, i): StoredScore => {
    const base: StoredScore = { item: s.item, score: s.score, ...(s.note ? { note: s.note } : {}) };
    const e = s.evidence;
    if (!e) return base;
    if ('replyId' in e) {
      const body = replies.get(e.replyId);
      if (body === undefined) errors.push({ path: `scores.${i}.evidence.replyId`, message: 'not a reply of this ticket' });
      else if (e.end <= e.start || e.end > body.length)
        errors.push({ path: `scores.${i}.evidence.end`, message: `span must lie within the reply (0..${body.length})` });
      else return { ...base, evidence: { replyId: e.replyId, start: e.start, end: e.end, quote: body.slice(e.start, e.end) } };
      return base;
    }
    if (!events.has(e.eventId)) errors.push({ path: `scores.${i}.evidence.eventId`, message: 'not an event of this ticket' });
    return { ...base, evidence: { eventId: e.eventId } };
  });
  if (errors.length) throw validation(errors);
  return out;
}

export async function submitInspection(database: Database, ctx: Ctx, id: string, input: InspectionSubmitInput) {
  authorize(ctx.actor, 'qa.inspect');
  const me = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const row = await lockForInspector(tx, ctx, id);
    if (row.inspectorId !== me.id) throw conflict('qa_not_inspector', 'Only the inspector who opened the inspection submits it');
    if (row.state !== 'draft') throw conflict('qa_not_draft', 'The inspection was already submitted');
    const version = (await qualityRepo.scorecardVersion(tx, row.scorecardId, row.scorecardVersion))!;
    const items = version.items as ScorecardItem[];
    const problems = checkScores(items, input.scores);
    if (problems.length) throw validation(problems);
    const scores = await checkEvidence(tx, row.ticketId, input.scores);
    const result = scoreOf(items, input.scores, version.passMark);
    const now = new Date();
    await qualityRepo.updateInspection(tx, id, {
      state: 'submitted',
      scores,
      feedback: input.feedback,
      firstScore: result.score,
      score: result.score,
      passed: result.passed,
      submittedAt: now,
    });
    await qualityRepo.completeSample(tx, row.ticketId, me.id, id);
    await openCoachingTask(tx, row, items, input.scores);
    const ticket = (await ticketsRepo.byId(tx, row.ticketId))!;
    await recordTicketEvent(tx, ctx, await ticketsRepo.snapshot(tx, ticket), 'qa.inspected', { inspectionId: id, score: result.score, passed: result.passed });
    await notify(tx, {
      recipientId: row.agentId,
      kind: 'qa.inspected',
      ticketId: row.ticketId,
      title: { key: 'quality.notify.inspected', params: { number: ticket.number, score: result.score } },
      data: { inspectionId: id },
    });
    await writeAudit(tx, ctx, {
      action: 'qa.inspection_submitted',
      targetType: 'qa_inspection',
      targetId: id,
      changes: diff(null, { score: result.score, passed: result.passed }),
    });
    return { id, score: result.score, passed: result.passed, vetoed: result.vetoed };
  });
}

export async function acknowledgeInspection(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'qa.own');
  const me = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const row = await lockForInspector(tx, ctx, id);
    if (row.agentId !== me.id) throw conflict('qa_not_agent', 'Only the inspected agent acknowledges');
    if (row.state !== 'submitted') throw conflict('qa_not_submitted', 'Only a submitted inspection is acknowledged');
    const out = await qualityRepo.updateInspection(tx, id, { state: 'acknowledged', acknowledgedAt: new Date() });
    await writeAudit(tx, ctx, { action: 'qa.inspection_acknowledged', targetType: 'qa_inspection', targetId: id });
    return present(tx, ctx, out);
  });
}

// ── appeals ──

/** The inspected agent appeals within the window; the appeal is timed by the standards engine on the ticket. */
export async function fileAppeal(database: Database, ctx: Ctx, id: string, input: { reason: string }) {
  authorize(ctx.actor, 'qa.own');
  const me = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const row = await lockForInspector(tx, ctx, id);
    if (row.agentId !== me.id) throw conflict('qa_not_agent', 'Only the inspected agent appeals');
    if (row.state !== 'submitted' && row.state !== 'acknowledged') throw conflict('qa_not_appealable', 'This inspection cannot be appealed');
    if (await qualityRepo.appealOf(tx, id)) throw conflict('qa_already_appealed', 'The inspection was already appealed');
    const deadline = (await appealDeadlineOf(tx, row))!;
    if (Date.now() > deadline.getTime()) throw conflict('qa_appeal_window_closed', 'The appeal window has closed', { deadline: deadline.toISOString() });
    const appeal = await qualityRepo.insertAppeal(tx, {
      id: uuidv7(),
      inspectionId: id,
      ticketId: row.ticketId,
      agentId: me.id,
      reason: input.reason,
      state: 'open',
      scoreBefore: row.score ?? 0,
    });
    await qualityRepo.updateInspection(tx, id, { state: 'appealed' });
    const ticket = (await ticketsRepo.byId(tx, row.ticketId))!;
    await recordTicketEvent(tx, ctx, await ticketsRepo.snapshot(tx, ticket), 'qa.appeal_filed', { inspectionId: id, appealId: appeal.id });
    await writeAudit(tx, ctx, { action: 'qa.appeal_filed', targetType: 'qa_appeal', targetId: appeal.id, changes: diff(null, { inspectionId: id }) });
    return { appealId: appeal.id };
  });
}

export async function ruleAppeal(
  database: Database,
  ctx: Ctx,
  appealId: string,
  input: { decision: 'upheld' | 'revised'; score?: number | undefined; reason: string },
) {
  authorize(ctx.actor, 'qa.rule_appeals');
  return database.transaction(async (tx) => {
    const appeal = await qualityRepo.appealById(tx, appealId, true);
    if (!appeal) throw notFound('Appeal');
    const row = (await qualityRepo.inspectionById(tx, appeal.inspectionId, true))!;
    // A supervisor rules on their teams' appeals only (the scope they read them in: qaScope); another team's is not found.
    if (!(await qualityRepo.agentInScope(tx, qaScope(ctx.actor), row.agentId))) throw notFound('Appeal');
    const who = canRuleAppeal(ctx.actor, row);
    if (who === 'own_inspection') throw conflict('qa_rule_own_inspection', 'The original inspector cannot rule on the appeal');
    if (who === 'own_work') throw conflict('qa_own_work', 'Nobody rules on an appeal about their own work');
    if (who === 'forbidden') throw new AppError('forbidden', 'You may not rule on appeals');
    if (appeal.state !== 'open') throw conflict('qa_appeal_ruled', 'The appeal was already ruled');
    if (input.decision === 'revised' && input.score === undefined) throw validation([{ path: 'score', message: 'required when the decision is revised' }]);
    const scoreAfter = input.decision === 'revised' ? Math.round(input.score! * 10) / 10 : appeal.scoreBefore;
    const version = (await qualityRepo.scorecardVersion(tx, row.scorecardId, row.scorecardVersion))!;
    const now = new Date();
    const ruled: AppealRow = await qualityRepo.updateAppeal(tx, appealId, {
      state: input.decision,
      scoreAfter,
      rulingReason: input.reason,
      ruledBy: ctx.actor.id,
      ruledAt: now,
    });
    await qualityRepo.updateInspection(tx, row.id, { state: 'ruled', score: scoreAfter, passed: scoreAfter >= version.passMark && scoreAfter > 0 });
    const ticket = (await ticketsRepo.byId(tx, row.ticketId))!;
    await recordTicketEvent(tx, ctx, await ticketsRepo.snapshot(tx, ticket), 'qa.appeal_ruled', {
      inspectionId: row.id,
      appealId,
      decision: input.decision,
      scoreBefore: appeal.scoreBefore,
      scoreAfter,
    });
    await notify(tx, {
      recipientId: row.agentId,
      kind: 'qa.appeal_ruled',
      ticketId: row.ticketId,
      title: { key: 'quality.notify.appeal_ruled', params: { number: ticket.number, decision: { key: `quality.decision.${input.decision}` } } },
      data: { inspectionId: row.id, appealId },
    });
    await writeAudit(tx, ctx, {
      action: 'qa.appeal_ruled',
      targetType: 'qa_appeal',
      targetId: appealId,
      changes: diff({ score: appeal.scoreBefore }, { score: scoreAfter, decision: input.decision }),
    });
    const people = await qualityRepo.staffNames(tx, [ruled.agentId, ctx.actor.id!]);
    return presentAppeal(ruled, people, ticket.number);
  });
}

export async function listAppeals(database: Database, ctx: Ctx, q: { state?: 'open' | 'upheld' | 'revised' | undefined; limit: number }) {
  authorize(ctx.actor, 'qa.own');
  const me = requireStaff(ctx.actor);
  const all = can(ctx.actor, 'qa.view') || can(ctx.actor, 'qa.rule_appeals');
  const scope = all ? qaScope(ctx.actor) : undefined;
  const rows = await qualityRepo.listAppeals(database.db, { state: q.state, agentId: all ? undefined : me.id, scope, limit: q.limit });
  const people = await qualityRepo.staffNames(database.db, [...new Set(rows.flatMap((r) => [r.agentId, ...(r.ruledBy ? [r.ruledBy] : [])]))]);
  const ticketIds = [...new Set(rows.map((r) => r.ticketId))];
  const numbers = await qualityRepo.ticketNumbers(database.db, ticketIds);
  const clocks = await qualityStatsRepo.rulingClocks(database.db, ticketIds);
  return { items: rows.map((r) => presentAppeal(r, people, numbers.get(r.ticketId)?.number ?? '', clocks)) };
}
