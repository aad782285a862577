/**
 * The measures query engine. Counters come from the rollup cubes when a cube covers the query (its dimensions
 * include every filter and group, and the period is aligned to its buckets), otherwise from the facts tables
 * (exact, indexed). Percentiles (P50/P90, nearest rank = percentile_disc) and the knowledge application rate
 * always come from the facts. Both paths give identical counters (tested).
 */
import { sql, type SQL } from 'drizzle-orm';
import { COUNTERS, ratesOf, zeroCounters, addCounters, type Counters } from '@chidu/core/measures/index';
import type { Executor } from '../../db/client';
import { CUBES, COUNTER_COLUMNS, dayStart, reportingTz, type DimName } from './facts';

const HOUR = 3_600_000;
export const GROUPS = ['day', 'week', 'month', 'team', 'agent', 'channel', 'type', 'tier', 'category', 'site'] as const;
export type Group = (typeof GROUPS)[number];
export const TIME_GROUPS = new Set<Group>(['day', 'week', 'month']);

export interface Filters {
  teamId?: string | undefined;
  agentId?: string | undefined;
  channel?: string | undefined;
  type?: string | undefined;
  tier?: string | undefined;
  categoryId?: string | undefined;
  site?: string | undefined;
}
export interface Query {
  from: Date;
  to: Date;
  tz: string;
  filters: Filters;
  groupBy: Group[];
  source?: 'auto' | 'rollup' | 'facts';
  percentiles?: boolean;
  knowledge?: boolean;
}
export interface Row {
  key: Record<string, string | null>;
  counters: Counters;
  firstResponse: Pct;
  resolution: Pct;
  knowledge: { numerator: number | null; denominator: number };
}
export interface Pct {
  p50: number | null;
  p90: number | null;
  count: number;
}

const GROUP_DIM: Partial<Record<Group, DimName>> = { team: 'team', agent: 'owner', channel: 'channel', type: 'type', tier: 'tier' };
const FILTER_DIM: Record<keyof Filters, DimName | null> = {
  teamId: 'team',
  agentId: 'owner',
  channel: 'channel',
  type: 'type',
  tier: 'tier',
  categoryId: null,
  site: null,
};
const FACT_COL: Record<Exclude<Group, 'day' | 'week' | 'month'>, string> = {
  team: 'team_id',
  agent: 'owner_id',
  channel: 'channel',
  type: 'type',
  tier: 'tier',
  category: 'category_id',
  site: 'site',
};
const FILTER_COL: Record<keyof Filters, string> = {
  teamId: 'team_id',
  agentId: 'owner_id',
  channel: 'channel',
  type: 'type',
  tier: 'tier',
  categoryId: 'category_id',
  site: 'site',
};

/** Which rollup cube answers the query, or null (→ facts). */
export function planCube(q: Query): (typeof CUBES)[number] | null {
  if (q.source === 'facts') return null;
  const need = new Set<DimName>();
  for (const [k, v] of Object.entries(q.filters) as [keyof Filters, string | undefined][]) {
    if (v === undefined) continue;
    const dim = FILTER_DIM[k];
    if (!dim) return null;
    need.add(dim);
  }
  const timeGroup = q.groupBy.some((g) => TIME_GROUPS.has(g));
  for (const g of q.groupBy) {
    if (TIME_GROUPS.has(g)) continue;
    const dim = GROUP_DIM[g];
    if (!dim) return null;
    need.add(dim);
  }
  const from = q.from.getTime();
  const to = q.to.getTime();
  const tz = reportingTz();
  const dayAligned = dayStart(from, tz) === from && dayStart(to, tz) === to && (!timeGroup || q.tz === tz);
  // Hour buckets fall inside one local day only when the zone's offset is whole hours over the period.
  const hourAligned = from % HOUR === 0 && to % HOUR === 0 && (!timeGroup || (dayStart(from, q.tz) % HOUR === 0 && dayStart(to - 1, q.tz) % HOUR === 0));
  for (const c of CUBES) {
    if (![...need].every((d) => c.dims.includes(d))) continue;
    if (c.grain === 'day' ? dayAligned : hourAligned) return c;
  }
  return null;
}

const timeExpr = (g: Group, col: SQL, tz: string) => sql`to_char(date_trunc(${g}, ${col} AT TIME ZONE ${tz}), 'YYYY-MM-DD')`;

function groupExprs(q: Query, timeCol: SQL, prefix: string, rollup: boolean): { name: string; expr: SQL }[] {
  return q.groupBy.map((g) => {
    if (TIME_GROUPS.has(g)) return { name: g, expr: timeExpr(g, timeCol, q.tz) };
    const col = rollup ? { team: 'team_id', agent: 'owner_id', channel: 'channel', type: 'type', tier: 'tier' }[g as 'team'] : FACT_COL[g as 'team'];
    return { name: g, expr: sql.raw(`${prefix}${col}::text`) };
  });
}

