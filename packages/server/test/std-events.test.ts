/**
 * Status requests (客户询问进度) and solution confirmations (客户确认方案) as ticket events a standard starts / stops on:
 * "status within N seconds of asking" met, breached by the worker, one cycle per request; the portal's atomic rate
 * limit; the solution_confirmed checkpoint.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from './harness';
import { deactivateAll, instances, standard, timeline, waitFor } from './standards-helpers';

let t: TestApp;
let admin: { staff: { id: string }; token: string };
let agent: { staff: { id: string }; token: string };
let customerId: string;

beforeAll(async () => {
  t = await testApp({ CHIDU_DEMO: '1' });
  admin = await t.as(['admin']);
  const supervisor = await t.as(['supervisor']);
  const teamId = (await t.team('客服一组', supervisor.staff.id)).id;
  agent = await t.as(['agent'], { teamId });
  customerId = (await t.inject('POST', '/api/v1/customers', agent.token, { name: '李女士', phone: '13900004444' })).json().id;
});
afterAll(async () => {
  await t?.close();
});

async function ticket(): Promise<string> {
  const res = await t.inject('POST', '/api/v1/tickets', agent.token, {
    customerId,
    type: 'inquiry',
    channel: 'phone',
    priority: 'normal',
    subject: '查询维修进度',
    description: '客户来电',
  });
  expect(res.statusCode).toBe(201);
  return res.json().id as string;
}
const ask = (id: string, token = agent.token, body: unknown = { channel: 'phone' }) => t.inject('POST', `/api/v1/tickets/${id}/status-requests`, token, body);
const reply = (id: string) => t.inject('POST', `/api/v1/tickets/${id}/replies`, agent.token, { body: '您好，师傅已在路上，预计下午三点前到达。' });

describe('status requests (询问后告知进度)', () => {
  it('ask → reply within the limit is met; ask → reply again is a second cycle; ask → no reply breaches', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, {
      code: 'STATUS-FAST',
      name: '询问后告知进度',
      start: 'ticket.status_requested',
      stop: 'ticket.public_reply',
      limitSeconds: 60,
    });
    const id = await ticket();
    const first = await ask(id);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ ticketId: id, kind: 'ticket.status_requested', by: 'staff', channel: 'phone' });
    expect(await instances(t.database, id)).toMatchObject([{ code: 'STATUS-FAST', state: 'running', cycle: 1 }]);
    // a second ask while the first is unanswered does not start a second clock: one answer answers both
    expect((await ask(id, agent.token, { channel: 'wechat' })).statusCode).toBe(201);
    expect(await instances(t.database, id)).toHaveLength(1);
    expect((await reply(id)).statusCode).toBe(201);
    expect(await instances(t.database, id)).toMatchObject([{ state: 'met', cycle: 1, end_reason: 'stop' }]);
    // asking again after the answer: a new encounter, cycle 2
    await ask(id);
    await reply(id);
    expect((await instances(t.database, id)).map((r) => [r.cycle, r.state])).toEqual([
      [1, 'met'],
      [2, 'met'],
    ]);
    const kinds = (await timeline(t.database, id)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'ticket.status_requested')).toHaveLength(3);
    expect((await timeline(t.database, id)).find((e) => e.kind === 'ticket.status_requested')?.data).toMatchObject({
      by: 'staff',
      byId: agent.staff.id,
      channel: 'phone',
    });
    expect((await t.auditRows('ticket.status_requested')).length).toBeGreaterThanOrEqual(3);
    // the ticket detail lists both cycles of the standard
    const detail = (await t.inject('GET', `/api/v1/tickets/${id}`, agent.token)).json();
    expect(detail.standards.filter((s: { code: string }) => s.code === 'STATUS-FAST')).toHaveLength(2);
  });

  it('no answer: the worker records the breach at the deadline (1 s standing in for 60 s)', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, {
      code: 'STATUS-1S',
      name: '询问后告知进度（测试）',
      start: 'ticket.status_requested',
      stop: 'ticket.public_reply',
      limitSeconds: 1,
    });
    const id = await ticket();
    await ask(id);
    const [breached] = await waitFor(async () => {
      const rows = await instances(t.database, id);
      return rows[0]?.state === 'breached' ? rows : null;
    }, 10_000);
    expect(breached).toMatchObject({ code: 'STATUS-1S', state: 'breached' });
    expect((await timeline(t.database, id)).some((e) => e.kind === 'standard.breached')).toBe(true);
    // a late answer ends it, still breached
    await reply(id);
    expect(await instances(t.database, id)).toMatchObject([{ state: 'breached', end_reason: 'stop' }]);
  });

  it('refuses bad input naming the field, other staff without tickets.work, and a closed ticket', async () => {
    const id = await ticket();
    const bad = await ask(id, agent.token, { channel: 'pigeon' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('channel');
    const qa = await t.as(['qa']);
    expect([403, 404]).toContain((await ask(id, qa.token)).statusCode);
    await t.inject('POST', `/api/v1/tickets/${id}/resolve`, agent.token, { resolution: '已处理' });
    const closed = await ask(id);
    expect(closed.statusCode).toBe(409);
    expect(closed.json().reason).toBe('ticket_closed');
  });

  it('the customer asks from the portal: starts the clock; at most once a minute (429 + Retry-After), atomically', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, {
      code: 'STATUS-PORTAL',
      name: '询问后告知进度',
      start: 'ticket.status_requested',
      stop: 'ticket.public_reply',
      limitSeconds: 60,
    });
    const phone = '13922229999';
    const code = (await t.inject('POST', '/api/v1/portal/auth/code', undefined, { phone })).json().demoCode as string;
    const { token } = (await t.inject('POST', '/api/v1/portal/auth/verify', undefined, { phone, code, transport: 'bearer' })).json();
    const created = await t.inject('POST', '/api/v1/portal/tickets', token, { type: 'repair', subject: '空调不制冷', description: '客厅空调不制冷' });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    // five at once: exactly one gets through
    const results = await Promise.all(Array.from({ length: 5 }, () => t.inject('POST', `/api/v1/portal/tickets/${id}/status-requests`, token)));
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes).toEqual([201, 429, 429, 429, 429]);
    const refused = results.find((r) => r.statusCode === 429)!;
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(results.find((r) => r.statusCode === 201)!.json()).toMatchObject({ by: 'customer', channel: 'portal' });
    expect(await instances(t.database, id)).toMatchObject([{ code: 'STATUS-PORTAL', state: 'running', cycle: 1 }]);
    // another customer's ticket is not found; staff routes refuse a customer
    const other = await ticket();
    expect((await t.inject('POST', `/api/v1/portal/tickets/${other}/status-requests`, token)).statusCode).toBe(404);
    expect([403, 404]).toContain((await ask(id, token)).statusCode);
  });
});

describe('solution confirmed (客户确认方案)', () => {
  it('is the solution_confirmed checkpoint: pending → passed when the customer accepts the solution', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, {
      code: 'SOLUTION-48H',
      name: '48 小时内客户确认方案',
      start: 'ticket.created',
      stop: 'ticket.solution_confirmed',
      limitSeconds: 48 * 3600,
      checkpoint: 'solution_confirmed',
    });
    const id = await ticket();
    const row = async () =>
      ((await t.inject('GET', `/api/v1/tickets/${id}/checkpoints`, agent.token)).json().items as { node: string; state: string }[]).find(
        (c) => c.node === 'solution_confirmed',
      );
    expect(await row()).toMatchObject({ state: 'pending' });
    const res = await t.inject('POST', `/api/v1/tickets/${id}/solution-confirmations`, agent.token, { channel: 'phone', note: '同意上门更换压缩机' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'ticket.solution_confirmed', by: 'staff' });
    expect(await row()).toMatchObject({ state: 'passed' });
    expect(await instances(t.database, id)).toMatchObject([{ code: 'SOLUTION-48H', state: 'met', end_reason: 'stop' }]);
    expect((await timeline(t.database, id)).find((e) => e.kind === 'ticket.solution_confirmed')?.data).toMatchObject({ note: '同意上门更换压缩机' });
  });

  it('starts a standard too ("deliver within 1 s of the accepted solution" breaches), and the portal records it', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, {
      code: 'AFTER-SOLUTION',
      name: '方案确认后执行',
      start: 'ticket.solution_confirmed',
      stop: 'ticket.resolved',
      limitSeconds: 1,
    });
    const phone = '13922228888';
    const code = (await t.inject('POST', '/api/v1/portal/auth/code', undefined, { phone })).json().demoCode as string;
    const { token } = (await t.inject('POST', '/api/v1/portal/auth/verify', undefined, { phone, code, transport: 'bearer' })).json();
    const id = (await t.inject('POST', '/api/v1/portal/tickets', token, { type: 'repair', subject: '热水器漏水', description: '漏水' })).json().id as string;
    const res = await t.inject('POST', `/api/v1/portal/tickets/${id}/solution-confirmations`, token);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ by: 'customer', channel: 'portal' });
    await waitFor(async () => (await instances(t.database, id))[0]?.state === 'breached', 10_000);
  });
});

describe('counted standards read as counts', () => {
  it('a 4-ring call breaches "3 rings": the clock, the timeline and the notification say 4 声 > 3 声, not overdue', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, { code: 'RINGS-3-DISPLAY', name: '电话三声内接听', measure: 'count', count: { source: 'ring_count', limit: 3 } });
    const res = await t.inject('POST', '/api/v1/tickets', agent.token, {
      customerId,
      type: 'inquiry',
      channel: 'phone',
      priority: 'normal',
      subject: '来电咨询',
      description: '电话',
      ringCount: 4,
    });
    const id = res.json().id as string;
    const detail = (await t.inject('GET', `/api/v1/tickets/${id}`, agent.token)).json();
    expect(detail.standards.find((s: { code: string }) => s.code === 'RINGS-3-DISPLAY')).toMatchObject({
      state: 'breached',
      observed: 4,
      countLimit: 3,
      countSource: 'ring_count',
    });
    expect((await timeline(t.database, id)).find((e) => e.kind === 'standard.breached')?.data).toMatchObject({ observed: 4, limit: 3, source: 'ring_count' });
    const notes = await t.database.rows<{ title: string; data: { message?: { key: string } } }>(
      sql`SELECT title, data FROM notifications WHERE ticket_id = ${id} AND kind = 'standard.breached'`,
    );
    expect(notes.length).toBeGreaterThan(0);
    expect(notes[0]!.title).toContain('超出次数限制');
    expect(notes[0]!.title).toContain('4 声 > 3 声');
    expect(notes[0]!.data.message?.key).toBe('progress.notify.count_breached.ring_count');
  });
});
