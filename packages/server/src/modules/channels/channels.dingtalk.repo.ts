/** The SQL of the DingTalk channel: robot conversations (session webhook), the customer's open ticket, staff userids. */
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { dingtalkSessions, staff, staffDingtalk, tickets } from '../../db/schema';
import { OPEN_STATUSES } from '../tickets/tickets.schema';

export type DingtalkSessionRow = typeof dingtalkSessions.$inferSelect;

export const dingtalkRepo = {
  /** Keep the conversation's latest session webhook (sealed) and its expiry. */
  async saveSession(ex: Executor, row: typeof dingtalkSessions.$inferInsert): Promise<void> {
    await ex
      .insert(dingtalkSessions)
      .values(row)
      .onConflictDoUpdate({
        target: [dingtalkSessions.channelId, dingtalkSessions.conversationId, dingtalkSessions.senderKey],
        set: {
          customerId: row.customerId,
          conversationType: row.conversationType,
          senderStaffId: row.senderStaffId ?? null,
          sessionWebhook: row.sessionWebhook ?? null,
          expiresAt: row.expiresAt ?? null,
          updatedAt: new Date(),
        },
      });
  },
  async session(ex: Executor, channelId: string, conversationId: string, senderKey: string): Promise<DingtalkSessionRow | undefined> {
    const [row] = await ex
      .select()
      .from(dingtalkSessions)
      .where(and(eq(dingtalkSessions.channelId, channelId), eq(dingtalkSessions.conversationId, conversationId), eq(dingtalkSessions.senderKey, senderKey)));
    return row;
  },
  /** The conversation the customer last wrote in on this channel. */
  async latestSessionOf(ex: Executor, channelId: string, customerId: string): Promise<DingtalkSessionRow | undefined> {
    const [row] = await ex
      .select()
      .from(dingtalkSessions)
      .where(and(eq(dingtalkSessions.channelId, channelId), eq(dingtalkSessions.customerId, customerId)))
      .orderBy(desc(dingtalkSessions.updatedAt))
      .limit(1);
    return row;
  },
  /** The customer's open (or resolved, not closed) ticket on channel dingtalk, newest first. */
  async openTicket(ex: Executor, customerId: string) {
    const [row] = await ex
      .select({ id: tickets.id, number: tickets.number })
      .from(tickets)
      .where(and(eq(tickets.customerId, customerId), eq(tickets.channel, 'dingtalk'), inArray(tickets.status, [...OPEN_STATUSES, 'resolved'])))
      .orderBy(desc(tickets.createdAt))
      .limit(1);
    return row;
  },
  /** Staff members and their DingTalk userids (those without one too), by name. */
  staffMappings(ex: Executor) {
    return ex
      .select({ staffId: staff.id, name: staff.name, userid: staffDingtalk.userid, enabled: staffDingtalk.enabled })
      .from(staff)
      .leftJoin(staffDingtalk, eq(staffDingtalk.staffId, staff.id))
      .orderBy(staff.name);
  },
  async mapping(ex: Executor, staffId: string) {
    const [row] = await ex.select().from(staffDingtalk).where(eq(staffDingtalk.staffId, staffId));
    return row;
  },
  async setMapping(ex: Executor, staffId: string, userid: string, enabled: boolean): Promise<void> {
    await ex
      .insert(staffDingtalk)
      .values({ staffId, userid, enabled })
      .onConflictDoUpdate({ target: staffDingtalk.staffId, set: { userid, enabled, updatedAt: new Date() } });
  },
  async deleteMapping(ex: Executor, staffId: string): Promise<void> {
    await ex.delete(staffDingtalk).where(eq(staffDingtalk.staffId, staffId));
  },
  /** The enabled mappings of these staff members. */
  async mappingsOf(ex: Executor, staffIds: string[]) {
    if (!staffIds.length) return [];
    return ex
      .select()
      .from(staffDingtalk)
      .where(and(inArray(staffDingtalk.staffId, staffIds), eq(staffDingtalk.enabled, true)));
  },
};
