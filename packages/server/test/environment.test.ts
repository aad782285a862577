import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENV_ITEMS, judge, type EnvItem } from '../src/modules/environment/environment.items';
import { testApp, type TestApp } from './harness';
import { deactivateAll, standard, waitFor } from './standards-helpers';
import { envValues as values } from '../src/demo/environment';

/**
 * Issue #15 item 8: environment checks. The range judgement at its boundaries (property test), a failed item opens a
 * corrective task timed by the standards engine, a task not closed in time breaches and escalates, bad input named.
 */
let t: TestApp;
type Who = { token: string; staff: { id: string } };
let admin: Who, qa: Who, supervisor: Who, agent: Who;
let site: string, template: string;
const api = (m: 'GET' | 'POST' | 'PUT', url: string, token: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);

beforeAll(async () => {
  t = await testApp();
  admin = await t.as(['admin']);
  qa = await t.as(['qa']);
  supervisor = await t.as(['supervisor']);
  agent = await t.as(['agent']);
  const s = await api('POST', '/sites', admin.token, { name: '翠湖苑（测试）' });
  expect(s.statusCode, s.body).toBe(201);
  site = s.json().id;
  const list = await api('GET', '/env/templates', qa.token);
  expect(list.statusCode, list.body).toBe(200);
  template = list.json().items.find((x: { key: string | null }) => x.key === 'default').id;
});
afterAll(async () => t?.close());

describe('range judgement', () => {
  it('ships the spec ranges', () => {
    const by = new Map(DEFAULT_ENV_ITEMS.map((i) => [i.key, i]));
    expect(by.get('temperature')).toMatchObject({ min: 22, max: 26, unit: '℃' });
    expect(by.get('humidity')).toMatchObject({ min: 40, max: 60 });
    expect(by.get('lux_public')).toMatchObject({ min: 300, max: 500 });
    expect(by.get('lux_work')).toMatchObject({ min: 500, max: 750 });
    expect(by.get('pm25')).toMatchObject({ max: 35, maxExclusive: true });
    expect(by.get('noise')).toMatchObject({ max: 45 });
    expect(by.get('signage')).toMatchObject({ max: 20 });
    expect(by.get('air_changes')).toMatchObject({ min: 3, max: 5 });
    expect(DEFAULT_ENV_ITEMS.filter((i) => i.kind === 'yesno').map((i) => i.key)).toEqual(['clean', 'facilities', 'water', 'wifi']);
    expect(DEFAULT_ENV_ITEMS.every((i) => (i.source ?? '').length > 0)).toBe(true);
  });

  it('a value is in range exactly when it lies within the bounds (inclusive unless exclusive), at and around each bound', () => {
    const bound = fc.integer({ min: -1000, max: 1000 });
    fc.assert(
      fc.property(
        bound,
        fc.integer({ min: 0, max: 500 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: -3, max: 3 }),
        fc.boolean(),
        (lo, width, loEx, hiEx, d, atMin) => {
          const item: EnvItem = { key: 'x', label: 'x', kind: 'measure', min: lo, max: lo + width, minExclusive: loEx, maxExclusive: hiEx };
          const edge = atMin ? lo : lo + width;
          const v = edge + d * 0.5;
          const inside = (loEx ? v > lo : v >= lo) && (hiEx ? v < lo + width : v <= lo + width);
          expect(judge(item, v)).toBe(inside);
        },
      ),
      { numRuns: 500 },
    );
    const temp = DEFAULT_ENV_ITEMS.find((i) => i.key === 'temperature')!;
    expect([21.9, 22, 26, 26.1].map((v) => judge(temp, v))).toEqual([false, true, true, false]);
    const pm = DEFAULT_ENV_ITEMS.find((i) => i.key === 'pm25')!;
    expect([34.9, 35].map((v) => judge(pm, v))).toEqual([true, false]);
    const noise = DEFAULT_ENV_ITEMS.find((i) => i.key === 'noise')!;
    expect([45, 45.1].map((v) => judge(noise, v))).toEqual([true, false]);
  });

  it('a yes/no item passes on yes only; a value of the wrong type is no judgement', () => {
    fc.assert(
      fc.property(fc.boolean(), (b) => {
        expect(judge({ key: 'w', label: 'w', kind: 'yesno' }, b)).toBe(b);
      }),
    );
    expect(judge({ key: 'w', label: 'w', kind: 'yesno' }, 1)).toBeNull();
    expect(judge({ key: 'x', label: 'x', kind: 'measure', min: 0 }, true)).toBeNull();
  });
});

