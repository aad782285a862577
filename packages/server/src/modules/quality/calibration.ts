/**
 * Calibration arithmetic (校准, issue #15 item 6). Pure: no I/O.
 *
 * Per ticket and scorecard item, over the inspectors who scored it (N/A left out):
 * - spread: min, max and the population standard deviation (σ, divided by n) of the scores, in the item's points;
 * - consensus: the lead's reference score where one is set, otherwise the inspectors' mean;
 * - each inspector's deviation: |score − consensus| ÷ the item's maximum × 100, i.e. points on a 0–100 scale, so a
 *   yes/no item and a 0–5 item weigh alike.
 * An inspector's mean absolute deviation (MAD) is the mean of their deviations; the session's MAD is the mean of
 * all deviations (every inspector, ticket and item).
 * ICC(2,1) (Shrout & Fleiss 1979: two-way random effects, absolute agreement, single rater) takes every
 * ticket × item that all inspectors scored as a target, each score on the 0–100 scale; null when fewer than two
 * targets or the figure is undefined (no variance at all).
 */
import { maxOf, scoreOf, type ItemScore, type ScorecardItem } from './scorecard';

/** ticket → inspector → item → score (null = N/A). */
export type ScoreGrid = Map<string, Map<string, Map<string, number | null>>>;
/** ticket → item → the lead's reference score. */
export type ReferenceGrid = Map<string, Map<string, number | null>>;

export interface ItemResult {
  item: string;
  max: number;
  scores: { inspectorId: string; score: number | null }[];
  /** The lowest and highest score given (item points). */
  low: number | null;
  high: number | null;
  stdev: number | null;
  consensus: number | null;
  reference: boolean;
}
export interface TicketResult {
  ticketId: string;
  items: ItemResult[];
  /** Each inspector's total 0–100 by the scorecard's rule, and the consensus scores' total. */
  totals: { inspectorId: string; score: number | null }[];
  consensusTotal: number | null;
}
export interface CalibrationResult {
  tickets: TicketResult[];
  inspectors: { inspectorId: string; mad: number | null; n: number }[];
  mad: number | null;
  icc: number | null;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Population standard deviation (σ). */
export function stdevP(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
}

/**
 * ICC(2,1) of an n targets × k raters matrix (complete, no missing cells):
 * (MSR − MSE) / (MSR + (k−1)·MSE + k·(MSC − MSE)/n). Null when n < 2, k < 2 or the denominator is 0.
 */
export function icc21(matrix: readonly (readonly number[])[]): number | null {
  const n = matrix.length;
  const k = matrix[0]?.length ?? 0;
  if (n < 2 || k < 2 || matrix.some((r) => r.length !== k)) return null;
  const all = matrix.flat();
  const gm = mean(all);
  const rowMeans = matrix.map((r) => mean(r));
  const colMeans = Array.from({ length: k }, (_, j) => mean(matrix.map((r) => r[j]!)));
  const ssr = k * rowMeans.reduce((a, m) => a + (m - gm) ** 2, 0);
  const ssc = n * colMeans.reduce((a, m) => a + (m - gm) ** 2, 0);
  const sst = all.reduce((a, x) => a + (x - gm) ** 2, 0);
  const sse = sst - ssr - ssc;
  const msr = ssr / (n - 1);
  const msc = ssc / (k - 1);
  const mse = sse / ((n - 1) * (k - 1));
  const den = msr + (k - 1) * mse + (k * (msc - mse)) / n;
  if (Math.abs(den) < 1e-12) return null;
  return (msr - mse) / den;
}

export function calibrationResult(
  items: readonly ScorecardItem[],
  passMark: number,
  ticketIds: readonly string[],
  inspectorIds: readonly string[],
  grid: ScoreGrid,
  refs: ReferenceGrid,
): CalibrationResult {
  const devs = new Map<string, number[]>(inspectorIds.map((id) => [id, []]));
  const targets: number[][] = [];
  const tickets: TicketResult[] = ticketIds.map((ticketId) => {
    const byInspector = grid.get(ticketId) ?? new Map<string, Map<string, number | null>>();
    const ref = refs.get(ticketId);
    const consensusScores: ItemScore[] = [];
    const itemResults = items.map((it): ItemResult => {
      const max = maxOf(it.scale);
      const scores = inspectorIds.map((inspectorId) => ({ inspectorId, score: byInspector.get(inspectorId)?.get(it.key) ?? null }));
      const values = scores.map((s) => s.score).filter((s): s is number => s !== null);
      const refScore = ref?.get(it.key);
      const reference = refScore !== undefined && refScore !== null;
      const consensus = reference ? refScore : values.length ? mean(values) : null;
      consensusScores.push({ item: it.key, score: consensus });
      if (consensus !== null) for (const s of scores) if (s.score !== null) devs.get(s.inspectorId)!.push((100 * Math.abs(s.score - consensus)) / max);
      if (values.length === inspectorIds.length && values.length > 0) targets.push(values.map((v) => (100 * v) / max));
      return {
        item: it.key,
        max,
        scores,
        low: values.length ? Math.min(...values) : null,
        high: values.length ? Math.max(...values) : null,
        stdev: values.length ? round(stdevP(values), 3) : null,
        consensus: consensus === null ? null : round(consensus, 3),
        reference,
      };
    });
    const totals = inspectorIds.map((inspectorId) => {
      const mine = byInspector.get(inspectorId);
      if (!mine) return { inspectorId, score: null };
      return {
        inspectorId,
        score: scoreOf(
          items,
          [...mine].map(([item, score]) => ({ item, score })),
          passMark,
        ).score,
      };
    });
    return { ticketId, items: itemResults, totals, consensusTotal: round(consensusTotalOf(items, consensusScores), 1) };
  });
  const allDevs = [...devs.values()].flat();
  const icc = icc21(targets);
  return {
    tickets,
    inspectors: inspectorIds.map((inspectorId) => {
      const d = devs.get(inspectorId)!;
      return { inspectorId, mad: d.length ? round(mean(d)) : null, n: d.length };
    }),
    mad: allDevs.length ? round(mean(allDevs)) : null,
    icc: icc === null ? null : round(icc, 3),
  };
}

/** The consensus scores' total by the scorecard's rule (fractional means allowed; a consensus of 0 on a critical item vetoes). */
function consensusTotalOf(items: readonly ScorecardItem[], scores: ItemScore[]): number {
  let got = 0;
  let total = 0;
  for (const it of items) {
    const s = scores.find((x) => x.item === it.key)?.score;
    if (s === null || s === undefined) continue;
    if (it.critical && s === 0) return 0;
    got += (it.weight * s) / maxOf(it.scale);
    total += it.weight;
  }
  return total === 0 ? 100 : (100 * got) / total;
}
