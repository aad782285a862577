/**
 * Measures commands: the contract summary, the general measures query (filters, group-by, numerators and
 * denominators), drill-down to the tickets behind a number, targets and below-target alerts, the team board,
 * complaint analysis and the TV-wall display tokens. Policy first in every command; scoped by what the actor may see.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { tickets } from '../../db/schema';
import { ticketVisibilityScope, ticketVisibilitySql } from '../tickets/visibility';
import { DEFAULT_TARGETS, MEASURE_KEYS, missesTarget, type MeasureKey } from '@chidu/core/measures/index';
import type { Database, Executor } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx, StaffActor } from '../../lib/context';
import { AppError, forbidden, invalid, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { notify } from '../../lib/notify';
import { parseRange } from '../standards/compliance';
import { authorize, can } from '../identity/policy';
import { filterFacts, GROUPS, kbUsageExists, present, runQuery, TIME_GROUPS, type Filters, type Group, type Query } from './query';

const DAY = 86_400_000;
type Rows<T> = { rows: T[] };
const rowsOf = async <T>(ex: Executor, q: ReturnType<typeof sql>) => ((await ex.execute(q)) as unknown as Rows<T>).rows;

export interface MeasuresQueryInput extends Filters { from?: string | undefined; to?: string | undefined; tz?: string | undefined; groupBy?: string | undefined; source?: 'auto' | 'rollup' | 'facts' | undefined; percentiles?: 'true' | 'false' | undefined; knowledge?: 'true' | 'false' | undefined }

/** Filters the actor may use: org-wide with measures.view; otherwise their own numbers (and their team's totals). */
export function scopeFilters(ctx: Ctx, f: Filters, o: { drill?: boolean; groupBy?: Group[] } = {}): Filters {
  if (can(ctx.actor, 'measures.view')) return f;
  authorize(ctx.actor, 'measures.own');
  const me = ctx.actor as StaffActor;
  if (o.groupBy?.includes('agent')) throw forbidden('Only your own numbers: group by agent needs measures.view');
  if (f.agentId && f.agentId !== me.id) throw forbidden('Only your own numbers');
  if (f.teamId && f.teamId !== me.teamId) throw forbidden('Only your own team');
  if (o.drill && f.agentId !== me.id) return { ...f, agentId: me.id };
  if (!f.agentId && !f.teamId) return { ...f, agentId: me.id };
  return f;
}

export function parseGroups(s: string | undefined): Group[] {
  if (!s) return [];
  const gs = s.split(',').map((x) => x.trim()).filter(Boolean);
  for (const g of gs) if (!(GROUPS as readonly string[]).includes(g)) throw invalid('groupBy', `unknown group ${g}; use ${GROUPS.join(', ')}`);
  if (gs.length > 2) throw invalid('groupBy', 'at most two groups, e.g. month,team');
  if (gs.filter((g) => TIME_GROUPS.has(g as Group)).length > 1) throw invalid('groupBy', 'at most one of day, week, month');
  if (new Set(gs).size !== gs.length) throw invalid('groupBy', 'a group appears twice');
  return gs as Group[];
}

const filtersOf = (q: Filters): Filters => {
  const out: Filters = {};
  for (const k of ['teamId', 'agentId', 'channel', 'type', 'tier', 'categoryId', 'site'] as const) if (q[k] !== undefined && q[k] !== '') out[k] = q[k];
  return out;
};

export function buildQuery(ctx: Ctx, q: MeasuresQueryInput, o: { drill?: boolean } = {}): Query {
  const range = parseRange(q);
  const groupBy = parseGroups(q.groupBy);
  const span = range.to.getTime() - range.from.getTime();
  if (span > 800 * DAY) throw invalid('to', 'at most 800 days after from');
  if (groupBy.includes('day') && span > 400 * DAY) throw invalid('groupBy', 'day groups over at most 400 days; use week or month');
  return { from: range.from, to: range.to, tz: range.tz, filters: scopeFilters(ctx, filtersOf(q), { ...o, groupBy }), groupBy, source: q.source ?? 'auto', percentiles: q.percentiles !== 'false', knowledge: q.knowledge !== 'false' };
}

async function labels(ex: Executor, rows: { key: Record<string, string | null> }[]): Promise<Map<string, string>> {
  const ids = { team: new Set<string>(), agent: new Set<string>(), category: new Set<string>() };
  for (const r of rows) for (const k of ['team', 'agent', 'category'] as const) { const v = r.key[k]; if (v) ids[k].add(v); }
  const out = new Map<string, string>();
  const load = async (table: string, set: Set<string>) => {
    if (!set.size) return;
    const list = sql`ARRAY[${sql.join([...set].map((i) => sql`${i}`), sql`, `)}]::uuid[]`;
    for (const r of await rowsOf<{ id: string; name: string }>(ex, sql`SELECT id::text, name FROM ${sql.raw(table)} WHERE id = ANY(${list})`)) out.set(r.id, r.name);
  };
  await load('teams', ids.team); await load('staff', ids.agent); await load('categories', ids.category);
  return out;
}

