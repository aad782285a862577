import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';
import { getEmailSender, type LogEmailSender } from '../src/realtime/delivery';
import { testApp, type TestApp } from './harness';
import { waitFor } from './standards-helpers';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t?.close();
});

describe('platform', () => {
  it('answers /healthz', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('serves an OpenAPI 3.1 document generated from the schemas, and the docs page', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/staff', '/api/v1/customers', '/api/v1/customers/{id}', '/api/v1/audit']),
    );
    expect(doc.paths['/api/v1/customers'].post.requestBody.content['application/json'].schema.properties.tier.enum).toEqual([
      'diamond',
      'gold',
      'silver',
      'regular',
    ]);
    const docs = await t.app.inject({ method: 'GET', url: '/api/docs' });
    expect([200, 302]).toContain(docs.statusCode);
  });

  it('answers unknown API routes with a problem and echoes a safe request id', async () => {
    const anon = await t.app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(anon.statusCode).toBe(401); // deny by default: route existence is not revealed
    const { token } = await t.as(['agent']);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/nope', headers: { 'x-request-id': 'abc-123', authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'not_found', requestId: 'abc-123' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const evil = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': '<script>' } });
    expect(evil.headers['x-request-id']).not.toBe('<script>');
  });

  it('the audit trail cannot be edited or deleted, even with SQL', async () => {
    const admin = await t.as(['admin']);
    await t.inject('POST', '/api/v1/teams', admin.token, { name: '审计测试组' });
    await expect(t.database.db.execute(sql`UPDATE audit_log SET action = 'x'`)).rejects.toThrow();
    await expect(t.database.db.execute(sql`DELETE FROM audit_log`)).rejects.toThrow();
    expect((await t.auditRows('team.created')).length).toBeGreaterThan(0);
    const routes = t.app.printRoutes();
    expect(routes).not.toMatch(/audit.*\((DELETE|PATCH|PUT)/);
  });

  it('a failing command leaves neither its row nor its audit entry', async () => {
    const admin = await t.as(['admin']);
    const before = (await t.auditRows()).length;
    const res = await t.inject('POST', '/api/v1/staff', admin.token, {
      employeeNo: 'TXN1',
      name: 'x',
      password: 'Passw0rd!',
      roles: ['agent'],
      teamId: '01900000-0000-7000-8000-000000000000',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('teamId');
    expect((await t.auditRows()).length).toBe(before);
    expect((await t.inject('GET', '/api/v1/staff?q=TXN1', admin.token)).json().items).toHaveLength(0);
  });
});

describe('configuration', () => {
  it('accepts defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', DATA_DIR: './data', CHIDU_DEMO: false });
  });
  it('stops with one clear line naming the bad value', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL must start with postgres/);
    expect(() => loadConfig({ CHIDU_BOOTSTRAP_ADMIN: 'admin' })).toThrow(/CHIDU_BOOTSTRAP_ADMIN/);
    expect(() => loadConfig({ CHIDU_BOOTSTRAP_ADMIN: 'admin:secretpw' })).not.toThrow();
    expect(() => loadConfig({ CHIDU_DEMO: 'maybe' })).toThrow(/CHIDU_DEMO/);
    try {
      loadConfig({ CHIDU_BOOTSTRAP_ADMIN: 'A:short' });
    } catch (e) {
      expect(String(e)).not.toContain('short');
    }
  });
});

describe('audit search', () => {
  it('labels targets and lists facets', async () => {
    const admin = await t.as(['admin']);
    const s = await t.inject('POST', '/api/v1/staff', admin.token, { employeeNo: 'LBL01', name: '标签测试', password: 'Passw0rd!', roles: ['agent'] });
    const res = await t.inject('GET', `/api/v1/audit?targetType=staff&targetId=${s.json().id}`, admin.token);
    expect(res.json().items[0]).toMatchObject({ action: 'staff.created', targetLabel: '标签测试（LBL01）', actorId: admin.staff.id });
    const facets = await t.inject('GET', '/api/v1/audit/facets', admin.token);
    expect(facets.json().actions).toContain('staff.created');
    expect(facets.json().targetTypes).toContain('staff');
  });
});

