/** Queries of the customer 360's message timeline (customers.conversation.ts). */
import { and, desc, eq, inArray, isNull, lt, ne, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { attachments, channelMessages, channelOutbox, channels, customers, staff, ticketReplies, tickets } from '../../db/schema';

const before = (col: Parameters<typeof lt>[0], cursor: string | undefined): SQL | undefined => (cursor ? lt(col, cursor) : undefined);

export const conversationRepo = {
  async customerExists(ex: Executor, customerId: string) {
    const [c] = await ex.select({ id: customers.id }).from(customers).where(eq(customers.id, customerId)).limit(1);
    return Boolean(c);
  },
  visibleTickets(ex: Executor, customerId: string, scope: SQL | undefined) {
    return ex
      .select({ id: tickets.id, number: tickets.number, channel: tickets.channel, description: tickets.description, createdAt: tickets.createdAt })
      .from(tickets)
      .where(and(eq(tickets.customerId, customerId), ne(tickets.type, 'internal'), scope));
  },
  publicReplies(ex: Executor, ids: string[], cursor: string | undefined, limit: number) {
    return ex
      .select({ r: ticketReplies, staffName: staff.name })
      .from(ticketReplies)
      .leftJoin(staff, and(eq(ticketReplies.authorKind, 'staff'), eq(staff.id, ticketReplies.authorId)))
      .where(and(inArray(ticketReplies.ticketId, ids), eq(ticketReplies.visibility, 'public'), before(ticketReplies.id, cursor)))
      .orderBy(desc(ticketReplies.id))
      .limit(limit + 1);
  },
  notifications(ex: Executor, ids: string[], cursor: string | undefined, limit: number) {
    return ex
      .select()
      .from(channelOutbox)
      .where(and(inArray(channelOutbox.ticketId, ids), isNull(channelOutbox.replyId), ne(channelOutbox.kind, 'code'), before(channelOutbox.id, cursor)))
      .orderBy(desc(channelOutbox.id))
      .limit(limit + 1);
  },
  async replyInbound(ex: Executor, replyIds: string[]) {
    if (!replyIds.length) return [];
    return ex
      .select({ replyId: channelMessages.replyId, channelId: channelMessages.channelId })
      .from(channelMessages)
      .where(and(inArray(channelMessages.replyId, replyIds), eq(channelMessages.direction, 'in')));
  },
  async replyOutbound(ex: Executor, replyIds: string[]) {
    if (!replyIds.length) return [];
    return ex
      .select({
        replyId: channelOutbox.replyId,
        channelId: channelOutbox.channelId,
        status: channelOutbox.status,
        receipt: channelOutbox.receipt,
        error: channelOutbox.lastError,
      })
      .from(channelOutbox)
      .where(inArray(channelOutbox.replyId, replyIds));
  },
  ticketFiles(ex: Executor, ids: string[]) {
    return ex
      .select({
        id: attachments.id,
        ticketId: attachments.ticketId,
        replyId: attachments.replyId,
        filename: attachments.filename,
        mime: attachments.mime,
        size: attachments.size,
      })
      .from(attachments)
      .where(inArray(attachments.ticketId, ids));
  },
  openingInbound(ex: Executor, ids: string[]) {
    return ex
      .select({ ticketId: channelMessages.ticketId, channelId: channelMessages.channelId })
      .from(channelMessages)
      .where(and(inArray(channelMessages.ticketId, ids), eq(channelMessages.direction, 'in'), eq(channelMessages.outcome, 'ticket')));
  },
  async providerChannels(ex: Executor) {
    const rows = await ex.select({ id: channels.id, kind: channels.kind, name: channels.name }).from(channels);
    return new Map(rows.map((r) => [r.id, r]));
  },
};