export async function targetsMap(ex: Executor): Promise<Record<MeasureKey, { target: number | null; direction: 'min' | 'max'; windowDays: number; minCount: number; below: boolean; lastValue: number | null; alertedAt: string | null }>> {
  const rows = await rowsOf<{ measure: string; target: number | null; direction: string; window_days: number; min_count: number; below: boolean; last_value: number | null; alerted_at: Date | string | null }>(ex, sql`SELECT * FROM measure_targets`);
  const byKey = new Map(rows.map((r) => [r.measure, r]));
  return Object.fromEntries(MEASURE_KEYS.map((k) => {
    const r = byKey.get(k);
    const d = DEFAULT_TARGETS[k];
    return [k, r ? { target: r.target === null ? null : Number(r.target), direction: r.direction as 'min' | 'max', windowDays: r.window_days, minCount: r.min_count, below: r.below, lastValue: r.last_value === null ? null : Number(r.last_value), alertedAt: r.alerted_at ? new Date(r.alerted_at).toISOString() : null }
      : { target: d.target, direction: d.direction, windowDays: 7, minCount: 20, below: false, lastValue: null, alertedAt: null }];
  })) as never;
}

/** `GET /metrics/summary` (contract): the fixed measures over [from, to), with the counts behind each. */
export async function summary(database: Database, ctx: Ctx, q: { from?: string | undefined; to?: string | undefined; tz?: string | undefined }) {
  authorize(ctx.actor, 'measures.view');
  const query = buildQuery(ctx, q);
  const res = await runQuery(database.db, query);
  const p = present(res.total);
  return {
    csat: p.csat.value, nps: p.nps.value, ces: p.ces.value, fcr: p.fcr.value, standardExecutionRate: p.standardExecutionRate.value,
    complaintRate: p.complaintRate.value, complaintResolutionRate: p.complaintResolutionRate.value,
    firstResponseSecondsP50: p.firstResponseSeconds.p50, resolutionSecondsP50: p.resolutionSeconds.p50,
    tickets: p.tickets,
    firstResponseSecondsP90: p.firstResponseSeconds.p90, resolutionSecondsP90: p.resolutionSeconds.p90,
    knowledgeApplicationRate: p.knowledgeApplicationRate.value, recoveryRate: p.recoveryRate.value,
    from: query.from.toISOString(), to: query.to.toISOString(), timeZone: query.tz, source: res.source,
    counts: {
      csat: p.csat, nps: p.nps, ces: p.ces, fcr: p.fcr, standardExecutionRate: p.standardExecutionRate, complaintRate: p.complaintRate,
      complaintResolutionRate: p.complaintResolutionRate, recoveryRate: p.recoveryRate, knowledgeApplicationRate: p.knowledgeApplicationRate,
      firstResponse: p.firstResponseSeconds, resolution: p.resolutionSeconds, resolved: p.resolved,
    },
  };
}

/** `GET /measures`: any filters, up to two groups; every rate with numerator and denominator; targets alongside. */
export async function measures(database: Database, ctx: Ctx, q: MeasuresQueryInput) {
  const query = buildQuery(ctx, q);
  const res = await runQuery(database.db, query);
  const names = await labels(database.db, res.rows);
  const version = await currentVersion(database.db);
  return {
    from: query.from.toISOString(), to: query.to.toISOString(), timeZone: query.tz, groupBy: query.groupBy, filters: query.filters,
    source: res.source, cube: res.cube, version,
    total: present(res.total),
    rows: res.rows.map((r) => ({ key: r.key, labels: Object.fromEntries(Object.entries(r.key).map(([k, v]) => [k, v ? names.get(v) ?? v : null])), ...present(r) })),
    targets: await targetsMap(database.db),
  };
}

export async function currentVersion(ex: Executor): Promise<number> {
  const [r] = await rowsOf<{ value: number | string }>(ex, sql`SELECT value FROM measure_state WHERE key = 'version'`);
  return Number(r?.value ?? 0);
}

/** Cheap freshness probe for open dashboards: the version grows with every applied batch; `pending` = queued events. */
export async function version(database: Database, ctx: Ctx) {
  if (!can(ctx.actor, 'measures.view')) authorize(ctx.actor, 'measures.own');
  const [r] = await rowsOf<{ value: number | string; updated_at: Date | string; pending: number | string }>(database.db, sql`SELECT s.value, s.updated_at, (SELECT count(*) FROM measure_queue) AS pending FROM measure_state s WHERE s.key = 'version'`);
  return { version: Number(r?.value ?? 0), updatedAt: r ? new Date(r.updated_at).toISOString() : null, pending: Number(r?.pending ?? 0) };
}

