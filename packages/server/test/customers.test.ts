import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from './harness';

let t: TestApp;
let agent: string;
beforeAll(async () => {
  t = await testApp();
  agent = (await t.as(['agent'])).token;
});
afterAll(async () => {
  await t?.close();
});

describe('customers', () => {
  it('creates a customer (contract shape) and reads it back masked, revealing only as a logged action', async () => {
    const res = await t.inject('POST', '/api/v1/customers', agent, {
      name: '张建华',
      phone: '138 0013 8000',
      email: 'Zhang@Example.com',
      tier: 'diamond',
      vip: true,
      tags: ['业主'],
    });
    expect(res.statusCode).toBe(201);
    const c = res.json();
    expect(c).toMatchObject({ name: '张建华', phone: '13800138000', email: 'zhang@example.com', tier: 'diamond', vip: true, tags: ['业主'] });
    const got = await t.inject('GET', `/api/v1/customers/${c.id}`, agent);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ id: c.id, phone: '138****8000', email: 'z***@example.com', masked: true });
    const revealed = await t.inject('GET', `/api/v1/customers/${c.id}?reveal=contact`, agent);
    expect(revealed.json().phone).toBe('13800138000');
    const audit = await t.auditRows('customer.contact_revealed');
    expect(audit.some((a) => a.target_id === c.id)).toBe(true);
    const created = (await t.auditRows('customer.created')).find((a) => a.target_id === c.id)!;
    expect(JSON.stringify(created.changes)).not.toContain('13800138000');
    expect(JSON.stringify(created.changes)).toContain('138****8000');
  });

  it('a technician may read but not reveal or create', async () => {
    const tech = (await t.as(['technician'])).token;
    const c = (await t.inject('POST', '/api/v1/customers', agent, { name: '李秀英', phone: '13900139000' })).json();
    expect((await t.inject('GET', `/api/v1/customers/${c.id}`, tech)).statusCode).toBe(200);
    expect((await t.inject('GET', `/api/v1/customers/${c.id}?reveal=contact`, tech)).json().code).toBe('forbidden');
    expect((await t.inject('POST', '/api/v1/customers', tech, { name: 'x' })).statusCode).toBe(403);
    const trainer = (await t.as(['trainer'])).token;
    expect((await t.inject('GET', `/api/v1/customers/${c.id}`, trainer)).statusCode).toBe(403);
  });

  it('replays the first result for the same Idempotency-Key and body, and refuses a different body', async () => {
    const body = { name: '王志刚', phone: '13700137000' };
    const key = 'ik-customer-1';
    const a = await t.inject('POST', '/api/v1/customers', agent, body, { 'idempotency-key': key });
    const b = await t.inject('POST', '/api/v1/customers', agent, body, { 'idempotency-key': key });
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.json().id).toBe(a.json().id);
    expect(b.headers['idempotent-replayed']).toBe('true');
    const c = await t.inject('POST', '/api/v1/customers', agent, { ...body, name: '别人' }, { 'idempotency-key': key });
    expect(c.statusCode).toBe(422);
    expect(c.json().code).toBe('idempotency_key_reused');
    const list = await t.inject('GET', '/api/v1/customers?q=13700137000', agent);
    expect(list.json().items).toHaveLength(1);
  });

  it('concurrent requests with one key create exactly one customer', async () => {
    const body = { name: '并发客户', phone: '13600136000' };
    const results = await Promise.all(
      Array.from({ length: 10 }, () => t.inject('POST', '/api/v1/customers', agent, body, { 'idempotency-key': 'ik-concurrent' })),
    );
    const ids = new Set(results.filter((r) => r.statusCode === 201).map((r) => r.json().id));
    expect(ids.size).toBe(1);
    for (const r of results) expect([201, 409]).toContain(r.statusCode);
    expect((await t.inject('GET', '/api/v1/customers?q=13600136000', agent)).json().items).toHaveLength(1);
  });

  it('the same key from another principal is a different request', async () => {
    const other = (await t.as(['agent'])).token;
    const body = { name: '赵军' };
    const a = await t.inject('POST', '/api/v1/customers', agent, body, { 'idempotency-key': 'shared-key' });
    const b = await t.inject('POST', '/api/v1/customers', other, body, { 'idempotency-key': 'shared-key' });
    expect(a.json().id).not.toBe(b.json().id);
  });

  it('names every bad field and stores nothing', async () => {
    const before = (await t.inject('GET', '/api/v1/customers?limit=200', agent)).json().items.length;
    const res = await t.inject('POST', '/api/v1/customers', agent, { name: '', phone: 'abc', email: 'nope', tier: 'platinum', vip: 'yes', tags: 'x' });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
    expect(
      res
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['email', 'name', 'phone', 'tags', 'tier', 'vip']);
    const notJson = await t.app.inject({
      method: 'POST',
      url: '/api/v1/customers',
      headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().code).toBe('validation_failed');
    const huge = await t.inject('POST', '/api/v1/customers', agent, { name: 'x'.repeat(2_000_000) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().code).toBe('payload_too_large');
    const badKey = await t.inject('POST', '/api/v1/customers', agent, { name: 'ok' }, { 'idempotency-key': 'x'.repeat(300) });
    expect(badKey.statusCode).toBe(400);
    expect((await t.inject('GET', '/api/v1/customers?limit=200', agent)).json().items.length).toBe(before);
  });

  it('lists newest first with a cursor, phone masked, searchable by name or phone digits', async () => {
    for (let i = 0; i < 3; i++) await t.inject('POST', '/api/v1/customers', agent, { name: `列表客户${i}`, phone: `1510015100${i}` });
    const p1 = await t.inject('GET', `/api/v1/customers?q=${encodeURIComponent('列表客户')}&limit=2`, agent);
    expect(p1.json().items.map((c: { name: string }) => c.name)).toEqual(['列表客户2', '列表客户1']);
    expect(p1.json().items[0].phone).toBe('151****1002');
    const p2 = await t.inject('GET', `/api/v1/customers?q=${encodeURIComponent('列表客户')}&limit=2&cursor=${p1.json().nextCursor}`, agent);
    expect(p2.json().items.map((c: { name: string }) => c.name)).toEqual(['列表客户0']);
    expect(p2.json().nextCursor).toBeNull();
    expect((await t.inject('GET', '/api/v1/customers?q=15100151001', agent)).json().items).toHaveLength(1);
  });
});

