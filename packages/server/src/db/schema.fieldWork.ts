import { boolean, customType, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

/**
 * Photos of a visit (现场照片, migration 0033): before / after the work. The re-encoded image itself is an attachment of
 * the visit's ticket (`attachmentId`), so it shows with the ticket's files.
 */
export const fieldVisitPhotos = pgTable(
  'field_visit_photos',
  {
    id: uuid('id').primaryKey(),
    visitId: uuid('visit_id').notNull(),
    phase: text('phase').notNull(), // before | after
    attachmentId: uuid('attachment_id').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    hasLocation: boolean('has_location').notNull().default(false),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('field_visit_photos_visit_idx').on(t.visitId, t.createdAt)],
);

/** The quote (报价) of a visit, shown and accepted on the technician's phone before work starts. One per visit. */
export const fieldVisitQuotes = pgTable(
  'field_visit_quotes',
  {
    id: uuid('id').primaryKey(),
    visitId: uuid('visit_id').notNull(),
    /** [{description, amountFen}] */
    items: jsonb('items').notNull(),
    totalFen: integer('total_fen').notNull(),
    state: text('state').notNull().default('pending'), // pending | accepted
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
    acceptedAt: ts('accepted_at'),
  },
  (t) => [uniqueIndex('field_visit_quotes_visit_key').on(t.visitId)],
);

/**
 * The customer's sign-off of a visit (客户签收): signature (PNG), on-the-spot rating and comment, and the service report
 * PDF built at that moment (an attachment of the ticket; never rebuilt). One per visit.
 */
export const fieldVisitSignoffs = pgTable('field_visit_signoffs', {
  visitId: uuid('visit_id').primaryKey(),
  method: text('method').notNull(), // on_device | link
  rating: integer('rating').notNull(),
  comment: text('comment'),
  signature: bytea('signature'),
  reportAttachmentId: uuid('report_attachment_id').notNull(),
  signedAt: ts('signed_at').notNull().defaultNow(),
});

/** One-time sign-off links (24 h): only the SHA-256 of the token is stored; `usedAt` set on use. */
export const fieldSignoffLinks = pgTable(
  'field_signoff_links',
  {
    id: uuid('id').primaryKey(),
    visitId: uuid('visit_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('field_signoff_links_token_key').on(t.tokenHash), index('field_signoff_links_visit_idx').on(t.visitId)],
);
