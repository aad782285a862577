import { boolean, doublePrecision, pgTable, primaryKey, timestamp, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Alert state of a measured or soft standard per period (modules/progress/progress.alerts.ts): whether the period's
 * value is below target, when the owners were told it fell below (once per period) and when it recovered.
 */
export const standardAlerts = pgTable(
  'standard_alerts',
  {
    standardId: uuid('standard_id').notNull(),
    periodStart: ts('period_start').notNull(),
    below: boolean('below').notNull().default(false),
    value: doublePrecision('value'),
    alertedAt: ts('alerted_at'),
    recoveredAt: ts('recovered_at'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.standardId, t.periodStart] })],
);
