/** Storage of the web chat widget (migration 0043): visitors and the widget's event stream. */
import { and, asc, desc, eq, gt, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { attachments, channelOutbox, customerIdentities, teams, tickets, webchatEvents, webchatVisitors } from '../../db/schema';
import { OPEN_STATUSES } from '../tickets/tickets.schema';

export type VisitorRow = typeof webchatVisitors.$inferSelect;
export type WebchatEventRow = typeof webchatEvents.$inferSelect;

/** The NOTIFY channel: payload = a visitor id whose stream grew (sent at commit) or `t:<who>:<visitorId>:<ticketId>` (typing). */
export const WEBCHAT_CHANNEL = 'chidu_webchat';

export const webchatRepo = {
  /** A team by its name (the demo page's channel is answered by the demo's first service-desk team). */
  async teamIdByName(ex: Executor, name: string) {
    const [team] = await ex.select({ id: teams.id }).from(teams).where(eq(teams.name, name)).limit(1);
    return team?.id ?? null;
  },
  async insertVisitor(ex: Executor, row: typeof webchatVisitors.$inferInsert) {
    await ex.insert(webchatVisitors).values(row);
  },
  async visitorByToken(ex: Executor, tokenHash: string): Promise<VisitorRow | undefined> {
    const [row] = await ex.select().from(webchatVisitors).where(eq(webchatVisitors.tokenHash, tokenHash)).limit(1);
    return row;
  },
  async visitor(ex: Executor, id: string): Promise<VisitorRow | undefined> {
    const [row] = await ex.select().from(webchatVisitors).where(eq(webchatVisitors.id, id)).limit(1);
    return row;
  },
  /** The visitor row, locked (identification: one at a time per visitor). */
  async visitorForUpdate(ex: Executor, id: string): Promise<VisitorRow | undefined> {
    const [row] = await ex.select().from(webchatVisitors).where(eq(webchatVisitors.id, id)).limit(1).for('update');
    return row;
  },
  async touch(ex: Executor, id: string, online: boolean, expiresAt?: Date) {
    await ex
      .update(webchatVisitors)
      .set({ online, lastSeenAt: new Date(), ...(expiresAt ? { expiresAt } : {}) })
      .where(eq(webchatVisitors.id, id));
  },
  /** Inserts a visitor message once per (visitor, client id); undefined when that client id was already taken. */
  async insertEvent(ex: Executor, row: typeof webchatEvents.$inferInsert): Promise<WebchatEventRow | undefined> {
    const [out] = await ex.insert(webchatEvents).values(row).onConflictDoNothing().returning();
    return out;
  },
  async eventByClientId(ex: Executor, visitorId: string, clientId: string): Promise<WebchatEventRow | undefined> {
    const [row] = await ex
      .select()
      .from(webchatEvents)
      .where(and(eq(webchatEvents.visitorId, visitorId), eq(webchatEvents.clientId, clientId)))
      .limit(1);
    return row;
  },
  async setEventTicket(ex: Executor, seq: number, ticketId: string, replyId: string | null) {
    await ex.update(webchatEvents).set({ ticketId, replyId }).where(eq(webchatEvents.seq, seq));
  },
  /** The message's ticket (and reply) noted and the sockets told, in one statement. */
  async setEventTicketAndNotify(ex: Executor, seq: number, ticketId: string, replyId: string | null, visitorId: string) {
    await ex.execute(sql`WITH u AS (UPDATE webchat_events SET ticket_id = ${ticketId}, reply_id = ${replyId} WHERE seq = ${seq} RETURNING seq)
      SELECT pg_notify(${WEBCHAT_CHANNEL}, ${visitorId}) FROM u`);
  },
  async deleteEvent(ex: Executor, seq: number) {
    await ex.delete(webchatEvents).where(eq(webchatEvents.seq, seq));
  },
  /** The stream after a cursor, oldest first. */
  async eventsAfter(ex: Executor, visitorId: string, after: number, limit: number): Promise<WebchatEventRow[]> {
    return ex
      .select()
      .from(webchatEvents)
      .where(and(eq(webchatEvents.visitorId, visitorId), gt(webchatEvents.seq, after)))
      .orderBy(asc(webchatEvents.seq))
      .limit(limit);
  },
  /** The visitor's open (or resolved, not closed) chat ticket, newest first. */
  async openTicketOf(ex: Executor, visitorId: string) {
    const [row] = await ex
      .select({ id: tickets.id, number: tickets.number, status: tickets.status })
      .from(webchatEvents)
      .innerJoin(tickets, eq(tickets.id, webchatEvents.ticketId))
      .where(and(eq(webchatEvents.visitorId, visitorId), inArray(tickets.status, [...OPEN_STATUSES, 'resolved'])))
      .orderBy(desc(webchatEvents.seq))
      .limit(1);
    return row;
  },
  /** The visitor of a chat ticket (the one who wrote on it last). */
  async visitorOfTicket(ex: Executor, ticketId: string): Promise<VisitorRow | undefined> {
    const [row] = await ex
      .select({ v: webchatVisitors })
      .from(webchatEvents)
      .innerJoin(webchatVisitors, eq(webchatVisitors.id, webchatEvents.visitorId))
      .where(and(eq(webchatEvents.ticketId, ticketId), eq(webchatEvents.author, 'visitor')))
      .orderBy(desc(webchatEvents.seq))
      .limit(1);
    return row?.v;
  },
  /** Photos of a reply (an agent's, attached in the reply's transaction). */
  async replyAttachments(ex: Executor, replyId: string) {
    return ex
      .select({ id: attachments.id, mime: attachments.mime, filename: attachments.filename })
      .from(attachments)
      .where(eq(attachments.replyId, replyId))
      .orderBy(asc(attachments.id));
  },
  /** Whether an attachment is shown in this visitor's stream (a visitor sees only the files of their own stream). */
  async inStream(ex: Executor, visitorId: string, attachmentId: string): Promise<boolean> {
    const [row] = await ex
      .select({ seq: webchatEvents.seq })
      .from(webchatEvents)
      .where(and(eq(webchatEvents.visitorId, visitorId), eq(webchatEvents.attachmentId, attachmentId)))
      .limit(1);
    return Boolean(row);
  },
  /** Live state of the conversations of these tickets: visitor online, the last visitor and agent message times. */
  async conversationState(ex: Executor, ticketIds: string[]) {
    if (ticketIds.length === 0) return [];
    return ex
      .select({
        ticketId: webchatEvents.ticketId,
        visitorId: sql<string>`(array_agg(${webchatEvents.visitorId} ORDER BY ${webchatEvents.seq} DESC))[1]`,
        lastVisitorAt: sql<string | null>`max(${webchatEvents.createdAt}) FILTER (WHERE ${webchatEvents.author} = 'visitor')`,
        lastAgentAt: sql<string | null>`max(${webchatEvents.createdAt}) FILTER (WHERE ${webchatEvents.author} = 'agent')`,
      })
      .from(webchatEvents)
      .where(and(inArray(webchatEvents.ticketId, ticketIds), isNotNull(webchatEvents.ticketId)))
      .groupBy(webchatEvents.ticketId);
  },
  async visitorsOnline(ex: Executor, ids: string[]) {
    if (ids.length === 0) return [];
    return ex
      .select({ id: webchatVisitors.id, online: webchatVisitors.online, lastSeenAt: webchatVisitors.lastSeenAt })
      .from(webchatVisitors)
      .where(inArray(webchatVisitors.id, ids));
  },
  /** A survey invitation reached a socket of the visitor: its outbox row's receipt says `delivered`. */
  async markDelivered(ex: Executor, outboxId: string) {
    await ex
      .update(channelOutbox)
      .set({ receipt: 'delivered', receiptAt: new Date() })
      .where(and(eq(channelOutbox.id, outboxId), sql`${channelOutbox.receipt} IS NULL`));
  },
  /** The visitor proved who they are (a phone code or the portal session): now bound to this customer. */
  async setVerified(ex: Executor, id: string, v: { customerId: string; via: 'phone' | 'portal'; phone: string | null }) {
    await ex
      .update(webchatVisitors)
      .set({ customerId: v.customerId, verifiedAt: new Date(), verifiedVia: v.via, verifiedPhone: v.phone })
      .where(eq(webchatVisitors.id, id));
  },
  /** The tickets of a visitor's conversations still on another customer move to `intoId`; returns how many. */
  async moveStreamTickets(ex: Executor, visitorId: string, intoId: string): Promise<number> {
    const moved = await ex
      .update(tickets)
      .set({ customerId: intoId })
      .where(
        and(
          sql`${tickets.id} IN (SELECT ticket_id FROM webchat_events WHERE visitor_id = ${visitorId} AND ticket_id IS NOT NULL)`,
          sql`${tickets.customerId} <> ${intoId}`,
        ),
      )
      .returning({ id: tickets.id });
    return moved.length;
  },
  /** The visitor's own identity (kind webchat_visitor, value = visitor id) follows them to `customerId`. */
  async moveVisitorIdentity(ex: Executor, visitorId: string, kind: string, customerId: string) {
    await ex
      .update(customerIdentities)
      .set({ customerId })
      .where(and(eq(customerIdentities.kind, kind), eq(customerIdentities.value, visitorId)));
  },
  /** How the visitors of these tickets (the last one who wrote on each) are identified, for 在线会话 and the ticket page. */
  async verificationOfTickets(ex: Executor, ticketIds: string[]) {
    if (ticketIds.length === 0) return [];
    return ex
      .selectDistinctOn([webchatEvents.ticketId], {
        ticketId: webchatEvents.ticketId,
        verifiedAt: webchatVisitors.verifiedAt,
        verifiedVia: webchatVisitors.verifiedVia,
        verifiedPhone: webchatVisitors.verifiedPhone,
      })
      .from(webchatEvents)
      .innerJoin(webchatVisitors, eq(webchatVisitors.id, webchatEvents.visitorId))
      .where(and(inArray(webchatEvents.ticketId, ticketIds), eq(webchatEvents.author, 'visitor')))
      .orderBy(webchatEvents.ticketId, desc(webchatEvents.seq));
  },
  /** Tell the sockets (every process) that a visitor's stream grew; delivered at commit. */
  async notify(ex: Executor, payload: string) {
    await ex.execute(sql`SELECT pg_notify(${WEBCHAT_CHANNEL}, ${payload})`);
  },
};
