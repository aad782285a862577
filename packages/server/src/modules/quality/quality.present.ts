/** Rows → API objects of the quality module. */
import type { ScorecardItem } from './scorecard';
import type { AppealRow, InspectionRow, PlanRow, ProposalRow, SampleRow, ScorecardRow, ScorecardVersionRow } from './quality.repo';

type Person = { name: string; employeeNo: string };
export type People = Map<string, Person>;
const ref = (people: People, id: string | null) => {
  if (!id) return null;
  const p = people.get(id);
  return p ? { id, name: p.name, employeeNo: p.employeeNo } : null;
};
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function presentScorecard(r: ScorecardRow) {
  return {
    id: r.id,
    templateKey: r.templateKey,
    name: r.name,
    channel: r.channel,
    passMark: r.passMark,
    items: r.items as ScorecardItem[],
    version: r.version,
    active: r.active,
    updatedAt: r.updatedAt.toISOString(),
  };
}

export type RulingClock = { state: string; dueAt: Date | null; breachedAt: Date | null; startedAt: Date };

/** The ruling clock of an appeal: the QA-APPEAL standard instance on its ticket started when it was filed. */
export function rulingOf(a: AppealRow, clocks: readonly (RulingClock & { ticketId: string })[]) {
  const c = clocks.find((x) => x.ticketId === a.ticketId && x.startedAt.getTime() >= a.createdAt.getTime() - 60_000);
  return c ? { state: c.state, dueAt: iso(c.dueAt), breachedAt: iso(c.breachedAt) } : null;
}

export function presentAppeal(a: AppealRow, people: People, ticketNumber: string, clocks: readonly (RulingClock & { ticketId: string })[] = []) {
  return {
    id: a.id,
    inspectionId: a.inspectionId,
    ticketId: a.ticketId,
    ticketNumber,
    agent: ref(people, a.agentId),
    reason: a.reason,
    state: a.state as 'open' | 'upheld' | 'revised',
    scoreBefore: a.scoreBefore,
    scoreAfter: a.scoreAfter,
    rulingReason: a.rulingReason,
    ruledBy: ref(people, a.ruledBy),
    ruledAt: iso(a.ruledAt),
    createdAt: a.createdAt.toISOString(),
    ruling: rulingOf(a, clocks),
  };
}

export type StoredScore = {
  item: string;
  score: number | null;
  evidence?: { replyId?: string; start?: number; end?: number; quote?: string; eventId?: number };
  note?: string;
};

export function presentInspection(
  r: InspectionRow,
  v: ScorecardVersionRow,
  people: People,
  ticket: { number: string; subject: string },
  appeal: AppealRow | null,
  appealDeadline: Date | null,
  allowed: { submit: boolean; acknowledge: boolean; appeal: boolean },
  clocks: readonly (RulingClock & { ticketId: string })[] = [],
) {
  return {
    id: r.id,
    ticketId: r.ticketId,
    ticketNumber: ticket.number,
    ticketSubject: ticket.subject,
    agent: ref(people, r.agentId),
    inspector: ref(people, r.inspectorId),
    scorecard: { id: r.scorecardId, name: v.name, version: v.version, passMark: v.passMark, items: v.items as ScorecardItem[] },
    state: r.state as 'draft' | 'submitted' | 'acknowledged' | 'appealed' | 'ruled',
    scores: r.scores as StoredScore[],
    feedback: (r.feedback as { strength: string; improvement: string; encouragement: string } | null) ?? null,
    firstScore: r.firstScore,
    score: r.score,
    passed: r.passed,
    submittedAt: iso(r.submittedAt),
    acknowledgedAt: iso(r.acknowledgedAt),
    appealDeadline: iso(appealDeadline),
    appeal: appeal ? presentAppeal(appeal, people, ticket.number, clocks) : null,
    allowed,
    createdAt: r.createdAt.toISOString(),
  };
}

export function presentProposal(p: ProposalRow, people: People) {
  return {
    id: p.id,
    author: ref(people, p.authorId),
    title: p.title,
    body: p.body,
    state: p.state as 'submitted' | 'adopted' | 'declined',
    reviewedBy: ref(people, p.reviewedBy),
    reviewedAt: iso(p.reviewedAt),
    reviewNote: p.reviewNote,
    createdAt: p.createdAt.toISOString(),
  };
}

export function presentPlan(p: PlanRow) {
  return {
    id: p.id,
    name: p.name,
    teamId: p.teamId,
    channel: p.channel,
    period: p.period,
    sharePercent: p.sharePercent,
    minPerWeek: p.minPerWeek,
    mandatory: p.mandatory as { complaints: boolean; csatAtMost: number | null; breached: boolean; criticalHits: boolean },
    scorecardId: p.scorecardId,
  };
}

export function presentSample(s: SampleRow, people: People, numbers: Map<string, { number: string }>) {
  return {
    id: s.id,
    ticketId: s.ticketId,
    ticketNumber: numbers.get(s.ticketId)?.number ?? '',
    agent: ref(people, s.agentId),
    inspector: ref(people, s.inspectorId),
    reason: s.reason as 'complaint' | 'low_csat' | 'breached' | 'critical_hit' | 'random' | 'minimum',
    state: s.state as 'queued' | 'done',
    planId: s.planId,
  };
}