describe('CRM', () => {
  it('offers duplicates on create, merges keeping history, and shows a 360 view', async () => {
    const a = (await t.inject('POST', '/api/v1/customers', agent, { name: '周海波', phone: '13100131009', tier: 'silver', tags: ['4栋'] })).json();
    expect(a.duplicates).toEqual([]);
    const b = (await t.inject('POST', '/api/v1/customers', agent, { name: '周先生', phone: '131 0013 1009', tags: ['投诉多'] })).json();
    expect(b.duplicates).toEqual([expect.objectContaining({ id: a.id, matchedOn: ['phone'], phone: '131****1009' })]);
    const tk = await t.inject('POST', '/api/v1/tickets', agent, { customerId: b.id, type: 'inquiry', channel: 'phone', subject: '停车卡办理' });
    expect(tk.statusCode).toBe(201);
    expect((await t.inject('POST', `/api/v1/customers/${b.id}/merge`, agent, { intoId: a.id })).statusCode).toBe(403); // agents cannot merge
    const sup = (await t.as(['supervisor'])).token;
    const m = await t.inject('POST', `/api/v1/customers/${b.id}/merge`, sup, { intoId: a.id });
    expect(m.json()).toMatchObject({ mergedIntoId: a.id, ticketsMoved: 1 });
    const v = (await t.inject('GET', `/api/v1/customers/${a.id}/360`, sup)).json();
    expect(v.profile.tags.sort()).toEqual(['4栋', '投诉多'].sort());
    expect(v.tickets.map((x: { subject: string }) => x.subject)).toEqual(['停车卡办理']);
    expect(v.profile.phone).toBe('131****1009');
    expect(v.timeline.some((e: { kind: string }) => e.kind === 'customer.merged')).toBe(true);
    // A new ticket for the merged record lands on the surviving customer.
    const again = await t.inject('POST', '/api/v1/tickets', agent, { customerId: b.id, type: 'inquiry', channel: 'phone', subject: '再次来电' });
    expect((await t.inject('GET', `/api/v1/tickets/${again.json().id}`, agent)).json().customerId).toBe(a.id);
  });

  it('edits CRM fields with validation; id numbers stay masked unless revealed', async () => {
    const c = (await t.inject('POST', '/api/v1/customers', agent, { name: '刘芳' })).json();
    const bad = await t.inject('PATCH', `/api/v1/customers/${c.id}`, agent, { idNumber: '123', email: 'x' });
    expect(
      bad
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['email', 'idNumber']);
    const ok = await t.inject('PATCH', `/api/v1/customers/${c.id}`, agent, {
      idNumber: '31010119800101123X',
      wechatId: 'liufang_sh',
      addresses: [{ label: '家', text: '2栋301' }],
      consent: { surveys: true },
    });
    expect(ok.statusCode).toBe(200);
    const v = (await t.inject('GET', `/api/v1/customers/${c.id}/360`, agent)).json();
    expect(v.profile.idNumber).toBe('3101**********123X');
    const audit = await t.auditRows('customer.updated');
    expect(JSON.stringify(audit)).not.toContain('31010119800101123X');
  });

  it('customer 360 lists only the tickets, compensations and ticket events the caller may see (issue #12)', async () => {
    const teamA = (await t.team()).id;
    const teamB = (await t.team()).id;
    const a1 = await t.as(['agent'], { teamId: teamA });
    const b1 = await t.as(['agent'], { teamId: teamB });
    const c = (await t.inject('POST', '/api/v1/customers', a1.token, { name: '赵小燕', phone: '13600136111' })).json();
    const tk = await t.inject('POST', '/api/v1/tickets', a1.token, {
      customerId: c.id,
      type: 'complaint',
      channel: 'phone',
      subject: 'A组机密投诉',
      description: '只有A组可见',
    });
    expect(tk.statusCode).toBe(201);
    const ticket = tk.json();
    const comp = await t.inject('POST', `/api/v1/tickets/${ticket.id}/compensations`, a1.token, { kind: 'coupon', amountFen: 1000, reason: '致歉' });
    // it counts as granted once the customer accepted it (process rule, seed 001)
    const answer = { compensationId: comp.json().id, decision: 'accepted', channel: 'phone' };
    expect((await t.inject('POST', `/api/v1/tickets/${ticket.id}/compensation-acceptances`, a1.token, answer)).statusCode).toBe(200);
    // GET /tickets/{id} refuses team B; the 360 view must not show what that refuses.
    expect((await t.inject('GET', `/api/v1/tickets/${ticket.id}`, b1.token)).statusCode).toBe(404);
    const other = await t.inject('GET', `/api/v1/customers/${c.id}/360`, b1.token);
    expect(other.statusCode).toBe(200);
    const body = other.json();
    const text = JSON.stringify(body);
    expect(text).not.toContain('A组机密投诉');
    expect(text).not.toContain(ticket.number);
    expect(text).not.toContain(ticket.id);
    expect(body.tickets).toEqual([]);
    expect(body.compensations).toEqual([]);
    expect(body.stats).toMatchObject({ tickets: 0, open: 0, complaints: 0, compensationFen: 0 });
    // The owner's team sees it all.
    const own = (await t.inject('GET', `/api/v1/customers/${c.id}/360`, a1.token)).json();
    expect(own.tickets.map((x: { id: string }) => x.id)).toEqual([ticket.id]);
    expect(own.stats).toMatchObject({ tickets: 1, complaints: 1, compensationFen: 1000 });
    expect(own.timeline.some((e: { aggregateId: string }) => e.aggregateId === ticket.id)).toBe(true);
    // So does the customer's survey list (ticket subject) — nothing of team A's ticket for team B.
    const surveys = await t.inject('GET', `/api/v1/customers/${c.id}/surveys`, b1.token);
    expect(surveys.statusCode).toBe(200);
    expect(JSON.stringify(surveys.json())).not.toContain('A组机密投诉');
  });
});
