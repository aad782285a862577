import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODES_PER_VISITOR_HOUR } from '../src/modules/channels/channels.webchat.identify';
import { testApp, type TestApp } from './harness';

/**
 * Web chat visitor identification (issue #14 item 3): 验证手机号 with the portal's one-time code (demo mode answers
 * the code; stored hashed, single use, expiring, wrong codes and code requests limited), the channel setting
 * `requireIdentity`, a known phone linking the visitor (their anonymous customer merged, the chat ticket moved), a new
 * phone attached to the visitor customer, and the portal session of the same browser.
 */

const SITE = 'https://www.identify.example';
let t: TestApp;
let admin: { token: string };
let agent: { token: string };
let channelId: string;
let strictId: string;

const pub = (path: string, id = channelId) => `/api/v1/public/webchat/${id}${path}`;
const vh = (token: string) => ({ 'x-visitor-token': token });
let phoneSeq = 0;
const newPhone = () => `1390000${String(1000 + phoneSeq++).padStart(4, '0')}`;

async function session(id = channelId) {
  const res = await t.app.inject({ method: 'POST', url: `/api/v1/public/webchat/${id}/session` });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ token: string; visitorId: string; identity: { verified: boolean } }>();
}
const post = (token: string, path: string, payload: unknown, id = channelId, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: pub(path, id), headers: { ...vh(token), ...headers }, payload: payload as never });
async function code(token: string, phone: string, id = channelId): Promise<string> {
  const res = await post(token, '/identify/code', { phone }, id);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().demoCode as string;
}
const visitorRow = async (id: string) =>
  (
    await t.database.rows<{ customer_id: string; verified_at: Date | null; verified_via: string | null; verified_phone: string | null }>(
      sql`SELECT customer_id, verified_at, verified_via, verified_phone FROM webchat_visitors WHERE id = ${id}`,
    )
  )[0]!;
const ticketOf = async (visitorId: string) =>
  (
    await t.database.rows<{ ticket_id: string }>(sql`SELECT ticket_id FROM webchat_events WHERE visitor_id = ${visitorId} AND ticket_id IS NOT NULL LIMIT 1`)
  )[0]!.ticket_id;
const ticketCustomer = async (ticketId: string) =>
  (await t.database.rows<{ customer_id: string }>(sql`SELECT customer_id FROM tickets WHERE id = ${ticketId}`))[0]!.customer_id;

