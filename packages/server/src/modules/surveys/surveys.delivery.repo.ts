/**
 * Queries of "how the survey reaches the customer": delivery attempts, the first opening, the resend limit, the
 * portal's rating card and the answers list (survey_deliveries, migration 0009). See docs/surveys.md.
 */
import { and, count, desc, eq, gte, inArray, lt, lte, notInArray, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { customers, recoveryCases, staff, surveyDeliveries, surveyInvitations, surveyResponses, surveyTemplates, teams, tickets } from '../../db/schema';
import type { Actor } from '../../lib/context';
import { ticketVisibilityScope } from '../tickets/visibility';

export type DeliveryRow = typeof surveyDeliveries.$inferSelect;
export type ResponseMeasure = 'csat' | 'nps' | 'ces';
export interface ResponseFilter {
  measure: ResponseMeasure;
  scoreMin?: number | undefined;
  scoreMax?: number | undefined;
  teamId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  lowOnly?: boolean | undefined;
  limit: number;
  cursor?: string | undefined;
}

export const deliveryRepo = {
  /** The channel a ticket came by (the `customer` survey channel tries it first). */
  async ticketChannel(ex: Executor, ticketId: string): Promise<string | null> {
    const [row] = await ex.select({ channel: tickets.channel }).from(tickets).where(eq(tickets.id, ticketId)).limit(1);
    return row?.channel ?? null;
  },
  async insertDelivery(ex: Executor, values: typeof surveyDeliveries.$inferInsert): Promise<DeliveryRow> {
    const [row] = await ex.insert(surveyDeliveries).values(values).returning();
    return row!;
  },
  /** Delivery attempts of invitations, oldest first, with the staff member who asked for a resend. */
  async deliveriesOf(ex: Executor, invitationIds: string[]) {
    if (!invitationIds.length) return [];
    return ex
      .select({ d: surveyDeliveries, actorName: staff.name })
      .from(surveyDeliveries)
      .leftJoin(staff, eq(staff.id, surveyDeliveries.actorId))
      .where(inArray(surveyDeliveries.invitationId, invitationIds))
      .orderBy(surveyDeliveries.createdAt, surveyDeliveries.id);
  },
  /** The first opening counts (later ones leave the time as it is). */
  async markOpened(ex: Executor, id: string, at: Date): Promise<void> {
    await ex
      .update(surveyInvitations)
      .set({ openedAt: at })
      .where(and(eq(surveyInvitations.id, id), sql`${surveyInvitations.openedAt} IS NULL`));
  },
  /** Resends on a ticket since an instant: how many, and the latest. */
  async resendsSince(ex: Executor, ticketId: string, since: Date): Promise<{ n: number; last: Date | null }> {
    const [row] = await ex
      .select({ n: count(), last: sql<string | null>`max(${surveyDeliveries.createdAt})` })
      .from(surveyDeliveries)
      .where(and(eq(surveyDeliveries.ticketId, ticketId), eq(surveyDeliveries.reason, 'resend'), gte(surveyDeliveries.createdAt, since)));
    return { n: Number(row?.n ?? 0), last: row?.last ? new Date(row.last) : null };
  },
  /** The newest invitation of a ticket that was sent (scheduled and cancelled ones are not the customer's yet). */
  async latestSentInvitation(ex: Executor, ticketId: string) {
    const [row] = await ex
      .select({ inv: surveyInvitations, tpl: surveyTemplates })
      .from(surveyInvitations)
      .innerJoin(surveyTemplates, eq(surveyTemplates.id, surveyInvitations.templateId))
      .where(and(eq(surveyInvitations.ticketId, ticketId), notInArray(surveyInvitations.state, ['scheduled', 'cancelled'])))
      .orderBy(desc(surveyInvitations.id))
      .limit(1);
    return row;
  },
  async templateOf(ex: Executor, id: string) {
    const [t] = await ex.select().from(surveyTemplates).where(eq(surveyTemplates.id, id));
    return t;
  },
  async responseOf(ex: Executor, invitationId: string) {
    const [r] = await ex.select().from(surveyResponses).where(eq(surveyResponses.invitationId, invitationId));
    return r;
  },
  async recoveryOfResponse(ex: Executor, responseId: string) {
    const [c] = await ex
      .select({ id: recoveryCases.id, state: recoveryCases.state, outcome: recoveryCases.outcome })
      .from(recoveryCases)
      .where(eq(recoveryCases.responseId, responseId))
      .limit(1);
    return c;
  },
  async countInvitations(ex: Executor, ticketId: string): Promise<number> {
    const [row] = await ex.select({ n: count() }).from(surveyInvitations).where(eq(surveyInvitations.ticketId, ticketId));
    return Number(row?.n ?? 0);
  },

  /** The answers list: answers on tickets the actor may see, newest first (limit + 1 rows, for the cursor). */
  async listResponses(ex: Executor, actor: Actor, f: ResponseFilter) {
    const col = surveyResponses[f.measure];
    const conds: (SQL | undefined)[] = [
      ticketVisibilityScope(actor),
      f.scoreMin !== undefined ? gte(col, f.scoreMin) : undefined,
      f.scoreMax !== undefined ? lte(col, f.scoreMax) : undefined,
      f.scoreMin !== undefined || f.scoreMax !== undefined ? sql`${col} IS NOT NULL` : undefined,
      f.teamId ? eq(surveyResponses.teamId, f.teamId) : undefined,
      f.from ? gte(surveyResponses.answeredAt, f.from) : undefined,
      f.to ? lt(surveyResponses.answeredAt, f.to) : undefined,
      f.lowOnly ? eq(surveyResponses.lowScore, true) : undefined,
      f.cursor ? lt(surveyResponses.id, f.cursor) : undefined,
    ];
    return ex
      .select({
        r: surveyResponses,
        number: tickets.number,
        subject: tickets.subject,
        customerName: customers.name,
        customerPhone: customers.phone,
        teamName: teams.name,
        ownerName: staff.name,
        recoveryId: recoveryCases.id,
        recoveryState: recoveryCases.state,
        recoveryOutcome: recoveryCases.outcome,
      })
      .from(surveyResponses)
      .innerJoin(tickets, eq(tickets.id, surveyResponses.ticketId))
      .leftJoin(customers, eq(customers.id, surveyResponses.customerId))
      .leftJoin(teams, eq(teams.id, surveyResponses.teamId))
      .leftJoin(staff, eq(staff.id, surveyResponses.ownerId))
      .leftJoin(recoveryCases, eq(recoveryCases.responseId, surveyResponses.id))
      .where(and(...conds))
      .orderBy(desc(surveyResponses.id))
      .limit(f.limit + 1);
  },
};
