import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from './harness';

let t: TestApp;
let admin: string;
let teamA: string;
let vipTeam: string;
let owner: { staff: { id: string }; token: string };
let peer: { staff: { id: string }; token: string };
let sup: { staff: { id: string }; token: string };
let customerId: string;
beforeAll(async () => {
  t = await testApp();
  admin = (await t.as(['admin'])).token;
  teamA = (await t.team('客服一组')).id;
  vipTeam = (await t.team('VIP专属组')).id;
  owner = await t.as(['agent'], { teamId: teamA });
  peer = await t.as(['agent'], { teamId: teamA });
  sup = await t.as(['supervisor'], { teamId: teamA });
  customerId = (await t.inject('POST', '/api/v1/customers', owner.token, { name: '李女士', tier: 'regular' })).json().id;
});
afterAll(async () => {
  await t?.close();
});

const newTicket = async (token = owner.token, body: Record<string, unknown> = {}) =>
  (
    await t.inject('POST', '/api/v1/tickets', token, {
      customerId,
      type: 'complaint',
      channel: 'phone',
      subject: '物业费账单有误',
      description: '多收了一个月',
      ...body,
    })
  ).json();

const handoverBody = (to: string) => ({
  toStaffId: to,
  situation: '老业主，情绪激动',
  need: '核对物业费',
  done: '已调取缴费记录',
  pending: '财务确认',
  expectation: '今天给答复',
  cautions: '不要在电话里提滞纳金',
});

describe('handover (服务交接)', () => {
  it('leaves ownership unchanged until the receiver confirms; only the receiver can confirm', async () => {
    const tk = await newTicket();
    const h = await t.inject('POST', `/api/v1/tickets/${tk.id}/handovers`, owner.token, handoverBody(peer.staff.id));
    expect(h.statusCode).toBe(201);
    expect(h.json()).toMatchObject({ state: 'pending', toStaffId: peer.staff.id });
    const hid = h.json().id;
    expect((await t.inject('GET', `/api/v1/tickets/${tk.id}`, owner.token)).json().ownerId).toBe(owner.staff.id);
    // visible to both and their supervisor
    for (const who of [owner, peer, sup]) {
      const list = await t.inject('GET', '/api/v1/handovers?state=pending', who.token);
      expect(list.json().items.map((i: { id: string }) => i.id)).toContain(hid);
    }
    expect((await t.inject('POST', `/api/v1/handovers/${hid}/confirm`, owner.token, {})).statusCode).toBe(403);
    expect((await t.inject('POST', `/api/v1/handovers/${hid}/confirm`, sup.token, {})).statusCode).toBe(403);
    expect((await t.inject('POST', `/api/v1/tickets/${tk.id}/handovers`, owner.token, handoverBody(sup.staff.id))).json().code).toBe('conflict');
    const ok = await t.inject('POST', `/api/v1/handovers/${hid}/confirm`, peer.token, { note: '已了解' });
    expect(ok.json().state).toBe('confirmed');
    const d = (await t.inject('GET', `/api/v1/tickets/${tk.id}`, peer.token)).json();
    expect(d.ownerId).toBe(peer.staff.id);
    expect(d.timeline.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['ticket.handover_requested', 'ticket.handover_confirmed']));
    expect((await t.inject('POST', `/api/v1/handovers/${hid}/confirm`, peer.token, {})).json().code).toBe('conflict');
  });

  it('a declined handover keeps the owner; a non-owner agent cannot hand over', async () => {
    const tk = await newTicket();
    expect((await t.inject('POST', `/api/v1/tickets/${tk.id}/handovers`, peer.token, handoverBody(sup.staff.id))).statusCode).toBe(403);
    const hid = (await t.inject('POST', `/api/v1/tickets/${tk.id}/handovers`, owner.token, handoverBody(peer.staff.id))).json().id;
    expect((await t.inject('POST', `/api/v1/handovers/${hid}/decline`, peer.token, { note: '不熟悉物业费' })).json().state).toBe('declined');
    expect((await t.inject('GET', `/api/v1/tickets/${tk.id}`, owner.token)).json().ownerId).toBe(owner.staff.id);
    const bad = await t.inject('POST', `/api/v1/tickets/${tk.id}/handovers`, owner.token, { toStaffId: peer.staff.id });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['situation', 'need', 'done', 'pending', 'expectation']));
  });
});

