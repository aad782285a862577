/**
 * Time-of-day / calendar-day deadlines: the example cases from the sources (by 10:30, same day with a 16:00 cut-off,
 * across 国庆 and 春节 and their 调休 workdays) and fast-check property tests against a slow, obviously-correct
 * reference that walks real time in 15-minute steps, reading local dates and times from Intl and open/closed from
 * `isOpen` — it shares no date arithmetic with `timeOfDayDeadline`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileCalendar,
  timeOfDayDeadline,
  TWENTY_FOUR_SEVEN,
  type BusinessCalendar,
  type CalendarPeriod,
  type CalendarSpec,
  type TimeOfDayDeadline,
  type Weekday,
} from './index';

const WK: CalendarPeriod[] = [
  ['09:00', '12:00'],
  ['13:30', '18:00'],
];
const SH = compileCalendar({ timeZone: 'Asia/Shanghai', weekly: { mon: WK, tue: WK, wed: WK, thu: WK, fri: WK }, holidays: 'cn-mainland' });
/** Local Shanghai wall time → instant. */
const sh = (s: string) => Date.parse(`${s}:00+08:00`);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' '));
const due = (start: string, spec: TimeOfDayDeadline, cal: BusinessCalendar = SH) => iso(timeOfDayDeadline(cal, sh(start), spec));

describe('timeOfDayDeadline — cases from the sources', () => {
  const by1030: TimeOfDayDeadline = { at: '10:30', businessDaysAfter: 0 };
  const sameDay: TimeOfDayDeadline = { at: 'end_of_day', businessDaysAfter: 0, cutoff: '16:00' };

  it('delivers by 10:30 on the start day, or the next business day when the start is later', () => {
    expect(due('2025-09-30T08:00', by1030)).toBe('2025-09-30 10:30');
    expect(due('2025-09-30T10:29', by1030)).toBe('2025-09-30 10:30');
    // after 10:30 on the last day before 国庆 → the first business day after the holiday
    expect(due('2025-09-30T11:00', by1030)).toBe('2025-10-09 10:30');
    // an order placed during the holiday
    expect(due('2025-10-03T09:00', by1030)).toBe('2025-10-09 10:30');
  });

  it('resolves complaints the same business day, after the 16:00 cut-off the next one', () => {
    expect(due('2025-09-30T15:59', sameDay)).toBe('2025-09-30 18:00');
    expect(due('2025-09-30T16:00', sameDay)).toBe('2025-10-09 18:00');
    expect(due('2025-09-30T07:00', sameDay)).toBe('2025-09-30 18:00'); // before opening: same day
    expect(due('2025-09-30T12:30', sameDay)).toBe('2025-09-30 18:00'); // lunch break: same day
    expect(due('2025-10-05T10:00', sameDay)).toBe('2025-10-09 18:00'); // received on a holiday
  });

  it('counts 调休 make-up workdays as business days', () => {
    // Saturday 2025-09-27 is a weekend; Sunday 09-28 is a 调休 workday
    expect(due('2025-09-27T10:00', sameDay)).toBe('2025-09-28 18:00');
    // Friday 10-10 after the cut-off → Saturday 10-11 (调休 workday)
    expect(due('2025-10-10T17:00', sameDay)).toBe('2025-10-11 18:00');
    expect(due('2025-10-10T17:00', by1030)).toBe('2025-10-11 10:30');
    // 春节 2026: Friday 02-13 after the cut-off → Saturday 02-14 (调休); after that, the holiday until 02-23
    expect(due('2026-02-13T16:30', sameDay)).toBe('2026-02-14 18:00');
    expect(due('2026-02-14T16:30', sameDay)).toBe('2026-02-24 18:00');
  });

  it('adds business days (次 N 个工作日) across the holiday', () => {
    expect(due('2025-09-30T09:00', { at: '10:30', businessDaysAfter: 1 })).toBe('2025-10-09 10:30');
    expect(due('2025-09-30T09:00', { at: '10:30', businessDaysAfter: 2 })).toBe('2025-10-10 10:30');
    expect(due('2025-09-30T09:00', { at: 'end_of_day', businessDaysAfter: 3 })).toBe('2025-10-11 18:00');
    // 'at' outside business hours is taken as it is
    expect(due('2025-09-30T09:00', { at: '20:00', businessDaysAfter: 0 })).toBe('2025-09-30 20:00');
  });

  it('keeps an appointment valid the whole agreed day (end of that business day)', () => {
    expect(due('2025-10-09T00:00', { at: 'end_of_day', businessDaysAfter: 0 })).toBe('2025-10-09 18:00');
  });

  it('runs on 24×7 (UTC) and rejects invalid specs', () => {
    expect(timeOfDayDeadline(TWENTY_FOUR_SEVEN, Date.parse('2025-10-01T11:00:00Z'), { at: '10:30', businessDaysAfter: 0 })).toBe(
      Date.parse('2025-10-02T10:30:00Z'),
    );
    expect(timeOfDayDeadline(TWENTY_FOUR_SEVEN, Date.parse('2025-10-01T11:00:00Z'), { at: 'end_of_day', businessDaysAfter: 0 })).toBe(
      Date.parse('2025-10-02T00:00:00Z'),
    );
    expect(timeOfDayDeadline(SH, 0, { at: '25:00', businessDaysAfter: 0 })).toBeNull();
    expect(timeOfDayDeadline(SH, 0, { at: '10:00', businessDaysAfter: -1 })).toBeNull();
    expect(timeOfDayDeadline(compileCalendar({ timeZone: 'UTC', weekly: {} }), 0, { at: '10:00', businessDaysAfter: 0 })).toBeNull();
  });

  it('end_of_business_day (当日) is the special case {at: end_of_day, businessDaysAfter: 0}', () => {
    for (const s of ['2025-09-30T08:00', '2025-09-30T18:00', '2025-10-01T12:00', '2025-10-10T19:00', '2026-02-13T17:59']) {
      expect(timeOfDayDeadline(SH, sh(s), { at: 'end_of_day', businessDaysAfter: 0 })).toBe(SH.endOfBusinessDay(sh(s)));
    }
  });
});

