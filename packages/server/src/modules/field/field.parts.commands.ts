import type { Database, Executor, Tx } from '../../db/client';
import { t } from '../../i18n/index';
import { writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, notFound } from '../../lib/errors';
import { idempotent } from '../../lib/idempotency';
import { uuidv7 } from '../../lib/ids';
import { notify } from '../../lib/notify';
import { authorize, can, permissionsOf } from '../identity/policy';
import { isVisitTechnician } from './field.policy';
import { fieldPartsRepo, type LocationRow, type PartRow, type UsageRow } from './field.parts.repo';
import { fieldRepo, type VisitRow } from './field.repo';

const invalid = (path: string, message: string) => new AppError('validation_failed', `${path}: ${message}`, { errors: [{ path, message }] });

/** Visit states in which parts are recorded: from arrival until the customer signs off. */
export const PARTS_STATES = ['arrived', 'started', 'completed'] as const;

/** The low-stock threshold of a part at a location (a warehouse's or a van's). */
export const thresholdAt = (part: Pick<PartRow, 'lowStockThreshold' | 'vanLowStockThreshold'>, loc: Pick<LocationRow, 'kind'>) =>
  loc.kind === 'van' ? part.vanLowStockThreshold : part.lowStockThreshold;

type MovementKind = 'receive' | 'issue' | 'return' | 'consume' | 'unconsume';

interface StockMove {
  kind: MovementKind;
  part: PartRow;
  from: LocationRow | null;
  to: LocationRow | null;
  qty: number;
  unitCostFen: number;
  visitId?: string;
  usageId?: string;
  note?: string | undefined;
}

/**
 * One movement, inside the caller's transaction: the part's stock rows at both places are locked (fixed order), the
 * source must hold `qty` (409 insufficient_stock; the CHECK is the last line), the ledger row is written, and a source
 * taken below its threshold alerts the field.manage users (in-app notification, rendered in each reader's language).
 */
async function moveStock(tx: Tx, ctx: Ctx, m: StockMove) {
  const places = [m.from, m.to].filter((l): l is LocationRow => l !== null);
  const before = await fieldPartsRepo.lockStock(
    tx,
    m.part.id,
    places.map((l) => l.id),
  );
  if (m.from && (before.get(m.from.id) ?? 0) < m.qty)
    throw new AppError('conflict', `Only ${before.get(m.from.id) ?? 0} in stock`, {
      reason: 'insufficient_stock',
      params: { available: before.get(m.from.id) ?? 0, code: m.part.code },
    });
  const id = uuidv7();
  const levels: { locationId: string; qty: number; threshold: number; low: boolean }[] = [];
  for (const loc of places) {
    const delta = loc === m.from ? -m.qty : m.qty;
    const qty = await fieldPartsRepo.addStock(tx, m.part.id, loc.id, delta);
    const threshold = thresholdAt(m.part, loc);
    levels.push({ locationId: loc.id, qty, threshold, low: qty < threshold });
    if (delta < 0 && qty < threshold && (before.get(loc.id) ?? 0) >= threshold) await alertLowStock(tx, m.part, loc, qty, threshold);
  }
  await fieldPartsRepo.insertMovement(tx, {
    id,
    kind: m.kind,
    partId: m.part.id,
    qty: m.qty,
    fromLocationId: m.from?.id ?? null,
    toLocationId: m.to?.id ?? null,
    visitId: m.visitId ?? null,
    usageId: m.usageId ?? null,
    unitCostFen: m.unitCostFen,
    note: m.note ?? null,
    actorId: ctx.actor.id,
  });
  return { id, levels };
}

async function alertLowStock(tx: Executor, part: PartRow, loc: LocationRow, qty: number, threshold: number) {
  const params = { code: part.code, name: part.name, location: loc.name, qty, threshold };
  for (const r of await fieldPartsRepo.activeStaff(tx)) {
    if (!permissionsOf(r.roles).has('field.manage')) continue;
    await notify(tx, {
      recipientId: r.id,
      kind: 'field.low_stock',
      title: { key: 'field.parts.low_stock', params },
      data: { partId: part.id, locationId: loc.id, qty, threshold },
    });
  }
}

