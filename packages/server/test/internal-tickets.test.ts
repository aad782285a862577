import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidateCatalogue } from '../src/engine/engine';
import { testApp, type TestApp } from './harness';
import { deactivateAll, standard, waitFor } from './standards-helpers';
import { envValues } from '../src/demo/environment';

/**
 * Internal tickets (内部工单): the organisation's own work (environment corrective tasks, tasks staff open) on the
 * internal customer, who is never listed; a customer never sees one; no survey, after-care or revisit; customer
 * standards do not time them unless they name the type.
 */
let t: TestApp;
type Who = { token: string; staff: { id: string } };
let admin: Who, agent: Who, qa: Who;
let customerId: string;
const api = (m: 'GET' | 'POST' | 'PATCH', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);
const rows = <T>(q: ReturnType<typeof sql>) => t.database.rows<T>(q);

async function internalTicket(subject = '更换大堂灯管') {
  const res = await api('POST', '/tickets', agent.token, { type: 'internal', channel: 'walk_in', subject });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string; number: string }>();
}
async function portalLogin(phone: string) {
  const code = (await api('POST', '/portal/auth/code', undefined, { phone })).json().demoCode as string;
  const res = await api('POST', '/portal/auth/verify', undefined, { phone, code });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ token: string; customer: { id: string } }>();
}

beforeAll(async () => {
  t = await testApp({ CHIDU_DEMO: '1' });
  admin = await t.as(['admin']);
  agent = await t.as(['agent']);
  qa = await t.as(['qa']);
  customerId = (await api('POST', '/customers', agent.token, { name: '内部测试业主', tier: 'regular' })).json().id;
});
afterAll(async () => t?.close());