// ---- the slow reference ----------------------------------------------------

const STEP = 15 * 60_000;
const DAY = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();
function wall(ms: number, zone: string): { date: string; minute: number } {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(zone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(ms))) p[part.type] = part.value;
  return { date: `${p.year}-${p.month}-${p.day}`, minute: Number(p.hour) * 60 + Number(p.minute) };
}
const hm = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/** Walk 60 days of real time in 15-minute steps; every period boundary, `at` and cut-off lies on that grid. */
function reference(cal: BusinessCalendar, zone: string, start: number, spec: TimeOfDayDeadline): number | null {
  const days: string[] = [];
  const info = new Map<string, { lastOpenEnd: number | null; openFromStart: boolean; firstAt: number | null }>();
  for (let t = Math.floor(start / STEP) * STEP; t < start + 60 * DAY; t += STEP) {
    const w = wall(t, zone);
    let d = info.get(w.date);
    if (!d) {
      d = { lastOpenEnd: null, openFromStart: false, firstAt: null };
      info.set(w.date, d);
      days.push(w.date);
    }
    if (cal.isOpen(t)) {
      d.lastOpenEnd = t + STEP;
      if (t + STEP > start) d.openFromStart = true;
    }
    if (spec.at !== 'end_of_day' && d.firstAt === null && w.minute >= hm(spec.at) && t > start - STEP) d.firstAt = t;
  }
  const business = days.filter((d) => info.get(d)!.lastOpenEnd !== null);
  const startWall = wall(start, zone);
  const d0 = startWall.date;
  const sameDay = info.get(d0)!.openFromStart && (!spec.cutoff || startWall.minute < hm(spec.cutoff));
  let sIdx = sameDay ? business.indexOf(d0) : business.findIndex((d) => d > d0);
  for (let attempt = 0; attempt < 2 && sIdx >= 0; attempt++) {
    const target = business[sIdx + spec.businessDaysAfter];
    if (target === undefined) return null;
    const at = spec.at === 'end_of_day' ? info.get(target)!.lastOpenEnd : info.get(target)!.firstAt;
    if (at !== null && at > start) return at;
    sIdx += 1;
  }
  return null;
}

const DAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
/** Half-hour grid times in 04:00–23:30 (keeps Berlin's 02:00–03:00 DST gap out of `at` and the cut-off). */
const slot = fc.integer({ min: 8, max: 47 }).map((h) => `${String(Math.floor(h / 2)).padStart(2, '0')}:${h % 2 ? '30' : '00'}`);
const dayPeriods = fc
  .tuple(fc.integer({ min: 12, max: 30 }), fc.integer({ min: 2, max: 10 }), fc.boolean(), fc.integer({ min: 1, max: 6 }))
  .map(([s, len, split, gap]): CalendarPeriod[] => {
    const t = (h: number) => (h >= 48 ? '24:00' : `${String(Math.floor(h / 2)).padStart(2, '0')}:${h % 2 ? '30' : '00'}`);
    const e = Math.min(48, s + len);
    if (!split || e + gap + 2 > 48) return [[t(s), t(e)]];
    return [
      [t(s), t(e)],
      [t(e + gap), t(Math.min(48, e + gap + 4))],
    ];
  });
const calendarArb = fc
  .record({
    zone: fc.constantFrom('Asia/Shanghai', 'Europe/Berlin', 'UTC'),
    open: fc.subarray(DAYS, { minLength: 3 }),
    periods: dayPeriods,
    holidays: fc.boolean(),
    overrides: fc.array(fc.record({ offset: fc.integer({ min: -2, max: 12 }), kind: fc.constantFrom('holiday' as const, 'workday' as const) }), {
      maxLength: 3,
    }),
  })
  .map((r) => r);
const START_FROM = Date.parse('2025-01-01T00:00:00Z');
const START_TO = Date.parse('2026-12-20T00:00:00Z');

describe('timeOfDayDeadline — property tests against the day-by-day reference', () => {
  it('agrees with the reference on random calendars, starts and specs', () => {
    fc.assert(
      fc.property(
        calendarArb,
        fc.integer({ min: START_FROM / 60_000, max: START_TO / 60_000 }),
        fc.oneof(slot, fc.constant('end_of_day')),
        fc.integer({ min: 0, max: 3 }),
        fc.option(slot, { nil: undefined }),
        (c, startMin, at, n, cutoff) => {
          const start = startMin * 60_000;
          const base = wall(start, c.zone).date;
          const spec: CalendarSpec = {
            timeZone: c.zone,
            weekly: Object.fromEntries(c.open.map((d) => [d, c.periods])),
            holidays: c.holidays ? 'cn-mainland' : null,
            overrides: [
              ...new Map(c.overrides.map((o) => [new Date(Date.parse(`${base}T00:00:00Z`) + o.offset * DAY).toISOString().slice(0, 10), o.kind])).entries(),
            ].map(([date, kind]) => ({ date, kind })),
          };
          const cal = compileCalendar(spec);
          const s: TimeOfDayDeadline = { at, businessDaysAfter: n, cutoff };
          expect(timeOfDayDeadline(cal, start, s)).toBe(reference(cal, c.zone, start, s));
        },
      ),
      { seed: 20261205, numRuns: 120 },
    );
  }, 120_000);

  it('the deadline is after the start, on a business day, and non-decreasing in businessDaysAfter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: START_FROM / 60_000, max: START_TO / 60_000 }),
        fc.oneof(slot, fc.constant('end_of_day')),
        fc.option(slot, { nil: undefined }),
        (startMin, at, cutoff) => {
          const start = startMin * 60_000;
          let prev = start;
          for (let n = 0; n <= 3; n++) {
            const d = timeOfDayDeadline(SH, start, { at, businessDaysAfter: n, cutoff });
            expect(d).not.toBeNull();
            expect(d!).toBeGreaterThan(start);
            expect(d!).toBeGreaterThanOrEqual(prev); // N = 0 after the time of day equals N = 1
            expect(SH.dayInfo(SH.localDate(d! - (at === 'end_of_day' ? 1 : 0))).periods.length).toBeGreaterThan(0);
            prev = d!;
          }
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });
});
