/**
 * Worked examples with real dates (2025/2026 mainland-China schedules, DST days in Berlin / New York).
 * Instants are written as ISO strings with explicit offsets so the expectations do not depend on the engine.
 */
import { describe, expect, it } from 'vitest';
import {
  CALENDAR_HORIZON_DAYS,
  CALENDAR_MAX_SPAN_DAYS,
  CalendarSpecError,
  TWENTY_FOUR_SEVEN,
  TWENTY_FOUR_SEVEN_SPEC,
  builtInCoverage,
  calendarOrAlwaysOpen,
  compileCalendar,
  holidayCoverage,
  type CalendarPeriod,
  type CalendarSpec,
} from './index';

const cn = (s: string): number => Date.parse(`${s}+08:00`);
const H = 3600;
const LUNCH: CalendarPeriod[] = [
  ['09:00', '12:00'],
  ['13:30', '18:00'],
];
const weekdays = (p: CalendarPeriod[]): CalendarSpec['weekly'] => ({ mon: p, tue: p, wed: p, thu: p, fri: p });
const CN_LUNCH: CalendarSpec = { timeZone: 'Asia/Shanghai', weekly: weekdays(LUNCH), holidays: 'cn-mainland' };
const cal = compileCalendar(CN_LUNCH);

describe('mainland China 9:00–12:00 / 13:30–18:00 with cn-mainland holidays', () => {
  it('Friday 17:30 + 1 business hour → next Monday 09:30', () => {
    expect(cal.addSeconds(cn('2025-11-07T17:30:00'), H)).toBe(cn('2025-11-10T09:30:00'));
    expect(cal.elapsedSeconds(cn('2025-11-07T17:30:00'), cn('2025-11-10T09:30:00'))).toBe(H);
  });

  it('国庆节/中秋 2025: Friday 17:30 + 1h → make-up Sunday 2025-09-28 09:30', () => {
    expect(cal.addSeconds(cn('2025-09-26T17:30:00'), H)).toBe(cn('2025-09-28T09:30:00'));
  });

  it('国庆节/中秋 2025: Tuesday 09-30 17:30 + 1h skips Oct 1–8 → Thursday 10-09 09:30', () => {
    expect(cal.addSeconds(cn('2025-09-30T17:30:00'), H)).toBe(cn('2025-10-09T09:30:00'));
  });

  it('国庆节 2025: Friday 10-10 17:30 + 1h → make-up Saturday 10-11 09:30', () => {
    expect(cal.addSeconds(cn('2025-10-10T17:30:00'), H)).toBe(cn('2025-10-11T09:30:00'));
    expect(cal.addSeconds(cn('2025-10-11T17:30:00'), H)).toBe(cn('2025-10-13T09:30:00'));
  });

  it('elapsed across the National Day break counts only Sep 30 and Oct 9', () => {
    expect(cal.elapsedSeconds(cn('2025-09-30T09:00:00'), cn('2025-10-09T18:00:00'))).toBe(15 * H);
    expect(cal.elapsedSeconds(cn('2025-10-01T00:00:00'), cn('2025-10-08T23:59:59'))).toBe(0);
  });

  it('春节 2026: Feb 15–23 closed, Feb 14 and Feb 28 (Saturdays) are make-up workdays', () => {
    expect(cal.addSeconds(cn('2026-02-13T17:30:00'), H)).toBe(cn('2026-02-14T09:30:00'));
    expect(cal.addSeconds(cn('2026-02-14T17:30:00'), H)).toBe(cn('2026-02-24T09:30:00'));
    expect(cal.addSeconds(cn('2026-02-27T17:30:00'), H)).toBe(cn('2026-02-28T09:30:00'));
    // A 4-business-hour standard raised at 16:00 on the make-up Saturday before the break: 2 h + 2 h.
    expect(cal.addSeconds(cn('2026-02-14T16:00:00'), 4 * H)).toBe(cn('2026-02-24T11:00:00'));
    expect(cal.dayInfo('2026-02-17')).toMatchObject({ kind: 'holiday', name: '春节', nameEn: 'Spring Festival' });
    expect(cal.dayInfo('2026-02-28')).toMatchObject({ kind: 'makeup_workday', name: '春节', periods: LUNCH });
  });

  it('lunch break: the clock stops 12:00–13:30', () => {
    expect(cal.addSeconds(cn('2025-11-10T11:30:00'), H)).toBe(cn('2025-11-10T14:00:00'));
    expect(cal.addSeconds(cn('2025-11-10T12:15:00'), 1800)).toBe(cn('2025-11-10T14:00:00'));
    // Earliest instant: exactly 12:00, not 13:30.
    expect(cal.addSeconds(cn('2025-11-10T11:00:00'), H)).toBe(cn('2025-11-10T12:00:00'));
    expect(cal.elapsedSeconds(cn('2025-11-10T11:00:00'), cn('2025-11-10T14:00:00'))).toBe(1.5 * H);
    expect(cal.isOpen(cn('2025-11-10T12:00:00'))).toBe(false);
    expect(cal.isOpen(cn('2025-11-10T13:30:00'))).toBe(true);
  });

  it('dayInfo labels holidays and 调休 make-up days with festival names', () => {
    expect(cal.dayInfo('2025-10-01')).toEqual({
      date: '2025-10-01',
      weekday: 'wed',
      kind: 'holiday',
      source: 'builtin',
      name: '国庆节',
      nameEn: 'National Day',
      periods: [],
      intervals: [],
      openSeconds: 0,
    });
    expect(cal.dayInfo('2025-10-06')).toMatchObject({ kind: 'holiday', name: '中秋', nameEn: 'Mid-autumn Festival' });
    expect(cal.dayInfo('2025-09-28')).toMatchObject({ weekday: 'sun', kind: 'makeup_workday', name: '国庆节', periods: LUNCH, openSeconds: 7.5 * H });
    expect(cal.dayInfo('2025-10-11')).toMatchObject({ weekday: 'sat', kind: 'makeup_workday', source: 'builtin' });
    expect(cal.dayInfo('2025-11-08')).toEqual(expect.objectContaining({ kind: 'weekend', periods: [], source: 'weekly' }));
    expect(cal.dayInfo('2025-11-10')).toMatchObject({
      kind: 'workday',
      intervals: [
        [cn('2025-11-10T09:00:00'), cn('2025-11-10T12:00:00')],
        [cn('2025-11-10T13:30:00'), cn('2025-11-10T18:00:00')],
      ],
    });
    expect(() => cal.dayInfo('2025-02-30')).toThrow(RangeError);
  });

  it('nextOpen / nextClose / endOfBusinessDay / localDate', () => {
    expect(cal.nextOpen(cn('2025-11-07T18:00:00'))).toBe(cn('2025-11-10T09:00:00'));
    expect(cal.nextOpen(cn('2025-11-10T10:00:00'))).toBe(cn('2025-11-10T10:00:00'));
    expect(cal.nextOpen(cn('2025-09-30T18:00:00'))).toBe(cn('2025-10-09T09:00:00'));
    expect(cal.nextClose(cn('2025-11-10T10:00:00'))).toBe(cn('2025-11-10T12:00:00'));
    expect(cal.nextClose(cn('2025-11-10T12:10:00'))).toBe(cn('2025-11-10T12:10:00'));
    expect(cal.endOfBusinessDay(cn('2025-11-10T10:00:00'))).toBe(cn('2025-11-10T18:00:00'));
    expect(cal.endOfBusinessDay(cn('2025-11-10T19:00:00'))).toBe(cn('2025-11-11T18:00:00'));
    expect(cal.endOfBusinessDay(cn('2025-09-30T19:00:00'))).toBe(cn('2025-10-09T18:00:00'));
    expect(cal.localDate(cn('2025-10-01T00:30:00'))).toBe('2025-10-01');
    expect(cal.localDate(Date.parse('2025-09-30T16:30:00Z'))).toBe('2025-10-01');
  });

  it('coverage of the built-in set comes from the chinese-days data', () => {
    const c = builtInCoverage();
    expect(c.set).toBe('cn-mainland');
    expect(c.fromYear).toBeLessThanOrEqual(2025);
    expect(c.toYear).toBeGreaterThanOrEqual(2026);
    expect(c.years).toContain(2025);
    expect(c.years).toContain(2026);
    const after = c.toYear + 1;
    expect(cal.uncoveredYears(2025, after)).toEqual([after]);
    expect(holidayCoverage([after, 2025, 2025])).toEqual({ covered: [2025], uncovered: [after] });
    expect(compileCalendar({ timeZone: 'Asia/Shanghai', weekly: weekdays(LUNCH) }).uncoveredYears(2025, 2030)).toEqual([]);
  });
});

