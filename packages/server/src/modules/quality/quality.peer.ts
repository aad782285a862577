/**
 * Peer review (互评, issue #15 item 6): a supervisor starts a round for a team; every agent of the team gets N
 * colleagues' tickets of a period — never their own — to score on a few 1–5 items. Reviewers see the ticket
 * anonymised (subject, description and the public conversation, with "customer" / "agent" for the authors; no
 * ticket number, no names); an agent sees the scores given to their own tickets with the reviewer hidden; the
 * supervisor sees everything.
 */
import type { Database, Executor } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, conflict, forbidden, invalid, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { authorize, can, requireStaff } from '../identity/policy';
import { qaScope } from './quality.policy';
import { peerRepo, type PeerReviewRow, type PeerRoundRow } from './quality.peer.repo';
import { qualityRepo } from './quality.repo';

export interface PeerItem {
  key: string;
  label: string;
}
type PeerScores = { item: string; score: number }[];
/** Who takes part in a round: the team's ticket owners at the desk. */
const PEER_ROLES = ['agent', 'frontdesk'];

/**
 * Give each reviewer up to `perAgent` tickets of colleagues (never their own), the least-assigned tickets first so the
 * team's work is spread; ties broken by `random`. Pure.
 */
export function assignPeers(
  reviewers: readonly string[],
  tickets: readonly { id: string; ownerId: string }[],
  perAgent: number,
  random: () => number = Math.random,
): { reviewerId: string; ticketId: string; agentId: string }[] {
  const load = new Map(tickets.map((t) => [t.id, 0]));
  const out: { reviewerId: string; ticketId: string; agentId: string }[] = [];
  const order = [...reviewers].map((r) => ({ r, k: random() })).sort((a, b) => a.k - b.k);
  for (const { r } of order) {
    const pick = tickets
      .filter((t) => t.ownerId !== r)
      .map((t) => ({ t, k: random() }))
      .sort((a, b) => load.get(a.t.id)! - load.get(b.t.id)! || a.k - b.k)
      .slice(0, perAgent);
    for (const { t } of pick) {
      load.set(t.id, load.get(t.id)! + 1);
      out.push({ reviewerId: r, ticketId: t.id, agentId: t.ownerId });
    }
  }
  return out;
}

const mean = (xs: number[]) => (xs.length ? Math.round((100 * xs.reduce((a, b) => a + b, 0)) / xs.length) / 100 : null);

/** Per agent of a round: submitted reviews, the mean per item and overall (1–5). */
export function peerResults(items: readonly PeerItem[], reviews: readonly PeerReviewRow[]) {
  const byAgent = new Map<string, PeerReviewRow[]>();
  for (const r of reviews) if (r.submittedAt) byAgent.set(r.agentId, [...(byAgent.get(r.agentId) ?? []), r]);
  return [...byAgent].map(([agentId, rs]) => {
    const all = rs.flatMap((r) => (r.scores as PeerScores).map((s) => s.score));
    return {
      agentId,
      n: rs.length,
      mean: mean(all),
      items: items.map((it) => ({
        item: it.key,
        mean: mean(rs.flatMap((r) => (r.scores as PeerScores).filter((s) => s.item === it.key).map((s) => s.score))),
      })),
    };
  });
}

async function presentRounds(ex: Executor, rounds: PeerRoundRow[]) {
  const reviews = await peerRepo.reviewsOfRounds(
    ex,
    rounds.map((r) => r.id),
  );
  const people = await qualityRepo.staffNames(ex, [...new Set(reviews.flatMap((r) => [r.agentId, r.reviewerId]))]);
  const numbers = await qualityRepo.ticketNumbers(ex, [...new Set(reviews.map((r) => r.ticketId))]);
  const person = (id: string) => ({ id, name: people.get(id)?.name ?? '', employeeNo: people.get(id)?.employeeNo ?? '' });
  return rounds.map((round) => {
    const mine = reviews.filter((r) => r.roundId === round.id);
    const items = round.items as PeerItem[];
    return {
      id: round.id,
      name: round.name,
      teamId: round.teamId,
      items,
      perAgent: round.perAgent,
      from: round.periodFrom.toISOString(),
      to: round.periodTo.toISOString(),
      state: round.state as 'open' | 'closed',
      assigned: mine.length,
      submitted: mine.filter((r) => r.submittedAt).length,
      results: peerResults(items, mine).map((x) => ({ ...x, agent: person(x.agentId) })),
      reviews: mine.map((r) => ({
        id: r.id,
        reviewer: person(r.reviewerId),
        agent: person(r.agentId),
        ticketNumber: numbers.get(r.ticketId)?.number ?? '',
        scores: (r.scores as PeerScores | null) ?? null,
        comment: r.comment,
        submittedAt: r.submittedAt?.toISOString() ?? null,
      })),
      createdAt: round.createdAt.toISOString(),
    };
  });
}