// ───────────────────────────── drill-down ─────────────────────────────

export const DRILL_MEASURES = ['tickets', 'csat', 'nps', 'ces', 'fcr', 'standardExecutionRate', 'complaintRate', 'complaintResolutionRate', 'recoveryRate', 'knowledgeApplicationRate', 'firstResponse', 'resolution'] as const;
export type DrillMeasure = (typeof DRILL_MEASURES)[number];

/** The tickets behind a number: `part` numerator or denominator of the measure, same period and filters. */
export async function drill(database: Database, ctx: Ctx, q: MeasuresQueryInput & { measure: DrillMeasure; part?: 'numerator' | 'denominator' | 'detractors' | undefined; limit?: number | undefined; cursor?: string | undefined; key?: string | undefined }) {
  const query = buildQuery(ctx, { ...q, groupBy: undefined }, { drill: true });
  const part = q.part ?? 'denominator';
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
  const offset = q.cursor ? Number(q.cursor) : 0;
  if (!Number.isInteger(offset) || offset < 0) throw invalid('cursor', 'use the nextCursor of the previous page');
  const f = filterFacts(query.filters);
  const range = (col: string) => sql`${sql.raw(col)} >= ${query.from} AND ${sql.raw(col)} < ${query.to}`;
  const num = part === 'numerator';
  let from: ReturnType<typeof sql>; let where: ReturnType<typeof sql>; let value = sql`NULL::bigint`; let order = sql`f.created_at DESC`;
  switch (q.measure) {
    case 'tickets': case 'complaintRate':
      from = sql`measure_ticket_facts f`; where = sql`${range('f.created_at')}${q.measure === 'complaintRate' && num ? sql` AND f.type = 'complaint'` : sql``}`; break;
    case 'complaintResolutionRate':
      from = sql`measure_ticket_facts f`; where = sql`${range('f.created_at')} AND f.type = 'complaint'${num ? sql` AND f.resolved_at IS NOT NULL AND f.reopen_count = 0` : sql``}`; break;
    case 'fcr':
      from = sql`measure_ticket_facts f`; where = sql`${range('f.resolved_at')}${num ? sql` AND f.fcr` : sql``}`; order = sql`f.resolved_at DESC`; break;
    case 'knowledgeApplicationRate':
      from = sql`measure_ticket_facts f`; where = sql`${range('f.resolved_at')}${num ? sql` AND EXISTS (SELECT 1 FROM kb_usage u WHERE u.ticket_id = f.ticket_id AND u.kind = 'used')` : sql``}`; order = sql`f.resolved_at DESC`; break;
    case 'firstResponse':
      from = sql`measure_ticket_facts f`; where = sql`${range('f.created_at')} AND f.first_response_seconds IS NOT NULL`; value = sql`f.first_response_seconds`; order = sql`f.first_response_seconds DESC, f.created_at DESC`; break;
    case 'resolution':
      from = sql`measure_ticket_facts f`; where = sql`${range('f.resolved_at')} AND f.resolution_seconds IS NOT NULL`; value = sql`f.resolution_seconds`; order = sql`f.resolution_seconds DESC, f.resolved_at DESC`; break;
    case 'csat': case 'nps': case 'ces': {
      const col = q.measure;
      const cond = q.measure === 'csat' ? (num ? sql` AND a.csat >= 4` : sql``) : q.measure === 'nps' ? (num ? sql` AND a.nps >= 9` : part === 'detractors' ? sql` AND a.nps <= 6` : sql``) : sql``;
      from = sql`measure_answer_facts a JOIN measure_ticket_facts f ON f.ticket_id = a.ticket_id`; where = sql`${range('a.at')} AND ${sql.raw(`a.${col}`)} IS NOT NULL${cond}`;
      value = sql.raw(`a.${col}::bigint`); order = sql`a.at DESC`; break;
    }
    case 'standardExecutionRate':
      from = sql`measure_outcome_facts a JOIN measure_ticket_facts f ON f.ticket_id = a.ticket_id`; where = sql`${range('a.ended_at')}${num ? sql` AND a.met` : sql``}`; order = sql`a.ended_at DESC`; break;
    case 'recoveryRate':
      from = sql`measure_recovery_facts a JOIN measure_ticket_facts f ON f.ticket_id = a.ticket_id`; where = sql`${range('a.closed_at')}${num ? sql` AND a.recovered` : sql``}`; order = sql`a.closed_at DESC`; break;
    default: throw invalid('measure', `use one of ${DRILL_MEASURES.join(', ')}`);
  }
  if (q.measure === 'knowledgeApplicationRate' && num && !(await kbUsageExists(database.db))) return { items: [], nextCursor: null, total: 0 };
  // Only tickets the caller may see (the one visibility rule; facts may lag behind a reassignment).
  const scope = ticketVisibilityScope(ctx.actor, alias(tickets, 'vt'));
  if (scope) where = sql`${where} AND EXISTS (SELECT 1 FROM tickets vt WHERE vt.id = f.ticket_id AND ${scope})`;
  const [cnt] = await rowsOf<{ n: number | string }>(database.db, sql`SELECT count(*) AS n FROM ${from} WHERE ${where}${f}`);
  const items = await rowsOf<{ ticket_id: string; number: string; subject: string | null; type: string; channel: string; status: string; team_id: string | null; owner_id: string | null; team_name: string | null; owner_name: string | null; created_at: Date | string; resolved_at: Date | string | null; value: number | string | null }>(database.db, sql`
    SELECT f.ticket_id, f.number, t.subject, f.type, f.channel, f.status, f.team_id, f.owner_id, tm.name AS team_name, s.name AS owner_name, f.created_at, f.resolved_at, ${value} AS value
    FROM ${from} LEFT JOIN tickets t ON t.id = f.ticket_id LEFT JOIN teams tm ON tm.id = f.team_id LEFT JOIN staff s ON s.id = f.owner_id
    WHERE ${where}${f} ORDER BY ${order}, f.ticket_id LIMIT ${limit} OFFSET ${offset}`);
  const total = Number(cnt?.n ?? 0);
  return {
    total, nextCursor: offset + items.length < total ? String(offset + items.length) : null,
    items: items.map((r) => ({ id: r.ticket_id, number: r.number, subject: r.subject ?? '', type: r.type, channel: r.channel, status: r.status, teamId: r.team_id, teamName: r.team_name, ownerId: r.owner_id, ownerName: r.owner_name, createdAt: new Date(r.created_at).toISOString(), resolvedAt: r.resolved_at ? new Date(r.resolved_at).toISOString() : null, value: r.value === null ? null : Number(r.value) })),
  };
}

