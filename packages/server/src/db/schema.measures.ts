/**
 * Measures (数据化服务管理): per-ticket facts, hourly/daily rollups maintained incrementally from the event outbox,
 * targets, wall display tokens and scheduled reports. See docs/measures.md.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const n = (name: string) => bigint(name, { mode: 'number' }).notNull().default(0);

/**
 * Outbox of tickets whose measures must be recomputed: one row per ticket event, appended in the event's own
 * transaction (never blocks it), claimed by the measures worker with FOR UPDATE SKIP LOCKED and deleted when applied.
 */
export const measureQueue = pgTable('measure_queue', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  ticketId: uuid('ticket_id').notNull(),
  eventId: bigint('event_id', { mode: 'number' }),
  queuedAt: ts('queued_at').notNull().defaultNow(),
});

/** One row per ticket (customer request): the facts the definitions need, as of the last processed event. */
export const measureTicketFacts = pgTable(
  'measure_ticket_facts',
  {
    ticketId: uuid('ticket_id').primaryKey(),
    number: text('number').notNull(),
    type: text('type').notNull(),
    channel: text('channel').notNull(),
    teamId: uuid('team_id'),
    ownerId: uuid('owner_id'),
    tier: text('tier').notNull(),
    categoryId: uuid('category_id'),
    site: text('site'),
    status: text('status').notNull(),
    createdAt: ts('created_at').notNull(),
    /** Latest resolution while the ticket is resolved or closed; null otherwise. */
    resolvedAt: ts('resolved_at'),
    reopenCount: integer('reopen_count').notNull(),
    handoverCount: integer('handover_count').notNull(),
    teamTransferCount: integer('team_transfer_count').notNull(),
    staffPublicReplyCount: integer('staff_public_reply_count').notNull(),
    firstResponseSeconds: bigint('first_response_seconds', { mode: 'number' }),
    resolutionSeconds: bigint('resolution_seconds', { mode: 'number' }),
    calendarId: uuid('calendar_id'),
    fcr: boolean('fcr').notNull(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('measure_ticket_facts_created_idx').on(t.createdAt),
    index('measure_ticket_facts_resolved_idx')
      .on(t.resolvedAt)
      .where(sql`${t.resolvedAt} IS NOT NULL`),
    index('measure_ticket_facts_team_idx').on(t.teamId, t.createdAt),
    index('measure_ticket_facts_owner_idx').on(t.ownerId, t.createdAt),
    index('measure_ticket_facts_site_idx').on(t.site, t.createdAt),
  ],
);

/** survey.answered events (one per response). */
export const measureAnswerFacts = pgTable(
  'measure_answer_facts',
  {
    eventId: bigint('event_id', { mode: 'number' }).primaryKey(),
    ticketId: uuid('ticket_id').notNull(),
    at: ts('at').notNull(),
    csat: smallint('csat'),
    nps: smallint('nps'),
    ces: smallint('ces'),
    lowScore: boolean('low_score').notNull().default(false),
  },
  (t) => [index('measure_answer_facts_ticket_idx').on(t.ticketId), index('measure_answer_facts_at_idx').on(t.at)],
);

/** Hard standard instances that ended met or breached. */
export const measureOutcomeFacts = pgTable(
  'measure_outcome_facts',
  {
    instanceId: uuid('instance_id').primaryKey(),
    ticketId: uuid('ticket_id').notNull(),
    standardId: uuid('standard_id').notNull(),
    endedAt: ts('ended_at').notNull(),
    met: boolean('met').notNull(),
  },
  (t) => [index('measure_outcome_facts_ticket_idx').on(t.ticketId), index('measure_outcome_facts_ended_idx').on(t.endedAt)],
);

/** recovery.closed events: the latest per (ticket, case). */
export const measureRecoveryFacts = pgTable(
  'measure_recovery_facts',
  {
    ticketId: uuid('ticket_id').notNull(),
    caseId: text('case_id').notNull(),
    closedAt: ts('closed_at').notNull(),
    recovered: boolean('recovered').notNull(),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.caseId] }), index('measure_recovery_facts_closed_idx').on(t.closedAt)],
);

