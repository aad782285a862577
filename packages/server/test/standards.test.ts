import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { render, type Message } from '../src/i18n/index';
import { testApp, type TestApp, WS_MODULE } from './harness';
import { deactivateAll, event, instances, sleep, standard, ticketRow, timeline, waitFor } from './standards-helpers';

let t: TestApp;
let admin: { staff: { id: string }; token: string };
let supervisor: { staff: { id: string }; token: string };
let agent: { staff: { id: string }; token: string };
let teamId: string;
let customerId: string;
let url: string;

beforeAll(async () => {
  t = await testApp();
  admin = await t.as(['admin']);
  supervisor = await t.as(['supervisor']);
  teamId = (await t.team('一线客服组', supervisor.staff.id)).id;
  agent = await t.as(['agent'], { teamId });
  customerId = (await t.inject('POST', '/api/v1/customers', agent.token, { name: '李女士', phone: '13900002222', tier: 'gold' })).json().id;
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await t?.close();
});

type WsMsg = { type: string; [k: string]: unknown };
async function connect(token: string) {
  const { WebSocket } = (await import(WS_MODULE)) as {
    WebSocket: new (u: string) => { on(e: string, f: (...a: unknown[]) => void): void; send(s: string): void; close(): void };
  };
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/ws?token=${token}`);
  const messages: WsMsg[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(String(d)) as WsMsg));
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  await waitFor(() => messages.find((m) => m.type === 'hello'));
  return { ws, messages };
}

const createTicket = (body: Record<string, unknown> = {}) =>
  t.inject('POST', '/api/v1/tickets', agent.token, {
    customerId,
    type: 'inquiry',
    channel: 'phone',
    priority: 'normal',
    subject: '咨询物业费',
    description: '想了解本月物业费明细',
    ...body,
  });

describe('clock engine: breach within a second of the deadline', () => {
  it('a 5 s first-response standard on 24×7 breaches on time, writes standard.breached, and escalates to the supervisor over WebSocket', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, {
      code: 'FR-5S',
      name: '首次响应 5 秒',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 5,
      calendarId: null,
      escalation: [{ afterBreachSeconds: 0, notifyRole: 'supervisor' }],
    });
    const sup = await connect(supervisor.token);
    const created = await createTicket();
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body.standards).toEqual([expect.objectContaining({ code: 'FR-5S', state: 'running', dueAt: expect.any(String), metAt: null, breachedAt: null })]);
    const dueAt = Date.parse(body.standards[0].dueAt);
    expect(dueAt - Date.now()).toBeGreaterThan(3000);

    const breached = await waitFor(async () => (await timeline(t.database, body.id)).find((e) => e.kind === 'standard.breached'), 10_000, 10);
    const seenAt = Date.now();
    const lagFromEvent = new Date(breached.at).getTime() - dueAt;
    expect(seenAt - dueAt).toBeLessThanOrEqual(1500);
    expect(lagFromEvent).toBeLessThanOrEqual(1500);
    expect(breached.data).toMatchObject({ code: 'FR-5S', late: false, dueAt: new Date(dueAt).toISOString() });

    const detail = (await t.inject('GET', `/api/v1/tickets/${body.id}`, agent.token)).json();
    expect(detail.standards[0]).toMatchObject({ code: 'FR-5S', state: 'breached', breachedAt: new Date(dueAt).toISOString() });
    const kinds = detail.timeline.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['standard.breached', 'ticket.escalated']));

    const notes = await t.database.rows<{ recipient_id: string; kind: string }>(
      sql`SELECT recipient_id, kind FROM notifications WHERE ticket_id = ${body.id} AND kind LIKE 'standard.%'`,
    );
    expect(notes).toEqual(
      expect.arrayContaining([
        { recipient_id: supervisor.staff.id, kind: 'standard.escalated' },
        { recipient_id: agent.staff.id, kind: 'standard.breached' },
      ]),
    );
    const pushed = await waitFor(() => sup.messages.find((m) => m.type === 'notification' && m.kind === 'standard.escalated' && m.ticketId === body.id), 3000);
    expect(pushed.title).toMatch(/超时升级/);
    sup.ws.close();
    // The title is stored as a message as well: an English reader gets it in English.
    const [esc] = await t.database.rows<{ data: { message: Message } }>(
      sql`SELECT data FROM notifications WHERE ticket_id = ${body.id} AND kind = 'standard.escalated'`,
    );
    expect(render('en', esc!.data.message)).toMatch(/^\S+ escalated \(level 1\): 首次响应 5 秒/);

    // Exactly once: one breach, one escalation, and nothing left to do.
    const [inst] = await instances(t.database, body.id);
    expect(inst).toMatchObject({ state: 'breached', next_action: null, escalations_sent: 1 });
    expect((await timeline(t.database, body.id)).filter((e) => e.kind === 'standard.breached')).toHaveLength(1);
  });
});

describe('clock lifecycle', () => {
  it('pauses while pending_customer, resumes, and a first public reply stops it as met', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, {
      code: 'FR-PAUSE',
      name: '首次响应（等待客户暂停）',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 3600,
      pauseWhile: ['pending_customer'],
    });
    let snap = await ticketRow(t.database, { ownerId: agent.staff.id, teamId, status: 'assigned' });
    snap = await event(t.database, snap, 'ticket.created');
    let [i] = await instances(t.database, snap.id);
    expect(i).toMatchObject({ code: 'FR-PAUSE', state: 'running', next_action: 'breach' });
    const firstDue = new Date(i!.due_at!).getTime();
    await sleep(300);
    snap = await event(t.database, snap, 'ticket.status_changed', { status: 'pending_customer' });
    [i] = await instances(t.database, snap.id);
    expect(i).toMatchObject({ state: 'paused', due_at: null, next_action: null });
    expect(Number(i!.consumed_ms)).toBeGreaterThanOrEqual(250);
    await sleep(700);
    snap = await event(t.database, snap, 'ticket.customer_reply', { status: 'in_progress' });
    [i] = await instances(t.database, snap.id);
    expect(i!.state).toBe('running');
    // The ~0.7 s paused moved the deadline back by about that much.
    expect(new Date(i!.due_at!).getTime() - firstDue).toBeGreaterThanOrEqual(500);
    const api = (await t.inject('GET', `/api/v1/tickets/${snap.id}`, admin.token)).json().standards[0];
    expect(api.remainingSeconds).toBeGreaterThan(3590);
    snap = await event(t.database, snap, 'ticket.first_public_reply');
    [i] = await instances(t.database, snap.id);
    expect(i).toMatchObject({ state: 'met', end_reason: 'stop', next_action: null });
    expect(i!.met_at).not.toBeNull();
  });

  it('starts paused when the ticket is already waiting, and resolving settles running clocks as met', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, {
      code: 'RES-1H',
      name: '1 小时内解决',
      start: 'ticket.created',
      stop: 'ticket.customer_confirmed',
      limitSeconds: 3600,
      pauseWhile: ['pending_internal'],
    });
    let snap = await ticketRow(t.database, { status: 'pending_internal' });
    snap = await event(t.database, snap, 'ticket.created');
    expect((await instances(t.database, snap.id))[0]).toMatchObject({ state: 'paused' });
    snap = await event(t.database, snap, 'ticket.status_changed', { status: 'in_progress' });
    snap = await event(t.database, snap, 'ticket.resolved', { status: 'resolved' });
    expect((await instances(t.database, snap.id))[0]).toMatchObject({ state: 'met', end_reason: 'resolved' });
  });

  it('a recurring standard restarts after each stop event and ends for good on resolve', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, {
      code: 'UPDATE-2H',
      name: '每 2 小时更新客户',
      start: 'ticket.created',
      stop: 'ticket.public_reply',
      limitSeconds: 7200,
      recurring: true,
    });
    let snap = await ticketRow(t.database, { ownerId: agent.staff.id, status: 'in_progress' });
    snap = await event(t.database, snap, 'ticket.created');
    snap = await event(t.database, snap, 'ticket.public_reply');
    snap = await event(t.database, snap, 'ticket.public_reply');
    let rows = await instances(t.database, snap.id);
    expect(rows.map((r) => [r.cycle, r.state])).toEqual([
      [1, 'met'],
      [2, 'met'],
      [3, 'running'],
    ]);
    snap = await event(t.database, snap, 'ticket.resolved', { status: 'resolved' });
    rows = await instances(t.database, snap.id);
    expect(rows.map((r) => [r.cycle, r.state, r.end_reason])).toEqual([
      [1, 'met', 'stop'],
      [2, 'met', 'stop'],
      [3, 'met', 'resolved'],
    ]);
    // No restart after resolve, even on a later public reply.
    snap = await event(t.database, snap, 'ticket.public_reply');
    expect(await instances(t.database, snap.id)).toHaveLength(3);
  });

  it('recurring with maxCycles stops restarting after the last cycle', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, {
      code: 'CARE-3X',
      name: '3 次关怀',
      start: 'ticket.resolved',
      stop: 'ticket.revisited',
      limitSeconds: 7200,
      recurring: true,
      maxCycles: 3,
    });
    let snap = await ticketRow(t.database, { status: 'in_progress' });
    snap = await event(t.database, snap, 'ticket.resolved', { status: 'resolved' });
    for (let k = 0; k < 4; k++) snap = await event(t.database, snap, 'ticket.revisited');
    const rows = await instances(t.database, snap.id);
    expect(rows.map((r) => [r.cycle, r.state])).toEqual([
      [1, 'met'],
      [2, 'met'],
      [3, 'met'],
    ]);
  });

  it('appliesTo filters by type, priority, tier, channel and team; a priority change re-evaluates', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, {
      code: 'URGENT-GOLD',
      name: '金卡紧急工单 30 分钟响应',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 1800,
      appliesTo: { priorities: ['urgent'], tiers: ['gold', 'diamond'], channels: ['phone', 'wechat'], types: ['complaint'] },
    });
    await standard(t, admin.token, {
      code: 'TEAM-ONLY',
      name: '一线组',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 1800,
      appliesTo: { teams: [teamId] },
    });
    const cases: [Record<string, unknown>, string[]][] = [
      [{ priority: 'urgent', tier: 'gold', channel: 'phone', type: 'complaint' }, ['URGENT-GOLD']],
      [{ priority: 'normal', tier: 'gold', channel: 'phone', type: 'complaint' }, []],
      [{ priority: 'urgent', tier: 'silver', channel: 'phone', type: 'complaint' }, []],
      [{ priority: 'urgent', tier: 'diamond', channel: 'email', type: 'complaint' }, []],
      [{ priority: 'urgent', tier: 'diamond', channel: 'wechat', type: 'inquiry' }, []],
      [{ teamId }, ['TEAM-ONLY']],
    ];
    for (const [o, codes] of cases) {
      let snap = await ticketRow(t.database, o);
      snap = await event(t.database, snap, 'ticket.created');
      expect((await instances(t.database, snap.id)).map((r) => r.code).sort()).toEqual(codes);
    }
    // Normal → urgent: the urgent standard starts as of creation; urgent → normal: it is cancelled.
    let snap = await ticketRow(t.database, { priority: 'normal', tier: 'gold', channel: 'phone', type: 'complaint' });
    snap = await event(t.database, snap, 'ticket.created');
    snap = await event(t.database, snap, 'ticket.priority_changed', { priority: 'urgent' });
    let rows = await instances(t.database, snap.id);
    expect(rows.map((r) => [r.code, r.state])).toEqual([['URGENT-GOLD', 'running']]);
    snap = await event(t.database, snap, 'ticket.priority_changed', { priority: 'normal' });
    rows = await instances(t.database, snap.id);
    expect(rows.map((r) => [r.code, r.state, r.end_reason])).toEqual([['URGENT-GOLD', 'cancelled', 'not_applicable']]);
  });

  it('a ticket-lifetime standard adopted after a ticket was opened does not reach back to it on a later change', async () => {
    await deactivateAll(t.database);
    let older = await ticketRow(t.database, { priority: 'normal' });
    older = await event(t.database, older, 'ticket.created');
    await sleep(5);
    await standard(t, admin.token, {
      code: 'URGENT-LATE',
      name: '紧急工单 1 小时处理（后采用）',
      start: 'ticket.created',
      stop: 'ticket.resolved',
      limitSeconds: 3600,
      appliesTo: { priorities: ['urgent'] },
    });
    older = await event(t.database, older, 'ticket.priority_changed', { priority: 'urgent' });
    expect(await instances(t.database, older.id)).toEqual([]);
    // A ticket opened after the adoption: the same change starts the clock as of its creation.
    let newer = await ticketRow(t.database, { priority: 'normal' });
    newer = await event(t.database, newer, 'ticket.created');
    newer = await event(t.database, newer, 'ticket.priority_changed', { priority: 'urgent' });
    expect((await instances(t.database, newer.id)).map((r) => [r.code, r.state])).toEqual([['URGENT-LATE', 'running']]);
  });

  it('versioning: a change makes a new version; running clocks keep theirs, new clocks use the new one', async () => {
    await deactivateAll(t.database);
    const id = await standard(t, admin.token, { code: 'VER', name: '版本测试', start: 'ticket.created', stop: 'ticket.first_public_reply', limitSeconds: 600 });
    let a = await ticketRow(t.database);
    a = await event(t.database, a, 'ticket.created');
    const patched = await t.inject('PATCH', `/api/v1/standards/${id}`, admin.token, { limitSeconds: 1200, name: '版本测试 v2' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ version: 2, limitSeconds: 1200, name: '版本测试 v2' });
    const same = await t.inject('PATCH', `/api/v1/standards/${id}`, admin.token, { limitSeconds: 1200 });
    expect(same.json().version).toBe(2); // nothing changed: no new version
    let b = await ticketRow(t.database);
    b = await event(t.database, b, 'ticket.created');
    const [ia] = await instances(t.database, a.id);
    const [ib] = await instances(t.database, b.id);
    expect(Number(ia!.limit_ms)).toBe(600_000);
    expect(Number(ib!.limit_ms)).toBe(1_200_000);
    expect(ia!.version_id).not.toBe(ib!.version_id);
    const versions = (await t.inject('GET', `/api/v1/standards/${id}/versions`, admin.token)).json().items;
    expect(versions.map((v: { version: number; definition: { limitSeconds: number } }) => [v.version, v.definition.limitSeconds])).toEqual([
      [2, 1200],
      [1, 600],
    ]);
    const viaApi = (await t.inject('GET', `/api/v1/tickets/${a.id}`, admin.token)).json().standards[0];
    expect(viaApi).toMatchObject({ code: 'VER', version: 1, name: '版本测试' });
    // Deactivating stops new clocks; the running one goes on.
    await t.inject('PATCH', `/api/v1/standards/${id}`, admin.token, { active: false });
    let c = await ticketRow(t.database);
    c = await event(t.database, c, 'ticket.created');
    expect(await instances(t.database, c.id)).toHaveLength(0);
    expect((await instances(t.database, a.id))[0]!.state).toBe('running');
  });

  it('warns at X % of the budget, then breaches, each once, with the owner notified', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, {
      code: 'WARN',
      name: '预警测试',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 2,
      warnAtPercent: [50],
    });
    let snap = await ticketRow(t.database, { ownerId: agent.staff.id, teamId, status: 'assigned' });
    snap = await event(t.database, snap, 'ticket.created');
    await waitFor(async () => (await timeline(t.database, snap.id)).some((e) => e.kind === 'standard.breached'), 8000);
    await sleep(300);
    const kinds = (await timeline(t.database, snap.id)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'standard.warning')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'standard.breached')).toHaveLength(1);
    expect(kinds.indexOf('standard.warning')).toBeLessThan(kinds.indexOf('standard.breached'));
    const notes = await t.database.rows<{ kind: string }>(
      sql`SELECT kind FROM notifications WHERE ticket_id = ${snap.id} AND recipient_id = ${agent.staff.id} ORDER BY id`,
    );
    expect(notes.map((n) => n.kind)).toEqual(['standard.warning', 'standard.breached']);
  });

  it('a reply after the deadline (before the worker got to it) records the breach first and stays breached', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, { code: 'LATE-REPLY', name: '迟到回复', start: 'ticket.created', stop: 'ticket.first_public_reply', limitSeconds: 1 });
    let snap = await ticketRow(t.database, { ownerId: agent.staff.id });
    // Start the clock 10 s in the past by backdating the instance (the worker could fire it any moment: race both paths).
    snap = await event(t.database, snap, 'ticket.created');
    await t.database.rows(
      sql`UPDATE standard_instances SET started_at = started_at - interval '10 seconds', segment_started_at = segment_started_at - interval '10 seconds', due_at = due_at - interval '10 seconds', next_action_at = next_action_at - interval '10 seconds' WHERE ticket_id = ${snap.id}`,
    );
    snap = await event(t.database, snap, 'ticket.first_public_reply');
    const [i] = await instances(t.database, snap.id);
    expect(i).toMatchObject({ state: 'breached', end_reason: 'stop' });
    expect(i!.ended_at).not.toBeNull();
    expect((await timeline(t.database, snap.id)).filter((e) => e.kind === 'standard.breached')).toHaveLength(1);
  });
});
