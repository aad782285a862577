import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../src/modules/field/field.time';
import { runMaintenancePass } from '../src/modules/field/field.maintenance.worker';
import { testApp, type TestApp } from './harness';

/** Preventive maintenance (#16 item 7): recurring-fault proposals (3 repairs in 90 days), plans. */
let t: TestApp;
let admin: string;
let agent: string;
let supervisor: { token: string; id: string };
let tech: { token: string; id: string };
let customerId: string;
const api = (m: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);

async function site(name: string) {
  const res = await api('POST', '/sites', admin, { name });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}
async function ticket(type: string, siteId?: string) {
  const res = await api('POST', '/tickets', agent, {
    customerId,
    type,
    channel: 'phone',
    subject: '空调不制冷',
    description: '又坏了',
    ...(siteId ? { siteId } : {}),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string; number: string }>();
}
let slot = 0;
async function visit(ticketId: string, siteId?: string, technicianId?: string) {
  const start = new Date(Date.UTC(2031, 2, 1) + ++slot * 2 * 3_600_000);
  const res = await api('POST', `/tickets/${ticketId}/visits`, admin, {
    start: start.toISOString(),
    end: new Date(start.getTime() + 3_600_000).toISOString(),
    ...(siteId ? { siteId } : {}),
    ...(technicianId ? { technicianId } : {}),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}
const proposals = async (state?: string) =>
  (await api('GET', `/field/maintenance/proposals${state ? `?state=${state}` : ''}`, supervisor.token)).json().items as {
    id: string;
    subjectKind: string;
    subjectId: string;
    subjectName: string;
    state: string;
    planId: string | null;
    tickets: { id: string; number: string }[];
  }[];
const of = async (subjectId: string, state?: string) => (await proposals(state)).filter((p) => p.subjectId === subjectId);

beforeAll(async () => {
  t = await testApp();
  admin = (await t.as(['admin'])).token;
  agent = (await t.as(['agent'])).token;
  const s = await t.as(['supervisor']);
  supervisor = { token: s.token, id: s.staff.id };
  const a = await t.as(['technician']);
  tech = { token: a.token, id: a.staff.id };
  customerId = (await api('POST', '/customers', agent, { name: '李雷', phone: '13900139000' })).json().id;
});
afterAll(async () => t?.close());

describe('recurring faults', () => {
  it('three repairs at one site in 90 days open one proposal with the history and notify field managers', async () => {
    const s = await site('幸福里 3栋 1201');
    const t1 = await ticket('repair', s);
    await visit(t1.id);
    // A complaint at the site is not a repair.
    await visit((await ticket('complaint', s)).id);
    const t2 = await ticket('after_sales');
    await visit(t2.id, s);
    expect(await of(s)).toHaveLength(0);
    const t3 = await ticket('repair', s);
    await visit(t3.id);
    const open = await of(s, 'open');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ subjectKind: 'site', subjectName: '幸福里 3栋 1201', state: 'open', planId: null });
    expect(open[0]!.tickets.map((x) => x.number)).toEqual([t1.number, t2.number, t3.number]);
    const notes = await t.database.rows<{ recipient_id: string; title: string }>(
      sql`SELECT recipient_id, title FROM notifications WHERE kind = 'field.maintenance_proposal' AND data->>'subjectId' = ${s}`,
    );
    expect(notes.map((n) => n.recipient_id)).toContain(supervisor.id);
    expect(notes.map((n) => n.recipient_id)).not.toContain(tech.id);
    expect(notes[0]!.title).toContain('幸福里 3栋 1201');
    // A fourth repair joins the open proposal's history: still one open proposal.
    const t4 = await ticket('repair', s);
    await visit(t4.id);
    const again = await of(s, 'open');
    expect(again).toHaveLength(1);
    expect(again[0]!.tickets.map((x) => x.id)).toEqual([t1.id, t2.id, t3.id, t4.id]);
    const n = await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM field_maintenance_proposals WHERE subject_id = ${s}`);
    expect(n[0]!.n).toBe(1);
  });

  it('repairs older than the window do not count; the rule is a setting', async () => {
    const s = await site('老旧repair');
    const old = await ticket('repair', s);
    await visit(old.id);
    await t.database.db.execute(sql`UPDATE tickets SET created_at = now() - interval '91 days' WHERE id = ${old.id}`);
    await visit((await ticket('repair', s)).id);
    await visit((await ticket('repair', s)).id);
    expect(await of(s)).toHaveLength(0);
    expect((await api('GET', '/field/maintenance/settings', supervisor.token)).json()).toEqual({ threshold: 3, windowDays: 90 });
    expect((await api('PUT', '/field/maintenance/settings', agent, { threshold: 2, windowDays: 90 })).statusCode).toBe(403);
    const bad = await api('PUT', '/field/maintenance/settings', supervisor.token, { threshold: 1, windowDays: 90 });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('threshold');
    expect((await api('PUT', '/field/maintenance/settings', supervisor.token, { threshold: 3, windowDays: 120 })).statusCode).toBe(200);
    await visit((await ticket('repair', s)).id);
    expect(await of(s, 'open')).toHaveLength(1);
    await api('PUT', '/field/maintenance/settings', supervisor.token, { threshold: 3, windowDays: 90 });
  });

  it('three repairs checked in on one asset propose maintenance of the asset', async () => {
    const s = await site('望京网点');
    const asset = (await api('POST', '/assets', admin, { siteId: s, name: '空调外机 KFR-35' })).json().id as string;
    const code = (await api('GET', `/assets/${asset}/qr`, admin)).json().code as string;
    for (let i = 0; i < 3; i++) {
      const tk = await ticket('repair');
      const v = await visit(tk.id, s, tech.id);
      const res = await api('POST', `/visits/${v}/arrive`, tech.token, { code });
      expect(res.statusCode, res.body).toBe(200);
    }
    const open = await of(asset, 'open');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ subjectKind: 'asset', subjectName: '空调外机 KFR-35' });
    expect(open[0]!.tickets).toHaveLength(3);
  });

  it('accept creates a plan, dismiss needs a reason; decided proposals are not reopened by the same repairs', async () => {
    const s = await site('阳光花园 2栋');
    for (let i = 0; i < 3; i++) await visit((await ticket('repair', s)).id);
    const [p] = await of(s, 'open');
    expect((await api('GET', '/field/maintenance/proposals', tech.token)).statusCode).toBe(403);
    expect((await api('POST', `/field/maintenance/proposals/${p!.id}/accept`, agent, { everyMonths: 3 })).statusCode).toBe(403);
    const both = await api('POST', `/field/maintenance/proposals/${p!.id}/accept`, supervisor.token, { everyMonths: 3, everyDays: 30 });
    expect(both.statusCode).toBe(400);
    expect(both.json().errors[0].path).toBe('everyDays');
    const neither = await api('POST', `/field/maintenance/proposals/${p!.id}/accept`, supervisor.token, { leadDays: 3 });
    expect(neither.statusCode).toBe(400);
    const ok = await api('POST', `/field/maintenance/proposals/${p!.id}/accept`, supervisor.token, {
      everyMonths: 3,
      leadDays: 10,
      startDate: '2031-01-31',
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ state: 'accepted', decidedBy: supervisor.id });
    const planId = ok.json().planId as string;
    const again = await api('POST', `/field/maintenance/proposals/${p!.id}/accept`, supervisor.token, { everyMonths: 3 });
    expect(again.statusCode).toBe(409);
    const plans = (await api('GET', '/field/maintenance/plans', supervisor.token)).json().items as Record<string, unknown>[];
    expect(plans.find((x) => x.id === planId)).toMatchObject({
      subjectKind: 'site',
      subjectId: s,
      everyN: 3,
      unit: 'month',
      leadDays: 10,
      startDate: '2031-01-31',
      nextDue: '2031-01-31',
      active: true,
    });
    // The decided proposal stays decided; one more repair does not reopen it (the earlier ones were weighed).
    await visit((await ticket('repair', s)).id);
    expect(await of(s, 'open')).toHaveLength(0);

    const s2 = await site('阳光花园 3栋');
    for (let i = 0; i < 3; i++) await visit((await ticket('repair', s2)).id);
    const [q] = await of(s2, 'open');
    const empty = await api('POST', `/field/maintenance/proposals/${q!.id}/dismiss`, supervisor.token, { reason: ' ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('reason');
    const d = await api('POST', `/field/maintenance/proposals/${q!.id}/dismiss`, supervisor.token, { reason: '已更换整机' });
    expect(d.json()).toMatchObject({ state: 'dismissed', reason: '已更换整机', planId: null });
    expect((await api('POST', `/field/maintenance/proposals/${q!.id}/dismiss`, supervisor.token, { reason: 'x' })).statusCode).toBe(409);
    expect(
      (await api('POST', `/field/maintenance/proposals/${'019aa000-0000-7000-8000-000000000009'}/dismiss`, supervisor.token, { reason: 'x' })).statusCode,
    ).toBe(404);
    // Three new repairs after the dismissal propose again.
    for (let i = 0; i < 3; i++) await visit((await ticket('repair', s2)).id);
    expect(await of(s2, 'open')).toHaveLength(1);
  });
});

describe('plans', () => {
  it('creates, lists with the next due date and pauses plans; names bad input', async () => {
    const s = await site('汇金大厦');
    const asset = (await api('POST', '/assets', admin, { siteId: s, name: '电梯 2 号' })).json().id as string;
    const res = await api('POST', '/field/maintenance/plans', supervisor.token, { assetId: asset, everyDays: 30, leadDays: 5, startDate: '2020-01-01' });
    expect(res.statusCode, res.body).toBe(201);
    const plan = res.json();
    expect(plan).toMatchObject({ subjectKind: 'asset', subjectName: '电梯 2 号', everyN: 30, unit: 'day', active: true });
    const today = new Date().toISOString().slice(0, 10);
    expect(plan.nextDue >= today).toBe(true);
    expect(((Date.parse(plan.nextDue) - Date.parse('2020-01-01')) / 86_400_000) % 30).toBe(0);
    const both = await api('POST', '/field/maintenance/plans', supervisor.token, { assetId: asset, siteId: s, everyDays: 30 });
    expect(both.statusCode).toBe(400);
    expect(both.json().errors[0].path).toBe('assetId');
    const unknown = await api('POST', '/field/maintenance/plans', supervisor.token, { siteId: '019aa000-0000-7000-8000-000000000009', everyDays: 30 });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0].path).toBe('siteId');
    const badDate = await api('POST', '/field/maintenance/plans', supervisor.token, { siteId: s, everyDays: 30, startDate: '1.1.2031' });
    expect(badDate.statusCode).toBe(400);
    expect(badDate.body).toContain('startDate');
    expect((await api('POST', '/field/maintenance/plans', agent, { siteId: s, everyDays: 30 })).statusCode).toBe(403);
    const paused = await api('PATCH', `/field/maintenance/plans/${plan.id}`, supervisor.token, { active: false });
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json().active).toBe(false);
    expect((await api('PATCH', `/field/maintenance/plans/019aa000-0000-7000-8000-000000000009`, supervisor.token, { active: false })).statusCode).toBe(404);
  });
});

describe('the maintenance pass', () => {
  it('generates one ticket with a dispatched visit per due date, even when two passes run at once', async () => {
    const hours: [string, string][] = [['09:00', '18:00']];
    const cal = await api('POST', '/calendars', admin, {
      name: '维保班表',
      timeZone: 'Asia/Shanghai',
      weekly: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: hours, sun: hours },
      holidays: null,
    });
    expect(cal.statusCode, cal.body).toBe(201);
    const worker = await t.as(['technician']);
    const prof = await api('PUT', '/field/technicians', admin, { staffId: worker.staff.id, calendarId: cal.json().id, skills: [], areaSiteIds: [] });
    expect(prof.statusCode, prof.body).toBe(200);
    const s = await site('锦绣公寓');
    const asset = (await api('POST', '/assets', admin, { siteId: s, name: '二次供水泵' })).json().id as string;
    const today = localDate(new Date());
    const plan = (await api('POST', '/field/maintenance/plans', supervisor.token, { assetId: asset, everyMonths: 1, leadDays: 0, startDate: today })).json();
    expect(plan.nextDue).toBe(today);
    const later = (await api('POST', '/field/maintenance/plans', supervisor.token, { siteId: s, everyDays: 7, leadDays: 2, startDate: '2099-01-01' })).json();

    await Promise.all([runMaintenancePass(t.database), runMaintenancePass(t.database)]);
    await runMaintenancePass(t.database);
    const runs = await t.database.rows<{ plan_id: string; due_date: string; ticket_id: string; visit_id: string | null }>(
      sql`SELECT plan_id, due_date::text AS due_date, ticket_id, visit_id FROM field_maintenance_runs WHERE plan_id IN (${plan.id}, ${later.id})`,
    );
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ plan_id: plan.id, due_date: today });
    const tk = await t.database.rows<{ subject: string; type: string; site_id: string; tags: string[]; n: string }>(
      sql`SELECT t.subject, t.type, t.site_id, t.tags, c.name AS n FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE t.id = ${runs[0]!.ticket_id}`,
    );
    expect(tk[0]).toMatchObject({ subject: '预防性维护：二次供水泵', type: 'repair', site_id: s, n: '内部工单' });
    expect(tk[0]!.tags).toContain('预防性维护');
    const v = await t.database.rows<{ technician_id: string | null; starts_at: Date; ends_at: Date; state: string }>(
      sql`SELECT technician_id, starts_at, ends_at, state FROM field_visits WHERE id = ${runs[0]!.visit_id}`,
    );
    expect(v[0]!.technician_id).toBe(worker.staff.id);
    expect(v[0]!.state).toBe('scheduled');
    const start = new Date(v[0]!.starts_at);
    expect(start.getTime()).toBeGreaterThanOrEqual(Date.now() - 60_000);
    const h = (start.getUTCHours() + 8) % 24;
    expect(h).toBeGreaterThanOrEqual(9);
    expect(new Date(v[0]!.ends_at).getTime() - start.getTime()).toBe(2 * 3_600_000);
    expect((new Date(v[0]!.ends_at).getUTCHours() + 8) % 24 || 24).toBeLessThanOrEqual(18);
    // The generated ticket's visit does not count as a repair of the asset or site.
    expect(await of(s)).toHaveLength(0);
    // A paused plan generates nothing.
    const other = await site('锦绣公寓 2');
    const paused = (await api('POST', '/field/maintenance/plans', supervisor.token, { siteId: other, everyDays: 7, leadDays: 0, startDate: today })).json();
    await api('PATCH', `/field/maintenance/plans/${paused.id}`, supervisor.token, { active: false });
    await runMaintenancePass(t.database);
    expect(await t.database.rows(sql`SELECT 1 FROM field_maintenance_runs WHERE plan_id = ${paused.id}`)).toHaveLength(0);
  });
});
