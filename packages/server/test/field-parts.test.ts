import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoFieldParts } from '../src/demo/field-parts';
import { listVisitParts } from '../src/modules/field/field.parts.repo';
import { testApp, type TestApp } from './harness';

/** Spare parts (#16 item 6, api.md "engineer B"): catalogue, stock per warehouse and van, movements, parts on visits. */
let t: TestApp;
let admin: string;
let supervisor: { token: string; id: string };
let agent: string;
let techA: { token: string; id: string };
let techB: { token: string; id: string };
let customerId: string;
let warehouse: string;
let vanA: string;
const api = (m: 'GET' | 'POST' | 'DELETE', url: string, token?: string, body?: unknown, headers: Record<string, string> = {}) =>
  t.inject(m, `/api/v1${url}`, token, body, headers);

let codeSeq = 0;
async function part(unitCostFen: number, thresholds: { lowStockThreshold?: number; vanLowStockThreshold?: number } = {}) {
  const res = await api('POST', '/field/parts', admin, { code: `P-${++codeSeq}`, name: `阀芯${codeSeq}`, unit: '个', unitCostFen, ...thresholds });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}
const move = (kind: 'receive' | 'issue' | 'return', body: Record<string, unknown>, token = admin) => api('POST', `/field/stock/${kind}`, token, body);
async function stockOf(partId: string, locationId: string): Promise<number> {
  const rows = await t.database.rows<{ qty: number }>(sql`SELECT qty FROM field_stock WHERE part_id = ${partId} AND location_id = ${locationId}`);
  return rows[0]?.qty ?? 0;
}
/** A visit of technician A at a fresh site, arrived (parts may be recorded from arrival on). */
let hourSeq = 0;
async function arrivedVisit(arrive = true) {
  const site = (await api('POST', '/sites', admin, { name: `parts-site-${++hourSeq}` })).json().id as string;
  const tk = (
    await api('POST', '/tickets', agent, { customerId, type: 'repair', channel: 'phone', subject: '龙头漏水', description: '滴水', siteId: site })
  ).json().id as string;
  const start = new Date(Date.UTC(2031, 2, 1) + hourSeq * 3_600_000);
  const v = await api('POST', `/tickets/${tk}/visits`, agent, {
    technicianId: techA.id,
    start: start.toISOString(),
    end: new Date(start.getTime() + 3_600_000).toISOString(),
  });
  expect(v.statusCode, v.body).toBe(201);
  const id = v.json().id as string;
  if (arrive) {
    const code = (await api('GET', `/sites/${site}/qr`, admin)).json().code as string;
    expect((await api('POST', `/visits/${id}/arrive`, techA.token, { code })).statusCode).toBe(200);
  }
  return { id, ticketId: tk };
}

beforeAll(async () => {
  t = await testApp();
  admin = (await t.as(['admin'])).token;
  const sup = await t.as(['supervisor']);
  supervisor = { token: sup.token, id: sup.staff.id };
  agent = (await t.as(['agent'])).token;
  const a = await t.as(['technician']);
  const b = await t.as(['technician']);
  techA = { token: a.token, id: a.staff.id };
  techB = { token: b.token, id: b.staff.id };
  customerId = (await api('POST', '/customers', agent, { name: '李强', phone: '13900139000' })).json().id;
  warehouse = (await api('POST', '/field/stock/locations', admin, { kind: 'warehouse', name: '中心仓库' })).json().id;
  const van = await api('POST', '/field/stock/locations', admin, { kind: 'van', technicianId: techA.id });
  expect(van.statusCode, van.body).toBe(201);
  vanA = van.json().id;
});
afterAll(async () => t?.close());