// ───────────────────────────── distributions ─────────────────────────────

/** Bucket edges (seconds) of the response/resolution time distributions. */
export const DISTRIBUTION_EDGES = [0, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 259_200];

/** Histogram of first-response or resolution business seconds (facts), with P50/P90. */
export async function distribution(database: Database, ctx: Ctx, q: MeasuresQueryInput & { measure: 'firstResponse' | 'resolution' }) {
  const query = buildQuery(ctx, { ...q, groupBy: undefined });
  const f = filterFacts(query.filters);
  const col = q.measure === 'firstResponse' ? 'first_response_seconds' : 'resolution_seconds';
  const timeCol = q.measure === 'firstResponse' ? 'created_at' : 'resolved_at';
  const edges = DISTRIBUTION_EDGES;
  const cases = edges.map((e, i) => (i + 1 < edges.length ? `WHEN f.${col} < ${edges[i + 1]} THEN ${i}` : '')).join(' ');
  const rows = await rowsOf<{ b: number; n: number | string }>(database.db, sql`SELECT CASE ${sql.raw(cases)} ELSE ${edges.length - 1} END AS b, count(*) AS n
    FROM measure_ticket_facts f WHERE ${sql.raw(`f.${timeCol}`)} >= ${query.from} AND ${sql.raw(`f.${timeCol}`)} < ${query.to} AND ${sql.raw(`f.${col}`)} IS NOT NULL${f} GROUP BY 1`);
  const counts = new Map(rows.map((r) => [Number(r.b), Number(r.n)]));
  const res = await runQuery(database.db, { ...query, groupBy: [] });
  const p = q.measure === 'firstResponse' ? res.total.firstResponse : res.total.resolution;
  return { measure: q.measure, from: query.from.toISOString(), to: query.to.toISOString(), p50: p.p50, p90: p.p90, count: p.count,
    buckets: edges.map((e, i) => ({ fromSeconds: e, toSeconds: edges[i + 1] ?? null, count: counts.get(i) ?? 0 })) };
}

// ───────────────────────────── targets and alerts ─────────────────────────────

export async function listTargets(database: Database, ctx: Ctx) {
  if (!can(ctx.actor, 'measures.view')) authorize(ctx.actor, 'measures.own');
  const t = await targetsMap(database.db);
  return { items: MEASURE_KEYS.map((k) => ({ measure: k, ...t[k] })) };
}

