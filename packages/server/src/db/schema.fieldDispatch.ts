import { check, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A technician's dispatch profile (migration 0028): the business calendar they work (slots are offered only inside
 * it, holidays and 调休 included), their skills, and the site subtrees they cover (empty = everywhere).
 */
export const fieldTechnicians = pgTable('field_technicians', {
  staffId: uuid('staff_id').primaryKey(),
  calendarId: uuid('calendar_id'),
  skills: jsonb('skills')
    .notNull()
    .default(sql`'[]'::jsonb`),
  areaSiteIds: jsonb('area_site_ids')
    .notNull()
    .default(sql`'[]'::jsonb`),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/**
 * Booking details of a visit (预约): who booked it, the dispatch proposal it was given, the phone confirmation, the
 * reasons of a reschedule or cancellation and the last reminder sent to the customer.
 */
export const fieldVisitBookings = pgTable('field_visit_bookings', {
  visitId: uuid('visit_id').primaryKey(),
  skill: text('skill'),
  bookedBy: text('booked_by').notNull().default('agent'), // agent | customer
  proposal: jsonb('proposal'),
  confirmedAt: ts('confirmed_at'),
  confirmedBy: uuid('confirmed_by'),
  confirmNote: text('confirm_note'),
  cancelReason: text('cancel_reason'),
  rescheduleReason: text('reschedule_reason'),
  reschedules: integer('reschedules').notNull().default(0),
  remindedAt: ts('reminded_at'),
  /** The last reschedule (migration 0038): the reminder rule looks at when the current window was set. */
  rescheduledAt: ts('rescheduled_at'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/**
 * A reminder to the customer before a visit (migration 0038): one per visit and scheduled start, inserted before
 * anything is queued (two processes: one wins the key). `channels` the channels it was queued on, `skipped` the
 * channels left out with why (no consent, no address); `unreachable` when no channel could take it.
 */
export const fieldVisitReminders = pgTable(
  'field_visit_reminders',
  {
    visitId: uuid('visit_id').notNull(),
    startsAt: ts('starts_at').notNull(),
    dueAt: ts('due_at').notNull(),
    state: text('state').notNull().default('sending'), // sending | sent | unreachable
    channels: jsonb('channels')
      .notNull()
      .default(sql`'[]'::jsonb`),
    skipped: jsonb('skipped')
      .notNull()
      .default(sql`'[]'::jsonb`),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'field_visit_reminders_pkey', columns: [t.visitId, t.startsAt] }),
    check('field_visit_reminders_state_check', sql`${t.state} IN ('sending', 'sent', 'unreachable')`),
  ],
);
