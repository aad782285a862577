/**
 * Compliance (标准执行率), breakdowns, the weighted failure index (SQI style) and improvement actions (一次性修正).
 * A clock counts in the period of its outcome (core `standardOutcome`): a failure from its breach instant, ended or
 * not; a success at its stop; rate = met / (met + breached). Soft and measured standards are judged from survey
 * answers or a measures rate (standards.compliance.judge.ts).
 */
import type { Database, Executor } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { invalid, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { allDayCalendar } from '../calendars/calendar-cache';
import { authorize } from '../identity/policy';
import type { StandardDefinition } from './definition';
import { complianceRepo, type BreakdownBy, type CountRow, type Filters, type ImprovementRow } from './standards.compliance.repo';
import { dayBound, parseRange, zoneOf } from './standards.period';
import { judge } from './standards.compliance.judge';
import { presentImprovement } from './standards.present';
import { standardsRepo } from './standards.repo';

export { parseRange } from './standards.period';

const DAY_MS = 86_400_000;
export const SQI_DEFAULT_WEIGHTS = { breach_same_day: 1, breach_later_day: 3, escalation: 2 };
type Weights = typeof SQI_DEFAULT_WEIGHTS;

export interface Counts {
  met: number;
  breached: number;
  running: number;
  cancelled: number;
  rate: number | null;
}
const rateOf = (met: number, breached: number) => (met + breached > 0 ? met / (met + breached) : null);
const toCounts = (r: CountRow | undefined): Counts => {
  const met = Number(r?.met ?? 0);
  const breached = Number(r?.breached ?? 0);
  return { met, breached, running: Number(r?.running ?? 0), cancelled: Number(r?.cancelled ?? 0), rate: rateOf(met, breached) };
};

export async function countsFor(ex: Executor, standardId: string | null, from: Date, to: Date, f: Filters = {}): Promise<Counts> {
  return toCounts(await complianceRepo.counts(ex, standardId, from, to, f));
}

async function standardOrThrow(database: Database, id: string) {
  const row = await standardsRepo.byId(database.db, id);
  if (!row) throw notFound('Standard');
  return { row: row.s, def: row.v.definition as StandardDefinition };
}

export async function compliance(
  database: Database,
  ctx: Ctx,
  id: string,
  q: Filters & { from?: string | undefined; to?: string | undefined; tz?: string | undefined },
) {
  authorize(ctx.actor, 'standards.compliance');
  const { row, def } = await standardOrThrow(database, id);
  const { from, to, tz } = parseRange(q);
  const c = await countsFor(database.db, id, from, to, q);
  const j = await judge(database.db, def, from, to, tz, q);
  return {
    standardId: id,
    code: row.code,
    name: def.name,
    target: def.target,
    measure: def.measure,
    ...c,
    meetsTarget: j.met !== undefined ? j.met : c.rate === null ? null : c.rate >= def.target,
    soft: j.soft,
    measured: j.measured,
    audit: j.audit,
    from: from.toISOString(),
    to: to.toISOString(),
  };
}

export async function breakdown(
  database: Database,
  ctx: Ctx,
  id: string,
  q: { by: string; from?: string | undefined; to?: string | undefined; tz?: string | undefined },
) {
  authorize(ctx.actor, 'standards.compliance');
  const { def } = await standardOrThrow(database, id);
  const { from, to, tz } = parseRange(q);
  const rows = await complianceRepo.breakdown(database.db, id, q.by as BreakdownBy, from, to, tz);
  return {
    standardId: id,
    by: q.by,
    target: def.target,
    from: from.toISOString(),
    to: to.toISOString(),
    items: rows.map((r) => ({ key: r.key, label: r.label ?? r.key, ...toCounts(r) })),
  };
}

/**
 * Standard execution rate over every hard timed standard (for the measures summary) plus per-standard rows; soft and
 * measured standards follow with their judgement (they have no clocks and do not enter the overall rate).
 */
export async function complianceSummary(ex: Executor, from: Date, to: Date, tz = zoneOf(undefined)) {
  const rows = await complianceRepo.countsByStandard(ex, from, to);
  const current = await complianceRepo.currentDefinitions(ex);
  const defs = new Map(current.map((c) => [c.id, c.definition as StandardDefinition]));
  const items = rows.map((r) => {
    const c = toCounts(r);
    const def = defs.get(r.standard_id);
    const target = def?.target ?? 0.95;
    return {
      standardId: r.standard_id,
      code: r.code,
      name: def?.name ?? r.code,
      target,
      measure: def?.measure ?? 'timer',
      ...c,
      meetsTarget: c.rate === null ? null : c.rate >= target,
      soft: null,
      measured: null,
      audit: null,
    };
  });
  const judged = [];
  for (const s of await complianceRepo.activeCodes(ex)) {
    const def = defs.get(s.id);
    if (!def || (def.measure !== 'survey' && def.measure !== 'operating_data' && def.measure !== 'audit')) continue;
    const j = await judge(ex, def, from, to, tz);
    if (!j.soft && !j.measured && !j.audit) continue;
    judged.push({
      standardId: s.id,
      code: s.code,
      name: def.name,
      target: def.target,
      measure: def.measure,
      ...toCounts(undefined),
      meetsTarget: j.met ?? null,
      soft: j.soft,
      measured: j.measured,
      audit: j.audit,
    });
  }
  const sum = (k: 'met' | 'breached' | 'running' | 'cancelled') => items.reduce((a, i) => a + i[k], 0);
  const overall = {
    met: sum('met'),
    breached: sum('breached'),
    running: sum('running'),
    cancelled: sum('cancelled'),
    rate: rateOf(sum('met'), sum('breached')),
  };
  return { from: from.toISOString(), to: to.toISOString(), overall, items: [...items, ...judged] };
}

/** For the measures module: share of encounters that met their hard standard in [from, to). */
export async function standardExecutionRate(ex: Executor, from: Date, to: Date): Promise<{ met: number; breached: number; rate: number | null }> {
  const c = await countsFor(ex, null, from, to);
  return { met: c.met, breached: c.breached, rate: c.rate };
}

export async function summary(database: Database, ctx: Ctx, q: { from?: string | undefined; to?: string | undefined; tz?: string | undefined }) {
  authorize(ctx.actor, 'standards.compliance');
  const { from, to, tz } = parseRange(q);
  return complianceSummary(database.db, from, to, tz);
}

function parseWeights(s: string | undefined): Weights {
  const w = { ...SQI_DEFAULT_WEIGHTS };
  if (!s) return w;
  for (const part of s.split(',')) {
    const [k, v] = part.split(':').map((x) => x.trim());
    if (!k || !(k in w) || v === undefined || !Number.isFinite(Number(v)) || Number(v) < 0)
      throw invalid('weights', 'use kind:weight pairs, kinds breach_same_day, breach_later_day, escalation');
    w[k as keyof Weights] = Number(v);
  }
  return w;
}

/**
 * Weighted failure index per local day (in the style of FedEx's SQI): each breach counts as "late, same day"
 * (completed on the day it was due) or "late, later day" (completed on a later day, or still open after that day),
 * each escalation step that fired counts once; every count is multiplied by its kind's weight and the standard's
 * `sqiWeight`, and summed per day of the deadline.
 */
export async function sqi(
  database: Database,
  ctx: Ctx,
  q: { from?: string | undefined; to?: string | undefined; tz?: string | undefined; standardId?: string | undefined; weights?: string | undefined },
) {
  authorize(ctx.actor, 'standards.compliance');
  const weights = parseWeights(q.weights);
  const { from, to, tz } = parseRange(q);
  if (to.getTime() - from.getTime() > 400 * DAY_MS) throw invalid('to', 'at most 400 days after from');
  const breaches = await complianceRepo.breachesByDay(database.db, from, to, tz, q.standardId);
  const current = await complianceRepo.currentDefinitions(database.db);
  const weightOf = new Map(current.map((c) => [c.id, (c.definition as StandardDefinition).sqiWeight ?? 1]));
  const days = new Map<string, { date: string; index: number; failures: { breach_same_day: number; breach_later_day: number; escalation: number } }>();
  const cal = allDayCalendar(tz);
  for (let t = from.getTime(); t < to.getTime(); t += DAY_MS) {
    const d = cal.localDate(t);
    if (!days.has(d)) days.set(d, { date: d, index: 0, failures: { breach_same_day: 0, breach_later_day: 0, escalation: 0 } });
  }
  const lastDay = cal.localDate(to.getTime() - 1);
  if (!days.has(lastDay)) days.set(lastDay, { date: lastDay, index: 0, failures: { breach_same_day: 0, breach_later_day: 0, escalation: 0 } });
  for (const r of breaches) {
    const day = days.get(r.day) ?? { date: r.day, index: 0, failures: { breach_same_day: 0, breach_later_day: 0, escalation: 0 } };
    days.set(r.day, day);
    const sw = weightOf.get(r.standard_id) ?? 1;
    day.failures.breach_same_day += Number(r.same_day);
    day.failures.breach_later_day += Number(r.later_day);
    day.failures.escalation += Number(r.escalations);
    day.index +=
      sw * (Number(r.same_day) * weights.breach_same_day + Number(r.later_day) * weights.breach_later_day + Number(r.escalations) * weights.escalation);
  }
  const list = [...days.values()].sort((a, b) => a.date.localeCompare(b.date)).map((d) => ({ ...d, index: Math.round(d.index * 100) / 100 }));
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    timeZone: tz,
    weights,
    total: Math.round(list.reduce((a, d) => a + d.index, 0) * 100) / 100,
    days: list,
  };
}

