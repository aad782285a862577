/**
 * Measures commands: the contract summary, the general measures query (filters, group-by, numerators and
 * denominators), drill-down to the tickets behind a number and distributions. Targets and alerts, the team board and
 * complaint analysis, the TV wall and scheduled reports are measures.<area>.commands.ts. Policy first in every
 * command; scoped by what the actor may see.
 */
import type { Database, Executor } from '../../db/client';
import type { Ctx } from '../../lib/context';
import { invalid } from '../../lib/errors';
import { parseRange } from '../standards/standards.period';
import { authorize, can } from '../identity/policy';
import { scopeFilters } from './measures.policy';
import { measuresRepo, type DrillMeasure } from './measures.repo';
import { presentDrillRow } from './measures.present';
import { targetsMap } from './measures.targets.commands';
import { filterFacts, GROUPS, kbUsageExists, present, runQuery, TIME_GROUPS, type Filters, type Group, type Query } from './query';

export { targetsMap } from './measures.targets.commands';
const DAY = 86_400_000;

export interface MeasuresQueryInput extends Filters {
  from?: string | undefined;
  to?: string | undefined;
  tz?: string | undefined;
  groupBy?: string | undefined;
  source?: 'auto' | 'rollup' | 'facts' | undefined;
  percentiles?: 'true' | 'false' | undefined;
  knowledge?: 'true' | 'false' | undefined;
}

export { scopeFilters } from './measures.policy';

export function parseGroups(s: string | undefined): Group[] {
  if (!s) return [];
  const gs = s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
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
  return {
    from: range.from,
    to: range.to,
    tz: range.tz,
    filters: scopeFilters(ctx, filtersOf(q), { ...o, groupBy }),
    groupBy,
    source: q.source ?? 'auto',
    percentiles: q.percentiles !== 'false',
    knowledge: q.knowledge !== 'false',
  };
}

async function labels(ex: Executor, rows: { key: Record<string, string | null> }[]): Promise<Map<string, string>> {
  const ids = { team: new Set<string>(), agent: new Set<string>(), category: new Set<string>() };
  for (const r of rows)
    for (const k of ['team', 'agent', 'category'] as const) {
      const v = r.key[k];
      if (v) ids[k].add(v);
    }
  const out = new Map<string, string>();
  const load = async (table: 'teams' | 'staff' | 'categories', set: Set<string>) => {
    if (!set.size) return;
    for (const r of await measuresRepo.names(ex, table, [...set])) out.set(r.id, r.name);
  };
  await load('teams', ids.team);
  await load('staff', ids.agent);
  await load('categories', ids.category);
  return out;
}