describe('earliest instant and period ends', () => {
  const nineToSix = compileCalendar({ timeZone: 'Asia/Shanghai', weekly: weekdays([['09:00', '18:00']]) });

  it('Mon 17:00 + 3600 s on a 9–18 calendar = Mon 18:00, not Tue 09:00', () => {
    expect(nineToSix.addSeconds(cn('2025-11-10T17:00:00'), H)).toBe(cn('2025-11-10T18:00:00'));
    expect(nineToSix.addSeconds(cn('2025-11-10T17:00:00'), H + 1)).toBe(cn('2025-11-11T09:00:01'));
  });

  it('0 seconds returns from, even when closed; from outside hours starts at the next opening', () => {
    const sat = cn('2025-11-08T03:00:00');
    expect(nineToSix.addSeconds(sat, 0)).toBe(sat);
    expect(nineToSix.addSeconds(sat, 60)).toBe(cn('2025-11-10T09:01:00'));
  });

  it('period ending 24:00 runs to local midnight', () => {
    const late = compileCalendar({ timeZone: 'Asia/Shanghai', weekly: { mon: [['18:00', '24:00']], tue: [['09:00', '10:00']] } });
    expect(late.addSeconds(cn('2025-11-10T23:30:00'), 1800)).toBe(cn('2025-11-11T00:00:00'));
    expect(late.addSeconds(cn('2025-11-10T23:00:00'), 2 * H)).toBe(cn('2025-11-11T10:00:00'));
    expect(late.isOpen(cn('2025-11-10T23:59:59'))).toBe(true);
    expect(late.isOpen(cn('2025-11-11T00:00:00'))).toBe(false);
    expect(late.nextClose(cn('2025-11-10T20:00:00'))).toBe(cn('2025-11-11T00:00:00'));
    expect(late.dayInfo('2025-11-10').periods).toEqual([['18:00', '24:00']]);
  });

  it('overnight shift = 22:00–24:00 today + 00:00–06:00 tomorrow, continuous across midnight', () => {
    const night: CalendarPeriod[] = [
      ['00:00', '06:00'],
      ['22:00', '24:00'],
    ];
    const nights = compileCalendar({
      timeZone: 'Asia/Shanghai',
      weekly: { mon: [['22:00', '24:00']], tue: night, wed: night, thu: night, fri: night, sat: [['00:00', '06:00']] },
      holidays: 'cn-mainland',
    });
    expect(nights.addSeconds(cn('2025-11-10T23:00:00'), 3 * H)).toBe(cn('2025-11-11T02:00:00'));
    expect(nights.elapsedSeconds(cn('2025-11-10T21:00:00'), cn('2025-11-11T07:00:00'))).toBe(8 * H);
    expect(nights.nextClose(cn('2025-11-10T23:00:00'))).toBe(cn('2025-11-11T06:00:00'));
    expect(nights.addSeconds(cn('2025-11-14T05:00:00'), 2 * H)).toBe(cn('2025-11-14T23:00:00'));
    expect(nights.addSeconds(cn('2025-11-15T05:00:00'), 2 * H)).toBe(cn('2025-11-17T23:00:00'));
    // The morning half belongs to its own date: 2025-10-01 is a holiday, so 00:00–06:00 that day is closed.
    expect(nights.isOpen(cn('2025-09-30T23:00:00'))).toBe(true);
    expect(nights.isOpen(cn('2025-10-01T01:00:00'))).toBe(false);
  });

  it('touching periods behave as one', () => {
    const t = compileCalendar({
      timeZone: 'Asia/Shanghai',
      weekly: {
        mon: [
          ['12:00', '18:00'],
          ['09:00', '12:00'],
        ],
      },
    });
    expect(t.dayInfo('2025-11-10').periods).toEqual([['09:00', '18:00']]);
    expect(t.nextClose(cn('2025-11-10T10:00:00'))).toBe(cn('2025-11-10T18:00:00'));
  });
});