describe("server texts in the reader's language and error reasons (#17)", () => {
  it('a notification about a ticket event has an English title for an English reader and a Chinese one for zh-CN', async () => {
    const agent = await t.as(['agent']);
    const sup = await t.as(['supervisor']);
    const c = (await t.inject('POST', '/api/v1/customers', agent.token, { name: '通知语言', phone: '13900139017' })).json();
    const ticket = { customerId: c.id, type: 'repair', channel: 'phone', priority: 'normal', subject: '漏水' };
    const tk = (await t.inject('POST', '/api/v1/tickets', agent.token, ticket)).json();
    expect(tk.ownerId).toBe(agent.staff.id);
    const reply = await t.inject('POST', `/api/v1/tickets/${tk.id}/replies`, sup.token, { body: '已安排师傅上门', visibility: 'public' });
    expect(reply.statusCode).toBeLessThan(300);
    const read = async (lang: string) => {
      const res = await t.inject('GET', '/api/v1/notifications', agent.token, undefined, { 'accept-language': lang });
      expect(res.statusCode).toBe(200);
      const items = res.json().items as { kind: string; ticketId: string; title: string; data: Record<string, unknown> }[];
      return items.find((n) => n.kind === 'ticket.public_reply' && n.ticketId === tk.id)!;
    };
    const en = await read('en-US,en;q=0.9');
    expect(en.title).toBe(`${tk.number} New reply`);
    expect(en.data).not.toHaveProperty('_title');
    expect((await read('zh-CN')).title).toBe(`${tk.number} 有新的回复`);
    // A title stored as plain text (older rows) is shown as it is, whatever the language.
    await t.database.rows(sql`INSERT INTO notifications (recipient_id, kind, title) VALUES (${agent.staff.id}, 'legacy', '旧通知')`);
    const legacyList = (await t.inject('GET', '/api/v1/notifications', agent.token, undefined, { 'accept-language': 'en' })).json();
    const legacy = legacyList.items.find((n: { kind: string }) => n.kind === 'legacy');
    expect(legacy.title).toBe('旧通知');
  });

  it("e-mails a notification in the recipient's profile language", async () => {
    const agent = await t.as(['agent']);
    const sup = await t.as(['supervisor']);
    expect((await t.inject('PATCH', '/api/v1/me', agent.token, { locale: 'en' })).statusCode).toBe(200);
    const prefs = { email: { enabled: true, address: 'en-reader@example.com' }, kinds: ['ticket.public_reply'] };
    const put = await t.inject('PUT', '/api/v1/notifications/preferences', agent.token, prefs);
    expect(put.statusCode).toBe(200);
    const c = (await t.inject('POST', '/api/v1/customers', agent.token, { name: '邮件语言', phone: '13900139018' })).json();
    const ticket = { customerId: c.id, type: 'repair', channel: 'phone', priority: 'normal', subject: '停电' };
    const tk = (await t.inject('POST', '/api/v1/tickets', agent.token, ticket)).json();
    await t.inject('POST', `/api/v1/tickets/${tk.id}/replies`, sup.token, { body: '马上处理', visibility: 'public' });
    const mail = await waitFor(() => (getEmailSender() as LogEmailSender).sent.find((m) => m.to === 'en-reader@example.com'), 8000);
    expect(mail).toMatchObject({ subject: `[Chidu] ${tk.number} New reply` });
    expect(mail.text).toContain(`Ticket: ${tk.id}`);
    expect(mail.text).not.toContain('工单');
  });

  it("labels a staff target in the reader's language", async () => {
    const admin = await t.as(['admin']);
    const s = await t.inject('POST', '/api/v1/staff', admin.token, { employeeNo: 'LBL02', name: 'Label Test', password: 'Passw0rd!', roles: ['agent'] });
    const res = await t.inject('GET', `/api/v1/audit?targetType=staff&targetId=${s.json().id}`, admin.token, undefined, { 'accept-language': 'en' });
    expect(res.json().items[0]).toMatchObject({ action: 'staff.created', targetLabel: 'Label Test (LBL02)' });
  });

  it('refusals that depend on a record carry a stable reason', async () => {
    const admin = await t.as(['admin']);
    const body = { employeeNo: 'RSN01', name: '原因', password: 'Passw0rd!', roles: ['agent'] };
    expect((await t.inject('POST', '/api/v1/staff', admin.token, body)).statusCode).toBe(201);
    const dup = await t.inject('POST', '/api/v1/staff', admin.token, body);
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 'conflict', reason: 'employee_no_taken', params: { employeeNo: 'RSN01' } });
    const self = await t.inject('PATCH', `/api/v1/staff/${admin.staff.id}`, admin.token, { active: false });
    expect(self.statusCode).toBe(400);
    expect(self.json()).toMatchObject({ code: 'validation_failed', reason: 'cannot_disable_self' });

    const sup = await t.as(['supervisor']);
    const a = (await t.inject('POST', '/api/v1/customers', sup.token, { name: '甲', phone: '13700137017' })).json();
    const b = (await t.inject('POST', '/api/v1/customers', sup.token, { name: '乙', phone: '13700137018' })).json();
    expect((await t.inject('POST', `/api/v1/customers/${a.id}/merge`, sup.token, { intoId: b.id })).statusCode).toBe(200);
    const edit = await t.inject('PATCH', `/api/v1/customers/${a.id}`, sup.token, { name: '甲2' });
    expect(edit.statusCode).toBe(409);
    expect(edit.json()).toMatchObject({ code: 'conflict', reason: 'customer_merged' });
    const again = await t.inject('POST', `/api/v1/customers/${a.id}/merge`, sup.token, { intoId: b.id });
    expect(again.json()).toMatchObject({ code: 'conflict', reason: 'customer_already_merged' });
    // The same policy decides the flags the 360 view presents.
    expect((await t.inject('GET', `/api/v1/customers/${a.id}/360`, sup.token)).json().allowed).toEqual({ reveal: true, edit: false, merge: false });
    expect((await t.inject('GET', `/api/v1/customers/${b.id}/360`, sup.token)).json().allowed).toEqual({ reveal: true, edit: true, merge: true });
  });
});