// ── the technician: catalogue and parts used on a visit ──

/** The catalogue with the caller's van stock (field.work or field.manage). */
export async function searchParts(database: Database, ctx: Ctx, q: string) {
  if (!can(ctx.actor, 'field.work') && !can(ctx.actor, 'field.manage')) authorize(ctx.actor, 'field.work');
  const van = ctx.actor.kind === 'staff' ? await fieldPartsRepo.vanOf(database.db, ctx.actor.id) : undefined;
  const rows = await fieldPartsRepo.searchParts(database.db, q, van?.id ?? null, 200);
  return {
    items: rows.map((r) => ({
      id: r.part.id,
      code: r.part.code,
      name: r.part.name,
      unit: r.part.unit,
      unitCostFen: r.part.unitCostFen,
      vanQty: Number(r.qty),
    })),
  };
}

/** The visit for a parts action of its technician (others: 404), open for parts: arrived … until signed off. */
async function openVisit(tx: Tx, ctx: Ctx, id: string): Promise<VisitRow> {
  const v = await fieldRepo.visitById(tx, id, true);
  if (!v || !isVisitTechnician(ctx.actor, v)) throw notFound('Visit');
  if (!(PARTS_STATES as readonly string[]).includes(v.state) || (await fieldPartsRepo.visitSigned(tx, v.ticketId, v.id)))
    throw new AppError('conflict', `Parts cannot be changed on a ${v.state} visit`, { reason: 'visit_state', params: { state: v.state } });
  return v;
}

const presentUsage = (u: UsageRow, part: Pick<PartRow, 'code' | 'name'>) => ({
  id: u.id,
  partId: u.partId,
  code: part.code,
  name: part.name,
  qty: u.qty,
  unitCostFen: u.unitCostFen,
});

/** Record a part used on the visit: taken from the technician's van at today's unit cost (Idempotency-Key replays). */
export async function addVisitPart(database: Database, ctx: Ctx, visitId: string, input: { partId: string; qty: number }, key?: string) {
  authorize(ctx.actor, 'field.work');
  return idempotent(database, ctx, key, `POST /visits/${visitId}/parts`, input, async (tx) => {
    const v = await openVisit(tx, ctx, visitId);
    const part = await fieldPartsRepo.partById(tx, input.partId);
    if (!part) throw invalid('partId', 'unknown part');
    const van = await fieldPartsRepo.vanOf(tx, ctx.actor.id!);
    if (!van) throw new AppError('conflict', 'You have no van stock', { reason: 'insufficient_stock', params: { available: 0, code: part.code } });
    const usageId = uuidv7();
    await moveStock(tx, ctx, { kind: 'consume', part, from: van, to: null, qty: input.qty, unitCostFen: part.unitCostFen, visitId: v.id, usageId });
    const usage = await fieldPartsRepo.insertUsage(tx, {
      id: usageId,
      visitId: v.id,
      partId: part.id,
      locationId: van.id,
      qty: input.qty,
      unitCostFen: part.unitCostFen,
      createdBy: ctx.actor.id,
    });
    await writeAudit(tx, ctx, {
      action: 'field.part_used',
      targetType: 'field_visit',
      targetId: v.id,
      changes: { part: { before: null, after: `${part.code} × ${input.qty}` } },
    });
    return { status: 201, body: presentUsage(usage, part) };
  });
}