describe('compensation (补偿)', () => {
  it('grants within the agent limit (¥200), refuses above with approval_required, and goes through after a covering approval', async () => {
    const tk = await newTicket();
    const small = await t.inject('POST', `/api/v1/tickets/${tk.id}/compensations`, owner.token, { kind: 'coupon', amountFen: 20_000, reason: '账单错误致歉' });
    expect(small.statusCode).toBe(201);
    expect(small.json().state).toBe('granted');
    const big = await t.inject('POST', `/api/v1/tickets/${tk.id}/compensations`, owner.token, { kind: 'refund', amountFen: 150_000, reason: '退还多收物业费' });
    expect(big.statusCode).toBe(403);
    expect(big.json().code).toBe('approval_required');
    const approvalId = big.json().approvalId;
    expect(approvalId).toMatch(/^[0-9a-f-]{36}$/);
    // The requester and an agent cannot approve; a supervisor (¥2,000) can.
    expect((await t.inject('POST', `/api/v1/approvals/${approvalId}/approve`, owner.token, { comment: '自批' })).statusCode).toBe(403);
    expect((await t.inject('POST', `/api/v1/approvals/${approvalId}/approve`, peer.token, { comment: '' })).statusCode).toBe(403);
    const pending = await t.inject('GET', '/api/v1/approvals?state=pending', sup.token);
    expect(pending.json().items.find((a: { id: string }) => a.id === approvalId).canDecide).toBe(true);
    const ok = await t.inject('POST', `/api/v1/approvals/${approvalId}/approve`, sup.token, { comment: '核实属实，同意退款' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().state).toBe('approved');
    const d = (await t.inject('GET', `/api/v1/tickets/${tk.id}`, owner.token)).json();
    expect(d.compensations.map((c: { state: string }) => c.state).sort()).toEqual(['granted', 'granted']);
    expect(d.timeline.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['ticket.compensation_requested', 'ticket.compensation_granted']));
  });

  it('a supervisor cannot approve above their own limit; a director can', async () => {
    const tk = await newTicket();
    const big = await t.inject('POST', `/api/v1/tickets/${tk.id}/compensations`, owner.token, { kind: 'refund', amountFen: 500_000, reason: '重大损失' });
    const approvalId = big.json().approvalId;
    expect((await t.inject('POST', `/api/v1/approvals/${approvalId}/approve`, sup.token, { comment: '' })).statusCode).toBe(403);
    const director = await t.as(['director']);
    expect((await t.inject('POST', `/api/v1/approvals/${approvalId}/reject`, director.token, { comment: '证据不足' })).json().state).toBe('rejected');
  });
});

describe('dispatch (智能分派)', () => {
  it('routes diamond customers to the VIP team round-robin, skipping staff off duty, and explains itself', async () => {
    const v1 = await t.as(['agent'], { teamId: vipTeam });
    const v2 = await t.as(['agent'], { teamId: vipTeam });
    const v3 = await t.as(['agent'], { teamId: vipTeam });
    await t.inject('POST', '/api/v1/me/duty', v3.token, { onDuty: false });
    const rule = await t.inject('POST', '/api/v1/dispatch/rules', admin, { name: '钻石客户专属', conditions: { tiers: ['diamond'] }, teamId: vipTeam });
    expect(rule.statusCode).toBe(201);
    const vip = (await t.inject('POST', '/api/v1/customers', owner.token, { name: '赵总', tier: 'diamond', vip: true })).json().id;
    const dry = await t.inject('POST', '/api/v1/dispatch/dry-run', owner.token, { customerId: vip, type: 'inquiry', channel: 'portal' });
    expect(dry.statusCode).toBe(200);
    expect(dry.json().ruleName).toBe('钻石客户专属');
    expect(dry.json().candidates.find((c: { staffId: string }) => c.staffId === v3.staff.id)).toMatchObject({ eligible: false, onDuty: false });
    const owners: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await t.inject('POST', '/api/v1/tickets', owner.token, { customerId: vip, type: 'inquiry', channel: 'api', subject: `咨询${i}` });
      expect(res.json().dispatch.reason).toContain('钻石客户专属');
      owners.push(res.json().ownerId);
    }
    expect(owners[0]).not.toBe(owners[1]);
    expect(new Set(owners)).toEqual(new Set([v1.staff.id, v2.staff.id]));
    expect(owners[2]).toBe(owners[0]);
    // A regular customer does not match the rule and stays unassigned.
    const plain = await t.inject('POST', '/api/v1/tickets', owner.token, { customerId, type: 'inquiry', channel: 'api', subject: '普通咨询' });
    expect(plain.json()).toMatchObject({ ownerId: null, status: 'new' });
    const d = (
      await t.inject('GET', `/api/v1/tickets/${(await t.inject('GET', `/api/v1/tickets?ownerId=${v1.staff.id}`, admin)).json().items[0].id}`, admin)
    ).json();
    expect(d.timeline.find((e: { kind: string }) => e.kind === 'ticket.assigned').data).toMatchObject({ auto: true, reason: expect.stringContaining('轮询') });
    expect((await t.inject('POST', '/api/v1/dispatch/rules', owner.token, { name: 'x', teamId: vipTeam })).statusCode).toBe(403);
  });

  it('takes round-robin turns atomically: concurrent creates spread evenly over the eligible members', async () => {
    const team = (await t.inject('POST', '/api/v1/teams', admin, { name: `并发轮询组${Date.now()}` })).json().id;
    const members = [await t.as(['agent'], { teamId: team }), await t.as(['agent'], { teamId: team }), await t.as(['agent'], { teamId: team })];
    await t.inject('POST', '/api/v1/dispatch/rules', admin, { name: '并发轮询', conditions: { tiers: ['silver'] }, teamId: team });
    const silver = (await t.inject('POST', '/api/v1/customers', owner.token, { name: '钱女士', tier: 'silver' })).json().id;
    const res = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        t.inject('POST', '/api/v1/tickets', owner.token, { customerId: silver, type: 'inquiry', channel: 'api', subject: `并发${i}` }),
      ),
    );
    const count = new Map<string, number>();
    for (const r of res) {
      expect(r.statusCode).toBe(201);
      count.set(r.json().ownerId, (count.get(r.json().ownerId) ?? 0) + 1);
    }
    expect([...count.keys()].sort()).toEqual(members.map((m) => m.staff.id).sort());
    expect([...count.values()]).toEqual([4, 4, 4]);
  });
});

