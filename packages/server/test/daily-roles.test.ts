/**
 * Issue #18 items 4, 5 and 10: home counters by role (counted by hand on a scripted set), the role queues' filters
 * (breached / at risk, nearest deadline first), approval numbers and details, dispatch reasons in zh-CN and en, and
 * audit labels for targets other than staff, customers, tickets and teams.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/lib/ids';
import { testApp, type TestApp } from './harness';

let t: TestApp;
let admin: string;
let teamA: string;
let teamB: string;
let agentA: { staff: { id: string; name: string; employeeNo: string }; token: string };
let agentA2: { staff: { id: string }; token: string };
let agentB: { staff: { id: string }; token: string };
let supA: { staff: { id: string }; token: string };
let director: { staff: { id: string }; token: string };
let qa: { staff: { id: string }; token: string };
let customerId: string;

const ids: Record<string, string> = {};

async function ticket(token: string, subject: string, body: Record<string, unknown> = {}) {
  const res = await t.inject('POST', '/api/v1/tickets', token, { customerId, type: 'repair', channel: 'phone', subject, ...body });
  expect(res.statusCode).toBe(201);
  return res.json<{ id: string; number: string }>();
}

/** A clock on a ticket: running and due in `dueInSeconds` (negative: overdue), or breached. */
async function clock(ticketId: string, state: 'running' | 'breached', dueInSeconds: number) {
  await t.database.db.execute(sql`INSERT INTO standard_instances (id, standard_id, version_id, code, ticket_id, state, started_at, limit_ms, due_at)
    VALUES (${uuidv7()}, ${uuidv7()}, ${uuidv7()}, 'TEST', ${ticketId}, ${state}, now() - interval '1 hour', 3600000, now() + ${dueInSeconds}::int * interval '1 second')`);
}

beforeAll(async () => {
  t = await testApp();
  admin = (await t.as(['admin'])).token;
  teamA = (await t.team('客服一组')).id;
  teamB = (await t.team('客服二组')).id;
  agentA = await t.as(['agent'], { teamId: teamA });
  agentA2 = await t.as(['agent'], { teamId: teamA });
  agentB = await t.as(['agent'], { teamId: teamB });
  supA = await t.as(['supervisor'], { teamId: teamA });
  director = await t.as(['director']);
  qa = await t.as(['qa']);
  customerId = (await t.inject('POST', '/api/v1/customers', agentA.token, { name: '张先生', tier: 'gold' })).json().id;

  // The scripted set (phone tickets are owned by their creator, in the creator's team):
  //   agentA:  a1 breached, a2 due in 10 min, a3 waiting for the customer, a4 resolved (not open), a5 plain
  //   agentA2: a6 due in 2 h (not due soon), a7 breached (running past its deadline)
  //   agentB:  b1 breached, b2 due in 20 min
  for (const [k, who] of [
    ['a1', agentA],
    ['a2', agentA],
    ['a3', agentA],
    ['a4', agentA],
    ['a5', agentA],
    ['a6', agentA2],
    ['a7', agentA2],
    ['b1', agentB],
    ['b2', agentB],
  ] as const) {
    ids[k] = (await ticket(who.token, `工单${k}`)).id;
  }
  await clock(ids.a1!, 'breached', -600);
  await clock(ids.a2!, 'running', 600);
  await clock(ids.a6!, 'running', 7200);
  await clock(ids.a7!, 'running', -60);
  await clock(ids.b1!, 'breached', -3000);
  await clock(ids.b2!, 'running', 1200);
  expect((await t.inject('POST', `/api/v1/tickets/${ids.a3}/status`, agentA.token, { status: 'pending_customer' })).statusCode).toBe(200);
  expect((await t.inject('POST', `/api/v1/tickets/${ids.a4}/resolve`, agentA.token, { resolution: '已修好' })).statusCode).toBe(200);
});
afterAll(async () => {
  await t?.close();
});

