/**
 * The QA dashboard's figures (issue #15 item 10), pure: score by dimension, item, agent, team and month; most-failed
 * items; appeal rate and outcome. An item counts as failed when it scored below 60 % of its maximum (a "no" on a
 * yes/no item). A dimension's score is Σ weight × score/max ÷ Σ weight over its items that were not N/A.
 */
import { DIMENSIONS, maxOf, type Dimension, type ScorecardItem } from './scorecard';

export const FAIL_BELOW = 0.6;

export interface StatsInspection {
  id: string;
  agentId: string;
  teamId: string | null;
  score: number | null;
  passed: boolean | null;
  scores: { item: string; score: number | null }[];
  items: ScorecardItem[];
  month: string;
}
export interface StatsAppeal {
  inspectionId: string;
  state: string;
  scoreBefore: number;
  scoreAfter: number | null;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const avg = (sum: number, n: number) => (n ? round1(sum / n) : null);

interface Acc {
  n: number;
  sum: number;
  passed: number;
}
const acc = (): Acc => ({ n: 0, sum: 0, passed: 0 });
function add(a: Acc, i: StatsInspection) {
  a.n += 1;
  a.sum += i.score ?? 0;
  if (i.passed) a.passed += 1;
}
const out = (a: Acc) => ({ n: a.n, average: avg(a.sum, a.n), passRate: a.n ? round1((a.passed / a.n) * 100) : null });

/** The items of an inspection that were scored (not N/A), each with its score as a share of the maximum. */
function scoredItems(i: StatsInspection): { it: ScorecardItem; ratio: number }[] {
  const given = new Map(i.scores.map((s) => [s.item, s.score]));
  return i.items.flatMap((it) => {
    const s = given.get(it.key);
    return s === null || s === undefined ? [] : [{ it, ratio: s / maxOf(it.scale) }];
  });
}

export type AppealFilter = 'filed' | 'open' | 'upheld' | 'revised';
export interface DrillFilter {
  agentId?: string | undefined;
  month?: string | undefined;
  dimension?: Dimension | undefined;
  item?: string | undefined;
  label?: string | undefined;
  failed?: boolean | undefined;
  appeal?: AppealFilter | undefined;
}

/**
 * The inspections behind a figure of `qaStats` (drill-down), by the same rules: an agent's or a month's; a
 * dimension's (it had a scored item of positive weight there); an item's (scored, not N/A), with `failed` only
 * those below FAIL_BELOW; with `appeal` those whose appeal was filed / is open / was upheld / revised.
 */
export function drillDown<T extends StatsInspection>(rows: readonly T[], appeals: readonly StatsAppeal[], f: DrillFilter): T[] {
  const appealOf = new Map(appeals.map((a) => [a.inspectionId, a.state]));
  return rows.filter((i) => {
    if (f.agentId && i.agentId !== f.agentId) return false;
    if (f.month && i.month !== f.month) return false;
    const scored = scoredItems(i);
    if (f.dimension && !scored.some((x) => x.it.dimension === f.dimension && x.it.weight > 0)) return false;
    if (f.item) {
      const hit = scored.find((x) => x.it.key === f.item && (f.label === undefined || x.it.label === f.label));
      if (!hit || (f.failed && hit.ratio >= FAIL_BELOW)) return false;
    }
    if (f.appeal) {
      const st = appealOf.get(i.id);
      if (st === undefined) return false;
      if (f.appeal === 'open' && st !== 'open') return false;
      if (f.appeal === 'revised' && st !== 'revised') return false;
      if (f.appeal === 'upheld' && (st === 'open' || st === 'revised')) return false;
    }
    return true;
  });
}

export function qaStats(rows: readonly StatsInspection[], appeals: readonly StatsAppeal[]) {
  const total = acc();
  const byAgent = new Map<string, Acc>();
  const byTeam = new Map<string, Acc>();
  const byMonth = new Map<string, Acc>();
  const dims = new Map<Dimension, { got: number; weight: number; n: number }>(DIMENSIONS.map((d) => [d, { got: 0, weight: 0, n: 0 }]));
  const items = new Map<string, { item: string; label: string; dimension: Dimension; n: number; sum: number; failed: number }>();
  for (const i of rows) {
    add(total, i);
    for (const [map, key] of [
      [byAgent, i.agentId],
      [byTeam, i.teamId ?? ''],
      [byMonth, i.month],
    ] as const) {
      if (!map.has(key)) map.set(key, acc());
      add(map.get(key)!, i);
    }
    const perDim = new Map<Dimension, { got: number; weight: number }>();
    for (const { it, ratio } of scoredItems(i)) {
      const key = `${it.key}\u0000${it.label}`;
      const cur = items.get(key) ?? { item: it.key, label: it.label, dimension: it.dimension, n: 0, sum: 0, failed: 0 };
      cur.n += 1;
      cur.sum += ratio * 100;
      if (ratio < FAIL_BELOW) cur.failed += 1;
      items.set(key, cur);
      const d = perDim.get(it.dimension) ?? { got: 0, weight: 0 };
      d.got += it.weight * ratio;
      d.weight += it.weight;
      perDim.set(it.dimension, d);
    }
    for (const [d, v] of perDim) {
      if (v.weight <= 0) continue;
      const cur = dims.get(d)!;
      cur.got += (v.got / v.weight) * 100;
      cur.n += 1;
    }
  }
  const itemList = [...items.values()]
    .map((x) => ({
      item: x.item,
      label: x.label,
      dimension: x.dimension,
      n: x.n,
      average: avg(x.sum, x.n)!,
      failed: x.failed,
      failRate: round1((x.failed / x.n) * 100),
    }))
    .sort((a, b) => b.failRate - a.failRate || b.failed - a.failed || a.item.localeCompare(b.item));
  const ruled = appeals.filter((a) => a.state !== 'open');
  const revised = appeals.filter((a) => a.state === 'revised');
  return {
    ...out(total),
    dimensions: DIMENSIONS.map((d) => ({ dimension: d, n: dims.get(d)!.n, average: avg(dims.get(d)!.got, dims.get(d)!.n) })),
    items: itemList,
    agents: [...byAgent].map(([agentId, a]) => ({ agentId, ...out(a) })).sort((a, b) => (b.average ?? 0) - (a.average ?? 0)),
    teams: [...byTeam].map(([teamId, a]) => ({ teamId: teamId || null, ...out(a) })).sort((a, b) => (b.average ?? 0) - (a.average ?? 0)),
    months: [...byMonth].map(([month, a]) => ({ month, ...out(a) })).sort((a, b) => a.month.localeCompare(b.month)),
    appeals: {
      filed: appeals.length,
      rate: total.n ? round1((appeals.length / total.n) * 100) : null,
      open: appeals.length - ruled.length,
      upheld: ruled.length - revised.length,
      revised: revised.length,
      averageChange: revised.length ? round1(revised.reduce((s, a) => s + ((a.scoreAfter ?? a.scoreBefore) - a.scoreBefore), 0) / revised.length) : null,
    },
  };
}
