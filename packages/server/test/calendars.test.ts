import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileCalendar } from '@chidu/core/calendar/index';
import * as clock from '../src/engine/clock';
import { testApp, type TestApp } from './harness';
import { deactivateAll, event, instances, standard, ticketRow } from './standards-helpers';

let t: TestApp;
let admin: string;
let agent: string;
beforeAll(async () => {
  t = await testApp();
  admin = (await t.as(['admin'])).token;
  agent = (await t.as(['agent'])).token;
});
afterAll(async () => {
  await t?.close();
});

const P: [string, string][] = [
  ['09:00', '12:00'],
  ['13:30', '18:00'],
];
const shanghai = { timeZone: 'Asia/Shanghai', weekly: { mon: P, tue: P, wed: P, thu: P, fri: P }, holidays: 'cn-mainland' as const };
let seq = 0;
async function createCalendar(body: Record<string, unknown> = {}) {
  const res = await t.inject('POST', '/api/v1/calendars', admin, { name: `上海客服中心 ${++seq}`, ...shanghai, ...body });
  expect(res.statusCode).toBe(201);
  return res.json<{ id: string; version: number; uncoveredYears: number[]; coverage: { fromYear: number; toYear: number } | null; warnings: string[] }>();
}

describe('calendars API', () => {
  it('creates a Shanghai calendar with the mainland holidays and flags years the built-in set does not cover', async () => {
    const cal = await createCalendar();
    expect(cal.coverage).toMatchObject({ fromYear: 2004 });
    const year = new Date().getUTCFullYear();
    const expected = [year, year + 1].filter((y) => y > cal.coverage!.toYear);
    expect(cal.uncoveredYears).toEqual(expected);
    if (expected.length) expect(cal.warnings[0]).toMatch(new RegExp(String(expected[0])));
    const got = (await t.inject('GET', `/api/v1/calendars/${cal.id}`, agent)).json();
    expect(got).toMatchObject({ id: cal.id, timeZone: 'Asia/Shanghai', holidays: 'cn-mainland', weekly: { mon: P }, version: 1 });
    const list = (await t.inject('GET', '/api/v1/calendars', agent)).json();
    expect(list.items.some((c: { id: string }) => c.id === cal.id)).toBe(true);
    const plain = await createCalendar({ holidays: null });
    expect(plain).toMatchObject({ coverage: null, uncoveredYears: [], warnings: [] });
  });

  it('adds and measures business time across 国庆/中秋 2025-10-01..08 and the 调休 make-up Sunday 2025-09-28', async () => {
    const { id } = await createCalendar();
    const add = async (from: string, seconds: number) =>
      (await t.inject('GET', `/api/v1/calendars/${id}/add?from=${encodeURIComponent(from)}&seconds=${seconds}`, agent)).json();
    // Tue 30 Sep 17:00 + 2 h: one hour that day, then the holiday week, then Thu 9 Oct 09:00–10:00.
    expect(await add('2025-09-30T17:00:00+08:00', 7200)).toEqual({ dueAt: '2025-10-09T02:00:00.000Z' });
    // Exactly to the end of a period: the earliest instant, not the next opening.
    expect(await add('2025-09-30T17:00:00+08:00', 3600)).toEqual({ dueAt: '2025-09-30T10:00:00.000Z' });
    // Fri 26 Sep 17:00 + 2 h: Sunday 28 Sep is a make-up workday (补班) → Sun 10:00.
    expect(await add('2025-09-26T17:00:00+08:00', 7200)).toEqual({ dueAt: '2025-09-28T02:00:00.000Z' });
    const elapsed = (
      await t.inject(
        'GET',
        `/api/v1/calendars/${id}/elapsed?from=${encodeURIComponent('2025-09-30T00:00:00+08:00')}&to=${encodeURIComponent('2025-10-10T00:00:00+08:00')}`,
        agent,
      )
    ).json();
    expect(elapsed).toEqual({ seconds: 54000 });
    const days = (await t.inject('GET', `/api/v1/calendars/${id}/days?from=2025-09-27&to=2025-10-12`, agent)).json();
    const byDate = Object.fromEntries(days.items.map((d: { date: string }) => [d.date, d]));
    expect(byDate['2025-09-27']).toMatchObject({ kind: 'weekend', openSeconds: 0 });
    expect(byDate['2025-09-28']).toMatchObject({ kind: 'makeup_workday', name: '国庆节', periods: P, openSeconds: 27000 });
    for (const d of ['2025-10-01', '2025-10-02', '2025-10-03', '2025-10-06', '2025-10-08'])
      expect(byDate[d]).toMatchObject({ kind: 'holiday', openSeconds: 0 });
    expect(byDate['2025-10-06'].name).toBe('中秋');
    expect(byDate['2025-10-09']).toMatchObject({
      kind: 'workday',
      intervals: [
        { from: '2025-10-09T01:00:00.000Z', to: '2025-10-09T04:00:00.000Z' },
        { from: '2025-10-09T05:30:00.000Z', to: '2025-10-09T10:00:00.000Z' },
      ],
    });
    expect(byDate['2025-10-11']).toMatchObject({ kind: 'makeup_workday' });
  });

  it('names every bad field (weekly.mon[1][0], overrides[0].date, timeZone) and refuses bad queries', async () => {
    const bad = await t.inject('POST', '/api/v1/calendars', admin, {
      name: '坏日历',
      timeZone: 'Asia/Shanghai',
      weekly: {
        mon: [
          ['09:00', '12:00'],
          ['25:00', '26:00'],
        ],
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('validation_failed');
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toContain('weekly.mon[1][0]');
    const bad2 = await t.inject('POST', '/api/v1/calendars', admin, {
      name: '坏日历2',
      timeZone: 'Mars/Base',
      weekly: { tue: [['18:00', '09:00']] },
      overrides: [{ date: '2025-02-30', kind: 'holiday' }],
    });
    expect(
      bad2
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['overrides[0].date', 'timeZone', 'weekly.tue[0]']);
    const bad3 = await t.inject('POST', '/api/v1/calendars', admin, { name: '坏日历3', timeZone: 'Asia/Shanghai', weekly: { monday: [] } });
    expect(bad3.statusCode).toBe(400);
    const { id } = await createCalendar();
    const q = await t.inject('GET', `/api/v1/calendars/${id}/add?from=yesterday&seconds=0`, agent);
    expect(q.statusCode).toBe(400);
    expect(
      q
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['querystring.from', 'querystring.seconds']);
    expect((await t.inject('GET', '/api/v1/calendars/00000000-0000-7000-8000-000000000000', agent)).statusCode).toBe(404);
  });

  it('only calendar managers create, change and import; staff may read', async () => {
    const res = await t.inject('POST', '/api/v1/calendars', agent, { name: '越权', ...shanghai });
    expect(res.statusCode).toBe(403);
    const { id } = await createCalendar();
    expect((await t.inject('PATCH', `/api/v1/calendars/${id}`, agent, { name: 'x' })).statusCode).toBe(403);
    expect((await t.inject('GET', `/api/v1/calendars/${id}`, agent)).statusCode).toBe(200);
    const trainer = (await t.as(['trainer'])).token;
    expect((await t.inject('GET', `/api/v1/calendars/${id}`, trainer)).statusCode).toBe(403);
  });

  it('imports an .ics (text/calendar or JSON) as overrides merged over the existing ones; imported dates win', async () => {
    const { id } = await createCalendar({
      overrides: [
        { date: '2027-01-01', kind: 'workday', name: '盘点' },
        { date: '2026-12-31', kind: 'workday', hours: [['09:00', '15:00']] },
      ],
    });
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//test//CN',
      'BEGIN:VEVENT',
      'UID:1',
      'DTSTART;VALUE=DATE:20270101',
      'DTEND;VALUE=DATE:20270102',
      'SUMMARY:元旦',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:2',
      'DTSTART;VALUE=DATE:20270206',
      'DTEND;VALUE=DATE:20270213',
      'SUMMARY:春节',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:3',
      'DTSTART;VALUE=DATE:20270131',
      'DTEND;VALUE=DATE:20270201',
      'SUMMARY:春节 (班)',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/calendars/${id}/import-ics`,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/calendar' },
      payload: ics,
    });
    expect(res.statusCode).toBe(200);
    const out = res.json();
    expect(out).toMatchObject({ imported: 9, added: 8, replaced: 1, errors: [] });
    expect(out.calendar.version).toBe(2);
    const ov = Object.fromEntries(out.calendar.overrides.map((o: { date: string }) => [o.date, o]));
    expect(ov['2027-01-01']).toMatchObject({ kind: 'holiday', name: '元旦' });
    expect(ov['2026-12-31']).toMatchObject({ kind: 'workday', hours: [['09:00', '15:00']] });
    expect(ov['2027-01-31']).toMatchObject({ kind: 'workday' });
    const days = (await t.inject('GET', `/api/v1/calendars/${id}/days?from=2027-01-31&to=2027-02-07`, agent)).json().items;
    expect(days[0]).toMatchObject({ date: '2027-01-31', kind: 'makeup_workday', source: 'override' });
    expect(days[6]).toMatchObject({ date: '2027-02-06', kind: 'holiday', name: '春节' });
    const viaJson = await t.inject('POST', `/api/v1/calendars/${id}/import-ics`, admin, { ics: 'BEGIN:VCALENDAR\nEND:VCALENDAR\n' });
    expect(viaJson.statusCode).toBe(400);
    const replaced = await t.inject('POST', `/api/v1/calendars/${id}/import-ics`, admin, { ics, replace: true });
    expect(replaced.json().calendar.overrides).toHaveLength(9);
  });

  it('attaches calendars with precedence customer > tier > site > team > default, and a "ticket" standard uses it', async () => {
    const def = await createCalendar({ name: '默认日历' });
    const team = await createCalendar({ name: '团队日历' });
    const tier = await createCalendar({
      name: '钻石客户日历',
      weekly: {
        mon: [['00:00', '24:00']],
        tue: [['00:00', '24:00']],
        wed: [['00:00', '24:00']],
        thu: [['00:00', '24:00']],
        fri: [['00:00', '24:00']],
        sat: [['00:00', '24:00']],
        sun: [['00:00', '24:00']],
      },
    });
    const teamId = (await t.team('日历团队')).id;
    const put = (body: Record<string, unknown>) => t.inject('PUT', '/api/v1/calendars/assignments', admin, body);
    expect((await put({ scope: 'default', calendarId: def.id })).statusCode).toBe(200);
    expect((await put({ scope: 'team', key: teamId, calendarId: team.id })).statusCode).toBe(200);
    expect((await put({ scope: 'tier', key: 'diamond', calendarId: tier.id })).statusCode).toBe(200);
    expect((await put({ scope: 'site', calendarId: tier.id })).json().errors[0].path).toBe('key');
    const resolve = async (qs: string) => (await t.inject('GET', `/api/v1/calendars/resolve?${qs}`, agent)).json();
    expect(await resolve('')).toMatchObject({ calendarId: def.id, source: 'default' });
    expect(await resolve(`teamId=${teamId}`)).toMatchObject({ calendarId: team.id, source: 'team' });
    expect(await resolve(`teamId=${teamId}&tier=diamond`)).toMatchObject({ calendarId: tier.id, source: 'tier', calendarName: '钻石客户日历' });

    await deactivateAll(t.database);
    await standard(t, admin, {
      code: 'CAL-TICKET',
      name: '按工单日历',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 3600,
      calendarSource: 'ticket',
    });
    let a = await ticketRow(t.database, { teamId });
    a = await event(t.database, a, 'ticket.created');
    let d = await ticketRow(t.database, { teamId, tier: 'diamond' });
    d = await event(t.database, d, 'ticket.created');
    const [ia] = await t.database.rows<{ calendar_id: string }>(sql`SELECT calendar_id FROM standard_instances WHERE ticket_id = ${a.id}`);
    const [id] = await t.database.rows<{ calendar_id: string; due_at: Date; started_at: Date }>(
      sql`SELECT calendar_id, due_at, started_at FROM standard_instances WHERE ticket_id = ${d.id}`,
    );
    expect(ia!.calendar_id).toBe(team.id);
    expect(id!.calendar_id).toBe(tier.id);
    expect(new Date(id!.due_at).getTime() - new Date(id!.started_at).getTime()).toBe(3_600_000); // the diamond calendar is 24×7
    expect((await put({ scope: 'tier', key: 'diamond', calendarId: null })).json().items.some((x: { scope: string }) => x.scope === 'tier')).toBe(false);
  });

  it('a calendar change moves the deadlines of running clocks on it (same transaction), and bumps the version', async () => {
    const cal = await createCalendar({ name: '变更日历' });
    await deactivateAll(t.database);
    await standard(t, admin, {
      code: 'CAL-FIXED',
      name: '固定日历 4 工作小时',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 4 * 3600,
      calendarId: cal.id,
    });
    let s = await ticketRow(t.database);
    s = await event(t.database, s, 'ticket.created');
    const [before] = await instances(t.database, s.id);
    const started = (await t.database.rows<{ started_at: Date }>(sql`SELECT started_at FROM standard_instances WHERE id = ${before!.id}`))[0]!.started_at;
    const dueDay = new Date(new Date(before!.due_at!).getTime() + 8 * 3600_000).toISOString().slice(0, 10); // local date in Shanghai
    const patched = await t.inject('PATCH', `/api/v1/calendars/${cal.id}`, admin, { overrides: [{ date: dueDay, kind: 'holiday', name: '临时停业' }] });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().version).toBe(2);
    const [after] = await instances(t.database, s.id);
    const expected = (
      await t.inject('GET', `/api/v1/calendars/${cal.id}/add?from=${encodeURIComponent(new Date(started).toISOString())}&seconds=${4 * 3600}`, agent)
    ).json().dueAt;
    expect(new Date(after!.due_at!).toISOString()).toBe(expected);
    expect(new Date(after!.due_at!).getTime()).toBeGreaterThan(new Date(before!.due_at!).getTime());
    const audit = await t.auditRows('calendar.updated');
    expect(audit.at(-1)!.changes).toMatchObject({ recomputedClocks: { after: 1 } });
  });
});

describe('clock arithmetic on a business calendar (pure)', () => {
  const cal = compileCalendar(shanghai);
  const rules = {
    deadline: 'duration' as const,
    limitSeconds: 4 * 3600,
    warnAtPercent: [50, 75],
    escalation: [{ afterBreachSeconds: 0 }, { afterBreachSeconds: 3600 }],
  };
  const at = (s: string) => Date.parse(s);
  const iso = (n: number | null) => (n === null ? null : new Date(n).toISOString());

  it('首次响应 4 个工作小时 from Tue 30 Sep 16:00 is due Thu 9 Oct 11:00, warnings at 50 % and 75 % in business time', () => {
    const c = clock.startClock(rules, cal, at('2025-09-30T16:00:00+08:00'), false);
    expect(iso(c.dueAt)).toBe('2025-10-09T03:00:00.000Z'); // 16–18 on 30 Sep, then 9 Oct 09:00–11:00
    const w1 = clock.planNext(c, rules, cal)!;
    expect([w1.kind, w1.step, iso(w1.at)]).toEqual(['warning', 0, '2025-09-30T10:00:00.000Z']); // 2 h = 18:00 on 30 Sep
    const w2 = clock.planNext({ ...c, warningsSent: 1 }, rules, cal)!;
    expect([w2.kind, iso(w2.at)]).toEqual(['warning', '2025-10-09T02:00:00.000Z']); // 3 h = 10:00 on 9 Oct
    expect(clock.planNext({ ...c, warningsSent: 2 }, rules, cal)).toMatchObject({ kind: 'breach', at: c.dueAt });
    // Escalation steps count business time after the deadline: 11:00 + 1 business hour = 12:00.
    const breached = { ...c, state: 'breached' as const, escalationsSent: 1 };
    expect(iso(clock.planNext(breached, rules, cal)!.at)).toBe('2025-10-09T04:00:00.000Z');
  });

  it('a pause keeps the consumed business time; resuming after the holiday recomputes the deadline; passed warnings are not repeated', () => {
    let c = clock.startClock(rules, cal, at('2025-09-30T15:00:00+08:00'), false);
    c = clock.pauseClock(c, cal, at('2025-09-30T17:30:00+08:00'));
    expect(c).toMatchObject({ state: 'paused', consumedMs: 2.5 * 3600_000, dueAt: null });
    expect(clock.planNext(c, rules, cal)).toBeNull();
    c = clock.resumeClock(c, cal, at('2025-10-09T13:00:00+08:00')); // lunch: counting starts 13:30
    expect(iso(c.dueAt)).toBe('2025-10-09T07:00:00.000Z'); // 1.5 h left → 15:00
    expect(clock.planNext(c, rules, cal)).toMatchObject({ kind: 'warning', step: 1 }); // 50 % passed during the first run
    expect(clock.remainingSeconds(c, cal, at('2025-10-09T14:00:00+08:00'))).toBe(3600);
    expect(clock.remainingSeconds(c, cal, at('2025-10-09T16:00:00+08:00'))).toBe(-3600);
  });

  it('"same day" (当日办结) budgets up to the end of the business day; after hours, to the end of the next business day', () => {
    const eod = { deadline: 'end_of_business_day' as const, limitSeconds: null, warnAtPercent: [], escalation: [] };
    expect(iso(clock.startClock(eod, cal, at('2025-09-30T10:00:00+08:00'), false).dueAt)).toBe('2025-09-30T10:00:00.000Z');
    expect(iso(clock.startClock(eod, cal, at('2025-09-30T19:00:00+08:00'), false).dueAt)).toBe('2025-10-09T10:00:00.000Z');
  });
});
