import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, totpNow, type TestApp } from './harness';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ LOGIN_MAX_FAILURES_ACCOUNT: '3', LOGIN_MAX_FAILURES_IP: '1000' });
});
afterAll(async () => {
  await t?.close();
});

async function enrol(token: string) {
  const setup = await t.inject('POST', '/api/v1/me/totp/setup', token);
  expect(setup.statusCode).toBe(200);
  const { secret, qrDataUrl, otpauthUrl } = setup.json();
  expect(qrDataUrl).toMatch(/^data:image\/png;base64,/);
  expect(otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
  // Confirm with the code of the previous 30 s window so that the current one stays fresh for login.
  const prev = await totpNow(secret, Math.floor(Date.now() / 1000) - 30);
  const confirm = await t.inject('POST', '/api/v1/me/totp/confirm', token, { code: prev });
  expect(confirm.statusCode).toBe(200);
  const { recoveryCodes } = confirm.json();
  expect(recoveryCodes).toHaveLength(10);
  return { secret, recoveryCodes: recoveryCodes as string[] };
}

describe('login', () => {
  it('signs in with employee number and password and returns the contract shape', async () => {
    const s = await t.staff({ roles: ['agent'] });
    const res = await t.inject('POST', '/api/v1/auth/login', undefined, { employeeNo: s.employeeNo, password: s.password });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.token).toMatch(/^[\w-]{40,}$/);
    expect(body.user).toMatchObject({ id: s.id, employeeNo: s.employeeNo, name: s.name, roles: ['agent'] });
    const cookies = String(res.headers['set-cookie']);
    expect(cookies).toMatch(/chidu_session=[^;]+;.*HttpOnly/i);
    expect(cookies).toMatch(/SameSite=Strict/i);
    const me = await t.inject('GET', '/api/v1/me', body.token);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: s.id, permissions: expect.arrayContaining(['customers.read']) });
    expect((await t.auditRows('auth.login')).some((r) => r.target_id === s.id)).toBe(true);
  });

  it('refuses a wrong password with invalid_credentials and audits nothing as done', async () => {
    const s = await t.staff({ roles: ['agent'] });
    const before = (await t.auditRows()).length;
    const res = await t.inject('POST', '/api/v1/auth/login', undefined, { employeeNo: s.employeeNo, password: 'wrong-password' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'invalid_credentials', status: 401 });
    expect(res.body).not.toMatch(/at .*\.ts/);
    const unknown = await t.inject('POST', '/api/v1/auth/login', undefined, { employeeNo: 'NOBODY', password: 'whatever1' });
    expect(unknown.json().code).toBe('invalid_credentials');
    expect((await t.auditRows()).length).toBe(before);
  });

  it('requires the TOTP code once enrolled, refuses a wrong and a replayed code, accepts a recovery code once', async () => {
    const s = await t.staff({ roles: ['supervisor'] });
    const token = await t.login(s.employeeNo, s.password);
    const { secret, recoveryCodes } = await enrol(token);
    const auditBefore = (await t.auditRows('auth.login')).length;

    const missing = await t.inject('POST', '/api/v1/auth/login', undefined, { employeeNo: s.employeeNo, password: s.password });
    expect(missing.statusCode).toBe(401);
    expect(missing.json().code).toBe('otp_required');

    const wrong = await t.inject('POST', '/api/v1/auth/login', undefined, {
      employeeNo: s.employeeNo,
      password: s.password,
      otp: '000000' === (await totpNow(secret)) ? '111111' : '000000',
    });
    expect(wrong.json().code).toBe('otp_invalid');

    const code = await totpNow(secret);
    const ok = await t.inject('POST', '/api/v1/auth/login', undefined, { employeeNo: s.employeeNo, password: s.password, otp: code });
    expect(ok.statusCode).toBe(200);
    const replay = await t.inject('POST', '/api/v1/auth/login', undefined, { employeeNo: s.employeeNo, password: s.password, otp: code });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('otp_invalid');
    expect((await t.auditRows('auth.login')).length).toBe(auditBefore + 1);

    const rc = recoveryCodes[0]!;
    const viaRecovery = await t.inject('POST', '/api/v1/auth/login', undefined, { employeeNo: s.employeeNo, password: s.password, otp: rc });
    expect(viaRecovery.statusCode).toBe(200);
    const again = await t.inject('POST', '/api/v1/auth/login', undefined, { employeeNo: s.employeeNo, password: s.password, otp: rc });
    expect(again.json().code).toBe('otp_invalid');
  });

  it('rate-limits repeated failures per account with Retry-After, and a success is still refused meanwhile', async () => {
    const s = await t.staff({ roles: ['agent'] });
    for (let i = 0; i < 3; i++) {
      const r = await t.inject('POST', '/api/v1/auth/login', undefined, { employeeNo: s.employeeNo, password: `bad-${i}-password` });
      expect(r.json().code).toBe('invalid_credentials');
    }
    const limited = await t.inject('POST', '/api/v1/auth/login', undefined, { employeeNo: s.employeeNo, password: s.password });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('rate-limits failures per address across accounts', async () => {
    const t2 = await testApp({ LOGIN_MAX_FAILURES_ACCOUNT: '100', LOGIN_MAX_FAILURES_IP: '4' });
    try {
      for (let i = 0; i < 4; i++) {
        const r = await t2.inject('POST', '/api/v1/auth/login', undefined, { employeeNo: `X${i}`, password: 'whatever1' });
        expect(r.statusCode).toBe(401);
      }
      const r = await t2.inject('POST', '/api/v1/auth/login', undefined, { employeeNo: 'X9', password: 'whatever1' });
      expect(r.statusCode).toBe(429);
    } finally {
      await t2.close();
    }
  });

  it('refuses an expired token with token_expired and a revoked one after logout-all', async () => {
    const s = await t.staff({ roles: ['agent'] });
    const a = await t.login(s.employeeNo, s.password);
    const b = await t.login(s.employeeNo, s.password);
    await t.database.db.execute(
      sql`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE principal_id = ${s.id} AND created_at = (SELECT min(created_at) FROM sessions WHERE principal_id = ${s.id})`,
    );
    const expired = await t.inject('GET', '/api/v1/me', a);
    expect(expired.statusCode).toBe(401);
    expect(expired.json().code).toBe('token_expired');
    expect((await t.inject('GET', '/api/v1/me', b)).statusCode).toBe(200);
    const c = await t.login(s.employeeNo, s.password);
    expect((await t.inject('POST', '/api/v1/auth/logout-all', c)).statusCode).toBe(204);
    const after = await t.inject('GET', '/api/v1/me', b);
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('unauthenticated');
  });

  it('logout ends only the current session', async () => {
    const s = await t.staff({ roles: ['agent'] });
    const a = await t.login(s.employeeNo, s.password);
    const b = await t.login(s.employeeNo, s.password);
    expect((await t.inject('POST', '/api/v1/auth/logout', a)).statusCode).toBe(204);
    expect((await t.inject('GET', '/api/v1/me', a)).statusCode).toBe(401);
    expect((await t.inject('GET', '/api/v1/me', b)).statusCode).toBe(200);
  });

  it('refuses a malformed Authorization header and a missing session', async () => {
    const r1 = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Basic abc' } });
    expect(r1.json().code).toBe('unauthenticated');
    const r2 = await t.app.inject({ method: 'GET', url: '/api/v1/me' });
    expect(r2.statusCode).toBe(401);
  });

  it('cookie sessions need the CSRF header for writes', async () => {
    const s = await t.staff({ roles: ['agent'] });
    const res = await t.inject('POST', '/api/v1/auth/login', undefined, { employeeNo: s.employeeNo, password: s.password });
    const { token, csrfToken } = res.json();
    const cookie = `chidu_session=${token}; chidu_csrf=${csrfToken}`;
    const read = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
    expect(read.statusCode).toBe(200);
    const noCsrf = await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: { cookie }, payload: { locale: 'en' } });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().code).toBe('csrf_failed');
    const withCsrf = await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: { cookie, 'x-csrf-token': csrfToken }, payload: { locale: 'en' } });
    expect(withCsrf.statusCode).toBe(200);
    expect(withCsrf.json().locale).toBe('en');
  });

  it('a role that requires TOTP gives an unenrolled user an enrolment-only session', async () => {
    const admin = await t.as(['admin']);
    const upd = await t.inject('PATCH', '/api/v1/roles/trainer', admin.token, { requireTotp: true });
    expect(upd.statusCode).toBe(200);
    const s = await t.staff({ roles: ['trainer'] });
    const res = await t.inject('POST', '/api/v1/auth/login', undefined, { employeeNo: s.employeeNo, password: s.password });
    expect(res.json().user.mustEnrolTotp).toBe(true);
    const token = res.json().token;
    const blocked = await t.inject('GET', '/api/v1/staff', token);
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().code).toBe('totp_enrolment_required');
    expect((await t.inject('GET', '/api/v1/me', token)).json().mustEnrolTotp).toBe(true);
    await enrol(token);
    expect((await t.inject('GET', '/api/v1/staff', token)).statusCode).toBe(200);
    await t.inject('PATCH', '/api/v1/roles/trainer', admin.token, { requireTotp: false });
  });

  it('a disabled account cannot sign in and loses its sessions', async () => {
    const admin = await t.as(['admin']);
    const s = await t.staff({ roles: ['agent'] });
    const token = await t.login(s.employeeNo, s.password);
    const off = await t.inject('PATCH', `/api/v1/staff/${s.id}`, admin.token, { active: false });
    expect(off.statusCode).toBe(200);
    expect((await t.inject('GET', '/api/v1/me', token)).statusCode).toBe(401);
    const res = await t.inject('POST', '/api/v1/auth/login', undefined, { employeeNo: s.employeeNo, password: s.password });
    expect(res.json().code).toBe('account_disabled');
  });

  it('changing the password ends other sessions and needs the current password', async () => {
    const s = await t.staff({ roles: ['agent'] });
    const a = await t.login(s.employeeNo, s.password);
    const b = await t.login(s.employeeNo, s.password);
    const bad = await t.inject('POST', '/api/v1/me/password', a, { currentPassword: 'nope-nope', newPassword: 'NewPassw0rd!' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('currentPassword');
    expect((await t.inject('POST', '/api/v1/me/password', a, { currentPassword: s.password, newPassword: 'NewPassw0rd!' })).statusCode).toBe(204);
    expect((await t.inject('GET', '/api/v1/me', b)).statusCode).toBe(401);
    expect((await t.inject('GET', '/api/v1/me', a)).statusCode).toBe(200);
    await t.login(s.employeeNo, 'NewPassw0rd!');
  });
});