describe('catalogue and stock locations', () => {
  it('adds parts (bad input names the field, a taken code → 409) and locations (one van per technician)', async () => {
    const bad = await api('POST', '/field/parts', admin, { code: '', name: '灯管', unit: '支', unitCostFen: -1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['code', 'unitCostFen']));
    const ok = await api('POST', '/field/parts', admin, { code: 'LED-T8', name: 'LED灯管 T8 1.2m', unit: '支', unitCostFen: 2500, lowStockThreshold: 10 });
    expect(ok.json()).toMatchObject({ code: 'LED-T8', unitCostFen: 2500, lowStockThreshold: 10, vanLowStockThreshold: 0 });
    const dup = await api('POST', '/field/parts', admin, { code: 'LED-T8', name: '重复', unit: '支', unitCostFen: 1 });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().reason).toBe('part_code_taken');
    expect((await api('POST', '/field/parts', agent, { code: 'X', name: 'X', unit: '个', unitCostFen: 1 })).statusCode).toBe(403);
    expect((await api('POST', '/field/parts', techA.token, { code: 'X', name: 'X', unit: '个', unitCostFen: 1 })).statusCode).toBe(403);
    const second = await api('POST', '/field/stock/locations', admin, { kind: 'van', technicianId: techA.id });
    expect(second.statusCode).toBe(409);
    expect(second.json().reason).toBe('van_exists');
    const notTech = await api('POST', '/field/stock/locations', admin, { kind: 'van', technicianId: supervisor.id });
    expect(notTech.statusCode).toBe(400);
    expect(notTech.json().errors[0].path).toBe('technicianId');
    const overview = (await api('GET', '/field/stock', supervisor.token)).json();
    expect(overview.locations.find((l: { id: string }) => l.id === vanA)).toMatchObject({ kind: 'van', technicianId: techA.id });
  });
});