describe('overrides', () => {
  it('holiday override closes a normal workday', () => {
    const c = compileCalendar({ ...CN_LUNCH, overrides: [{ date: '2025-11-12', kind: 'holiday', name: '公司年会' }] });
    expect(c.addSeconds(cn('2025-11-11T17:30:00'), H)).toBe(cn('2025-11-13T09:30:00'));
    expect(c.dayInfo('2025-11-12')).toMatchObject({ kind: 'holiday', source: 'override', name: '公司年会', periods: [] });
  });

  it('workday override with hours opens a Saturday with those hours', () => {
    const c = compileCalendar({ ...CN_LUNCH, overrides: [{ date: '2025-11-15', kind: 'workday', hours: [['10:00', '15:00']], name: '盘点' }] });
    expect(c.addSeconds(cn('2025-11-14T17:30:00'), H)).toBe(cn('2025-11-15T10:30:00'));
    expect(c.addSeconds(cn('2025-11-15T14:30:00'), H)).toBe(cn('2025-11-17T09:30:00'));
    expect(c.dayInfo('2025-11-15')).toMatchObject({
      kind: 'makeup_workday',
      source: 'override',
      name: '盘点',
      periods: [['10:00', '15:00']],
      openSeconds: 5 * H,
    });
  });

  it('workday override with hours replaces the weekly hours on a normal weekday', () => {
    const c = compileCalendar({ ...CN_LUNCH, overrides: [{ date: '2025-11-12', kind: 'workday', hours: [['09:00', '11:00']] }] });
    expect(c.dayInfo('2025-11-12')).toMatchObject({ kind: 'workday', source: 'override', periods: [['09:00', '11:00']] });
    expect(c.addSeconds(cn('2025-11-12T10:30:00'), H)).toBe(cn('2025-11-13T09:30:00'));
  });

  it('workday override without hours uses the Monday hours', () => {
    const c = compileCalendar({
      timeZone: 'Asia/Shanghai',
      weekly: { mon: [['08:00', '12:00']], tue: [['10:00', '20:00']] },
      overrides: [{ date: '2025-11-16', kind: 'workday' }],
    });
    expect(c.dayInfo('2025-11-16')).toMatchObject({ weekday: 'sun', kind: 'makeup_workday', periods: [['08:00', '12:00']] });
  });

  it('overrides beat the built-in set (in both directions)', () => {
    const c = compileCalendar({
      ...CN_LUNCH,
      overrides: [
        { date: '2025-10-08', kind: 'workday', name: '提前复工' },
        { date: '2025-10-11', kind: 'holiday', name: '不补班' },
      ],
    });
    expect(c.addSeconds(cn('2025-09-30T17:30:00'), H)).toBe(cn('2025-10-08T09:30:00'));
    expect(c.addSeconds(cn('2025-10-10T17:30:00'), H)).toBe(cn('2025-10-13T09:30:00'));
    expect(c.dayInfo('2025-10-08')).toMatchObject({ kind: 'workday', source: 'override', name: '提前复工' });
    expect(c.dayInfo('2025-10-11')).toMatchObject({ kind: 'holiday', source: 'override', name: '不补班' });
  });

  it('make-up workdays use the Monday hours even when Monday differs', () => {
    const c = compileCalendar({
      timeZone: 'Asia/Shanghai',
      weekly: { mon: [['10:00', '16:00']], tue: LUNCH, wed: LUNCH, thu: LUNCH, fri: LUNCH },
      holidays: 'cn-mainland',
    });
    expect(c.dayInfo('2025-09-28').periods).toEqual([['10:00', '16:00']]);
  });
});

