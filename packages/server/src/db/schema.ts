import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const teams = pgTable(
  'teams',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    supervisorId: uuid('supervisor_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('teams_name_key').on(t.name)],
);

export const staff = pgTable(
  'staff',
  {
    id: uuid('id').primaryKey(),
    employeeNo: text('employee_no').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    roles: text('roles')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    teamId: uuid('team_id').references(() => teams.id),
    skills: text('skills')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    compensationLimitFen: integer('compensation_limit_fen'),
    active: boolean('active').notNull().default(true),
    locale: text('locale').notNull().default('zh-CN'),
    timeZone: text('time_zone').notNull().default('Asia/Shanghai'),
    /** 签入/签出: dispatch only assigns to staff on duty. */
    onDuty: boolean('on_duty').notNull().default(true),
    totpEnabled: boolean('totp_enabled').notNull().default(false),
    /** ENCRYPTED at rest (`v1:<keyId>:…`, src/lib/secretbox.ts; CHECK staff_totp_secret_encrypted, migration 0008). */
    totpSecret: text('totp_secret'),
    /** ENCRYPTED at rest like totpSecret. */
    totpPendingSecret: text('totp_pending_secret'),
    totpLastStep: bigint('totp_last_step', { mode: 'number' }),
    recoveryCodeHashes: text('recovery_code_hashes')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('staff_employee_no_key').on(t.employeeNo), index('staff_team_idx').on(t.teamId)],
);

/** Per-role settings an admin may change; the permission table itself is code (policy.ts). */
export const roleSettings = pgTable('role_settings', {
  role: text('role').primaryKey(),
  requireTotp: boolean('require_totp').notNull().default(false),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Sessions for staff and customers. Only the SHA-256 of the token is stored. */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey(),
    tokenHash: text('token_hash').notNull(),
    principalKind: text('principal_kind').notNull(), // 'staff' | 'customer'
    principalId: uuid('principal_id').notNull(),
    scope: text('scope').notNull().default('full'), // 'full' | 'enrol'
    csrfToken: text('csrf_token').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    /** Last authenticated request (written at most once a minute); idle timeouts count from it. */
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
    /** 'any' (Bearer or cookie) | 'cookie' (browser session: refused as a Bearer token). */
    transport: text('transport').notNull().default('any'),
    /** SHA-256 of the User-Agent a cookie session was issued to; another User-Agent is refused. */
    userAgentHash: text('user_agent_hash'),
  },
  (t) => [uniqueIndex('sessions_token_hash_key').on(t.tokenHash), index('sessions_principal_idx').on(t.principalKind, t.principalId)],
);

export const loginAttempts = pgTable(
  'login_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull().defaultNow(),
    account: text('account').notNull(),
    ip: text('ip').notNull(),
    success: boolean('success').notNull(),
    reason: text('reason'),
  },
  (t) => [index('login_attempts_account_idx').on(t.account, t.at), index('login_attempts_ip_idx').on(t.ip, t.at)],
);

/**
 * Attempt counters of the sign-in limiters (password, TOTP, portal codes): one row per (scope, key), counted
 * atomically BEFORE the secret is checked (INSERT … ON CONFLICT DO UPDATE … RETURNING count). The window starts
 * with the first counted attempt and restarts once it has passed. See src/lib/throttle.ts.
 */
export const authThrottle = pgTable(
  'auth_throttle',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    windowStart: ts('window_start').notNull().defaultNow(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('auth_throttle_window_idx').on(t.windowStart)],
);

