import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCalendar, parseIcsHolidays, type CalendarOverride } from './index';

const cn = (s: string): number => Date.parse(`${s}+08:00`);
const wrap = (events: string, head = ''): string =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', head, events, 'END:VCALENDAR'].filter(Boolean).join('\r\n');

describe('parseIcsHolidays', () => {
  it('all-day events, multi-day ranges (DTEND exclusive), 班 → workday, SUMMARY as name', () => {
    const ics = wrap(
      [
        'BEGIN:VEVENT',
        'DTSTART;VALUE=DATE:20271001',
        'DTEND;VALUE=DATE:20271008',
        'SUMMARY:国庆节',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'DTSTART;VALUE=DATE:20270926',
        'SUMMARY:国庆节补班',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'DTSTART:20271009',
        'DTEND:20271010',
        'SUMMARY:National Day (make-up workday)',
        'END:VEVENT',
      ].join('\r\n'),
    );
    const { overrides, errors } = parseIcsHolidays(ics);
    expect(errors).toEqual([]);
    expect(overrides.map((o) => `${o.date}:${o.kind}`)).toEqual([
      '2027-09-26:workday',
      '2027-10-01:holiday',
      '2027-10-02:holiday',
      '2027-10-03:holiday',
      '2027-10-04:holiday',
      '2027-10-05:holiday',
      '2027-10-06:holiday',
      '2027-10-07:holiday',
      '2027-10-09:workday',
    ]);
    expect(overrides[0]).toEqual({ date: '2027-09-26', kind: 'workday', name: '国庆节补班' });
    expect(overrides[1]?.name).toBe('国庆节');
    expect(overrides[0]?.hours).toBeUndefined();
  });

  it('unfolds folded lines, tolerates LF-only and CR, unescapes text, skips VTIMEZONE / VALARM / cancelled', () => {
    const ics = [
      'BEGIN:VCALENDAR',
      'BEGIN:VTIMEZONE',
      'TZID:Asia/Shanghai',
      'BEGIN:STANDARD',
      'DTSTART:19700101T000000',
      'END:STANDARD',
      'END:VTIMEZONE',
      'BEGIN:VEVENT',
      'DTSTART;VALUE=DATE:20270101',
      'SUMMARY:元旦\\, New Year',
      "  's Day",
      'BEGIN:VALARM',
      'DTSTART;VALUE=DATE:20300101',
      'END:VALARM',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'DTSTART;VALUE=DATE:20270102',
      'STATUS:CANCELLED',
      'SUMMARY:gone',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\n');
    const r = parseIcsHolidays(ics);
    expect(r.errors).toEqual([]);
    expect(r.overrides).toEqual([{ date: '2027-01-01', kind: 'holiday', name: "元旦, New Year 's Day" }]);
    expect(parseIcsHolidays(ics.replace(/\n/g, '\r')).overrides).toEqual(r.overrides);
  });

  it('imports the chinese-days 2025 feed exactly as the built-in set', () => {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('chinese-days/package.json'));
    const text = readFileSync(join(dir, 'dist', 'years', '2025.ics'), 'utf8');
    const { overrides, errors } = parseIcsHolidays(text);
    expect(errors).toEqual([]);
    // Uses X-APPLE-SPECIAL-DAY and "(班)" / "(休)" summaries.
    const kinds = Object.fromEntries(overrides.map((o) => [o.date, o.kind]));
    expect(kinds['2025-09-28']).toBe('workday');
    expect(kinds['2025-10-11']).toBe('workday');
    expect(kinds['2025-10-06']).toBe('holiday');
    expect(overrides.find((o) => o.date === '2025-10-06')?.name).toBe('中秋(休)');
    // Same schedule as the built-in set, for every day of 2025.
    const base = { timeZone: 'Asia/Shanghai', weekly: { mon: [['09:00', '18:00']] as [string, string][], tue: [['09:00', '18:00']] as [string, string][] } };
    const builtin = compileCalendar({ ...base, holidays: 'cn-mainland' });
    const imported = compileCalendar({ ...base, holidays: null, overrides });
    for (let d = Date.UTC(2025, 0, 1); d < Date.UTC(2026, 0, 1); d += 86_400_000) {
      const date = new Date(d).toISOString().slice(0, 10);
      expect(imported.dayInfo(date).periods, date).toEqual(builtin.dayInfo(date).periods);
    }
    const en = parseIcsHolidays(readFileSync(join(dir, 'dist', 'years', '2025.en.ics'), 'utf8'));
    expect(en.overrides.map((o) => `${o.date}:${o.kind}`)).toEqual(overrides.map((o) => `${o.date}:${o.kind}`));
  });

  it('timed events: workday → hours in the target zone; whole-day holiday kept, partial reported', () => {
    const ics = wrap(
      [
        'BEGIN:VEVENT',
        'DTSTART;TZID=Asia/Shanghai:20271009T100000',
        'DTEND;TZID=Asia/Shanghai:20271009T160000',
        'SUMMARY:上班',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'DTSTART:20271009T010000Z', // 09:00 in Shanghai
        'DURATION:PT2H',
        'SUMMARY:上班 (early)',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'DTSTART:20271010T000000',
        'DTEND:20271012T000000',
        'SUMMARY:Closed',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'DTSTART:20271013T140000',
        'DTEND:20271013T170000',
        'SUMMARY:Team offsite',
        'END:VEVENT',
      ].join('\r\n'),
    );
    const { overrides, errors } = parseIcsHolidays(ics, { timeZone: 'Asia/Shanghai' });
    expect(overrides).toEqual<CalendarOverride[]>([
      { date: '2027-10-09', kind: 'workday', hours: [['09:00', '16:00']], name: '上班 / 上班 (early)' },
      { date: '2027-10-10', kind: 'holiday', name: 'Closed' },
      { date: '2027-10-11', kind: 'holiday', name: 'Closed' },
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/2027-10-13 14:00–17:00.*partial-day/);
    const c = compileCalendar({ timeZone: 'Asia/Shanghai', weekly: {}, overrides });
    expect(c.addSeconds(cn('2027-10-09T08:00:00'), 3600)).toBe(cn('2027-10-09T10:00:00'));
  });

  it('timed events crossing midnight are split per local date', () => {
    const ics = wrap(['BEGIN:VEVENT', 'DTSTART:20271101T200000', 'DTEND:20271102T040000', 'SUMMARY:Night workday', 'END:VEVENT'].join('\r\n'));
    const { overrides } = parseIcsHolidays(ics, { timeZone: 'Europe/Berlin' });
    expect(overrides).toEqual([
      { date: '2027-11-01', kind: 'workday', hours: [['20:00', '24:00']], name: 'Night workday' },
      { date: '2027-11-02', kind: 'workday', hours: [['00:00', '04:00']], name: 'Night workday' },
    ]);
  });

  it('X-WR-TIMEZONE is the default target zone', () => {
    const ics = wrap(
      ['BEGIN:VEVENT', 'DTSTART:20271101T160000Z', 'DTEND:20271101T180000Z', 'SUMMARY:补班', 'END:VEVENT'].join('\r\n'),
      'X-WR-TIMEZONE:Asia/Shanghai',
    );
    expect(parseIcsHolidays(ics).overrides).toEqual([{ date: '2027-11-02', kind: 'workday', hours: [['00:00', '02:00']], name: '补班' }]);
  });

  it('reports problems with line numbers and keeps going', () => {
    const ics = [
      'BEGIN:VCALENDAR', // 1
      'BEGIN:VEVENT', // 2
      'DTSTART;VALUE=DATE:20271301', // 3 bad month
      'END:VEVENT', // 4
      'BEGIN:VEVENT', // 5
      'SUMMARY:no start', // 6
      'END:VEVENT', // 7
      'BEGIN:VEVENT', // 8
      'DTSTART;VALUE=DATE:20271225', // 9
      'RRULE:FREQ=YEARLY', // 10
      'SUMMARY:Christmas', // 11
      'END:VEVENT', // 12
      'garbage line', // 13
      'BEGIN:VEVENT', // 14
      'DTSTART;VALUE=DATE:20271226', // 15
      'DTEND:20271226T120000', // 16
      'END:VEVENT', // 17
      'BEGIN:VEVENT', // 18
      'DTSTART;VALUE=DATE:20271227', // 19
      'SUMMARY:Holiday', // 20
      'END:VEVENT', // 21
      'BEGIN:VEVENT', // 22
      'DTSTART;VALUE=DATE:20271227', // 23
      'SUMMARY:Workday', // 24
      'END:VEVENT', // 25
      'END:VCALENDAR',
    ].join('\r\n');
    const { overrides, errors } = parseIcsHolidays(ics);
    expect(errors.map((e) => e.line)).toEqual([3, 5, 10, 13, 16, 22]);
    expect(errors[2]?.message).toMatch(/RRULE/);
    expect(errors[3]?.message).toMatch(/not an iCalendar content line/);
    expect(errors[5]?.message).toMatch(/conflicts/);
    expect(overrides).toEqual([
      { date: '2027-12-25', kind: 'holiday', name: 'Christmas' },
      { date: '2027-12-27', kind: 'workday', name: 'Workday' },
    ]);
  });

  it('all-day DURATION and over-long events', () => {
    const ics = wrap(
      [
        'BEGIN:VEVENT',
        'DTSTART;VALUE=DATE:20270501',
        'DURATION:P3D',
        'SUMMARY:劳动节',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'DTSTART;VALUE=DATE:20270101',
        'DTEND;VALUE=DATE:20290101',
        'SUMMARY:forever',
        'END:VEVENT',
      ].join('\r\n'),
    );
    const { overrides, errors } = parseIcsHolidays(ics);
    expect(overrides.map((o) => o.date)).toEqual(['2027-05-01', '2027-05-02', '2027-05-03']);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/max 366/);
  });

  it('empty or non-calendar input gives no overrides', () => {
    expect(parseIcsHolidays('')).toEqual({ overrides: [], errors: [] });
    expect(parseIcsHolidays('hello').errors).toHaveLength(1);
  });
});
