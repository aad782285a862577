/**
 * Incremental rollups of the service measures. A ticket's "bundle" (its facts, survey answers, standard outcomes
 * and recovery outcomes) contributes counters to time buckets; when a ticket changes, the rollup receives
 * (new contribution − old contribution). Summing the counters of any set of buckets therefore equals the
 * measures recomputed from the final facts — exactly, in any order of changes (see rollup.test.ts).
 *
 * Percentiles are not additive: only their counts live in the rollup; P50/P90 are read from the facts.
 */
import { isFirstContactResolution, ratio, type Mean, type Ratio, type TicketFacts } from './measures';

export const COUNTERS = [
  'created',
  'complaints',
  'complaintsOk',
  'resolved',
  'fcr',
  'frCount',
  'rsCount',
  'csatCount',
  'csatPositive',
  'npsCount',
  'npsPromoters',
  'npsDetractors',
  'cesCount',
  'cesSum',
  'stdMet',
  'stdBreached',
  'recClosed',
  'recRecovered',
] as const;
export type Counter = (typeof COUNTERS)[number];
export type Counters = Record<Counter, number>;

export const zeroCounters = (): Counters => Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counters;

export interface AnswerFact {
  at: number;
  csat?: number | null;
  nps?: number | null;
  ces?: number | null;
}
export interface OutcomeFact {
  /** The instant the outcome counts (`standardOutcome`): the breach for a failure, the stop for a success. */
  endedAt: number;
  met: boolean;
}
export interface RecoveryFact {
  closedAt: number;
  recovered: boolean;
}

/** Everything one ticket contributes to the measures. */
export interface TicketBundle {
  ticket: TicketFacts;
  answers: readonly AnswerFact[];
  outcomes: readonly OutcomeFact[];
  recoveries: readonly RecoveryFact[];
}

/** One counter increment at an instant (the instant decides the bucket). */
export interface Contribution {
  at: number;
  counter: Counter;
  n: number;
}

/** The counters a ticket bundle adds, each at the instant that places it in a period (per the fixed definitions). */
export function contributions(b: TicketBundle): Contribution[] {
  const out: Contribution[] = [];
  const t = b.ticket;
  const add = (at: number, counter: Counter, n = 1) => {
    if (n !== 0) out.push({ at, counter, n });
  };
  // Created in the period: volume, complaints, complaints resolved without reopen, first responses.
  add(t.createdAt, 'created');
  if (t.type === 'complaint') {
    add(t.createdAt, 'complaints');
    if (t.isResolved && t.reopenCount === 0) add(t.createdAt, 'complaintsOk');
  }
  if (t.firstResponseSeconds !== null) add(t.createdAt, 'frCount');
  // Resolved in the period: FCR, resolution times.
  if (t.isResolved && t.resolvedAt !== null) {
    add(t.resolvedAt, 'resolved');
    if (isFirstContactResolution(t)) add(t.resolvedAt, 'fcr');
    if (t.resolutionSeconds !== null) add(t.resolvedAt, 'rsCount');
  }
  // Survey answers, in the period of the answer.
  for (const a of b.answers) {
    if (typeof a.csat === 'number') {
      add(a.at, 'csatCount');
      if (a.csat >= 4) add(a.at, 'csatPositive');
    }
    if (typeof a.nps === 'number') {
      add(a.at, 'npsCount');
      if (a.nps >= 9) add(a.at, 'npsPromoters');
      else if (a.nps <= 6) add(a.at, 'npsDetractors');
    }
    if (typeof a.ces === 'number') {
      add(a.at, 'cesCount');
      add(a.at, 'cesSum', a.ces);
    }
  }
  // Hard standard outcomes: a failure at its breach instant, a success at its stop (standardOutcome).
  for (const o of b.outcomes) add(o.endedAt, o.met ? 'stdMet' : 'stdBreached');
  for (const r of b.recoveries) {
    add(r.closedAt, 'recClosed');
    if (r.recovered) add(r.closedAt, 'recRecovered');
  }
  return out;
}

