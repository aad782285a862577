import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Environment checklist templates (环境检查表), versioned: a check keeps a copy of the items it was filled with. */
export const envTemplates = pgTable(
  'env_templates',
  {
    id: uuid('id').primaryKey(),
    /** 'default' for the shipped zh-CN template, else null. */
    key: text('key'),
    name: text('name').notNull(),
    /** [{key, label, kind: measure|yesno, unit, min, max, minExclusive, maxExclusive, source}] */
    items: jsonb('items').notNull(),
    version: integer('version').notNull().default(1),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('env_templates_key_key').on(t.key)],
);

/** One environment check of a site (field_sites) by an inspector: every item's value and whether it met its range. */
export const envChecks = pgTable(
  'env_checks',
  {
    id: uuid('id').primaryKey(),
    siteId: uuid('site_id').notNull(),
    templateId: uuid('template_id').notNull(),
    templateVersion: integer('template_version').notNull(),
    inspectorId: uuid('inspector_id').notNull(),
    /** [{key, label, kind, unit, expected, value, ok}] */
    results: jsonb('results').notNull(),
    failedCount: integer('failed_count').notNull(),
    note: text('note'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('env_checks_site_idx').on(t.siteId, t.createdAt), index('env_checks_created_idx').on(t.createdAt)],
);

/**
 * A corrective task (整改任务) per failed item of a check. It is timed by the standards engine on an internal ticket
 * (`ticketId`): `env.corrective_opened` starts the clock, `env.corrective_closed` stops it.
 */
export const envTasks = pgTable(
  'env_tasks',
  {
    id: uuid('id').primaryKey(),
    checkId: uuid('check_id').notNull(),
    siteId: uuid('site_id').notNull(),
    itemKey: text('item_key').notNull(),
    label: text('label').notNull(),
    value: text('value').notNull(),
    expected: text('expected').notNull(),
    ticketId: uuid('ticket_id').notNull(),
    state: text('state').notNull().default('open'), // open | closed
    closedBy: uuid('closed_by'),
    closedAt: ts('closed_at'),
    closeNote: text('close_note'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('env_tasks_state_idx').on(t.state, t.createdAt), index('env_tasks_site_idx').on(t.siteId, t.state), index('env_tasks_check_idx').on(t.checkId)],
);
