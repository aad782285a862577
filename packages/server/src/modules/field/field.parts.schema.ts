import { z } from 'zod';

const fen = z.number().int().min(0).max(100_000_000);
const qty = z.number().int().min(1).max(100_000);

export const PartsQuery = z.object({ q: z.string().trim().max(100).default('') });
export const PartItem = z
  .object({ id: z.uuid(), code: z.string(), name: z.string(), unit: z.string(), unitCostFen: z.number().int(), vanQty: z.number().int() })
  .meta({ id: 'FieldPartItem' });
export const PartList = z.object({ items: z.array(PartItem) }).meta({ id: 'FieldPartList' });

export const PartCreate = z.object({
  code: z.string().trim().min(1).max(50),
  name: z.string().trim().min(1).max(200),
  unit: z.string().trim().min(1).max(20),
  unitCostFen: fen,
  lowStockThreshold: z.number().int().min(0).max(100_000).default(0),
  vanLowStockThreshold: z.number().int().min(0).max(100_000).default(0),
});
export const Part = z
  .object({
    id: z.uuid(),
    code: z.string(),
    name: z.string(),
    unit: z.string(),
    unitCostFen: z.number().int(),
    lowStockThreshold: z.number().int(),
    vanLowStockThreshold: z.number().int(),
  })
  .meta({ id: 'FieldPart' });

export const LocationCreate = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('warehouse'), name: z.string().trim().min(1).max(100) }),
  z.object({ kind: z.literal('van'), technicianId: z.uuid(), name: z.string().trim().min(1).max(100).optional() }),
]);
export const Location = z
  .object({
    id: z.uuid(),
    kind: z.enum(['warehouse', 'van']),
    name: z.string(),
    technicianId: z.uuid().nullable(),
    technicianName: z.string().nullable(),
  })
  .meta({ id: 'FieldStockLocation' });

export const ReceiveBody = z.object({ partId: z.uuid(), locationId: z.uuid(), qty, note: z.string().trim().max(500).optional() });
export const TransferBody = z.object({
  partId: z.uuid(),
  fromLocationId: z.uuid(),
  toLocationId: z.uuid(),
  qty,
  note: z.string().trim().max(500).optional(),
});
export const StockLevel = z.object({ locationId: z.uuid(), qty: z.number().int(), threshold: z.number().int(), low: z.boolean() });
export const MovementResult = z
  .object({ id: z.uuid(), kind: z.enum(['receive', 'issue', 'return']), partId: z.uuid(), qty: z.number().int(), levels: z.array(StockLevel) })
  .meta({ id: 'FieldStockMovementResult' });

export const Movement = z
  .object({
    id: z.uuid(),
    kind: z.enum(['receive', 'issue', 'return', 'consume', 'unconsume']),
    partId: z.uuid(),
    qty: z.number().int(),
    fromLocationId: z.uuid().nullable(),
    toLocationId: z.uuid().nullable(),
    visitId: z.uuid().nullable(),
    unitCostFen: z.number().int(),
    note: z.string().nullable(),
    at: z.string(),
  })
  .meta({ id: 'FieldStockMovement' });

export const StockOverview = z
  .object({
    locations: z.array(Location),
    parts: z.array(Part.extend({ stock: z.array(StockLevel), total: z.number().int() })),
    /** Every (part, location) whose stock is below its threshold. */
    low: z.array(z.object({ partId: z.uuid(), code: z.string(), name: z.string(), locationId: z.uuid(), qty: z.number().int(), threshold: z.number().int() })),
    movements: z.array(Movement),
  })
  .meta({ id: 'FieldStockOverview' });

export const UsageCreate = z.object({ partId: z.uuid(), qty });
export const Usage = z
  .object({ id: z.uuid(), partId: z.uuid(), code: z.string(), name: z.string(), qty: z.number().int(), unitCostFen: z.number().int() })
  .meta({ id: 'FieldVisitPart' });
export const UsageList = z.object({ items: z.array(Usage), totalCostFen: z.number().int() }).meta({ id: 'FieldVisitPartList' });
export const UsageParams = z.object({ id: z.uuid(), usageId: z.uuid() });