describe('DST (Intl-derived offsets, no tz library)', () => {
  it('Europe/Berlin spring forward 2025-03-30: 02:00–03:00 does not exist, 01:00–04:00 lasts 2 h', () => {
    const gap = compileCalendar({ timeZone: 'Europe/Berlin', weekly: { sun: [['02:00', '03:00']] } });
    expect(gap.dayInfo('2025-03-30')).toMatchObject({ openSeconds: 0, intervals: [] });
    expect(gap.dayInfo('2025-04-06').openSeconds).toBe(H);
    expect(gap.nextOpen(Date.parse('2025-03-29T12:00:00Z'))).toBe(Date.parse('2025-04-06T02:00:00+02:00'));

    const span = compileCalendar({ timeZone: 'Europe/Berlin', weekly: { sun: [['01:00', '04:00']] } });
    expect(span.dayInfo('2025-03-30').intervals).toEqual([[Date.parse('2025-03-30T01:00:00+01:00'), Date.parse('2025-03-30T04:00:00+02:00')]]);
    expect(span.dayInfo('2025-03-30').openSeconds).toBe(2 * H);
    expect(span.addSeconds(Date.parse('2025-03-30T01:30:00+01:00'), H)).toBe(Date.parse('2025-03-30T03:30:00+02:00'));
  });

  it('Europe/Berlin fall back 2025-10-26: 02:00–03:00 lasts 2 h; 01:00–02:30 is two real pieces', () => {
    const overlap = compileCalendar({ timeZone: 'Europe/Berlin', weekly: { sun: [['02:00', '03:00']] } });
    expect(overlap.dayInfo('2025-10-26').intervals).toEqual([[Date.parse('2025-10-26T02:00:00+02:00'), Date.parse('2025-10-26T03:00:00+01:00')]]);
    expect(overlap.dayInfo('2025-10-26').openSeconds).toBe(2 * H);

    const twice = compileCalendar({ timeZone: 'Europe/Berlin', weekly: { sun: [['01:00', '02:30']] } });
    expect(twice.dayInfo('2025-10-26').intervals).toEqual([
      [Date.parse('2025-10-26T01:00:00+02:00'), Date.parse('2025-10-26T02:30:00+02:00')],
      [Date.parse('2025-10-26T02:00:00+01:00'), Date.parse('2025-10-26T02:30:00+01:00')],
    ]);
    expect(twice.isOpen(Date.parse('2025-10-26T02:45:00+02:00'))).toBe(false);
    expect(twice.isOpen(Date.parse('2025-10-26T02:15:00+01:00'))).toBe(true);
    expect(twice.addSeconds(Date.parse('2025-10-26T02:00:00+02:00'), H)).toBe(Date.parse('2025-10-26T02:30:00+01:00'));
  });

  it('America/New_York 9–17 across the March and November changes', () => {
    const ny = compileCalendar({ timeZone: 'America/New_York', weekly: weekdays([['09:00', '17:00']]) });
    expect(ny.addSeconds(Date.parse('2025-03-07T16:00:00-05:00'), 2 * H)).toBe(Date.parse('2025-03-10T10:00:00-04:00'));
    expect(ny.addSeconds(Date.parse('2025-10-31T16:00:00-04:00'), 2 * H)).toBe(Date.parse('2025-11-03T10:00:00-05:00'));
    expect(ny.elapsedSeconds(Date.parse('2025-03-07T09:00:00-05:00'), Date.parse('2025-03-10T17:00:00-04:00'))).toBe(16 * H);
    expect(ny.localDate(Date.parse('2025-11-02T05:30:00Z'))).toBe('2025-11-02');
    const night = compileCalendar({ timeZone: 'America/New_York', weekly: { sun: [['00:00', '24:00']] } });
    expect(night.dayInfo('2025-03-09').openSeconds).toBe(23 * H);
    expect(night.dayInfo('2025-11-02').openSeconds).toBe(25 * H);
  });
});