/** Take a recorded part off the visit: it goes back to the van it came from (Idempotency-Key replays). */
export async function removeVisitPart(database: Database, ctx: Ctx, visitId: string, usageId: string, key?: string) {
  authorize(ctx.actor, 'field.work');
  return idempotent(database, ctx, key, `DELETE /visits/${visitId}/parts/${usageId}`, {}, async (tx) => {
    const v = await openVisit(tx, ctx, visitId);
    const usage = await fieldPartsRepo.usageById(tx, v.id, usageId);
    if (!usage) throw notFound('Part usage');
    const [part, van] = await Promise.all([fieldPartsRepo.partById(tx, usage.partId), fieldPartsRepo.locationById(tx, usage.locationId)]);
    await moveStock(tx, ctx, { kind: 'unconsume', part: part!, from: null, to: van!, qty: usage.qty, unitCostFen: usage.unitCostFen, visitId: v.id, usageId });
    await fieldPartsRepo.deleteUsage(tx, usage.id);
    await writeAudit(tx, ctx, {
      action: 'field.part_returned',
      targetType: 'field_visit',
      targetId: v.id,
      changes: { part: { before: `${part!.code} × ${usage.qty}`, after: null } },
    });
    return { status: 200, body: presentUsage(usage, part!) };
  });
}

/** Parts used on a visit and their cost (Σ qty × unit cost when used): its technician, or dispatch / field managers. */
export async function visitParts(database: Database, ctx: Ctx, visitId: string) {
  if (!can(ctx.actor, 'field.work') && !can(ctx.actor, 'field.dispatch')) authorize(ctx.actor, 'field.work');
  const v = await fieldRepo.visitById(database.db, visitId);
  if (!v || !(isVisitTechnician(ctx.actor, v) || can(ctx.actor, 'field.dispatch') || can(ctx.actor, 'field.manage'))) throw notFound('Visit');
  const rows = await fieldPartsRepo.usageOfVisit(database.db, v.id);
  const items = rows.map((r) => presentUsage(r.usage, r));
  return { items, totalCostFen: items.reduce((s, i) => s + i.qty * i.unitCostFen, 0) };
}

// ── the stock keeper (field.manage) ──

const presentPart = (p: PartRow) => ({
  id: p.id,
  code: p.code,
  name: p.name,
  unit: p.unit,
  unitCostFen: p.unitCostFen,
  lowStockThreshold: p.lowStockThreshold,
  vanLowStockThreshold: p.vanLowStockThreshold,
});

export async function createPart(
  database: Database,
  ctx: Ctx,
  input: { code: string; name: string; unit: string; unitCostFen: number; lowStockThreshold: number; vanLowStockThreshold: number },
) {
  authorize(ctx.actor, 'field.manage');
  return database.transaction(async (tx) => {
    const row = await fieldPartsRepo.insertPart(tx, { id: uuidv7(), ...input });
    if (!row) throw new AppError('conflict', `Part code ${input.code} exists`, { reason: 'part_code_taken', params: { code: input.code } });
    await writeAudit(tx, ctx, { action: 'field.part_created', targetType: 'field_part', targetId: row.id });
    return presentPart(row);
  });
}

export async function createLocation(
  database: Database,
  ctx: Ctx,
  input: { kind: 'warehouse'; name: string } | { kind: 'van'; technicianId: string; name?: string | undefined },
) {
  authorize(ctx.actor, 'field.manage');
  return database.transaction(async (tx) => {
    let name = input.kind === 'warehouse' ? input.name : (input.name ?? '');
    if (input.kind === 'van') {
      const tech = await fieldRepo.lockTechnician(tx, input.technicianId);
      if (!tech?.active || !permissionsOf(tech.roles).has('field.work')) throw invalid('technicianId', 'not an active technician');
      name ||= t(ctx.locale, 'field.parts.van', { name: tech.name });
    }
    const row = await fieldPartsRepo.insertLocation(tx, {
      id: uuidv7(),
      kind: input.kind,
      name,
      technicianId: input.kind === 'van' ? input.technicianId : null,
    });
    if (!row) throw new AppError('conflict', 'This technician already has a van', { reason: 'van_exists' });
    await writeAudit(tx, ctx, { action: 'field.stock_location_created', targetType: 'field_stock_location', targetId: row.id });
    const names = row.technicianId ? await fieldRepo.staffNames(tx, [row.technicianId]) : new Map<string, string>();
    return {
      id: row.id,
      kind: row.kind as 'warehouse' | 'van',
      name: row.name,
      technicianId: row.technicianId,
      technicianName: names.get(row.technicianId ?? '') ?? null,
    };
  });
}

