import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCode, verifyCode } from '../src/modules/field/field.code';
import { testApp, type TestApp } from './harness';

/** Field service (#16 items 1–3, api-contract.md "Field service"): sites, signed QR codes, visits, arrival by code. */
let t: TestApp;
let admin: string;
let agent: string;
let techA: { token: string; id: string };
let techB: { token: string; id: string };
let customerId: string;
const api = (m: 'GET' | 'POST' | 'PUT', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);

async function site(name: string, parentId?: string, kind?: string) {
  const res = await api('POST', '/sites', admin, { name, ...(parentId ? { parentId } : {}), address: '杭州市西湖区文三路 1 号', ...(kind ? { kind } : {}) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}
async function ticket(siteId?: string) {
  const res = await api('POST', '/tickets', agent, {
    customerId,
    type: 'repair',
    channel: 'phone',
    subject: '厨房漏水',
    description: '水管滴水',
    ...(siteId ? { siteId } : {}),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}
/** The code with one character changed (every position matters, the last one's spare bits included). */
const alter = (code: string, at: number) => {
  const i = code.length + at;
  return code.slice(0, i) + (code[i] === 'A' ? 'B' : 'A') + code.slice(i + 1);
};
const hour = (h: number) => new Date(Date.UTC(2031, 0, 6, h)).toISOString();
async function visit(ticketId: string, technicianId: string, start: number, end: number, siteId?: string) {
  return api('POST', `/tickets/${ticketId}/visits`, agent, { technicianId, start: hour(start), end: hour(end), ...(siteId ? { siteId } : {}) });
}

beforeAll(async () => {
  t = await testApp();
  admin = (await t.as(['admin'])).token;
  agent = (await t.as(['agent'])).token;
  const a = await t.as(['technician']);
  const b = await t.as(['technician']);
  techA = { token: a.token, id: a.staff.id };
  techB = { token: b.token, id: b.staff.id };
  customerId = (await api('POST', '/customers', agent, { name: '王丽', phone: '13800138000', building: '3栋', unit: '2单元', room: '1201' })).json().id;
});
afterAll(async () => t?.close());

describe('sites and assets', () => {
  it('creates a site tree, links customers to their unit and names bad input', async () => {
    const root = await site('幸福里小区', undefined, 'community');
    const b3 = await site('3栋', root, 'building');
    const u2 = await site('2单元', b3, 'unit');
    const r = await site('1201', u2, 'room');
    const detail = (await api('GET', `/sites/${r}`, admin)).json();
    expect(detail.path).toEqual(['幸福里小区', '3栋', '2单元', '1201']);
    expect(detail.customers.map((c: { name: string }) => c.name)).toContain('王丽');
    expect(detail.customers[0].phone).toBe('138****8000');
    const bad = await api('POST', '/sites', admin, { name: '', parentId: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['name', 'parentId']));
    expect((await api('POST', '/sites', agent, { name: '门店' })).statusCode).toBe(403);
    expect((await api('POST', '/sites', techA.token, { name: '门店' })).statusCode).toBe(403);
  });

  it('gives each site and asset a signed QR code that cannot be forged', async () => {
    const s = await site('望京网点', undefined, 'outlet');
    const qr = (await api('GET', `/sites/${s}/qr`, admin)).json();
    expect(qr.code).toMatch(/^s\.[\w-]{22}\.[\w-]{22}$/);
    expect(qr.svg).toContain('<svg');
    const asset = await api('POST', '/assets', admin, {
      siteId: s,
      name: '空调外机',
      model: 'KFR-35',
      serial: 'SN-001',
      installDate: '2025-01-01',
      warrantyEnd: '2027-01-01',
    });
    expect(asset.statusCode, asset.body).toBe(201);
    const aqr = (await api('GET', `/assets/${asset.json().id}/qr`, admin)).json();
    expect(aqr.code).toMatch(/^a\./);
    const secret = Buffer.alloc(32, 1);
    const code = signCode(secret, 's', 'AAAAAAAAAAAAAAAAAAAAAA');
    expect(verifyCode(secret, code)).toEqual({ kind: 's', nonce: 'AAAAAAAAAAAAAAAAAAAAAA' });
    expect(verifyCode(Buffer.alloc(32, 2), code)).toBeNull();
    expect(verifyCode(secret, code.replace(/^s/, 'a'))).toBeNull();
    expect(verifyCode(secret, `${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    // Any one character of the MAC changed is refused, including the last one whose low bits base64 ignores.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    fc.assert(
      fc.property(fc.nat({ max: 21 }), fc.constantFrom(...alphabet), (pos, ch) => {
        const i = code.length - 22 + pos;
        fc.pre(code[i] !== ch);
        return verifyCode(secret, code.slice(0, i) + ch + code.slice(i + 1)) === null;
      }),
      { numRuns: 500 },
    );
    const labels = await api('GET', `/sites/${s}/labels`, admin);
    expect(labels.headers['content-type']).toContain('text/html');
    expect(labels.headers['x-content-type-options']).toBe('nosniff');
    expect(labels.body).toContain('空调外机');
    expect(labels.body.match(/<svg/g)).toHaveLength(2);
  });

  it('imports sites from CSV with a dry run naming bad rows', async () => {
    const csv = 'path,kind,address\n阳光花园 / 1栋 / 1单元,unit,\n阳光花园 / 1栋 / 2单元,unit,\n,room,\n阳光花园 / 2栋,castle,\n';
    const dry = (await api('POST', '/sites/import', admin, { csv })).json();
    expect(dry).toMatchObject({ dryRun: true, rows: 4, created: 4, errors: [{ row: 4 }, { row: 5 }] });
    const before = (await api('GET', '/sites', admin)).json().items.length;
    expect(before).toBe((await api('GET', '/sites', admin)).json().items.length);
    expect((await api('GET', '/sites', admin)).json().items.some((x: { name: string }) => x.name === '阳光花园')).toBe(false);
    const real = (await api('POST', '/sites/import', admin, { csv, dryRun: false })).json();
    expect(real.created).toBe(4);
    const again = (await api('POST', '/sites/import', admin, { csv, dryRun: false })).json();
    expect(again).toMatchObject({ created: 0, existing: 2 });
    const sites = (await api('GET', '/sites', admin)).json().items as { path: string[] }[];
    expect(sites.some((x) => x.path.join('/') === '阳光花园/1栋/2单元')).toBe(true);
  });
});

describe('visits', () => {
  it('books visits per the contract; an overlapping window of the technician → 409 slot_taken', async () => {
    const s = await site('slot-site');
    const tk = await ticket(s);
    const first = await visit(tk, techA.id, 1, 3);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ state: 'scheduled' });
    const overlap = await visit(tk, techA.id, 2, 4);
    expect(overlap.statusCode).toBe(409);
    expect(overlap.json().code).toBe('slot_taken');
    // [start, end): back to back is fine; another technician is free.
    expect((await visit(tk, techA.id, 3, 4)).statusCode).toBe(201);
    expect((await visit(tk, techB.id, 2, 4)).statusCode).toBe(201);
    const bad = await api('POST', `/tickets/${tk}/visits`, agent, { start: hour(5), end: hour(4) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('end');
    const listed = (await api('GET', `/tickets/${tk}/visits`, agent)).json().items;
    expect(listed).toHaveLength(3);
    expect(listed[0].siteId).toBe(s);
  });

  it('two agents booking the last slot at once: one wins, one gets 409', async () => {
    const tk = await ticket();
    const [a, b] = await Promise.all([visit(tk, techB.id, 10, 12), visit(tk, techB.id, 11, 13)]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
  });

  it('arrival: the site or asset code at any time; another site or a forged code → 422 wrong_site; another technician → 404', async () => {
    const s = await site('arrive-site');
    const other = await site('other-site');
    const asset = (await api('POST', '/assets', admin, { siteId: s, name: '电梯' })).json().id;
    const tk = await ticket(s);
    const v = (await visit(tk, techA.id, 14, 15)).json().id;
    const siteCode = (await api('GET', `/sites/${s}/qr`, admin)).json().code as string;
    const otherCode = (await api('GET', `/sites/${other}/qr`, admin)).json().code as string;
    const assetCode = (await api('GET', `/assets/${asset}/qr`, admin)).json().code as string;
    expect((await api('POST', `/visits/${v}/arrive`, techB.token, { code: siteCode })).statusCode).toBe(404);
    expect((await api('POST', `/visits/${v}/arrive`, agent, { code: siteCode })).statusCode).toBe(403);
    for (const code of [otherCode, 's.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA', alter(siteCode, -5), alter(siteCode, -1), 'hello']) {
      const res = await api('POST', `/visits/${v}/arrive`, techA.token, { code });
      expect(res.statusCode, code).toBe(422);
      expect(res.json().code).toBe('wrong_site');
    }
    const ok = await api('POST', `/visits/${v}/arrive`, techA.token, { code: assetCode, manual: true });
    expect(ok.statusCode, ok.body).toBe(200);
    // The window is in 2031: arriving now is early, recorded, not refused.
    expect(ok.json()).toMatchObject({ state: 'arrived', arrivalMethod: 'manual', arrivalTiming: 'early' });
    const v2 = (await visit(await ticket(s), techA.id, 16, 17)).json().id;
    expect((await api('POST', `/visits/${v2}/arrive`, techA.token, { code: siteCode })).json()).toMatchObject({ state: 'arrived', arrivalMethod: 'scan' });
    const events = await t.database.rows<{ kind: string }>(sql`SELECT kind FROM events WHERE aggregate_id = ${tk} ORDER BY id`);
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['field.visit_scheduled', 'field.visit_arrived']));
  });

  it('the checklist is required before completion; a repeat visit at the site within 7 days links to the first', async () => {
    const s = await site('repeat-site');
    const tk = await ticket(s);
    const v = (await visit(tk, techA.id, 18, 19)).json().id;
    const code = (await api('GET', `/sites/${s}/qr`, admin)).json().code as string;
    expect((await api('POST', `/visits/${v}/accept`, techA.token)).json().state).toBe('accepted');
    expect((await api('POST', `/visits/${v}/depart`, techA.token)).json().state).toBe('en_route');
    expect((await api('POST', `/visits/${v}/arrive`, techA.token, { code })).statusCode).toBe(200);
    expect((await api('POST', `/visits/${v}/start`, techA.token)).json().state).toBe('started');
    const early = await api('POST', `/visits/${v}/complete`, techA.token, {});
    expect(early.statusCode).toBe(409);
    expect(early.json().reason).toBe('checklist_incomplete');
    const steps = ['show_id', 'survey_site', 'explain_steps_cost', 'safety', 'clean_up', 'customer_check', 'farewell_contact'];
    expect((await api('PUT', `/visits/${v}/checklist`, techA.token, { steps })).json().checklist).toEqual(steps);
    const done = await api('POST', `/visits/${v}/complete`, techA.token, { notes: '更换阀门', labourMinutes: 40 });
    expect(done.json()).toMatchObject({ state: 'completed', labourMinutes: 40 });
    const again = await visit(await ticket(s), techB.id, 20, 21);
    expect(again.json().repeatOfId).toBe(v);
    const elsewhere = await visit(await ticket(await site('fresh-site')), techB.id, 21, 22);
    expect(elsewhere.json().repeatOfId).toBeNull();
  });

  it("the technician's day lists only their own visits, in order, with a masked phone", async () => {
    const s = await site('day-site');
    const tk = await ticket(s);
    await visit(tk, techA.id, 5, 6);
    const day = (await api('GET', '/visits/mine?date=2031-01-06', techA.token)).json();
    const starts = day.items.map((i: { start: string }) => i.start);
    expect(starts).toEqual([...starts].sort());
    expect(day.items.every((i: { technicianId: string }) => i.technicianId === techA.id)).toBe(true);
    expect(day.items[0]).toMatchObject({ customerName: '王丽', customerPhoneMasked: '138****8000' });
    const other = (await api('GET', '/visits/mine?date=2031-01-06', techB.token)).json();
    expect(other.items.some((i: { ticketId: string }) => i.ticketId === tk)).toBe(false);
    expect((await api('GET', '/visits/mine', agent)).statusCode).toBe(403);
  });
});
