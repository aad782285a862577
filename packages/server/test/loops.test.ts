import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanReactivation } from '../src/modules/loops/care';
import { testApp, type TestApp } from './harness';

let t: TestApp;
let admin: string;
let teamId: string;
let agent: { staff: { id: string }; token: string };
let other: { staff: { id: string }; token: string };
let sup: { staff: { id: string }; token: string };
let director: { staff: { id: string }; token: string };

beforeAll(async () => {
  t = await testApp();
  admin = (await t.as(['admin'])).token;
  teamId = (await t.team('投诉处理组')).id;
  agent = await t.as(['agent'], { teamId });
  other = await t.as(['agent'], { teamId });
  sup = await t.as(['supervisor'], { teamId });
  director = await t.as(['director']);
});
afterAll(async () => {
  await t?.close();
});

const newCustomer = async (name = '赵女士') => (await t.inject('POST', '/api/v1/customers', agent.token, { name, tier: 'regular' })).json().id as string;
const newTicket = async (customerId: string, body: Record<string, unknown> = {}) => {
  const r = await t.inject('POST', '/api/v1/tickets', agent.token, {
    customerId,
    type: 'complaint',
    channel: 'phone',
    priority: 'normal',
    subject: '物业费账单多收',
    description: '10 月已缴费仍显示欠费',
    ...body,
  });
  expect(r.statusCode).toBe(201);
  return r.json().id as string;
};
const kinds = async (id: string) => ((await t.inject('GET', `/api/v1/tickets/${id}`, agent.token)).json().timeline as { kind: string }[]).map((e) => e.kind);
const step = (id: string, s: string, evidence: string, extra: Record<string, unknown> = {}) =>
  t.inject('POST', `/api/v1/tickets/${id}/complaint/steps`, agent.token, { step: s, evidence, ...extra });

