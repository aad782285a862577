import { sql } from 'drizzle-orm';
import { boolean, date, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Mystery shopper scenario scripts (神秘顾客情景脚本, migration 0047): per site (or every site) and channel, the story the
 * shopper plays, its ordered steps, the scorecard to score against and the evidence to bring. Versioned like scorecards.
 */
export const qaMysteryScripts = pgTable('qa_mystery_scripts', {
  id: uuid('id').primaryKey(),
  title: text('title').notNull(),
  siteId: uuid('site_id'),
  /** phone | walk_in | chat | field */
  channel: text('channel').notNull(),
  story: text('story').notNull(),
  /** string[] in order */
  steps: jsonb('steps').notNull(),
  scorecardId: uuid('scorecard_id').notNull(),
  /** photo | audio | screenshot */
  evidence: text('evidence')
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  version: integer('version').notNull().default(1),
  active: boolean('active').notNull().default(true),
  createdBy: uuid('created_by'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Every version of a script: a visit keeps the version it was planned with. */
export const qaMysteryScriptVersions = pgTable(
  'qa_mystery_script_versions',
  {
    scriptId: uuid('script_id').notNull(),
    version: integer('version').notNull(),
    title: text('title').notNull(),
    siteId: uuid('site_id'),
    channel: text('channel').notNull(),
    story: text('story').notNull(),
    steps: jsonb('steps').notNull(),
    scorecardId: uuid('scorecard_id').notNull(),
    evidence: text('evidence')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.scriptId, t.version], name: 'qa_mystery_script_versions_pk' })],
);

/** A site's plan for a month: how many visits, the channel mix and the kinds (mystery 暗访 / open 明查 / remote 远程). */
export const qaMysteryPlans = pgTable(
  'qa_mystery_plans',
  {
    id: uuid('id').primaryKey(),
    month: text('month').notNull(),
    siteId: uuid('site_id').notNull(),
    visits: integer('visits').notNull(),
    channels: text('channels').array().notNull(),
    kinds: text('kinds').array().notNull(),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('qa_mystery_plans_month_site_key').on(t.month, t.siteId)],
);

/** One planned visit or call by a shopper, and once submitted its record: steps ticked, scores, evidence, staff served. */
export const qaMysteryVisits = pgTable(
  'qa_mystery_visits',
  {
    id: uuid('id').primaryKey(),
    planId: uuid('plan_id'),
    scriptId: uuid('script_id').notNull(),
    scriptVersion: integer('script_version').notNull(),
    scorecardId: uuid('scorecard_id').notNull(),
    scorecardVersion: integer('scorecard_version').notNull(),
    /** mystery | open | remote */
    kind: text('kind').notNull(),
    siteId: uuid('site_id').notNull(),
    channel: text('channel').notNull(),
    shopperId: uuid('shopper_id').notNull(),
    month: text('month').notNull(),
    plannedOn: date('planned_on', { mode: 'string' }).notNull(),
    /** planned | submitted */
    state: text('state').notNull().default('planned'),
    visitedAt: ts('visited_at'),
    /** [{step, done}] */
    steps: jsonb('steps')
      .notNull()
      .default(sql`'[]'::jsonb`),
    /** [{item, score, note?}] */
    scores: jsonb('scores')
      .notNull()
      .default(sql`'[]'::jsonb`),
    /** [{attachmentId, filename, mime, size}] */
    evidence: jsonb('evidence')
      .notNull()
      .default(sql`'[]'::jsonb`),
    servedIds: uuid('served_ids')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    note: text('note'),
    score: doublePrecision('score'),
    passed: boolean('passed'),
    submittedAt: ts('submitted_at'),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('qa_mystery_visits_month_idx').on(t.month, t.siteId),
    index('qa_mystery_visits_shopper_idx').on(t.shopperId, t.state),
    index('qa_mystery_visits_served_idx').using('gin', t.servedIds),
  ],
);