describe('24×7, edge inputs, errors', () => {
  it('null calendar = TWENTY_FOUR_SEVEN', () => {
    expect(compileCalendar(null)).toBe(TWENTY_FOUR_SEVEN);
    expect(calendarOrAlwaysOpen(null)).toBe(TWENTY_FOUR_SEVEN);
    expect(calendarOrAlwaysOpen(cal)).toBe(cal);
    const t = Date.parse('2025-10-01T00:00:00Z');
    expect(TWENTY_FOUR_SEVEN.addSeconds(t, 90)).toBe(t + 90_000);
    expect(TWENTY_FOUR_SEVEN.elapsedSeconds(t, t + 1999)).toBe(1);
    expect(TWENTY_FOUR_SEVEN.elapsedSeconds(t + 5, t)).toBe(0);
    expect(TWENTY_FOUR_SEVEN.isOpen(t)).toBe(true);
    expect(TWENTY_FOUR_SEVEN.nextOpen(t)).toBe(t);
    expect(TWENTY_FOUR_SEVEN.nextClose(t)).toBeNull();
    expect(TWENTY_FOUR_SEVEN.dayInfo('2025-10-01')).toMatchObject({ kind: 'workday', periods: [['00:00', '24:00']], openSeconds: 86400 });
    const spec = compileCalendar(TWENTY_FOUR_SEVEN_SPEC);
    expect(spec.addSeconds(t + 123, 10 * 86400 + 7)).toBe(TWENTY_FOUR_SEVEN.addSeconds(t + 123, 10 * 86400 + 7));
    expect(spec.nextClose(t)).toBeNull();
  });

  it('empty weekly pattern: never open within the horizon', () => {
    const never = compileCalendar({ timeZone: 'Asia/Shanghai', weekly: {} });
    const t = cn('2025-11-10T10:00:00');
    expect(CALENDAR_HORIZON_DAYS).toBeGreaterThanOrEqual(3 * 365);
    expect(never.nextOpen(t)).toBeNull();
    expect(never.addSeconds(t, 1)).toBeNull();
    expect(never.endOfBusinessDay(t)).toBeNull();
    expect(never.addSeconds(t, 0)).toBe(t);
    expect(never.elapsedSeconds(t, t + 86_400_000)).toBe(0);
    expect(never.nextClose(t)).toBe(t);
    const once = compileCalendar({ timeZone: 'Asia/Shanghai', weekly: {}, overrides: [{ date: '2026-06-01', kind: 'workday', hours: [['09:00', '10:00']] }] });
    expect(once.nextOpen(t)).toBe(cn('2026-06-01T09:00:00'));
    expect(once.addSeconds(t, 1800)).toBe(cn('2026-06-01T09:30:00'));
    expect(once.addSeconds(t, 3601)).toBeNull();
  });

  it('fractional instants and seconds: elapsed is floor(business ms / 1000)', () => {
    const t = cn('2025-11-10T10:00:00');
    expect(cal.elapsedSeconds(t + 500, t + 1499)).toBe(0);
    expect(cal.elapsedSeconds(t + 500, t + 1500)).toBe(1);
    expect(cal.elapsedMs(t + 500, t + 1499)).toBe(999);
    expect(cal.addSeconds(t + 250, 2)).toBe(t + 2250);
    expect(cal.addSeconds(t, 1.5)).toBe(t + 1500);
    expect(cal.addSeconds(cn('2025-11-10T17:59:59.500'), 1)).toBe(cn('2025-11-11T09:00:00.500'));
  });

  it('rejects bad arguments', () => {
    expect(() => cal.addSeconds(0, -1)).toThrow(RangeError);
    expect(() => cal.addSeconds(Number.NaN, 1)).toThrow(RangeError);
    expect(() => cal.elapsedSeconds(0, Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => cal.isOpen(Number.NaN)).toThrow(RangeError);
    // Absurd spans are refused instead of walking for ages.
    const t = cn('2025-11-10T10:00:00');
    expect(() => cal.addSeconds(t, 1e12)).toThrow(RangeError);
    expect(() => cal.elapsedSeconds(t, t + (CALENDAR_MAX_SPAN_DAYS + 2) * 86_400_000)).toThrow(RangeError);
  });

  it('compileCalendar throws a typed error with field paths, and caches identical specs', () => {
    try {
      compileCalendar({ timeZone: 'Mars/Olympus', weekly: { mon: [['09:00', '08:00']] } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CalendarSpecError);
      const err = e as CalendarSpecError;
      expect(err.code).toBe('INVALID_CALENDAR');
      expect(err.problems.map((p) => p.path)).toEqual(['timeZone', 'weekly.mon[0]']);
    }
    expect(compileCalendar(JSON.parse(JSON.stringify(CN_LUNCH)) as CalendarSpec)).toBe(cal);
  });
});
