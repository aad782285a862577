import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';
import { testApp, type TestApp } from './harness';

let t: TestApp;
beforeAll(async () => { t = await testApp(); });
afterAll(async () => { await t?.close(); });

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
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/staff', '/api/v1/customers', '/api/v1/customers/{id}', '/api/v1/audit']));
    expect(doc.paths['/api/v1/customers'].post.requestBody.content['application/json'].schema.properties.tier.enum).toEqual(['diamond', 'gold', 'silver', 'regular']);
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
    const res = await t.inject('POST', '/api/v1/staff', admin.token, { employeeNo: 'TXN1', name: 'x', password: 'Passw0rd!', roles: ['agent'], teamId: '01900000-0000-7000-8000-000000000000' });
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
    try { loadConfig({ CHIDU_BOOTSTRAP_ADMIN: 'A:short' }); } catch (e) { expect(String(e)).not.toContain('short'); }
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
