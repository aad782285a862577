import { and, asc, eq, gt, inArray, isNull, lt, notInArray, or, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { fieldSites, fieldTechnicians, fieldVisitBookings, fieldVisits, staff, tickets } from '../../db/schema';
import { INACTIVE_STATES } from './field.repo';

export type TechnicianProfileRow = typeof fieldTechnicians.$inferSelect;
export type BookingRow = typeof fieldVisitBookings.$inferSelect;

/** States of a visit still to be worked (the open load). */
export const OPEN_STATES = ['scheduled', 'accepted', 'en_route', 'arrived', 'started'] as const;

/** The SQL of field dispatch: technicians' profiles, busy windows and load, bookings, the board. */
export const fieldDispatchRepo = {
  /** Active staff with their dispatch profile (the caller keeps those whose roles grant field.work). */
  staffWithProfiles(ex: Executor, ids?: string[]) {
    return ex
      .select({ id: staff.id, name: staff.name, roles: staff.roles, profile: fieldTechnicians })
      .from(staff)
      .leftJoin(fieldTechnicians, eq(fieldTechnicians.staffId, staff.id))
      .where(and(eq(staff.active, true), ids ? inArray(staff.id, ids) : undefined))
      .orderBy(asc(staff.name), asc(staff.id))
      .limit(5000);
  },
  async upsertProfile(ex: Executor, row: typeof fieldTechnicians.$inferInsert): Promise<TechnicianProfileRow> {
    const [out] = await ex
      .insert(fieldTechnicians)
      .values(row)
      .onConflictDoUpdate({
        target: fieldTechnicians.staffId,
        set: { calendarId: row.calendarId ?? null, skills: row.skills ?? [], areaSiteIds: row.areaSiteIds ?? [], updatedAt: new Date() },
      })
      .returning();
    return out!;
  },
  /** Windows of these technicians' visits that hold a slot and overlap [from, to). */
  busy(ex: Executor, ids: string[], from: Date, to: Date) {
    if (ids.length === 0) return Promise.resolve([]);
    return ex
      .select({ id: fieldVisits.id, technicianId: fieldVisits.technicianId, startsAt: fieldVisits.startsAt, endsAt: fieldVisits.endsAt })
      .from(fieldVisits)
      .where(
        and(
          inArray(fieldVisits.technicianId, ids),
          lt(fieldVisits.startsAt, to),
          gt(fieldVisits.endsAt, from),
          notInArray(fieldVisits.state, [...INACTIVE_STATES]),
        ),
      );
  },
  /** Open visits per technician ending after `now`. */
  async openLoad(ex: Executor, ids: string[], now: Date): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await ex
      .select({ id: fieldVisits.technicianId, n: sql<number>`count(*)::int` })
      .from(fieldVisits)
      .where(and(inArray(fieldVisits.technicianId, ids), inArray(fieldVisits.state, [...OPEN_STATES]), gt(fieldVisits.endsAt, now)))
      .groupBy(fieldVisits.technicianId);
    return new Map(rows.map((r) => [r.id!, Number(r.n)]));
  },
  /** The site and every ancestor of it (a technician covering any of them covers the site). */
  async siteAncestors(ex: Executor, siteId: string): Promise<Set<string>> {
    const rows = (await ex.execute<{ id: string }>(sql`
      WITH RECURSIVE up(id, parent_id, depth) AS (
        SELECT id, parent_id, 0 FROM ${fieldSites} WHERE id = ${siteId}
        UNION ALL SELECT s.id, s.parent_id, up.depth + 1 FROM ${fieldSites} s JOIN up ON s.id = up.parent_id WHERE up.depth < 20
      ) SELECT id FROM up`)) as { rows: { id: string }[] };
    return new Set(rows.rows.map((r) => r.id));
  },

  // ── bookings ──
  async booking(ex: Executor, visitId: string): Promise<BookingRow | undefined> {
    const [row] = await ex.select().from(fieldVisitBookings).where(eq(fieldVisitBookings.visitId, visitId));
    return row;
  },
  bookingsOf(ex: Executor, visitIds: string[]): Promise<BookingRow[]> {
    if (visitIds.length === 0) return Promise.resolve([]);
    return ex.select().from(fieldVisitBookings).where(inArray(fieldVisitBookings.visitId, visitIds));
  },
  async putBooking(ex: Executor, visitId: string, set: Partial<typeof fieldVisitBookings.$inferInsert>): Promise<BookingRow> {
    const [out] = await ex
      .insert(fieldVisitBookings)
      .values({ visitId, ...set })
      .onConflictDoUpdate({ target: fieldVisitBookings.visitId, set: { ...set, updatedAt: new Date() } })
      .returning();
    return out!;
  },

  // ── board ──
  /** Visits of these technicians overlapping [from, to), with the ticket and site the board shows. */
  boardVisits(ex: Executor, technicianIds: string[] | null, from: Date, to: Date, limit: number) {
    const who =
      technicianIds === null ? or(isNull(fieldVisits.technicianId), eq(fieldVisits.state, 'declined')) : inArray(fieldVisits.technicianId, technicianIds);
    if (technicianIds !== null && technicianIds.length === 0) return Promise.resolve([]);
    return ex
      .select({
        visit: fieldVisits,
        ticketNumber: tickets.number,
        ticketSubject: tickets.subject,
        siteName: fieldSites.name,
        confirmedAt: fieldVisitBookings.confirmedAt,
      })
      .from(fieldVisits)
      .innerJoin(tickets, eq(tickets.id, fieldVisits.ticketId))
      .leftJoin(fieldSites, eq(fieldSites.id, fieldVisits.siteId))
      .leftJoin(fieldVisitBookings, eq(fieldVisitBookings.visitId, fieldVisits.id))
      .where(and(who, lt(fieldVisits.startsAt, to), gt(fieldVisits.endsAt, from), notInArray(fieldVisits.state, ['cancelled'])))
      .orderBy(asc(fieldVisits.startsAt), asc(fieldVisits.id))
      .limit(limit);
  },
};