describe('complaint loop (6 steps)', () => {
  it('refuses to resolve or close a complaint with a step missing; steps go in order; each is on the timeline', async () => {
    const id = await newTicket(await newCustomer());
    const loop = await t.inject('GET', `/api/v1/tickets/${id}/complaint`, agent.token);
    expect(loop.statusCode).toBe(200);
    expect(loop.json()).toMatchObject({ nextStep: 'listen', missingForResolve: ['listen', 'empathise', 'confirm', 'resolve'] });

    const early = await t.inject('POST', `/api/v1/tickets/${id}/resolve`, agent.token, { resolution: '已退费' });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: 'complaint_steps_missing', missingSteps: ['listen', 'empathise', 'confirm', 'resolve'] });

    const skip = await step(id, 'confirm', '多收 10 月物业费 320 元');
    expect(skip.statusCode).toBe(409);
    expect(skip.json().missingSteps).toEqual(['listen', 'empathise']);
    expect((await step(id, 'listen', '')).statusCode).toBe(400);

    expect((await step(id, 'listen', '客户说 10 月已在 APP 缴费，账单仍显示欠费，情绪激动')).statusCode).toBe(200);
    expect((await step(id, 'empathise', '向客户致歉，理解其被误催缴的不满')).statusCode).toBe(200);
    expect((await step(id, 'confirm', '确认问题：10 月缴费未入账，导致账单多收 320 元')).statusCode).toBe(200);
    const partial = await t.inject('POST', `/api/v1/tickets/${id}/resolve`, agent.token, { resolution: 'x' });
    expect(partial.json().missingSteps).toEqual(['resolve']);
    expect((await step(id, 'resolve', '财务补登入账，撤销欠费，短信告知客户')).statusCode).toBe(200);
    // seed 001: the customer chose one of the 2–3 solutions offered (modules/process, std-process.test.ts)
    const offer = { options: ['退还多收的 320 元', '抵扣下月物业费'], chosen: 0 };
    expect((await t.inject('POST', `/api/v1/tickets/${id}/solution-options`, agent.token, offer)).statusCode).toBe(200);
    expect((await t.inject('POST', `/api/v1/tickets/${id}/resolve`, agent.token, { resolution: '已补登入账' })).statusCode).toBe(200);

    const close = await t.inject('POST', `/api/v1/tickets/${id}/close`, agent.token);
    expect(close.statusCode).toBe(409);
    expect(close.json().missingSteps).toEqual(['revisit', 'feedback']);
    expect((await step(id, 'revisit', '次日回访，客户确认账单已更正', { satisfied: true })).statusCode).toBe(200);
    expect((await t.inject('POST', `/api/v1/tickets/${id}/close`, agent.token)).json().missingSteps).toEqual(['feedback']);

    const std = await t.inject('POST', '/api/v1/standards', admin, {
      code: 'PAY-SYNC',
      name: 'APP 缴费当日入账',
      encounter: '收费',
      kind: 'hard',
      measure: 'operating_data',
      target: 0.99,
    });
    const fb = await t.inject('POST', `/api/v1/tickets/${id}/complaint/steps`, sup.token, {
      step: 'feedback',
      evidence: '缴费接口对账延迟，建议每日自动对账',
      improvement: { standardId: std.json().id, cause: 'APP 缴费与账单系统对账延迟', change: '上线每日自动对账', ownerId: sup.staff.id, dueDate: '2026-12-31' },
    });
    expect(fb.statusCode).toBe(200);
    expect(fb.json().improvementActionId).toBeTruthy();
    expect(fb.json().missingForClose).toEqual([]);
    const imps = await t.inject('GET', `/api/v1/standards/${std.json().id}/improvements`, sup.token);
    expect(imps.json().items.map((i: { id: string }) => i.id)).toContain(fb.json().improvementActionId);

    expect((await t.inject('POST', `/api/v1/tickets/${id}/close`, agent.token)).statusCode).toBe(200);
    // a closed complaint takes no more steps (a stable reason the web app translates)
    expect((await step(id, 'feedback', '再补一条')).json()).toMatchObject({ code: 'conflict', reason: 'complaint_closed' });
    const k = await kinds(id);
    for (const e of [
      'complaint.listened',
      'complaint.empathised',
      'complaint.confirmed',
      'complaint.resolved',
      'complaint.revisited',
      'complaint.feedback',
      'ticket.closed',
    ])
      expect(k).toContain(e);
    // closing the complaint triggers no survey by default (the default template fires on ticket.resolved only)
    expect(k.filter((x) => x === 'survey.sent')).toHaveLength(1);
  });

  it('a serious complaint escalates to management at once; the board shows complaints by step', async () => {
    const id = await newTicket(await newCustomer('钱先生'), { subject: '保安推搡业主' });
    const r = await t.inject('PATCH', `/api/v1/tickets/${id}/complaint`, agent.token, {
      category: '服务态度',
      responsibility: 'ours',
      severity: 'serious',
      rootCause: '培训不足',
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().escalatedAt).toBeTruthy();
    const notes = (await t.inject('GET', '/api/v1/notifications', director.token)).json().items as { kind: string; ticketId: string }[];
    expect(notes.filter((n) => n.kind === 'complaint.escalated' && n.ticketId === id)).toHaveLength(1);
    await t.inject('PATCH', `/api/v1/tickets/${id}/complaint`, agent.token, { severity: 'serious', rootCause: '培训不足，排班过长' });
    expect(
      ((await t.inject('GET', '/api/v1/notifications', director.token)).json().items as { kind: string; ticketId: string }[]).filter(
        (n) => n.kind === 'complaint.escalated' && n.ticketId === id,
      ),
    ).toHaveLength(1);
    expect(await kinds(id)).toEqual(expect.arrayContaining(['complaint.classified', 'complaint.escalated']));
    const board = await t.inject('GET', '/api/v1/complaints', sup.token);
    const item = board.json().items.find((i: { ticketId: string }) => i.ticketId === id);
    expect(item).toMatchObject({ nextStep: 'listen', severity: 'serious' });
    expect((await t.inject('PATCH', `/api/v1/tickets/${id}/complaint`, agent.token, { severity: 'catastrophic' })).statusCode).toBe(400);
  });
});