beforeAll(async () => {
  t = await testApp({ CHIDU_DEMO: '1', CHIDU_OUTBOUND_ALLOW: '127.0.0.1' });
  admin = await t.as(['admin']);
  const team = await t.team('网页验证组');
  agent = await t.as(['agent'], { teamId: team.id });
  const mk = async (name: string, requireIdentity: boolean) => {
    const res = await t.inject('POST', '/api/v1/channels', admin.token, {
      kind: 'webchat',
      name,
      teamId: team.id,
      config: { allowedOrigins: [SITE], requireIdentity },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  channelId = await mk('官网客服', false);
  strictId = await mk('官网客服（需验证）', true);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await new Promise((r) => sms?.server.close(r));
});

/** A fake Aliyun SendSms endpoint (the query API): records each SMS (number, template, parameters) and answers OK. */
let sms: { server: http.Server; url: string; sent: { phone: string; template: string; params: Record<string, string> }[] } | undefined;
async function startSms() {
  const sent: { phone: string; template: string; params: Record<string, string> }[] = [];
  const server = http.createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    if (q.get('Action') === 'SendSms')
      sent.push({ phone: q.get('PhoneNumbers')!, template: q.get('TemplateCode')!, params: JSON.parse(q.get('TemplateParam') ?? '{}') });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ Code: 'OK', Message: 'OK', BizId: `biz-${sent.length}`, RequestId: `req-${sent.length}` }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sent };
}

describe('web chat visitor identification', () => {
  it('requireIdentity: no message before the phone is verified; the code is sent (demo), hashed at rest, then messages pass', async () => {
    const cfg = await t.app.inject({ method: 'GET', url: pub('/config', strictId) });
    expect(cfg.json().requireIdentity).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: pub('/config') })).json().requireIdentity).toBe(false);
    const got = await t.inject('GET', `/api/v1/channels/${strictId}`, admin.token);
    expect(got.json().config.requireIdentity).toBe(true);

    const v = await session(strictId);
    expect(v.identity).toEqual({ verified: false, via: null, phone: null });
    const refused = await post(v.token, '/messages', { clientId: 'c1', body: '你好' }, strictId);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('phone');

    const phone = newPhone();
    const demo = await code(v.token, phone, strictId);
    expect(demo).toMatch(/^\d{6}$/);
    const stored = await t.database.rows<{ code_hash: string }>(sql`SELECT code_hash FROM customer_otps WHERE phone = ${phone}`);
    expect(stored).toHaveLength(1); // one code made through the portal's code path
    expect(stored[0]!.code_hash).not.toContain(demo);
    expect(stored[0]!.code_hash).toMatch(/^[0-9a-f]{64}$/);

    const ok = await post(v.token, '/identify/verify', { phone, code: demo }, strictId);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ verified: true, via: 'phone', phone: `${phone.slice(0, 3)}****${phone.slice(-4)}` });
    expect((await post(v.token, '/messages', { clientId: 'c1', body: '你好' }, strictId)).statusCode).toBe(201);
    // Identified once: no second code or binding (a real customer is never merged away by a later code).
    const second = await post(v.token, '/identify/code', { phone: newPhone() }, strictId);
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain('already_verified');
    // The session answer says so on the next visit.
    const again = await t.app.inject({ method: 'POST', url: pub('/session', strictId), headers: vh(v.token) });
    expect(again.json().identity).toMatchObject({ verified: true, via: 'phone' });
  });

  it('bad input is a 400 naming the field; no visitor token is a 401', async () => {
    const v = await session();
    const badPhone = await post(v.token, '/identify/code', { phone: '12345' });
    expect(badPhone.statusCode).toBe(400);
    expect(badPhone.body).toContain('phone');
    const badCode = await post(v.token, '/identify/verify', { phone: newPhone(), code: 'abc' });
    expect(badCode.statusCode).toBe(400);
    expect(badCode.body).toContain('code');
    const extra = await post(v.token, '/identify/code', { phone: newPhone(), x: 1 });
    expect(extra.statusCode).toBe(400);
    expect((await t.app.inject({ method: 'POST', url: pub('/identify/code'), payload: { phone: newPhone() } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: pub('/identify/portal') })).statusCode).toBe(401);
  });

  it('a wrong code is refused and counted, an expired one refused, a used one refused; wrong codes limited per number', async () => {
    const v = await session();
    const phone = newPhone();
    const right = await code(v.token, phone);
    const wrong = right === '000000' ? '111111' : '000000';
    const w = await post(v.token, '/identify/verify', { phone, code: wrong });
    expect(w.statusCode).toBe(401);
    expect(w.json().errors[0].path).toBe('code');
    const [otp] = await t.database.rows<{ attempts: number }>(sql`SELECT attempts FROM customer_otps WHERE phone = ${phone}`);
    expect(otp!.attempts).toBe(1);
    expect((await visitorRow(v.visitorId)).verified_at).toBeNull();

    // Expired: the right code after its 5 minutes.
    await t.database.db.execute(sql`UPDATE customer_otps SET expires_at = now() - interval '1 second' WHERE phone = ${phone}`);
    const expired = await post(v.token, '/identify/verify', { phone, code: right });
    expect(expired.statusCode).toBe(401);
    expect(expired.body).toContain('expired');

    // Single use.
    const p2 = newPhone();
    const c2 = await code(v.token, p2);
    expect((await post(v.token, '/identify/verify', { phone: p2, code: c2 })).statusCode).toBe(200);
    const replay = await session(); // another browser replaying the used code
    expect((await post(replay.token, '/identify/verify', { phone: p2, code: c2 })).statusCode).toBe(401);
    expect((await visitorRow(replay.visitorId)).verified_at).toBeNull();

    // Five wrong guesses on a number, then even the right code gets 429 (counted before the check).
    const v2 = await session();
    const p3 = newPhone();
    const c3 = await code(v2.token, p3);
    const bad3 = c3 === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) expect((await post(v2.token, '/identify/verify', { phone: p3, code: bad3 })).statusCode).toBe(401);
    const locked = await post(v2.token, '/identify/verify', { phone: p3, code: c3 });
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBeDefined();
    expect((await visitorRow(v2.visitorId)).verified_at).toBeNull();
  });

  it('code requests are limited: one a minute per number, and per visitor per hour', async () => {
    const v = await session();
    const phone = newPhone();
    await code(v.token, phone);
    const again = await post(v.token, '/identify/code', { phone });
    expect(again.statusCode).toBe(429);
    // That refused request counted for the visitor too: CODES_PER_VISITOR_HOUR in all, then 429 whatever the number.
    for (let i = 2; i < CODES_PER_VISITOR_HOUR; i++) await code(v.token, newPhone());
    const over = await post(v.token, '/identify/code', { phone: newPhone() });
    expect(over.statusCode).toBe(429);
    // Another visitor is not affected.
    const other = await session();
    await code(other.token, newPhone());
  });

  it('a phone of a known customer: the visitor is linked, their chat ticket moves to that customer, the agent sees it verified (masked)', async () => {
    const phone = newPhone();
    const known = await t.inject('POST', '/api/v1/customers', admin.token, { name: '王建国', phone });
    expect(known.statusCode, known.body).toBe(201);
    const knownId = known.json().id as string;

    const v = await session();
    const anon = (await visitorRow(v.visitorId)).customer_id;
    expect((await post(v.token, '/messages', { clientId: 'm1', body: '电梯坏了' })).statusCode).toBe(201);
    const ticketId = await ticketOf(v.visitorId);
    expect(await ticketCustomer(ticketId)).toBe(anon);

    const before = await t.inject('GET', '/api/v1/webchat/conversations', agent.token);
    expect(before.json().items.find((c: { ticket: { id: string } }) => c.ticket.id === ticketId).visitor).toEqual({ verified: false, via: null, phone: null });

    const ok = await post(v.token, '/identify/verify', { phone, code: await code(v.token, phone) });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await ticketCustomer(ticketId)).toBe(knownId);
    expect((await visitorRow(v.visitorId)).customer_id).toBe(knownId);
    const [merged] = await t.database.rows<{ merged_into_id: string | null }>(sql`SELECT merged_into_id FROM customers WHERE id = ${anon}`);
    expect(merged!.merged_into_id).toBe(knownId);
    const [ident] = await t.database.rows<{ customer_id: string }>(
      sql`SELECT customer_id FROM customer_identities WHERE kind = 'webchat_visitor' AND value = ${v.visitorId}`,
    );
    expect(ident!.customer_id).toBe(knownId);

    // The ticket page and 在线会话 show the real customer and "verified" with the phone masked.
    const tk = await t.inject('GET', `/api/v1/tickets/${ticketId}`, agent.token);
    expect(tk.json().customerName).toBe('王建国');
    const conv = await t.inject('GET', '/api/v1/webchat/conversations', agent.token);
    const row = conv.json().items.find((c: { ticket: { id: string } }) => c.ticket.id === ticketId);
    expect(row.visitor).toEqual({ verified: true, via: 'phone', phone: `${phone.slice(0, 3)}****${phone.slice(-4)}` });
    expect(conv.body).not.toContain(phone);

    // The next message continues the same ticket, now the known customer's; a new conversation would be theirs too.
    expect((await post(v.token, '/messages', { clientId: 'm2', body: '在3号楼' })).statusCode).toBe(201);
    const [n] = await t.database.rows<{ n: number }>(sql`SELECT count(DISTINCT ticket_id)::int AS n FROM webchat_events WHERE visitor_id = ${v.visitorId}`);
    expect(n!.n).toBe(1);
    const history = await t.inject('GET', `/api/v1/customers/${knownId}/360`, admin.token);
    expect(JSON.stringify(history.json())).toContain(ticketId);
  });

  it('a new phone is attached to the visitor customer (record phone + phone identity); a second browser with it finds that customer', async () => {
    const phone = newPhone();
    const v = await session();
    const own = (await visitorRow(v.visitorId)).customer_id;
    expect((await post(v.token, '/identify/verify', { phone, code: await code(v.token, phone) })).statusCode).toBe(200);
    const row = await visitorRow(v.visitorId);
    expect(row).toMatchObject({ customer_id: own, verified_via: 'phone', verified_phone: phone });
    const [c] = await t.database.rows<{ phone: string; merged_into_id: string | null }>(sql`SELECT phone, merged_into_id FROM customers WHERE id = ${own}`);
    expect(c).toEqual({ phone, merged_into_id: null });
    const ids = await t.database.rows<{ customer_id: string }>(sql`SELECT customer_id FROM customer_identities WHERE kind = 'phone' AND value = ${phone}`);
    expect(ids.map((i) => i.customer_id)).toEqual([own]);

    const v2 = await session();
    await t.database.db.execute(sql`UPDATE customer_otps SET created_at = created_at - interval '2 minutes' WHERE phone = ${phone}`);
    expect((await post(v2.token, '/identify/verify', { phone, code: await code(v2.token, phone) })).statusCode).toBe(200);
    expect((await visitorRow(v2.visitorId)).customer_id).toBe(own);
  });

  it('the portal session of the same browser identifies the visitor (cookie + CSRF, widget origin only)', async () => {
    const phone = newPhone();
    const ua = 'Mozilla/5.0 widget-test';
    const demo = (await t.inject('POST', '/api/v1/portal/auth/code', undefined, { phone })).json().demoCode as string;
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/portal/auth/verify',
      headers: { 'user-agent': ua },
      payload: { phone, code: demo, transport: 'cookie' },
    });
    expect(login.statusCode, login.body).toBe(200);
    const portalCustomer = login.json().customer.id as string;
    const cookies = login.cookies as { name: string; value: string }[];
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const csrf = cookies.find((c) => c.name === 'chidu_csrf')!.value;

    const v = await session();
    expect((await post(v.token, '/messages', { clientId: 'p1', body: '我想报修' })).statusCode).toBe(201);
    const ticketId = await ticketOf(v.visitorId);
    const own = { origin: 'http://chidu.test:8080', host: 'chidu.test:8080', 'user-agent': ua };

    // Not from a host site's script, not without the CSRF header, not without the session.
    expect((await post(v.token, '/identify/portal', undefined, channelId, { ...own, origin: SITE, cookie, 'x-csrf-token': csrf })).statusCode).toBe(403);
    expect((await post(v.token, '/identify/portal', undefined, channelId, { ...own, cookie })).statusCode).toBe(403);
    expect((await post(v.token, '/identify/portal', undefined, channelId, { ...own })).statusCode).toBe(401);
    // A staff session is not a customer.
    expect((await post(v.token, '/identify/portal', undefined, channelId, { ...own, authorization: `Bearer ${agent.token}` })).statusCode).toBe(403);
    expect((await visitorRow(v.visitorId)).verified_at).toBeNull();

    const ok = await post(v.token, '/identify/portal', undefined, channelId, { ...own, cookie, 'x-csrf-token': csrf });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ verified: true, via: 'portal', phone: `${phone.slice(0, 3)}****${phone.slice(-4)}` });
    expect((await visitorRow(v.visitorId)).customer_id).toBe(portalCustomer);
    expect(await ticketCustomer(ticketId)).toBe(portalCustomer);
  });

  it('with an SMS channel the code goes out by SMS (login_code template) and the per-number daily limit of the channel applies', async () => {
    sms = await startSms();
    const ch = await t.inject('POST', '/api/v1/channels', admin.token, {
      kind: 'sms_aliyun',
      name: '阿里云短信',
      config: {
        keyId: 'LTAI5tTestKeyId',
        keySecret: 'ali-secret-0123456789',
        signName: '尺度物业',
        templates: { login_code: 'SMS_200001' },
        apiBase: sms.url,
        perNumberPerDay: 2,
      },
    });
    expect(ch.statusCode, ch.body).toBe(201);
    const v = await session();
    const phone = newPhone();
    const first = await code(v.token, phone);
    expect(sms.sent).toEqual([{ phone, template: 'SMS_200001', params: { code: first } }]);
    // A minute later (the portal's and the SMS code counters of this number moved back; the channel's daily count stays).
    const later = () =>
      t.database.transaction(async (tx) => {
        await tx.execute(sql`UPDATE customer_otps SET created_at = created_at - interval '2 minutes' WHERE phone = ${phone}`);
        await tx.execute(sql`DELETE FROM sms_quota WHERE key = ${`code:${phone}`}`);
      });
    await later();
    const second = await code(v.token, phone);
    expect(sms.sent).toHaveLength(2);
    await later();
    const third = await post(v.token, '/identify/code', { phone });
    expect(third.statusCode).toBe(429); // the channel's per-number daily limit (counted atomically before the send)
    expect(third.body).toContain('number_per_day');
    expect(sms.sent).toHaveLength(2);
    const ok = await post(v.token, '/identify/verify', { phone, code: second });
    expect(ok.statusCode, ok.body).toBe(200);
  });
});
