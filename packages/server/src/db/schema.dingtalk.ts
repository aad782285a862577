import { sql } from 'drizzle-orm';
import { boolean, check, index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A DingTalk robot conversation (migration 0045): the last session webhook the platform gave (sealed: it lets anyone
 * post into the conversation until it expires) and its expiry; replies use it while valid, else the robot API.
 */
export const dingtalkSessions = pgTable(
  'dingtalk_sessions',
  {
    channelId: uuid('channel_id').notNull(),
    conversationId: text('conversation_id').notNull(),
    /** The sender in the conversation (their identity value): a group has one row per sender. */
    senderKey: text('sender_key').notNull(),
    customerId: uuid('customer_id').notNull(),
    /** 1: one-to-one with the robot; 2: a group. */
    conversationType: text('conversation_type').notNull(),
    senderStaffId: text('sender_staff_id'),
    sessionWebhook: text('session_webhook'),
    expiresAt: ts('expires_at'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'dingtalk_sessions_pkey', columns: [t.channelId, t.conversationId, t.senderKey] }),
    index('dingtalk_sessions_customer_idx').on(t.customerId, t.updatedAt),
    check('dingtalk_sessions_webhook_encrypted', sql`${t.sessionWebhook} IS NULL OR ${t.sessionWebhook} LIKE 'v1:%'`),
  ],
);

/** A staff member's DingTalk userid (工作通知 / work notifications go to it while enabled). */
export const staffDingtalk = pgTable('staff_dingtalk', {
  staffId: uuid('staff_id').primaryKey(),
  userid: text('userid').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});
