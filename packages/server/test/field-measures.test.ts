import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldVisitParts, fieldVisits } from '../src/db/schema';
import { uuidv7 } from '../src/lib/ids';
import { testApp, type TestApp } from './harness';

/**
 * Field-service measures (#16 item 8, docs/measures.md "Field service"), each figure checked against data computed by
 * hand. The period is 2031-05-01..02 in Asia/Shanghai: [2031-04-30T16:00Z, 2031-05-02T16:00Z).
 */
let t: TestApp;
let director: string;
let techA: { token: string; id: string };
let techB: { token: string; id: string };
const Q = 'from=2031-05-01&to=2031-05-02&tz=Asia/Shanghai';
const at = (iso: string) => new Date(`2031-${iso}Z`);

beforeAll(async () => {
  t = await testApp();
  const admin = (await t.as(['admin'])).token;
  director = (await t.as(['director'])).token;
  const a = await t.as(['technician']);
  const b = await t.as(['technician']);
  techA = { token: a.token, id: a.staff.id };
  techB = { token: b.token, id: b.staff.id };
  const post = async (url: string, body: unknown) => {
    const res = await t.inject('POST', `/api/v1${url}`, admin, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  const site = await post('/sites', { name: '指标小区' });
  const ac1 = await post('/assets', { siteId: site, name: '客厅空调', model: 'KFR-35' });
  const ac2 = await post('/assets', { siteId: site, name: '卧室空调', model: 'KFR-35' });
  const door = await post('/assets', { siteId: site, name: '门禁主机' });
  const part = await post('/field/parts', { code: 'M-1', name: '阀芯', unit: '个', unitCostFen: 3000 });
  const cheap = await post('/field/parts', { code: 'M-2', name: '垫圈', unit: '个', unitCostFen: 500 });
  const wh = await post('/field/stock/locations', { kind: 'warehouse', name: '仓库' });

  const ids = Object.fromEntries(['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9', 'v10'].map((k) => [k, uuidv7()]));
  type V = typeof fieldVisits.$inferInsert;
  const visit = (id: string, tech: string, s: string, e: string, extra: Partial<V>): V => ({
    id,
    ticketId: uuidv7(),
    technicianId: tech,
    startsAt: at(s),
    endsAt: at(e),
    state: 'completed',
    ...extra,
  });
  const A = techA.id;
  const B = techB.id;
  await t.database.db.insert(fieldVisits).values([
    // A, day 1: on time, completed; repeated by v5 within 7 days (not a first-time fix); asset KFR-35.
    visit(ids.v1!, A, '05-01T01:00:00', '05-01T03:00:00', { arrivedAt: at('05-01T02:00:00'), completedAt: at('05-01T04:00:00'), arrivalAssetId: ac1 }),
    // A, day 1: late (after the window), completed, parts 2 × 30.00 + 1 × 5.00.
    visit(ids.v2!, A, '05-01T05:00:00', '05-01T07:00:00', { arrivedAt: at('05-01T07:30:00'), completedAt: at('05-01T08:00:00') }),
    // A, day 2 (local 10:00): early counts as on time; asset KFR-35 (another unit of the model), no repeat.
    visit(ids.v3!, A, '05-02T01:00:00', '05-02T03:00:00', { arrivedAt: at('05-02T00:30:00'), completedAt: at('05-02T02:00:00'), arrivalAssetId: ac2 }),
    // B, day 1: arrival exactly at the window end is late; its repeat v6 was cancelled (still a first-time fix).
    visit(ids.v4!, B, '05-01T01:00:00', '05-01T03:00:00', { arrivedAt: at('05-01T03:00:00'), completedAt: at('05-01T03:30:00'), arrivalAssetId: door }),
    // B, day 2: the repeat of v1, on time, parts 1 × 5.00 … at an old price of 2.00.
    visit(ids.v5!, B, '05-02T06:00:00', '05-02T08:00:00', {
      arrivedAt: at('05-02T06:10:00'),
      completedAt: at('05-02T07:00:00'),
      repeatOfId: ids.v1!,
      createdAt: at('05-02T04:00:00'),
    }),
    visit(ids.v6!, B, '05-03T06:00:00', '05-03T08:00:00', { state: 'cancelled', repeatOfId: ids.v4!, createdAt: at('05-01T05:00:00') }),
    // A: arrived in the period, not completed.
    visit(ids.v7!, A, '05-02T10:00:00', '05-02T12:00:00', { state: 'started', arrivedAt: at('05-02T10:05:00') }),
    // A: arrived and completed on local 05-03 (outside), with parts.
    visit(ids.v8!, A, '05-02T17:00:00', '05-02T18:00:00', { arrivedAt: at('05-02T17:00:00'), completedAt: at('05-02T17:30:00') }),
    // A, day 1: completed; its "repeat" v10 was booked 8 days later (outside the guarantee).
    visit(ids.v9!, A, '05-01T09:00:00', '05-01T10:00:00', { arrivedAt: at('05-01T09:10:00'), completedAt: at('05-01T09:50:00') }),
    visit(ids.v10!, A, '05-10T09:00:00', '05-10T10:00:00', { state: 'scheduled', repeatOfId: ids.v9!, createdAt: at('05-09T10:00:00') }),
  ]);
  const use = (visitId: string, partId: string, qty: number, unitCostFen: number) => ({ id: uuidv7(), visitId, partId, locationId: wh, qty, unitCostFen });
  await t.database.db
    .insert(fieldVisitParts)
    .values([use(ids.v2!, part, 2, 3000), use(ids.v2!, cheap, 1, 500), use(ids.v5!, cheap, 1, 200), use(ids.v8!, part, 1, 3000)]);
});
afterAll(async () => t?.close());

describe('field-service measures', () => {
  it('computes each figure with its numerator and denominator', async () => {
    const res = await t.inject('GET', `/api/v1/measures/field?${Q}`, director);
    expect(res.statusCode, res.body).toBe(200);
    const m = res.json();
    expect(m).toMatchObject({ from: '2031-04-30T16:00:00.000Z', to: '2031-05-02T16:00:00.000Z', technicianId: null });
    expect(m.onTimeArrivalRate).toEqual({ value: 5 / 7, numerator: 5, denominator: 7 });
    expect(m.firstTimeFixRate).toEqual({ value: 5 / 6, numerator: 5, denominator: 6 });
    expect(m.visitsPerTechnicianDay).toEqual({ value: 1.5, numerator: 6, denominator: 4 });
    expect(m.partsCost).toEqual({ value: 6700 / 6, numerator: 6700, denominator: 6 });
    expect(m.repeatRepairByAssetType).toEqual([
      { assetType: 'KFR-35', value: 0.5, numerator: 1, denominator: 2 },
      { assetType: '门禁主机', value: 0, numerator: 0, denominator: 1 },
    ]);
    const a = m.byTechnician.find((r: { technicianId: string }) => r.technicianId === techA.id);
    const b = m.byTechnician.find((r: { technicianId: string }) => r.technicianId === techB.id);
    expect(a).toMatchObject({
      onTimeArrivalRate: { numerator: 4, denominator: 5 },
      firstTimeFixRate: { numerator: 3, denominator: 4 },
      visitsPerTechnicianDay: { value: 2, numerator: 4, denominator: 2 },
      partsCost: { numerator: 6500, denominator: 4 },
    });
    expect(b).toMatchObject({
      onTimeArrivalRate: { numerator: 1, denominator: 2 },
      firstTimeFixRate: { value: 1, numerator: 2, denominator: 2 },
      visitsPerTechnicianDay: { value: 1, numerator: 2, denominator: 2 },
      partsCost: { numerator: 200, denominator: 2 },
    });
    const empty = (await t.inject('GET', '/api/v1/measures/field?from=2030-01-01&to=2030-01-02', director)).json();
    expect(empty.onTimeArrivalRate).toEqual({ value: null, numerator: 0, denominator: 0 });
  });

  it('a technician (measures.own) sees only their own numbers', async () => {
    const mine = (await t.inject('GET', `/api/v1/measures/field?${Q}`, techA.token)).json();
    expect(mine.technicianId).toBe(techA.id);
    expect(mine.onTimeArrivalRate).toEqual({ value: 0.8, numerator: 4, denominator: 5 });
    expect(mine.repeatRepairByAssetType).toEqual([{ assetType: 'KFR-35', value: 0.5, numerator: 1, denominator: 2 }]);
    const other = await t.inject('GET', `/api/v1/measures/field?${Q}&technicianId=${techB.id}`, techA.token);
    expect(other.statusCode).toBe(403);
    const bad = await t.inject('GET', '/api/v1/measures/field?from=2031-13-01&technicianId=x', director);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toContain('querystring.technicianId');
  });

  it('exports the figures with numerators and denominators (CSV and xlsx)', async () => {
    const csv = await t.inject('GET', `/api/v1/measures/export?view=field&format=csv&lang=zh-CN&${Q}`, director);
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-disposition']).toContain('attachment');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('技师,指标,值,分子,分母');
    expect(lines).toContain(`全部技师,准时到达率（准时到达 / 到达）,${5 / 7},5,7`);
    expect(lines).toContain(`全部技师,备件成本（元，合计 / 完工上门）,${6700 / 6 / 100},67,6`);
    expect(lines).toContain('全部技师,返修率：KFR-35（7天内返修 / 完工上门）,0.5,1,2');
    const en = await t.inject('GET', `/api/v1/measures/export?view=field&format=csv&lang=en&${Q}`, director);
    expect(en.body).toContain('First-time fix rate');
    const xlsx = await t.inject('GET', `/api/v1/measures/export?view=field&format=xlsx&${Q}`, director);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
  });
});
