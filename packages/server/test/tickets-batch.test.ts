/**
 * Ticket creates are written in batches (tickets.create.ts). These tests send many creates at once, so they share
 * batches, and check that each one comes out exactly as if it had been created alone: its own number, events, audit
 * row, owner, clocks and answer — and that one bad create in a batch fails alone.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStats } from '../src/modules/tickets/tickets.create';
import { testApp, type TestApp } from './harness';
import { deactivateAll, standard } from './standards-helpers';

let t: TestApp;
let admin: { staff: { id: string }; token: string };
let agent: { staff: { id: string }; token: string };
let teamId: string;
let members: string[];
let customerId: string;
let complaintCustomer: string;

beforeAll(async () => {
  t = await testApp();
  admin = await t.as(['admin']);
  teamId = (await t.team('批量客服组')).id;
  agent = await t.as(['agent'], { teamId });
  const a2 = await t.as(['agent'], { teamId });
  const a3 = await t.as(['agent'], { teamId });
  members = [agent.staff.id, a2.staff.id, a3.staff.id].sort();
  customerId = (await t.inject('POST', '/api/v1/customers', agent.token, { name: '批量客户', phone: '13800009999', tier: 'gold' })).json().id;
  complaintCustomer = (await t.inject('POST', '/api/v1/customers', agent.token, { name: '投诉客户', phone: '13800008888', tier: 'regular' })).json().id;
  expect((await t.inject('POST', '/api/v1/dispatch/rules', admin.token, { name: '金卡客户批量', conditions: { tiers: ['gold'] }, teamId })).statusCode).toBe(
    201,
  );
});
afterAll(async () => {
  await t?.close();
});

const body = (o: Record<string, unknown> = {}) => ({
  customerId,
  type: 'repair',
  channel: 'api',
  priority: 'normal',
  subject: '批量报修',
  description: '楼道灯不亮',
  ...o,
});
const create = (o: Record<string, unknown> = {}, headers: Record<string, string> = {}) => t.inject('POST', '/api/v1/tickets', agent.token, body(o), headers);

describe('batched ticket creates', () => {
  it('40 creates at once share batches, and each gets its own number, events, audit row and a fair round-robin owner', async () => {
    const before = { ...createStats };
    createStats.largest = 0;
    const res = await Promise.all(Array.from({ length: 40 }, (_, i) => create({ subject: `批量报修 ${i}` })));
    expect(res.map((r) => r.statusCode)).toEqual(Array(40).fill(201));
    const out = res.map((r) => r.json());
    expect(createStats.largest).toBeGreaterThan(1);
    expect(createStats.batches - before.batches).toBeLessThan(40);
    expect(new Set(out.map((o) => o.number)).size).toBe(40);
    expect(new Set(out.map((o) => o.id)).size).toBe(40);
    // Round-robin over the three members: 40 tickets → 14/13/13, whatever the batches were.
    const per = members.map((m) => out.filter((o) => o.ownerId === m).length).sort((a, b) => b - a);
    expect(per).toEqual([14, 13, 13]);
    for (const o of out) {
      expect(o).toMatchObject({ status: 'assigned', teamId, dispatch: { ruleId: expect.any(String), reason: expect.stringContaining('轮询选中') } });
    }
    const ids = out.map((o) => o.id);
    const evs = await t.database.rows<{ aggregate_id: string; kind: string }>(
      sql`SELECT aggregate_id, kind FROM events WHERE aggregate_id = ANY(${`{${ids.join(',')}}`}::uuid[]) ORDER BY id`,
    );
    for (const id of ids)
      expect(evs.filter((e) => e.aggregate_id === id).map((e) => e.kind)).toEqual(['ticket.created', 'ticket.assigned', 'ticket.status_changed']);
    const audits = await t.database.rows<{ target_id: string; actor_id: string }>(
      sql`SELECT target_id, actor_id FROM audit_log WHERE action = 'ticket.created' AND target_id = ANY(${`{${ids.join(',')}}`}::text[])`,
    );
    expect(audits).toHaveLength(40);
    expect(new Set(audits.map((a) => a.actor_id))).toEqual(new Set([agent.staff.id]));
    // Each subject landed on its own ticket, and the owner got one notification per ticket.
    const detail = (await t.inject('GET', `/api/v1/tickets/${out[7].id}`, agent.token)).json();
    expect(detail.subject).toBe('批量报修 7');
    const notes = await t.database.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM notifications WHERE kind = 'ticket.assigned' AND ticket_id = ANY(${`{${ids.join(',')}}`}::uuid[])`,
    );
    expect(notes[0]!.n).toBe(out.filter((o) => o.ownerId !== agent.staff.id).length);
  });

  it('a create that fails validation in a batch is refused alone, naming the field; the others commit', async () => {
    const missing = '01890000-0000-7000-8000-000000000000';
    const res = await Promise.all([
      create({ subject: '好 1' }),
      create({ customerId: missing }),
      create({ subject: '好 2' }),
      create({ categoryId: missing }),
      create({ subject: '好 3' }),
    ]);
    expect(res.map((r) => r.statusCode)).toEqual([201, 400, 201, 400, 201]);
    expect(res[1].json()).toMatchObject({ code: 'validation_failed', errors: [{ path: 'customerId' }] });
    expect(res[3].json()).toMatchObject({ code: 'validation_failed', errors: [{ path: 'categoryId' }] });
    const n = await t.database.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM tickets WHERE customer_id = ${missing}::uuid OR category_id = ${missing}::uuid`,
    );
    expect(n[0]!.n).toBe(0);
  });

  it('a create that fails inside the transaction (someone else’s attachment) is retried alone; only it fails', async () => {
    const before = createStats.retriedAlone;
    const foreign = '01890000-0000-7000-8000-0000000000aa';
    const res = await Promise.all([create({ subject: 'A' }), create({ attachmentIds: [foreign] }), create({ subject: 'B' })]);
    expect(res.map((r) => r.statusCode)).toEqual([201, 400, 201]);
    expect(res[1].json()).toMatchObject({ errors: [{ path: 'attachmentIds' }] });
    expect(createStats.retriedAlone).toBeGreaterThan(before);
  });

  it('idempotency keys inside a batch: the same key twice at once creates one ticket and replays it; a refused create leaves no key', async () => {
    const [a, b, c] = await Promise.all([
      create({}, { 'idempotency-key': 'batch-key-1' }),
      create({}, { 'idempotency-key': 'batch-key-1' }),
      create({ subject: '别的' }, { 'idempotency-key': 'batch-key-2' }),
    ]);
    expect([a.statusCode, b.statusCode, c.statusCode]).toEqual([201, 201, 201]);
    expect(a.json().id).toBe(b.json().id);
    expect([a.headers['idempotent-replayed'], b.headers['idempotent-replayed']].filter(Boolean)).toEqual(['true']);
    expect(c.json().id).not.toBe(a.json().id);
    const again = await create({ subject: '别的' }, { 'idempotency-key': 'batch-key-2' });
    expect(again.json().id).toBe(c.json().id);
    expect((await create({ subject: '改了' }, { 'idempotency-key': 'batch-key-2' })).json().code).toBe('idempotency_key_reused');
    // Refused (no such customer): the key is not kept, so the corrected request goes through with it.
    const bad = await create({ customerId: '01890000-0000-7000-8000-000000000001' }, { 'idempotency-key': 'batch-key-3' });
    expect(bad.statusCode).toBe(400);
    const fixed = await create({ subject: '改正后' }, { 'idempotency-key': 'batch-key-3' });
    expect(fixed.statusCode).toBe(201);
  });

  it('clocks start for every ticket of a batch as they would alone, and the answers carry them', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, {
      code: 'BATCH-FR',
      name: '首次响应 1 小时',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 3600,
      calendarId: null,
    });
    await standard(t, admin.token, {
      code: 'BATCH-ACK',
      name: '分派后 10 分钟受理',
      start: 'ticket.assigned',
      stop: 'ticket.taken',
      limitSeconds: 600,
      calendarId: null,
    });
    const res = await Promise.all(Array.from({ length: 12 }, (_, i) => create({ subject: `计时 ${i}`, channel: i % 2 ? 'api' : 'phone' })));
    for (const r of res) {
      expect(r.statusCode).toBe(201);
      const codes = r
        .json()
        .standards.map((s: { code: string; state: string }) => `${s.code}:${s.state}`)
        .sort();
      expect(codes).toEqual(['BATCH-ACK:running', 'BATCH-FR:running']);
    }
    const ids = res.map((r) => r.json().id);
    const rows = await t.database.rows<{ ticket_id: string; code: string; cycle: number }>(
      sql`SELECT ticket_id, code, cycle FROM standard_instances WHERE ticket_id = ANY(${`{${ids.join(',')}}`}::uuid[])`,
    );
    expect(rows).toHaveLength(24);
    expect(rows.every((r) => r.cycle === 1)).toBe(true);
    await deactivateAll(t.database);
    const plain = await Promise.all([create(), create()]);
    for (const r of plain) expect(r.json().standards).toEqual([]);
  });

  it('complaints created together each get their complaint case', async () => {
    const res = await Promise.all(Array.from({ length: 5 }, () => create({ customerId: complaintCustomer, type: 'complaint', subject: '投诉' })));
    const ids = res.map((r) => r.json().id);
    const cases = await t.database.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM complaint_cases WHERE ticket_id = ANY(${`{${ids.join(',')}}`}::uuid[])`,
    );
    expect(cases[0]!.n).toBe(5);
  });
});
