import { and, asc, desc, eq, gt, gte, inArray, isNotNull, lt, ne, notInArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { customers, fieldAssets, fieldSites, fieldVisits, settings, staff, tickets } from '../../db/schema';

export type SiteRow = typeof fieldSites.$inferSelect;
export type AssetRow = typeof fieldAssets.$inferSelect;
export type VisitRow = typeof fieldVisits.$inferSelect;

/** Visit states that hold a technician's time slot. */
export const INACTIVE_STATES = ['declined', 'cancelled'] as const;

/** The SQL of the field module: sites, assets, visits. */
export const fieldRepo = {
  async secret(ex: Executor, fresh: string): Promise<string> {
    await ex
      .insert(settings)
      .values({ key: 'field.secret', value: { secret: fresh } })
      .onConflictDoNothing();
    const [row] = await ex.select().from(settings).where(eq(settings.key, 'field.secret'));
    return String((row!.value as { secret: string }).secret);
  },

  // ── sites ──
  async insertSite(ex: Executor, row: typeof fieldSites.$inferInsert): Promise<SiteRow> {
    const [out] = await ex.insert(fieldSites).values(row).returning();
    return out!;
  },
  async siteById(ex: Executor, id: string): Promise<SiteRow | undefined> {
    const [row] = await ex.select().from(fieldSites).where(eq(fieldSites.id, id));
    return row;
  },
  async siteByNonce(ex: Executor, nonce: string): Promise<SiteRow | undefined> {
    const [row] = await ex.select().from(fieldSites).where(eq(fieldSites.codeNonce, nonce));
    return row;
  },
  allSites(ex: Executor): Promise<SiteRow[]> {
    return ex.select().from(fieldSites).orderBy(asc(fieldSites.name), asc(fieldSites.id)).limit(5000);
  },
  sitesByIds(ex: Executor, ids: string[]): Promise<SiteRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return ex.select().from(fieldSites).where(inArray(fieldSites.id, ids));
  },

  // ── assets ──
  async insertAsset(ex: Executor, row: typeof fieldAssets.$inferInsert): Promise<AssetRow> {
    const [out] = await ex.insert(fieldAssets).values(row).returning();
    return out!;
  },
  async assetById(ex: Executor, id: string): Promise<AssetRow | undefined> {
    const [row] = await ex.select().from(fieldAssets).where(eq(fieldAssets.id, id));
    return row;
  },
  async assetByNonce(ex: Executor, nonce: string): Promise<AssetRow | undefined> {
    const [row] = await ex.select().from(fieldAssets).where(eq(fieldAssets.codeNonce, nonce));
    return row;
  },
  /** The code nonces of these sites and of their assets (for the day view's code hashes). */
  async codeNonces(ex: Executor, siteIds: string[]): Promise<{ siteId: string; kind: 's' | 'a'; nonce: string }[]> {
    if (siteIds.length === 0) return [];
    const sites = await ex.select({ siteId: fieldSites.id, nonce: fieldSites.codeNonce }).from(fieldSites).where(inArray(fieldSites.id, siteIds));
    const assets = await ex.select({ siteId: fieldAssets.siteId, nonce: fieldAssets.codeNonce }).from(fieldAssets).where(inArray(fieldAssets.siteId, siteIds));
    return [...sites.map((r) => ({ ...r, kind: 's' as const })), ...assets.map((r) => ({ ...r, kind: 'a' as const }))];
  },
  assetsOfSites(ex: Executor, siteIds: string[]): Promise<AssetRow[]> {
    if (siteIds.length === 0) return Promise.resolve([]);
    return ex.select().from(fieldAssets).where(inArray(fieldAssets.siteId, siteIds)).orderBy(asc(fieldAssets.name));
  },

  /** Customers living in a unit (楼栋 / 单元 / 房号, migration 0012); `room` null: everyone in the unit. */
  customersAt(ex: Executor, building: string, unit: string | null, room: string | null) {
    const conds = [eq(customers.building, building)];
    if (unit !== null) conds.push(eq(customers.unit, unit));
    if (room !== null) conds.push(eq(customers.room, room));
    return ex
      .select({ id: customers.id, name: customers.name, phone: customers.phone, building: customers.building, unit: customers.unit, room: customers.room })
      .from(customers)
      .where(and(...conds, sql`${customers.mergedIntoId} IS NULL AND NOT ${customers.internal}`))
      .orderBy(asc(customers.room), asc(customers.name))
      .limit(200);
  },

  // ── visits ──
  /** Lock the technician's staff row: bookings of one technician run one after the other (slot check below). */
  async lockTechnician(ex: Executor, id: string) {
    const [row] = await ex
      .select({ id: staff.id, roles: staff.roles, active: staff.active, name: staff.name })
      .from(staff)
      .where(eq(staff.id, id))
      .for('update');
    return row;
  },
  /** A visit of this technician overlapping [start, end) that still holds its slot. */
  async overlapping(ex: Executor, technicianId: string, start: Date, end: Date, exceptId?: string): Promise<VisitRow | undefined> {
    const [row] = await ex
      .select()
      .from(fieldVisits)
      .where(
        and(
          eq(fieldVisits.technicianId, technicianId),
          lt(fieldVisits.startsAt, end),
          gt(fieldVisits.endsAt, start),
          notInArray(fieldVisits.state, [...INACTIVE_STATES]),
          exceptId ? ne(fieldVisits.id, exceptId) : undefined,
        ),
      )
      .limit(1);
    return row;
  },
  async insertVisit(ex: Executor, row: typeof fieldVisits.$inferInsert): Promise<VisitRow> {
    const [out] = await ex.insert(fieldVisits).values(row).returning();
    return out!;
  },
  async visitById(ex: Executor, id: string, forUpdate = false): Promise<VisitRow | undefined> {
    const q = ex.select().from(fieldVisits).where(eq(fieldVisits.id, id));
    const [row] = forUpdate ? await q.for('update') : await q;
    return row;
  },
  async updateVisit(ex: Executor, id: string, set: Partial<typeof fieldVisits.$inferInsert>): Promise<VisitRow> {
    const [out] = await ex
      .update(fieldVisits)
      .set({ ...set, updatedAt: new Date() })
      .where(eq(fieldVisits.id, id))
      .returning();
    return out!;
  },
  visitsOfTicket(ex: Executor, ticketId: string): Promise<VisitRow[]> {
    return ex.select().from(fieldVisits).where(eq(fieldVisits.ticketId, ticketId)).orderBy(asc(fieldVisits.startsAt));
  },
  /** The completed visit at this site within the guarantee window before `before` (the one a new visit repeats). */
  async lastCompletedAt(ex: Executor, siteId: string, since: Date): Promise<VisitRow | undefined> {
    const [row] = await ex
      .select()
      .from(fieldVisits)
      .where(and(eq(fieldVisits.siteId, siteId), isNotNull(fieldVisits.completedAt), gte(fieldVisits.completedAt, since)))
      .orderBy(desc(fieldVisits.completedAt))
      .limit(1);
    return row;
  },
  /** A technician's visits in [from, to), with the ticket, site and customer the day view shows. */
  dayOf(ex: Executor, technicianId: string, from: Date, to: Date) {
    return ex
      .select({
        visit: fieldVisits,
        ticketNumber: tickets.number,
        ticketSubject: tickets.subject,
        ticketPriority: tickets.priority,
        siteName: fieldSites.name,
        siteAddress: fieldSites.address,
        customerName: customers.name,
        customerPhone: customers.phone,
        customerBuilding: customers.building,
        customerUnit: customers.unit,
        customerRoom: customers.room,
      })
      .from(fieldVisits)
      .innerJoin(tickets, eq(tickets.id, fieldVisits.ticketId))
      .leftJoin(fieldSites, eq(fieldSites.id, fieldVisits.siteId))
      .leftJoin(customers, eq(customers.id, tickets.customerId))
      .where(and(eq(fieldVisits.technicianId, technicianId), lt(fieldVisits.startsAt, to), gt(fieldVisits.endsAt, from)))
      .orderBy(asc(fieldVisits.startsAt))
      .limit(200);
  },
  async staffNames(ex: Executor, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    return new Map((await ex.select({ id: staff.id, name: staff.name }).from(staff).where(inArray(staff.id, ids))).map((r) => [r.id, r.name]));
  },
};
