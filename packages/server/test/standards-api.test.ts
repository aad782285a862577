import { createServer, type IncomingMessage } from 'node:http';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEmailSender, type LogEmailSender, afterQuietHours } from '../src/realtime/delivery';
import { testApp, type TestApp, WS_MODULE } from './harness';
import { deactivateAll, event, standard, ticketRow, waitFor } from './standards-helpers';

let t: TestApp;
let admin: { staff: { id: string }; token: string };
let supervisor: { staff: { id: string }; token: string };
let agent: { staff: { id: string; name: string }; token: string };
let teamId: string;
let url: string;

beforeAll(async () => {
  t = await testApp({ CHIDU_OUTBOUND_ALLOW: '127.0.0.1' }); // the webhook test server is on loopback
  admin = await t.as(['admin']);
  supervisor = await t.as(['supervisor']);
  teamId = (await t.team('二线组', supervisor.staff.id)).id;
  agent = await t.as(['agent'], { teamId });
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await t?.close();
});

describe('standards catalogue', () => {
  it('creates a hard timed standard per the contract, lists and reads it; validation names the fields', async () => {
    const res = await t.inject(
      'POST',
      '/api/v1/standards',
      admin.token,
      {
        code: 'API-FR',
        name: '首次响应 4 个工作小时',
        encounter: '工单受理',
        kind: 'hard',
        start: 'ticket.created',
        stop: 'ticket.first_public_reply',
        pauseWhile: ['pending_customer'],
        limitSeconds: 14400,
        calendarId: null,
        target: 0.95,
        appliesTo: { types: ['complaint'], priorities: ['urgent'] },
        warnAtPercent: [75],
        escalation: [
          { afterBreachSeconds: 0, notifyRole: 'supervisor' },
          { afterBreachSeconds: 3600, notifyRole: 'director' },
        ],
      },
      { 'idempotency-key': 'std-create-1' },
    );
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      id: expect.any(String),
      code: 'API-FR',
      version: 1,
      timed: true,
      measure: 'timer',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      recurring: false,
      active: true,
    });
    const replay = await t.inject(
      'POST',
      '/api/v1/standards',
      admin.token,
      {
        code: 'API-FR',
        name: '首次响应 4 个工作小时',
        encounter: '工单受理',
        kind: 'hard',
        start: 'ticket.created',
        stop: 'ticket.first_public_reply',
        pauseWhile: ['pending_customer'],
        limitSeconds: 14400,
        calendarId: null,
        target: 0.95,
        appliesTo: { types: ['complaint'], priorities: ['urgent'] },
        warnAtPercent: [75],
        escalation: [
          { afterBreachSeconds: 0, notifyRole: 'supervisor' },
          { afterBreachSeconds: 3600, notifyRole: 'director' },
        ],
      },
      { 'idempotency-key': 'std-create-1' },
    );
    expect(replay.statusCode).toBe(201);
    expect(replay.json().id).toBe(body.id);
    expect((await t.inject('GET', `/api/v1/standards/${body.id}`, agent.token)).json().code).toBe('API-FR');
    expect((await t.inject('GET', '/api/v1/standards?kind=hard', agent.token)).json().items.some((s: { id: string }) => s.id === body.id)).toBe(true);
    const dup = await t.inject('POST', '/api/v1/standards', admin.token, { code: 'API-FR', name: 'x', encounter: 'x', kind: 'soft' });
    expect(dup.statusCode).toBe(409);

    const bad = await t.inject('POST', '/api/v1/standards', admin.token, {
      code: 'BAD 1',
      name: '',
      encounter: '电话',
      kind: 'hard',
      start: 'standard.breached',
      limitSeconds: -1,
      target: 2,
      warnAtPercent: [120],
      escalation: [{ afterBreachSeconds: 0, notifyRole: 'ceo' }],
    });
    expect(bad.statusCode).toBe(400);
    const paths = bad.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['code', 'name', 'start', 'limitSeconds', 'target', 'warnAtPercent[0]', 'escalation[0].notifyRole']));
    const semantic = await t.inject('POST', '/api/v1/standards', admin.token, {
      code: 'BAD-2',
      name: '缺少停止事件',
      encounter: '电话',
      kind: 'hard',
      start: 'ticket.created',
      calendarId: '00000000-0000-7000-8000-000000000000',
    });
    expect(semantic.json().errors.map((e: { path: string }) => e.path)).toEqual(['stop', 'limitSeconds']);
    const noCal = await t.inject('POST', '/api/v1/standards', admin.token, {
      code: 'BAD-3',
      name: '无日历',
      encounter: '电话',
      kind: 'hard',
      start: 'ticket.created',
      stop: 'ticket.resolved',
      limitSeconds: 60,
      calendarId: '00000000-0000-7000-8000-000000000000',
    });
    expect(noCal.json().errors).toEqual([{ path: 'calendarId', message: 'no such calendar' }]);
    const soft = await t.inject('POST', '/api/v1/standards', admin.token, {
      code: 'SOFT-1',
      name: '服务人员礼貌',
      encounter: '前台',
      kind: 'soft',
      survey: { measure: 'csat', threshold: 4 },
    });
    expect(soft.json()).toMatchObject({ measure: 'survey', timed: false, start: null });
  });

  it('ships the domain figures as Chinese templates and adopts them (with overrides)', async () => {
    const list = (await t.inject('GET', '/api/v1/standards/templates', agent.token)).json().items;
    const byKey = Object.fromEntries(list.map((x: { key: string }) => [x.key, x]));
    expect(byKey['phone-answer-3-rings'].definition).toMatchObject({ name: '电话三声内接听', measure: 'count', count: { source: 'ring_count', limit: 3 } });
    expect(byKey['callback-4h'].definition).toMatchObject({ name: '4 小时内回电', limitSeconds: 14400 });
    expect(byKey['complaint-same-day'].definition).toMatchObject({ name: '投诉当日办结', deadline: 'end_of_business_day' });
    expect(byKey['first-response-4-business-hours'].definition).toMatchObject({ name: '首次响应 4 个工作小时', calendarSource: 'ticket', warnAtPercent: [75] });
    expect(byKey['low-score-supervisor-15min'].definition).toMatchObject({ name: '低分 15 分钟主管联系', limitSeconds: 900 });
    expect(byKey['low-score-solution-48h'].definition.limitSeconds).toBe(172800);
    expect(byKey['revisit-7-days'].definition.limitSeconds).toBe(604800);
    expect(byKey['restaurant-table-check-15min'].definition).toMatchObject({ name: '每 15 分钟巡台', recurring: true, limitSeconds: 900 });
    expect(list.length).toBeGreaterThanOrEqual(20);
    const adopted = await t.inject('POST', '/api/v1/standards/templates/callback-4h/adopt', admin.token, { code: 'CB-4H-SITE1', limitSeconds: 7200 });
    expect(adopted.statusCode).toBe(201);
    expect(adopted.json()).toMatchObject({ code: 'CB-4H-SITE1', name: '4 小时内回电', limitSeconds: 7200, templateKey: 'callback-4h' });
    const plain = await t.inject('POST', '/api/v1/standards/templates/complaint-same-day/adopt', admin.token);
    expect(plain.json()).toMatchObject({ code: 'COMPLAINT-SAME-DAY' });
    expect((await t.inject('POST', '/api/v1/standards/templates/nope/adopt', admin.token, {})).statusCode).toBe(404);
    expect((await t.inject('POST', '/api/v1/standards/templates/callback-4h/adopt', agent.token, {})).statusCode).toBe(403);
  });

  it('permissions: admin manages; directors and supervisors see compliance; agents see the catalogue only', async () => {
    const id = (await t.inject('GET', '/api/v1/standards', admin.token)).json().items[0].id;
    const director = (await t.as(['director'])).token;
    for (const [tok, status] of [
      [director, 200],
      [supervisor.token, 200],
      [agent.token, 403],
    ] as const) {
      expect((await t.inject('GET', `/api/v1/standards/${id}/compliance`, tok)).statusCode).toBe(status);
    }
    expect((await t.inject('PATCH', `/api/v1/standards/${id}`, supervisor.token, { target: 0.5 })).statusCode).toBe(403);
    expect((await t.inject('POST', '/api/v1/standards', director, { code: 'X', name: 'x', encounter: 'x', kind: 'soft' })).statusCode).toBe(403);
  });
});

