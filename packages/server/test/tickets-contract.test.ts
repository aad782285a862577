import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from './harness';
import { deactivateAll, standard } from './standards-helpers';
import { onTicketEvent, TICKET_EVENT_KINDS } from '../src/modules/tickets/ticket-events';
import { ticketsMessages } from '../src/modules/tickets/tickets.messages';
import { CLOCK_EVENT_KINDS } from '../src/modules/tickets/ticket-event-kinds';
import { KNOWN_CLOCK_EVENTS } from '../src/modules/standards/definition';
import { TicketPage } from '../src/modules/tickets/tickets.schema';
import { compiledSerializerCompiler } from '../src/http/serialize';
import { standardsForTickets } from '../src/modules/standards/standards.repo';

// Drifts fixed in #17: the queue's 即将超时 tab (dueWithinSeconds), the clocks of queue rows, texts in the reader's
// language, and stable reasons for refusals that depend on a ticket's state.
let t: TestApp;
let admin: string;
let team: string;
let agent: { staff: { id: string }; token: string };
let peer: { staff: { id: string }; token: string };
let customerId: string;
beforeAll(async () => {
  t = await testApp();
  admin = (await t.as(['admin'])).token;
  team = (await t.team('客服一组')).id;
  agent = await t.as(['agent'], { teamId: team });
  peer = await t.as(['agent'], { teamId: team });
  customerId = (await t.inject('POST', '/api/v1/customers', agent.token, { name: '王先生', tier: 'regular' })).json().id;
});
afterAll(async () => {
  await t?.close();
});

const create = async (body: Record<string, unknown> = {}, headers: Record<string, string> = {}) => {
  const res = await t.inject(
    'POST',
    '/api/v1/tickets',
    agent.token,
    {
      customerId,
      type: 'repair',
      channel: 'phone',
      subject: '门锁坏了',
      description: '',
      ...body,
    },
    headers,
  );
  expect(res.statusCode).toBe(201);
  return res.json<{ id: string; dispatch: { reason: string } | null }>();
};
const ids = (res: { json(): { items: { id: string }[] } }) => res.json().items.map((i) => i.id);

describe('one list of event kinds, one bundle of texts', () => {
  it('every kind has a title in both languages; both languages have the same keys; standards read the same list', () => {
    for (const locale of ['zh-CN', 'en'] as const) {
      for (const kind of TICKET_EVENT_KINDS) expect(ticketsMessages[locale][`tickets.event.${kind}`], `${locale} ${kind}`).toBeTruthy();
    }
    expect(Object.keys(ticketsMessages.en).sort()).toEqual(Object.keys(ticketsMessages['zh-CN']).sort());
    expect(TICKET_EVENT_KINDS).toContain('ticket.revisited');
    expect(KNOWN_CLOCK_EVENTS).toBe(CLOCK_EVENT_KINDS);
    expect(KNOWN_CLOCK_EVENTS).toContain('ticket.revisited');
    expect(KNOWN_CLOCK_EVENTS).not.toContain('standard.breached');
  });
});

describe('consumers take only the kinds they declare', () => {
  it('a consumer of ticket.resolved sees no other kind, per event and in a batch', async () => {
    const seen: string[] = [];
    const batches: string[][] = [];
    onTicketEvent(
      'test.kinds',
      (_tx, _ctx, _t, ev) => {
        seen.push(ev.kind);
        return Promise.resolve();
      },
      (_tx, items) => {
        batches.push(items.map((i) => i.event.kind));
        return Promise.resolve();
      },
      ['ticket.resolved'],
    );
    const { id } = await create();
    expect((await t.inject('POST', `/api/v1/tickets/${id}/resolve`, agent.token, { resolution: '好了' })).statusCode).toBe(200);
    expect([...seen, ...batches.flat()]).toEqual(['ticket.resolved']);
    onTicketEvent('test.kinds', () => Promise.resolve(), undefined, []);
  });
});