// ───────────────────────────── improvement actions (一次性修正) ─────────────────────────────

async function effect(ex: Executor, row: ImprovementRow, windowDays: number, tz: string) {
  const effectiveDate = row.doneAt ? allDayCalendar(tz).localDate(row.doneAt.getTime()) : row.dueDate;
  const eff = dayBound(effectiveDate, tz, false, 'dueDate');
  const span = windowDays * DAY_MS;
  const beforeFrom = new Date(eff - span);
  const beforeTo = new Date(eff);
  const afterFrom = new Date(eff);
  const afterTo = new Date(eff + span);
  const before = await countsFor(ex, row.standardId, beforeFrom, beforeTo);
  const after = await countsFor(ex, row.standardId, afterFrom, afterTo);
  return {
    effectiveDate,
    windowDays,
    before: { ...before, from: beforeFrom.toISOString(), to: beforeTo.toISOString() },
    after: { ...after, from: afterFrom.toISOString(), to: afterTo.toISOString() },
    rateChange: before.rate !== null && after.rate !== null ? Math.round((after.rate - before.rate) * 10_000) / 10_000 : null,
  };
}

async function activeStaffOrThrow(ex: Executor, id: string) {
  const s = await complianceRepo.staffMember(ex, id);
  if (!s || !s.active) throw invalid('ownerId', 'no such active staff member');
  return s;
}