describe('home counters by role (GET /tickets/counts)', () => {
  it('agent: own open tickets; supervisor: the team; director and QA: every team — equal to the hand count', async () => {
    const get = async (token: string) => {
      const res = await t.inject('GET', '/api/v1/tickets/counts', token);
      expect(res.statusCode).toBe(200);
      return res.json();
    };
    // agentA owns a1 a2 a3 a5 open (a4 resolved): breached a1, due soon a2, awaiting a3
    expect(await get(agentA.token)).toMatchObject({ scope: 'mine', open: 4, dueSoon: 1, breached: 1, awaitingCustomer: 1, teamId: null });
    // team A: a1 a2 a3 a5 a6 a7 open; breached a1 a7; due soon a2 (a6 is 2 h away)
    expect(await get(supA.token)).toMatchObject({ scope: 'team', teamId: teamA, teamName: '客服一组', open: 6, dueSoon: 1, breached: 2, awaitingCustomer: 1 });
    // all: + b1 b2; breached a1 a7 b1; due soon a2 b2
    const all = { scope: 'all', open: 8, dueSoon: 2, breached: 3, awaitingCustomer: 1 };
    expect(await get(director.token)).toMatchObject(all);
    expect(await get(qa.token)).toMatchObject(all);
    expect(await get(admin)).toMatchObject(all);
  });

  it('each counter matches its ticket list filter', async () => {
    const list = async (token: string, q: string) => {
      const res = await t.inject('GET', `/api/v1/tickets?${q}`, token);
      expect(res.statusCode).toBe(200);
      return (res.json().items as { id: string }[]).map((i) => i.id).sort();
    };
    const sorted = (...k: string[]) => k.map((x) => ids[x]!).sort();
    expect(await list(agentA.token, 'ownerId=me&status=open&risk=breached')).toEqual(sorted('a1'));
    expect(await list(supA.token, 'teamId=mine&status=open&risk=breached')).toEqual(sorted('a1', 'a7'));
    expect(await list(supA.token, 'teamId=mine&status=open&risk=at_risk')).toEqual(sorted('a2'));
    expect(await list(director.token, 'status=open&risk=attention')).toEqual(sorted('a1', 'a2', 'a7', 'b1', 'b2'));
    expect(await list(director.token, 'status=pending_customer')).toEqual(sorted('a3'));
  });

  it('sort=due: nearest deadline first (overdue first, tickets without a clock last), paged by offset', async () => {
    const res = await t.inject('GET', '/api/v1/tickets?teamId=mine&status=open&sort=due&limit=4', supA.token);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items.map((i: { id: string }) => i.id)).toEqual([ids.a1, ids.a7, ids.a2, ids.a6]);
    expect(body.nextOffset).toBe(4);
    const next = (await t.inject('GET', '/api/v1/tickets?teamId=mine&status=open&sort=due&limit=4&offset=4', supA.token)).json();
    expect(next.items.map((i: { id: string }) => i.id).sort()).toEqual([ids.a3, ids.a5].sort());
    expect(next.nextOffset).toBeNull();
    const bad = await t.inject('GET', `/api/v1/tickets?sort=due&cursor=${ids.a1}`, supA.token);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('cursor');
    expect((await t.inject('GET', '/api/v1/tickets?risk=soon', supA.token)).statusCode).toBe(400);
  });
});

describe('approvals show what the approver needs (number, reason, ticket, customer history, limits, names)', () => {
  it('numbers approvals SP<date>-NNNN and lists every detail', async () => {
    const tk = await ticket(agentA.token, '阳台漏水泡坏地板');
    // history of the customer: one granted compensation (within the agent's ¥200, accepted) and one earlier approval
    const granted = await t.inject('POST', `/api/v1/tickets/${tk.id}/compensations`, agentA.token, {
      kind: 'coupon',
      amountFen: 10_000,
      reason: '上门迟到致歉',
    });
    expect(granted.statusCode).toBe(201);
    const answer = { compensationId: granted.json().id, decision: 'accepted', channel: 'phone' };
    expect((await t.inject('POST', `/api/v1/tickets/${tk.id}/compensation-acceptances`, agentA.token, answer)).statusCode).toBe(200);
    const first = await t.inject('POST', `/api/v1/tickets/${tk.id}/compensations`, agentA.token, { kind: 'gift', amountFen: 30_000, reason: '赠送清洁服务' });
    expect(first.json().code).toBe('approval_required');
    const big = await t.inject('POST', `/api/v1/tickets/${tk.id}/compensations`, agentA.token, { kind: 'refund', amountFen: 50_000, reason: '地板更换费用' });
    expect(big.statusCode).toBe(403);
    const approvalId = big.json().approvalId;

    const items = (await t.inject('GET', '/api/v1/approvals?state=pending', supA.token)).json().items as Record<string, unknown>[];
    const a = items.find((i) => i.id === approvalId)!;
    const earlier = items.find((i) => i.id === first.json().approvalId)!;
    expect(a.number).toMatch(/^SP\d{8}-\d{4}$/);
    expect(Number(String(a.number).slice(-4))).toBe(Number(String(earlier.number).slice(-4)) + 1);
    expect(a).toMatchObject({
      kind: 'compensation',
      compensationKind: 'refund',
      reason: '地板更换费用',
      amountFen: 50_000,
      ticketId: tk.id,
      ticketNumber: tk.number,
      ticketSubject: '阳台漏水泡坏地板',
      customerId,
      customerName: '张先生',
      customerTier: 'gold',
      customerHistory: { compensations: 1, compensationTotalFen: 10_000, approvals: 1 },
      requestedById: agentA.staff.id,
      requestedByName: agentA.staff.name,
      requestedByEmployeeNo: agentA.staff.employeeNo,
      requesterLimitFen: 20_000,
      approverLimitFen: 200_000,
      canDecide: true,
    });

    const decided = await t.inject('POST', `/api/v1/approvals/${approvalId}/approve`, supA.token, { comment: '同意' });
    expect(decided.statusCode).toBe(200);
    expect(decided.json()).toMatchObject({ number: a.number, state: 'approved', reason: '地板更换费用', requestedByName: agentA.staff.name, canDecide: false });

    // the audit trail names the approval by its number
    const audit = (await t.inject('GET', `/api/v1/audit?targetType=approval&targetId=${approvalId}`, admin)).json();
    expect(audit.items[0].targetLabel).toBe(a.number);
  });
});

