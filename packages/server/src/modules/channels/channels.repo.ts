import { and, asc, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { attachments, channelLog, channelMessages, channelOutbox, channels, customerIdentities, customers, ticketReplies, tickets } from '../../db/schema';
import { OPEN_STATUSES } from '../tickets/tickets.schema';

export type ChannelRow = typeof channels.$inferSelect;
export type OutboxRow = typeof channelOutbox.$inferSelect;
export type ChannelMessageRow = typeof channelMessages.$inferSelect;

export const channelsRepo = {
  /** The open (or resolved, not yet closed) ticket of a conversation. */
  async openTicketOf(ex: Executor, externalRef: string) {
    const [row] = await ex
      .select({ id: tickets.id, number: tickets.number, customerId: tickets.customerId })
      .from(tickets)
      .where(and(eq(tickets.externalRef, externalRef), inArray(tickets.status, [...OPEN_STATUSES, 'resolved'])))
      .limit(1);
    return row;
  },

  // ── channels ──
  async insertChannel(ex: Executor, row: typeof channels.$inferInsert) {
    await ex.insert(channels).values(row);
  },
  async updateChannel(ex: Executor, id: string, set: Partial<typeof channels.$inferInsert>) {
    const [row] = await ex
      .update(channels)
      .set({ ...set, updatedAt: new Date() })
      .where(eq(channels.id, id))
      .returning();
    return row;
  },
  async channel(ex: Executor, id: string): Promise<ChannelRow | undefined> {
    const [row] = await ex.select().from(channels).where(eq(channels.id, id)).limit(1);
    return row;
  },
  async channelForUpdate(ex: Executor, id: string): Promise<ChannelRow | undefined> {
    const [row] = await ex.select().from(channels).where(eq(channels.id, id)).for('update').limit(1);
    return row;
  },
  async listChannels(ex: Executor, kind?: string): Promise<ChannelRow[]> {
    return ex
      .select()
      .from(channels)
      .where(kind ? eq(channels.kind, kind) : undefined)
      .orderBy(asc(channels.createdAt));
  },
  async channelByAddress(ex: Executor, address: string): Promise<ChannelRow | undefined> {
    const [row] = await ex
      .select()
      .from(channels)
      .where(and(eq(channels.address, address.toLowerCase()), eq(channels.enabled, true)))
      .limit(1);
    return row;
  },
  async channelByAddressAny(ex: Executor, address: string): Promise<ChannelRow | undefined> {
    const [row] = await ex.select().from(channels).where(eq(channels.address, address.toLowerCase())).limit(1);
    return row;
  },
  async setImapState(ex: Executor, id: string, uidValidity: number, lastUid: number) {
    await ex.update(channels).set({ imapUidValidity: uidValidity, imapLastUid: lastUid }).where(eq(channels.id, id));
  },

  // ── messages ──
  /** Records a message once; false when (channel, external id) is already there (a redelivery). */
  async insertMessage(ex: Executor, row: typeof channelMessages.$inferInsert): Promise<boolean> {
    const out = await ex.insert(channelMessages).values(row).onConflictDoNothing().returning({ id: channelMessages.id });
    return out.length > 0;
  },
  async deleteMessage(ex: Executor, id: string) {
    await ex.delete(channelMessages).where(eq(channelMessages.id, id));
  },
  async updateMessage(ex: Executor, id: string, set: Partial<typeof channelMessages.$inferInsert>) {
    await ex.update(channelMessages).set(set).where(eq(channelMessages.id, id));
  },
  /** updateMessage and a channel log line in one statement (one round trip per ingested message instead of two). */
  async updateMessageAndLog(
    ex: Executor,
    id: string,
    set: { outcome: string; ticketId: string | null; replyId: string | null; customerId: string | null },
    log: { id: string; channelId: string; level: 'info' | 'warn' | 'error'; event: string; detail: Record<string, unknown> },
  ) {
    await ex.execute(
      sql`WITH u AS (
            UPDATE channel_messages SET outcome = ${set.outcome}, ticket_id = ${set.ticketId}, reply_id = ${set.replyId}, customer_id = ${set.customerId}
            WHERE id = ${id} RETURNING id)
          INSERT INTO channel_log (id, channel_id, level, event, detail)
          VALUES (${log.id}, ${log.channelId}, ${log.level}, ${log.event}, ${JSON.stringify(log.detail)}::jsonb)`,
    );
  },
  async messageByExternal(ex: Executor, channelId: string, externalId: string) {
    const [row] = await ex
      .select()
      .from(channelMessages)
      .where(and(eq(channelMessages.channelId, channelId), eq(channelMessages.externalId, externalId)))
      .limit(1);
    return row;
  },
  /** The ticket a mail answers: the first of its In-Reply-To / References ids we know (in or out). */
  async ticketOfThread(ex: Executor, channelId: string, messageIds: string[]) {
    if (!messageIds.length) return undefined;
    const [row] = await ex
      .select({ ticketId: channelMessages.ticketId })
      .from(channelMessages)
      .where(and(eq(channelMessages.channelId, channelId), inArray(channelMessages.externalId, messageIds), sql`${channelMessages.ticketId} IS NOT NULL`))
      .limit(1);
    return row?.ticketId ?? undefined;
  },
  async ticketThreadRefs(ex: Executor, ticketId: string) {
    return ex
      .select({
        externalId: channelMessages.externalId,
        channelId: channelMessages.channelId,
        direction: channelMessages.direction,
        subject: channelMessages.subject,
      })
      .from(channelMessages)
      .where(eq(channelMessages.ticketId, ticketId))
      .orderBy(asc(channelMessages.createdAt), asc(channelMessages.id));
  },
  async reviewQueue(ex: Executor, channelId: string) {
    return ex
      .select()
      .from(channelMessages)
      .where(and(eq(channelMessages.channelId, channelId), eq(channelMessages.outcome, 'review')))
      .orderBy(desc(channelMessages.id))
      .limit(200);
  },

  /** The review queue across channels (or one), oldest first; with the channel's name. */
  async reviewItems(ex: Executor, channelId: string | undefined, limit = 100) {
    return ex
      .select({ message: channelMessages, channelName: channels.name, teamId: channels.teamId })
      .from(channelMessages)
      .innerJoin(channels, eq(channels.id, channelMessages.channelId))
      .where(and(eq(channelMessages.outcome, 'review'), channelId ? eq(channelMessages.channelId, channelId) : undefined))
      .orderBy(asc(channelMessages.createdAt), asc(channelMessages.id))
      .limit(limit);
  },
  async message(ex: Executor, id: string): Promise<ChannelMessageRow | undefined> {
    const [row] = await ex.select().from(channelMessages).where(eq(channelMessages.id, id)).limit(1);
    return row;
  },
  /** Takes a waiting mail out of the queue (review → reviewing) so two people never handle it twice; false when gone. */
  /** The ticket a mail already became (its `externalRef`), so a retried review never makes a second one. */
  async ticketByExternalRef(ex: Executor, ref: string): Promise<{ id: string; number: string } | undefined> {
    const [row] = await ex.select({ id: tickets.id, number: tickets.number }).from(tickets).where(eq(tickets.externalRef, ref)).limit(1);
    return row;
  },

  async claimReview(ex: Executor, id: string): Promise<boolean> {
    const out = await ex
      .update(channelMessages)
      .set({ outcome: 'reviewing' })
      .where(and(eq(channelMessages.id, id), eq(channelMessages.outcome, 'review')))
      .returning({ id: channelMessages.id });
    return out.length > 0;
  },

  // ── tickets and customers the ingest needs ──
  async ticketByNumber(ex: Executor, number: string) {
    const [row] = await ex
      .select({ id: tickets.id, customerId: tickets.customerId, status: tickets.status })
      .from(tickets)
      .where(eq(tickets.number, number))
      .limit(1);
    return row;
  },
  async ticketHead(ex: Executor, id: string) {
    const [row] = await ex
      .select({
        id: tickets.id,
        number: tickets.number,
        subject: tickets.subject,
        customerId: tickets.customerId,
        teamId: tickets.teamId,
        status: tickets.status,
      })
      .from(tickets)
      .where(eq(tickets.id, id))
      .limit(1);
    return row;
  },
  async reply(ex: Executor, id: string) {
    const [row] = await ex.select().from(ticketReplies).where(eq(ticketReplies.id, id)).limit(1);
    return row;
  },
  async customerContact(ex: Executor, id: string) {
    const [row] = await ex
      .select({ id: customers.id, name: customers.name, email: customers.email, consent: customers.consent })
      .from(customers)
      .where(eq(customers.id, id))
      .limit(1);
    return row;
  },
  async insertAttachment(ex: Executor, row: typeof attachments.$inferInsert) {
    await ex.insert(attachments).values(row);
  },

  // ── outbox ──
  async enqueue(ex: Executor, row: typeof channelOutbox.$inferInsert) {
    await ex.insert(channelOutbox).values(row);
  },
  /** Claims due deliveries (FOR UPDATE SKIP LOCKED) and marks them `sending`; a crash leaves them to be reclaimed after `staleMs`. */
  async claimDue(ex: Executor, now: Date, limit: number, staleMs = 5 * 60_000): Promise<OutboxRow[]> {
    const due = or(
      and(inArray(channelOutbox.status, ['queued', 'failed']), sql`${channelOutbox.nextAttemptAt} <= ${now}`),
      and(eq(channelOutbox.status, 'sending'), lt(channelOutbox.nextAttemptAt, new Date(now.getTime() - staleMs))),
    );
    const picked = await ex
      .select({ id: channelOutbox.id })
      .from(channelOutbox)
      .where(due)
      .orderBy(asc(channelOutbox.nextAttemptAt), asc(channelOutbox.id))
      .limit(limit)
      .for('update', { skipLocked: true });
    if (!picked.length) return [];
    return ex
      .update(channelOutbox)
      .set({ status: 'sending', nextAttemptAt: now, attempts: sql`${channelOutbox.attempts} + 1` })
      .where(
        inArray(
          channelOutbox.id,
          picked.map((p) => p.id),
        ),
      )
      .returning();
  },
  async finishOutbox(ex: Executor, id: string, set: Partial<typeof channelOutbox.$inferInsert>) {
    await ex.update(channelOutbox).set(set).where(eq(channelOutbox.id, id));
  },
  async outboxRow(ex: Executor, id: string) {
    const [row] = await ex.select().from(channelOutbox).where(eq(channelOutbox.id, id)).limit(1);
    return row;
  },
  async outboxList(ex: Executor, where: { status?: string | undefined; ticketId?: string | undefined; channelId?: string | undefined }, limit = 100) {
    return ex
      .select()
      .from(channelOutbox)
      .where(
        and(
          where.status ? eq(channelOutbox.status, where.status) : undefined,
          where.ticketId ? eq(channelOutbox.ticketId, where.ticketId) : undefined,
          where.channelId ? eq(channelOutbox.channelId, where.channelId) : undefined,
        ),
      )
      .orderBy(desc(channelOutbox.createdAt))
      .limit(limit);
  },
  /** Deliveries of a channel sent in the last minute (the per-provider rate limit). */
  async sentSince(ex: Executor, channelId: string, since: Date): Promise<number> {
    const [row] = await ex
      .select({ n: sql<number>`count(*)::int` })
      .from(channelOutbox)
      .where(and(eq(channelOutbox.channelId, channelId), eq(channelOutbox.status, 'sent'), sql`${channelOutbox.sentAt} >= ${since}`));
    return Number(row?.n ?? 0);
  },

  // ── customer identities (openid …) ──
  /** The customer's identity value of a kind, preferring the one made on this channel. */
  async identityOf(ex: Executor, customerId: string, kind: string, channelId: string): Promise<string | undefined> {
    const rows = await ex
      .select({ value: customerIdentities.value, channelId: customerIdentities.channelId })
      .from(customerIdentities)
      .where(and(eq(customerIdentities.customerId, customerId), eq(customerIdentities.kind, kind)))
      .orderBy(desc(customerIdentities.lastInAt));
    return (rows.find((r) => r.channelId === channelId) ?? rows[0])?.value;
  },
  /** Every identity of a kind the customer has (openids per channel), the most recently active first. */
  identitiesOf(ex: Executor, customerId: string, kind: string): Promise<{ value: string; channelId: string | null; lastInAt: Date | null }[]> {
    return ex
      .select({ value: customerIdentities.value, channelId: customerIdentities.channelId, lastInAt: customerIdentities.lastInAt })
      .from(customerIdentities)
      .where(and(eq(customerIdentities.customerId, customerId), eq(customerIdentities.kind, kind)))
      .orderBy(desc(customerIdentities.lastInAt));
  },
  async identityLastIn(ex: Executor, kind: string, value: string): Promise<Date | null> {
    const [row] = await ex
      .select({ at: customerIdentities.lastInAt })
      .from(customerIdentities)
      .where(and(eq(customerIdentities.kind, kind), eq(customerIdentities.value, value)))
      .limit(1);
    return row?.at ?? null;
  },

  // ── log ──
  async log(ex: Executor, row: typeof channelLog.$inferInsert) {
    await ex.insert(channelLog).values(row);
  },
  async logOf(ex: Executor, channelId: string, limit = 200) {
    return ex.select().from(channelLog).where(eq(channelLog.channelId, channelId)).orderBy(desc(channelLog.id)).limit(limit);
  },
};