describe('movements', () => {
  it('receives, issues and returns; never below zero; the wrong kind of place is refused by field', async () => {
    const p = await part(800);
    expect((await move('receive', { partId: p, locationId: warehouse, qty: 10 })).statusCode).toBe(201);
    const issued = await move('issue', { partId: p, fromLocationId: warehouse, toLocationId: vanA, qty: 4 });
    expect(issued.statusCode, issued.body).toBe(201);
    expect(issued.json().levels).toEqual(
      expect.arrayContaining([expect.objectContaining({ locationId: warehouse, qty: 6 }), expect.objectContaining({ locationId: vanA, qty: 4 })]),
    );
    const tooMany = await move('issue', { partId: p, fromLocationId: warehouse, toLocationId: vanA, qty: 7 });
    expect(tooMany.statusCode).toBe(409);
    expect(tooMany.json()).toMatchObject({ reason: 'insufficient_stock', params: { available: 6 } });
    expect((await move('return', { partId: p, fromLocationId: vanA, toLocationId: warehouse, qty: 1 })).statusCode).toBe(201);
    expect([await stockOf(p, warehouse), await stockOf(p, vanA)]).toEqual([7, 3]);
    const wrong = await move('return', { partId: p, fromLocationId: warehouse, toLocationId: vanA, qty: 1 });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors[0].path).toBe('fromLocationId');
    const intoVan = await move('receive', { partId: p, locationId: vanA, qty: 1 });
    expect(intoVan.json().errors[0].path).toBe('locationId');
    expect((await move('receive', { partId: p, locationId: warehouse, qty: 0 })).json().errors[0].path).toBe('qty');
    expect((await move('receive', { partId: p, locationId: warehouse, qty: 1 }, techA.token)).statusCode).toBe(403);
    const ledger = await t.database.rows<{ kind: string; qty: number }>(sql`SELECT kind, qty FROM field_stock_movements WHERE part_id = ${p} ORDER BY id`);
    expect(ledger).toEqual([
      { kind: 'receive', qty: 10 },
      { kind: 'issue', qty: 4 },
      { kind: 'return', qty: 1 },
    ]);
    // The CHECK constraint is the last line: the database itself refuses a negative stock.
    await expect(t.database.rows(sql`UPDATE field_stock SET qty = -1 WHERE part_id = ${p} AND location_id = ${warehouse}`)).rejects.toThrow();
  });

  it('two issues of the last units at once: one succeeds, one gets 409, stock never negative', async () => {
    const p = await part(100);
    await move('receive', { partId: p, locationId: warehouse, qty: 3 });
    const body = { partId: p, fromLocationId: warehouse, toLocationId: vanA, qty: 2 };
    const [a, b] = await Promise.all([move('issue', body), move('issue', body)]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    expect([await stockOf(p, warehouse), await stockOf(p, vanA)]).toEqual([1, 2]);
  });

  it('a movement taking a location below its threshold notifies the field managers once', async () => {
    const p = await part(500, { lowStockThreshold: 5 });
    await move('receive', { partId: p, locationId: warehouse, qty: 6 });
    const count = async () =>
      (await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM notifications WHERE kind = 'field.low_stock' AND data->>'partId' = ${p}`))[0]!.n;
    await move('issue', { partId: p, fromLocationId: warehouse, toLocationId: vanA, qty: 1 }); // 5: not below
    expect(await count()).toBe(0);
    await move('issue', { partId: p, fromLocationId: warehouse, toLocationId: vanA, qty: 2 }); // 3: below
    const rows = await t.database.rows<{ recipient_id: string; title: string }>(
      sql`SELECT recipient_id, title FROM notifications WHERE kind = 'field.low_stock' AND data->>'partId' = ${p}`,
    );
    const recipients = rows.map((r) => r.recipient_id);
    expect(recipients).toContain(supervisor.id);
    expect(recipients).not.toContain(techA.id);
    expect(rows[0]!.title).toContain('中心仓库');
    const before = await count();
    await move('issue', { partId: p, fromLocationId: warehouse, toLocationId: vanA, qty: 1 }); // still below: no second alert
    expect(await count()).toBe(before);
    const low = (await api('GET', '/field/stock', admin)).json().low as { partId: string; locationId: string; qty: number }[];
    expect(low).toContainEqual(expect.objectContaining({ partId: p, locationId: warehouse, qty: 2 }));
  });
});

describe('parts on a visit', () => {
  it('lists the catalogue with the caller’s van stock', async () => {
    const p = await part(1200);
    await move('receive', { partId: p, locationId: warehouse, qty: 5 });
    await move('issue', { partId: p, fromLocationId: warehouse, toLocationId: vanA, qty: 2 });
    const code = `P-${codeSeq}`;
    const mine = (await api('GET', `/field/parts?q=${code}`, techA.token)).json().items;
    expect(mine).toEqual([{ id: p, code, name: `阀芯${codeSeq}`, unit: '个', unitCostFen: 1200, vanQty: 2 }]);
    expect((await api('GET', `/field/parts?q=${code}`, techB.token)).json().items[0].vanQty).toBe(0);
    expect((await api('GET', '/field/parts', supervisor.token)).statusCode).toBe(200);
    expect((await api('GET', '/field/parts', agent)).statusCode).toBe(403);
    expect((await api('GET', '/field/parts?q=%', techA.token)).json().items).toEqual([]);
    expect((await api('GET', '/field/parts?bogus=1', techA.token)).statusCode).toBe(400);
  });

  it('consumes from the van at the unit cost of the moment, replays by Idempotency-Key, returns to the van on delete', async () => {
    const p = await part(3000);
    await move('receive', { partId: p, locationId: warehouse, qty: 5 });
    await move('issue', { partId: p, fromLocationId: warehouse, toLocationId: vanA, qty: 3 });
    const notYet = await arrivedVisit(false);
    const early = await api('POST', `/visits/${notYet.id}/parts`, techA.token, { partId: p, qty: 1 });
    expect(early.statusCode).toBe(409);
    expect(early.json().reason).toBe('visit_state');

    const v = await arrivedVisit();
    expect((await api('POST', `/visits/${v.id}/parts`, techB.token, { partId: p, qty: 1 })).statusCode).toBe(404);
    expect((await api('POST', `/visits/${v.id}/parts`, admin, { partId: p, qty: 1 })).statusCode).toBe(404);
    const bad = await api('POST', `/visits/${v.id}/parts`, techA.token, { partId: 'nope', qty: 0 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['partId', 'qty']));

    const key = { 'idempotency-key': 'offline-part-1' };
    const first = await api('POST', `/visits/${v.id}/parts`, techA.token, { partId: p, qty: 2 }, key);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ partId: p, code: `P-${codeSeq}`, qty: 2, unitCostFen: 3000 });
    const replay = await api('POST', `/visits/${v.id}/parts`, techA.token, { partId: p, qty: 2 }, key);
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());
    expect(await stockOf(p, vanA)).toBe(1);
    const reused = await api('POST', `/visits/${v.id}/parts`, techA.token, { partId: p, qty: 1 }, key);
    expect(reused.statusCode).toBe(422);

    const short = await api('POST', `/visits/${v.id}/parts`, techA.token, { partId: p, qty: 2 });
    expect(short.statusCode).toBe(409);
    expect(short.json()).toMatchObject({ reason: 'insufficient_stock', params: { available: 1 } });

    // The price changes afterwards: the visit keeps the cost of the moment it was used.
    await t.database.rows(sql`UPDATE field_parts SET unit_cost_fen = 9999 WHERE id = ${p}`);
    const second = await api('POST', `/visits/${v.id}/parts`, techA.token, { partId: p, qty: 1 });
    expect(second.json().unitCostFen).toBe(9999);
    const list = (await api('GET', `/visits/${v.id}/parts`, techA.token)).json();
    expect(list.items.map((i: { qty: number }) => i.qty)).toEqual([2, 1]);
    expect(list.totalCostFen).toBe(2 * 3000 + 9999);
    expect((await api('GET', `/visits/${v.id}/parts`, agent)).json().totalCostFen).toBe(15999);
    expect((await api('GET', `/visits/${v.id}/parts`, techB.token)).statusCode).toBe(404);
    expect(await listVisitParts(t.database.db, v.id)).toEqual([
      { code: `P-${codeSeq}`, name: `阀芯${codeSeq}`, qty: 2, unitCostFen: 3000 },
      { code: `P-${codeSeq}`, name: `阀芯${codeSeq}`, qty: 1, unitCostFen: 9999 },
    ]);
    expect(await stockOf(p, vanA)).toBe(0);

    const usage = first.json().id as string;
    const delKey = { 'idempotency-key': 'offline-del-1' };
    const del = await api('DELETE', `/visits/${v.id}/parts/${usage}`, techA.token, undefined, delKey);
    expect(del.statusCode, del.body).toBe(200);
    expect(await stockOf(p, vanA)).toBe(2);
    const delAgain = await api('DELETE', `/visits/${v.id}/parts/${usage}`, techA.token, undefined, delKey);
    expect(delAgain.statusCode).toBe(200);
    expect(delAgain.headers['idempotent-replayed']).toBe('true');
    expect(await stockOf(p, vanA)).toBe(2);
    expect((await api('DELETE', `/visits/${v.id}/parts/${usage}`, techA.token)).statusCode).toBe(404);
    expect((await api('GET', `/visits/${v.id}/parts`, techA.token)).json().totalCostFen).toBe(9999);
    const ledger = await t.database.rows<{ kind: string }>(sql`SELECT kind FROM field_stock_movements WHERE visit_id = ${v.id} ORDER BY id`);
    expect(ledger.map((l) => l.kind)).toEqual(['consume', 'consume', 'unconsume']);
  });

  it('a technician without a van, or a signed-off visit, cannot record parts', async () => {
    const p = await part(100);
    const noVanTech = await t.as(['technician']);
    expect((await api('GET', '/field/parts', noVanTech.token)).json().items.every((i: { vanQty: number }) => i.vanQty === 0)).toBe(true);
    const v = await arrivedVisit();
    await move('receive', { partId: p, locationId: warehouse, qty: 2 });
    await move('issue', { partId: p, fromLocationId: warehouse, toLocationId: vanA, qty: 2 });
    await t.database.rows(
      sql`INSERT INTO events (kind, aggregate_type, aggregate_id, actor_kind, data) VALUES ('field.visit_signed', 'ticket', ${v.ticketId}, 'system', ${JSON.stringify({ visitId: v.id })}::jsonb)`,
    );
    const signed = await api('POST', `/visits/${v.id}/parts`, techA.token, { partId: p, qty: 1 });
    expect(signed.statusCode).toBe(409);
    expect(signed.json().reason).toBe('visit_state');
    expect(await stockOf(p, vanA)).toBe(2);
  });
});

describe('demo data', () => {
  it('stocks 中心仓库 and the demo technicians’ vans, with some parts below their threshold; loads once', async () => {
    const demo = await testApp();
    try {
      for (const no of ['T0001', 'T0002', 'T0003']) await demo.staff({ roles: ['technician'], employeeNo: no, name: `${no}师傅` });
      await loadDemoFieldParts(demo.database);
      await loadDemoFieldParts(demo.database);
      const token = (await demo.as(['admin'])).token;
      const o = (await demo.inject('GET', '/api/v1/field/stock', token)).json();
      expect(o.locations.map((l: { name: string }) => l.name)).toEqual(expect.arrayContaining(['中心仓库', 'T0001师傅的车载库存']));
      expect(o.locations.filter((l: { kind: string }) => l.kind === 'van')).toHaveLength(3);
      const r32 = o.parts.find((p: { code: string }) => p.code === 'R32-1KG');
      expect(r32).toMatchObject({ name: '空调冷媒R32 1kg', unitCostFen: 8500, total: 30 });
      expect(o.low.map((l: { code: string }) => l.code).sort()).toEqual(['FUSE-16A', 'LED-T8-12']);
      const tech = await demo.login('T0001');
      const mine = (await demo.inject('GET', '/api/v1/field/parts?q=R32', tech)).json().items;
      expect(mine).toEqual([expect.objectContaining({ code: 'R32-1KG', vanQty: 2 })]);
    } finally {
      await demo.close();
    }
  });
});
