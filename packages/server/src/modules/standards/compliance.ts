/**
 * Compliance (标准执行率), breakdowns, the weighted failure index (SQI style) and improvement actions (一次性修正).
 * An encounter counts in the period in which its clock started; rate = met / (met + breached).
 */
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client';
import { improvementActions, staff, standards, standardVersions } from '../../db/schema';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { invalid, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { allDayCalendar } from '../calendars/calendar-cache';
import { authorize } from '../identity/policy';
import type { StandardDefinition } from './definition';
import { standardsRepo } from './standards.repo';

const DEFAULT_TZ = 'Asia/Shanghai';
const DAY_MS = 86_400_000;
export const SQI_DEFAULT_WEIGHTS = { breach_same_day: 1, breach_later_day: 3, escalation: 2 };
type Weights = typeof SQI_DEFAULT_WEIGHTS;

function zoneOf(tz: string | undefined): string {
  const zone = tz ?? DEFAULT_TZ;
  try { new Intl.DateTimeFormat('en', { timeZone: zone }); } catch { throw invalid('tz', 'must be an IANA time zone such as Asia/Shanghai'); }
  return zone;
}

/** Local midnight (start) or the end of a local date, via a 00:00–24:00 calendar in that zone. */
function dayBound(date: string, tz: string, end: boolean, path: string): number {
  try {
    const info = allDayCalendar(tz).dayInfo(date);
    const iv = info.intervals;
    if (!iv.length) throw new Error('empty');
    return end ? iv[iv.length - 1]![1] : iv[0]![0];
  } catch {
    throw invalid(path, 'must be a real date YYYY-MM-DD or an ISO instant with offset');
  }
}

export function parseRange(q: { from?: string | undefined; to?: string | undefined; tz?: string | undefined }, now = Date.now()) {
  const tz = zoneOf(q.tz);
  const bound = (s: string | undefined, end: boolean, path: string, fallback: number) => {
    if (!s) return fallback;
    if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return dayBound(s, tz, end, path);
    const t = Date.parse(s);
    if (Number.isNaN(t) || !/(Z|[+-]\d{2}:?\d{2})$/i.test(s)) throw invalid(path, 'must be a real date YYYY-MM-DD or an ISO instant with offset');
    return t;
  };
  const to = bound(q.to, true, 'to', now);
  const from = bound(q.from, false, 'from', to - 30 * DAY_MS);
  if (from >= to) throw invalid('to', 'must be after from');
  return { from: new Date(from), to: new Date(to), tz };
}

export interface Counts { met: number; breached: number; running: number; cancelled: number; rate: number | null }
const rateOf = (met: number, breached: number) => (met + breached > 0 ? met / (met + breached) : null);
const countCols = sql`count(*) FILTER (WHERE state = 'met')::int AS met,
  count(*) FILTER (WHERE state = 'breached')::int AS breached,
  count(*) FILTER (WHERE state IN ('running', 'paused'))::int AS running,
  count(*) FILTER (WHERE state = 'cancelled')::int AS cancelled`;
const toCounts = (r: { met: number; breached: number; running: number; cancelled: number } | undefined): Counts => {
  const met = Number(r?.met ?? 0); const breached = Number(r?.breached ?? 0);
  return { met, breached, running: Number(r?.running ?? 0), cancelled: Number(r?.cancelled ?? 0), rate: rateOf(met, breached) };
};

interface Filters { teamId?: string | undefined; agentId?: string | undefined; channel?: string | undefined; tier?: string | undefined }
function where(standardId: string | null, from: Date, to: Date, f: Filters = {}): SQL {
  const parts: SQL[] = [sql`started_at >= ${from}`, sql`started_at < ${to}`];
  if (standardId) parts.push(sql`standard_id = ${standardId}`);
  if (f.teamId) parts.push(sql`team_id = ${f.teamId}`);
  if (f.agentId) parts.push(sql`owner_id = ${f.agentId}`);
  if (f.channel) parts.push(sql`channel = ${f.channel}`);
  if (f.tier) parts.push(sql`tier = ${f.tier}`);
  return sql.join(parts, sql` AND `);
}

export async function countsFor(ex: Executor, standardId: string | null, from: Date, to: Date, f: Filters = {}): Promise<Counts> {
  const res = (await ex.execute(sql`SELECT ${countCols} FROM standard_instances WHERE ${where(standardId, from, to, f)}`)) as unknown as { rows: { met: number; breached: number; running: number; cancelled: number }[] };
  return toCounts(res.rows[0]);
}

async function standardOrThrow(database: Database, id: string) {
  const row = await standardsRepo.byId(database.db, id);
  if (!row) throw notFound('Standard');
  return { row: row.s, def: row.v.definition as StandardDefinition };
}

export async function compliance(database: Database, ctx: Ctx, id: string, q: Filters & { from?: string | undefined; to?: string | undefined; tz?: string | undefined }) {
  authorize(ctx.actor, 'standards.compliance');
  const { row, def } = await standardOrThrow(database, id);
  const { from, to } = parseRange(q);
  const c = await countsFor(database.db, id, from, to, q);
  return { standardId: id, code: row.code, name: def.name, target: def.target, ...c, meetsTarget: c.rate === null ? null : c.rate >= def.target, from: from.toISOString(), to: to.toISOString() };
}

export async function breakdown(database: Database, ctx: Ctx, id: string, q: { by: string; from?: string | undefined; to?: string | undefined; tz?: string | undefined }) {
  authorize(ctx.actor, 'standards.compliance');
  const { def } = await standardOrThrow(database, id);
  const { from, to, tz } = parseRange(q);
  const key: Record<string, SQL> = {
    team: sql`i.team_id::text`, agent: sql`i.owner_id::text`, channel: sql`i.channel`, tier: sql`i.tier`, type: sql`i.ticket_type`, priority: sql`i.priority`,
    day: sql`to_char(i.started_at AT TIME ZONE ${tz}, 'YYYY-MM-DD')`, version: sql`v.version::text`,
  };
  const label: Record<string, SQL> = {
    team: sql`max(t.name)`, agent: sql`max(s.name)`, version: sql`'v' || max(v.version)::text`,
  };
  const res = (await database.db.execute(sql`
    SELECT ${key[q.by]!} AS key, ${label[q.by] ?? sql`NULL`} AS label,
      count(*) FILTER (WHERE i.state = 'met')::int AS met, count(*) FILTER (WHERE i.state = 'breached')::int AS breached,
      count(*) FILTER (WHERE i.state IN ('running', 'paused'))::int AS running, count(*) FILTER (WHERE i.state = 'cancelled')::int AS cancelled
    FROM standard_instances i
      LEFT JOIN teams t ON t.id = i.team_id
      LEFT JOIN staff s ON s.id = i.owner_id
      LEFT JOIN standard_versions v ON v.id = i.version_id
    WHERE i.standard_id = ${id} AND i.started_at >= ${from} AND i.started_at < ${to}
    GROUP BY 1 ORDER BY 1`)) as unknown as { rows: { key: string | null; label: string | null; met: number; breached: number; running: number; cancelled: number }[] };
  return {
    standardId: id, by: q.by, target: def.target, from: from.toISOString(), to: to.toISOString(),
    items: res.rows.map((r) => ({ key: r.key, label: r.label ?? r.key, ...toCounts(r) })),
  };
}

/** Standard execution rate over every hard timed standard (for the measures summary) plus per-standard rows. */
export async function complianceSummary(ex: Executor, from: Date, to: Date) {
  const res = (await ex.execute(sql`
    SELECT i.standard_id, max(st.code) AS code, ${countCols}
    FROM standard_instances i JOIN standards st ON st.id = i.standard_id
    WHERE i.started_at >= ${from} AND i.started_at < ${to}
    GROUP BY i.standard_id ORDER BY max(st.code)`)) as unknown as { rows: { standard_id: string; code: string; met: number; breached: number; running: number; cancelled: number }[] };
  const current = await ex.select({ id: standards.id, definition: standardVersions.definition }).from(standards)
    .innerJoin(standardVersions, eq(standardVersions.id, standards.currentVersionId));
  const defs = new Map(current.map((c) => [c.id, c.definition as StandardDefinition]));
  const items = res.rows.map((r) => {
    const c = toCounts(r);
    const def = defs.get(r.standard_id);
    const target = def?.target ?? 0.95;
    return { standardId: r.standard_id, code: r.code, name: def?.name ?? r.code, target, ...c, meetsTarget: c.rate === null ? null : c.rate >= target };
  });
  const sum = (k: 'met' | 'breached' | 'running' | 'cancelled') => items.reduce((a, i) => a + i[k], 0);
  const overall = { met: sum('met'), breached: sum('breached'), running: sum('running'), cancelled: sum('cancelled'), rate: rateOf(sum('met'), sum('breached')) };
  return { from: from.toISOString(), to: to.toISOString(), overall, items };
}

/** For the measures module: share of encounters that met their hard standard in [from, to). */
export async function standardExecutionRate(ex: Executor, from: Date, to: Date): Promise<{ met: number; breached: number; rate: number | null }> {
  const c = await countsFor(ex, null, from, to);
  return { met: c.met, breached: c.breached, rate: c.rate };
}

export async function summary(database: Database, ctx: Ctx, q: { from?: string | undefined; to?: string | undefined; tz?: string | undefined }) {
  authorize(ctx.actor, 'standards.compliance');
  const { from, to } = parseRange(q);
  return complianceSummary(database.db, from, to);
}

function parseWeights(s: string | undefined): Weights {
  const w = { ...SQI_DEFAULT_WEIGHTS };
  if (!s) return w;
  for (const part of s.split(',')) {
    const [k, v] = part.split(':').map((x) => x.trim());
    if (!k || !(k in w) || v === undefined || !Number.isFinite(Number(v)) || Number(v) < 0) throw invalid('weights', 'use kind:weight pairs, kinds breach_same_day, breach_later_day, escalation');
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
export async function sqi(database: Database, ctx: Ctx, q: { from?: string | undefined; to?: string | undefined; tz?: string | undefined; standardId?: string | undefined; weights?: string | undefined }) {
  authorize(ctx.actor, 'standards.compliance');
  const weights = parseWeights(q.weights);
  const { from, to, tz } = parseRange(q);
  if (to.getTime() - from.getTime() > 400 * DAY_MS) throw invalid('to', 'at most 400 days after from');
  const res = (await database.db.execute(sql`
    SELECT to_char(i.due_at AT TIME ZONE ${tz}, 'YYYY-MM-DD') AS day, i.standard_id,
      count(*) FILTER (WHERE to_char(coalesce(i.ended_at, now()) AT TIME ZONE ${tz}, 'YYYY-MM-DD') = to_char(i.due_at AT TIME ZONE ${tz}, 'YYYY-MM-DD'))::int AS same_day,
      count(*) FILTER (WHERE to_char(coalesce(i.ended_at, now()) AT TIME ZONE ${tz}, 'YYYY-MM-DD') <> to_char(i.due_at AT TIME ZONE ${tz}, 'YYYY-MM-DD'))::int AS later_day,
      coalesce(sum(i.escalations_sent), 0)::int AS escalations
    FROM standard_instances i
    WHERE i.state = 'breached' AND i.due_at >= ${from} AND i.due_at < ${to} ${q.standardId ? sql`AND i.standard_id = ${q.standardId}` : sql``}
    GROUP BY 1, 2`)) as unknown as { rows: { day: string; standard_id: string; same_day: number; later_day: number; escalations: number }[] };
  const current = await database.db.select({ id: standards.id, definition: standardVersions.definition }).from(standards)
    .innerJoin(standardVersions, eq(standardVersions.id, standards.currentVersionId));
  const weightOf = new Map(current.map((c) => [c.id, (c.definition as StandardDefinition).sqiWeight ?? 1]));
  const days = new Map<string, { date: string; index: number; failures: { breach_same_day: number; breach_later_day: number; escalation: number } }>();
  const cal = allDayCalendar(tz);
  for (let t = from.getTime(); t < to.getTime(); t += DAY_MS) {
    const d = cal.localDate(t);
    if (!days.has(d)) days.set(d, { date: d, index: 0, failures: { breach_same_day: 0, breach_later_day: 0, escalation: 0 } });
  }
  const lastDay = cal.localDate(to.getTime() - 1);
  if (!days.has(lastDay)) days.set(lastDay, { date: lastDay, index: 0, failures: { breach_same_day: 0, breach_later_day: 0, escalation: 0 } });
  for (const r of res.rows) {
    const day = days.get(r.day) ?? { date: r.day, index: 0, failures: { breach_same_day: 0, breach_later_day: 0, escalation: 0 } };
    days.set(r.day, day);
    const sw = weightOf.get(r.standard_id) ?? 1;
    day.failures.breach_same_day += Number(r.same_day);
    day.failures.breach_later_day += Number(r.later_day);
    day.failures.escalation += Number(r.escalations);
    day.index += sw * (Number(r.same_day) * weights.breach_same_day + Number(r.later_day) * weights.breach_later_day + Number(r.escalations) * weights.escalation);
  }
  const list = [...days.values()].sort((a, b) => a.date.localeCompare(b.date)).map((d) => ({ ...d, index: Math.round(d.index * 100) / 100 }));
  return { from: from.toISOString(), to: to.toISOString(), timeZone: tz, weights, total: Math.round(list.reduce((a, d) => a + d.index, 0) * 100) / 100, days: list };
}

// ───────────────────────────── improvement actions (一次性修正) ─────────────────────────────

type ImprovementRow = typeof improvementActions.$inferSelect;

async function effect(ex: Executor, row: ImprovementRow, windowDays: number, tz: string) {
  const effectiveDate = row.doneAt ? allDayCalendar(tz).localDate(row.doneAt.getTime()) : row.dueDate;
  const eff = dayBound(effectiveDate, tz, false, 'dueDate');
  const span = windowDays * DAY_MS;
  const beforeFrom = new Date(eff - span); const beforeTo = new Date(eff);
  const afterFrom = new Date(eff); const afterTo = new Date(eff + span);
  const before = await countsFor(ex, row.standardId, beforeFrom, beforeTo);
  const after = await countsFor(ex, row.standardId, afterFrom, afterTo);
  return {
    effectiveDate, windowDays,
    before: { ...before, from: beforeFrom.toISOString(), to: beforeTo.toISOString() },
    after: { ...after, from: afterFrom.toISOString(), to: afterTo.toISOString() },
    rateChange: before.rate !== null && after.rate !== null ? Math.round((after.rate - before.rate) * 10_000) / 10_000 : null,
  };
}

function presentImprovement(r: ImprovementRow, ownerName: string | null) {
  return {
    id: r.id, standardId: r.standardId, cause: r.cause, change: r.change, ownerId: r.ownerId, ownerName, dueDate: r.dueDate,
    state: r.state as 'open' | 'done', doneAt: r.doneAt ? r.doneAt.toISOString() : null, createdAt: r.createdAt.toISOString(),
  };
}

async function activeStaffOrThrow(ex: Executor, id: string) {
  const [s] = await ex.select({ id: staff.id, name: staff.name, active: staff.active }).from(staff).where(eq(staff.id, id));
  if (!s || !s.active) throw invalid('ownerId', 'no such active staff member');
  return s;
}

function checkDate(d: string) {
  if (Number.isNaN(Date.parse(`${d}T00:00:00Z`)) || new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d) throw invalid('dueDate', 'must be a real date YYYY-MM-DD');
}

export async function createImprovement(database: Database, ctx: Ctx, standardId: string, input: { cause: string; change: string; ownerId: string; dueDate: string }) {
  authorize(ctx.actor, 'standards.improve');
  checkDate(input.dueDate);
  return database.transaction(async (tx) => {
    if (!(await standardsRepo.byId(tx, standardId))) throw notFound('Standard');
    const owner = await activeStaffOrThrow(tx, input.ownerId);
    const [row] = await tx.insert(improvementActions).values({ id: uuidv7(), standardId, cause: input.cause, change: input.change, ownerId: input.ownerId, dueDate: input.dueDate, createdBy: ctx.actor.id }).returning();
    await writeAudit(tx, ctx, { action: 'standard.improvement_created', targetType: 'standard', targetId: standardId, changes: diff(null, { cause: input.cause, change: input.change, ownerId: input.ownerId, dueDate: input.dueDate }) });
    return presentImprovement(row!, owner.name);
  });
}

export async function listImprovements(database: Database, ctx: Ctx, standardId: string, q: { windowDays: number; tz?: string | undefined }) {
  authorize(ctx.actor, 'standards.compliance');
  const tz = zoneOf(q.tz);
  if (!(await standardsRepo.byId(database.db, standardId))) throw notFound('Standard');
  const rows = await database.db.select({ r: improvementActions, ownerName: staff.name }).from(improvementActions)
    .leftJoin(staff, eq(staff.id, improvementActions.ownerId)).where(eq(improvementActions.standardId, standardId)).orderBy(desc(improvementActions.id));
  const items = [];
  for (const { r, ownerName } of rows) items.push({ ...presentImprovement(r, ownerName), effect: await effect(database.db, r, q.windowDays, tz) });
  return { items };
}

export async function updateImprovement(database: Database, ctx: Ctx, id: string, input: { cause?: string | undefined; change?: string | undefined; ownerId?: string | undefined; dueDate?: string | undefined; state?: 'open' | 'done' | undefined }) {
  authorize(ctx.actor, 'standards.improve');
  if (input.dueDate) checkDate(input.dueDate);
  return database.transaction(async (tx) => {
    const [before] = await tx.select().from(improvementActions).where(eq(improvementActions.id, id)).for('update');
    if (!before) throw notFound('Improvement action');
    if (input.ownerId) await activeStaffOrThrow(tx, input.ownerId);
    const set: Partial<ImprovementRow> = { updatedAt: new Date() };
    if (input.cause !== undefined) set.cause = input.cause;
    if (input.change !== undefined) set.change = input.change;
    if (input.ownerId !== undefined) set.ownerId = input.ownerId;
    if (input.dueDate !== undefined) set.dueDate = input.dueDate;
    if (input.state !== undefined && input.state !== before.state) { set.state = input.state; set.doneAt = input.state === 'done' ? new Date() : null; }
    const [row] = await tx.update(improvementActions).set(set).where(and(eq(improvementActions.id, id))).returning();
    const f = ['cause', 'change', 'ownerId', 'dueDate', 'state'] as const;
    await writeAudit(tx, ctx, { action: 'standard.improvement_updated', targetType: 'standard', targetId: before.standardId, changes: diff(Object.fromEntries(f.map((k) => [k, before[k]])), Object.fromEntries(f.map((k) => [k, row![k]]))) });
    const [owner] = await tx.select({ name: staff.name }).from(staff).where(eq(staff.id, row!.ownerId));
    return presentImprovement(row!, owner?.name ?? null);
  });
}

