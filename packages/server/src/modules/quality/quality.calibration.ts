/**
 * Calibration sessions (校准, issue #15 item 6). A QA lead (qa.manage) picks a scorecard version, 1–10 tickets and
 * 2+ inspectors (QA or supervisors) with a due date. Each inspector scores every ticket item by item, BLIND: while
 * the session is open nobody — the lead included — sees anyone else's scores, only how many tickets each has scored.
 * The session closes when the last inspector has scored the last ticket, or when the lead closes it; then the
 * results (calibration.ts) are shown to everyone with qa.view, and its agreement figures are stored for the
 * agreement-over-time list.
 */
import type { Database, Executor } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Actor, Ctx } from '../../lib/context';
import { AppError, conflict, forbidden, invalid, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { authorize, can, requireStaff } from '../identity/policy';
import { ticketsRepo } from '../tickets/tickets.repo';
import { calibrationResult, type ReferenceGrid, type ScoreGrid } from './calibration';
import { calibrationRepo, type CalibrationRow } from './quality.calibration.repo';
import { qualityRepo } from './quality.repo';
import { checkScores, type ItemScore, type ScorecardItem } from './scorecard';

/** Who may be an inspector of a session. */
export const CALIBRATION_ROLES = ['qa', 'supervisor'];

type StoredScores = { item: string; score: number | null }[];

function abilities(actor: Actor, row: CalibrationRow) {
  const me = actor.kind === 'staff' ? actor.id : null;
  const open = row.state === 'open';
  const inspector = me !== null && row.inspectorIds.includes(me);
  return {
    score: open && inspector,
    close: open && can(actor, 'qa.manage'),
    // Blind: while open, references are the business of a lead who is not scoring the session.
    reference: can(actor, 'qa.manage') && !(open && inspector),
  };
}

async function presentSummaries(ex: Executor, actor: Actor, rows: CalibrationRow[]) {
  const people = await qualityRepo.staffNames(ex, [...new Set(rows.flatMap((r) => [...r.inspectorIds, r.createdBy]))]);
  const tickets = await qualityRepo.ticketNumbers(ex, [...new Set(rows.flatMap((r) => r.ticketIds))]);
  const progress = await calibrationRepo.progress(
    ex,
    rows.map((r) => r.id),
  );
  const cards = new Map<string, string>();
  for (const id of new Set(rows.map((r) => r.scorecardId))) cards.set(id, (await qualityRepo.scorecardById(ex, id))?.name ?? '');
  const person = (id: string) => ({ id, name: people.get(id)?.name ?? '', employeeNo: people.get(id)?.employeeNo ?? '' });
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    scorecardId: r.scorecardId,
    scorecardName: cards.get(r.scorecardId) ?? '',
    scorecardVersion: r.scorecardVersion,
    state: r.state as 'open' | 'closed',
    dueAt: r.dueAt.toISOString(),
    tickets: r.ticketIds.map((id) => ({ id, number: tickets.get(id)?.number ?? '', subject: tickets.get(id)?.subject ?? '' })),
    inspectors: r.inspectorIds.map((id) => ({ ...person(id), scored: progress.get(r.id)?.get(id) ?? 0 })),
    createdBy: person(r.createdBy),
    closedAt: r.closedAt?.toISOString() ?? null,
    agreementMad: r.agreementMad,
    agreementIcc: r.agreementIcc,
    createdAt: r.createdAt.toISOString(),
    allowed: abilities(actor, r),
  }));
}

async function versionOf(ex: Executor, row: CalibrationRow) {
  const v = await qualityRepo.scorecardVersion(ex, row.scorecardId, row.scorecardVersion);
  if (!v) throw notFound('Scorecard version');
  return { items: v.items as ScorecardItem[], passMark: v.passMark };
}

/** The results of a session from its stored scores and references (whatever its state: callers decide who sees them). */
async function resultsOf(ex: Executor, row: CalibrationRow) {
  const { items, passMark } = await versionOf(ex, row);
  const grid: ScoreGrid = new Map();
  for (const s of await calibrationRepo.scores(ex, row.id)) {
    if (!grid.has(s.ticketId)) grid.set(s.ticketId, new Map());
    grid.get(s.ticketId)!.set(s.inspectorId, new Map((s.scores as StoredScores).map((x) => [x.item, x.score])));
  }
  const refs: ReferenceGrid = new Map();
  for (const r of await calibrationRepo.references(ex, row.id)) refs.set(r.ticketId, new Map((r.scores as StoredScores).map((x) => [x.item, x.score])));
  return calibrationResult(items, passMark, row.ticketIds, row.inspectorIds, grid, refs);
}

