import { date, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Field service sites (上门服务站点): a tree, e.g. 小区 → 楼栋 → 单元 → 房号, or 门店 / 网点. `codeNonce` is the random
 * part of the site's QR code (the code itself is `s.<nonce>.<hmac>`, modules/field/field.code.ts).
 */
export const fieldSites = pgTable(
  'field_sites',
  {
    id: uuid('id').primaryKey(),
    parentId: uuid('parent_id'),
    kind: text('kind').notNull().default('site'), // community | building | unit | room | store | outlet | site
    name: text('name').notNull(),
    address: text('address'),
    codeNonce: text('code_nonce').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('field_sites_parent_idx').on(t.parentId), uniqueIndex('field_sites_code_nonce_key').on(t.codeNonce)],
);

/** Equipment at a site (设备): model, serial, install date, warranty end; its own QR code like a site's. */
export const fieldAssets = pgTable(
  'field_assets',
  {
    id: uuid('id').primaryKey(),
    siteId: uuid('site_id')
      .notNull()
      .references(() => fieldSites.id),
    name: text('name').notNull(),
    model: text('model'),
    serial: text('serial'),
    installDate: date('install_date', { mode: 'string' }),
    warrantyEnd: date('warranty_end', { mode: 'string' }),
    codeNonce: text('code_nonce').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('field_assets_site_idx').on(t.siteId), uniqueIndex('field_assets_code_nonce_key').on(t.codeNonce), index('field_assets_model_idx').on(t.model)],
);

/**
 * A visit (上门) of a repair ticket: a technician, a window [startsAt, endsAt), a site. A technician's windows never
 * overlap (checked under a row lock on the technician, field.visits.commands.ts). `repeatOfId` links a repeat visit
 * inside the 7-day guarantee to the completed visit it repeats.
 */
export const fieldVisits = pgTable(
  'field_visits',
  {
    id: uuid('id').primaryKey(),
    ticketId: uuid('ticket_id').notNull(),
    siteId: uuid('site_id').references(() => fieldSites.id),
    technicianId: uuid('technician_id'),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at').notNull(),
    state: text('state').notNull().default('scheduled'), // scheduled | accepted | declined | en_route | arrived | started | completed | cancelled
    declineReason: text('decline_reason'),
    departedAt: ts('departed_at'),
    arrivedAt: ts('arrived_at'),
    arrivalMethod: text('arrival_method'), // scan | manual
    arrivalAssetId: uuid('arrival_asset_id'),
    /** Seconds after the window start (negative: early); late when arrival is after the window end. */
    arrivalOffsetSeconds: integer('arrival_offset_seconds'),
    startedAt: ts('started_at'),
    completedAt: ts('completed_at'),
    checklist: jsonb('checklist')
      .notNull()
      .default(sql`'[]'::jsonb`),
    notes: text('notes'),
    labourMinutes: integer('labour_minutes'),
    repeatOfId: uuid('repeat_of_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('field_visits_technician_idx').on(t.technicianId, t.startsAt),
    index('field_visits_ticket_idx').on(t.ticketId),
    index('field_visits_site_idx').on(t.siteId, t.completedAt),
    /** Every visit of a day, for the dispatch board (migration 0028). */
    index('field_visits_day_idx').on(t.startsAt),
  ],
);
