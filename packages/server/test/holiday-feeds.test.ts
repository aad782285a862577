/**
 * Next year's holidays without a code change (issue #18 item 8): file / URL import with preview and confirmation,
 * the daily feed check (pending update + notification), and the coverage banner by date.
 * The 2027 files are TEST FIXTURES, NOT OFFICIAL SCHEDULES (made-up dates in the published formats).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHolidayFeeds } from '../src/modules/calendars/holidays.commands';
import { testApp, type TestApp } from './harness';

const FIXTURES = join(__dirname, '../../core/src/calendar/fixtures');
const JSON_2027 = readFileSync(join(FIXTURES, 'TEST-FIXTURE-2027.holiday-cn.json'), 'utf8');
const ICS_2027 = readFileSync(join(FIXTURES, 'TEST-FIXTURE-2027.ics'), 'utf8');

let t: TestApp;
let admin: string;
let adminId: string;
let supervisor: string;
let agent: string;
let feedServer: Server;
let feedBase: string;
const served = new Map<string, string>();

beforeAll(async () => {
  t = await testApp({ CHIDU_OUTBOUND_ALLOW: '127.0.0.1' }); // the fake feed server is on loopback
  const a = await t.as(['admin']);
  admin = a.token;
  adminId = a.staff.id;
  supervisor = (await t.as(['supervisor'])).token;
  agent = (await t.as(['agent'])).token;
  feedServer = createServer((req, res) => {
    const body = served.get(req.url ?? '');
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((r) => feedServer.listen(0, '127.0.0.1', () => r()));
  const addr = feedServer.address();
  feedBase = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(async () => {
  await new Promise<void>((r) => feedServer?.close(() => r()));
  await t?.close();
});

const P: [string, string][] = [
  ['09:00', '12:00'],
  ['13:30', '18:00'],
];
let seq = 0;
async function calendar(assign = false) {
  const res = await t.inject('POST', '/api/v1/calendars', admin, {
    name: `节假日导入 ${++seq}`,
    timeZone: 'Asia/Shanghai',
    weekly: { mon: P, tue: P, wed: P, thu: P, fri: P },
    holidays: 'cn-mainland',
  });
  expect(res.statusCode).toBe(201);
  const cal = res.json<{ id: string; version: number }>();
  if (assign) expect((await t.inject('PUT', '/api/v1/calendars/assignments', admin, { scope: 'default', calendarId: cal.id })).statusCode).toBe(200);
  return cal;
}
const add = async (id: string, from: string, seconds: number) =>
  (await t.inject('GET', `/api/v1/calendars/${id}/add?from=${encodeURIComponent(from)}&seconds=${seconds}`, agent)).json<{ dueAt: string }>().dueAt;

interface Imp {
  id: string;
  status: string;
  format: string;
  years: {
    year: number;
    add: number;
    change: number;
    remove: number;
    unchanged: number;
    changes: { date: string; action: string; kind: string; name: string | null }[];
  }[];
}

describe('holiday import: file → preview → confirm', () => {
  it('the 2027 holiday-cn fixture: previewed per year, nothing applied until confirmed, then a deadline across 春节 2027 follows it', async () => {
    const cal = await calendar();
    // Before: Thu 2027-02-04 17:00 + 8 business hours → Fri 02-05 17:30 (an ordinary Friday without the 2027 schedule).
    expect(await add(cal.id, '2027-02-04T17:00:00+08:00', 8 * 3600)).toBe('2027-02-05T09:30:00.000Z');

    const res = await t.inject('POST', `/api/v1/calendars/${cal.id}/holiday-imports`, admin, {
      text: JSON_2027,
      fileName: 'TEST-FIXTURE-2027.holiday-cn.json',
    });
    expect(res.statusCode).toBe(201);
    const imp = res.json<Imp>();
    expect(imp).toMatchObject({ status: 'pending', format: 'holiday-cn' });
    expect(imp.years).toHaveLength(1);
    expect(imp.years[0]).toMatchObject({ year: 2027, add: 14, change: 0, remove: 0 });
    expect(imp.years[0]!.changes.find((c) => c.date === '2027-02-20')).toMatchObject({ action: 'add', kind: 'workday', name: '春节' });
    // Previewing applied nothing.
    expect(await add(cal.id, '2027-02-04T17:00:00+08:00', 8 * 3600)).toBe('2027-02-05T09:30:00.000Z');
    // Agents may not confirm.
    expect((await t.inject('POST', `/api/v1/calendars/holiday-imports/${imp.id}/confirm`, agent)).statusCode).toBe(403);

    const ok = await t.inject('POST', `/api/v1/calendars/holiday-imports/${imp.id}/confirm`, admin);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ import: { status: 'applied' }, calendar: { version: cal.version + 1 } });
    // After: Thursday 1 h, 02-05…02-13 closed (春节), Monday 02-15 09:00–12:00 + 13:30–17:30 → 17:30.
    expect(await add(cal.id, '2027-02-04T17:00:00+08:00', 8 * 3600)).toBe('2027-02-15T09:30:00.000Z');
    // Fri 02-19 17:00 + 2 h → Sat 02-20 10:00 (调休 make-up workday, Monday hours).
    expect(await add(cal.id, '2027-02-19T17:00:00+08:00', 7200)).toBe('2027-02-20T02:00:00.000Z');
    const days = (await t.inject('GET', `/api/v1/calendars/${cal.id}/days?from=2027-02-05&to=2027-02-05`, agent)).json<{
      items: { kind: string; name: string }[];
    }>();
    expect(days.items[0]).toMatchObject({ kind: 'holiday', name: '春节' });
    const audit = await t.auditRows('calendar.holidays_imported');
    expect(audit.some((r) => r.target_id === cal.id)).toBe(true);

    // Confirming twice is refused; so is discarding an applied import.
    expect((await t.inject('POST', `/api/v1/calendars/holiday-imports/${imp.id}/confirm`, admin)).json()).toMatchObject({ reason: 'holiday_import_decided' });
    expect((await t.inject('POST', `/api/v1/calendars/holiday-imports/${imp.id}/discard`, admin)).statusCode).toBe(409);
  });

  it('an .ics file is accepted too; a calendar changed after the preview refuses the confirmation', async () => {
    const cal = await calendar();
    const imp = (await t.inject('POST', `/api/v1/calendars/${cal.id}/holiday-imports`, admin, { text: ICS_2027 })).json<Imp>();
    expect(imp).toMatchObject({ format: 'ics', years: [{ year: 2027, add: 10 }] });
    expect((await t.inject('PATCH', `/api/v1/calendars/${cal.id}`, admin, { description: '改过' })).statusCode).toBe(200);
    const res = await t.inject('POST', `/api/v1/calendars/holiday-imports/${imp.id}/confirm`, admin);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ reason: 'holiday_import_stale' });
  });

  it('bad JSON → 400 naming the position; bad fields → 400 naming the field; neither text nor url → 400', async () => {
    const cal = await calendar();
    const syntax = await t.inject('POST', `/api/v1/calendars/${cal.id}/holiday-imports`, admin, { text: '{\n  "year": 2027,\n  "days": [,]\n}' });
    expect(syntax.statusCode).toBe(400);
    expect(syntax.json().errors[0].path).toMatch(/^json:3:\d+$/);
    const field = await t.inject('POST', `/api/v1/calendars/${cal.id}/holiday-imports`, admin, {
      text: JSON.stringify({ year: 2027, days: [{ name: '春节', date: '2027-02-30', isOffDay: true }] }),
    });
    expect(field.statusCode).toBe(400);
    expect(field.json().errors).toEqual([{ path: 'days[0].date', message: expect.any(String) }]);
    expect((await t.inject('POST', `/api/v1/calendars/${cal.id}/holiday-imports`, admin, {})).json().errors[0].path).toBe('body');
  });
});

describe('holiday import from a feed URL', () => {
  it('fetches through the outbound client ({year} → this year and next; a missing year is fine)', async () => {
    served.set('/holiday-cn/2027.json', JSON_2027);
    const cal = await calendar();
    const res = await t.inject('POST', `/api/v1/calendars/${cal.id}/holiday-imports`, admin, { url: `${feedBase}/holiday-cn/{year}.json` });
    // The fixture is 2027: fetched as "this year" (2027) or "next year" (when run in 2026).
    const year = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()));
    if (year === 2026 || year === 2027) {
      expect(res.statusCode).toBe(201);
      expect(res.json<Imp>().years[0]).toMatchObject({ year: 2027, add: 14 });
    }
    const direct = await t.inject('POST', `/api/v1/calendars/${cal.id}/holiday-imports`, admin, { url: `${feedBase}/holiday-cn/2027.json` });
    expect(direct.statusCode).toBe(201);
    const missing = await t.inject('POST', `/api/v1/calendars/${cal.id}/holiday-imports`, admin, { url: `${feedBase}/nothing.json` });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0].path).toBe('url');
  });

  it('refuses private addresses (outbound policy): preview and feed configuration', async () => {
    const cal = await calendar();
    const res = await t.inject('POST', `/api/v1/calendars/${cal.id}/holiday-imports`, admin, { url: 'http://10.1.2.3/2027.json' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'outbound_refused', errors: [{ path: 'url' }] });
    const put = await t.inject('PUT', '/api/v1/calendars/holiday-feeds', admin, { calendarId: null, url: 'http://192.168.1.1/{year}.json' });
    expect(put.statusCode).toBe(422);
    expect((await t.inject('PUT', '/api/v1/calendars/holiday-feeds', admin, { calendarId: null, url: 'file:///etc/passwd' })).statusCode).toBe(400);
  });
});

describe('daily feed check', () => {
  it('leaves a pending update and notifies admins; never applies; records the last check', async () => {
    served.set('/daily/2027.json', JSON_2027);
    const cal = await calendar(true);
    const put = await t.inject('PUT', '/api/v1/calendars/holiday-feeds', admin, { calendarId: cal.id, url: `${feedBase}/daily/2027.json` });
    expect(put.statusCode).toBe(200);
    expect(await checkHolidayFeeds(t.database)).toBeGreaterThanOrEqual(1);

    const feeds = (await t.inject('GET', '/api/v1/calendars/holiday-feeds', supervisor)).json<{
      items: { calendarId: string; lastStatus: string; lastYears: number[] }[];
    }>();
    expect(feeds.items.find((f) => f.calendarId === cal.id)).toMatchObject({ lastStatus: 'update_available', lastYears: [2027] });
    const status = (await t.inject('GET', '/api/v1/calendars/holiday-status?date=2026-12-05', supervisor)).json<{
      pendingImports: (Imp & { calendarId: string })[];
    }>();
    const pending = status.pendingImports.find((p) => p.calendarId === cal.id)!;
    expect(pending).toMatchObject({ status: 'pending', years: [{ year: 2027, add: 14 }] });
    // Not applied.
    expect(await add(cal.id, '2027-02-04T17:00:00+08:00', 8 * 3600)).toBe('2027-02-05T09:30:00.000Z');
    const notes = await t.database.rows<{ kind: string; data: { importId: string } }>(
      sql`SELECT kind, data FROM notifications WHERE recipient_id = ${adminId} AND kind = 'calendar_holiday_update'`,
    );
    expect(notes.map((n) => n.data.importId)).toContain(pending.id);

    // The same check again within the day does nothing; forced again, no duplicate update.
    expect(await checkHolidayFeeds(t.database)).toBe(0);
    expect(await checkHolidayFeeds(t.database, new Date(Date.now() + 2 * 86_400_000))).toBeGreaterThanOrEqual(1);
    const again = (await t.inject('GET', '/api/v1/calendars/holiday-status?date=2026-12-05', admin)).json<{ pendingImports: { calendarId: string }[] }>();
    expect(again.pendingImports.filter((p) => p.calendarId === cal.id)).toHaveLength(1);

    // An admin confirms the offered update.
    expect((await t.inject('POST', `/api/v1/calendars/holiday-imports/${pending.id}/confirm`, admin)).statusCode).toBe(200);
    expect(await add(cal.id, '2027-02-04T17:00:00+08:00', 8 * 3600)).toBe('2027-02-15T09:30:00.000Z');
  });

  it('a broken feed records the error', async () => {
    served.set('/broken/2027.json', '{"year": 2027, "days": [');
    const cal = await calendar();
    await t.inject('PUT', '/api/v1/calendars/holiday-feeds', admin, { calendarId: cal.id, url: `${feedBase}/broken/2027.json` });
    await checkHolidayFeeds(t.database, new Date(Date.now() + 4 * 86_400_000));
    const feeds = (await t.inject('GET', '/api/v1/calendars/holiday-feeds', admin)).json<{
      items: { calendarId: string; lastStatus: string; lastMessage: string }[];
    }>();
    expect(feeds.items.find((f) => f.calendarId === cal.id)).toMatchObject({ lastStatus: 'error', lastMessage: expect.stringMatching(/^json:1:/) });
  });
});

describe('coverage banner by date', () => {
  it('from 1 November, next year missing on a calendar in use → banner; October → none; once imported → none', async () => {
    await t.database.rows(sql`DELETE FROM calendar_assignments`);
    const cal = await calendar(true);
    await calendar(false); // not in use: never in the banner
    const on = async (date: string, token = supervisor) =>
      (await t.inject('GET', `/api/v1/calendars/holiday-status?date=${date}`, token)).json<{ banner: { year: number; calendars: { id: string }[] } | null }>();
    expect((await on('2026-10-31')).banner).toBeNull();
    const nov = await on('2026-11-01');
    expect(nov.banner).toEqual({ year: 2027, calendars: [{ id: cal.id, name: expect.any(String) }] });
    expect((await on('2026-12-05', agent)).banner?.year).toBe(2027);
    const imp = (await t.inject('POST', `/api/v1/calendars/${cal.id}/holiday-imports`, admin, { text: JSON_2027 })).json<Imp>();
    await t.inject('POST', `/api/v1/calendars/holiday-imports/${imp.id}/confirm`, admin);
    expect((await on('2026-12-05')).banner).toBeNull();
    // In 2028 (not built in, nothing imported) the banner is back for the current year.
    expect((await on('2028-03-01')).banner?.year).toBe(2028);
  });
});