function filterSql(f: Filters, prefix: string, rollup: boolean): SQL {
  const parts: SQL[] = [];
  for (const [k, v] of Object.entries(f) as [keyof Filters, string | undefined][]) {
    if (v === undefined) continue;
    const col = rollup
      ? ({ teamId: 'team_id', agentId: 'owner_id', channel: 'channel', type: 'type', tier: 'tier' } as Record<string, string>)[k]!
      : FILTER_COL[k];
    parts.push(sql`${sql.raw(`${prefix}${col}`)}::text = ${v}`);
  }
  return parts.length ? sql` AND ${sql.join(parts, sql` AND `)}` : sql``;
}

/** Filters on the facts table aliased `f` (drill-down, complaint analysis). */
export const filterFacts = (f: Filters) => filterSql(f, 'f.', false);

const keyOf = (names: string[], r: Record<string, unknown>) => JSON.stringify(names.map((n) => r[`g_${n}`] ?? null));
const selectGroups = (gs: { name: string; expr: SQL }[]) =>
  gs.length
    ? sql`${sql.join(
        gs.map((g) => sql`${g.expr} AS ${sql.raw(`g_${g.name}`)}`),
        sql`, `,
      )}, `
    : sql``;
const groupClause = (gs: { name: string }[]) => (gs.length ? sql` GROUP BY ${sql.raw(gs.map((_, i) => String(i + 1)).join(', '))}` : sql``);

async function rowsOf(ex: Executor, q: SQL): Promise<Record<string, unknown>[]> {
  return ((await ex.execute(q)) as { rows: Record<string, unknown>[] }).rows;
}

/** Counters per group from a rollup cube. */
async function countersFromRollup(ex: Executor, q: Query, cubeId: number): Promise<Map<string, { key: Record<string, unknown>; c: Counters }>> {
  const gs = groupExprs(q, sql`bucket`, '', true);
  const sums = COUNTERS.map((k) => `coalesce(sum(${COUNTER_COLUMNS[k]}), 0)::bigint AS ${COUNTER_COLUMNS[k]}`).join(', ');
  const rows = await rowsOf(
    ex,
    sql`SELECT ${selectGroups(gs)}${sql.raw(sums)} FROM measure_rollup
    WHERE cube = ${cubeId} AND bucket >= ${q.from} AND bucket < ${q.to}${filterSql(q.filters, '', true)}${groupClause(gs)}`,
  );
  const out = new Map<string, { key: Record<string, unknown>; c: Counters }>();
  const names = gs.map((g) => g.name);
  for (const r of rows) {
    const c = zeroCounters();
    for (const k of COUNTERS) c[k] = Number(r[COUNTER_COLUMNS[k]] ?? 0);
    if (gs.length && COUNTERS.every((k) => c[k] === 0)) continue;
    out.set(keyOf(names, r), { key: r, c });
  }
  return out;
}

