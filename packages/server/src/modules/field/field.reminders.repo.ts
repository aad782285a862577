import { and, asc, eq, gt, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { customers, fieldVisitBookings, fieldVisitReminders, fieldVisits, settings, staff, tickets } from '../../db/schema';

export type ReminderRow = typeof fieldVisitReminders.$inferSelect;
/** A booked visit that may need a reminder: its current window, when that window was set, and who is coming. */
export interface ReminderCandidate {
  visitId: string;
  ticketId: string;
  ticketNumber: string;
  customerId: string;
  customerName: string;
  technicianName: string;
  startsAt: Date;
  endsAt: Date;
  createdAt: Date;
  rescheduledAt: Date | null;
}

/** Visit states in which the customer is still waiting for the visit (booked, not yet under way). */
export const REMINDED_STATES = ['scheduled', 'accepted'] as const;

/** The settings row of the reminder rule ({eveningHour, leadHours}). */
export const REMINDERS_KEY = 'field.reminders';

/** The SQL of visit reminders. */
export const fieldRemindersRepo = {
  async settings(ex: Executor): Promise<unknown> {
    const [row] = await ex.select({ value: settings.value }).from(settings).where(eq(settings.key, REMINDERS_KEY));
    return row?.value;
  },
  async putSettings(ex: Executor, value: { eveningHour: number; leadHours: number }) {
    await ex
      .insert(settings)
      .values({ key: REMINDERS_KEY, value })
      .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: new Date() } });
  },
  /**
   * Booked visits of real customers with a technician, starting in (now, until), with no reminder for their current
   * start yet (a reschedule gives a new start: re-armed; a cancelled visit is no longer booked: never reminded).
   */
  candidates(ex: Executor, now: Date, until: Date, limit: number): Promise<ReminderCandidate[]> {
    return ex
      .select({
        visitId: fieldVisits.id,
        ticketId: tickets.id,
        ticketNumber: tickets.number,
        customerId: customers.id,
        customerName: customers.name,
        technicianName: staff.name,
        startsAt: fieldVisits.startsAt,
        endsAt: fieldVisits.endsAt,
        createdAt: fieldVisits.createdAt,
        rescheduledAt: fieldVisitBookings.rescheduledAt,
      })
      .from(fieldVisits)
      .innerJoin(tickets, eq(tickets.id, fieldVisits.ticketId))
      .innerJoin(customers, eq(customers.id, tickets.customerId))
      .innerJoin(staff, eq(staff.id, fieldVisits.technicianId))
      .leftJoin(fieldVisitBookings, eq(fieldVisitBookings.visitId, fieldVisits.id))
      .where(
        and(
          inArray(fieldVisits.state, [...REMINDED_STATES]),
          isNotNull(fieldVisits.technicianId),
          gt(fieldVisits.startsAt, now),
          lt(fieldVisits.startsAt, until),
          eq(customers.internal, false),
          sql`NOT EXISTS (SELECT 1 FROM ${fieldVisitReminders} r WHERE r.visit_id = ${fieldVisits.id} AND r.starts_at = ${fieldVisits.startsAt})`,
        ),
      )
      .orderBy(asc(fieldVisits.startsAt))
      .limit(limit);
  },
  /** Take the reminder of this visit and start (false: another pass took it first). */
  async claim(ex: Executor, visitId: string, startsAt: Date, dueAt: Date): Promise<boolean> {
    const out = await ex
      .insert(fieldVisitReminders)
      .values({ visitId, startsAt, dueAt })
      .onConflictDoNothing()
      .returning({ visitId: fieldVisitReminders.visitId });
    return out.length === 1;
  },
  async finish(
    ex: Executor,
    visitId: string,
    startsAt: Date,
    set: { state: 'sent' | 'unreachable'; channels: string[]; skipped: { channel: string; why: string }[] },
  ) {
    await ex
      .update(fieldVisitReminders)
      .set(set)
      .where(and(eq(fieldVisitReminders.visitId, visitId), eq(fieldVisitReminders.startsAt, startsAt)));
    if (set.state === 'sent') await ex.update(fieldVisitBookings).set({ remindedAt: new Date() }).where(eq(fieldVisitBookings.visitId, visitId));
  },
  /** The reminders of a visit, oldest first. */
  ofVisit(ex: Executor, visitId: string): Promise<ReminderRow[]> {
    return ex.select().from(fieldVisitReminders).where(eq(fieldVisitReminders.visitId, visitId)).orderBy(asc(fieldVisitReminders.createdAt));
  },
};