export async function putTarget(database: Database, ctx: Ctx, measure: string, input: { target: number | null; windowDays?: number | undefined; minCount?: number | undefined }) {
  authorize(ctx.actor, 'measures.manage');
  if (!(MEASURE_KEYS as readonly string[]).includes(measure)) throw notFound('Measure');
  const key = measure as MeasureKey;
  const t = input.target;
  if (t !== null) {
    const isRate = !['nps', 'ces', 'firstResponseSecondsP50', 'resolutionSecondsP50'].includes(key);
    if (isRate && (t < 0 || t > 1)) throw invalid('target', 'a rate target is a fraction between 0 and 1');
    if (key === 'nps' && (t < -100 || t > 100)) throw invalid('target', 'NPS is between -100 and 100');
    if (key === 'ces' && (t < 1 || t > 7)) throw invalid('target', 'CES is between 1 and 7');
    if (key.endsWith('P50') && t < 0) throw invalid('target', 'seconds are not negative');
  }
  return database.transaction(async (tx) => {
    const before = (await targetsMap(tx))[key];
    const windowDays = input.windowDays ?? before.windowDays;
    const minCount = input.minCount ?? before.minCount;
    await tx.execute(sql`INSERT INTO measure_targets (measure, target, direction, window_days, min_count, updated_by, updated_at)
      VALUES (${key}, ${t}, ${DEFAULT_TARGETS[key].direction}, ${windowDays}, ${minCount}, ${ctx.actor.id}, now())
      ON CONFLICT (measure) DO UPDATE SET target = excluded.target, window_days = excluded.window_days, min_count = excluded.min_count, below = false, updated_by = excluded.updated_by, updated_at = now()`);
    await writeAudit(tx, ctx, { action: 'measure.target_set', targetType: 'measure', targetId: key, changes: diff({ target: before.target, windowDays: before.windowDays, minCount: before.minCount }, { target: t, windowDays, minCount }) });
    return { measure: key, ...(await targetsMap(tx))[key] };
  });
}

/**
 * Rolling-rate alerts: for every measure with a target, the value over the last `windowDays` (facts, exact); when it
 * crosses to the wrong side of the target (with at least `minCount` in its denominator) admins and directors get a
 * notification once; it re-arms when the rate is back on target.
 */
export async function checkAlerts(database: Database, now = Date.now()): Promise<{ measure: string; value: number | null; below: boolean; alerted: boolean }[]> {
  const targets = await targetsMap(database.db);
  const out: { measure: string; value: number | null; below: boolean; alerted: boolean }[] = [];
  const cache = new Map<number, ReturnType<typeof present>>();
  for (const key of MEASURE_KEYS) {
    const t = targets[key];
    if (t.target === null) continue;
    let p = cache.get(t.windowDays);
    if (!p) {
      const r = await runQuery(database.db, { from: new Date(now - t.windowDays * DAY), to: new Date(now), tz: 'Asia/Shanghai', filters: {}, groupBy: [], source: 'facts' });
      p = present(r.total); cache.set(t.windowDays, p);
    }
    const { value, count } = valueOf(p, key);
    const miss = count >= t.minCount ? missesTarget(value, t.target, t.direction) : null;
    const below = miss === true;
    let alerted = false;
    await database.transaction(async (tx) => {
      const [row] = await rowsOf<{ below: boolean }>(tx, sql`INSERT INTO measure_targets (measure, target, direction, window_days, min_count) VALUES (${key}, ${t.target}, ${t.direction}, ${t.windowDays}, ${t.minCount})
        ON CONFLICT (measure) DO UPDATE SET measure = excluded.measure RETURNING below`);
      const was = Boolean(row?.below);
      if (miss === null) { await tx.execute(sql`UPDATE measure_targets SET last_value = ${value} WHERE measure = ${key}`); return; }
      await tx.execute(sql`UPDATE measure_targets SET below = ${below}, last_value = ${value}${below && !was ? sql`, alerted_at = now()` : sql``} WHERE measure = ${key}`);
      if (below && !was) {
        alerted = true;
        const recipients = await rowsOf<{ id: string }>(tx, sql`SELECT id FROM staff WHERE active AND (roles && ARRAY['admin', 'director']::text[])`);
        for (const r of recipients) {
          await notify(tx, { recipientId: r.id, kind: 'measure.below_target', title: `${MEASURE_TITLES[key]}（近${t.windowDays}天）${fmt(key, value)} 未达目标 ${fmt(key, t.target)}`, data: { measure: key, value, target: t.target, windowDays: t.windowDays, count } });
        }
      }
    });
    out.push({ measure: key, value, below, alerted });
  }
  return out;
}