describe('orders, links, merge, bulk', () => {
  it('a confirmed order changes only after a supervisor approves the change request', async () => {
    const tk = await newTicket(owner.token, { type: 'order', subject: '订购桶装水', orderLines: [{ item: '桶装水', spec: '18.9L', quantity: 2 }] });
    expect((await t.inject('POST', `/api/v1/tickets/${tk.id}/order/confirm`, owner.token)).statusCode).toBe(200);
    expect((await t.inject('PUT', `/api/v1/tickets/${tk.id}/order-lines`, owner.token, { lines: [{ item: '桶装水', quantity: 5 }] })).json().code).toBe(
      'conflict',
    );
    const ch = await t.inject('POST', `/api/v1/tickets/${tk.id}/order/changes`, owner.token, {
      lines: [{ item: '桶装水', spec: '18.9L', quantity: 3 }],
      reason: '客户来电加一桶',
    });
    expect(ch.statusCode).toBe(201);
    expect((await t.inject('GET', `/api/v1/tickets/${tk.id}`, owner.token)).json().orderLines[0].quantity).toBe(2);
    expect((await t.inject('POST', `/api/v1/approvals/${ch.json().approvalId}/approve`, peer.token, { comment: '' })).statusCode).toBe(403);
    expect((await t.inject('POST', `/api/v1/approvals/${ch.json().approvalId}/approve`, sup.token, { comment: '同意' })).statusCode).toBe(200);
    expect((await t.inject('GET', `/api/v1/tickets/${tk.id}`, owner.token)).json().orderLines[0].quantity).toBe(3);
  });

  it('merges a duplicate into the original and bulk-updates priority with per-ticket results', async () => {
    const a = await newTicket();
    const b = await newTicket();
    const m = await t.inject('POST', `/api/v1/tickets/${b.id}/merge`, owner.token, { intoId: a.id });
    expect(m.json()).toMatchObject({ status: 'closed', mergedIntoId: a.id });
    const da = (await t.inject('GET', `/api/v1/tickets/${a.id}`, owner.token)).json();
    expect(da.links).toEqual([expect.objectContaining({ otherId: b.id, kind: 'duplicate' })]);
    const c = await newTicket();
    const bulk = await t.inject('POST', '/api/v1/tickets/bulk', owner.token, {
      ids: [a.id, c.id, '01900000-0000-7000-8000-000000000000'],
      action: 'priority',
      priority: 'high',
    });
    expect(bulk.json()).toMatchObject({ succeeded: 2, failed: 1 });
    expect((await t.inject('GET', `/api/v1/tickets/${c.id}`, owner.token)).json().priority).toBe('high');
  });
});