/** Append-only: a trigger (migration 0001) refuses UPDATE and DELETE. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull().defaultNow(),
    actorKind: text('actor_kind').notNull(), // staff | customer | system
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    changes: jsonb('changes'),
    requestId: text('request_id'),
    ip: text('ip'),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at),
    index('audit_log_actor_idx').on(t.actorId, t.id),
    index('audit_log_target_idx').on(t.targetType, t.targetId, t.id),
    index('audit_log_action_idx').on(t.action, t.id),
  ],
);

/** Event outbox: every state change writes one in the same transaction; timelines, standards, measures consume it. */
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull().defaultNow(),
    kind: text('kind').notNull(),
    aggregateType: text('aggregate_type').notNull(),
    aggregateId: uuid('aggregate_id').notNull(),
    actorKind: text('actor_kind').notNull(),
    actorId: uuid('actor_id'),
    data: jsonb('data')
      .notNull()
      .default(sql`'{}'::jsonb`),
  },
  (t) => [index('events_aggregate_idx').on(t.aggregateType, t.aggregateId, t.id)],
);

export const customers = pgTable(
  'customers',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    phone: text('phone'),
    email: text('email'),
    tier: text('tier').notNull().default('regular'),
    vip: boolean('vip').notNull().default(false),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    wechatId: text('wechat_id'),
    idNumber: text('id_number'),
    addresses: jsonb('addresses')
      .notNull()
      .default(sql`'[]'::jsonb`),
    demandType: text('demand_type'),
    notes: text('notes'),
    /** Where the customer lives on the estate: 楼栋 / 单元 / 房号 (free text, e.g. "3栋", "2单元", "1201"). */
    building: text('building'),
    unit: text('unit'),
    room: text('room'),
    consent: jsonb('consent')
      .notNull()
      .default(sql`'{}'::jsonb`),
    mergedIntoId: uuid('merged_into_id'),
    /** The organisation itself (migration 0030): owner of internal tickets (内部工单); never listed, searched or exported. */
    internal: boolean('internal').notNull().default(false),
    /** 需一对一帮办 (issue #13 item 7): none | elderly | disabled | other, with a note; their designated staff member (专人). */
    assistance: text('assistance').notNull().default('none'),
    assistanceNote: text('assistance_note'),
    assistStaffId: uuid('assist_staff_id'),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('customers_phone_idx').on(t.phone), index('customers_email_idx').on(t.email), index('customers_building_idx').on(t.building, t.unit, t.room)],
);

/** Customer portal principal (sign-in by phone/email + one-time code or password); completed by the tickets work. */
export const customerAccounts = pgTable(
  'customer_accounts',
  {
    id: uuid('id').primaryKey(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    phone: text('phone'),
    email: text('email'),
    passwordHash: text('password_hash'),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastLoginAt: ts('last_login_at'),
  },
  (t) => [uniqueIndex('customer_accounts_phone_key').on(t.phone), uniqueIndex('customer_accounts_email_key').on(t.email)],
);

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(), // principal kind:id
    key: text('key').notNull(),
    route: text('route').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code'),
    response: jsonb('response'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_keys_created_idx').on(t.createdAt)],
);

/** Small key/value store for instance settings (e.g. demo loaded marker). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export * from './schema.tickets';
export * from './schema.standards';
export * from './schema.kb';
export * from './schema.surveys';
export * from './schema.measures';
export * from './schema.holidays';
export * from './schema.process';
export * from './schema.progress';
export * from './schema.field';
export * from './schema.quality';
export * from './schema.inspection';
export * from './schema.channels';
export * from './schema.environment';
export * from './schema.fieldDispatch';
export * from './schema.fieldWork';
export * from './schema.stdrules';
export * from './schema.fieldParts';
export * from './schema.fieldMaintenance';
export * from './schema.dingtalk';
export * from './schema.mystery';

/** Checklist steps of repair and order tickets (issue #13 item 7): recorded once, with who, when and whether in time. */
export const ticketChecklist = pgTable(
  'ticket_checklist',
  {
    ticketId: uuid('ticket_id').notNull(),
    step: text('step').notNull(),
    recordedAt: ts('recorded_at').notNull().defaultNow(),
    recordedBy: uuid('recorded_by'),
    inTime: boolean('in_time').notNull(),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.step] })],
);
