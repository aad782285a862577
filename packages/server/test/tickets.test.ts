import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from './harness';

let t: TestApp;
let teamA: string;
let agentA: { staff: { id: string }; token: string };
let customerId: string;
beforeAll(async () => {
  t = await testApp();
  teamA = (await t.team('客服一组')).id;
  agentA = await t.as(['agent'], { teamId: teamA });
  customerId = (await t.inject('POST', '/api/v1/customers', agentA.token, { name: '张先生', phone: '13800001111', tier: 'gold' })).json().id;
});
afterAll(async () => {
  await t?.close();
});

const create = (token: string, body: Record<string, unknown> = {}) =>
  t.inject('POST', '/api/v1/tickets', token, {
    customerId,
    type: 'repair',
    channel: 'phone',
    priority: 'normal',
    subject: '厨房水管漏水',
    description: '楼上漏水，天花板一直滴水',
    ...body,
  });

describe('tickets', () => {
  it('creates a phone ticket owned by the agent who took the call, with a readable number and a timeline', async () => {
    const res = await create(agentA.token, { callDurationSeconds: 95, ringCount: 2 });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.number).toMatch(/^GD\d{8}-\d{4,}$/);
    expect(body).toMatchObject({ status: 'assigned', ownerId: agentA.staff.id, teamId: teamA, standards: [] });
    const got = await t.inject('GET', `/api/v1/tickets/${body.id}`, agentA.token);
    expect(got.statusCode).toBe(200);
    const d = got.json();
    expect(d).toMatchObject({ subject: '厨房水管漏水', callDurationSeconds: 95, ringCount: 2, customerName: '张先生', ownerName: expect.any(String) });
    expect(d.timeline.map((e: { kind: string }) => e.kind)).toEqual(['ticket.created', 'ticket.assigned', 'ticket.status_changed']);
    expect(d.timeline[0]).toMatchObject({ actorId: agentA.staff.id, at: expect.stringMatching(/Z$/) });
  });

  it('walks reply → pending customer → customer reply resumes → resolve → reopen → resolve → close', async () => {
    const id = (await create(agentA.token)).json().id;
    const r1 = await t.inject('POST', `/api/v1/tickets/${id}/replies`, agentA.token, { body: '您好，师傅下午两点上门。', visibility: 'public' });
    expect(r1.statusCode).toBe(201);
    expect(r1.json().status).toBe('in_progress');
    await t.inject('POST', `/api/v1/tickets/${id}/replies`, agentA.token, { body: '内部：需要带防水胶', visibility: 'internal' });
    expect((await t.inject('POST', `/api/v1/tickets/${id}/status`, agentA.token, { status: 'pending_customer' })).json().status).toBe('pending_customer');
    const res = await t.inject('POST', `/api/v1/tickets/${id}/resolve`, agentA.token, { resolution: '已更换水管接头' });
    expect(res.json().status).toBe('resolved');
    expect((await t.inject('POST', `/api/v1/tickets/${id}/resolve`, agentA.token, { resolution: 'x' })).json().code).toBe('conflict');
    expect((await t.inject('POST', `/api/v1/tickets/${id}/reopen`, agentA.token, {})).json().status).toBe('in_progress');
    await t.inject('POST', `/api/v1/tickets/${id}/resolve`, agentA.token, { resolution: '复查无渗漏' });
    expect((await t.inject('POST', `/api/v1/tickets/${id}/close`, agentA.token)).json().status).toBe('closed');
    const d = (await t.inject('GET', `/api/v1/tickets/${id}`, agentA.token)).json();
    const kinds = d.timeline.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'ticket.first_public_reply',
        'ticket.public_reply',
        'ticket.internal_note',
        'ticket.resolved',
        'ticket.reopened',
        'ticket.closed',
      ]),
    );
    expect(kinds.filter((k: string) => k === 'ticket.first_public_reply')).toHaveLength(1);
    expect(d.reopenCount).toBe(1);
    expect(d.replies.map((r: { visibility: string }) => r.visibility)).toEqual(['public', 'internal']);
  });

  it('a portal-style ticket with no rule waits unassigned; the first agent to reply becomes its owner', async () => {
    const id = (await create(agentA.token, { channel: 'api' })).json().id;
    const d0 = (await t.inject('GET', `/api/v1/tickets/${id}`, agentA.token)).json();
    expect(d0.ownerId).toBeNull();
    expect(d0.status).toBe('new');
    const other = await t.as(['agent'], { teamId: teamA });
    const sup = await t.as(['supervisor']);
    const unassigned = await t.inject('GET', '/api/v1/tickets?unassigned=true&status=open', sup.token);
    expect(unassigned.json().items.map((i: { id: string }) => i.id)).toContain(id);
    // The creator (agentA) sees it; so does the supervisor; another team member does not until it is in their team.
    await t.inject('POST', `/api/v1/tickets/${id}/replies`, sup.token, { body: '已收到，我来处理', visibility: 'public' });
    const d1 = (await t.inject('GET', `/api/v1/tickets/${id}`, sup.token)).json();
    expect(d1.ownerId).toBe(sup.staff.id);
    expect(d1.timeline.map((e: { kind: string }) => e.kind)).toContain('ticket.taken');
    expect((await t.inject('GET', `/api/v1/tickets/${id}`, other.token)).statusCode).toBe(404);
  });

  it('an owner cannot be replaced by another agent through assign; a supervisor can reassign', async () => {
    const id = (await create(agentA.token)).json().id;
    const other = await t.as(['agent'], { teamId: teamA });
    const grab = await t.inject('POST', `/api/v1/tickets/${id}/assign`, other.token, { ownerId: other.staff.id });
    expect(grab.statusCode).toBe(403);
    const sup = await t.as(['supervisor']);
    const re = await t.inject('POST', `/api/v1/tickets/${id}/assign`, sup.token, { ownerId: other.staff.id, reason: '调整负载' });
    expect(re.statusCode).toBe(200);
    expect(re.json().ownerId).toBe(other.staff.id);
  });

  it('validates the contract fields and names every bad one', async () => {
    const res = await t.inject('POST', '/api/v1/tickets', agentA.token, { customerId: 'x', type: 'rant', channel: 'fax', priority: 'asap', subject: '' });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['channel', 'customerId', 'priority', 'subject', 'type']);
    const nf = await create(agentA.token, { customerId: '01900000-0000-7000-8000-000000000000' });
    expect(nf.statusCode).toBe(400);
    expect(nf.json().errors[0].path).toBe('customerId');
  });

  it('lists the queue with filters and a cursor', async () => {
    for (let i = 0; i < 3; i++) await create(agentA.token, { subject: `队列测试${i}`, priority: i === 0 ? 'urgent' : 'normal' });
    const mine = await t.inject('GET', `/api/v1/tickets?ownerId=me&q=${encodeURIComponent('队列测试')}&limit=2`, agentA.token);
    expect(mine.json().items).toHaveLength(2);
    expect(mine.json().items[0].subject).toBe('队列测试2');
    const next = await t.inject('GET', `/api/v1/tickets?ownerId=me&q=${encodeURIComponent('队列测试')}&limit=2&cursor=${mine.json().nextCursor}`, agentA.token);
    expect(next.json().items.map((i: { subject: string }) => i.subject)).toEqual(['队列测试0']);
    const urgent = await t.inject('GET', `/api/v1/tickets?priority=urgent&q=${encodeURIComponent('队列测试')}`, agentA.token);
    expect(urgent.json().items).toHaveLength(1);
    const bad = await t.inject('GET', '/api/v1/tickets?ownerId=bob', agentA.token);
    expect(bad.statusCode).toBe(400);
  });

  it('replays a create with the same Idempotency-Key', async () => {
    const a = await create(agentA.token, {}).then(() =>
      t.inject('POST', '/api/v1/tickets', agentA.token, { customerId, type: 'inquiry', channel: 'api', subject: '幂等' }, { 'idempotency-key': 'tk-1' }),
    );
    const b = await t.inject(
      'POST',
      '/api/v1/tickets',
      agentA.token,
      { customerId, type: 'inquiry', channel: 'api', subject: '幂等' },
      { 'idempotency-key': 'tk-1' },
    );
    expect(a.statusCode).toBe(201);
    expect(b.json().id).toBe(a.json().id);
  });
});