describe('creating internal tickets', () => {
  it('staff create one without a customer; it belongs to the one internal customer', async () => {
    const a = await internalTicket();
    const b = await internalTicket('补充饮水机');
    const [ra, rb] = [(await api('GET', `/tickets/${a.id}`, agent.token)).json(), (await api('GET', `/tickets/${b.id}`, agent.token)).json()];
    expect(ra.type).toBe('internal');
    expect(ra.customerId).toBe(rb.customerId);
    const [c] = await rows<{ internal: boolean; n: number }>(
      sql`SELECT bool_and(internal) AS internal, count(*)::int AS n FROM customers WHERE internal OR id = ${ra.customerId}`,
    );
    expect(c).toEqual({ internal: true, n: 1 });
  });

  it('other types still need a customer (400 naming customerId); the internal customer takes only internal tickets', async () => {
    const none = await api('POST', '/tickets', agent.token, { type: 'repair', channel: 'phone', subject: '漏水' });
    expect(none.statusCode).toBe(400);
    expect(none.json().errors[0].path).toBe('customerId');
    const [internal] = await rows<{ id: string }>(sql`SELECT id FROM customers WHERE internal`);
    const onInternal = await api('POST', '/tickets', agent.token, { customerId: internal!.id, type: 'repair', channel: 'phone', subject: '漏水' });
    expect(onInternal.statusCode).toBe(400);
    expect(onInternal.json().errors[0].path).toBe('customerId');
    const onCustomer = await api('POST', '/tickets', agent.token, { customerId, type: 'internal', channel: 'phone', subject: '漏水' });
    expect(onCustomer.statusCode).toBe(400);
    expect(onCustomer.json().errors[0].path).toBe('customerId');
    const bad = await api('POST', '/tickets', agent.token, { type: 'chores', channel: 'phone', subject: '漏水' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('type');
  });

  it('the type does not cross between internal and customer tickets; nobody to compensate', async () => {
    const { id } = await internalTicket('检修电梯');
    const detail = await api('GET', `/tickets/${id}`, agent.token);
    expect(detail.json().allowed).toMatchObject({ compensate: false, note: true });
    const comp = await api('POST', `/tickets/${id}/compensations`, agent.token, { kind: 'gift', amountFen: 100, reason: '测试' });
    expect(comp.statusCode).toBe(409);
    expect(comp.json().reason).toBe('ticket_internal');
    // Nobody to reply to: a public reply is refused, an internal note is fine.
    expect(detail.json().allowed).toMatchObject({ reply: false });
    const reply = await api('POST', `/tickets/${id}/replies`, agent.token, { body: '已安排维修', visibility: 'public' });
    expect(reply.statusCode).toBe(409);
    expect(reply.json().reason).toBe('ticket_internal');
    const note = await api('POST', `/tickets/${id}/replies`, agent.token, { body: '已安排维修', visibility: 'internal' });
    expect(note.statusCode).toBe(201);
    const patched = await api('PATCH', `/tickets/${id}`, agent.token, { type: 'repair' });
    expect(patched.statusCode).toBe(400);
    expect(patched.json().errors[0].path).toBe('type');
  });

  it('who may not create tickets may not create internal ones', async () => {
    const res = await api('POST', '/tickets', qa.token, { type: 'internal', channel: 'walk_in', subject: '巡检' });
    expect([403]).toContain(res.statusCode);
  });
});

describe('the internal customer is nobody to pick', () => {
  it('is not in the customer list or its search, and the first customer listed is a real person', async () => {
    const [internal] = await rows<{ id: string; name: string }>(sql`SELECT id, name FROM customers WHERE internal`);
    const list = (await api('GET', '/customers?limit=200', agent.token)).json<{ items: { id: string }[] }>();
    expect(list.items.map((c) => c.id)).not.toContain(internal!.id);
    const first = (await api('GET', '/customers?limit=3', agent.token)).json<{ items: { id: string }[] }>().items[0]!;
    expect((await rows<{ internal: boolean }>(sql`SELECT internal FROM customers WHERE id = ${first.id}`))[0]!.internal).toBe(false);
    const found = (await api('GET', `/customers?q=${encodeURIComponent(internal!.name)}`, agent.token)).json<{ items: { id: string }[] }>();
    expect(found.items.map((c) => c.id)).not.toContain(internal!.id);
    // Staff following a link still read it, marked internal.
    const one = await api('GET', `/customers/${internal!.id}`, agent.token);
    expect(one.statusCode).toBe(200);
    expect(one.json().internal).toBe(true);
  });
});

describe('customers never see internal tickets', () => {
  it('the portal refuses the type and hides an internal ticket even on the customer', async () => {
    const me = await portalLogin('13922229001');
    const bad = await api('POST', '/portal/tickets', me.token, { type: 'internal', subject: '内部' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('type');
    const own = await api('POST', '/portal/tickets', me.token, { type: 'repair', subject: '门锁坏了' });
    expect(own.statusCode, own.body).toBe(201);
    const id = own.json().id as string;
    expect((await api('GET', '/portal/tickets', me.token)).json().items.map((x: { id: string }) => x.id)).toContain(id);
    // Even were an internal ticket on this customer, the one visibility rule keeps it from them.
    await rows(sql`UPDATE tickets SET type = 'internal' WHERE id = ${id}`);
    expect((await api('GET', '/portal/tickets', me.token)).json().items.map((x: { id: string }) => x.id)).not.toContain(id);
    expect((await api('GET', `/tickets/${id}`, me.token)).statusCode).toBe(404);
    const { id: internalId } = await internalTicket('清洗水箱');
    expect((await api('GET', `/tickets/${internalId}`, me.token)).statusCode).toBe(404);
    await rows(sql`UPDATE tickets SET type = 'repair' WHERE id = ${id}`);
  });
});

describe('no survey, after-care or revisit', () => {
  it('resolving an internal ticket invites nobody and plans no care, even with rules for every type', async () => {
    // A survey rule for every resolved ticket, and after-care for internal ones too (as a careless admin might).
    await rows(sql`UPDATE survey_templates SET rules = jsonb_set(rules, '{ticketTypes}', '[]'::jsonb)`);
    const { id } = await internalTicket('修复门禁');
    const res = await api('POST', `/tickets/${id}/resolve`, agent.token, { resolution: '已修复' });
    expect(res.statusCode, res.body).toBe(200);
    const [n] = await rows<{ inv: number; care: number; plans: number }>(sql`SELECT
      (SELECT count(*)::int FROM survey_invitations WHERE ticket_id = ${id}) AS inv,
      (SELECT count(*)::int FROM care_tasks WHERE ticket_id = ${id}) AS care,
      (SELECT count(*)::int FROM care_plans WHERE ticket_id = ${id}) AS plans`);
    expect(n).toEqual({ inv: 0, care: 0, plans: 0 });
    const manual = await api('POST', `/tickets/${id}/surveys`, agent.token, {});
    expect(manual.statusCode).toBe(409);
    // A customer ticket resolved the same way is invited (the rule itself works).
    const c = await api('POST', '/tickets', agent.token, { customerId, type: 'inquiry', channel: 'phone', subject: '停车' });
    await api('POST', `/tickets/${c.json().id}/resolve`, agent.token, { resolution: '已答复' });
    const [m] = await rows<{ inv: number }>(sql`SELECT count(*)::int AS inv FROM survey_invitations WHERE ticket_id = ${c.json().id}`);
    expect(m!.inv).toBeGreaterThan(0);
  });
});

describe('standards', () => {
  it('a scope without types times customer tickets only; the corrective standard names internal', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, { code: 'INT-ANY', name: '任意工单（测试）', start: 'ticket.created', stop: 'ticket.resolved', limitSeconds: 3600 });
    const [env] = await rows<{ id: string }>(sql`SELECT id FROM standards WHERE code = 'ENV-CORRECTIVE'`);
    if (env) await rows(sql`UPDATE standards SET active = true WHERE id = ${env.id}`);
    else expect((await api('POST', '/standards/templates/env-corrective-1bd/adopt', admin.token)).statusCode).toBe(201);
    invalidateCatalogue();
    const tpl = (await api('GET', '/standards/templates', admin.token)).json().items.find((x: { key: string }) => x.key === 'env-corrective-1bd');
    expect(JSON.stringify(tpl)).toContain('"types":["internal"]');

    const codes = async (ticketId: string) =>
      (
        await rows<{ code: string }>(
          sql`SELECT s.code FROM standard_instances i JOIN standards s ON s.id = i.standard_id WHERE i.ticket_id = ${ticketId} ORDER BY s.code`,
        )
      ).map((r) => r.code);
    const { id: internalId } = await internalTicket('调试空调');
    const c = await api('POST', '/tickets', agent.token, { customerId, type: 'repair', channel: 'phone', subject: '空调' });
    expect(await codes(c.json().id)).toEqual(['INT-ANY']);
    expect(await codes(internalId)).toEqual([]);

    // An environment check's corrective task: the env standard, not the customer one.
    const site = (await api('POST', '/sites', admin.token, { name: '内部工单测试场所' })).json<{ id: string }>();
    const template = (await api('GET', '/env/templates', qa.token)).json().items.find((x: { key: string | null }) => x.key === 'default').id;
    const check = await api('POST', '/env/checks', qa.token, { siteId: site.id, templateId: template, values: envValues({ noise: 60 }) });
    expect(check.statusCode, check.body).toBe(201);
    const task = check.json().tasks[0];
    expect((await api('GET', `/tickets/${task.ticket.id}`, admin.token)).json().type).toBe('internal');
    expect(await waitFor(async () => (await codes(task.ticket.id)).join(','))).toBe('ENV-CORRECTIVE');
    await deactivateAll(t.database);
  });
});
