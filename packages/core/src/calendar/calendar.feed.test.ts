import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCalendar, parseHolidayCnJson, parseHolidayFeed, planHolidayImport, type CalendarSpec } from './index';

// TEST FIXTURES, NOT OFFICIAL SCHEDULES: made-up 2027 dates in the published formats (see the files' comments).
const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const cn = (s: string): number => Date.parse(`${s}+08:00`);
const H: [string, string][] = [
  ['09:00', '12:00'],
  ['13:30', '18:00'],
];
const spec: CalendarSpec = { timeZone: 'Asia/Shanghai', weekly: { mon: H, tue: H, wed: H, thu: H, fri: H }, holidays: 'cn-mainland', overrides: [] };

describe('parseHolidayCnJson (holiday-cn format)', () => {
  it('reads the fixture: year, off days → holiday, isOffDay false → workday, names kept', () => {
    const r = parseHolidayCnJson(fixture('TEST-FIXTURE-2027.holiday-cn.json'));
    expect(r.errors).toEqual([]);
    expect(r.format).toBe('holiday-cn');
    expect(r.years).toEqual([2027]);
    expect(r.overrides).toHaveLength(14);
    expect(r.overrides.find((o) => o.date === '2027-02-05')).toEqual({ date: '2027-02-05', kind: 'holiday', name: '春节' });
    expect(r.overrides.find((o) => o.date === '2027-02-20')).toEqual({ date: '2027-02-20', kind: 'workday', name: '春节' });
  });

  it('accepts an array of years and a BOM', () => {
    const r = parseHolidayCnJson(
      '\uFEFF' +
        JSON.stringify([
          { year: 2027, days: [{ name: 'a', date: '2027-01-01', isOffDay: true }] },
          { year: 2028, days: [] },
        ]),
    );
    expect(r.errors).toEqual([]);
    expect(r.years).toEqual([2027, 2028]);
  });

  it('never throws: syntax errors carry line and column', () => {
    const r = parseHolidayCnJson('{\n  "year": 2027,\n  "days": [,]\n}');
    expect(r.overrides).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ path: 'json', line: 3 });
    expect(r.errors[0]!.column).toBeGreaterThan(0);
  });

  it('field problems name the field', () => {
    const r = parseHolidayCnJson(
      JSON.stringify({
        year: '2027',
        days: [
          { date: '2027-02-30', isOffDay: true },
          { date: '2027-02-01', isOffDay: 'yes' },
          { date: '2027-02-02', isOffDay: true, name: 5 },
        ],
      }),
    );
    expect(r.errors.map((e) => e.path)).toEqual(['year', 'days[0].date', 'days[1].isOffDay', 'days[2].name']);
    expect(parseHolidayCnJson('{"year":2027}').errors[0]!.path).toBe('days');
    expect(parseHolidayCnJson('[1]').errors[0]!.path).toBe('[0]');
  });

  it('a date listed twice with different kinds: later wins, reported', () => {
    const r = parseHolidayCnJson(
      JSON.stringify({
        year: 2027,
        days: [
          { name: 'x', date: '2027-03-01', isOffDay: true },
          { name: 'x', date: '2027-03-01', isOffDay: false },
        ],
      }),
    );
    expect(r.overrides).toEqual([{ date: '2027-03-01', kind: 'workday', name: 'x' }]);
    expect(r.errors[0]!.path).toBe('days[1].date');
  });
});

describe('parseHolidayFeed sniffs the format', () => {
  it('iCalendar fixture → same 春节 dates as the JSON', () => {
    const r = parseHolidayFeed(fixture('TEST-FIXTURE-2027.ics'), { timeZone: 'Asia/Shanghai' });
    expect(r.format).toBe('ics');
    expect(r.years).toEqual([2027]);
    expect(r.overrides.filter((o) => o.kind === 'holiday').map((o) => o.date)).toEqual([
      '2027-02-05',
      '2027-02-06',
      '2027-02-07',
      '2027-02-08',
      '2027-02-09',
      '2027-02-10',
      '2027-02-11',
      '2027-02-12',
      '2027-02-13',
    ]);
  });
  it('anything else → one problem at line 1', () => {
    expect(parseHolidayFeed('hello').errors).toEqual([{ path: 'body', line: 1, column: 1, message: expect.any(String) }]);
  });
});

describe('planHolidayImport', () => {
  it('2027 fixture on a cn-mainland calendar: weekday holidays and weekend workdays are added; the deadline across 春节 follows them', () => {
    const cal = compileCalendar(spec);
    expect(cal.uncoveredYears(2027, 2027)).toEqual([2027]);
    const feed = parseHolidayCnJson(fixture('TEST-FIXTURE-2027.holiday-cn.json'));
    const plan = planHolidayImport(cal, [], feed.overrides, { years: feed.years });
    expect(plan.years).toHaveLength(1);
    const y = plan.years[0]!;
    expect(y.year).toBe(2027);
    expect(y.add).toBe(14);
    expect(y.change + y.remove + y.unchanged).toBe(0);
    expect(y.changes.find((c) => c.date === '2027-02-08')).toMatchObject({ action: 'add', kind: 'holiday', name: '春节', before: { kind: 'workday' } });

    // Before: Thursday 2027-02-04 17:00 + 8 business hours → Friday 02-05 17:30 (02-05 is an ordinary Friday).
    expect(cal.addSeconds(cn('2027-02-04T17:00:00'), 8 * 3600)).toBe(cn('2027-02-05T17:30:00'));
    const after = compileCalendar({ ...spec, overrides: plan.overrides });
    // After: 1 h on Thursday, then 02-05…02-13 closed; Sunday 2027-01-31 is before, Saturday 02-20 is a make-up workday.
    // 7 h left: Monday 02-15 09:00 → 12:00 (3 h), 13:30 → 17:30 (4 h).
    expect(after.addSeconds(cn('2027-02-04T17:00:00'), 8 * 3600)).toBe(cn('2027-02-15T17:30:00'));
    // Friday 02-19 17:00 + 2 h → Saturday 02-20 10:00 (调休 workday with Monday hours).
    expect(after.addSeconds(cn('2027-02-19T17:00:00'), 2 * 3600)).toBe(cn('2027-02-20T10:00:00'));
  });

  it('unchanged when the built-in set already says so; change on a differing override; replace removes the rest of the year', () => {
    const current = [
      { date: '2026-10-01', kind: 'workday' as const, name: '值班' },
      { date: '2026-12-31', kind: 'workday' as const, name: '年终盘点' },
    ];
    const cal = compileCalendar({ ...spec, overrides: current });
    const incoming = [
      { date: '2026-10-01', kind: 'holiday' as const, name: '国庆节' },
      { date: '2026-10-02', kind: 'holiday' as const, name: '国庆节' },
    ];
    const keep = planHolidayImport(cal, current, incoming);
    expect(keep.years[0]).toMatchObject({ year: 2026, add: 0, change: 1, unchanged: 1, remove: 0 });
    expect(keep.overrides.map((o) => o.date)).toEqual(['2026-10-01', '2026-12-31']);
    const repl = planHolidayImport(cal, current, incoming, { replace: true });
    expect(repl.years[0]).toMatchObject({ change: 1, remove: 1 });
    expect(repl.overrides.map((o) => o.date)).toEqual(['2026-10-01']);
  });
});
