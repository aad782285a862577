import { sql } from 'drizzle-orm';
import { bigserial, boolean, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

export const categories = pgTable(
  'categories',
  {
    id: uuid('id').primaryKey(),
    parentId: uuid('parent_id'),
    name: text('name').notNull(),
    position: integer('position').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('categories_parent_name_key').on(sql`coalesce(${t.parentId}, '00000000-0000-0000-0000-000000000000'::uuid)`, t.name)],
);

/** Per-day counter behind readable ticket numbers (GD20261123-0042). */
export const ticketCounters = pgTable('ticket_counters', {
  day: text('day').primaryKey(),
  value: integer('value').notNull(),
});

export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey(),
    number: text('number').notNull(),
    customerId: uuid('customer_id').notNull(),
    type: text('type').notNull(),
    channel: text('channel').notNull(),
    priority: text('priority').notNull(),
    status: text('status').notNull(),
    subject: text('subject').notNull(),
    description: text('description').notNull(),
    ownerId: uuid('owner_id'),
    teamId: uuid('team_id'),
    categoryId: uuid('category_id'),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    site: text('site'),
    /** The field-service site (field_sites) a repair is at; visits default to it (migration 0024). */
    siteId: uuid('site_id'),
    /** Phone / walk-in details logged by staff. */
    callDurationSeconds: integer('call_duration_seconds'),
    ringCount: integer('ring_count'),
    externalRef: text('external_ref'),
    createdByKind: text('created_by_kind').notNull(),
    createdById: uuid('created_by_id'),
    mergedIntoId: uuid('merged_into_id'),
    firstPublicReplyAt: ts('first_public_reply_at'),
    resolvedAt: ts('resolved_at'),
    closedAt: ts('closed_at'),
    resolution: text('resolution'),
    reopenCount: integer('reopen_count').notNull().default(0),
    handoverCount: integer('handover_count').notNull().default(0),
    teamTransferCount: integer('team_transfer_count').notNull().default(0),
    staffPublicReplyCount: integer('staff_public_reply_count').notNull().default(0),
    customerConfirmedAt: ts('customer_confirmed_at'),
    version: integer('version').notNull().default(1),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('tickets_number_key').on(t.number),
    index('tickets_status_idx').on(t.status, t.id),
    index('tickets_owner_idx').on(t.ownerId, t.status, t.id),
    index('tickets_team_idx').on(t.teamId, t.status, t.id),
    index('tickets_customer_idx').on(t.customerId, t.id),
    index('tickets_created_idx').on(t.createdAt),
  ],
);

export const ticketReplies = pgTable(
  'ticket_replies',
  {
    id: uuid('id').primaryKey(),
    ticketId: uuid('ticket_id').notNull(),
    authorKind: text('author_kind').notNull(), // staff | customer | system
    authorId: uuid('author_id'),
    visibility: text('visibility').notNull(), // public | internal
    body: text('body').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('ticket_replies_ticket_idx').on(t.ticketId, t.id)],
);

export const attachments = pgTable(
  'attachments',
  {
    id: uuid('id').primaryKey(),
    ticketId: uuid('ticket_id'),
    replyId: uuid('reply_id'),
    uploadedByKind: text('uploaded_by_kind').notNull(),
    uploadedById: uuid('uploaded_by_id'),
    filename: text('filename').notNull(),
    mime: text('mime').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    data: bytea('data').notNull(),
    thumbnail: bytea('thumbnail'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('attachments_ticket_idx').on(t.ticketId)],
);

export const ticketLinks = pgTable(
  'ticket_links',
  {
    ticketId: uuid('ticket_id').notNull(),
    otherId: uuid('other_id').notNull(),
    kind: text('kind').notNull(), // related | duplicate | parent | child
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.otherId] })],
);

export const handovers = pgTable(
  'handovers',
  {
    id: uuid('id').primaryKey(),
    ticketId: uuid('ticket_id').notNull(),
    fromStaffId: uuid('from_staff_id').notNull(),
    toStaffId: uuid('to_staff_id').notNull(),
    situation: text('situation').notNull(),
    need: text('need').notNull(),
    done: text('done').notNull(),
    pending: text('pending').notNull(),
    expectation: text('expectation').notNull(),
    cautions: text('cautions').notNull(),
    state: text('state').notNull(), // pending | confirmed | declined | cancelled
    decisionNote: text('decision_note'),
    createdAt: ts('created_at').notNull().defaultNow(),
    decidedAt: ts('decided_at'),
    /** Why the ticket is handed over (modules/process: TRANSFER_REASONS) and the free text; migration 0018. */
    reasonKind: text('reason_kind').notNull().default('shift_handover'),
    reasonNote: text('reason_note'),
  },
  (t) => [index('handovers_ticket_idx').on(t.ticketId), index('handovers_to_idx').on(t.toStaffId, t.state)],
);

