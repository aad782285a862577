import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from './harness';

/**
 * Issue #13 item 7 (the rest), seeds 001 and 000: a compensation counts as granted only once the customer accepted
 * it (staff record the answer with its channel, or the customer answers in the portal); the front desk grants a
 * routine small gift within its gift limit without approval, anything else goes to approval.
 */
let t: TestApp;
let teamId: string;
type Who = { staff: { id: string; name: string }; token: string };
let agent: Who;
let sup: Who;
let front: Who;
let admin: Who;

beforeAll(async () => {
  t = await testApp({ CHIDU_DEMO: '1' });
  teamId = (await t.team('客服中心一组')).id;
  agent = await t.as(['agent'], { teamId });
  sup = await t.as(['supervisor'], { teamId });
  front = await t.as(['frontdesk'], { teamId });
  admin = await t.as(['admin']);
});
afterAll(async () => t?.close());

const api = (m: 'GET' | 'POST' | 'PUT', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);
let phoneSeq = 0;
async function customerWithPortal() {
  const phone = `1390000${String(4000 + ++phoneSeq)}`;
  const c = await api('POST', '/customers', agent.token, { name: '钱先生', tier: 'regular', phone });
  expect(c.statusCode, c.body).toBe(201);
  const code = (await api('POST', '/portal/auth/code', undefined, { phone })).json().demoCode;
  const v = await api('POST', '/portal/auth/verify', undefined, { phone, code });
  expect(v.statusCode, v.body).toBe(200);
  return { customerId: c.json().id as string, token: v.json().token as string };
}
async function newTicket(customerId: string, token = agent.token) {
  const r = await api('POST', '/tickets', token, {
    customerId,
    type: 'complaint',
    channel: 'phone',
    priority: 'normal',
    subject: '维修迟到',
    description: '客户来电',
    ownerId: token === agent.token ? agent.staff.id : undefined,
    teamId,
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json().id as string;
}
const stats = async (customerId: string) => (await api('GET', `/customers/${customerId}/360`, sup.token)).json();

describe('a compensation counts as granted once the customer accepted it (seed 001)', () => {
  it('granted within the limit it is offered; staff record acceptance with the channel; only then it counts', async () => {
    const { customerId } = await customerWithPortal();
    const id = await newTicket(customerId);
    const g = await api('POST', `/tickets/${id}/compensations`, agent.token, { kind: 'coupon', amountFen: 8_000, reason: '上门迟到致歉' });
    expect(g.statusCode, g.body).toBe(201);
    expect(g.json()).toMatchObject({ state: 'granted', acceptance: 'offered' });
    const before = await stats(customerId);
    expect(before.stats.compensationFen).toBe(0);
    expect(before.compensations[0]).toMatchObject({ state: 'granted', acceptance: 'offered' });

    const bad = await api('POST', `/tickets/${id}/compensation-acceptances`, agent.token, {
      compensationId: g.json().id,
      decision: 'accepted',
      channel: 'pigeon',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('channel');
    const ok = await api('POST', `/tickets/${id}/compensation-acceptances`, agent.token, {
      compensationId: g.json().id,
      decision: 'accepted',
      channel: 'phone',
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ acceptance: 'accepted', acceptanceChannel: 'phone' });
    expect((await stats(customerId)).stats.compensationFen).toBe(8_000);

    const again = await api('POST', `/tickets/${id}/compensation-acceptances`, agent.token, {
      compensationId: g.json().id,
      decision: 'refused',
      channel: 'phone',
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().reason).toBe('compensation_answered');
    const tk = (await api('GET', `/tickets/${id}`, sup.token)).json();
    expect(tk.timeline.map((e: { kind: string }) => e.kind)).toContain('ticket.compensation_accepted');
    expect(tk.compensations[0]).toMatchObject({ acceptance: 'accepted' });
  });

  it('the customer accepts or refuses in the portal; a refused one never counts; a pending approval is not offered', async () => {
    const cust = await customerWithPortal();
    const id = await newTicket(cust.customerId);
    const a = (await api('POST', `/tickets/${id}/compensations`, agent.token, { kind: 'gift', amountFen: 3_000, reason: '赠送礼品' })).json();
    const b = (await api('POST', `/tickets/${id}/compensations`, agent.token, { kind: 'coupon', amountFen: 5_000, reason: '优惠券' })).json();
    const big = await api('POST', `/tickets/${id}/compensations`, agent.token, { kind: 'refund', amountFen: 90_000, reason: '退款' });
    expect(big.statusCode).toBe(403);

    const list = await api('GET', `/portal/tickets/${id}/compensations`, cust.token);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items.map((x: { id: string; acceptance: string }) => [x.id, x.acceptance])).toEqual([
      [a.id, 'offered'],
      [b.id, 'offered'],
    ]);
    const pending = big.json().compensationId as string;
    const notOffered = await api('POST', `/portal/tickets/${id}/compensation-acceptances`, cust.token, { compensationId: pending, decision: 'accepted' });
    expect(notOffered.statusCode).toBe(409);
    expect(notOffered.json().reason).toBe('compensation_not_offered');

    expect((await api('POST', `/portal/tickets/${id}/compensation-acceptances`, cust.token, { compensationId: a.id, decision: 'accepted' })).statusCode).toBe(
      200,
    );
    const r = await api('POST', `/portal/tickets/${id}/compensation-acceptances`, cust.token, { compensationId: b.id, decision: 'refused' });
    expect(r.json()).toMatchObject({ acceptance: 'refused', acceptanceChannel: 'portal' });
    expect((await stats(cust.customerId)).stats.compensationFen).toBe(3_000);

    // another customer cannot see the request, nor answer for it
    const other = await customerWithPortal();
    expect((await api('GET', `/portal/tickets/${id}/compensations`, other.token)).statusCode).toBe(404);
    expect((await api('POST', `/portal/tickets/${id}/compensation-acceptances`, other.token, { compensationId: a.id, decision: 'refused' })).statusCode).toBe(
      404,
    );
    // a compensation of another ticket is refused naming the field
    const id2 = await newTicket(cust.customerId);
    const wrong = await api('POST', `/tickets/${id2}/compensation-acceptances`, agent.token, { compensationId: a.id, decision: 'accepted', channel: 'phone' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('compensationId');

    // the approved one is offered in turn: the approval history counts only accepted compensations
    const approvals = (await api('GET', '/approvals?state=pending', sup.token)).json().items as { id: string; ticketId: string; customerHistory: unknown }[];
    const mine = approvals.find((x) => x.ticketId === id)!;
    expect(mine.customerHistory).toMatchObject({ compensations: 1, compensationTotalFen: 3_000 });
    const ap = await api('POST', `/approvals/${mine.id}/approve`, sup.token, { comment: '同意' });
    expect(ap.statusCode, ap.body).toBe(200);
    const offered = (await api('GET', `/portal/tickets/${id}/compensations`, cust.token)).json().items;
    expect(offered.find((x: { id: string }) => x.id === pending)).toMatchObject({ acceptance: 'offered' });
  });
});

describe('the front desk grants routine small gifts within its gift limit (seed 000)', () => {
  it('a ¥30 gift without approval, ¥200 goes to approval, a coupon always; the admin edits the limit', async () => {
    const { customerId } = await customerWithPortal();
    const id = await newTicket(customerId);
    expect((await api('GET', '/settings/front-desk-gifts', front.token)).json()).toEqual({ limitFen: 5_000, defaultFen: 5_000 });
    const small = await api('POST', `/tickets/${id}/compensations`, front.token, { kind: 'gift', amountFen: 3_000, reason: '赠送纸巾礼盒' });
    expect(small.statusCode, small.body).toBe(201);
    expect(small.json()).toMatchObject({ state: 'granted', acceptance: 'offered' });
    const big = await api('POST', `/tickets/${id}/compensations`, front.token, { kind: 'gift', amountFen: 20_000, reason: '赠送果篮' });
    expect(big.statusCode).toBe(403);
    expect(big.json()).toMatchObject({ code: 'approval_required', limitFen: 5_000 });
    const coupon = await api('POST', `/tickets/${id}/compensations`, front.token, { kind: 'coupon', amountFen: 1_000, reason: '优惠券' });
    expect(coupon.statusCode).toBe(403);
    expect(coupon.json()).toMatchObject({ code: 'approval_required', limitFen: 0 });
    // an agent's gift is under the agent's own limit, not the front-desk one
    expect((await api('POST', `/tickets/${id}/compensations`, agent.token, { kind: 'gift', amountFen: 15_000, reason: '礼品' })).statusCode).toBe(201);

    expect((await api('PUT', '/settings/front-desk-gifts', front.token, { limitFen: 100_000 })).statusCode).toBe(403);
    expect((await api('PUT', '/settings/front-desk-gifts', admin.token, { limitFen: -1 })).statusCode).toBe(400);
    const set = await api('PUT', '/settings/front-desk-gifts', admin.token, { limitFen: 30_000 });
    expect(set.statusCode, set.body).toBe(200);
    expect((await api('POST', `/tickets/${id}/compensations`, front.token, { kind: 'gift', amountFen: 20_000, reason: '赠送果篮' })).statusCode).toBe(201);
    await api('PUT', '/settings/front-desk-gifts', admin.token, { limitFen: 5_000 });
  });
});