describe('loop steps carry their own standards', () => {
  it('a "resolve the complaint same day" style standard stops on complaint.resolved; care contacts stop the 3-cycle care standard', async () => {
    const std = await t.inject('POST', '/api/v1/standards', admin, {
      code: 'COMPLAINT-RESOLVE-2H',
      name: '投诉 2 小时内给出解决方案',
      encounter: '投诉处理',
      kind: 'hard',
      start: 'ticket.created',
      stop: 'complaint.resolved',
      limitSeconds: 7200,
      calendarId: null,
      target: 0.9,
      appliesTo: { types: ['complaint'] },
    });
    expect(std.statusCode).toBe(201);
    const id = await newTicket(await newCustomer('冯先生'));
    for (const [s, e] of [
      ['listen', '客户陈述'],
      ['empathise', '致歉'],
      ['confirm', '确认问题'],
      ['resolve', '退还多收费用'],
    ])
      expect((await step(id, s!, e!)).statusCode).toBe(200);
    const clocks = (await t.inject('GET', `/api/v1/tickets/${id}`, agent.token)).json().standards as { code: string; state: string }[];
    expect(clocks.find((c) => c.code === 'COMPLAINT-RESOLVE-2H')?.state).toBe('met');
    await t.inject('PATCH', `/api/v1/standards/${std.json().id}`, admin, { active: false });

    const care = await t.inject('POST', '/api/v1/standards/templates/after-sales-care-3x/adopt', admin, {});
    expect(care.statusCode).toBe(201);
    const customerId = await newCustomer('陈女士');
    const tk = await newTicket(customerId, { type: 'after_sales', subject: '空调售后', description: '制冷效果差' });
    await t.inject('POST', `/api/v1/tickets/${tk}/resolve`, agent.token, { resolution: '补充冷媒' });
    const tasks = (await t.inject('GET', '/api/v1/care-tasks?kind=care', agent.token)).json().items.filter((x: { ticketId: string }) => x.ticketId === tk);
    expect(tasks).toHaveLength(3);
    await t.inject('POST', `/api/v1/care-tasks/${tasks[0].id}/complete`, agent.token, { result: 'reached', outcome: '制冷正常' });
    const cyc = ((await t.inject('GET', `/api/v1/tickets/${tk}`, agent.token)).json().standards as { code: string; state: string; cycle: number }[]).filter(
      (c) => c.code === 'AFTERSALES-CARE',
    );
    expect(cyc.map((c) => [c.cycle, c.state])).toEqual([
      [1, 'met'],
      [2, 'running'],
    ]);
    await t.inject('PATCH', `/api/v1/standards/${care.json().id}`, admin, { active: false });
  });
});

describe('after-sales care', () => {
  it('plans 3 care contacts; a new problem inside the guarantee window reopens the original with raised priority', async () => {
    const customerId = await newCustomer('孙先生');
    const id = await newTicket(customerId, { type: 'repair', subject: '热水器不出热水', description: '打不着火' });
    expect((await t.inject('POST', `/api/v1/tickets/${id}/resolve`, agent.token, { resolution: '更换点火器' })).statusCode).toBe(200);
    const tasks = (await t.inject('GET', '/api/v1/care-tasks?kind=care', agent.token)).json().items.filter((x: { ticketId: string }) => x.ticketId === id);
    expect(tasks.map((x: { seq: number }) => x.seq)).toEqual([1, 2, 3]);
    expect(tasks.every((x: { ownerId: string }) => x.ownerId === agent.staff.id)).toBe(true);
    expect(await kinds(id)).toContain('care.planned');

    // other agents don't see them; the owner completes the first
    expect(
      (await t.inject('GET', '/api/v1/care-tasks?kind=care', other.token)).json().items.filter((x: { ticketId: string }) => x.ticketId === id),
    ).toHaveLength(0);
    expect((await t.inject('POST', `/api/v1/care-tasks/${tasks[0].id}/complete`, other.token, { result: 'reached', outcome: '使用正常' })).statusCode).toBe(
      403,
    );
    const done = await t.inject('POST', `/api/v1/care-tasks/${tasks[0].id}/complete`, agent.token, { result: 'reached', outcome: '客户反馈使用正常' });
    expect(done.statusCode).toBe(200);
    expect(done.json().state).toBe('done');
    expect(await kinds(id)).toEqual(expect.arrayContaining(['ticket.revisited', 'care.contacted']));
    expect((await t.inject('POST', `/api/v1/care-tasks/${tasks[0].id}/complete`, agent.token, { result: 'reached', outcome: 'x' })).statusCode).toBe(409);
    expect((await t.inject('POST', `/api/v1/care-tasks/${tasks[0].id}/complete`, agent.token, { result: 'reached', outcome: 'x' })).json()).toMatchObject({
      code: 'conflict',
      reason: 'care_task_not_pending',
    });

    const again = await newTicket(customerId, { type: 'repair', subject: '热水器又不出热水了', description: '同样的问题' });
    const orig = (await t.inject('GET', `/api/v1/tickets/${id}`, agent.token)).json();
    expect(orig.status).toBe('in_progress');
    expect(orig.priority).toBe('high');
    expect(orig.timeline.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining(['ticket.reopened', 'care.guarantee_reopened', 'ticket.priority_changed']),
    );
    expect(orig.timeline.find((e: { kind: string }) => e.kind === 'care.guarantee_reopened').data.newTicketId).toBe(again);
    const left = (await t.inject('GET', '/api/v1/care-tasks?kind=care&state=pending', agent.token))
      .json()
      .items.filter((x: { ticketId: string }) => x.ticketId === id);
    expect(left).toHaveLength(0);
  });

  it('outside the guarantee window a new ticket does not reopen the original', async () => {
    const customerId = await newCustomer('周女士');
    const id = await newTicket(customerId, { type: 'repair', subject: '门锁坏了', description: '钥匙拧不动' });
    await t.inject('POST', `/api/v1/tickets/${id}/resolve`, agent.token, { resolution: '更换锁芯' });
    await t.database.db.execute(sql`UPDATE care_plans SET guarantee_until = now() - interval '1 hour' WHERE ticket_id = ${id}`);
    await newTicket(customerId, { type: 'inquiry', subject: '咨询', description: '物业电话' });
    expect((await t.inject('GET', `/api/v1/tickets/${id}`, agent.token)).json().status).toBe('resolved');
  });
});