const MEASURE_TITLES: Record<MeasureKey, string> = {
  csat: '满意度 CSAT', nps: '净推荐值 NPS', ces: '费力度 CES', fcr: '首次解决率 FCR', standardExecutionRate: '标准执行率', complaintRate: '投诉率',
  complaintResolutionRate: '投诉解决率', recoveryRate: '挽回率', knowledgeApplicationRate: '知识应用率', firstResponseSecondsP50: '首次响应 P50', resolutionSecondsP50: '解决时长 P50',
};
function fmt(key: MeasureKey, v: number | null): string {
  if (v === null) return '—';
  if (key === 'nps') return v.toFixed(1);
  if (key === 'ces') return v.toFixed(2);
  if (key.endsWith('P50')) return `${Math.round(v / 60)} 分钟`;
  return `${(v * 100).toFixed(1)}%`;
}

export function valueOf(p: ReturnType<typeof present>, key: MeasureKey): { value: number | null; count: number } {
  switch (key) {
    case 'csat': return { value: p.csat.value, count: p.csat.denominator };
    case 'nps': return { value: p.nps.value, count: p.nps.count };
    case 'ces': return { value: p.ces.value, count: p.ces.count };
    case 'fcr': return { value: p.fcr.value, count: p.fcr.denominator };
    case 'standardExecutionRate': return { value: p.standardExecutionRate.value, count: p.standardExecutionRate.denominator };
    case 'complaintRate': return { value: p.complaintRate.value, count: p.complaintRate.denominator };
    case 'complaintResolutionRate': return { value: p.complaintResolutionRate.value, count: p.complaintResolutionRate.denominator };
    case 'recoveryRate': return { value: p.recoveryRate.value, count: p.recoveryRate.denominator };
    case 'knowledgeApplicationRate': return { value: p.knowledgeApplicationRate.value, count: p.knowledgeApplicationRate.denominator };
    case 'firstResponseSecondsP50': return { value: p.firstResponseSeconds.p50, count: p.firstResponseSeconds.count };
    case 'resolutionSecondsP50': return { value: p.resolutionSeconds.p50, count: p.resolutionSeconds.count };
    default: return { value: null, count: 0 };
  }
}

// ───────────────────────────── team board (live) ─────────────────────────────

const OPEN = sql`t.status NOT IN ('resolved', 'closed') AND t.merged_into_id IS NULL AND t.type <> 'internal'`;

/** Backlog, agents' open load (overloaded at ≥ `overload` open tickets), clocks due within `withinMinutes`, open breaches. */
export async function board(database: Database, ctx: Ctx, q: { teamId?: string | undefined; overload?: number | undefined; withinMinutes?: number | undefined }) {
  const me = ctx.actor as StaffActor;
  if (!can(ctx.actor, 'measures.view')) {
    authorize(ctx.actor, 'measures.own');
    if (!me.teamId || (q.teamId && q.teamId !== me.teamId)) throw forbidden('Only your own team');
  }
  const teamId = can(ctx.actor, 'measures.view') ? q.teamId : me.teamId ?? undefined;
  const overload = q.overload ?? 10;
  const within = q.withinMinutes ?? 30;
  const tf = teamId ? sql` AND t.team_id = ${teamId}` : sql``;
  const ex = database.db;
  const backlog = await rowsOf<{ status: string; n: number | string; oldest: Date | string | null }>(ex, sql`SELECT t.status, count(*) AS n, min(t.created_at) AS oldest FROM tickets t WHERE ${OPEN}${tf} GROUP BY 1 ORDER BY 2 DESC`);
  const agents = await rowsOf<{ id: string; name: string; on_duty: boolean; open: number | string; urgent: number | string }>(ex, sql`
    SELECT s.id, s.name, s.on_duty, count(t.id) AS open, count(t.id) FILTER (WHERE t.priority IN ('urgent', 'high')) AS urgent
    FROM staff s LEFT JOIN tickets t ON t.owner_id = s.id AND ${OPEN}
    WHERE s.active ${teamId ? sql`AND s.team_id = ${teamId}` : sql`AND s.team_id IS NOT NULL`} AND (s.roles && ARRAY['agent', 'supervisor', 'technician', 'frontdesk']::text[])
    GROUP BY s.id, s.name, s.on_duty ORDER BY count(t.id) DESC, s.name LIMIT 200`);
  const clocks = await rowsOf<{ id: string; code: string; state: string; due_at: Date | string | null; ticket_id: string; number: string; subject: string; owner_name: string | null }>(ex, sql`
    SELECT i.id, i.code, i.state, i.due_at, t.id AS ticket_id, t.number, t.subject, s.name AS owner_name
    FROM standard_instances i JOIN tickets t ON t.id = i.ticket_id AND ${ticketVisibilitySql(ctx.actor, alias(tickets, 't'))} LEFT JOIN staff s ON s.id = t.owner_id
    WHERE i.ended_at IS NULL AND ((i.state = 'running' AND i.due_at IS NOT NULL AND i.due_at < now() + ${`${within} minutes`}::interval) OR i.state = 'breached')${tf}
    ORDER BY (i.state = 'breached') DESC, i.due_at LIMIT 100`);
  const loads = agents.map((a) => Number(a.open));
  const avg = loads.length ? loads.reduce((x, y) => x + y, 0) / loads.length : 0;
  return {
    teamId: teamId ?? null, overloadThreshold: overload, withinMinutes: within, at: new Date().toISOString(),
    backlog: { total: backlog.reduce((a, b) => a + Number(b.n), 0), byStatus: backlog.map((b) => ({ status: b.status, count: Number(b.n), oldestCreatedAt: b.oldest ? new Date(b.oldest).toISOString() : null })) },
    agents: agents.map((a) => ({ id: a.id, name: a.name, onDuty: a.on_duty, open: Number(a.open), urgent: Number(a.urgent), overloaded: Number(a.open) >= overload })),
    averageOpen: Math.round(avg * 10) / 10,
    clocks: clocks.map((c) => ({ id: c.id, code: c.code, state: c.state as 'running' | 'breached', dueAt: c.due_at ? new Date(c.due_at).toISOString() : null, ticketId: c.ticket_id, number: c.number, subject: c.subject, ownerName: c.owner_name })),
  };
}