describe('authorization', () => {
  it('denies other roles the admin endpoints with forbidden, and writes nothing', async () => {
    const admin = await t.as(['admin']);
    for (const role of ['director', 'supervisor', 'agent', 'frontdesk', 'technician', 'qa', 'trainer'] as const) {
      const { token } = await t.as([role]);
      const before = (await t.auditRows('staff.created')).length;
      const create = await t.inject('POST', '/api/v1/staff', token, { employeeNo: `Z${role}`, name: 'x', password: 'Passw0rd!', roles: ['admin'] });
      expect(create.statusCode, role).toBe(403);
      expect(create.json().code).toBe('forbidden');
      // Even an invalid body is refused for the missing permission first.
      expect((await t.inject('POST', '/api/v1/staff', token, { nonsense: true })).statusCode).toBe(403);
      expect((await t.inject('PATCH', '/api/v1/roles/agent', token, { requireTotp: true })).statusCode).toBe(403);
      expect((await t.inject('POST', `/api/v1/staff/${admin.staff.id}/reset-totp`, token)).statusCode).toBe(403);
      expect((await t.auditRows('staff.created')).length).toBe(before);
    }
    for (const role of ['agent', 'technician', 'frontdesk', 'trainer', 'qa', 'supervisor'] as const) {
      const { token } = await t.as([role]);
      expect((await t.inject('GET', '/api/v1/audit', token)).statusCode, role).toBe(403);
    }
    const director = await t.as(['director']);
    expect((await t.inject('GET', '/api/v1/audit', director.token)).statusCode).toBe(200);
  });

  it('shows admins the role → permission table', async () => {
    const admin = await t.as(['admin']);
    const res = await t.inject('GET', '/api/v1/roles', admin.token);
    expect(res.statusCode).toBe(200);
    const roles = res.json().items.map((r: { role: string }) => r.role);
    expect(roles).toEqual(['admin', 'director', 'supervisor', 'agent', 'frontdesk', 'technician', 'qa', 'trainer']);
    const agent = res.json().items.find((r: { role: string }) => r.role === 'agent');
    expect(agent.defaultCompensationLimitFen).toBe(20_000);
    expect(agent.permissions).not.toContain('staff.manage');
  });
});