describe('compliance, breakdown, SQI and improvement actions', () => {
  it('counts met / breached / running per standard with filters, breaks down by agent, team, channel, tier and day', async () => {
    await deactivateAll(t.database);
    const id = await standard(t, admin.token, {
      code: 'COMP',
      name: '合规统计',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 3600,
      target: 0.8,
      sqiWeight: 2,
    });
    const make = async (o: Record<string, unknown>, outcome: 'met' | 'breached' | 'running') => {
      let s = await ticketRow(t.database, { ownerId: agent.staff.id, teamId, ...o });
      s = await event(t.database, s, 'ticket.created');
      if (outcome === 'met') await event(t.database, s, 'ticket.first_public_reply');
      if (outcome === 'breached') {
        // Backdate so the deadline has passed, then let the reply discover the breach.
        await t.database.rows(
          sql`UPDATE standard_instances SET started_at = started_at - interval '2 hours', segment_started_at = segment_started_at - interval '2 hours', due_at = due_at - interval '2 hours', next_action_at = next_action_at - interval '2 hours' WHERE ticket_id = ${s.id}`,
        );
        await event(t.database, s, 'ticket.first_public_reply');
      }
    };
    await make({ channel: 'phone', tier: 'gold' }, 'met');
    await make({ channel: 'phone', tier: 'gold' }, 'met');
    await make({ channel: 'email', tier: 'regular' }, 'met');
    await make({ channel: 'email', tier: 'regular' }, 'breached');
    await make({ channel: 'wechat', tier: 'regular' }, 'running');
    const c = (await t.inject('GET', `/api/v1/standards/${id}/compliance`, supervisor.token)).json();
    expect(c).toMatchObject({ met: 3, breached: 1, running: 1, rate: 0.75, target: 0.8, meetsTarget: false, code: 'COMP' });
    const phone = (
      await t.inject('GET', `/api/v1/standards/${id}/compliance?channel=phone&agentId=${agent.staff.id}&teamId=${teamId}`, supervisor.token)
    ).json();
    expect(phone).toMatchObject({ met: 2, breached: 0, rate: 1 });
    const none = (await t.inject('GET', `/api/v1/standards/${id}/compliance?from=2020-01-01&to=2020-01-31`, supervisor.token)).json();
    expect(none).toMatchObject({ met: 0, breached: 0, rate: null, meetsTarget: null });
    const byTier = (await t.inject('GET', `/api/v1/standards/${id}/compliance/breakdown?by=tier`, supervisor.token)).json();
    expect(byTier.items).toEqual([
      expect.objectContaining({ key: 'gold', met: 2, breached: 0, rate: 1 }),
      expect.objectContaining({ key: 'regular', met: 1, breached: 1, running: 1, rate: 0.5 }),
    ]);
    const byAgent = (await t.inject('GET', `/api/v1/standards/${id}/compliance/breakdown?by=agent`, supervisor.token)).json();
    expect(byAgent.items).toEqual([expect.objectContaining({ key: agent.staff.id, label: agent.staff.name, met: 3, breached: 1 })]);
    const byTeam = (await t.inject('GET', `/api/v1/standards/${id}/compliance/breakdown?by=team`, supervisor.token)).json();
    expect(byTeam.items[0]).toMatchObject({ key: teamId, label: '二线组' });
    const byDay = (await t.inject('GET', `/api/v1/standards/${id}/compliance/breakdown?by=day&tz=Asia/Shanghai`, supervisor.token)).json();
    expect(byDay.items.reduce((a: number, i: { met: number }) => a + i.met, 0)).toBe(3);
    expect((await t.inject('GET', `/api/v1/standards/${id}/compliance?from=nonsense`, supervisor.token)).json().errors[0].path).toBe('from');

    const summary = (await t.inject('GET', '/api/v1/standards/compliance', supervisor.token)).json();
    expect(summary.items.find((i: { code: string }) => i.code === 'COMP')).toMatchObject({ met: 3, breached: 1 });

    const sqi = (await t.inject('GET', `/api/v1/standards/sqi?standardId=${id}&tz=Asia/Shanghai`, supervisor.token)).json();
    expect(sqi.weights).toEqual({ breach_same_day: 1, breach_later_day: 3, escalation: 2 });
    const failures = sqi.days.reduce(
      (a: number, d: { failures: { breach_same_day: number; breach_later_day: number } }) => a + d.failures.breach_same_day + d.failures.breach_later_day,
      0,
    );
    expect(failures).toBe(1);
    expect([2, 6]).toContain(sqi.total); // sqiWeight 2 × (1 same-day or 3 later-day, depending on the hour the test runs)
    const custom = (await t.inject('GET', `/api/v1/standards/sqi?standardId=${id}&weights=breach_same_day:5,breach_later_day:5`, supervisor.token)).json();
    expect(custom.total).toBe(10);
  });

  it('records improvement actions (一次性修正) and shows the rate before vs after the date they took effect', async () => {
    await deactivateAll(t.database);
    const id = await standard(t, admin.token, {
      code: 'IMPROVE',
      name: '改进测试',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 60,
    });
    // Two weeks ago: 1 met, 3 breached; this week: 3 met, 1 breached (rows inserted as they would be).
    const ins = async (daysAgo: number, state: 'met' | 'breached') => {
      const s = await ticketRow(t.database);
      await t.database.rows(sql`INSERT INTO standard_instances (id, standard_id, version_id, code, ticket_id, state, started_at, limit_ms, ended_at)
        SELECT gen_random_uuid(), id, current_version_id, code, ${s.id}, ${state}, now() - make_interval(days => ${daysAgo}), 60000, now() - make_interval(days => ${daysAgo}) FROM standards WHERE id = ${id}`);
    };
    for (const st of ['met', 'breached', 'breached', 'breached'] as const) await ins(14, st);
    for (const st of ['met', 'met', 'met', 'breached'] as const) await ins(2, st);
    const due = new Date(Date.now() - 7 * 86400_000).toISOString().slice(0, 10);
    const created = await t.inject('POST', `/api/v1/standards/${id}/improvements`, supervisor.token, {
      cause: '夜班无人值守邮件渠道',
      change: '邮件工单自动转值班手机（技术修正）',
      ownerId: supervisor.staff.id,
      dueDate: due,
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ state: 'open', ownerName: expect.any(String) });
    const list = (await t.inject('GET', `/api/v1/standards/${id}/improvements?windowDays=10`, supervisor.token)).json().items;
    expect(list[0].effect).toMatchObject({
      effectiveDate: due,
      windowDays: 10,
      before: { met: 1, breached: 3, rate: 0.25 },
      after: { met: 3, breached: 1, rate: 0.75 },
      rateChange: 0.5,
    });
    const done = await t.inject('PATCH', `/api/v1/standards/improvements/${created.json().id}`, supervisor.token, { state: 'done' });
    expect(done.json()).toMatchObject({ state: 'done', doneAt: expect.any(String) });
    const bad = await t.inject('POST', `/api/v1/standards/${id}/improvements`, supervisor.token, {
      cause: 'x',
      change: 'y',
      ownerId: '00000000-0000-7000-8000-000000000000',
      dueDate: '2025-02-30',
    });
    expect(bad.json().errors[0].path).toBe('dueDate');
    expect(
      (await t.inject('POST', `/api/v1/standards/${id}/improvements`, agent.token, { cause: 'x', change: 'y', ownerId: agent.staff.id, dueDate: due }))
        .statusCode,
    ).toBe(403);
  });
});