// ───────────────────────────── complaint analysis ─────────────────────────────

/** Pareto of complaint categories (types) and of root-cause tags; repeated problems by site (≥ 2 in the period). */
export async function complaints(database: Database, ctx: Ctx, q: MeasuresQueryInput & { minRepeat?: number | undefined }) {
  const query = buildQuery(ctx, { ...q, groupBy: undefined });
  const f = filterFacts(query.filters);
  const ex = database.db;
  const base = sql`f.type = 'complaint' AND f.created_at >= ${query.from} AND f.created_at < ${query.to}${f}`;
  const pareto = (rows: { key: string | null; label: string | null; n: number | string }[]) => {
    const total = rows.reduce((a, r) => a + Number(r.n), 0);
    let cum = 0;
    return { total, items: rows.map((r) => { cum += Number(r.n); return { key: r.key, label: r.label ?? r.key, count: Number(r.n), share: total ? Number(r.n) / total : 0, cumulative: total ? cum / total : 0 }; }) };
  };
  const byCategory = await rowsOf<{ key: string | null; label: string | null; n: number | string }>(ex, sql`
    SELECT f.category_id::text AS key, max(c.name) AS label, count(*) AS n FROM measure_ticket_facts f LEFT JOIN categories c ON c.id = f.category_id
    WHERE ${base} GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT 50`);
  const byCause = await rowsOf<{ key: string | null; label: string | null; n: number | string }>(ex, sql`
    SELECT tag AS key, tag AS label, count(*) AS n FROM measure_ticket_facts f JOIN tickets t ON t.id = f.ticket_id, unnest(t.tags) AS tag
    WHERE ${base} GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT 50`);
  const minRepeat = q.minRepeat ?? 2;
  const repeats = await rowsOf<{ site: string; category_id: string | null; category: string | null; n: number | string; tickets: string[] | string; types: string[] | string }>(ex, sql`
    SELECT f.site, f.category_id::text AS category_id, max(c.name) AS category, count(*) AS n,
      (array_agg(f.ticket_id::text ORDER BY f.created_at DESC))[1:20] AS tickets, array_agg(DISTINCT f.type) AS types
    FROM measure_ticket_facts f LEFT JOIN categories c ON c.id = f.category_id
    WHERE f.site IS NOT NULL AND f.type IN ('complaint', 'repair') AND f.created_at >= ${query.from} AND f.created_at < ${query.to}${f}
    GROUP BY f.site, f.category_id HAVING count(*) >= ${minRepeat} ORDER BY 4 DESC, 1 LIMIT 50`);
  const arr = (v: string[] | string) => (Array.isArray(v) ? v : String(v).replace(/^\{|\}$/g, '').split(',').filter(Boolean));
  return {
    from: query.from.toISOString(), to: query.to.toISOString(), timeZone: query.tz,
    byCategory: pareto(byCategory), byCause: pareto(byCause),
    repeats: repeats.map((r) => ({ site: r.site, categoryId: r.category_id, category: r.category, count: Number(r.n), ticketIds: arr(r.tickets), types: arr(r.types) })),
  };
}

// ───────────────────────────── TV wall tokens ─────────────────────────────

const hash = (t: string) => createHash('sha256').update(t).digest('hex');