describe('the queue: due soon and clocks', () => {
  it('dueWithinSeconds lists only tickets with a running clock due within the window; rows carry their clocks', async () => {
    await deactivateAll(t.database);
    await standard(t, admin, {
      code: 'DUE-30M',
      name: '30 分钟响应',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 1800,
      calendarId: null,
      appliesTo: { types: ['repair'] },
    });
    await standard(t, admin, {
      code: 'DUE-2H',
      name: '2 小时响应',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 7200,
      calendarId: null,
      appliesTo: { types: ['complaint'] },
    });
    // A customer of its own: the other tests' tickets stay out of these lists.
    const own = (await t.inject('POST', '/api/v1/customers', agent.token, { name: '赵女士', tier: 'regular' })).json().id as string;
    const soon = await create({ type: 'repair', customerId: own });
    const later = await create({ type: 'complaint', customerId: own });
    const none = await create({ type: 'inquiry', customerId: own });
    const met = await create({ type: 'repair', customerId: own });
    // A reply stops the clock (met): no longer due.
    expect((await t.inject('POST', `/api/v1/tickets/${met.id}/replies`, agent.token, { body: '已联系', visibility: 'public' })).statusCode).toBe(201);

    const hour = await t.inject('GET', `/api/v1/tickets?customerId=${own}&status=open&dueWithinSeconds=3600`, agent.token);
    expect(hour.statusCode).toBe(200);
    expect(ids(hour)).toEqual([soon.id]);
    const three = ids(await t.inject('GET', `/api/v1/tickets?customerId=${own}&status=open&dueWithinSeconds=10800`, agent.token));
    expect(three).toHaveLength(2);
    expect(three).toEqual(expect.arrayContaining([soon.id, later.id]));
    expect(three).not.toContain(none.id);
    expect(three).not.toContain(met.id);
    // Combined with a status that excludes them: nothing.
    expect(ids(await t.inject('GET', `/api/v1/tickets?customerId=${own}&status=resolved&dueWithinSeconds=10800`, agent.token))).toEqual([]);
    // Out of range values are refused, not dropped.
    expect((await t.inject('GET', '/api/v1/tickets?dueWithinSeconds=0', agent.token)).statusCode).toBe(400);

    // Every queue row carries its clocks (the web's clock column).
    const all = (await t.inject('GET', `/api/v1/tickets?customerId=${own}&status=open`, agent.token)).json().items as {
      id: string;
      standards: { code: string; state: string; dueAt: string | null }[];
    }[];
    const row = (id: string) => all.find((i) => i.id === id)!;
    expect(row(soon.id).standards).toEqual([expect.objectContaining({ code: 'DUE-30M', state: 'running', dueAt: expect.any(String) })]);
    expect(Date.parse(row(soon.id).standards[0]!.dueAt!) - Date.now()).toBeLessThanOrEqual(1800_000);
    expect(row(later.id).standards).toEqual([expect.objectContaining({ code: 'DUE-2H', state: 'running' })]);
    expect(row(none.id).standards).toEqual([]);
    await deactivateAll(t.database);
  });

  it('the queue is written by a compiled serializer: the same JSON as the zod serializer wrote', async () => {
    await deactivateAll(t.database);
    await standard(t, admin, {
      code: 'SER-30M',
      name: '30 分钟响应',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 1800,
      calendarId: null,
      appliesTo: { types: ['repair'] },
    });
    const own = (await t.inject('POST', '/api/v1/customers', agent.token, { name: '钱先生', tier: 'gold' })).json().id as string;
    const repair = await create({ type: 'repair', customerId: own, tags: ['漏水'] });
    await create({ type: 'inquiry', customerId: own });
    // The page reads its clocks in its own query: the same clocks as the clocks query gives (remainingSeconds ticks).
    const listed = (await t.inject('GET', `/api/v1/tickets?customerId=${own}`, agent.token)).json().items.find((i: { id: string }) => i.id === repair.id);
    const direct = (await standardsForTickets(t.database.db, [repair.id], { live: true })).get(repair.id)!;
    const steady = (c: { remainingSeconds?: number | null }) => ({ ...c, remainingSeconds: null });
    expect(direct).toHaveLength(1);
    expect(listed.standards.map(steady)).toEqual(direct.map(steady));
    expect(Math.abs(listed.standards[0].remainingSeconds - direct[0]!.remainingSeconds!)).toBeLessThanOrEqual(2);
    const zodJson = (body: unknown) => JSON.stringify(TicketPage.parse(body));
    for (const q of [`customerId=${own}`, `customerId=${own}&limit=1`, `customerId=${own}&sort=due`]) {
      const res = await t.inject('GET', `/api/v1/tickets?${q}`, agent.token);
      expect(res.statusCode).toBe(200);
      expect(res.json().items.length).toBeGreaterThan(0);
      expect(res.body, q).toBe(zodJson(res.json()));
    }
    // Properties the schema does not declare are left out, as zod left them out; absent optionals stay absent.
    const page = (await t.inject('GET', `/api/v1/tickets?customerId=${own}`, agent.token)).json();
    const extra = { ...page, secret: 1, items: page.items.map((i: Record<string, unknown>) => ({ ...i, description: 'x', standards: undefined })) };
    const write = compiledSerializerCompiler({ schema: TicketPage, method: 'GET', url: '/tickets', httpPart: 'body' });
    expect(write(extra)).toBe(zodJson(extra));
    expect(write(page)).toBe(zodJson(page));
    await deactivateAll(t.database);
  });
});

