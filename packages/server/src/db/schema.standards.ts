import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Business calendars (营业日历). The spec columns follow the public contract; `version` bumps on every change. */
export const calendars = pgTable(
  'calendars',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    description: text('description'),
    timeZone: text('time_zone').notNull(),
    /** {mon: [["09:00","18:00"], …], …} */
    weekly: jsonb('weekly').notNull(),
    /** 'cn-mainland' | null */
    holidays: text('holidays'),
    /** [{date, kind, hours?, name?}] */
    overrides: jsonb('overrides')
      .notNull()
      .default(sql`'[]'::jsonb`),
    version: integer('version').notNull().default(1),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('calendars_name_key').on(t.name)],
);

/**
 * Which calendar a ticket runs on when a standard says `calendarSource: "ticket"`.
 * Precedence: customer > tier > site > team > default. `key` is '' for the default row.
 */
export const calendarAssignments = pgTable(
  'calendar_assignments',
  {
    scope: text('scope').notNull(), // default | team | site | tier | customer
    key: text('key').notNull(),
    calendarId: uuid('calendar_id')
      .notNull()
      .references(() => calendars.id),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('calendar_assignments_calendar_idx').on(t.calendarId)],
);

/** Catalogue entry (服务标准); its definition lives in immutable versions. */
export const standards = pgTable(
  'standards',
  {
    id: uuid('id').primaryKey(),
    code: text('code').notNull(),
    currentVersionId: uuid('current_version_id').notNull(),
    currentVersion: integer('current_version').notNull().default(1),
    active: boolean('active').notNull().default(true),
    templateKey: text('template_key'),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('standards_code_key').on(t.code), index('standards_active_idx').on(t.active)],
);

/** Immutable definition of one version of a standard (name, encounter, kind, timing, ladder …). */
export const standardVersions = pgTable(
  'standard_versions',
  {
    id: uuid('id').primaryKey(),
    standardId: uuid('standard_id')
      .notNull()
      .references(() => standards.id),
    version: integer('version').notNull(),
    definition: jsonb('definition').notNull(),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('standard_versions_standard_version_key').on(t.standardId, t.version)],
);

/**
 * One timed encounter of a standard on a ticket (a clock). The deadline and the next thing to do live in
 * the row (`next_action_at`, `next_action`), so any server process can act on it exactly once.
 */
export const standardInstances = pgTable(
  'standard_instances',
  {
    id: uuid('id').primaryKey(),
    standardId: uuid('standard_id').notNull(),
    versionId: uuid('version_id').notNull(),
    code: text('code').notNull(),
    ticketId: uuid('ticket_id').notNull(),
    cycle: integer('cycle').notNull().default(1),
    state: text('state').notNull(), // running | paused | met | breached | cancelled
    /** Calendar the clock runs on (null = 24×7). */
    calendarId: uuid('calendar_id'),
    startedAt: ts('started_at').notNull(),
    /** Business-time budget in ms (limitSeconds × 1000, or up to the end of the business day). */
    limitMs: bigint('limit_ms', { mode: 'number' }).notNull(),
    /** Business ms consumed before `segment_started_at` (i.e. in earlier running segments). */
    consumedMs: bigint('consumed_ms', { mode: 'number' }).notNull().default(0),
    segmentStartedAt: ts('segment_started_at'),
    dueAt: ts('due_at'),
    pausedAt: ts('paused_at'),
    metAt: ts('met_at'),
    breachedAt: ts('breached_at'),
    /** When the encounter ended (stop event, resolve/close, cancellation); null while open. */
    endedAt: ts('ended_at'),
    endReason: text('end_reason'),
    warningsSent: integer('warnings_sent').notNull().default(0),
    escalationsSent: integer('escalations_sent').notNull().default(0),
    nextActionAt: ts('next_action_at'),
    nextAction: text('next_action'), // warning | breach | escalation
    late: boolean('late').notNull().default(false),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    ownerId: uuid('owner_id'),
    teamId: uuid('team_id'),
    channel: text('channel'),
    tier: text('tier'),
    ticketType: text('ticket_type'),
    priority: text('priority'),
    createdAt: ts('created_at').notNull().defaultNow(),
    /** Counted standards: the recorded count (rings, contacts, transfers) and the inclusive limit it was held to. */
    observed: integer('observed'),
    countLimit: integer('count_limit'),
  },
  (t) => [
    index('standard_instances_next_idx')
      .on(t.nextActionAt)
      .where(sql`${t.nextActionAt} IS NOT NULL`),
    index('standard_instances_ticket_idx').on(t.ticketId),
    index('standard_instances_standard_idx').on(t.standardId, t.startedAt),
    // The instant a clock counts in compliance (migration 0015; outcomeSql in standards.compliance.repo.ts).
    index('standard_instances_outcome_idx').on(
      t.standardId,
      sql`(CASE ${t.state} WHEN 'met' THEN coalesce(${t.metAt}, ${t.endedAt}) WHEN 'breached' THEN coalesce(${t.breachedAt}, ${t.startedAt}) WHEN 'cancelled' THEN coalesce(${t.endedAt}, ${t.startedAt}) ELSE ${t.startedAt} END)`,
    ),
    uniqueIndex('standard_instances_open_key')
      .on(t.standardId, t.ticketId)
      .where(sql`${t.endedAt} IS NULL`),
  ],
);