describe('notifications: inbox, preferences, email and webhook adapters, WebSocket watch', () => {
  it('lists my notifications, marks them read, and only mine', async () => {
    await t.inject('POST', '/api/v1/notifications/test', agent.token);
    const list = (await t.inject('GET', '/api/v1/notifications?unread=true', agent.token)).json();
    expect(list.unreadCount).toBeGreaterThanOrEqual(1);
    const n = list.items.find((i: { kind: string }) => i.kind === 'test');
    expect((await t.inject('POST', `/api/v1/notifications/${n.id}/read`, supervisor.token)).statusCode).toBe(404);
    expect((await t.inject('POST', `/api/v1/notifications/${n.id}/read`, agent.token)).statusCode).toBe(204);
    const after = (await t.inject('GET', '/api/v1/notifications', agent.token)).json();
    expect(after.items.find((i: { id: string }) => i.id === n.id).readAt).not.toBeNull();
    expect((await t.inject('POST', '/api/v1/notifications/read-all', agent.token)).json().updated).toBeGreaterThanOrEqual(0);
  });

  it('delivers to a WeCom-format webhook on 127.0.0.1 and by email (log sender), honouring kinds', async () => {
    const received: { body: unknown; path: string }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let data = '';
      req.on('data', (c) => {
        data += c;
      });
      req.on('end', () => {
        received.push({ body: JSON.parse(data), path: req.url ?? '' });
        res.setHeader('content-type', 'application/json');
        res.end('{"errcode":0,"errmsg":"ok"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const put = await t.inject('PUT', '/api/v1/notifications/preferences', supervisor.token, {
        email: { enabled: true, address: 'zhuguan@example.com' },
        webhook: { enabled: true, url: `http://127.0.0.1:${port}/cgi-bin/webhook/send?key=abc`, format: 'wecom' },
        kinds: ['standard.escalated', 'test'],
      });
      expect(put.statusCode).toBe(200);
      expect(put.json()).toMatchObject({ inApp: true, email: { enabled: true }, webhook: { enabled: true, format: 'wecom' }, quietHours: null });
      const sentBefore = (getEmailSender() as LogEmailSender).sent.length;
      await t.inject('POST', '/api/v1/notifications/test', supervisor.token);
      await waitFor(() => received.length >= 1, 8000);
      expect(received[0]!.body).toEqual({ msgtype: 'text', text: { content: '【尺度】测试通知 / Test notification' } });
      expect(received[0]!.path).toBe('/cgi-bin/webhook/send?key=abc');
      await waitFor(() => (getEmailSender() as LogEmailSender).sent.length > sentBefore, 5000);
      expect((getEmailSender() as LogEmailSender).sent.at(-1)).toMatchObject({ to: 'zhuguan@example.com', subject: '[尺度] 测试通知 / Test notification' });
      const deliveries = await waitFor(async () => {
        const d = (await t.inject('GET', '/api/v1/notifications/deliveries', supervisor.token)).json().items;
        return d.filter((x: { state: string }) => x.state === 'sent').length >= 2 ? d : null;
      }, 5000);
      expect(deliveries.map((d: { channel: string }) => d.channel).sort()).toEqual(['email', 'webhook']);
      // A kind not in the list stays in-app only.
      await t.database.transaction(async (tx) => {
        await (await import('../src/lib/notify')).notify(tx, { recipientId: supervisor.staff.id, kind: 'ticket.assigned', title: '分派', data: {} });
      });
      await new Promise((r) => setTimeout(r, 1500));
      expect(received).toHaveLength(1);
      const badUrl = await t.inject('PUT', '/api/v1/notifications/preferences', supervisor.token, {
        webhook: { enabled: true, url: 'ftp://example.com/x', format: 'generic' },
      });
      expect(badUrl.json().errors[0].path).toBe('webhook.url');
      await t.inject('PUT', '/api/v1/notifications/preferences', supervisor.token, {
        email: { enabled: false, address: null },
        webhook: { enabled: false, url: null, format: 'generic' },
      });
    } finally {
      server.close();
    }
  });

  it('quiet hours defer external delivery to their end (wrapping midnight)', () => {
    const at = Date.parse('2025-10-09T15:00:00Z'); // 23:00 in Shanghai
    expect(afterQuietHours({ start: '22:00', end: '07:00', timeZone: 'Asia/Shanghai' }, at)).toBe(Date.parse('2025-10-09T23:00:00Z'));
    expect(afterQuietHours({ start: '12:00', end: '13:00', timeZone: 'Asia/Shanghai' }, at)).toBe(at);
    expect(afterQuietHours(null, at)).toBe(at);
  });

  it('WebSocket: refuses without a session; pushes events of watched tickets the user may see', async () => {
    const { WebSocket } = (await import(WS_MODULE)) as {
      WebSocket: new (u: string, o?: unknown) => { on(e: string, f: (...a: unknown[]) => void): void; send(s: string): void; close(): void };
    };
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/ws?token=not-a-real-token-at-all-xxxx`);
      ws.on('unexpected-response', (_req, res) => resolve((res as { statusCode: number }).statusCode));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(refused).toBe(401);
    const cross = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/ws`, {
        headers: { cookie: `chidu_session=${agent.token}`, origin: 'https://evil.example' },
      });
      ws.on('unexpected-response', (_req, res) => resolve((res as { statusCode: number }).statusCode));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(cross).toBe(403);

    const mine = await ticketRow(t.database, { ownerId: agent.staff.id, teamId });
    const other = await ticketRow(t.database, { ownerId: supervisor.staff.id, teamId: null });
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/ws`, { headers: { authorization: `Bearer ${agent.token}` } });
    const msgs: { type: string; [k: string]: unknown }[] = [];
    ws.on('message', (d) => msgs.push(JSON.parse(String(d))));
    await new Promise<void>((r) => ws.on('open', () => r()));
    ws.send(JSON.stringify({ type: 'watch', ticketIds: [mine.id, other.id] }));
    const watching = await waitFor(() => msgs.find((m) => m.type === 'watching'));
    expect(watching).toMatchObject({ ticketIds: [mine.id], refused: [other.id] });
    await event(t.database, mine, 'ticket.internal_note');
    await event(t.database, other, 'ticket.internal_note');
    const ev = await waitFor(() => msgs.find((m) => m.type === 'ticket.event'));
    expect(ev).toMatchObject({ ticketId: mine.id, kind: 'ticket.internal_note' });
    await new Promise((r) => setTimeout(r, 300));
    expect(msgs.filter((m) => m.type === 'ticket.event' && m.ticketId === other.id)).toHaveLength(0);
    // Visibility is checked when an event is pushed, not only when watching starts: a ticket moved to someone
    // outside the agent's reach stops reaching the agent's socket (issue #12).
    await event(t.database, mine, 'ticket.public_reply', { ownerId: supervisor.staff.id, teamId: null });
    await new Promise((r) => setTimeout(r, 400));
    expect(msgs.filter((m) => m.type === 'ticket.event' && m.ticketId === mine.id).map((m) => m.kind)).toEqual(['ticket.internal_note']);
    ws.send(JSON.stringify({ type: 'ping' }));
    await waitFor(() => msgs.find((m) => m.type === 'pong'));
    ws.close();
  });
});
