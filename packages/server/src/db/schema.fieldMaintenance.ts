import { boolean, check, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { fieldAssets, fieldSites } from './schema.field';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A recurring-fault proposal (migration 0037): an asset or site reached the repair threshold; `ticketIds` is the history
 * that triggered it. At most one open proposal per subject (partial unique index).
 */
export const fieldMaintenanceProposals = pgTable(
  'field_maintenance_proposals',
  {
    id: uuid('id').primaryKey(),
    subjectKind: text('subject_kind').notNull(), // asset | site
    subjectId: uuid('subject_id').notNull(),
    ticketIds: jsonb('ticket_ids').$type<string[]>().notNull().default([]),
    state: text('state').notNull().default('open'), // open | accepted | dismissed
    reason: text('reason'),
    /** How an accepted proposal was acted on (migration 0039): a plan (`planId`) or a one-off inspection (`ticketId`, `visitId`). */
    outcome: text('outcome'), // plan | inspection
    planId: uuid('plan_id'),
    ticketId: uuid('ticket_id'),
    visitId: uuid('visit_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
    decidedBy: uuid('decided_by'),
    decidedAt: ts('decided_at'),
  },
  (t) => [
    uniqueIndex('field_maintenance_proposals_open_key')
      .on(t.subjectKind, t.subjectId)
      .where(sql`${t.state} = 'open'`),
    index('field_maintenance_proposals_state_idx').on(t.state, t.createdAt),
    check('field_maintenance_proposals_kind_check', sql`${t.subjectKind} IN ('asset', 'site')`),
    check('field_maintenance_proposals_state_check', sql`${t.state} IN ('open', 'accepted', 'dismissed')`),
    check('field_maintenance_proposals_outcome_check', sql`${t.outcome} IS NULL OR ${t.outcome} IN ('plan', 'inspection')`),
  ],
);

/**
 * A maintenance plan of an asset, a site or an asset model (every asset whose `model` is `assetModel`, migration
 * 0039): every N days / months from `startDate`, generated `leadDays` ahead.
 */
export const fieldMaintenancePlans = pgTable(
  'field_maintenance_plans',
  {
    id: uuid('id').primaryKey(),
    assetId: uuid('asset_id').references(() => fieldAssets.id),
    siteId: uuid('site_id').references(() => fieldSites.id),
    assetModel: text('asset_model'),
    everyN: integer('every_n').notNull(),
    unit: text('unit').notNull(), // day | month
    startDate: date('start_date', { mode: 'string' }).notNull(),
    leadDays: integer('lead_days').notNull().default(7),
    calendarId: uuid('calendar_id'),
    active: boolean('active').notNull().default(true),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('field_maintenance_plans_active_idx').on(t.active),
    check(
      'field_maintenance_plans_subject_check',
      sql`((${t.assetId} IS NOT NULL)::int + (${t.siteId} IS NOT NULL)::int + (${t.assetModel} IS NOT NULL)::int) = 1`,
    ),
    check('field_maintenance_plans_every_check', sql`${t.everyN} > 0 AND ${t.unit} IN ('day', 'month') AND ${t.leadDays} >= 0`),
  ],
);

/**
 * One generated due date of a plan at one subject (the asset or site visited; a model plan has one per asset): never
 * two tickets for one due date and subject (the primary key; ON CONFLICT DO NOTHING).
 */
export const fieldMaintenanceRuns = pgTable(
  'field_maintenance_runs',
  {
    planId: uuid('plan_id')
      .notNull()
      .references(() => fieldMaintenancePlans.id),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    subjectId: uuid('subject_id').notNull(),
    ticketId: uuid('ticket_id'),
    visitId: uuid('visit_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.planId, t.dueDate, t.subjectId] })],
);
