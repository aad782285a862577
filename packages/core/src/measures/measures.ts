/**
 * Service measures (数据化服务管理) — the fixed definitions of the measures issue, as pure functions.
 * Every rate comes with its numerator and denominator so a number can always be explained.
 * Periods are half-open: from ≤ t < to (epoch ms).
 */

export interface Ratio {
  value: number | null;
  numerator: number;
  denominator: number;
}
export interface Mean {
  value: number | null;
  sum: number;
  count: number;
}
export interface Percentiles {
  p50: number | null;
  p90: number | null;
  count: number;
}

export interface TicketFacts {
  id: string;
  type: string; // complaint, repair, … — only customer requests (recovery cases, care tasks are not tickets)
  createdAt: number;
  /** Time of the (latest) resolution, or null while unresolved. */
  resolvedAt: number | null;
  /** Currently resolved or closed. */
  isResolved: boolean;
  reopenCount: number;
  handoverCount: number;
  teamTransferCount: number;
  staffPublicReplyCount: number;
  /** Business seconds from creation to the first staff public reply on the applicable calendar. */
  firstResponseSeconds: number | null;
  /** Business seconds from creation to resolution. */
  resolutionSeconds: number | null;
  knowledgeUsed?: boolean;
}

export interface SurveyAnswerFacts {
  at: number;
  csat?: number | null;
  nps?: number | null;
  ces?: number | null;
}
export interface StandardOutcomeFacts {
  /** The instant the outcome counts: the breach for a failure, the stop for a success (`standardOutcome`, outcomes.ts). */
  endedAt: number;
  state: 'met' | 'breached';
}
export interface RecoveryFacts {
  closedAt: number | null;
  outcome: 'recovered' | 'not_recovered' | null;
}

export const ratio = (numerator: number, denominator: number): Ratio => ({ value: denominator === 0 ? null : numerator / denominator, numerator, denominator });
const inPeriod = (t: number | null | undefined, from: number, to: number) => t !== null && t !== undefined && t >= from && t < to;

/** CSAT = answers of 4 or 5 / all CSAT answers, in the period of the answer. */
export function csat(answers: readonly SurveyAnswerFacts[], from: number, to: number): Ratio {
  let num = 0;
  let den = 0;
  for (const a of answers)
    if (typeof a.csat === 'number' && inPeriod(a.at, from, to)) {
      den++;
      if (a.csat >= 4) num++;
    }
  return ratio(num, den);
}

/** NPS = % answers 9–10 − % answers 0–6, in −100…100. */
export function nps(
  answers: readonly SurveyAnswerFacts[],
  from: number,
  to: number,
): { value: number | null; promoters: number; detractors: number; passives: number; count: number } {
  let p = 0;
  let d = 0;
  let n = 0;
  for (const a of answers) {
    if (typeof a.nps !== 'number' || !inPeriod(a.at, from, to)) continue;
    n++;
    if (a.nps >= 9) p++;
    else if (a.nps <= 6) d++;
  }
  return { value: n === 0 ? null : ((p - d) / n) * 100, promoters: p, detractors: d, passives: n - p - d, count: n };
}

/** CES = mean CES answer (1–7). */
export function ces(answers: readonly SurveyAnswerFacts[], from: number, to: number): Mean {
  let sum = 0;
  let count = 0;
  for (const a of answers)
    if (typeof a.ces === 'number' && inPeriod(a.at, from, to)) {
      sum += a.ces;
      count++;
    }
  return { value: count === 0 ? null : sum / count, sum, count };
}

/** A first-contact resolution: no reopen, no handover, no transfer to another team, at most one staff public reply. */
export const isFirstContactResolution = (t: TicketFacts) =>
  t.reopenCount === 0 && t.handoverCount === 0 && t.teamTransferCount === 0 && t.staffPublicReplyCount <= 1;

/** FCR = tickets resolved in the period that were resolved at first contact / all tickets resolved in the period. */
export function fcr(tickets: readonly TicketFacts[], from: number, to: number): Ratio {
  let num = 0;
  let den = 0;
  for (const t of tickets)
    if (t.isResolved && inPeriod(t.resolvedAt, from, to)) {
      den++;
      if (isFirstContactResolution(t)) num++;
    }
  return ratio(num, den);
}

/**
 * Standard execution rate = instances met / met or breached, each in the period it counts: a breach from its breach
 * instant (even while the ticket is still open), a success at its stop (`standardOutcome`, outcomes.ts).
 */
export function standardExecutionRate(outcomes: readonly StandardOutcomeFacts[], from: number, to: number): Ratio {
  let num = 0;
  let den = 0;
  for (const o of outcomes)
    if (inPeriod(o.endedAt, from, to)) {
      den++;
      if (o.state === 'met') num++;
    }
  return ratio(num, den);
}

