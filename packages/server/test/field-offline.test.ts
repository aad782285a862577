import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from './harness';

/**
 * The technician phone's offline queue (#16 item 4): every technician move accepts `Idempotency-Key`; the same key and
 * body replay the first answer (`idempotent-replayed: true`) and change nothing; a move replayed without its key after it
 * was applied is a clear 409 visit_state, never a 500.
 */
let t: TestApp;
let admin: string;
let agent: string;
let tech: { token: string; id: string };
let other: { token: string; id: string };
let customerId: string;
let siteId: string;
let siteCode: string;
let slot = 0;

const STEPS = ['show_id', 'survey_site', 'explain_steps_cost', 'safety', 'clean_up', 'customer_check', 'farewell_contact'];
const call = (m: 'POST' | 'PUT', url: string, token: string, body: unknown, key?: string) =>
  t.inject(m, `/api/v1${url}`, token, body, key ? { 'idempotency-key': key } : {});

async function newVisit() {
  const tk = await t.inject('POST', '/api/v1/tickets', agent, {
    customerId,
    type: 'repair',
    channel: 'phone',
    subject: '空调不制冷',
    description: '外机不转',
    siteId,
  });
  expect(tk.statusCode, tk.body).toBe(201);
  slot += 1;
  const start = new Date(Date.UTC(2032, 2, 1 + slot, 2)).toISOString();
  const end = new Date(Date.UTC(2032, 2, 1 + slot, 4)).toISOString();
  const v = await t.inject('POST', `/api/v1/tickets/${tk.json().id}/visits`, agent, { technicianId: tech.id, start, end });
  expect(v.statusCode, v.body).toBe(201);
  return { visitId: v.json().id as string, ticketId: tk.json().id as string };
}

/** What a move may write: audit rows of the visit, events of its ticket, the visit row itself. */
async function counts(visitId: string, ticketId: string) {
  const [audit] = await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_log WHERE target_id = ${visitId}`);
  const [events] = await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM events WHERE aggregate_id = ${ticketId}`);
  const [visit] = await t.database.rows<Record<string, unknown>>(sql`SELECT * FROM field_visits WHERE id = ${visitId}`);
  return { audit: audit!.n, events: events!.n, visit };
}

/**
 * Send a move with a fresh key, then the same key and body twice more: the replays answer the same body with
 * `idempotent-replayed: true` and write nothing.
 */
async function onceOnly(m: 'POST' | 'PUT', url: string, body: unknown, ids: { visitId: string; ticketId: string }) {
  const key = randomUUID();
  const first = await call(m, url, tech.token, body, key);
  expect(first.statusCode, first.body).toBe(200);
  expect(first.headers['idempotent-replayed']).toBeUndefined();
  const after = await counts(ids.visitId, ids.ticketId);
  for (let i = 0; i < 2; i += 1) {
    const again = await call(m, url, tech.token, body, key);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
  }
  expect(await counts(ids.visitId, ids.ticketId)).toEqual(after);
  return { first: first.json<Record<string, unknown>>(), key, after };
}

beforeAll(async () => {
  t = await testApp();
  admin = (await t.as(['admin'])).token;
  agent = (await t.as(['agent'])).token;
  const a = await t.as(['technician']);
  const b = await t.as(['technician']);
  tech = { token: a.token, id: a.staff.id };
  other = { token: b.token, id: b.staff.id };
  customerId = (await t.inject('POST', '/api/v1/customers', agent, { name: '李强', phone: '13900139000' })).json().id;
  siteId = (await t.inject('POST', '/api/v1/sites', admin, { name: '离线小区', address: '杭州市滨江区 1 号' })).json().id;
  siteCode = (await t.inject('GET', `/api/v1/sites/${siteId}/qr`, admin)).json().code;
});
afterAll(async () => t?.close());

