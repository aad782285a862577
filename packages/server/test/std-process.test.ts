import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from './harness';

/**
 * Issue #13 item 7, the process requirements of the sources: a transfer or handover records its reason (seed 000),
 * a complaint records the 2–3 solutions offered and the customer's choice before it is resolved (seed 001).
 */
let t: TestApp;
let teamId: string;
let otherTeamId: string;
type Who = { staff: { id: string; name: string }; token: string };
let agent: Who;
let mate: Who;
let sup: Who;
let far: Who;

beforeAll(async () => {
  t = await testApp();
  teamId = (await t.team('客服中心一组')).id;
  otherTeamId = (await t.team('工程维修组')).id;
  agent = await t.as(['agent'], { teamId });
  mate = await t.as(['agent'], { teamId });
  sup = await t.as(['supervisor'], { teamId });
  far = await t.as(['agent'], { teamId: otherTeamId });
});
afterAll(async () => t?.close());

const api = (m: 'GET' | 'POST', url: string, token: string, body?: unknown, headers?: Record<string, string>) =>
  t.inject(m, `/api/v1${url}`, token, body, headers);
const newTicket = async (type: string) => {
  const c = await api('POST', '/customers', agent.token, { name: '赵女士', tier: 'regular' });
  const r = await api('POST', '/tickets', agent.token, {
    customerId: c.json().id,
    type,
    channel: 'phone',
    priority: 'normal',
    subject: type === 'complaint' ? '物业费账单多收' : '门禁卡失灵',
    description: '客户来电',
  });
  expect(r.statusCode).toBe(201);
  return r.json().id as string;
};
type Ev = { kind: string; data: Record<string, unknown> };
const timeline = async (id: string, token = sup.token, headers?: Record<string, string>) =>
  (await api('GET', `/tickets/${id}`, token, undefined, headers)).json().timeline as Ev[];

describe('transfers and handovers state their reason', () => {
  it('a first assignment needs none; a move from one agent or team to another needs a reason naming `reason`', async () => {
    const id = await newTicket('inquiry');
    expect((await api('POST', `/tickets/${id}/assign`, sup.token, { ownerId: agent.staff.id, teamId })).statusCode).toBe(200);

    const bare = await api('POST', `/tickets/${id}/assign`, sup.token, { ownerId: mate.staff.id });
    expect(bare.statusCode).toBe(400);
    expect(bare.json().errors.map((e: { path: string }) => e.path)).toContain('reason');
    const otherNoText = await api('POST', `/tickets/${id}/assign`, sup.token, { ownerId: mate.staff.id, reasonKind: 'other' });
    expect(otherNoText.statusCode).toBe(400);
    expect(otherNoText.body).toContain('reason');
    const badKind = await api('POST', `/tickets/${id}/assign`, sup.token, { ownerId: mate.staff.id, reasonKind: 'bored' });
    expect(badKind.statusCode).toBe(400);
    expect(badKind.body).toContain('reasonKind');

    const moved = await api('POST', `/tickets/${id}/assign`, sup.token, { ownerId: mate.staff.id, reasonKind: 'specialist', reason: '需要水电工判断' });
    expect(moved.statusCode).toBe(200);
    const tl = await timeline(id);
    const assigned = tl.filter((e) => e.kind === 'ticket.assigned').at(-1)!;
    expect(assigned.data).toMatchObject({ reasonKind: 'specialist', reason: '需专业处理：需要水电工判断', previousOwnerId: agent.staff.id });
    const transfer = tl.find((e) => e.kind === 'ticket.owner_transferred')!;
    expect(transfer.data).toMatchObject({ from: agent.staff.id, to: mate.staff.id, reasonKind: 'specialist' });
    // the stored reason renders in the reader's language
    const en = await timeline(id, sup.token, { 'accept-language': 'en' });
    expect(en.filter((e) => e.kind === 'ticket.assigned').at(-1)!.data.reason).toBe('Needs a specialist: 需要水电工判断');

    // free text alone is a reason (kind "other"); a move to another team records it on the team transfer too
    const toTeam = await api('POST', `/tickets/${id}/assign`, sup.token, { ownerId: far.staff.id, teamId: otherTeamId, reason: '业主要求维修组直接联系' });
    expect(toTeam.statusCode).toBe(200);
    const tl2 = await timeline(id);
    expect(tl2.find((e) => e.kind === 'ticket.team_transferred')!.data).toMatchObject({ reasonKind: 'other', reason: '其他：业主要求维修组直接联系' });
    expect(tl2.filter((e) => e.kind === 'ticket.owner_transferred')).toHaveLength(1);
  });

  it('a handover carries its reason (交接班 unless said otherwise) onto the request, the confirmation and the timeline', async () => {
    const id = await newTicket('inquiry');
    await api('POST', `/tickets/${id}/assign`, sup.token, { ownerId: agent.staff.id, teamId });
    const body = { toStaffId: mate.staff.id, situation: '门禁卡失灵', need: '补卡', done: '已登记', pending: '制卡', expectation: '今天拿到', cautions: '无' };
    const other = await api('POST', `/tickets/${id}/handovers`, agent.token, { ...body, reasonKind: 'other' });
    expect(other.statusCode).toBe(400);
    expect(other.body).toContain('reasonNote');
    const h = await api('POST', `/tickets/${id}/handovers`, agent.token, { ...body, reasonKind: 'customer_request', reasonNote: '客户希望女客服跟进' });
    expect(h.statusCode).toBe(201);
    expect(h.json()).toMatchObject({ reasonKind: 'customer_request', reason: '客户要求：客户希望女客服跟进' });
    expect((await api('POST', `/handovers/${h.json().id}/confirm`, mate.token, { note: '已了解' })).statusCode).toBe(200);
    const tl = await timeline(id);
    expect(tl.find((e) => e.kind === 'ticket.handover_requested')!.data).toMatchObject({
      reasonKind: 'customer_request',
      reason: '客户要求：客户希望女客服跟进',
    });
    expect(tl.find((e) => e.kind === 'ticket.handover_confirmed')!.data).toMatchObject({ reasonKind: 'customer_request' });

    const id2 = await newTicket('inquiry');
    await api('POST', `/tickets/${id2}/assign`, sup.token, { ownerId: agent.staff.id, teamId });
    const shift = await api('POST', `/tickets/${id2}/handovers`, agent.token, body);
    expect(shift.json()).toMatchObject({ reasonKind: 'shift_handover', reason: '交接班' });
  });
});