async function presentOne(ex: Executor, actor: Actor, row: CalibrationRow) {
  const [summary] = await presentSummaries(ex, actor, [row]);
  const { items, passMark } = await versionOf(ex, row);
  const me = actor.kind === 'staff' ? actor.id : null;
  const mine = me ? await calibrationRepo.scores(ex, row.id, me) : [];
  const closed = row.state === 'closed';
  // Blind: until the session closes, references are shown only to leads who do not score it (an inspector could copy them).
  const references = closed || abilities(actor, row).reference ? await calibrationRepo.references(ex, row.id) : [];
  return {
    ...summary!,
    items,
    passMark,
    mine: mine.map((s) => ({ ticketId: s.ticketId, scores: s.scores as StoredScores })),
    references: references.map((r) => ({ ticketId: r.ticketId, scores: r.scores as StoredScores })),
    results: closed ? await resultsOf(ex, row) : null,
  };
}

function checkedScores(items: readonly ScorecardItem[], scores: readonly ItemScore[]): StoredScores {
  const problems = checkScores(items, scores);
  if (problems.length) throw new AppError('validation_failed', problems.map((p) => `${p.path}: ${p.message}`).join('; '), { errors: problems });
  // Stored in scorecard order, one per item.
  const by = new Map(scores.map((s) => [s.item, s.score]));
  return items.map((it) => ({ item: it.key, score: by.get(it.key) ?? null }));
}

export async function listCalibrations(database: Database, ctx: Ctx, q: { state?: 'open' | 'closed' | undefined; limit: number }) {
  authorize(ctx.actor, 'qa.view');
  const lead = can(ctx.actor, 'qa.manage');
  // Every holder of qa.view sees every session's summary: progress counts, never a score before it closes.
  const rows = await calibrationRepo.list(database.db, { state: q.state, limit: q.limit });
  const candidates = lead
    ? (await qualityRepo.staffWithRoles(database.db, CALIBRATION_ROLES)).map(({ id, name, employeeNo }) => ({ id, name, employeeNo }))
    : [];
  return { items: await presentSummaries(database.db, ctx.actor, rows), candidates };
}

export async function getCalibration(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'qa.view');
  const row = await calibrationRepo.byId(database.db, id);
  if (!row) throw notFound('Calibration session');
  return presentOne(database.db, ctx.actor, row);
}

export async function createCalibration(
  database: Database,
  ctx: Ctx,
  input: { name: string; scorecardId: string; ticketIds: string[]; inspectorIds: string[]; dueAt: string },
) {
  authorize(ctx.actor, 'qa.manage');
  const me = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const card = await qualityRepo.scorecardById(tx, input.scorecardId);
    if (!card) throw invalid('scorecardId', 'no such scorecard');
    if (!card.active) throw conflict('qa_scorecard_inactive', 'The scorecard is retired');
    const eligible = new Set((await qualityRepo.staffWithRoles(tx, CALIBRATION_ROLES)).map((s) => s.id));
    input.inspectorIds.forEach((sid, i) => {
      if (!eligible.has(sid)) throw invalid(`inspectorIds.${i}`, 'not an active QA inspector or supervisor');
    });
    for (const [i, ticketId] of input.ticketIds.entries()) {
      const ticket = await ticketsRepo.visibleById(tx, ctx.actor, ticketId);
      if (!ticket) throw invalid(`ticketIds.${i}`, 'no such ticket');
      // Nobody calibrates on their own work.
      const workers = new Set([...(ticket.ownerId ? [ticket.ownerId] : []), ...(await qualityRepo.ticketWorkers(tx, ticket.id))]);
      const own = input.inspectorIds.findIndex((sid) => workers.has(sid));
      if (own >= 0) throw invalid(`inspectorIds.${own}`, `worked on ticket ${ticket.number}: an inspector never scores their own work`);
    }
    const dueAt = new Date(input.dueAt);
    if (dueAt.getTime() <= Date.now()) throw invalid('dueAt', 'must be in the future');
    const row = await calibrationRepo.insert(tx, {
      id: uuidv7(),
      name: input.name,
      scorecardId: card.id,
      scorecardVersion: card.version,
      ticketIds: input.ticketIds,
      inspectorIds: input.inspectorIds,
      dueAt,
      createdBy: me.id,
    });
    await writeAudit(tx, ctx, {
      action: 'qa.calibration_created',
      targetType: 'qa_calibration',
      targetId: row.id,
      changes: diff(null, { name: row.name, scorecardVersion: card.version, tickets: input.ticketIds.length, inspectors: input.inspectorIds.length }),
    });
    return presentOne(tx, ctx.actor, row);
  });
}

