import { check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * The spare-parts catalogue (备件, migration 0034): code, name, unit, unit cost in fen, and the low-stock thresholds —
 * `lowStockThreshold` for a warehouse, `vanLowStockThreshold` for a technician's van (0 = no alert).
 */
export const fieldParts = pgTable(
  'field_parts',
  {
    id: uuid('id').primaryKey(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    unit: text('unit').notNull(),
    unitCostFen: integer('unit_cost_fen').notNull(),
    lowStockThreshold: integer('low_stock_threshold').notNull().default(0),
    vanLowStockThreshold: integer('van_low_stock_threshold').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('field_parts_code_key').on(t.code),
    check('field_parts_cost_check', sql`${t.unitCostFen} >= 0 AND ${t.lowStockThreshold} >= 0 AND ${t.vanLowStockThreshold} >= 0`),
  ],
);

/** Where parts are kept: a warehouse (仓库) or a technician's van (车载库存, one per technician). */
export const fieldStockLocations = pgTable(
  'field_stock_locations',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').notNull(), // warehouse | van
    name: text('name').notNull(),
    technicianId: uuid('technician_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('field_stock_locations_technician_key').on(t.technicianId),
    check(
      'field_stock_locations_kind_check',
      sql`(${t.kind} = 'warehouse' AND ${t.technicianId} IS NULL) OR (${t.kind} = 'van' AND ${t.technicianId} IS NOT NULL)`,
    ),
  ],
);

/** Stock of a part at a location; never negative (the CHECK, and every movement takes its rows under a lock). */
export const fieldStock = pgTable(
  'field_stock',
  {
    locationId: uuid('location_id')
      .notNull()
      .references(() => fieldStockLocations.id),
    partId: uuid('part_id')
      .notNull()
      .references(() => fieldParts.id),
    qty: integer('qty').notNull().default(0),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.locationId, t.partId] }), check('field_stock_qty_check', sql`${t.qty} >= 0`), index('field_stock_part_idx').on(t.partId)],
);

/** Parts used on a visit: taken from the technician's van at the unit cost of that moment. */
export const fieldVisitParts = pgTable(
  'field_visit_parts',
  {
    id: uuid('id').primaryKey(),
    visitId: uuid('visit_id').notNull(),
    partId: uuid('part_id')
      .notNull()
      .references(() => fieldParts.id),
    locationId: uuid('location_id')
      .notNull()
      .references(() => fieldStockLocations.id),
    qty: integer('qty').notNull(),
    unitCostFen: integer('unit_cost_fen').notNull(),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('field_visit_parts_visit_idx').on(t.visitId), check('field_visit_parts_qty_check', sql`${t.qty} > 0`)],
);

/** The movements ledger: receive (into a warehouse), issue (warehouse → van), return (van → warehouse), consume, unconsume. */
export const fieldStockMovements = pgTable(
  'field_stock_movements',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').notNull(), // receive | issue | return | consume | unconsume
    partId: uuid('part_id').notNull(),
    qty: integer('qty').notNull(),
    fromLocationId: uuid('from_location_id'),
    toLocationId: uuid('to_location_id'),
    visitId: uuid('visit_id'),
    usageId: uuid('usage_id'),
    unitCostFen: integer('unit_cost_fen').notNull(),
    note: text('note'),
    actorId: uuid('actor_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('field_stock_movements_created_idx').on(t.createdAt), check('field_stock_movements_qty_check', sql`${t.qty} > 0`)],
);