/** Counters per group straight from the facts tables (each measure in the period of its own instant). */
async function countersFromFacts(ex: Executor, q: Query): Promise<Map<string, { key: Record<string, unknown>; c: Counters }>> {
  const out = new Map<string, { key: Record<string, unknown>; c: Counters }>();
  const names = q.groupBy as string[];
  const f = filterSql(q.filters, 'f.', false);
  const merge = (rows: Record<string, unknown>[], map: Partial<Record<(typeof COUNTERS)[number], string>>) => {
    for (const r of rows) {
      const k = keyOf(names, r);
      let e = out.get(k);
      if (!e) {
        e = { key: r, c: zeroCounters() };
        out.set(k, e);
      }
      for (const [counter, col] of Object.entries(map)) e.c[counter as (typeof COUNTERS)[number]] += Number(r[col] ?? 0);
    }
  };
  const sub = async (timeCol: SQL, from: SQL, where: SQL, cols: SQL) => {
    const gs = groupExprs(q, timeCol, 'f.', false);
    return rowsOf(ex, sql`SELECT ${selectGroups(gs)}${cols} FROM ${from} WHERE ${timeCol} >= ${q.from} AND ${timeCol} < ${q.to}${where}${f}${groupClause(gs)}`);
  };
  merge(
    await sub(
      sql`f.created_at`,
      sql`measure_ticket_facts f`,
      sql``,
      sql`count(*) AS created, count(*) FILTER (WHERE f.type = 'complaint') AS complaints,
    count(*) FILTER (WHERE f.type = 'complaint' AND f.resolved_at IS NOT NULL AND f.reopen_count = 0) AS complaints_ok, count(f.first_response_seconds) AS fr_count`,
    ),
    { created: 'created', complaints: 'complaints', complaintsOk: 'complaints_ok', frCount: 'fr_count' },
  );
  merge(
    await sub(
      sql`f.resolved_at`,
      sql`measure_ticket_facts f`,
      sql``,
      sql`count(*) AS resolved, count(*) FILTER (WHERE f.fcr) AS fcr, count(f.resolution_seconds) AS rs_count`,
    ),
    { resolved: 'resolved', fcr: 'fcr', rsCount: 'rs_count' },
  );
  merge(
    await sub(
      sql`a.at`,
      sql`measure_answer_facts a JOIN measure_ticket_facts f ON f.ticket_id = a.ticket_id`,
      sql``,
      sql`count(a.csat) AS csat_count, count(*) FILTER (WHERE a.csat >= 4) AS csat_positive,
    count(a.nps) AS nps_count, count(*) FILTER (WHERE a.nps >= 9) AS nps_promoters, count(*) FILTER (WHERE a.nps <= 6) AS nps_detractors, count(a.ces) AS ces_count, coalesce(sum(a.ces), 0) AS ces_sum`,
    ),
    {
      csatCount: 'csat_count',
      csatPositive: 'csat_positive',
      npsCount: 'nps_count',
      npsPromoters: 'nps_promoters',
      npsDetractors: 'nps_detractors',
      cesCount: 'ces_count',
      cesSum: 'ces_sum',
    },
  );
  merge(
    await sub(
      sql`o.ended_at`,
      sql`measure_outcome_facts o JOIN measure_ticket_facts f ON f.ticket_id = o.ticket_id`,
      sql``,
      sql`count(*) FILTER (WHERE o.met) AS std_met, count(*) FILTER (WHERE NOT o.met) AS std_breached`,
    ),
    { stdMet: 'std_met', stdBreached: 'std_breached' },
  );
  merge(
    await sub(
      sql`r.closed_at`,
      sql`measure_recovery_facts r JOIN measure_ticket_facts f ON f.ticket_id = r.ticket_id`,
      sql``,
      sql`count(*) AS rec_closed, count(*) FILTER (WHERE r.recovered) AS rec_recovered`,
    ),
    { recClosed: 'rec_closed', recRecovered: 'rec_recovered' },
  );
  return out;
}

let kbUsageKnown: { at: number; exists: boolean } | null = null;
/** Does the knowledge base's usage table exist (built by another module)? Cached for a minute. */
export async function kbUsageExists(ex: Executor): Promise<boolean> {
  if (kbUsageKnown && Date.now() - kbUsageKnown.at < 60_000) return kbUsageKnown.exists;
  const [r] = await rowsOf(ex, sql`SELECT to_regclass('kb_usage') IS NOT NULL AS ok`);
  kbUsageKnown = { at: Date.now(), exists: Boolean(r?.ok) };
  return kbUsageKnown.exists;
}

/** The pool (not a transaction, whose one connection runs one statement at a time): independent reads run concurrently. */
const canParallel = (ex: Executor) => !('rollback' in (ex as object));

async function factsExtras(ex: Executor, q: Query) {
  const names = q.groupBy as string[];
  const f = filterSql(q.filters, 'f.', false);
  const pct = async (col: string, timeCol: string) => {
    const gs = groupExprs(q, sql.raw(`f.${timeCol}`), 'f.', false);
    const rows = await rowsOf(
      ex,
      sql`SELECT ${selectGroups(gs)}
        percentile_disc(0.5) WITHIN GROUP (ORDER BY ${sql.raw(`f.${col}`)}) AS p50, percentile_disc(0.9) WITHIN GROUP (ORDER BY ${sql.raw(`f.${col}`)}) AS p90, count(*) AS n
      FROM measure_ticket_facts f WHERE ${sql.raw(`f.${timeCol}`)} >= ${q.from} AND ${sql.raw(`f.${timeCol}`)} < ${q.to} AND ${sql.raw(`f.${col}`)} IS NOT NULL${f}${groupClause(gs)}`,
    );
    return new Map(
      rows.map((r) => [
        keyOf(names, r),
        { key: r, v: { p50: r.p50 === null ? null : Number(r.p50), p90: r.p90 === null ? null : Number(r.p90), count: Number(r.n) } },
      ]),
    );
  };
  const kb = new Map<string, { key: Record<string, unknown>; v: { numerator: number | null; denominator: number } }>();
  const kbPart = async () => {
    if (q.knowledge === false || !(await kbUsageExists(ex))) return;
    const gs = groupExprs(q, sql`f.resolved_at`, 'f.', false);
    const rows = await rowsOf(
      ex,
      sql`SELECT ${selectGroups(gs)} count(*) AS den,
        count(*) FILTER (WHERE EXISTS (SELECT 1 FROM kb_usage u WHERE u.ticket_id = f.ticket_id AND u.kind = 'used')) AS num
      FROM measure_ticket_facts f WHERE f.resolved_at >= ${q.from} AND f.resolved_at < ${q.to}${f}${groupClause(gs)}`,
    );
    for (const r of rows) kb.set(keyOf(names, r), { key: r, v: { numerator: Number(r.num), denominator: Number(r.den) } });
  };
  const none = () => Promise.resolve(new Map<string, { key: Record<string, unknown>; v: Pct }>());
  const parts = [
    q.percentiles === false ? none : () => pct('first_response_seconds', 'created_at'),
    q.percentiles === false ? none : () => pct('resolution_seconds', 'resolved_at'),
  ] as const;
  let fr: Map<string, { key: Record<string, unknown>; v: Pct }>;
  let rs: typeof fr;
  if (canParallel(ex)) [fr, rs] = await Promise.all([parts[0](), parts[1](), kbPart()]);
  else {
    fr = await parts[0]();
    rs = await parts[1]();
    await kbPart();
  }
  return { fr, rs, kb, kbExists: q.knowledge !== false && (kbUsageKnown?.exists ?? false) };
}

