import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

/** A configured channel (email now; chat widget, WeChat, WeCom, DingTalk, SMS later). Secrets sealed at rest (`v1:…`). */
export const channels = pgTable(
  'channels',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    /** The channel's own address (email: lower-case mailbox address); mail for it is accepted by the SMTP listener. */
    address: text('address'),
    /** The team whose sender address this is (replies on its tickets go out from it). */
    teamId: uuid('team_id'),
    /** Non-secret settings (hosts, ports, user names, rate limit). */
    config: jsonb('config').notNull().default({}),
    /** JSON of the secret settings (passwords, keys), sealed with purpose `channel_credential`. */
    secrets: text('secrets'),
    /** What mail from an unknown sender does: `customer` (create one) | `review` (wait in the review queue). */
    unknownSender: text('unknown_sender').notNull().default('customer'),
    enabled: boolean('enabled').notNull().default(true),
    imapUidValidity: bigint('imap_uid_validity', { mode: 'number' }),
    imapLastUid: bigint('imap_last_uid', { mode: 'number' }).notNull().default(0),
    /** wecom_kf: the kf/sync_msg cursor (next_cursor of the last page handled; migration 0044). */
    syncCursor: text('sync_cursor'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('channels_address_key').on(t.address), check('channels_secrets_encrypted', sql`${t.secrets} IS NULL OR ${t.secrets} LIKE 'v1:%'`)],
);

/** Every message through a channel, in or out; (channel, provider message id) is unique: redeliveries are no-ops. */
export const channelMessages = pgTable(
  'channel_messages',
  {
    id: uuid('id').primaryKey(),
    channelId: uuid('channel_id').notNull(),
    direction: text('direction').notNull(), // in | out
    /** The provider's message id (email: Message-ID). */
    externalId: text('external_id').notNull(),
    ticketId: uuid('ticket_id'),
    replyId: uuid('reply_id'),
    customerId: uuid('customer_id'),
    outboxId: uuid('outbox_id'),
    /** in: ticket | reply | review | reviewing | discarded | auto_reply | bounce | rejected; out: sent */
    outcome: text('outcome').notNull(),
    sender: text('sender'),
    subject: text('subject'),
    /** The raw message of a mail waiting in the review queue (null otherwise). */
    raw: bytea('raw'),
    /** Why it waits for review: unknown_sender | spam | token_mismatch (migration 0029). */
    reviewReason: text('review_reason'),
    /** The staff member who handled it from the review queue, when, and the discard reason. */
    reviewedBy: uuid('reviewed_by'),
    reviewedAt: ts('reviewed_at'),
    reviewNote: text('review_note'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('channel_messages_external_key').on(t.channelId, t.externalId),
    index('channel_messages_ticket_idx').on(t.ticketId),
    index('channel_messages_review_idx')
      .on(t.createdAt)
      .where(sql`${t.outcome} = 'review'`),
  ],
);

/** Deliveries waiting, sent, failed (retrying with back-off) or dead (given up; an admin may retry). */
export const channelOutbox = pgTable(
  'channel_outbox',
  {
    id: uuid('id').primaryKey(),
    channelId: uuid('channel_id').notNull(),
    kind: text('kind').notNull(), // reply | survey
    recipient: text('recipient').notNull(),
    payload: jsonb('payload').notNull(),
    ticketId: uuid('ticket_id'),
    replyId: uuid('reply_id'),
    invitationId: uuid('invitation_id'),
    status: text('status').notNull().default('queued'), // queued | sending | sent | failed | dead
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    /** The last error, addresses masked. */
    lastError: text('last_error'),
    /** The provider's id of what was sent (email: our Message-ID). */
    externalId: text('external_id'),
    sentAt: ts('sent_at'),
    /** SMS delivery receipt (migration 0042): delivered | failed, the provider's status code, when it came. */
    receipt: text('receipt'),
    receiptCode: text('receipt_code'),
    receiptAt: ts('receipt_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('channel_outbox_due_idx').on(t.status, t.nextAttemptAt),
    index('channel_outbox_ticket_idx').on(t.ticketId),
    index('channel_outbox_external_idx').on(t.channelId, t.externalId),
  ],
);

/** Atomic SMS counters (migration 0042): per number and per channel, per minute / hour / day bucket. */
export const smsQuota = pgTable(
  'sms_quota',
  {
    key: text('key').notNull(),
    bucket: text('bucket').notNull(),
    count: integer('count').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'sms_quota_pkey', columns: [t.key, t.bucket] }), index('sms_quota_created_idx').on(t.createdAt)],
);