describe('checks and corrective tasks', () => {
  it('names bad input: a missing item, a wrong type, an unknown key, an unknown site', async () => {
    const bad = await api('POST', '/env/checks', qa.token, { siteId: site, templateId: template, values: values({ wifi: 'x' as never }) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toContain('values[11].value');
    const missing = await api('POST', '/env/checks', qa.token, { siteId: site, templateId: template, values: values().filter((v) => v.key !== 'humidity') });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors.map((e: { path: string }) => e.path)).toEqual(['values.humidity']);
    const typed = await api('POST', '/env/checks', qa.token, { siteId: site, templateId: template, values: values({ clean: 3 }) });
    expect(typed.statusCode).toBe(400);
    expect(typed.body).toContain('values.clean');
    const unknown = await api('POST', '/env/checks', qa.token, { siteId: site, templateId: template, values: [...values(), { key: 'smell', value: true }] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('values[12].key');
    const noSite = await api('POST', '/env/checks', qa.token, { siteId: template, templateId: template, values: values() });
    expect(noSite.statusCode).toBe(400);
    expect(noSite.body).toContain('siteId');
    expect((await t.database.rows(sql`SELECT id FROM env_checks`)).length).toBe(0);
  });

  it('a check in range opens nothing; one out of range (and a failed yes/no) opens a task per failed item, on the site history', async () => {
    const ok = await api('POST', '/env/checks', qa.token, { siteId: site, templateId: template, values: values() });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ outOfRange: 0, tasks: [] });
    const res = await api('POST', '/env/checks', qa.token, {
      siteId: site,
      templateId: template,
      values: values({ temperature: 28, wifi: false }),
      note: '大堂偏热',
    });
    expect(res.statusCode, res.body).toBe(201);
    const check = res.json();
    expect(check.outOfRange).toBe(2);
    expect(check.results.find((r: { key: string }) => r.key === 'temperature')).toMatchObject({ ok: false, expected: '22–26 ℃', value: 28 });
    expect(check.tasks.map((x: { item: string }) => x.item).sort()).toEqual(['temperature', 'wifi']);
    expect(check.tasks[0]).toMatchObject({ state: 'open', site: { id: site, name: '翠湖苑（测试）' } });
    expect(check.tasks[0].ticket.number).toMatch(/^GD\d{8}-\d+$/);
    const events = await t.database.rows<{ kind: string }>(sql`SELECT kind FROM events WHERE aggregate_id = ${check.tasks[0].ticket.id} ORDER BY id`);
    expect(events.map((e) => e.kind)).toEqual(['env.corrective_opened']);
    const history = (await api('GET', `/env/sites/${site}/history`, supervisor.token)).json();
    expect(history).toMatchObject({ checkCount: 2, outOfRange: 2 });
    expect(history.openTasks).toHaveLength(2);
    expect(history.openTasks[0].allowed.close).toBe(true);
    const figures = (await api('GET', `/env/out-of-range?siteId=${site}`, supervisor.token)).json();
    expect(figures.total).toMatchObject({ checks: 2, failedChecks: 1, outOfRange: 2, openTasks: 2 });
    // The dashboard's drill-down: the checks of the same period count as the figures; another period has none.
    const day = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(ms));
    const period = `from=${day(Date.now() - 86_400_000)}&to=${day(Date.now())}&siteId=${site}`;
    const listed = async (q: string) => ((await api('GET', `/env/checks?${q}&limit=100`, supervisor.token)).json().items as { id: string }[]).length;
    expect(await listed(`${period}&failed=true`)).toBe(figures.total.failedChecks);
    expect(await listed(period)).toBe(figures.total.checks);
    expect(await listed(`from=2020-01-01&to=2020-01-31&siteId=${site}`)).toBe(0);
    // …and exports as .csv (the same rows, failed items named with value and standard) and .xlsx; agents are refused.
    const csv = await t.inject('GET', `/api/v1/env/checks/export?format=csv&${period}&failed=true`, supervisor.token);
    expect(csv.statusCode, csv.body).toBe(200);
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines).toHaveLength(1 + figures.total.failedChecks);
    expect(lines[0]).toBe('检查日期,站点,检查人,超标项数,超标项（实测，标准）,整改任务数');
    expect(lines[1]).toContain('翠湖苑（测试）');
    expect(lines[1]).toContain('室温 28 ℃（22–26 ℃）');
    const xlsx = await t.inject('GET', `/api/v1/env/checks/export?format=xlsx&lang=en&${period}`, supervisor.token);
    expect(xlsx.headers['content-disposition']).toContain('.xlsx');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    expect((await t.inject('GET', `/api/v1/env/checks/export?format=csv&${period}`, agent.token)).statusCode).toBe(403);
    expect((await t.inject('GET', `/api/v1/env/checks/export?format=pdf`, supervisor.token)).body).toContain('format');
    // The inspector does not close; a supervisor does, with a note; a second close is refused.
    const id = check.tasks[0].id;
    expect((await api('POST', `/env/tasks/${id}/close`, qa.token, { note: '已调低空调' })).statusCode).toBe(403);
    expect((await api('POST', `/env/tasks/${id}/close`, supervisor.token, {})).body).toContain('note');
    const closed = await api('POST', `/env/tasks/${id}/close`, supervisor.token, { note: '已调低空调温度，复测 24 ℃' });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json()).toMatchObject({ state: 'closed', closeNote: '已调低空调温度，复测 24 ℃', allowed: { close: false } });
    const again = await api('POST', `/env/tasks/${id}/close`, supervisor.token, { note: 'x' });
    expect(again.statusCode).toBe(409);
    expect(again.json().reason).toBe('env_task_closed');
    expect((await api('GET', `/env/tasks?state=open&siteId=${site}`, supervisor.token)).json().items).toHaveLength(1);
  });

  it('agents see nothing; a template edit is a new version and running history keeps its copy', async () => {
    expect((await api('GET', '/env/checks', agent.token)).statusCode).toBe(403);
    expect((await api('POST', '/env/checks', agent.token, { siteId: site, templateId: template, values: values() })).statusCode).toBe(403);
    const items = DEFAULT_ENV_ITEMS.map((i) => (i.key === 'temperature' ? { ...i, min: 20 } : i));
    const put = await api('PUT', `/env/templates/${template}`, qa.token, { items });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().version).toBe(2);
    const c = await api('POST', '/env/checks', qa.token, { siteId: site, templateId: template, values: values({ temperature: 21 }) });
    expect(c.json()).toMatchObject({ templateVersion: 2, outOfRange: 0 });
    const bad = await api('PUT', `/env/templates/${template}`, qa.token, { items: [{ key: 'a', label: 'A', kind: 'measure', min: 5, max: 1 }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('items[0].max');
    await api('PUT', `/env/templates/${template}`, qa.token, { items: DEFAULT_ENV_ITEMS });
  });
});