export interface QueryResult {
  source: 'rollup' | 'facts';
  cube: number | null;
  rows: Row[];
  total: Row;
}

/** Run a measures query: one row per group (sorted by key), plus the total over the whole period and filters. */
export async function runQuery(ex: Executor, q: Query): Promise<QueryResult> {
  const cube = planCube(q);
  if (q.source === 'rollup' && !cube) throw new Error('no rollup cube covers this query');
  const names0 = q.groupBy as string[];
  // Totals of a grouped query: counters add up, percentiles do not — computed over the whole period (concurrently on the pool).
  const totalP = names0.length && canParallel(ex) ? runQuery(ex, { ...q, groupBy: [] }) : null;
  const [counters, extras] = canParallel(ex)
    ? await Promise.all([cube ? countersFromRollup(ex, q, cube.id) : countersFromFacts(ex, q), factsExtras(ex, q)])
    : [cube ? await countersFromRollup(ex, q, cube.id) : await countersFromFacts(ex, q), await factsExtras(ex, q)];
  const names = q.groupBy as string[];
  const keys = new Set<string>([...counters.keys(), ...extras.fr.keys(), ...extras.rs.keys()]);
  const emptyPct: Pct = { p50: null, p90: null, count: 0 };
  const rows: Row[] = [];
  for (const k of keys) {
    const src = counters.get(k)?.key ?? extras.fr.get(k)?.key ?? extras.rs.get(k)?.key ?? {};
    const c = counters.get(k)?.c ?? zeroCounters();
    const key = Object.fromEntries(names.map((n) => [n, (src[`g_${n}`] as string | null | undefined) ?? null]));
    rows.push({
      key,
      counters: c,
      firstResponse: extras.fr.get(k)?.v ?? emptyPct,
      resolution: extras.rs.get(k)?.v ?? emptyPct,
      knowledge: extras.kb.get(k)?.v ?? { numerator: extras.kbExists ? 0 : null, denominator: c.resolved },
    });
  }
  rows.sort((a, b) => JSON.stringify(names.map((n) => a.key[n])).localeCompare(JSON.stringify(names.map((n) => b.key[n]))));
  let total: Row;
  if (names.length === 0)
    total = rows[0] ?? {
      key: {},
      counters: zeroCounters(),
      firstResponse: emptyPct,
      resolution: emptyPct,
      knowledge: { numerator: extras.kbExists ? 0 : null, denominator: 0 },
    };
  else total = (await (totalP ?? runQuery(ex, { ...q, groupBy: [] }))).total;
  return { source: cube ? 'rollup' : 'facts', cube: cube?.id ?? null, rows, total };
}

/** The measures of one row with numerators and denominators. */
export function present(r: Row) {
  const x = ratesOf(r.counters);
  const kb = r.knowledge;
  return {
    csat: x.csat,
    nps: x.nps,
    ces: x.ces,
    fcr: x.fcr,
    standardExecutionRate: x.standardExecutionRate,
    complaintRate: x.complaintRate,
    complaintResolutionRate: x.complaintResolutionRate,
    recoveryRate: x.recoveryRate,
    knowledgeApplicationRate: {
      value: kb.numerator === null || kb.denominator === 0 ? null : kb.numerator / kb.denominator,
      numerator: kb.numerator,
      denominator: kb.denominator,
    },
    firstResponseSeconds: r.firstResponse,
    resolutionSeconds: r.resolution,
    tickets: x.tickets,
    resolved: x.resolved,
  };
}

export { addCounters };