function checkDate(d: string) {
  if (Number.isNaN(Date.parse(`${d}T00:00:00Z`)) || new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d)
    throw invalid('dueDate', 'must be a real date YYYY-MM-DD');
}

export async function createImprovement(
  database: Database,
  ctx: Ctx,
  standardId: string,
  input: { cause: string; change: string; ownerId: string; dueDate: string },
) {
  authorize(ctx.actor, 'standards.improve');
  checkDate(input.dueDate);
  return database.transaction(async (tx) => {
    if (!(await standardsRepo.byId(tx, standardId))) throw notFound('Standard');
    const owner = await activeStaffOrThrow(tx, input.ownerId);
    const row = await complianceRepo.insertImprovement(tx, {
      id: uuidv7(),
      standardId,
      cause: input.cause,
      change: input.change,
      ownerId: input.ownerId,
      dueDate: input.dueDate,
      createdBy: ctx.actor.id,
    });
    await writeAudit(tx, ctx, {
      action: 'standard.improvement_created',
      targetType: 'standard',
      targetId: standardId,
      changes: diff(null, { cause: input.cause, change: input.change, ownerId: input.ownerId, dueDate: input.dueDate }),
    });
    return presentImprovement(row, owner.name);
  });
}

export async function listImprovements(database: Database, ctx: Ctx, standardId: string, q: { windowDays: number; tz?: string | undefined }) {
  authorize(ctx.actor, 'standards.compliance');
  const tz = zoneOf(q.tz);
  if (!(await standardsRepo.byId(database.db, standardId))) throw notFound('Standard');
  const rows = await complianceRepo.improvementsOf(database.db, standardId);
  const items = [];
  for (const { r, ownerName } of rows) items.push({ ...presentImprovement(r, ownerName), effect: await effect(database.db, r, q.windowDays, tz) });
  return { items };
}

export async function updateImprovement(
  database: Database,
  ctx: Ctx,
  id: string,
  input: {
    cause?: string | undefined;
    change?: string | undefined;
    ownerId?: string | undefined;
    dueDate?: string | undefined;
    state?: 'open' | 'done' | undefined;
  },
) {
  authorize(ctx.actor, 'standards.improve');
  if (input.dueDate) checkDate(input.dueDate);
  return database.transaction(async (tx) => {
    const before = await complianceRepo.improvementForUpdate(tx, id);
    if (!before) throw notFound('Improvement action');
    if (input.ownerId) await activeStaffOrThrow(tx, input.ownerId);
    const set: Partial<ImprovementRow> = { updatedAt: new Date() };
    if (input.cause !== undefined) set.cause = input.cause;
    if (input.change !== undefined) set.change = input.change;
    if (input.ownerId !== undefined) set.ownerId = input.ownerId;
    if (input.dueDate !== undefined) set.dueDate = input.dueDate;
    if (input.state !== undefined && input.state !== before.state) {
      set.state = input.state;
      set.doneAt = input.state === 'done' ? new Date() : null;
    }
    const row = await complianceRepo.updateImprovement(tx, id, set);
    const f = ['cause', 'change', 'ownerId', 'dueDate', 'state'] as const;
    await writeAudit(tx, ctx, {
      action: 'standard.improvement_updated',
      targetType: 'standard',
      targetId: before.standardId,
      changes: diff(Object.fromEntries(f.map((k) => [k, before[k]])), Object.fromEntries(f.map((k) => [k, row[k]]))),
    });
    const owner = await complianceRepo.staffMember(tx, row.ownerId);
    return presentImprovement(row, owner?.name ?? null);
  });
}