describe('timed by the standards engine', () => {
  it('a corrective task not closed in time breaches its standard and escalates like any standard', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, {
      code: 'ENV-CORRECTIVE-TEST',
      name: '环境整改（测试 2 秒）',
      // Corrective tasks are internal tickets: a standard times them only when it names the type.
      appliesTo: { types: ['internal'] },
      start: 'env.corrective_opened',
      stop: 'env.corrective_closed',
      limitSeconds: 2,
      calendarId: null,
      escalation: [{ afterBreachSeconds: 0, notifyRole: 'supervisor' }],
    });
    const res = await api('POST', '/env/checks', qa.token, { siteId: site, templateId: template, values: values({ noise: 58 }) });
    expect(res.statusCode, res.body).toBe(201);
    const task = res.json().tasks[0];
    expect(task.standard).toMatchObject({ state: 'running', breached: false });
    const ticket = task.ticket.id as string;
    await waitFor(
      async () => (await t.database.rows<{ kind: string }>(sql`SELECT kind FROM events WHERE aggregate_id = ${ticket} AND kind = 'ticket.escalated'`))[0],
      15_000,
      50,
    );
    const listed = (await api('GET', `/env/tasks?state=open&siteId=${site}`, supervisor.token)).json().items.find((x: { id: string }) => x.id === task.id);
    expect(listed.standard.breached).toBe(true);
    await api('POST', `/env/tasks/${task.id}/close`, supervisor.token, { note: '已更换静音风机' });
    const kinds = (await t.database.rows<{ kind: string }>(sql`SELECT kind FROM events WHERE aggregate_id = ${ticket} ORDER BY id`)).map((r) => r.kind);
    expect(kinds).toEqual(['env.corrective_opened', 'standard.breached', 'ticket.escalated', 'env.corrective_closed']);
    await deactivateAll(t.database);
  });

  it('ships the 1-business-day corrective standard template', async () => {
    const list = (await api('GET', '/standards/templates', admin.token)).json();
    const tpl = list.items.find((x: { key: string }) => x.key === 'env-corrective-1bd');
    expect(JSON.stringify(tpl)).toContain('env.corrective_opened');
    const adopted = await api('POST', '/standards/templates/env-corrective-1bd/adopt', admin.token);
    expect(adopted.statusCode, adopted.body).toBe(201);
    await deactivateAll(t.database);
  });
});