describe('complaint solution options (seed 001)', () => {
  const steps = async (id: string) => {
    for (const [step, evidence] of [
      ['listen', '客户说 10 月已缴费仍被催缴'],
      ['empathise', '向客户致歉'],
      ['confirm', '确认 10 月缴费未入账'],
      ['resolve', '财务补登入账'],
    ])
      expect((await api('POST', `/tickets/${id}/complaint/steps`, agent.token, { step, evidence })).statusCode).toBe(200);
  };

  it('refuses to resolve a complaint until 2–3 options were offered and the customer chose one', async () => {
    const id = await newTicket('complaint');
    await api('POST', `/tickets/${id}/assign`, sup.token, { ownerId: agent.staff.id, teamId });
    await steps(id);
    const before = await api('GET', `/tickets/${id}/solution-options`, agent.token);
    expect(before.json()).toEqual({ required: true, complete: false, offer: null });
    const early = await api('POST', `/tickets/${id}/resolve`, agent.token, { resolution: '已补登入账' });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ reason: 'complaint_options_missing', offered: false });

    const one = await api('POST', `/tickets/${id}/solution-options`, agent.token, { options: ['退还 320 元'] });
    expect(one.statusCode).toBe(400);
    expect(one.body).toContain('options');
    const four = await api('POST', `/tickets/${id}/solution-options`, agent.token, { options: ['a', 'b', 'c', 'd'] });
    expect(four.statusCode).toBe(400);
    const outOfRange = await api('POST', `/tickets/${id}/solution-options`, agent.token, { options: ['a', 'b'], chosen: 2 });
    expect(outOfRange.statusCode).toBe(400);
    expect(outOfRange.body).toContain('chosen');
    expect((await api('POST', `/tickets/${id}/solution-options/choice`, agent.token, { chosen: 0 })).json()).toMatchObject({
      reason: 'solution_options_not_offered',
    });

    const options = ['退还多收的 320 元', '抵扣下月物业费 320 元', '抵扣 320 元并赠送一次家政保洁'];
    const offered = await api('POST', `/tickets/${id}/solution-options`, agent.token, { options });
    expect(offered.statusCode).toBe(200);
    expect(offered.json()).toMatchObject({ required: true, complete: false, offer: { options, chosen: null, offeredByName: agent.staff.name } });
    const notChosen = await api('POST', `/tickets/${id}/resolve`, agent.token, { resolution: '已补登入账' });
    expect(notChosen.json()).toMatchObject({ reason: 'complaint_options_missing', offered: true });
    expect((await api('POST', `/tickets/${id}/solution-options/choice`, agent.token, { chosen: 3 })).statusCode).toBe(400);

    const chose = await api('POST', `/tickets/${id}/solution-options/choice`, agent.token, { chosen: 1 });
    expect(chose.statusCode).toBe(200);
    expect(chose.json()).toMatchObject({ complete: true, offer: { chosen: 1, chosenByName: agent.staff.name } });
    expect((await api('POST', `/tickets/${id}/resolve`, agent.token, { resolution: '已补登入账，抵扣下月物业费' })).statusCode).toBe(200);

    const tl = await timeline(id);
    expect(tl.find((e) => e.kind === 'ticket.solution_options_offered')!.data).toMatchObject({ options, chosen: null });
    expect(tl.find((e) => e.kind === 'ticket.solution_chosen')!.data).toMatchObject({ chosen: 1, option: options[1] });
    expect((await t.auditRows('ticket.solution_chosen')).length).toBeGreaterThan(0);
  });

  it('offers with the choice at once; only on complaints; only on tickets the caller sees', async () => {
    const id = await newTicket('complaint');
    await api('POST', `/tickets/${id}/assign`, sup.token, { ownerId: agent.staff.id, teamId });
    const r = await api('POST', `/tickets/${id}/solution-options`, agent.token, { options: ['上门维修', '更换新门禁卡'], chosen: 0 });
    expect(r.json()).toMatchObject({ complete: true, offer: { chosen: 0 } });
    const inquiry = await newTicket('inquiry');
    const notComplaint = await api('POST', `/tickets/${inquiry}/solution-options`, agent.token, { options: ['a', 'b'] });
    expect(notComplaint.statusCode).toBe(400);
    expect(notComplaint.body).toContain('id');
    expect((await api('GET', `/tickets/${inquiry}/solution-options`, agent.token)).json()).toMatchObject({ required: false, offer: null });
    // another team's agent does not see this ticket
    expect((await api('GET', `/tickets/${id}/solution-options`, far.token)).statusCode).toBe(404);
    expect((await api('POST', `/tickets/${id}/solution-options`, far.token, { options: ['a', 'b'] })).statusCode).toBe(404);
  });
});
