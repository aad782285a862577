import { sql } from 'drizzle-orm';
import { bigserial, date, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Knowledge-base category tree (知识分类). Experts of a category review its items. */
export const kbCategories = pgTable(
  'kb_categories',
  {
    id: uuid('id').primaryKey(),
    parentId: uuid('parent_id'),
    name: text('name').notNull(),
    position: integer('position').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('kb_categories_parent_name_key').on(sql`coalesce(${t.parentId}, '00000000-0000-0000-0000-000000000000'::uuid)`, t.name)],
);

export const kbCategoryExperts = pgTable(
  'kb_category_experts',
  {
    categoryId: uuid('category_id').notNull(),
    staffId: uuid('staff_id').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.categoryId, t.staffId] }), index('kb_category_experts_staff_idx').on(t.staffId)],
);

/**
 * One knowledge item (article / FAQ / 话术 script / emergency procedure / case). The row holds the working copy;
 * every saved change is also an immutable row of kb_versions.
 */
export const kbItems = pgTable(
  'kb_items',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').notNull().default('article'), // article | faq | script | procedure | case
    title: text('title').notNull(),
    /** Sanitised HTML (articles, procedures, cases, FAQ answers) or plain text with {占位符} (scripts). */
    body: text('body').notNull().default(''),
    /** FAQ question variants. */
    variants: text('variants')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    categoryId: uuid('category_id').notNull(),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Service scenario (服务场景), e.g. 报修受理, 投诉安抚. */
    scenario: text('scenario'),
    audience: text('audience').notNull().default('internal'), // internal | customer
    status: text('status').notNull().default('draft'), // draft | in_review | published | needs_update | retired
    statusReason: text('status_reason'),
    ownerId: uuid('owner_id'),
    authorId: uuid('author_id'),
    reviewDueOn: date('review_due_on'),
    version: integer('version').notNull().default(1),
    publishedVersion: integer('published_version'),
    helpfulCount: integer('helpful_count').notNull().default(0),
    notHelpfulCount: integer('not_helpful_count').notNull().default(0),
    usedCount: integer('used_count').notNull().default(0),
    publishedAt: ts('published_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('kb_items_status_idx').on(t.status, t.id), index('kb_items_category_idx').on(t.categoryId, t.id), index('kb_items_author_idx').on(t.authorId)],
);

export const kbVersions = pgTable(
  'kb_versions',
  {
    id: uuid('id').primaryKey(),
    itemId: uuid('item_id').notNull(),
    version: integer('version').notNull(),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    variants: text('variants')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    categoryId: uuid('category_id').notNull(),
    scenario: text('scenario'),
    audience: text('audience').notNull(),
    authorId: uuid('author_id'),
    note: text('note'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('kb_versions_item_version_key').on(t.itemId, t.version)],
);

/** Review decisions (approve / return with comments). */
export const kbReviews = pgTable(
  'kb_reviews',
  {
    id: uuid('id').primaryKey(),
    itemId: uuid('item_id').notNull(),
    version: integer('version').notNull(),
    reviewerId: uuid('reviewer_id').notNull(),
    decision: text('decision').notNull(), // approve | return
    comment: text('comment'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('kb_reviews_item_idx').on(t.itemId, t.createdAt)],
);

/** Credited contributions (feeds the performance score): one row per version that got published. */
export const kbContributions = pgTable(
  'kb_contributions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    staffId: uuid('staff_id').notNull(),
    itemId: uuid('item_id').notNull(),
    version: integer('version').notNull(),
    kind: text('kind').notNull(), // created | revised
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('kb_contributions_item_version_key').on(t.itemId, t.version), index('kb_contributions_staff_idx').on(t.staffId, t.at)],
);

/** Knowledge use inside tickets: knowledge application rate = resolved tickets with a `used` row / all resolved. */
export const kbUsage = pgTable(
  'kb_usage',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ticketId: uuid('ticket_id').notNull(),
    itemId: uuid('item_id').notNull(),
    kind: text('kind').notNull(), // used | not_helpful
    staffId: uuid('staff_id'),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('kb_usage_ticket_item_kind_key').on(t.ticketId, t.itemId, t.kind), index('kb_usage_item_idx').on(t.itemId)],
);

/** Help-centre "was this helpful" answers (no personal data; the query text the customer searched, if any). */
export const kbFeedback = pgTable(
  'kb_feedback',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    itemId: uuid('item_id').notNull(),
    helpful: integer('helpful').notNull(), // 1 | 0
    customerId: uuid('customer_id'),
    query: text('query'),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('kb_feedback_item_idx').on(t.itemId, t.at)],
);

/** Admin-editable search vocabulary: dictionary words, synonym groups and one-way rules. */
export const kbVocabulary = pgTable(
  'kb_vocabulary',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').notNull(), // word | synonyms | rule
    /** word: the word; synonyms: first member; rule: the colloquial phrase. */
    term: text('term').notNull(),
    /** synonyms: all members; rule: what the phrase expands to; word: empty. */
    expansions: text('expansions')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('kb_vocabulary_kind_term_key').on(t.kind, t.term)],
);
