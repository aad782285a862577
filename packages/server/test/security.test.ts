/**
 * Issue #12 (outside probe): approvals across team boundaries, portal sessions that could not be ended, and
 * sign-in limiters that could be raced. Runs on PGlite and on PostgreSQL.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidateAllSessions } from '../src/http/session-cache';
import { realtimeHubs } from '../src/realtime';
import { testApp, totpNow, type TestApp, WS_MODULE } from './harness';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ CHIDU_DEMO: '1', LOGIN_MAX_FAILURES_ACCOUNT: '5', LOGIN_MAX_FAILURES_IP: '1000' });
});
afterAll(async () => {
  await t?.close();
});

const statuses = (rs: { statusCode: number }[]) => {
  const out: Record<number, number> = {};
  for (const r of rs) out[r.statusCode] = (out[r.statusCode] ?? 0) + 1;
  return out;
};

// ───────────────────────────── C. limiters counted before the check ─────────────────────────────

describe('sign-in limiters cannot be raced', () => {
  const login = (employeeNo: string, password: string, ip: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { employeeNo, password }, remoteAddress: ip });

  it('50 simultaneous wrong passwords: exactly 5 are checked (401), 45 get 429; then even the right one gets 429', async () => {
    const s = await t.staff({ roles: ['agent'] });
    const res = await Promise.all(Array.from({ length: 50 }, (_, i) => login(s.employeeNo, `wrong-password-${i}`, '10.12.0.1')));
    expect(statuses(res)).toEqual({ 401: 5, 429: 45 });
    for (const r of res.filter((x) => x.statusCode === 429)) {
      expect(r.json().code).toBe('rate_limited');
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    }
    // The right password raced among more wrong ones (and alone) does not get in once the limit is reached.
    const again = await Promise.all([
      ...Array.from({ length: 9 }, (_, i) => login(s.employeeNo, `wrong-again-${i}`, '10.12.0.2')),
      login(s.employeeNo, s.password, '10.12.0.2'),
    ]);
    expect(statuses(again)).toEqual({ 429: 10 });
    expect((await login(s.employeeNo, s.password, '10.12.0.3')).statusCode).toBe(429);
  });

  it('a success clears the account count; the per-address limit cannot be raced either', async () => {
    const s = await t.staff({ roles: ['agent'] });
    for (let i = 0; i < 4; i++) expect((await login(s.employeeNo, `bad-${i}-password`, '10.12.1.1')).statusCode).toBe(401);
    expect((await login(s.employeeNo, s.password, '10.12.1.1')).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await login(s.employeeNo, `bad-${i}-password`, '10.12.1.1')).statusCode).toBe(401);
    expect((await login(s.employeeNo, s.password, '10.12.1.1')).statusCode).toBe(429);

    const t2 = await testApp({ LOGIN_MAX_FAILURES_ACCOUNT: '100', LOGIN_MAX_FAILURES_IP: '4' });
    try {
      const res = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t2.app.inject({
            method: 'POST',
            url: '/api/v1/auth/login',
            payload: { employeeNo: `NOBODY${i}`, password: 'whatever1' },
            remoteAddress: '10.12.2.1',
          }),
        ),
      );
      expect(statuses(res)).toEqual({ 401: 4, 429: 16 });
    } finally {
      await t2.close();
    }
  });

  it('TOTP enrolment codes: 20 simultaneous wrong codes → 5 checked, the rest and then the right code get 429', async () => {
    const s = await t.staff({ roles: ['agent'] });
    const token = await t.login(s.employeeNo, s.password);
    const { secret } = (await t.inject('POST', '/api/v1/me/totp/setup', token)).json();
    const right = await totpNow(secret);
    const wrong = (i: number) => String((Number(right) + 1000 + i * 7919) % 1_000_000).padStart(6, '0');
    const res = await Promise.all(Array.from({ length: 20 }, (_, i) => t.inject('POST', '/api/v1/me/totp/confirm', token, { code: wrong(i) })));
    expect(statuses(res)).toEqual({ 401: 5, 429: 15 });
    expect((await t.inject('POST', '/api/v1/me/totp/confirm', token, { code: right })).statusCode).toBe(429);
  });

  it('portal one-time codes: 20 simultaneous wrong codes → 5 checked; a fresh code does not reset the count', async () => {
    const phone = '13977770001';
    const code = (await t.inject('POST', '/api/v1/portal/auth/code', undefined, { phone })).json().demoCode as string;
    const wrong = (i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');
    const res = await Promise.all(Array.from({ length: 20 }, (_, i) => t.inject('POST', '/api/v1/portal/auth/verify', undefined, { phone, code: wrong(i) })));
    expect(statuses(res)).toEqual({ 401: 5, 429: 15 });
    // Asking for another code (a minute later) does not buy five more guesses.
    await t.database.db.execute(sql`UPDATE customer_otps SET created_at = created_at - interval '2 minutes' WHERE phone = ${phone}`);
    const fresh = (await t.inject('POST', '/api/v1/portal/auth/code', undefined, { phone })).json().demoCode as string;
    const after = await t.inject('POST', '/api/v1/portal/auth/verify', undefined, { phone, code: fresh });
    expect(after.statusCode).toBe(429);
    expect(after.json().code).toBe('rate_limited');
  });
});

// ───────────────────────────── B. portal sessions ─────────────────────────────

async function portalCode(phone: string) {
  return (await t.inject('POST', '/api/v1/portal/auth/code', undefined, { phone })).json().demoCode as string;
}
const UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148';
function cookiesOf(res: { headers: Record<string, unknown> }) {
  const raw = res.headers['set-cookie'];
  const list = (Array.isArray(raw) ? raw : [raw]).map(String);
  const get = (name: string) => list.map((c) => new RegExp(`^${name}=([^;]*)`).exec(c)?.[1]).find((v) => v !== undefined);
  return { list, session: get('chidu_session'), csrf: get('chidu_csrf') };
}
async function browserLogin(phone: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/portal/auth/verify',
    payload: { phone, code: await portalCode(phone) },
    headers: { origin: 'http://127.0.0.1:3000', 'user-agent': UA },
  });
  expect(res.statusCode, res.body).toBe(200);
  const c = cookiesOf(res);
  return { res, session: c.session!, csrf: c.csrf! };
}
const withCookie = (method: 'GET' | 'POST', url: string, s: { session: string; csrf: string }, extra: Record<string, string> = {}) =>
  t.app.inject({
    method,
    url,
    cookies: { chidu_session: s.session, chidu_csrf: s.csrf },
    headers: { 'user-agent': UA, ...(method === 'POST' ? { 'x-csrf-token': s.csrf } : {}), ...extra },
  });

describe('portal sessions', () => {
  it('a browser sign-in keeps the token in the HttpOnly cookie only; it is refused as a Bearer token and from another browser', async () => {
    const b = await browserLogin('13977771001');
    expect(b.res.json().token).toBeUndefined();
    expect(b.res.json()).toMatchObject({ transport: 'cookie', idleTimeoutSeconds: 7200 });
    expect(cookiesOf(b.res).list.find((c) => c.startsWith('chidu_session='))).toMatch(/HttpOnly/i);
    const lifetime = new Date(b.res.json().expiresAt).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(6.9 * 86_400_000);
    expect(lifetime).toBeLessThanOrEqual(7 * 86_400_000);
    expect((await withCookie('GET', '/api/v1/portal/me', b)).statusCode).toBe(200);
    const asBearer = await t.inject('GET', '/api/v1/portal/me', b.session, undefined, { 'user-agent': UA });
    expect(asBearer.statusCode).toBe(401);
    expect(asBearer.json().code).toBe('unauthenticated');
    expect((await withCookie('GET', '/api/v1/portal/me', b, { 'user-agent': 'curl/8.5.0' })).statusCode).toBe(401);
  });

  it('POST /portal/auth/logout ends the session and clears the cookie', async () => {
    const b = await browserLogin('13977771002');
    const out = await withCookie('POST', '/api/v1/portal/auth/logout', b);
    expect(out.statusCode).toBe(204);
    expect(cookiesOf(out).list.some((c) => /^chidu_session=;/.test(c) && /Expires=Thu, 01 Jan 1970/i.test(c))).toBe(true);
    const after = await withCookie('GET', '/api/v1/portal/me', b);
    expect(after.statusCode).toBe(401);
    expect((await t.auditRows('portal.logout')).length).toBeGreaterThan(0);
  });

  it('POST /portal/auth/logout-all ends the customer sessions on every device (and only theirs)', async () => {
    const phone = '13977771003';
    const api1 = (await t.inject('POST', '/api/v1/portal/auth/verify', undefined, { phone, code: await portalCode(phone) })).json();
    expect(api1.transport).toBe('bearer');
    await t.database.db.execute(sql`UPDATE customer_otps SET created_at = created_at - interval '2 minutes' WHERE phone = ${phone}`);
    const b = await browserLogin(phone);
    const other = (await t.inject('POST', '/api/v1/portal/auth/verify', undefined, { phone: '13977771004', code: await portalCode('13977771004') })).json();
    expect((await t.inject('GET', '/api/v1/portal/me', api1.token)).statusCode).toBe(200);
    expect((await withCookie('POST', '/api/v1/portal/auth/logout-all', b)).statusCode).toBe(204);
    expect((await t.inject('GET', '/api/v1/portal/me', api1.token)).statusCode).toBe(401);
    expect((await withCookie('GET', '/api/v1/portal/me', b)).statusCode).toBe(401);
    expect((await t.inject('GET', '/api/v1/portal/me', other.token)).statusCode).toBe(200);
    // Staff logout stays staff-only; customers have their own routes.
    expect((await t.inject('POST', '/api/v1/portal/auth/logout', (await t.as(['agent'])).token)).statusCode).toBe(403);
  });

  it('a customer session ends after CUSTOMER_SESSION_IDLE_MINUTES without a request; last_seen_at is written at most once a minute', async () => {
    const phone = '13977771005';
    const { token } = (await t.inject('POST', '/api/v1/portal/auth/verify', undefined, { phone, code: await portalCode(phone) })).json();
    const hash = createHash('sha256').update(token).digest('hex');
    const lastSeen = async () => (await t.database.rows<{ l: string }>(sql`SELECT last_seen_at::text AS l FROM sessions WHERE token_hash = ${hash}`))[0]!.l;
    // Active a little over a minute ago: the next request moves last_seen_at, the one after does not write again.
    await t.database.db.execute(sql`UPDATE sessions SET last_seen_at = now() - interval '90 seconds' WHERE token_hash = ${hash}`);
    invalidateAllSessions();
    const before = await lastSeen();
    expect((await t.inject('GET', '/api/v1/portal/me', token)).statusCode).toBe(200);
    const touched = await lastSeen();
    expect(new Date(touched).getTime()).toBeGreaterThan(new Date(before).getTime());
    invalidateAllSessions();
    expect((await t.inject('GET', '/api/v1/portal/me', token)).statusCode).toBe(200);
    expect(await lastSeen()).toBe(touched);
    // Idle for longer than two hours: over, even though it is far from its absolute end.
    await t.database.db.execute(sql`UPDATE sessions SET last_seen_at = now() - interval '121 minutes' WHERE token_hash = ${hash}`);
    invalidateAllSessions();
    const idle = await t.inject('GET', '/api/v1/portal/me', token);
    expect(idle.statusCode).toBe(401);
    expect(idle.json().code).toBe('token_expired');
  });

  it('staff sessions have no idle timeout by default; SESSION_IDLE_MINUTES turns one on', async () => {
    const s = await t.staff({ roles: ['agent'] });
    const token = await t.login(s.employeeNo, s.password);
    await t.database.db.execute(sql`UPDATE sessions SET last_seen_at = now() - interval '10 hours' WHERE principal_id = ${s.id}`);
    invalidateAllSessions();
    expect((await t.inject('GET', '/api/v1/me', token)).statusCode).toBe(200);

    const t2 = await testApp({ SESSION_IDLE_MINUTES: '30' });
    try {
      const s2 = await t2.staff({ roles: ['agent'] });
      const tk = await t2.login(s2.employeeNo, s2.password);
      expect((await t2.inject('GET', '/api/v1/me', tk)).statusCode).toBe(200);
      // An open WebSocket does not keep an idle session alive: the hub's heartbeat closes it with 4401.
      const url = await t2.app.listen({ port: 0, host: '127.0.0.1' });
      const { WebSocket } = (await import(WS_MODULE)) as {
        WebSocket: new (u: string, o?: unknown) => { on(e: string, f: (...a: unknown[]) => void): void; close(): void };
      };
      const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/ws`, { headers: { authorization: `Bearer ${tk}` } });
      const closed = new Promise<number>((r) => ws.on('close', (code) => r(code as number)));
      await new Promise<void>((r) => ws.on('open', () => r()));
      await t2.database.db.execute(sql`UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE principal_id = ${s2.id}`);
      invalidateAllSessions();
      await (realtimeHubs.get(t2.database) as unknown as { beat(): Promise<void> }).beat();
      expect(await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 5000))])).toBe(4401);
      const res = await t2.inject('GET', '/api/v1/me', tk);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('token_expired');
    } finally {
      await t2.close();
    }
  });
});

// ───────────────────────────── A. approvals stay inside the chain of command ─────────────────────────────

describe('approvals', () => {
  let teamA: string;
  let frontA: Awaited<ReturnType<TestApp['as']>>;
  let agentA: Awaited<ReturnType<TestApp['as']>>;
  let agentB: Awaited<ReturnType<TestApp['as']>>;
  let supA: Awaited<ReturnType<TestApp['as']>>;
  let supB: Awaited<ReturnType<TestApp['as']>>;
  let director: Awaited<ReturnType<TestApp['as']>>;
  let customerId: string;
  beforeAll(async () => {
    teamA = (await t.team('前台A组')).id;
    const teamB = (await t.team('客服B组')).id;
    frontA = await t.as(['frontdesk'], { teamId: teamA });
    agentA = await t.as(['agent'], { teamId: teamA });
    agentB = await t.as(['agent'], { teamId: teamB });
    supA = await t.as(['supervisor'], { teamId: teamA });
    supB = await t.as(['supervisor'], { teamId: teamB });
    director = await t.as(['director']);
    customerId = (await t.inject('POST', '/api/v1/customers', frontA.token, { name: '周先生', tier: 'regular' })).json().id;
  });
  const ticket = async (body: Record<string, unknown> = {}) =>
    (await t.inject('POST', '/api/v1/tickets', frontA.token, { customerId, type: 'complaint', channel: 'walk_in', subject: '前台补偿', ...body })).json();
  const listed = async (token: string) => (await t.inject('GET', '/api/v1/approvals', token)).json().items as { id: string; canDecide: boolean }[];

  it("a team-A front-desk compensation request is neither listed for nor decidable by team B; team A's supervisor decides it", async () => {
    const tk = await ticket();
    expect(tk.teamId).toBe(teamA);
    const req = await t.inject('POST', `/api/v1/tickets/${tk.id}/compensations`, frontA.token, { kind: 'coupon', amountFen: 10_000, reason: '等候过久致歉' });
    expect(req.json().code).toBe('approval_required');
    const id = req.json().approvalId as string;

    // Team B: an agent whose ¥200 limit covers ¥100 but who cannot see the ticket, and a supervisor of another team.
    expect((await listed(agentB.token)).map((a) => a.id)).not.toContain(id);
    expect((await listed(supB.token)).map((a) => a.id)).not.toContain(id);
    const byAgentB = await t.inject('POST', `/api/v1/approvals/${id}/approve`, agentB.token, { comment: '' });
    expect(byAgentB.statusCode).toBe(404);
    const bySupB = await t.inject('POST', `/api/v1/approvals/${id}/approve`, supB.token, { comment: '' });
    expect(bySupB.statusCode).toBe(403);
    // A teammate agent sees the ticket and is covered, but is not above the requester.
    expect((await listed(agentA.token)).map((a) => a.id)).not.toContain(id);
    expect((await t.inject('POST', `/api/v1/approvals/${id}/approve`, agentA.token, { comment: '' })).statusCode).toBe(403);
    // The requester sees their own request and cannot decide it.
    expect((await listed(frontA.token)).find((a) => a.id === id)?.canDecide).toBe(false);
    // Only team A's supervisor was told (the nearest who may decide), not team B's.
    const told = await t.database.rows<{ recipient_id: string }>(
      sql`SELECT recipient_id FROM notifications WHERE kind = 'approval.requested' AND data->>'approvalId' = ${id}`,
    );
    expect(told.map((r) => r.recipient_id)).toEqual([supA.staff.id]);
    expect((await listed(director.token)).find((a) => a.id === id)?.canDecide).toBe(true);
    expect((await listed(supA.token)).find((a) => a.id === id)?.canDecide).toBe(true);
    const ok = await t.inject('POST', `/api/v1/approvals/${id}/approve`, supA.token, { comment: '同意' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().state).toBe('approved');
    // Decided: still listed for the one who decided and the requester, not for team B.
    expect((await listed(supA.token)).find((a) => a.id === id)?.canDecide).toBe(false);
    expect((await listed(supB.token)).map((a) => a.id)).not.toContain(id);
  });

  it("a supervisor's own request over their limit goes to a director, not to a fellow supervisor", async () => {
    const tk = await ticket();
    // A fellow supervisor whose own limit (¥5,000) would cover it is still not above the requester.
    const supA2row = await t.staff({ roles: ['supervisor'], teamId: teamA, compensationLimitFen: 500_000 });
    const supA2 = { staff: supA2row, token: await t.login(supA2row.employeeNo, supA2row.password) };
    const req = await t.inject('POST', `/api/v1/tickets/${tk.id}/compensations`, supA.token, { kind: 'refund', amountFen: 300_000, reason: '重大损失' });
    const id = req.json().approvalId as string;
    expect((await t.inject('POST', `/api/v1/approvals/${id}/approve`, supA2.token, { comment: '' })).statusCode).toBe(403);
    const told = await t.database.rows<{ recipient_id: string }>(
      sql`SELECT recipient_id FROM notifications WHERE kind = 'approval.requested' AND data->>'approvalId' = ${id}`,
    );
    expect(told.map((r) => r.recipient_id)).toContain(director.staff.id);
    expect(told.map((r) => r.recipient_id)).not.toContain(supA2.staff.id);
    expect((await t.inject('POST', `/api/v1/approvals/${id}/reject`, director.token, { comment: '证据不足' })).json().state).toBe('rejected');
  });

  it('order changes: a supervisor of another team cannot approve; the requester team supervisor can', async () => {
    const tk = await ticket({ type: 'order', subject: '订购桶装水', orderLines: [{ item: '桶装水', spec: '18.9L', quantity: 2 }] });
    expect((await t.inject('POST', `/api/v1/tickets/${tk.id}/order/confirm`, frontA.token)).statusCode).toBe(200);
    const ch = await t.inject('POST', `/api/v1/tickets/${tk.id}/order/changes`, frontA.token, {
      lines: [{ item: '桶装水', spec: '18.9L', quantity: 3 }],
      reason: '客户加一桶',
    });
    const id = ch.json().approvalId as string;
    expect((await listed(supB.token)).map((a) => a.id)).not.toContain(id);
    expect((await t.inject('POST', `/api/v1/approvals/${id}/approve`, supB.token, { comment: '' })).statusCode).toBe(403);
    expect((await t.inject('POST', `/api/v1/approvals/${id}/approve`, supA.token, { comment: '同意' })).statusCode).toBe(200);
  });
});
