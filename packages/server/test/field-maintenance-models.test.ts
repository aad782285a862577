import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMaintenancePass } from '../src/modules/field/field.maintenance.worker';
import { localDate } from '../src/modules/field/field.time';
import { testApp, type TestApp } from './harness';

/** Preventive maintenance (#16 item 7): plans per asset model; a recurring-fault proposal accepted as an inspection (巡检). */
let t: TestApp;
let admin: string;
let agent: string;
let supervisor: { token: string; id: string };
let worker: { token: string; id: string };
let customerId: string;
const api = (m: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);

async function site(name: string) {
  const res = await api('POST', '/sites', admin, { name });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}
async function asset(siteId: string, name: string, model?: string) {
  const res = await api('POST', '/assets', admin, { siteId, name, ...(model ? { model } : {}) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}
let slot = 0;
async function repairAt(siteId: string) {
  const tk = await api('POST', '/tickets', agent, { customerId, type: 'repair', channel: 'phone', subject: '电梯困人', description: '又停了', siteId });
  expect(tk.statusCode, tk.body).toBe(201);
  const start = new Date(Date.UTC(2032, 4, 1) + ++slot * 2 * 3_600_000);
  const v = await api('POST', `/tickets/${tk.json().id}/visits`, admin, {
    start: start.toISOString(),
    end: new Date(start.getTime() + 3_600_000).toISOString(),
  });
  expect(v.statusCode, v.body).toBe(201);
}
type RunRow = { subject_id: string; ticket_id: string; visit_id: string | null };
const runsOf = (planId: string) =>
  t.database.rows<RunRow>(sql`SELECT subject_id, ticket_id, visit_id FROM field_maintenance_runs WHERE plan_id = ${planId} ORDER BY subject_id`);

beforeAll(async () => {
  t = await testApp();
  admin = (await t.as(['admin'])).token;
  agent = (await t.as(['agent'])).token;
  const s = await t.as(['supervisor']);
  supervisor = { token: s.token, id: s.staff.id };
  const w = await t.as(['technician']);
  worker = { token: w.token, id: w.staff.id };
  const hours: [string, string][] = [['09:00', '18:00']];
  const cal = await api('POST', '/calendars', admin, {
    name: '巡检班表',
    timeZone: 'Asia/Shanghai',
    weekly: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: hours, sun: hours },
    holidays: null,
  });
  expect(cal.statusCode, cal.body).toBe(201);
  const prof = await api('PUT', '/field/technicians', admin, { staffId: worker.id, calendarId: cal.json().id, skills: [], areaSiteIds: [] });
  expect(prof.statusCode, prof.body).toBe(200);
  customerId = (await api('POST', '/customers', agent, { name: '韩梅梅', phone: '13900139001' })).json().id;
});
afterAll(async () => t?.close());

describe('plans per asset model', () => {
  it('generate one ticket and visit per asset of the model, once per due date, also for an asset added later', async () => {
    const s1 = await site('滨江花园 1栋');
    const s2 = await site('滨江花园 2栋');
    const a1 = await asset(s1, '1号电梯', 'OTIS-GEN2');
    const a2 = await asset(s2, '2号电梯', 'OTIS-GEN2');
    const other = await asset(s2, '3号电梯', 'KONE-3000');
    const today = localDate(new Date());

    const bad = await api('POST', '/field/maintenance/plans', supervisor.token, { assetModel: 'OTIS-GEN2', siteId: s1, everyMonths: 1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('assetId');
    const blank = await api('POST', '/field/maintenance/plans', supervisor.token, { assetModel: '  ', everyMonths: 1 });
    expect(blank.statusCode).toBe(400);
    expect(blank.body).toContain('assetModel');
    expect((await api('POST', '/field/maintenance/plans', agent, { assetModel: 'OTIS-GEN2', everyMonths: 1 })).statusCode).toBe(403);

    const res = await api('POST', '/field/maintenance/plans', supervisor.token, { assetModel: 'OTIS-GEN2', everyMonths: 1, leadDays: 0, startDate: today });
    expect(res.statusCode, res.body).toBe(201);
    const plan = res.json();
    expect(plan).toMatchObject({ subjectKind: 'model', subjectId: null, subjectName: 'OTIS-GEN2', assetModel: 'OTIS-GEN2', assetCount: 2, nextDue: today });

    await Promise.all([runMaintenancePass(t.database), runMaintenancePass(t.database)]);
    expect(await runMaintenancePass(t.database)).toBe(0);
    const runs = await runsOf(plan.id);
    expect(runs.map((r) => r.subject_id).sort()).toEqual([a1, a2].sort());
    expect(runs.map((r) => r.subject_id)).not.toContain(other);
    for (const r of runs) {
      const tk = await t.database.rows<{ subject: string; site_id: string; tags: string[] }>(
        sql`SELECT subject, site_id, tags FROM tickets WHERE id = ${r.ticket_id}`,
      );
      const expected = r.subject_id === a1 ? { subject: '预防性维护：1号电梯', site_id: s1 } : { subject: '预防性维护：2号电梯', site_id: s2 };
      expect(tk[0]).toMatchObject(expected);
      expect(tk[0]!.tags).toContain('预防性维护');
      const v = await t.database.rows<{ site_id: string; technician_id: string | null }>(
        sql`SELECT site_id, technician_id FROM field_visits WHERE id = ${r.visit_id}`,
      );
      expect(v[0]).toMatchObject({ site_id: expected.site_id, technician_id: worker.id });
    }
    // The two visits do not overlap (one technician).
    const windows = await t.database.rows<{ starts_at: Date; ends_at: Date }>(
      sql`SELECT starts_at, ends_at FROM field_visits WHERE id IN (${runs[0]!.visit_id}, ${runs[1]!.visit_id}) ORDER BY starts_at`,
    );
    expect(new Date(windows[1]!.starts_at).getTime()).toBeGreaterThanOrEqual(new Date(windows[0]!.ends_at).getTime());

    // An asset of the model added later gets its visit for the same due date on the next pass; the others are not redone.
    const a3 = await asset(s1, '4号电梯', 'OTIS-GEN2');
    expect(await runMaintenancePass(t.database)).toBe(1);
    expect((await runsOf(plan.id)).map((r) => r.subject_id).sort()).toEqual([a1, a2, a3].sort());
    const listed = (await api('GET', '/field/maintenance/plans', supervisor.token)).json().items as { id: string; assetCount: number }[];
    expect(listed.find((p) => p.id === plan.id)?.assetCount).toBe(3);
  });
});

describe('a proposal accepted as an inspection', () => {
  it('schedules one inspection visit at the unit, records the outcome, and does not count as a repair', async () => {
    const unit = await site('阳光花园 3栋 1单元 1201');
    for (let i = 0; i < 3; i++) await repairAt(unit);
    const props = (await api('GET', '/field/maintenance/proposals?state=open', supervisor.token)).json().items as { id: string; subjectId: string }[];
    const p = props.find((x) => x.subjectId === unit)!;
    expect(p).toBeDefined();
    const url = `/field/maintenance/proposals/${p.id}/accept`;
    expect((await api('POST', url, agent, { outcome: 'inspection' })).statusCode).toBe(403);
    const past = await api('POST', url, supervisor.token, { outcome: 'inspection', date: '2020-01-01' });
    expect(past.statusCode).toBe(400);
    expect(past.json().errors[0].path).toBe('date');
    const wrong = await api('POST', url, supervisor.token, { outcome: 'survey' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('outcome');

    const ok = await api('POST', url, supervisor.token, { outcome: 'inspection' });
    expect(ok.statusCode, ok.body).toBe(200);
    const body = ok.json();
    expect(body).toMatchObject({ state: 'accepted', outcome: 'inspection', planId: null, decidedBy: supervisor.id });
    expect(body.inspectionTicketId).toBeTruthy();
    expect(body.inspectionVisitId).toBeTruthy();
    const tk = await t.database.rows<{ subject: string; site_id: string; tags: string[]; type: string }>(
      sql`SELECT subject, site_id, tags, type FROM tickets WHERE id = ${body.inspectionTicketId}`,
    );
    expect(tk[0]).toMatchObject({ subject: '巡检：阳光花园 3栋 1单元 1201', site_id: unit, type: 'repair' });
    expect(tk[0]!.tags).toEqual(expect.arrayContaining(['预防性维护', '巡检']));
    const v = await t.database.rows<{ ticket_id: string; site_id: string; technician_id: string | null; state: string; starts_at: Date }>(
      sql`SELECT ticket_id, site_id, technician_id, state, starts_at FROM field_visits WHERE id = ${body.inspectionVisitId}`,
    );
    expect(v[0]).toMatchObject({ ticket_id: body.inspectionTicketId, site_id: unit, technician_id: worker.id, state: 'scheduled' });
    expect(new Date(v[0]!.starts_at).getTime()).toBeGreaterThanOrEqual(Date.now() - 60_000);
    // Decided: a second accept (either way) is refused, and no plan was made.
    expect((await api('POST', url, supervisor.token, { outcome: 'inspection' })).statusCode).toBe(409);
    expect((await api('POST', url, supervisor.token, { everyMonths: 3 })).statusCode).toBe(409);
    const n = await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM field_maintenance_plans WHERE site_id = ${unit}`);
    expect(n[0]!.n).toBe(0);
    const listed = (await api('GET', '/field/maintenance/proposals?state=accepted', supervisor.token)).json().items as { id: string; outcome: string }[];
    expect(listed.find((x) => x.id === p.id)?.outcome).toBe('inspection');
    // The inspection ticket is not a fault: no new proposal opens from it.
    expect(
      ((await api('GET', '/field/maintenance/proposals?state=open', supervisor.token)).json().items as { subjectId: string }[]).filter(
        (x) => x.subjectId === unit,
      ),
    ).toHaveLength(0);
  });

  it('accepting as a plan records the outcome "plan"', async () => {
    const unit = await site('阳光花园 5栋 2单元 502');
    for (let i = 0; i < 3; i++) await repairAt(unit);
    const p = ((await api('GET', '/field/maintenance/proposals?state=open', supervisor.token)).json().items as { id: string; subjectId: string }[]).find(
      (x) => x.subjectId === unit,
    )!;
    const ok = await api('POST', `/field/maintenance/proposals/${p.id}/accept`, supervisor.token, { everyMonths: 6 });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ outcome: 'plan', inspectionTicketId: null, inspectionVisitId: null });
    expect(ok.json().planId).toBeTruthy();
  });
});
