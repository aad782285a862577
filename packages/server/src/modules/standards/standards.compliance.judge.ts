/**
 * Soft and measured standards (issue #13 items 4 and 5): judged over a period from survey answers (mean or share,
 * minimum sample) or from a rate of the measures engine (numerator / denominator) — not from clocks.
 */
import { measuredResult, ratesOf, softResult, type Ratio } from '@chidu/core/measures/index';
import type { Executor } from '../../db/client';
import { runQuery } from '../measures/query';
import { surveySpecOf, type ChecklistStep, type RateSpec, type StandardDefinition } from './definition';
import { complianceRepo, type Filters } from './standards.compliance.repo';

export type SoftJudgement = ReturnType<typeof softResult> & { measure: 'csat' | 'nps' | 'ces'; threshold: number; minSample: number };
export type MeasuredJudgement = ReturnType<typeof measuredResult> & { metric: RateSpec['metric']; period: RateSpec['period']; minSample: number };

/** A soft standard's result over [from, to), or null when it is not measured by a survey. */
export async function judgeSoft(ex: Executor, def: StandardDefinition, from: Date, to: Date, f: Filters = {}): Promise<SoftJudgement | null> {
  const spec = surveySpecOf(def);
  if (def.measure !== 'survey' || !spec) return null;
  const stats = await complianceRepo.answerStats(ex, spec.measure, spec.threshold, from, to, f);
  return { ...softResult(stats, spec, def.target), measure: spec.measure, threshold: spec.threshold, minSample: spec.minSample };
}

/** A measured standard's rate over [from, to) from the measures engine (rollups where a cube covers the query). */
export async function judgeMeasured(
  ex: Executor,
  def: StandardDefinition,
  from: Date,
  to: Date,
  tz: string,
  f: Filters = {},
): Promise<MeasuredJudgement | null> {
  const spec = def.rate;
  if (def.measure !== 'operating_data' || !spec) return null;
  let rate: Pick<Ratio, 'numerator' | 'denominator'>;
  if (spec.metric === 'firstTimeFix') rate = await complianceRepo.firstTimeFix(ex, from, to, f);
  else {
    const filters = { teamId: f.teamId, agentId: f.agentId, channel: f.channel, tier: f.tier };
    const r = await runQuery(ex, { from, to, tz, filters, groupBy: [], percentiles: false, knowledge: false });
    rate = ratesOf(r.total.counters)[spec.metric];
  }
  return {
    ...measuredResult(rate.numerator, rate.denominator, def.target, spec.minSample),
    metric: spec.metric,
    period: spec.period,
    minSample: spec.minSample,
  };
}

export type AuditJudgement = ReturnType<typeof measuredResult> & { checklist: ChecklistStep };

/**
 * An audit standard judged from a checklist step (issue #13 item 7): resolved repair/order tickets in [from, to)
 * whose step was recorded in time ÷ all of them; a missing or late step fails. Null for audits without a checklist.
 */
export async function judgeAudit(ex: Executor, def: StandardDefinition, from: Date, to: Date, f: Filters = {}): Promise<AuditJudgement | null> {
  if (def.measure !== 'audit' || !def.checklist) return null;
  const r = await complianceRepo.checklistRate(ex, def.checklist, from, to, f);
  return { ...measuredResult(r.numerator, r.denominator, def.target), checklist: def.checklist };
}

/** All three, for a compliance answer: `meetsTarget` of a soft, measured or checklist-audit standard is its judgement. */
export async function judge(ex: Executor, def: StandardDefinition, from: Date, to: Date, tz: string, f: Filters = {}) {
  const soft = await judgeSoft(ex, def, from, to, f);
  const measured = await judgeMeasured(ex, def, from, to, tz, f);
  const audit = await judgeAudit(ex, def, from, to, f);
  return { soft, measured, audit, met: soft ? soft.met : measured ? measured.met : audit ? audit.met : undefined };
}