describe('silent-customer reactivation', () => {
  it('starts a 4-touch sequence for a customer silent for N days, once; it stops when the customer responds', async () => {
    const customerId = await newCustomer('吴先生');
    const id = await newTicket(customerId, { type: 'inquiry', subject: '咨询装修', description: '装修押金' });
    await t.database.db.execute(sql`UPDATE tickets SET created_at = now() - interval '200 days', updated_at = now() - interval '200 days' WHERE id = ${id}`);
    const started = await scanReactivation(t.database);
    expect(started).toBeGreaterThanOrEqual(1);
    expect(await scanReactivation(t.database)).toBe(0);
    const runs = (await t.inject('GET', `/api/v1/customers/${customerId}/reactivation`, agent.token)).json().items;
    expect(runs).toHaveLength(1);
    expect(runs[0].state).toBe('active');
    expect(runs[0].tasks.map((x: { seq: number; ownerId: string }) => [x.seq, x.ownerId])).toEqual([1, 2, 3, 4].map((n) => [n, agent.staff.id]));
    // one touch without answer, then the customer calls in
    expect(
      (await t.inject('POST', `/api/v1/care-tasks/${runs[0].tasks[0].id}/complete`, agent.token, { result: 'no_answer', outcome: '电话未接通' })).statusCode,
    ).toBe(200);
    await newTicket(customerId, { type: 'inquiry', subject: '再次咨询', description: '想续约' });
    const after = (await t.inject('GET', `/api/v1/customers/${customerId}/reactivation`, agent.token)).json().items[0];
    expect(after).toMatchObject({ state: 'stopped', stoppedReason: 'new_ticket' });
    expect(after.tasks.map((x: { state: string }) => x.state)).toEqual(['done', 'cancelled', 'cancelled', 'cancelled']);
    const c360 = (await t.inject('GET', `/api/v1/customers/${customerId}/360`, agent.token)).json();
    expect(c360.timeline.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['reactivation.started', 'reactivation.stopped']));
  });

  it('two scanners at once start one sequence per customer', async () => {
    const customerId = await newCustomer('郑女士');
    const id = await newTicket(customerId, { type: 'inquiry', subject: '咨询', description: '停车' });
    await t.database.db.execute(sql`UPDATE tickets SET created_at = now() - interval '300 days', updated_at = now() - interval '300 days' WHERE id = ${id}`);
    await Promise.all([scanReactivation(t.database), scanReactivation(t.database)]);
    const rows = await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM reactivation_runs WHERE customer_id = ${customerId}`);
    expect(rows[0]!.n).toBe(1);
    const tasks = await t.database.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM care_tasks WHERE customer_id = ${customerId} AND kind = 'reactivation'`,
    );
    expect(tasks[0]!.n).toBe(4);
  });
});
