/**
 * Automatic inspection (全量质检): the editable rules, the queue of messages to inspect and the hits found.
 * See docs/quality.md ("自动质检 / Automatic inspection").
 */
import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const textArray = (name: string) =>
  text(name)
    .array()
    .notNull()
    .default(sql`'{}'::text[]`);

/** One rule (packages/core/src/inspection/types.ts); the shipped zh-CN set is inserted by migration 0021. */
export const qaRules = pgTable(
  'qa_rules',
  {
    id: uuid('id').primaryKey(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    severity: text('severity').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    audience: text('audience').notNull().default('any'),
    phrases: textArray('phrases'),
    pattern: text('pattern'),
    wholeWord: boolean('whole_word').notNull().default(false),
    exceptions: textArray('exceptions'),
    suggestion: text('suggestion'),
    channels: textArray('channels'),
    ticketTypes: textArray('ticket_types'),
    position: text('position').notNull().default('any'),
    window: integer('window').notNull().default(12),
    /** + 1 on every change; each hit keeps the version that found it (changes are in the audit log). */
    version: integer('version').notNull().default(1),
    builtin: boolean('builtin').notNull().default(false),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('qa_rules_code_key').on(t.code)],
);

/** Messages waiting for the inspector (appended in the reply's transaction; the worker claims with SKIP LOCKED). */
export const qaQueue = pgTable('qa_queue', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  ticketId: uuid('ticket_id').notNull(),
  /** the reply to inspect; null: the ticket resolved (its last public staff reply is checked for the closing) */
  replyId: uuid('reply_id'),
  queuedAt: ts('queued_at').notNull().defaultNow(),
});

/** One rule hit on one staff message. */
export const qaHits = pgTable(
  'qa_hits',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ticketId: uuid('ticket_id').notNull(),
    replyId: uuid('reply_id').notNull(),
    authorId: uuid('author_id'),
    rule: text('rule').notNull(),
    ruleVersion: integer('rule_version').notNull().default(1),
    severity: text('severity').notNull(),
    startOffset: integer('start_offset').notNull(),
    endOffset: integer('end_offset').notNull(),
    excerpt: text('excerpt').notNull(),
    suggestion: text('suggestion'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('qa_hits_reply_rule_key').on(t.replyId, t.rule, t.startOffset),
    index('qa_hits_ticket_idx').on(t.ticketId, t.id),
    index('qa_hits_created_idx').on(t.createdAt),
    index('qa_hits_author_idx').on(t.authorId, t.createdAt),
  ],
);