/** What a channel did, for its admin (addresses masked). `event` is a message key (channels.log.*). */
export const channelLog = pgTable(
  'channel_log',
  {
    id: uuid('id').primaryKey(),
    channelId: uuid('channel_id').notNull(),
    level: text('level').notNull(), // info | warn | error
    event: text('event').notNull(),
    detail: jsonb('detail').notNull().default({}),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('channel_log_channel_idx').on(t.channelId, t.id)],
);

/** A customer's identity on a channel (kind `wechat_openid`, `wechat_unionid`, …), unique per kind and value. */
export const customerIdentities = pgTable(
  'customer_identities',
  {
    id: uuid('id').primaryKey(),
    customerId: uuid('customer_id').notNull(),
    kind: text('kind').notNull(),
    value: text('value').notNull(),
    channelId: uuid('channel_id'),
    /** The customer's last message by this identity (WeChat: the 48-hour reply window). */
    lastInAt: ts('last_in_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('customer_identities_kind_value_key').on(t.kind, t.value), index('customer_identities_customer_idx').on(t.customerId)],
);

/** A web chat widget visitor (migration 0043): the anonymous token (sha-256 at rest, expiring) → their customer. */
export const webchatVisitors = pgTable(
  'webchat_visitors',
  {
    id: uuid('id').primaryKey(),
    channelId: uuid('channel_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: ts('expires_at').notNull(),
    lastSeenAt: ts('last_seen_at'),
    /** A widget socket is open (kept fresh by its heartbeat; `last_seen_at` older than 90 s means gone). */
    online: boolean('online').notNull().default(false),
    createdAt: ts('created_at').notNull().defaultNow(),
    /** Identified (migration 0049): when, how (`phone`: a one-time code; `portal`: the portal session) and the phone proven. */
    verifiedAt: ts('verified_at'),
    verifiedVia: text('verified_via'),
    verifiedPhone: text('verified_phone'),
  },
  (t) => [uniqueIndex('webchat_visitors_token_key').on(t.tokenHash), index('webchat_visitors_customer_idx').on(t.customerId)],
);

/** What the widget shows, in order (`seq` is the resume cursor): messages both ways and survey invitations. */
export const webchatEvents = pgTable(
  'webchat_events',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    visitorId: uuid('visitor_id').notNull(),
    ticketId: uuid('ticket_id'),
    kind: text('kind').notNull(), // message | survey
    author: text('author').notNull(), // visitor | agent | system
    body: text('body').notNull().default(''),
    attachmentId: uuid('attachment_id'),
    replyId: uuid('reply_id'),
    /** The widget's own id of a visitor message: a resend after a reconnect is a no-op. */
    clientId: text('client_id'),
    data: jsonb('data').notNull().default({}),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('webchat_events_client_key').on(t.visitorId, t.clientId),
    index('webchat_events_visitor_idx').on(t.visitorId, t.seq),
    index('webchat_events_ticket_idx').on(t.ticketId, t.seq),
  ],
);

/**
 * Accept then ingest (migration 0048): a verified inbound callback recorded once per (channel, provider message id) and
 * answered at once; the channels-inbound worker ingests it in order per sender. queued → (done: deleted) | dead.
 */
export const channelInbound = pgTable(
  'channel_inbound',
  {
    id: uuid('id').primaryKey(),
    channelId: uuid('channel_id').notNull(),
    externalId: text('external_id').notNull(),
    /** The sender's platform id (openid): messages of one sender are ingested one after the other, oldest first. */
    sender: text('sender').notNull(),
    /** The verified, decrypted message as parsed. */
    payload: jsonb('payload').notNull(),
    status: text('status').notNull().default('queued'), // queued | dead | discarded
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    /** Claimed by a worker until then (a crash leaves it to the next claim once this has passed). */
    lockedUntil: ts('locked_until'),
    lastError: text('last_error'),
    createdAt: ts('created_at').notNull().defaultNow(),
    /** When it went dead (migration 0050; the dead inbound view). */
    deadAt: ts('dead_at'),
  },
  (t) => [
    uniqueIndex('channel_inbound_external_key').on(t.channelId, t.externalId),
    index('channel_inbound_sender_idx')
      .on(t.channelId, t.sender, t.id)
      .where(sql`"status" = 'queued'`),
    index('channel_inbound_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`"status" = 'queued'`),
    index('channel_inbound_dead_idx')
      .on(t.channelId, t.id)
      .where(sql`"status" <> 'queued'`),
  ],
);