/** Group contributions into buckets (bucketOf(at) → key) as counters. */
export function bucketize(cs: readonly Contribution[], bucketOf: (at: number) => number, sign = 1, into = new Map<number, Counters>()): Map<number, Counters> {
  for (const c of cs) {
    const k = bucketOf(c.at);
    let row = into.get(k);
    if (!row) {
      row = zeroCounters();
      into.set(k, row);
    }
    row[c.counter] += sign * c.n;
  }
  return into;
}

/** new − old per bucket, dropping buckets whose delta is all zero. */
export function delta(oldB: TicketBundle | null, newB: TicketBundle | null, bucketOf: (at: number) => number): Map<number, Counters> {
  const m = new Map<number, Counters>();
  if (oldB) bucketize(contributions(oldB), bucketOf, -1, m);
  if (newB) bucketize(contributions(newB), bucketOf, 1, m);
  for (const [k, v] of m) if (COUNTERS.every((c) => v[c] === 0)) m.delete(k);
  return m;
}

export function addCounters(a: Counters, b: Counters): Counters {
  const out = zeroCounters();
  for (const c of COUNTERS) out[c] = a[c] + b[c];
  return out;
}

/** The rates of a set of counters, each with numerator and denominator. */
export function ratesOf(c: Counters): {
  csat: Ratio;
  nps: { value: number | null; promoters: number; detractors: number; passives: number; count: number };
  ces: Mean;
  fcr: Ratio;
  standardExecutionRate: Ratio;
  complaintRate: Ratio;
  complaintResolutionRate: Ratio;
  recoveryRate: Ratio;
  tickets: number;
  resolved: number;
} {
  return {
    csat: ratio(c.csatPositive, c.csatCount),
    nps: {
      value: c.npsCount === 0 ? null : ((c.npsPromoters - c.npsDetractors) / c.npsCount) * 100,
      promoters: c.npsPromoters,
      detractors: c.npsDetractors,
      passives: c.npsCount - c.npsPromoters - c.npsDetractors,
      count: c.npsCount,
    },
    ces: { value: c.cesCount === 0 ? null : c.cesSum / c.cesCount, sum: c.cesSum, count: c.cesCount },
    fcr: ratio(c.fcr, c.resolved),
    standardExecutionRate: ratio(c.stdMet, c.stdMet + c.stdBreached),
    complaintRate: ratio(c.complaints, c.created),
    complaintResolutionRate: ratio(c.complaintsOk, c.complaints),
    recoveryRate: ratio(c.recRecovered, c.recClosed),
    tickets: c.created,
    resolved: c.resolved,
  };
}

/** Default targets (domain spec §6). `direction` min = at least, max = at most. */
export const MEASURE_KEYS = [
  'csat',
  'nps',
  'ces',
  'fcr',
  'standardExecutionRate',
  'complaintRate',
  'complaintResolutionRate',
  'recoveryRate',
  'knowledgeApplicationRate',
  'firstResponseSecondsP50',
  'resolutionSecondsP50',
] as const;
export type MeasureKey = (typeof MEASURE_KEYS)[number];
export const DEFAULT_TARGETS: Record<MeasureKey, { target: number | null; direction: 'min' | 'max' }> = {
  csat: { target: 0.85, direction: 'min' },
  nps: { target: 40, direction: 'min' },
  ces: { target: 3, direction: 'max' },
  fcr: { target: 0.72, direction: 'min' },
  standardExecutionRate: { target: 0.93, direction: 'min' },
  complaintRate: { target: 0.032, direction: 'max' },
  complaintResolutionRate: { target: 0.92, direction: 'min' },
  recoveryRate: { target: null, direction: 'min' },
  knowledgeApplicationRate: { target: null, direction: 'min' },
  firstResponseSecondsP50: { target: null, direction: 'max' },
  resolutionSecondsP50: { target: null, direction: 'max' },
};

/** Does `value` miss the target? null when either is unknown. */
export function missesTarget(value: number | null, target: number | null, direction: 'min' | 'max'): boolean | null {
  if (value === null || target === null) return null;
  return direction === 'min' ? value < target : value > target;
}