async function closeIn(tx: Executor, ctx: Ctx, row: CalibrationRow, by: string | null) {
  const results = await resultsOf(tx, row);
  const closed = await calibrationRepo.update(tx, row.id, {
    state: 'closed',
    closedAt: new Date(),
    closedBy: by,
    agreementMad: results.mad,
    agreementIcc: results.icc,
  });
  await writeAudit(tx, ctx, {
    action: 'qa.calibration_closed',
    targetType: 'qa_calibration',
    targetId: row.id,
    changes: diff({ state: 'open' }, { state: 'closed', mad: results.mad, icc: results.icc, auto: by === null }),
  });
  return closed;
}

/** An inspector of the session scores one ticket (again, while open: replaces). The last missing score closes it. */
export async function scoreCalibration(database: Database, ctx: Ctx, id: string, input: { ticketId: string; scores: ItemScore[] }) {
  authorize(ctx.actor, 'qa.view');
  const me = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    let row = await calibrationRepo.byId(tx, id, true);
    if (!row) throw notFound('Calibration session');
    if (!row.inspectorIds.includes(me.id)) throw forbidden('Only the inspectors of the session score it');
    if (row.state !== 'open') throw conflict('qa_calibration_closed', 'The calibration session is closed');
    if (!row.ticketIds.includes(input.ticketId)) throw invalid('ticketId', 'not a ticket of this session');
    const { items } = await versionOf(tx, row);
    const scores = checkedScores(items, input.scores);
    await calibrationRepo.upsertScore(tx, { calibrationId: id, ticketId: input.ticketId, inspectorId: me.id, scores, submittedAt: new Date() });
    await writeAudit(tx, ctx, {
      action: 'qa.calibration_scored',
      targetType: 'qa_calibration',
      targetId: id,
      changes: diff(null, { ticketId: input.ticketId }),
    });
    if ((await calibrationRepo.countScores(tx, id)) === row.ticketIds.length * row.inspectorIds.length) row = await closeIn(tx, ctx, row, null);
    return presentOne(tx, ctx.actor, row);
  });
}

/** The lead closes the session early (whoever has not scored a ticket is left out of that ticket's figures). */
export async function closeCalibration(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'qa.manage');
  const me = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const row = await calibrationRepo.byId(tx, id, true);
    if (!row) throw notFound('Calibration session');
    if (row.state !== 'open') throw conflict('qa_calibration_closed', 'The calibration session is closed');
    return presentOne(tx, ctx.actor, await closeIn(tx, ctx, row, me.id));
  });
}

/** The lead's reference scores of a ticket (null removes them): the consensus of that ticket becomes them. */
export async function setCalibrationReference(database: Database, ctx: Ctx, id: string, input: { ticketId: string; scores: ItemScore[] | null }) {
  authorize(ctx.actor, 'qa.manage');
  const me = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    let row = await calibrationRepo.byId(tx, id, true);
    if (!row) throw notFound('Calibration session');
    if (!abilities(ctx.actor, row).reference) throw forbidden('An inspector sets no reference scores while the session is open');
    if (!row.ticketIds.includes(input.ticketId)) throw invalid('ticketId', 'not a ticket of this session');
    if (input.scores === null) await calibrationRepo.deleteReference(tx, id, input.ticketId);
    else {
      const { items } = await versionOf(tx, row);
      const scores = checkedScores(items, input.scores);
      await calibrationRepo.upsertReference(tx, { calibrationId: id, ticketId: input.ticketId, scores, setBy: me.id, setAt: new Date() });
    }
    if (row.state === 'closed') {
      const results = await resultsOf(tx, row);
      row = await calibrationRepo.update(tx, id, { agreementMad: results.mad, agreementIcc: results.icc });
    }
    await writeAudit(tx, ctx, {
      action: 'qa.calibration_reference',
      targetType: 'qa_calibration',
      targetId: id,
      changes: diff(null, { ticketId: input.ticketId, removed: input.scores === null }),
    });
    return presentOne(tx, ctx.actor, row);
  });
}

/** Agreement over time: the closed sessions, newest first, with their figures (for the dashboard). */
export async function calibrationAgreement(database: Database, ctx: Ctx, limit = 100) {
  authorize(ctx.actor, 'qa.view');
  const rows = await calibrationRepo.closed(database.db, limit);
  return {
    items: rows.map((r) => ({
      id: r.id,
      name: r.name,
      closedAt: r.closedAt!.toISOString(),
      mad: r.agreementMad,
      icc: r.agreementIcc,
      inspectors: r.inspectorIds.length,
      tickets: r.ticketIds.length,
    })),
  };
}