describe("texts in the reader's language", () => {
  it('the same ticket shows English dispatch reasons and event titles to an English reader, Chinese to a Chinese one', async () => {
    const vip = (await t.team('VIP组')).id;
    const member = await t.as(['agent'], { teamId: vip });
    expect((await t.inject('POST', '/api/v1/dispatch/rules', admin, { name: '金卡客户', conditions: { tiers: ['gold'] }, teamId: vip })).statusCode).toBe(201);
    const gold = (await t.inject('POST', '/api/v1/customers', agent.token, { name: '金先生', tier: 'gold' })).json().id;

    const en = { 'accept-language': 'en' };
    const zh = { 'accept-language': 'zh-CN' };
    const created = await create({ customerId: gold, type: 'inquiry', channel: 'api' }, en);
    expect(created.dispatch!.reason).toContain('Rule "金卡客户"');
    expect(created.dispatch!.reason).toContain('round-robin picked');
    expect(created.dispatch!.reason).toContain('customer tier=gold');

    type Item = { kind: string; title: string; data: { reason?: string } };
    const read = async (headers: Record<string, string>) =>
      (await t.inject('GET', `/api/v1/tickets/${created.id}`, admin, undefined, headers)).json().timeline as Item[];
    const inEn = await read(en);
    const assignedEn = inEn.find((e) => e.kind === 'ticket.assigned')!;
    expect(assignedEn.title).toBe('Ticket assigned');
    expect(assignedEn.data.reason).toContain('round-robin picked');
    expect(inEn.find((e) => e.kind === 'ticket.created')!.title).toBe('Ticket created');

    const inZh = await read(zh);
    const assignedZh = inZh.find((e) => e.kind === 'ticket.assigned')!;
    expect(assignedZh.title).toBe('工单已分派');
    expect(assignedZh.data.reason).toContain('规则「金卡客户」');
    expect(assignedZh.data.reason).toContain('轮询选中');
    expect(assignedZh.data.reason).toContain('客户等级=金卡');

    // The dry run explains itself in the reader's language too.
    const dryEn = (await t.inject('POST', '/api/v1/dispatch/dry-run', agent.token, { customerId: gold }, en)).json();
    expect(dryEn.reason).toContain('round-robin picked');
    expect(dryEn.candidates.find((c: { staffId: string }) => c.staffId === member.staff.id).why).toMatch(/^(eligible|queue full)/);
    const dryZh = (await t.inject('POST', '/api/v1/dispatch/dry-run', agent.token, { customerId: gold }, zh)).json();
    expect(dryZh.reason).toContain('轮询选中');
    // Without a matching rule.
    expect((await t.inject('POST', '/api/v1/dispatch/dry-run', agent.token, { tier: 'silver' }, en)).json().reason).toBe(
      'No dispatch rule matched; left in the unassigned queue',
    );
  });
});

describe('refusals carry a stable reason; allowed and the commands agree', () => {
  it('closed, not resolved, already resolved', async () => {
    const { id } = await create();
    const close = await t.inject('POST', `/api/v1/tickets/${id}/close`, agent.token);
    expect(close.statusCode).toBe(409);
    expect(close.json()).toMatchObject({ code: 'conflict', reason: 'ticket_not_resolved' });
    expect((await t.inject('POST', `/api/v1/tickets/${id}/resolve`, agent.token, { resolution: '已修好' })).statusCode).toBe(200);
    expect((await t.inject('POST', `/api/v1/tickets/${id}/resolve`, agent.token, { resolution: '再来' })).json()).toMatchObject({
      code: 'conflict',
      reason: 'ticket_resolved',
    });
    expect((await t.inject('POST', `/api/v1/tickets/${id}/close`, agent.token)).statusCode).toBe(200);
    const reply = await t.inject('POST', `/api/v1/tickets/${id}/replies`, agent.token, { body: '还有问题吗', visibility: 'public' });
    expect(reply.statusCode).toBe(409);
    expect(reply.json()).toMatchObject({ code: 'conflict', reason: 'ticket_closed' });
    const d = (await t.inject('GET', `/api/v1/tickets/${id}`, agent.token)).json();
    expect(d.allowed).toMatchObject({ reply: false, resolve: false, close: false, reopen: true, handover: false });
    expect((await t.inject('POST', `/api/v1/tickets/${id}/reopen`, agent.token, {})).statusCode).toBe(200);
    expect((await t.inject('POST', `/api/v1/tickets/${id}/reopen`, agent.token, {})).json()).toMatchObject({ code: 'conflict', reason: 'ticket_still_open' });
  });

  it('a pending handover: allowed.handover turns false and a second request is refused with handover_pending', async () => {
    const { id } = await create();
    expect((await t.inject('GET', `/api/v1/tickets/${id}`, agent.token)).json().allowed.handover).toBe(true);
    const body = { toStaffId: peer.staff.id, situation: '客户着急', need: '换锁', done: '已登记', pending: '上门', expectation: '今天', cautions: '无' };
    const h = await t.inject('POST', `/api/v1/tickets/${id}/handovers`, agent.token, body);
    expect(h.statusCode).toBe(201);
    expect((await t.inject('GET', `/api/v1/tickets/${id}`, agent.token)).json().allowed.handover).toBe(false);
    const again = await t.inject('POST', `/api/v1/tickets/${id}/handovers`, agent.token, body);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'conflict', reason: 'handover_pending', handoverId: h.json().id });
    // The peer (not the owner) may not hand it over: the same rule, a forbidden with its reason.
    const notOwner = await t.inject('POST', `/api/v1/tickets/${id}/handovers`, peer.token, { ...body, toStaffId: agent.staff.id });
    expect(notOwner.statusCode).toBe(403);
    expect(notOwner.json().reason).toBe('handover_owner_only');
    expect((await t.inject('GET', `/api/v1/tickets/${id}`, peer.token)).json().allowed.handover).toBe(false);
  });
});