/** Every action the engine took (warning, breach, escalation step): the primary key makes each happen once. */
export const standardActions = pgTable(
  'standard_actions',
  {
    instanceId: uuid('instance_id').notNull(),
    action: text('action').notNull(), // warning | breach | escalation
    step: integer('step').notNull(),
    standardId: uuid('standard_id').notNull(),
    ticketId: uuid('ticket_id').notNull(),
    scheduledAt: ts('scheduled_at').notNull(),
    firedAt: ts('fired_at')
      .notNull()
      .default(sql`clock_timestamp()`),
    late: boolean('late').notNull().default(false),
    worker: text('worker'),
  },
  (t) => [primaryKey({ columns: [t.instanceId, t.action, t.step] }), index('standard_actions_standard_idx').on(t.standardId, t.scheduledAt)],
);

/** 一次性修正: improvement actions against a standard's failures. */
export const improvementActions = pgTable(
  'improvement_actions',
  {
    id: uuid('id').primaryKey(),
    standardId: uuid('standard_id')
      .notNull()
      .references(() => standards.id),
    cause: text('cause').notNull(),
    change: text('change').notNull(),
    ownerId: uuid('owner_id').notNull(),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    state: text('state').notNull().default('open'), // open | done
    doneAt: ts('done_at'),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('improvement_actions_standard_idx').on(t.standardId, t.id)],
);

/** Per-user delivery preferences for notifications (in-app is always stored). */
export const notificationPreferences = pgTable('notification_preferences', {
  staffId: uuid('staff_id').primaryKey(),
  inApp: boolean('in_app').notNull().default(true),
  emailEnabled: boolean('email_enabled').notNull().default(false),
  emailAddress: text('email_address'),
  webhookEnabled: boolean('webhook_enabled').notNull().default(false),
  /** ENCRYPTED at rest (`v1:<keyId>:…`, src/lib/secretbox.ts; the URL carries the robot's key). */
  webhookUrl: text('webhook_url'),
  webhookFormat: text('webhook_format').notNull().default('generic'), // generic | wecom | dingtalk
  /** 企业微信应用消息 (migration 0044): sent by the enabled `wecom_app` channel to this WeCom userid. */
  wecomEnabled: boolean('wecom_enabled').notNull().default(false),
  wecomUserId: text('wecom_user_id'),
  /** {start: 'HH:MM', end: 'HH:MM', timeZone} — email/webhook wait until the end; null = none. */
  quietHours: jsonb('quiet_hours'),
  /** Notification kinds sent to external channels; empty = all. */
  kinds: text('kinds')
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Filled by a trigger on `notifications` for recipients with an external channel; drained by the delivery worker. */
export const notificationOutbox = pgTable('notification_outbox', {
  notificationId: bigint('notification_id', { mode: 'number' }).primaryKey(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** One external delivery (email or webhook) of a notification. */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    notificationId: bigint('notification_id', { mode: 'number' }).notNull(),
    recipientId: uuid('recipient_id').notNull(),
    channel: text('channel').notNull(), // email | webhook
    /** email address, or the webhook URL ENCRYPTED at rest (`v1:<keyId>:…`). */
    target: text('target').notNull(),
    payload: jsonb('payload').notNull(),
    state: text('state').notNull().default('pending'), // pending | sending | sent | failed
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    lastError: text('last_error'),
    responseStatus: integer('response_status'),
    sentAt: ts('sent_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('notification_deliveries_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.state} IN ('pending', 'sending')`),
    index('notification_deliveries_notification_idx').on(t.notificationId),
    uniqueIndex('notification_deliveries_once_key').on(t.notificationId, t.channel),
  ],
);
