import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { calendars } from './schema.standards';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** A holiday feed (.ics or holiday-cn JSON URL; `{year}` placeholder allowed) per calendar, or organisation-wide (calendar_id null). */
export const holidayFeeds = pgTable(
  'holiday_feeds',
  {
    id: uuid('id').primaryKey(),
    calendarId: uuid('calendar_id').references(() => calendars.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    lastCheckedAt: ts('last_checked_at'),
    /** ok | update_available | error */
    lastStatus: text('last_status'),
    lastMessage: text('last_message'),
    lastYears: jsonb('last_years').notNull().default([]),
  },
  (t) => [uniqueIndex('holiday_feeds_calendar_key').on(sql`COALESCE(${t.calendarId}, '00000000-0000-0000-0000-000000000000'::uuid)`)],
);

/** A previewed holiday import waiting for an admin's confirmation (pending | applied | discarded). */
export const holidayImports = pgTable(
  'holiday_imports',
  {
    id: uuid('id').primaryKey(),
    calendarId: uuid('calendar_id')
      .notNull()
      .references(() => calendars.id, { onDelete: 'cascade' }),
    calendarVersion: integer('calendar_version').notNull(),
    /** file | url | feed */
    source: text('source').notNull(),
    sourceLabel: text('source_label'),
    format: text('format').notNull(),
    replace: boolean('replace').notNull().default(false),
    years: jsonb('years').notNull(),
    plan: jsonb('plan').notNull(),
    overrides: jsonb('overrides').notNull(),
    problems: jsonb('problems').notNull().default([]),
    status: text('status').notNull().default('pending'),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    decidedAt: ts('decided_at'),
  },
  (t) => [index('holiday_imports_calendar_status_idx').on(t.calendarId, t.status)],
);
