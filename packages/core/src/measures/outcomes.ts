/**
 * How a standard's outcome counts — the one definition used by compliance, the measures rollups, dashboards, the
 * wall, the SQI and targets/alerts (issue #13 item 1), and how a soft standard is judged from survey answers
 * (item 4). Pure functions; the SQL that selects instances mirrors `standardOutcome` (see the server's
 * `OUTCOME_SQL`) and a consistency test holds them together.
 */

/** The columns of a clock (standard instance) that decide how it counts. Instants are epoch ms. */
export interface InstanceOutcomeInput {
  state: string; // running | paused | met | breached | cancelled
  metAt: number | null;
  breachedAt: number | null;
  endedAt: number | null;
}

/** A counted outcome: `at` places it in a period (the breach instant for a failure, the stop for a success). */
export interface CountedOutcome {
  at: number;
  met: boolean;
}

/**
 * An instance is a **failure from its breach instant** (whether or not it has ended since: an unanswered complaint
 * that breached two days ago counts now, in the period of the breach); a **success** when it stopped within its
 * limit (in the period of the stop); **excluded** while running or paused and not yet breached, and when cancelled
 * before breaching (a breached clock stays breached whatever ends it).
 */
export function standardOutcome(i: InstanceOutcomeInput): CountedOutcome | null {
  if (i.breachedAt !== null && i.state === 'breached') return { at: i.breachedAt, met: false };
  if (i.state === 'met') {
    const at = i.metAt ?? i.endedAt;
    return at === null ? null : { at, met: true };
  }
  return null;
}

// ───────────────────────────── soft standards: mean or share ─────────────────────────────

export type SurveyMeasure = 'csat' | 'nps' | 'ces';
export type SoftAggregate = 'mean' | 'share';

/** The scale of each survey measure (for "4.67 / 5"). */
export const SURVEY_SCALE: Record<SurveyMeasure, { min: number; max: number }> = {
  csat: { min: 1, max: 5 },
  nps: { min: 0, max: 10 },
  ces: { min: 1, max: 7 },
};

export interface SoftSpec {
  measure: SurveyMeasure;
  /** mean: the average answer compared with `threshold`; share: the share of answers ≥ `threshold` compared with `target`. */
  aggregate: SoftAggregate;
  threshold: number;
  /** below this many answers the result is "样本不足": neither met nor failed */
  minSample: number;
}

export interface SoftResult {
  aggregate: SoftAggregate;
  /** mean: the average answer; share: the share (0..1) of answers ≥ threshold; null without answers */
  value: number | null;
  /** share: answers ≥ threshold; mean: the sum of the answers */
  numerator: number;
  /** the number of answers */
  count: number;
  /** what `value` is compared with: threshold (mean) or target (share) */
  goal: number;
  scaleMax: number;
  insufficientSample: boolean;
  /** null when there are too few answers */
  met: boolean | null;
}

/** The sums a soft standard needs (computed in SQL over many answers, or here from a list). */
export interface SoftStats {
  count: number;
  sum: number;
  /** answers ≥ threshold */
  atLeast: number;
}
export function softStats(answers: readonly number[], threshold: number): SoftStats {
  return { count: answers.length, sum: answers.reduce((a, b) => a + b, 0), atLeast: answers.filter((a) => a >= threshold).length };
}

/** Judge a soft standard from the answers given in the period. */
export function softResult(st: SoftStats, spec: SoftSpec, target: number): SoftResult {
  const { count } = st;
  const numerator = spec.aggregate === 'mean' ? st.sum : st.atLeast;
  const value = count === 0 ? null : numerator / count;
  const goal = spec.aggregate === 'mean' ? spec.threshold : target;
  const insufficientSample = count === 0 || count < spec.minSample;
  return {
    aggregate: spec.aggregate,
    value,
    numerator,
    count,
    goal,
    scaleMax: SURVEY_SCALE[spec.measure].max,
    insufficientSample,
    met: insufficientSample || value === null ? null : value >= goal - 1e-9,
  };
}

// ───────────────────────────── measured standards: a rate over the measures engine ─────────────────────────────

/** Judge a measured rate (numerator / denominator over a period) against its target; null rate → not judged. */
export function measuredResult(numerator: number, denominator: number, target: number, minSample = 1) {
  const value = denominator === 0 ? null : numerator / denominator;
  const insufficientSample = denominator === 0 || denominator < minSample;
  return { value, numerator, denominator, target, insufficientSample, met: insufficientSample || value === null ? null : value >= target - 1e-9 };
}