export const approvals = pgTable(
  'approvals',
  {
    id: uuid('id').primaryKey(),
    /** Readable 审批单号, SP + the organisation's date + a per-day sequence (SP20261205-0012). */
    number: text('number').notNull(),
    kind: text('kind').notNull(), // compensation | order_change
    ticketId: uuid('ticket_id').notNull(),
    subjectId: uuid('subject_id').notNull(),
    amountFen: integer('amount_fen'),
    requestedById: uuid('requested_by_id').notNull(),
    state: text('state').notNull(), // pending | approved | rejected
    decidedById: uuid('decided_by_id'),
    comment: text('comment'),
    createdAt: ts('created_at').notNull().defaultNow(),
    decidedAt: ts('decided_at'),
  },
  (t) => [index('approvals_state_idx').on(t.state, t.id), index('approvals_ticket_idx').on(t.ticketId), uniqueIndex('approvals_number_key').on(t.number)],
);

/** Per-day counter behind readable approval numbers (SP20261205-0012). */
export const approvalCounters = pgTable('approval_counters', {
  day: text('day').primaryKey(),
  value: integer('value').notNull(),
});

export const compensations = pgTable(
  'compensations',
  {
    id: uuid('id').primaryKey(),
    ticketId: uuid('ticket_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    kind: text('kind').notNull(),
    amountFen: integer('amount_fen').notNull(),
    currency: text('currency').notNull().default('CNY'),
    reason: text('reason').notNull(),
    state: text('state').notNull(), // granted | pending_approval | rejected
    requestedById: uuid('requested_by_id').notNull(),
    approvalId: uuid('approval_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
    decidedAt: ts('decided_at'),
  },
  (t) => [index('compensations_ticket_idx').on(t.ticketId), index('compensations_customer_idx').on(t.customerId)],
);

export const orderLines = pgTable(
  'order_lines',
  {
    id: uuid('id').primaryKey(),
    ticketId: uuid('ticket_id').notNull(),
    position: integer('position').notNull(),
    item: text('item').notNull(),
    spec: text('spec').notNull().default(''),
    quantity: integer('quantity').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('order_lines_ticket_idx').on(t.ticketId, t.position)],
);

export const orderChanges = pgTable('order_changes', {
  id: uuid('id').primaryKey(),
  ticketId: uuid('ticket_id').notNull(),
  lines: jsonb('lines').notNull(), // the proposed full set of lines
  reason: text('reason').notNull(),
  state: text('state').notNull(), // pending | approved | rejected
  requestedById: uuid('requested_by_id').notNull(),
  approvalId: uuid('approval_id'),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const dispatchRules = pgTable('dispatch_rules', {
  id: uuid('id').primaryKey(),
  position: integer('position').notNull(),
  name: text('name').notNull(),
  active: boolean('active').notNull().default(true),
  /** {types?, categoryIds?, priorities?, channels?, tiers?, vip?} — all given conditions must match. */
  conditions: jsonb('conditions').notNull(),
  teamId: uuid('team_id').notNull(),
  /** Staff must have every skill listed (empty = any member). */
  requiredSkills: text('required_skills')
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  /** Members whose open load is at or above this are skipped (null = no cap). */
  maxOpenPerAgent: integer('max_open_per_agent'),
  lastAssignedId: uuid('last_assigned_id'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const savedFilters = pgTable(
  'saved_filters',
  {
    id: uuid('id').primaryKey(),
    staffId: uuid('staff_id').notNull(),
    name: text('name').notNull(),
    query: jsonb('query').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('saved_filters_staff_idx').on(t.staffId)],
);

/** In-app notifications (owner of a ticket is told of every change; standards warnings and escalations). */
export const notifications = pgTable(
  'notifications',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    recipientId: uuid('recipient_id').notNull(),
    kind: text('kind').notNull(),
    ticketId: uuid('ticket_id'),
    title: text('title').notNull(),
    data: jsonb('data')
      .notNull()
      .default(sql`'{}'::jsonb`),
    createdAt: ts('created_at').notNull().defaultNow(),
    readAt: ts('read_at'),
  },
  (t) => [index('notifications_recipient_idx').on(t.recipientId, t.id)],
);

/** One-time sign-in codes for the customer portal (only the hash is kept). */
export const customerOtps = pgTable(
  'customer_otps',
  {
    id: uuid('id').primaryKey(),
    phone: text('phone').notNull(),
    codeHash: text('code_hash').notNull(),
    expiresAt: ts('expires_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    usedAt: ts('used_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('customer_otps_phone_idx').on(t.phone, t.createdAt)],
);