describe('every technician move is idempotent by Idempotency-Key', () => {
  it('accept, depart, arrive, start, checklist, complete: replayed twice, applied once; without the key → 409 visit_state', async () => {
    const ids = await newVisit();
    const before = await counts(ids.visitId, ids.ticketId);
    const base = `/visits/${ids.visitId}`;

    const accept = await onceOnly('POST', `${base}/accept`, undefined, ids);
    expect(accept.first.state).toBe('accepted');
    expect(accept.after.audit).toBe(before.audit + 1);

    const depart = await onceOnly('POST', `${base}/depart`, undefined, ids);
    expect(depart.first.state).toBe('en_route');

    const eventsBeforeArrival = (await counts(ids.visitId, ids.ticketId)).events;
    const arrive = await onceOnly('POST', `${base}/arrive`, { code: siteCode, manual: true }, ids);
    expect(arrive.first).toMatchObject({ state: 'arrived', arrivalMethod: 'manual' });
    expect(arrive.after.events).toBe(eventsBeforeArrival + 1);
    const arrivedAt = arrive.after.visit!.arrived_at;

    const start = await onceOnly('POST', `${base}/start`, undefined, ids);
    expect(start.first.state).toBe('started');

    const half = await onceOnly('PUT', `${base}/checklist`, { steps: STEPS.slice(0, 3) }, ids);
    expect(half.first.checklist).toEqual(STEPS.slice(0, 3));
    const full = await onceOnly('PUT', `${base}/checklist`, { steps: STEPS }, ids);
    expect(full.first.checklist).toEqual(STEPS);
    // The earlier checklist replayed after a later one: the first answer, and the later list stays.
    const late = await call('PUT', `${base}/checklist`, tech.token, { steps: STEPS.slice(0, 3) }, half.key);
    expect(late.headers['idempotent-replayed']).toBe('true');
    expect(((await counts(ids.visitId, ids.ticketId)).visit!.checklist as string[]).length).toBe(STEPS.length);

    const complete = await onceOnly('POST', `${base}/complete`, { notes: '更换电容', labourMinutes: 35 }, ids);
    expect(complete.first).toMatchObject({ state: 'completed', labourMinutes: 35 });
    const completedEvents = await t.database.rows<{ kind: string }>(
      sql`SELECT kind FROM events WHERE aggregate_id = ${ids.ticketId} AND kind IN ('field.visit_arrived', 'field.visit_completed') ORDER BY id`,
    );
    expect(completedEvents.map((e) => e.kind)).toEqual(['field.visit_arrived', 'field.visit_completed']);
    expect((await counts(ids.visitId, ids.ticketId)).visit!.arrived_at).toEqual(arrivedAt);

    // The same moves sent again without a key (an old client, or a lost key): a clear 409 visit_state, nothing written.
    const settled = await counts(ids.visitId, ids.ticketId);
    for (const [m, url, body] of [
      ['POST', `${base}/accept`, undefined],
      ['POST', `${base}/depart`, undefined],
      ['POST', `${base}/arrive`, { code: siteCode }],
      ['POST', `${base}/start`, undefined],
      ['PUT', `${base}/checklist`, { steps: STEPS }],
      ['POST', `${base}/complete`, {}],
      ['POST', `${base}/decline`, { reason: '太远' }],
    ] as const) {
      const res = await call(m, url, tech.token, body);
      expect(res.statusCode, `${m} ${url}: ${res.body}`).toBe(409);
      expect(res.json()).toMatchObject({ code: 'conflict', reason: 'visit_state' });
    }
    expect(await counts(ids.visitId, ids.ticketId)).toEqual(settled);
  });

  it('decline: replayed twice, applied once', async () => {
    const ids = await newVisit();
    const decline = await onceOnly('POST', `/visits/${ids.visitId}/decline`, { reason: '不在服务区域' }, ids);
    expect(decline.first).toMatchObject({ state: 'declined', declineReason: '不在服务区域' });
    const [n] = await t.database.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM audit_log WHERE target_id = ${ids.visitId} AND action = 'field.visit_decline'`,
    );
    expect(n!.n).toBe(1);
    const again = await call('POST', `/visits/${ids.visitId}/decline`, tech.token, { reason: '不在服务区域' });
    expect(again.statusCode).toBe(409);
    expect(again.json().reason).toBe('visit_state');
  });

  it('a refused move keeps no key: the wrong code is refused every time, the right one with a new key goes through', async () => {
    const ids = await newVisit();
    const otherSite = (await t.inject('POST', '/api/v1/sites', admin, { name: '别的小区' })).json().id;
    const wrong = (await t.inject('GET', `/api/v1/sites/${otherSite}/qr`, admin)).json().code;
    const key = randomUUID();
    for (let i = 0; i < 2; i += 1) {
      const res = await call('POST', `/visits/${ids.visitId}/arrive`, tech.token, { code: wrong, manual: true }, key);
      expect(res.statusCode).toBe(422);
      expect(res.json().code).toBe('wrong_site');
    }
    const ok = await call('POST', `/visits/${ids.visitId}/arrive`, tech.token, { code: siteCode }, randomUUID());
    expect(ok.statusCode, ok.body).toBe(200);
    const arrivals = await t.database.rows(sql`SELECT 1 FROM events WHERE aggregate_id = ${ids.ticketId} AND kind = 'field.visit_arrived'`);
    expect(arrivals).toHaveLength(1);
  });

  it('the same key with another body or on another visit → 422 idempotency_key_reused; a bad key → 400; others still 404', async () => {
    const a = await newVisit();
    const b = await newVisit();
    const key = randomUUID();
    expect((await call('POST', `/visits/${a.visitId}/decline`, tech.token, { reason: '生病' }, key)).statusCode).toBe(200);
    const changed = await call('POST', `/visits/${a.visitId}/decline`, tech.token, { reason: '请假' }, key);
    expect(changed.statusCode).toBe(422);
    expect(changed.json().code).toBe('idempotency_key_reused');
    const elsewhere = await call('POST', `/visits/${b.visitId}/decline`, tech.token, { reason: '生病' }, key);
    expect(elsewhere.statusCode).toBe(422);
    expect((await counts(b.visitId, b.ticketId)).visit!.state).toBe('scheduled');
    const bad = await call('POST', `/visits/${b.visitId}/accept`, tech.token, undefined, 'bad key with spaces');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('Idempotency-Key');
    // Another technician with a key: still 404 (the key is never a way around the policy), and their key is not kept.
    const theirs = randomUUID();
    expect((await call('POST', `/visits/${b.visitId}/accept`, other.token, undefined, theirs)).statusCode).toBe(404);
    expect((await call('POST', `/visits/${b.visitId}/accept`, other.token, undefined, theirs)).statusCode).toBe(404);
    expect((await call('POST', `/visits/${b.visitId}/accept`, agent, undefined, randomUUID())).statusCode).toBe(403);
  });

  it("the day view carries the SHA-256 of the site's and its assets' codes (the phone refuses another site's code offline)", async () => {
    const own = await newVisit();
    const asset = (await t.inject('POST', '/api/v1/assets', admin, { siteId, name: '空调外机' })).json().id;
    const assetCode = (await t.inject('GET', `/api/v1/assets/${asset}/qr`, admin)).json().code as string;
    const otherSite = (await t.inject('POST', '/api/v1/sites', admin, { name: '第三小区' })).json().id;
    const otherCode = (await t.inject('GET', `/api/v1/sites/${otherSite}/qr`, admin)).json().code as string;
    const date = (await t.inject('GET', `/api/v1/visits/${own.visitId}`, tech.token)).json().start.slice(0, 10) as string;
    const day = (await t.inject('GET', `/api/v1/visits/mine?date=${date}`, tech.token)).json();
    const item = day.items.find((i: { id: string }) => i.id === own.visitId);
    const sha = (c: string) => createHash('sha256').update(c).digest('hex');
    expect(item.codeHashes).toEqual(expect.arrayContaining([sha(siteCode), sha(assetCode)]));
    expect(item.codeHashes).not.toContain(sha(otherCode));
    expect(JSON.stringify(day)).not.toContain(siteCode);
  });

  it('the same key sent twice at once: one applies, the other replays or waits, the move is made once', async () => {
    const ids = await newVisit();
    const key = randomUUID();
    const [x, y] = await Promise.all([
      call('POST', `/visits/${ids.visitId}/accept`, tech.token, undefined, key),
      call('POST', `/visits/${ids.visitId}/accept`, tech.token, undefined, key),
    ]);
    const codes = [x.statusCode, y.statusCode].sort();
    // PostgreSQL: the second waits on the key's unique index and replays (200, 200); a 409 "in progress" is also a
    // clean answer the queue retries. Never a 500.
    expect(codes.every((c) => c === 200 || c === 409)).toBe(true);
    expect(codes).toContain(200);
    const [n] = await t.database.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM audit_log WHERE target_id = ${ids.visitId} AND action = 'field.visit_accept'`,
    );
    expect(n!.n).toBe(1);
  });
});
