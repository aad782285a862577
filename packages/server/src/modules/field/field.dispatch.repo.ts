import { and, asc, desc, eq, gt, inArray, lt, notInArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { events, fieldSites, fieldTechnicians, fieldVisitBookings, fieldVisits, staff, tickets } from '../../db/schema';
import { INACTIVE_STATES } from './field.repo';

export type TechnicianProfileRow = typeof fieldTechnicians.$inferSelect;
export type BookingRow = typeof fieldVisitBookings.$inferSelect;
/** A visit as the dispatch board reads it (times in epoch ms; arrivedAt null until arrival). */
export type BoardVisitRow = {
  id: string;
  ticketId: string;
  technicianId: string | null;
  state: string;
  startsAt: number;
  endsAt: number;
  arrivedAt: number | null;
  ticketNumber: string;
  ticketSubject: string;
  siteName: string | null;
  confirmed: boolean;
};

/** States of a visit still to be worked (the open load). */
export const OPEN_STATES = ['scheduled', 'accepted', 'en_route', 'arrived', 'started'] as const;

/** The SQL of field dispatch: technicians' profiles, busy windows and load, bookings, the board. */
export const fieldDispatchRepo = {
  /**
   * The customer's home site: the one room (or store) site whose path ends in their 楼栋 / 单元 / 房号 (a customer
   * without a unit: the room right under the building). Null when they have no address there or it is ambiguous.
   */
  async customerHomeSite(ex: Executor, customerId: string): Promise<string | null> {
    const res = (await ex.execute<{ id: string }>(sql`
      SELECT r.id FROM customers c
      JOIN field_sites r ON r.name = c.room AND r.kind IN ('room', 'store')
      JOIN field_sites p ON p.id = r.parent_id
      LEFT JOIN field_sites g ON g.id = p.parent_id
      WHERE c.id = ${customerId} AND c.room IS NOT NULL AND c.building IS NOT NULL
        AND ((c.unit IS NOT NULL AND c.unit <> '' AND p.name = c.unit AND g.name = c.building) OR ((c.unit IS NULL OR c.unit = '') AND p.name = c.building))
      LIMIT 2`)) as { rows: { id: string }[] };
    return res.rows.length === 1 ? res.rows[0]!.id : null;
  },
  /** When the ticket was last reopened (its latest ticket.reopened event), if ever. */
  async lastReopenedAt(ex: Executor, ticketId: string): Promise<Date | null> {
    const [row] = await ex
      .select({ at: events.at })
      .from(events)
      .where(and(eq(events.aggregateType, 'ticket'), eq(events.aggregateId, ticketId), eq(events.kind, 'ticket.reopened')))
      .orderBy(desc(events.id))
      .limit(1);
    return row?.at ?? null;
  },
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
  /** Active staff holding one of these roles (the roles that grant field.work), in name order: id and name only. */
  async technicianNames(ex: Executor, roles: readonly string[]): Promise<{ id: string; name: string }[]> {
    if (roles.length === 0) return [];
    const list = sql.join(
      roles.map((r) => sql`${r}`),
      sql`, `,
    );
    const res = await ex.execute<{ id: string; name: string }>(sql`
      SELECT id, name FROM ${staff} WHERE active AND roles && ARRAY[${list}]::text[] ORDER BY name, id LIMIT 5000`);
    return (res as { rows: { id: string; name: string }[] }).rows;
  },
  /**
   * Visits overlapping [from, to) of these technicians (null: the unassigned ones — no technician, or declined), with
   * the ticket and site the board shows. Only the columns the board needs, times as epoch ms: a board page is
   * hundreds of visits, and mapping whole rows was most of its cost.
   */
  async boardVisits(ex: Executor, technicianIds: string[] | null, from: Date, to: Date, limit: number): Promise<BoardVisitRow[]> {
    if (technicianIds !== null && technicianIds.length === 0) return [];
    const who =
      technicianIds === null
        ? sql`(v.technician_id IS NULL OR v.state = 'declined')`
        : sql`v.technician_id IN (${sql.join(
            technicianIds.map((id) => sql`${id}::uuid`),
            sql`, `,
          )})`;
    const res = await ex.execute<BoardVisitRow>(sql`
      SELECT v.id, v.ticket_id AS "ticketId", v.technician_id AS "technicianId", v.state,
             (extract(epoch FROM v.starts_at) * 1000)::float8 AS "startsAt",
             (extract(epoch FROM v.ends_at) * 1000)::float8 AS "endsAt",
             (extract(epoch FROM v.arrived_at) * 1000)::float8 AS "arrivedAt",
             t.number AS "ticketNumber", t.subject AS "ticketSubject", st.name AS "siteName",
             (b.confirmed_at IS NOT NULL) AS confirmed
      FROM ${fieldVisits} v
      JOIN ${tickets} t ON t.id = v.ticket_id
      LEFT JOIN ${fieldSites} st ON st.id = v.site_id
      LEFT JOIN ${fieldVisitBookings} b ON b.visit_id = v.id
      WHERE ${who} AND v.starts_at < ${to.toISOString()}::timestamptz AND v.ends_at > ${from.toISOString()}::timestamptz
        AND v.state <> 'cancelled'
      ORDER BY v.starts_at, v.id
      LIMIT ${limit}`);
    return (res as { rows: BoardVisitRow[] }).rows;
  },
};