describe('staff administration', () => {
  it('creates staff with roles, team, skills and limit; validation names every bad field', async () => {
    const admin = await t.as(['admin']);
    const team = await t.inject('POST', '/api/v1/teams', admin.token, { name: '测试班组' });
    expect(team.statusCode).toBe(201);
    const res = await t.inject('POST', '/api/v1/staff', admin.token, {
      employeeNo: 'N1001',
      name: '新员工',
      password: 'Passw0rd!',
      roles: ['agent'],
      teamId: team.json().id,
      skills: ['报修受理'],
      compensationLimitFen: 30000,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ employeeNo: 'N1001', teamName: '测试班组', skills: ['报修受理'], compensationLimitFen: 30000 });
    expect(res.body).not.toMatch(/password/i);
    const dup = await t.inject('POST', '/api/v1/staff', admin.token, { employeeNo: 'N1001', name: 'x', password: 'Passw0rd!', roles: ['agent'] });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().errors[0].path).toBe('employeeNo');
    const bad = await t.inject('POST', '/api/v1/staff', admin.token, {
      employeeNo: 'has space',
      name: '',
      password: 'short',
      roles: ['king'],
      compensationLimitFen: -1,
    });
    expect(bad.statusCode).toBe(400);
    const paths = bad
      .json()
      .errors.map((e: { path: string }) => e.path)
      .sort();
    expect(paths).toEqual(expect.arrayContaining(['employeeNo', 'name', 'password', 'roles[0]', 'compensationLimitFen']));
    const audit = await t.auditRows('staff.created');
    const row = audit.find((a) => a.target_id === res.json().id)!;
    expect(JSON.stringify(row.changes)).not.toMatch(/Passw0rd|argon2/);
  });

  it('lists staff with search and cursor pagination', async () => {
    const admin = await t.as(['admin']);
    for (let i = 0; i < 5; i++) await t.staff({ roles: ['agent'], employeeNo: `PG${i}`, name: `分页${i}` });
    const p1 = await t.inject('GET', '/api/v1/staff?q=PG&limit=2', admin.token);
    expect(p1.json().items.map((s: { employeeNo: string }) => s.employeeNo)).toEqual(['PG0', 'PG1']);
    const p2 = await t.inject('GET', `/api/v1/staff?q=PG&limit=2&cursor=${p1.json().nextCursor}`, admin.token);
    expect(p2.json().items.map((s: { employeeNo: string }) => s.employeeNo)).toEqual(['PG2', 'PG3']);
    const byName = await t.inject('GET', `/api/v1/staff?q=${encodeURIComponent('分页4')}`, admin.token);
    expect(byName.json().items).toHaveLength(1);
    const badLimit = await t.inject('GET', '/api/v1/staff?limit=abc', admin.token);
    expect(badLimit.statusCode).toBe(400);
    expect(badLimit.json().errors[0].path).toBe('querystring.limit');
  });

  it('resets password and TOTP, recording both in the audit trail with before/after', async () => {
    const admin = await t.as(['admin']);
    const s = await t.staff({ roles: ['agent'] });
    const token = await t.login(s.employeeNo, s.password);
    await enrol(token);
    expect((await t.inject('POST', `/api/v1/staff/${s.id}/reset-totp`, admin.token)).statusCode).toBe(204);
    expect((await t.inject('POST', `/api/v1/staff/${s.id}/reset-password`, admin.token, { password: 'Fresh-Passw0rd' })).statusCode).toBe(204);
    await t.login(s.employeeNo, 'Fresh-Passw0rd'); // no OTP needed any more
    const audit = await t.inject('GET', `/api/v1/audit?targetType=staff&targetId=${s.id}`, admin.token);
    const actions = audit.json().items.map((i: { action: string }) => i.action);
    expect(actions).toEqual(expect.arrayContaining(['staff.totp_reset', 'staff.password_reset', 'staff.totp_enrolled']));
    const reset = audit.json().items.find((i: { action: string }) => i.action === 'staff.totp_reset');
    expect(reset.changes).toEqual({ totpEnabled: { before: true, after: false } });
    expect(reset.actorId).toBe(admin.staff.id);
  });

  it('returns not_found for unknown ids and validation_failed for malformed ones', async () => {
    const admin = await t.as(['admin']);
    const nf = await t.inject('GET', '/api/v1/staff/01900000-0000-7000-8000-000000000000', admin.token);
    expect(nf.statusCode).toBe(404);
    expect(nf.json().code).toBe('not_found');
    const bad = await t.inject('GET', '/api/v1/staff/not-a-uuid', admin.token);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('params.id');
  });
});

describe('teams', () => {
  it('counts active members and names the supervisor', async () => {
    const admin = await t.as(['admin']);
    const sup = await t.staff({ roles: ['supervisor'] });
    const team = (await t.inject('POST', '/api/v1/teams', admin.token, { name: '计数组', supervisorId: sup.id })).json();
    await t.staff({ roles: ['agent'], teamId: team.id });
    await t.staff({ roles: ['agent'], teamId: team.id });
    const list = await t.inject('GET', '/api/v1/teams', admin.token);
    expect(list.json().items.find((x: { id: string }) => x.id === team.id)).toMatchObject({ memberCount: 2, supervisorName: sup.name });
  });
});
