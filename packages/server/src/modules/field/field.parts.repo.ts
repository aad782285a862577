import { and, asc, desc, eq, ilike, inArray, or, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { events, fieldParts, fieldStock, fieldStockLocations, fieldStockMovements, fieldVisitParts, staff } from '../../db/schema';

export type PartRow = typeof fieldParts.$inferSelect;
export type LocationRow = typeof fieldStockLocations.$inferSelect;
export type UsageRow = typeof fieldVisitParts.$inferSelect;
export type MovementRow = typeof fieldStockMovements.$inferSelect;

/** The parts used on a visit, for the service report (回执): code, name, quantity and the unit cost when used. */
export async function listVisitParts(ex: Executor, visitId: string): Promise<{ code: string; name: string; qty: number; unitCostFen: number }[]> {
  return ex
    .select({ code: fieldParts.code, name: fieldParts.name, qty: fieldVisitParts.qty, unitCostFen: fieldVisitParts.unitCostFen })
    .from(fieldVisitParts)
    .innerJoin(fieldParts, eq(fieldParts.id, fieldVisitParts.partId))
    .where(eq(fieldVisitParts.visitId, visitId))
    .orderBy(asc(fieldVisitParts.createdAt), asc(fieldVisitParts.id));
}

/** The SQL of spare parts: catalogue, locations, stock rows (taken under row locks), visit usage, the ledger. */
export const fieldPartsRepo = {
  // ── catalogue ──
  async insertPart(ex: Executor, row: typeof fieldParts.$inferInsert): Promise<PartRow | undefined> {
    const [out] = await ex.insert(fieldParts).values(row).onConflictDoNothing().returning();
    return out;
  },
  async partById(ex: Executor, id: string): Promise<PartRow | undefined> {
    const [row] = await ex.select().from(fieldParts).where(eq(fieldParts.id, id));
    return row;
  },
  /** Parts whose code or name contains `q` (all when empty), with the stock at one location (0 when none). */
  searchParts(ex: Executor, q: string, locationId: string | null, limit: number) {
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const stockAt = locationId
      ? sql<number>`coalesce((SELECT s.qty FROM ${fieldStock} s WHERE s.location_id = ${locationId} AND s.part_id = ${fieldParts.id}), 0)::int`
      : sql<number>`0`;
    return ex
      .select({ part: fieldParts, qty: stockAt })
      .from(fieldParts)
      .where(q ? or(ilike(fieldParts.code, like), ilike(fieldParts.name, like)) : undefined)
      .orderBy(asc(fieldParts.code))
      .limit(limit);
  },
  allParts(ex: Executor): Promise<PartRow[]> {
    return ex.select().from(fieldParts).orderBy(asc(fieldParts.code)).limit(5000);
  },

  // ── locations ──
  async insertLocation(ex: Executor, row: typeof fieldStockLocations.$inferInsert): Promise<LocationRow | undefined> {
    const [out] = await ex.insert(fieldStockLocations).values(row).onConflictDoNothing().returning();
    return out;
  },
  async locationById(ex: Executor, id: string): Promise<LocationRow | undefined> {
    const [row] = await ex.select().from(fieldStockLocations).where(eq(fieldStockLocations.id, id));
    return row;
  },
  async vanOf(ex: Executor, technicianId: string): Promise<LocationRow | undefined> {
    const [row] = await ex.select().from(fieldStockLocations).where(eq(fieldStockLocations.technicianId, technicianId));
    return row;
  },
  locations(ex: Executor) {
    return (
      ex
        .select({ location: fieldStockLocations, technicianName: staff.name })
        .from(fieldStockLocations)
        .leftJoin(staff, eq(staff.id, fieldStockLocations.technicianId))
        // Warehouses first, then the vans.
        .orderBy(desc(fieldStockLocations.kind), asc(fieldStockLocations.name), asc(fieldStockLocations.id))
        .limit(5000)
    );
  },
  allStock(ex: Executor) {
    return ex.select().from(fieldStock).limit(100_000);
  },

  // ── stock rows (every change under a row lock) ──
  /**
   * Lock the stock rows of a part at these locations, in a fixed order (two movements between the same places in
   * opposite directions never deadlock); missing rows are created at 0 first. Returns location → qty.
   */
  async lockStock(ex: Executor, partId: string, locationIds: string[]): Promise<Map<string, number>> {
    const ids = [...new Set(locationIds)].sort();
    await ex
      .insert(fieldStock)
      .values(ids.map((locationId) => ({ locationId, partId, qty: 0 })))
      .onConflictDoNothing();
    const rows = await ex
      .select({ locationId: fieldStock.locationId, qty: fieldStock.qty })
      .from(fieldStock)
      .where(and(eq(fieldStock.partId, partId), inArray(fieldStock.locationId, ids)))
      .orderBy(asc(fieldStock.locationId))
      .for('update');
    return new Map(rows.map((r) => [r.locationId, r.qty]));
  },
  /** Add `delta` (negative: take) to a locked row; the CHECK refuses a negative result. Returns the new quantity. */
  async addStock(ex: Executor, partId: string, locationId: string, delta: number): Promise<number> {
    const [row] = await ex
      .update(fieldStock)
      .set({ qty: sql`${fieldStock.qty} + ${delta}`, updatedAt: new Date() })
      .where(and(eq(fieldStock.partId, partId), eq(fieldStock.locationId, locationId)))
      .returning({ qty: fieldStock.qty });
    return row!.qty;
  },

  // ── ledger ──
  async insertMovement(ex: Executor, row: typeof fieldStockMovements.$inferInsert): Promise<void> {
    await ex.insert(fieldStockMovements).values(row);
  },
  movements(ex: Executor, limit: number): Promise<MovementRow[]> {
    return ex.select().from(fieldStockMovements).orderBy(desc(fieldStockMovements.createdAt), desc(fieldStockMovements.id)).limit(limit);
  },

  // ── visit usage ──
  async insertUsage(ex: Executor, row: typeof fieldVisitParts.$inferInsert): Promise<UsageRow> {
    const [out] = await ex.insert(fieldVisitParts).values(row).returning();
    return out!;
  },
  async usageById(ex: Executor, visitId: string, id: string): Promise<UsageRow | undefined> {
    const [row] = await ex
      .select()
      .from(fieldVisitParts)
      .where(and(eq(fieldVisitParts.id, id), eq(fieldVisitParts.visitId, visitId)))
      .for('update');
    return row;
  },
  async deleteUsage(ex: Executor, id: string): Promise<void> {
    await ex.delete(fieldVisitParts).where(eq(fieldVisitParts.id, id));
  },
  usageOfVisit(ex: Executor, visitId: string) {
    return ex
      .select({ usage: fieldVisitParts, code: fieldParts.code, name: fieldParts.name, unit: fieldParts.unit })
      .from(fieldVisitParts)
      .innerJoin(fieldParts, eq(fieldParts.id, fieldVisitParts.partId))
      .where(eq(fieldVisitParts.visitId, visitId))
      .orderBy(asc(fieldVisitParts.createdAt), asc(fieldVisitParts.id));
  },
  /** Has the customer signed the visit off (the sign-off writes event field.visit_signed on the ticket)? */
  async visitSigned(ex: Executor, ticketId: string, visitId: string): Promise<boolean> {
    const [row] = await ex
      .select({ id: events.id })
      .from(events)
      .where(
        and(
          eq(events.aggregateType, 'ticket'),
          eq(events.aggregateId, ticketId),
          eq(events.kind, 'field.visit_signed'),
          sql`${events.data}->>'visitId' = ${visitId}`,
        ),
      )
      .limit(1);
    return row !== undefined;
  },
  /** Active staff (the caller keeps those whose roles grant field.manage: the low-stock alert's recipients). */
  activeStaff(ex: Executor) {
    return ex.select({ id: staff.id, roles: staff.roles }).from(staff).where(eq(staff.active, true)).limit(5000);
  },
};