export async function createWallToken(database: Database, ctx: Ctx, input: { name: string; teamId?: string | null | undefined; expiresInDays?: number | undefined }) {
  authorize(ctx.actor, 'measures.manage');
  const days = input.expiresInDays ?? 30;
  const token = `wall_${randomBytes(24).toString('base64url')}`;
  return database.transaction(async (tx) => {
    if (input.teamId) {
      const [t] = await rowsOf<{ id: string }>(tx, sql`SELECT id FROM teams WHERE id = ${input.teamId}`);
      if (!t) throw invalid('teamId', 'no such team');
    }
    const id = uuidv7();
    const expiresAt = new Date(Date.now() + days * DAY);
    await tx.execute(sql`INSERT INTO measure_display_tokens (id, name, token_hash, team_id, expires_at, created_by) VALUES (${id}, ${input.name}, ${hash(token)}, ${input.teamId ?? null}, ${expiresAt}, ${ctx.actor.id!})`);
    await writeAudit(tx, ctx, { action: 'measure.wall_token_created', targetType: 'measure_display_token', targetId: id, changes: diff(null, { name: input.name, teamId: input.teamId ?? null, expiresAt: expiresAt.toISOString() }) });
    return { id, name: input.name, teamId: input.teamId ?? null, expiresAt: expiresAt.toISOString(), token, url: `/wall?token=${token}` };
  });
}

export async function listWallTokens(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'measures.manage');
  const rows = await rowsOf<{ id: string; name: string; team_id: string | null; expires_at: Date | string; revoked_at: Date | string | null; last_used_at: Date | string | null; created_at: Date | string }>(database.db, sql`SELECT * FROM measure_display_tokens ORDER BY created_at DESC LIMIT 200`);
  const iso = (v: Date | string | null) => (v ? new Date(v).toISOString() : null);
  return { items: rows.map((r) => ({ id: r.id, name: r.name, teamId: r.team_id, expiresAt: iso(r.expires_at)!, revokedAt: iso(r.revoked_at), lastUsedAt: iso(r.last_used_at), createdAt: iso(r.created_at)!, active: !r.revoked_at && new Date(r.expires_at).getTime() > Date.now() })) };
}

export async function revokeWallToken(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'measures.manage');
  await database.transaction(async (tx) => {
    const [r] = await rowsOf<{ id: string }>(tx, sql`UPDATE measure_display_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = ${id} RETURNING id`);
    if (!r) throw notFound('Display token');
    await writeAudit(tx, ctx, { action: 'measure.wall_token_revoked', targetType: 'measure_display_token', targetId: id });
  });
}

/** The wall's data only: today's and the last 7 days' measures, hourly volume today and the live board. */
export async function wallData(database: Database, token: string | undefined) {
  if (!token || !/^wall_[A-Za-z0-9_-]{20,80}$/.test(token)) throw new AppError('unauthenticated', 'Display token required');
  const [row] = await rowsOf<{ id: string; name: string; team_id: string | null; expires_at: Date | string; revoked_at: Date | string | null; team_name: string | null }>(database.db, sql`
    SELECT d.*, t.name AS team_name FROM measure_display_tokens d LEFT JOIN teams t ON t.id = d.team_id WHERE d.token_hash = ${hash(token)}`);
  if (!row || row.revoked_at) throw new AppError('unauthenticated', 'Display token revoked or unknown');
  if (new Date(row.expires_at).getTime() <= Date.now()) throw new AppError('token_expired', 'Display token expired');
  await database.db.execute(sql`UPDATE measure_display_tokens SET last_used_at = now() WHERE id = ${row.id} AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`);
  const sys = { actor: { kind: 'system' as const, id: null, name: 'wall' }, requestId: null, ip: null };
  const filters = row.team_id ? { teamId: row.team_id } : {};
  const todayFrom = parseRange({ from: localToday(), to: localToday() });
  const q = (from: Date, to: Date, groupBy: Group[] = []) => runQuery(database.db, { from, to, tz: 'Asia/Shanghai', filters, groupBy, ...(groupBy.length ? { percentiles: false, knowledge: false } : {}) });
  const [d, w, hourly, b] = await Promise.all([
    q(todayFrom.from, todayFrom.to), q(new Date(todayFrom.to.getTime() - 7 * DAY), todayFrom.to), q(new Date(todayFrom.to.getTime() - 7 * DAY), todayFrom.to, ['day']),
    board(database, sys, { teamId: row.team_id ?? undefined }),
  ]);
  const v = await currentVersion(database.db);
  return {
    name: row.name, teamName: row.team_name, at: new Date().toISOString(), version: v,
    today: present(d.total), week: present(w.total),
    trend: hourly.rows.map((r) => ({ day: r.key.day, ...present(r) })),
    board: { backlog: b.backlog, overloaded: b.agents.filter((a) => a.overloaded).map((a) => ({ name: a.name, open: a.open })), clocks: b.clocks.slice(0, 10).map((c) => ({ code: c.code, state: c.state, dueAt: c.dueAt, number: c.number })) },
    targets: await targetsMap(database.db),
  };
}

function localToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

export { DAY };