/**
 * Rollup cubes: cube 1 = hour × (team, owner, channel, type, tier); 2 = local day × (team, channel, type, tier);
 * 3 = local day × team; 4 = local day × owner; 5 = local day. Counters are sums of ticket contributions.
 */
export const measureRollup = pgTable(
  'measure_rollup',
  {
    cube: smallint('cube').notNull(),
    bucket: ts('bucket').notNull(),
    dimKey: text('dim_key').notNull(),
    teamId: uuid('team_id'),
    ownerId: uuid('owner_id'),
    channel: text('channel'),
    type: text('type'),
    tier: text('tier'),
    created: n('created'),
    complaints: n('complaints'),
    complaintsOk: n('complaints_ok'),
    resolved: n('resolved'),
    fcr: n('fcr'),
    frCount: n('fr_count'),
    rsCount: n('rs_count'),
    csatCount: n('csat_count'),
    csatPositive: n('csat_positive'),
    npsCount: n('nps_count'),
    npsPromoters: n('nps_promoters'),
    npsDetractors: n('nps_detractors'),
    cesCount: n('ces_count'),
    cesSum: n('ces_sum'),
    stdMet: n('std_met'),
    stdBreached: n('std_breached'),
    recClosed: n('rec_closed'),
    recRecovered: n('rec_recovered'),
  },
  (t) => [primaryKey({ columns: [t.cube, t.bucket, t.dimKey] })],
);

/** Small counters: `version` grows with every processed batch (dashboards poll it). */
export const measureState = pgTable('measure_state', {
  key: text('key').primaryKey(),
  value: bigint('value', { mode: 'number' }).notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Target per measure (defaults from the domain spec), and the alert state of its rolling rate. */
export const measureTargets = pgTable('measure_targets', {
  measure: text('measure').primaryKey(),
  target: doublePrecision('target'),
  direction: text('direction').notNull(), // min | max
  windowDays: integer('window_days').notNull().default(7),
  /** Minimum denominator before an alert fires (avoid alerts on 1 answer). */
  minCount: integer('min_count').notNull().default(20),
  below: boolean('below').notNull().default(false),
  lastValue: doublePrecision('last_value'),
  alertedAt: ts('alerted_at'),
  updatedBy: uuid('updated_by'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Read-only display tokens for the TV wall (only the SHA-256 is kept). */
export const measureDisplayTokens = pgTable(
  'measure_display_tokens',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    teamId: uuid('team_id'),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
    lastUsedAt: ts('last_used_at'),
    createdBy: uuid('created_by').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('measure_display_tokens_hash_key').on(t.tokenHash)],
);

/** Scheduled reports (daily / weekly) by email or webhook, with a PNG of the chart. */
export const measureReports = pgTable(
  'measure_reports',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    frequency: text('frequency').notNull(), // daily | weekly
    /** Local hour (0–23, Asia/Shanghai unless timeZone) and weekday (1=Mon … 7=Sun, weekly only). */
    hour: integer('hour').notNull().default(8),
    weekday: integer('weekday'),
    timeZone: text('time_zone').notNull().default('Asia/Shanghai'),
    channel: text('channel').notNull(), // email | webhook
    /** email address, or the webhook URL ENCRYPTED at rest (`v1:<keyId>:…`). */
    target: text('target').notNull(),
    filters: jsonb('filters')
      .notNull()
      .default(sql`'{}'::jsonb`),
    locale: text('locale').notNull().default('zh-CN'),
    active: boolean('active').notNull().default(true),
    nextRunAt: ts('next_run_at').notNull(),
    lastRunAt: ts('last_run_at'),
    lastStatus: text('last_status'),
    lastError: text('last_error'),
    createdBy: uuid('created_by').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('measure_reports_due_idx')
      .on(t.nextRunAt)
      .where(sql`${t.active}`),
  ],
);