describe('inbound chat webhook', () => {
  it('opens a ticket for a signed message, continues the same conversation, and refuses a bad signature', async () => {
    const { createHmac } = await import('node:crypto');
    const t2 = await testApp({ CHIDU_WEBHOOK_SECRET: 'a-long-test-secret-123' });
    try {
      const sign = (b: unknown) => `sha256=${createHmac('sha256', 'a-long-test-secret-123').update(JSON.stringify(b)).digest('hex')}`;
      const msg = { conversationId: 'c-1', customer: { name: '微信访客', phone: '13800002222' }, text: '你好，我家电梯坏了' };
      const a = await t2.app.inject({ method: 'POST', url: '/api/v1/inbound/chat', payload: msg, headers: { 'x-chidu-signature': sign(msg) } });
      expect(a.statusCode).toBe(201);
      const follow = { ...msg, text: '已经困了十分钟' };
      const b = await t2.app.inject({ method: 'POST', url: '/api/v1/inbound/chat', payload: follow, headers: { 'x-chidu-signature': sign(follow) } });
      expect(b.statusCode).toBe(200);
      expect(b.json().ticketId).toBe(a.json().ticketId);
      const bad = await t2.app.inject({ method: 'POST', url: '/api/v1/inbound/chat', payload: msg, headers: { 'x-chidu-signature': 'sha256=00' } });
      expect(bad.statusCode).toBe(403);
      const sup = await t2.as(['supervisor']);
      const d = (await t2.inject('GET', `/api/v1/tickets/${a.json().ticketId}`, sup.token)).json();
      expect(d.channel).toBe('chat');
      expect(d.timeline.map((e: { kind: string }) => e.kind)).toContain('ticket.customer_reply');
    } finally {
      await t2.close();
    }
    const off = await t.app.inject({ method: 'POST', url: '/api/v1/inbound/chat', payload: {} });
    expect(off.statusCode).toBe(403);
  });

  it('with Prefer: respond-async answers 202 at once and the inbound worker makes the ticket and replies in order per conversation', async () => {
    const { createHmac } = await import('node:crypto');
    const { drainInbound } = await import('../src/modules/channels/channels.inbound');
    const t2 = await testApp({ CHIDU_WEBHOOK_SECRET: 'a-long-test-secret-123' });
    try {
      const sign = (b: unknown) => `sha256=${createHmac('sha256', 'a-long-test-secret-123').update(JSON.stringify(b)).digest('hex')}`;
      const post = (b: Record<string, unknown>, prefer = 'respond-async') =>
        t2.app.inject({ method: 'POST', url: '/api/v1/inbound/chat', payload: b, headers: { 'x-chidu-signature': sign(b), prefer } });
      const texts = ['第一句：楼下在装修', '第二句：噪音很大', '第三句：已经持续一周'];
      const answers = [];
      for (const text of texts) answers.push(await post({ conversationId: 'async-1', customer: { name: '异步访客', phone: '13800003333' }, text }));
      for (const a of answers) {
        expect(a.statusCode).toBe(202);
        expect(a.headers['preference-applied']).toBe('respond-async');
        expect(a.json()).toMatchObject({ accepted: true, id: expect.any(String) });
      }
      // Bad input and a bad signature are refused before anything is queued.
      const bad = await post({ conversationId: '', customer: { name: 'x' }, text: 'y' });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('conversationId');
      const forged = await t2.app.inject({
        method: 'POST',
        url: '/api/v1/inbound/chat',
        payload: { conversationId: 'async-1', customer: { name: 'x' }, text: 'z' },
        headers: { 'x-chidu-signature': 'sha256=00', prefer: 'respond-async' },
      });
      expect(forged.statusCode).toBe(403);
      await drainInbound(t2.database);
      const sup = await t2.as(['supervisor']);
      const list = (await t2.inject('GET', '/api/v1/tickets?channel=chat', sup.token)).json();
      const mine = list.items.filter((x: { subject: string }) => x.subject.startsWith('第一句'));
      expect(mine).toHaveLength(1);
      const d = (await t2.inject('GET', `/api/v1/tickets/${mine[0].id}`, sup.token)).json();
      const replies = d.timeline.filter((e: { kind: string }) => e.kind === 'ticket.customer_reply');
      expect(replies).toHaveLength(2);
      // Without the header the answer is still the ticket (the synchronous contract).
      const sync = await post({ conversationId: 'async-1', customer: { name: '异步访客' }, text: '第四句' }, '');
      expect(sync.statusCode).toBe(200);
      expect(sync.json().ticketId).toBe(mine[0].id);
    } finally {
      await t2.close();
    }
  });
});
