import { integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
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
  updatedAt: ts('updated_at').notNull().defaultNow(),
});