/** Supervisors (qa.rule_appeals) start a round for their own team; QA leads (qa.manage) for any team. */
export async function startPeerRound(
  database: Database,
  ctx: Ctx,
  input: { name: string; teamId: string; perAgent: number; from: string; to: string; items: PeerItem[] },
) {
  authorize(ctx.actor, 'qa.rule_appeals');
  const me = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    if (!(await peerRepo.teamExists(tx, input.teamId))) throw invalid('teamId', 'no such team');
    if (!can(ctx.actor, 'qa.manage') && (await qualityRepo.staffNames(tx, [me.id])).get(me.id)?.teamId !== input.teamId)
      throw forbidden('A supervisor starts peer review for their own team');
    const from = new Date(input.from);
    const to = new Date(input.to);
    if (to.getTime() <= from.getTime()) throw invalid('to', 'must be after from');
    const agents = (await qualityRepo.staffWithRoles(tx, PEER_ROLES, input.teamId)).map((s) => s.id);
    if (agents.length < 2) throw invalid('teamId', 'the team needs at least two agents');
    const tickets = await peerRepo.ticketsOf(tx, agents, from, to);
    const round = await peerRepo.insertRound(tx, {
      id: uuidv7(),
      name: input.name,
      teamId: input.teamId,
      items: input.items,
      perAgent: input.perAgent,
      periodFrom: from,
      periodTo: to,
      createdBy: me.id,
    });
    await peerRepo.insertReviews(
      tx,
      assignPeers(agents, tickets, input.perAgent).map((a) => ({ id: uuidv7(), roundId: round.id, ...a })),
    );
    await writeAudit(tx, ctx, {
      action: 'qa.peer_round_started',
      targetType: 'qa_peer_round',
      targetId: round.id,
      changes: diff(null, { teamId: input.teamId, perAgent: input.perAgent, agents: agents.length, tickets: tickets.length }),
    });
    return (await presentRounds(tx, [round]))[0]!;
  });
}

export async function listPeerRounds(database: Database, ctx: Ctx, q: { teamId?: string | undefined; limit: number }) {
  authorize(ctx.actor, 'qa.rule_appeals');
  return { items: await presentRounds(database.db, await peerRepo.rounds(database.db, { ...q, scope: qaScope(ctx.actor) })) };
}

export async function closePeerRound(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'qa.rule_appeals');
  return database.transaction(async (tx) => {
    const round = await peerRepo.roundById(tx, id, true);
    if (!round) throw notFound('Peer review round');
    if (round.state !== 'open') throw conflict('qa_peer_closed', 'The peer review round is closed');
    const closed = await peerRepo.closeRound(tx, id);
    await writeAudit(tx, ctx, { action: 'qa.peer_round_closed', targetType: 'qa_peer_round', targetId: id });
    return (await presentRounds(tx, [closed]))[0]!;
  });
}

/** An agent's peer review: the colleagues' tickets to score (anonymised) and the scores their own tickets received (reviewer hidden). */
export async function myPeerReviews(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'qa.own');
  const me = requireStaff(ctx.actor);
  const ex = database.db;
  const given = await peerRepo.byReviewer(ex, me.id, 100);
  const received = await peerRepo.received(ex, me.id, 100);
  const rounds = new Map((await peerRepo.roundsByIds(ex, [...new Set([...given, ...received].map((r) => r.roundId))])).map((r) => [r.id, r]));
  const content = await peerRepo.content(
    ex,
    given.map((r) => r.ticketId),
  );
  const numbers = await qualityRepo.ticketNumbers(
    ex,
    received.map((r) => r.ticketId),
  );
  return {
    toReview: given.map((r) => {
      const round = rounds.get(r.roundId)!;
      const c = content.get(r.ticketId);
      return {
        id: r.id,
        round: { id: round.id, name: round.name, state: round.state as 'open' | 'closed' },
        items: round.items as PeerItem[],
        subject: c?.subject ?? '',
        description: c?.description ?? '',
        conversation: (c?.replies ?? []).map((x) => ({
          from: x.from === 'customer' ? ('customer' as const) : ('agent' as const),
          body: x.body,
          at: x.at.toISOString(),
        })),
        scores: (r.scores as PeerScores | null) ?? null,
        comment: r.comment,
        submittedAt: r.submittedAt?.toISOString() ?? null,
      };
    }),
    received: received.map((r) => ({
      id: r.id,
      round: { id: r.roundId, name: rounds.get(r.roundId)?.name ?? '' },
      items: (rounds.get(r.roundId)?.items as PeerItem[] | undefined) ?? [],
      ticketId: r.ticketId,
      ticketNumber: numbers.get(r.ticketId)?.number ?? '',
      scores: r.scores as PeerScores,
      comment: r.comment,
      submittedAt: r.submittedAt!.toISOString(),
    })),
  };
}

/** The reviewer scores the colleague's ticket: every item once, 1–5 (once; the round must be open). */
export async function submitPeerReview(database: Database, ctx: Ctx, id: string, input: { scores: PeerScores; comment?: string | undefined }) {
  authorize(ctx.actor, 'qa.own');
  const me = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const row = await peerRepo.reviewById(tx, id, true);
    if (!row || row.reviewerId !== me.id) throw notFound('Peer review');
    const round = (await peerRepo.roundById(tx, row.roundId))!;
    if (round.state !== 'open') throw conflict('qa_peer_closed', 'The peer review round is closed');
    if (row.submittedAt) throw conflict('qa_peer_submitted', 'This peer review is already submitted');
    const items = round.items as PeerItem[];
    const by = new Map(input.scores.map((s) => [s.item, s.score]));
    const errors = [
      ...input.scores.filter((s) => !items.some((it) => it.key === s.item)).map((s) => ({ path: `scores.${s.item}`, message: 'unknown item' })),
      ...items.filter((it) => !by.has(it.key)).map((it) => ({ path: `scores.${it.key}`, message: 'not scored' })),
    ];
    if (errors.length) throw new AppError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
    const done = await peerRepo.submitReview(tx, id, {
      scores: items.map((it) => ({ item: it.key, score: by.get(it.key)! })),
      comment: input.comment?.trim() || null,
      submittedAt: new Date(),
    });
    await writeAudit(tx, ctx, { action: 'qa.peer_review_submitted', targetType: 'qa_peer_review', targetId: id });
    return { id: done.id, submittedAt: done.submittedAt!.toISOString() };
  });
}