/** `GET /metrics/summary` (contract): the fixed measures over [from, to), with the counts behind each. */
export async function summary(database: Database, ctx: Ctx, q: { from?: string | undefined; to?: string | undefined; tz?: string | undefined }) {
  authorize(ctx.actor, 'measures.view');
  const query = buildQuery(ctx, q);
  const res = await runQuery(database.db, query);
  const p = present(res.total);
  return {
    csat: p.csat.value,
    nps: p.nps.value,
    ces: p.ces.value,
    fcr: p.fcr.value,
    standardExecutionRate: p.standardExecutionRate.value,
    complaintRate: p.complaintRate.value,
    complaintResolutionRate: p.complaintResolutionRate.value,
    firstResponseSecondsP50: p.firstResponseSeconds.p50,
    resolutionSecondsP50: p.resolutionSeconds.p50,
    tickets: p.tickets,
    firstResponseSecondsP90: p.firstResponseSeconds.p90,
    resolutionSecondsP90: p.resolutionSeconds.p90,
    knowledgeApplicationRate: p.knowledgeApplicationRate.value,
    recoveryRate: p.recoveryRate.value,
    from: query.from.toISOString(),
    to: query.to.toISOString(),
    timeZone: query.tz,
    source: res.source,
    counts: {
      csat: p.csat,
      nps: p.nps,
      ces: p.ces,
      fcr: p.fcr,
      standardExecutionRate: p.standardExecutionRate,
      complaintRate: p.complaintRate,
      complaintResolutionRate: p.complaintResolutionRate,
      recoveryRate: p.recoveryRate,
      knowledgeApplicationRate: p.knowledgeApplicationRate,
      firstResponse: p.firstResponseSeconds,
      resolution: p.resolutionSeconds,
      resolved: p.resolved,
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
    from: query.from.toISOString(),
    to: query.to.toISOString(),
    timeZone: query.tz,
    groupBy: query.groupBy,
    filters: query.filters,
    source: res.source,
    cube: res.cube,
    version,
    total: present(res.total),
    rows: res.rows.map((r) => ({
      key: r.key,
      labels: Object.fromEntries(Object.entries(r.key).map(([k, v]) => [k, v ? (names.get(v) ?? v) : null])),
      ...present(r),
    })),
    targets: await targetsMap(database.db),
  };
}

export function currentVersion(ex: Executor): Promise<number> {
  return measuresRepo.version(ex);
}

/** Cheap freshness probe for open dashboards: the version grows with every applied batch; `pending` = queued events. */
export async function version(database: Database, ctx: Ctx) {
  if (!can(ctx.actor, 'measures.view')) authorize(ctx.actor, 'measures.own');
  const r = await measuresRepo.versionProbe(database.db);
  return { version: Number(r?.value ?? 0), updatedAt: r ? new Date(r.updated_at).toISOString() : null, pending: Number(r?.pending ?? 0) };
}

// ───────────────────────────── drill-down ─────────────────────────────

export const DRILL_MEASURES: readonly [DrillMeasure, ...DrillMeasure[]] = [
  'tickets',
  'csat',
  'nps',
  'ces',
  'fcr',
  'standardExecutionRate',
  'complaintRate',
  'complaintResolutionRate',
  'recoveryRate',
  'knowledgeApplicationRate',
  'firstResponse',
  'resolution',
] as const;
export type { DrillMeasure } from './measures.repo';

/** The tickets behind a number: `part` numerator or denominator of the measure, same period and filters. */
export async function drill(
  database: Database,
  ctx: Ctx,
  q: MeasuresQueryInput & {
    measure: DrillMeasure;
    part?: 'numerator' | 'denominator' | 'detractors' | undefined;
    limit?: number | undefined;
    cursor?: string | undefined;
    key?: string | undefined;
  },
) {
  const query = buildQuery(ctx, { ...q, groupBy: undefined }, { drill: true });
  const part = q.part ?? 'denominator';
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
  const offset = q.cursor ? Number(q.cursor) : 0;
  if (!Number.isInteger(offset) || offset < 0) throw invalid('cursor', 'use the nextCursor of the previous page');
  if (!(DRILL_MEASURES as readonly string[]).includes(q.measure)) throw invalid('measure', `use one of ${DRILL_MEASURES.join(', ')}`);
  if (q.measure === 'knowledgeApplicationRate' && part === 'numerator' && !(await kbUsageExists(database.db))) return { items: [], nextCursor: null, total: 0 };
  const { total, items } = await measuresRepo.drill(database.db, {
    measure: q.measure,
    part,
    from: query.from,
    to: query.to,
    facts: filterFacts(query.filters),
    actor: ctx.actor,
    limit,
    offset,
  });
  return { total, nextCursor: offset + items.length < total ? String(offset + items.length) : null, items: items.map(presentDrillRow) };
}

// ───────────────────────────── distributions ─────────────────────────────

/** Bucket edges (seconds) of the response/resolution time distributions. */
export const DISTRIBUTION_EDGES = [0, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 259_200];

/** Histogram of first-response or resolution business seconds (facts), with P50/P90. */
export async function distribution(database: Database, ctx: Ctx, q: MeasuresQueryInput & { measure: 'firstResponse' | 'resolution' }) {
  const query = buildQuery(ctx, { ...q, groupBy: undefined });
  const edges = DISTRIBUTION_EDGES;
  const counts = await measuresRepo.distribution(database.db, { measure: q.measure, edges, from: query.from, to: query.to, facts: filterFacts(query.filters) });
  const res = await runQuery(database.db, { ...query, groupBy: [] });
  const p = q.measure === 'firstResponse' ? res.total.firstResponse : res.total.resolution;
  return {
    measure: q.measure,
    from: query.from.toISOString(),
    to: query.to.toISOString(),
    p50: p.p50,
    p90: p.p90,
    count: p.count,
    buckets: edges.map((e, i) => ({ fromSeconds: e, toSeconds: edges[i + 1] ?? null, count: counts.get(i) ?? 0 })),
  };
}

export { DAY };