async function place(tx: Tx, path: string, id: string, kind: 'warehouse' | 'van') {
  const loc = await fieldPartsRepo.locationById(tx, id);
  if (!loc) throw invalid(path, 'unknown stock location');
  if (loc.kind !== kind) throw invalid(path, kind === 'warehouse' ? 'not a warehouse' : 'not a van');
  return loc;
}

/** Receive into a warehouse, issue warehouse → van, return van → warehouse: one transaction, rows locked. */
export async function stockMovement(
  database: Database,
  ctx: Ctx,
  kind: 'receive' | 'issue' | 'return',
  input: { partId: string; qty: number; note?: string | undefined; locationId?: string; fromLocationId?: string; toLocationId?: string },
) {
  authorize(ctx.actor, 'field.manage');
  return database.transaction(async (tx) => {
    const part = await fieldPartsRepo.partById(tx, input.partId);
    if (!part) throw invalid('partId', 'unknown part');
    const from = kind === 'receive' ? null : await place(tx, 'fromLocationId', input.fromLocationId!, kind === 'issue' ? 'warehouse' : 'van');
    const to =
      kind === 'receive'
        ? await place(tx, 'locationId', input.locationId!, 'warehouse')
        : await place(tx, 'toLocationId', input.toLocationId!, kind === 'issue' ? 'van' : 'warehouse');
    const out = await moveStock(tx, ctx, { kind, part, from, to, qty: input.qty, unitCostFen: part.unitCostFen, note: input.note });
    await writeAudit(tx, ctx, {
      action: `field.stock_${kind}`,
      targetType: 'field_part',
      targetId: part.id,
      changes: { qty: { before: null, after: input.qty } },
    });
    return { id: out.id, kind, partId: part.id, qty: input.qty, levels: out.levels };
  });
}

/** The stock page: locations, each part's stock per location (low ones flagged), the low list, the latest movements. */
export async function stockOverview(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'field.manage');
  const ex = database.db;
  const [locs, parts, stock, moves] = await Promise.all([
    fieldPartsRepo.locations(ex),
    fieldPartsRepo.allParts(ex),
    fieldPartsRepo.allStock(ex),
    fieldPartsRepo.movements(ex, 50),
  ]);
  const locById = new Map(locs.map((l) => [l.location.id, l.location]));
  const qty = new Map(stock.map((s) => [`${s.partId}:${s.locationId}`, s.qty]));
  const low: { partId: string; code: string; name: string; locationId: string; qty: number; threshold: number }[] = [];
  const outParts = parts.map((p) => {
    const levels = locs.flatMap(({ location: l }) => {
      const q = qty.get(`${p.id}:${l.id}`);
      const threshold = thresholdAt(p, l);
      // A van that never carried the part is not "low" on it; a warehouse always is when below its threshold.
      if (q === undefined && l.kind === 'van') return [];
      const level = { locationId: l.id, qty: q ?? 0, threshold, low: (q ?? 0) < threshold };
      if (level.low) low.push({ partId: p.id, code: p.code, name: p.name, locationId: l.id, qty: level.qty, threshold });
      return [level];
    });
    return { ...presentPart(p), stock: levels, total: levels.reduce((s, l) => s + l.qty, 0) };
  });
  return {
    locations: locs.map((l) => ({
      id: l.location.id,
      kind: l.location.kind as 'warehouse' | 'van',
      name: l.location.name,
      technicianId: l.location.technicianId,
      technicianName: l.technicianName,
    })),
    parts: outParts,
    low: low.filter((l) => locById.has(l.locationId)),
    movements: moves.map((m) => ({
      id: m.id,
      kind: m.kind as MovementKind,
      partId: m.partId,
      qty: m.qty,
      fromLocationId: m.fromLocationId,
      toLocationId: m.toLocationId,
      visitId: m.visitId,
      unitCostFen: m.unitCostFen,
      note: m.note,
      at: m.createdAt.toISOString(),
    })),
  };
}