describe('dispatch reasons name values by their labels', () => {
  it('renders 类型=报修 in zh-CN and type=repair in English, and the category by name', async () => {
    const catRes = await t.inject('POST', '/api/v1/categories', admin, { name: '水电维修' });
    expect(catRes.statusCode).toBe(201);
    const categoryId = catRes.json().id;
    await t.as(['agent'], { teamId: teamB });
    const rule = await t.inject('POST', '/api/v1/dispatch/rules', admin, {
      name: '报修到二组',
      conditions: { types: ['repair'], priorities: ['urgent'], categoryIds: [categoryId] },
      teamId: teamB,
    });
    expect(rule.statusCode).toBe(201);
    const body = { customerId, type: 'repair', channel: 'portal', priority: 'urgent', categoryId };
    const zh = await t.inject('POST', '/api/v1/dispatch/dry-run', admin, body, { 'accept-language': 'zh-CN' });
    expect(zh.statusCode).toBe(200);
    expect(zh.json().reason).toContain('类型=报修');
    expect(zh.json().reason).toContain('优先级=紧急');
    expect(zh.json().reason).toContain('分类=水电维修');
    expect(zh.json().reason).not.toMatch(/repair|urgent|[0-9a-f]{8}-[0-9a-f]{4}/);
    const en = await t.inject('POST', '/api/v1/dispatch/dry-run', admin, body, { 'accept-language': 'en' });
    expect(en.json().reason).toContain('type=repair');
    expect(en.json().reason).toContain('priority=urgent');
    // a stored reason (on the ticket's assigned event) follows the reader's language too
    const created = await t.inject('POST', '/api/v1/tickets', agentA.token, { ...body, subject: '卫生间跳闸' });
    const tl = (await t.inject('GET', `/api/v1/tickets/${created.json().id}`, admin, undefined, { 'accept-language': 'zh-CN' })).json().timeline;
    expect(tl.find((e: { kind: string }) => e.kind === 'ticket.assigned').data.reason).toContain('类型=报修');

    const audit = (await t.inject('GET', `/api/v1/audit?targetType=dispatch_rule&targetId=${rule.json().id}`, admin)).json();
    expect(audit.items[0].targetLabel).toBe('报修到二组');
    const cat = (await t.inject('GET', `/api/v1/audit?targetType=category&targetId=${categoryId}`, admin)).json();
    expect(cat.items[0].targetLabel).toBe('水电维修');
  });

  it('audit labels a role target by its name in the reader language', async () => {
    expect((await t.inject('PATCH', '/api/v1/roles/qa', admin, { requireTotp: true })).statusCode).toBe(200);
    const zh = (await t.inject('GET', '/api/v1/audit?targetType=role', admin, undefined, { 'accept-language': 'zh-CN' })).json();
    expect(zh.items[0].targetLabel).toBe('质检员');
  });
});