/** Complaint rate = complaint tickets created / all tickets created, in the period. */
export function complaintRate(tickets: readonly TicketFacts[], from: number, to: number): Ratio {
  let num = 0;
  let den = 0;
  for (const t of tickets)
    if (inPeriod(t.createdAt, from, to)) {
      den++;
      if (t.type === 'complaint') num++;
    }
  return ratio(num, den);
}

/** Complaint resolution rate = complaints created in the period that are resolved and were never reopened / complaints created in the period. */
export function complaintResolutionRate(tickets: readonly TicketFacts[], from: number, to: number): Ratio {
  let num = 0;
  let den = 0;
  for (const t of tickets) {
    if (t.type !== 'complaint' || !inPeriod(t.createdAt, from, to)) continue;
    den++;
    if (t.isResolved && t.reopenCount === 0) num++;
  }
  return ratio(num, den);
}

/** Nearest-rank percentile (the smallest value with at least p of the values at or below it). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

export function percentiles(values: readonly number[]): Percentiles {
  const s = [...values].sort((a, b) => a - b);
  return { p50: percentile(s, 0.5), p90: percentile(s, 0.9), count: s.length };
}

/** First response time (business seconds), over tickets created in the period that got a first response. */
export function firstResponseTimes(tickets: readonly TicketFacts[], from: number, to: number): Percentiles {
  return percentiles(tickets.filter((t) => inPeriod(t.createdAt, from, to) && t.firstResponseSeconds !== null).map((t) => t.firstResponseSeconds!));
}

/** Resolution time (business seconds), over tickets resolved in the period. */
export function resolutionTimes(tickets: readonly TicketFacts[], from: number, to: number): Percentiles {
  return percentiles(tickets.filter((t) => t.isResolved && inPeriod(t.resolvedAt, from, to) && t.resolutionSeconds !== null).map((t) => t.resolutionSeconds!));
}

/** Knowledge application rate = tickets resolved in the period with knowledge used / all tickets resolved in the period. */
export function knowledgeApplicationRate(tickets: readonly TicketFacts[], from: number, to: number): Ratio {
  let num = 0;
  let den = 0;
  for (const t of tickets)
    if (t.isResolved && inPeriod(t.resolvedAt, from, to)) {
      den++;
      if (t.knowledgeUsed) num++;
    }
  return ratio(num, den);
}

/** Recovery rate = recovered / closed recovery cases (closed in the period). */
export function recoveryRate(cases: readonly RecoveryFacts[], from: number, to: number): Ratio {
  let num = 0;
  let den = 0;
  for (const c of cases)
    if (c.outcome !== null && inPeriod(c.closedAt, from, to)) {
      den++;
      if (c.outcome === 'recovered') num++;
    }
  return ratio(num, den);
}

export interface SummaryInput {
  tickets: readonly TicketFacts[];
  answers: readonly SurveyAnswerFacts[];
  outcomes: readonly StandardOutcomeFacts[];
  recoveries?: readonly RecoveryFacts[];
  from: number;
  to: number;
}

/** The contract's `/metrics/summary`, with the counts behind every number. */
export function summarize(i: SummaryInput) {
  const c = csat(i.answers, i.from, i.to);
  const n = nps(i.answers, i.from, i.to);
  const e = ces(i.answers, i.from, i.to);
  const f = fcr(i.tickets, i.from, i.to);
  const s = standardExecutionRate(i.outcomes, i.from, i.to);
  const cr = complaintRate(i.tickets, i.from, i.to);
  const crr = complaintResolutionRate(i.tickets, i.from, i.to);
  const fr = firstResponseTimes(i.tickets, i.from, i.to);
  const rt = resolutionTimes(i.tickets, i.from, i.to);
  return {
    csat: c.value,
    nps: n.value,
    ces: e.value,
    fcr: f.value,
    standardExecutionRate: s.value,
    complaintRate: cr.value,
    complaintResolutionRate: crr.value,
    firstResponseSecondsP50: fr.p50,
    firstResponseSecondsP90: fr.p90,
    resolutionSecondsP50: rt.p50,
    resolutionSecondsP90: rt.p90,
    tickets: cr.denominator,
    knowledgeApplicationRate: knowledgeApplicationRate(i.tickets, i.from, i.to).value,
    recoveryRate: i.recoveries ? recoveryRate(i.recoveries, i.from, i.to).value : null,
    counts: { csat: c, nps: n, ces: e, fcr: f, standardExecutionRate: s, complaintRate: cr, complaintResolutionRate: crr, firstResponse: fr, resolution: rt },
  };
}
