/**
 * The agent performance composite (domain spec §1, seed 000: 质检 40 % + 满意度 30 % + 投诉率和问题解决率 20 % + 创新改进提案 10 %).
 * Pure arithmetic over the month's counts, so a test can compute it by hand:
 *
 * - qa           = Σ final inspection scores / number of inspections submitted in the month            (0..100)
 * - satisfaction = 100 × CSAT answers of 4–5 / CSAT answers on the agent's tickets answered in the month
 * - complaints   = 100 × (handled − complaints + ½ × resolved complaints) / handled, over the agent's tickets
 *                  created in the month: every complaint costs one ticket's worth, resolving it wins half back
 * - proposals    = 100 × min(adopted, target) / target, proposals adopted in the month (target default 2)
 *
 * A part whose denominator is 0 has no score and is left out; the other weights are rescaled to add up to 1.
 * The composite and every part are rounded to one decimal.
 */
export interface Weights {
  qa: number;
  satisfaction: number;
  complaints: number;
  proposals: number;
}
export const DEFAULT_WEIGHTS: Weights = { qa: 0.4, satisfaction: 0.3, complaints: 0.2, proposals: 0.1 };
export const DEFAULT_PROPOSAL_TARGET = 2;

export interface MonthCounts {
  qaSum: number;
  qaCount: number;
  satisfied: number;
  answered: number;
  handled: number;
  complaints: number;
  resolvedComplaints: number;
  adopted: number;
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const part = (numerator: number, denominator: number, scale = 1) => ({
  score: denominator > 0 ? r1(Math.min(100, (scale * numerator) / denominator)) : null,
  numerator: r1(numerator),
  denominator,
});

export function composite(c: MonthCounts, w: Weights, proposalTarget = DEFAULT_PROPOSAL_TARGET) {
  const parts = {
    qa: part(c.qaSum, c.qaCount),
    satisfaction: part(c.satisfied, c.answered, 100),
    complaints: part(c.handled - c.complaints + 0.5 * c.resolvedComplaints, c.handled, 100),
    proposals: part(Math.min(c.adopted, proposalTarget), proposalTarget, 100),
  };
  let sum = 0;
  let weight = 0;
  for (const k of ['qa', 'satisfaction', 'complaints', 'proposals'] as const) {
    const s = parts[k].score;
    if (s === null) continue;
    sum += w[k] * s;
    weight += w[k];
  }
  return { score: weight > 0 ? r1(sum / weight) : null, parts };
}
