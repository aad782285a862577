/** The SQL of peer review (互评) rounds. */
import { and, asc, desc, eq, gte, inArray, isNotNull, lt } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { qaPeerReviews, qaPeerRounds, teams, ticketReplies, tickets } from '../../db/schema';
import type { QaScope } from './quality.policy';
import { qaTeamScopeSql } from './quality.repo';

export type PeerRoundRow = typeof qaPeerRounds.$inferSelect;
export type PeerReviewRow = typeof qaPeerReviews.$inferSelect;

export const peerRepo = {
  async teamExists(ex: Executor, id: string): Promise<boolean> {
    const [row] = await ex.select({ id: teams.id }).from(teams).where(eq(teams.id, id));
    return Boolean(row);
  },
  /** Tickets owned by these agents, created in [from, to). */
  async ticketsOf(ex: Executor, ownerIds: string[], from: Date, to: Date): Promise<{ id: string; ownerId: string }[]> {
    if (!ownerIds.length) return [];
    const rows = await ex
      .select({ id: tickets.id, ownerId: tickets.ownerId })
      .from(tickets)
      .where(and(inArray(tickets.ownerId, ownerIds), gte(tickets.createdAt, from), lt(tickets.createdAt, to)))
      .orderBy(asc(tickets.id));
    return rows.map((r) => ({ id: r.id, ownerId: r.ownerId! }));
  },
  async insertRound(ex: Executor, row: typeof qaPeerRounds.$inferInsert): Promise<PeerRoundRow> {
    const [out] = await ex.insert(qaPeerRounds).values(row).returning();
    return out!;
  },
  async insertReviews(ex: Executor, rows: (typeof qaPeerReviews.$inferInsert)[]): Promise<void> {
    if (rows.length) await ex.insert(qaPeerReviews).values(rows);
  },
  async roundById(ex: Executor, id: string, forUpdate = false): Promise<PeerRoundRow | undefined> {
    const q = ex.select().from(qaPeerRounds).where(eq(qaPeerRounds.id, id));
    const [row] = forUpdate ? await q.for('update') : await q;
    return row;
  },
  rounds(ex: Executor, f: { teamId?: string | undefined; scope: QaScope; limit: number }): Promise<PeerRoundRow[]> {
    return ex
      .select()
      .from(qaPeerRounds)
      .where(and(...(f.teamId ? [eq(qaPeerRounds.teamId, f.teamId)] : []), qaTeamScopeSql(f.scope, qaPeerRounds.teamId)))
      .orderBy(desc(qaPeerRounds.createdAt), desc(qaPeerRounds.id))
      .limit(f.limit);
  },
  roundsByIds(ex: Executor, ids: string[]): Promise<PeerRoundRow[]> {
    return ids.length ? ex.select().from(qaPeerRounds).where(inArray(qaPeerRounds.id, ids)) : Promise.resolve([]);
  },
  reviewsOfRounds(ex: Executor, roundIds: string[]): Promise<PeerReviewRow[]> {
    return roundIds.length
      ? ex.select().from(qaPeerReviews).where(inArray(qaPeerReviews.roundId, roundIds)).orderBy(asc(qaPeerReviews.id))
      : Promise.resolve([]);
  },
  /** What a reviewer was given (newest first). */
  byReviewer(ex: Executor, reviewerId: string, limit: number): Promise<PeerReviewRow[]> {
    return ex.select().from(qaPeerReviews).where(eq(qaPeerReviews.reviewerId, reviewerId)).orderBy(desc(qaPeerReviews.id)).limit(limit);
  },
  /** Submitted reviews of an agent's own tickets (newest first). */
  received(ex: Executor, agentId: string, limit: number): Promise<PeerReviewRow[]> {
    return ex
      .select()
      .from(qaPeerReviews)
      .where(and(eq(qaPeerReviews.agentId, agentId), isNotNull(qaPeerReviews.submittedAt)))
      .orderBy(desc(qaPeerReviews.submittedAt))
      .limit(limit);
  },
  async reviewById(ex: Executor, id: string, forUpdate = false): Promise<PeerReviewRow | undefined> {
    const q = ex.select().from(qaPeerReviews).where(eq(qaPeerReviews.id, id));
    const [row] = forUpdate ? await q.for('update') : await q;
    return row;
  },
  async submitReview(ex: Executor, id: string, set: { scores: unknown; comment: string | null; submittedAt: Date }): Promise<PeerReviewRow> {
    const [row] = await ex.update(qaPeerReviews).set(set).where(eq(qaPeerReviews.id, id)).returning();
    return row!;
  },
  async closeRound(ex: Executor, id: string): Promise<PeerRoundRow> {
    const [row] = await ex.update(qaPeerRounds).set({ state: 'closed', closedAt: new Date() }).where(eq(qaPeerRounds.id, id)).returning();
    return row!;
  },
  /** The anonymised content of tickets: subject, description, public replies (who wrote them: customer or staff only). */
  async content(ex: Executor, ticketIds: string[]) {
    if (!ticketIds.length) return new Map<string, { subject: string; description: string; replies: { from: string; body: string; at: Date }[] }>();
    const ts = await ex
      .select({ id: tickets.id, subject: tickets.subject, description: tickets.description })
      .from(tickets)
      .where(inArray(tickets.id, ticketIds));
    const rs = await ex
      .select({ ticketId: ticketReplies.ticketId, from: ticketReplies.authorKind, body: ticketReplies.body, at: ticketReplies.createdAt })
      .from(ticketReplies)
      .where(and(inArray(ticketReplies.ticketId, ticketIds), eq(ticketReplies.visibility, 'public')))
      .orderBy(asc(ticketReplies.createdAt), asc(ticketReplies.id));
    return new Map(
      ts.map((t) => [
        t.id,
        { subject: t.subject, description: t.description, replies: rs.filter((r) => r.ticketId === t.id).map(({ from, body, at }) => ({ from, body, at })) },
      ]),
    );
  },
};
