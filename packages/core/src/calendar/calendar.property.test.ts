/**
 * Property tests (fast-check, fixed seeds) against an independent brute-force reference.
 *
 * The reference evaluates "is it open?" at an instant the obvious way: ask Intl for the local
 * wall-clock date and time in the calendar zone, pick that date's periods (override → chinese-days'
 * own API → weekly pattern) and test membership. It walks real time minute by minute: every period
 * boundary is a whole local minute and the zones used (Shanghai, Berlin, New York, Santiago with
 * changes at midnight, Lord Howe with a 30-minute shift) have whole-minute offsets, so the open state
 * is constant inside each UTC minute; the partial first and last minutes are clipped to `from` / `to`
 * (the "second-level tail"). It shares no code with the engine.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCalendar, TWENTY_FOUR_SEVEN, TWENTY_FOUR_SEVEN_SPEC, type CalendarPeriod, type CalendarSpec, type Weekday } from './index';

/**
 * chinese-days builds its lookup tables at import time with local-time getters, which shifts every
 * date by a day when the process runs in a zone west of UTC (e.g. TZ=America/New_York). Load it
 * under UTC so this reference stays correct on any machine; the engine itself reads the package's
 * prebuilt JSON and is not affected.
 */
const savedTz = process.env.TZ;
process.env.TZ = 'UTC';
const { getDayDetail } = await import('chinese-days');
if (savedTz === undefined) delete process.env.TZ;
else process.env.TZ = savedTz;

const MIN = 60_000;
const DAY = 86_400_000;
const ZONES = ['Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'America/Santiago', 'Australia/Lord_Howe'] as const;
const DAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

// ---- independent reference -------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();
function wallClock(ms: number, zone: string): { date: string; weekday: Weekday; minute: number } {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(ms))) p[part.type] = part.value;
  return {
    date: `${p.year}-${p.month}-${p.day}`,
    weekday: (p.weekday ?? '').toLowerCase().slice(0, 3) as Weekday,
    minute: Number(p.hour) * 60 + Number(p.minute) + Number(p.second) / 60,
  };
}

const hm = (s: string): number => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

function refPeriodsOf(spec: CalendarSpec, date: string, weekday: Weekday): CalendarPeriod[] {
  const standard = spec.weekly.mon?.length ? spec.weekly.mon : (DAYS.map((d) => spec.weekly[d]).find((p) => p && p.length > 0) ?? []);
  const o = spec.overrides?.find((x) => x.date === date);
  if (o) return o.kind === 'holiday' ? [] : (o.hours ?? standard);
  if (spec.holidays === 'cn-mainland') {
    // chinese-days formats with local getters: give it a local-midnight Date.
    const d = getDayDetail(new Date(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))));
    if (d.name.includes(',')) return d.work ? standard : []; // listed: make-up workday or public holiday
  }
  return spec.weekly[weekday] ?? [];
}

function refIsOpen(spec: CalendarSpec, ms: number): boolean {
  const w = wallClock(ms, spec.timeZone);
  return refPeriodsOf(spec, w.date, w.weekday).some(([s, e]) => hm(s) <= w.minute && w.minute < hm(e));
}

/** Open pieces `[s, e)` of `[from, to)`, by brute force. */
function refPieces(spec: CalendarSpec, from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  for (let t = from; t < to;) {
    const next = Math.min(to, Math.floor(t / MIN) * MIN + MIN);
    if (refIsOpen(spec, t)) {
      const last = out[out.length - 1];
      if (last && last[1] === t) last[1] = next;
      else out.push([t, next]);
    }
    t = next;
  }
  return out;
}

const refTotal = (pieces: [number, number][]): number => pieces.reduce((a, [s, e]) => a + e - s, 0);

/** Earliest instant with `ms` business ms after the start of the pieces, or null if beyond them. */
function refAdd(pieces: [number, number][], ms: number): number | null {
  let rem = ms;
  for (const [s, e] of pieces) {
    if (e - s >= rem) return s + rem;
    rem -= e - s;
  }
  return null;
}

// ---- generators ------------------------------------------------------------

const fmt = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** Boundaries biased to midnight, 24:00, DST hours (01:00–03:00) and overnight-shift hours. */
const boundary = fc.oneof(
  fc.integer({ min: 0, max: 96 }).map((q) => q * 15),
  fc.constantFrom(0, 60, 120, 150, 180, 360, 1320, 1440),
  fc.integer({ min: 0, max: 1440 }),
);

const dayPeriods: fc.Arbitrary<CalendarPeriod[]> = fc.uniqueArray(boundary, { maxLength: 6 }).map((bs) => {
  const s = [...bs].sort((a, b) => a - b);
  const out: CalendarPeriod[] = [];
  for (let i = 0; i + 1 < s.length; i += 2) out.push([fmt(s[i] as number), fmt(s[i + 1] as number)]);
  return out;
});

/** Typical office day, split shift, or overnight pair. */
const namedDay = fc.constantFrom<CalendarPeriod[]>(
  [
    ['09:00', '12:00'],
    ['13:30', '18:00'],
  ],
  [['09:00', '18:00']],
  [
    ['00:00', '06:00'],
    ['22:00', '24:00'],
  ],
  [['00:00', '24:00']],
  [['02:00', '03:00']],
  [['01:00', '02:30']],
);

const weekly: fc.Arbitrary<CalendarSpec['weekly']> = fc
  .array(fc.option(fc.oneof(dayPeriods, namedDay), { nil: undefined }), { minLength: 7, maxLength: 7 })
  .map((days) => {
    const w: CalendarSpec['weekly'] = {};
    days.forEach((p, i) => {
      if (p !== undefined) w[DAYS[i] as Weekday] = p;
    });
    return w;
  });

const overrideSeeds = fc.uniqueArray(
  fc.record({
    offset: fc.integer({ min: -3, max: 4 }),
    kind: fc.constantFrom<'holiday' | 'workday'>('holiday', 'workday'),
    hours: fc.option(
      dayPeriods.filter((p) => p.length > 0),
      { nil: undefined },
    ),
  }),
  { maxLength: 3, selector: (o) => o.offset },
);

/** Anchors near each zone's DST changes and near mainland-China holidays / 调休 days. */
const DST_ANCHORS: Record<(typeof ZONES)[number], string[]> = {
  'Asia/Shanghai': [],
  'Europe/Berlin': ['2025-03-30T01:00:00Z', '2025-10-26T01:00:00Z', '2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z'],
  'America/New_York': ['2025-03-09T07:00:00Z', '2025-11-02T06:00:00Z', '2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z'],
  // Changes at local midnight (00:00 → 01:00 in September, 00:00 → 23:00 the day before in April).
  'America/Santiago': ['2025-04-06T03:00:00Z', '2025-09-07T04:00:00Z', '2026-04-05T03:00:00Z'],
  // Half-hour DST shift (+10:30 ↔ +11:00).
  'Australia/Lord_Howe': ['2025-04-05T15:00:00Z', '2025-10-04T15:30:00Z', '2026-04-04T15:00:00Z'],
};
const CN_ANCHORS = [
  '2025-09-27T16:00:00Z', // 2025-09-28 调休 Sunday (Shanghai midnight)
  '2025-09-30T16:00:00Z', // 国庆节 starts
  '2025-10-10T16:00:00Z', // 2025-10-11 调休 Saturday
  '2026-02-13T16:00:00Z', // 2026-02-14 调休 Saturday, 春节 follows
  '2026-02-27T16:00:00Z', // 2026-02-28 调休 Saturday
  '2025-01-25T16:00:00Z', // 2025-01-26 调休 Sunday
];
const anchorFor = (zone: (typeof ZONES)[number]): fc.Arbitrary<number> =>
  fc.oneof(
    ...(DST_ANCHORS[zone].length > 0 ? [fc.constantFrom(...DST_ANCHORS[zone]).map((x) => Date.parse(x))] : []),
    fc.constantFrom(...CN_ANCHORS).map((x) => Date.parse(x)),
    fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2026-12-31T00:00:00Z') }),
  );

interface Scenario {
  spec: CalendarSpec;
  from: number;
}

const shiftDate = (date: string, days: number): string =>
  new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)) + days)).toISOString().slice(0, 10);

const scenario: fc.Arbitrary<Scenario> = fc
  .constantFrom(...ZONES)
  .chain((zone) =>
    fc.record({
      zone: fc.constant(zone),
      weekly,
      holidays: fc.constantFrom<CalendarSpec['holidays']>('cn-mainland', 'cn-mainland', null),
      seeds: overrideSeeds,
      anchor: anchorFor(zone),
      jitter: fc.integer({ min: -2 * DAY, max: DAY }),
      secondAligned: fc.boolean(),
    }),
  )
  .map(({ zone, weekly: w, holidays, seeds, anchor: a, jitter, secondAligned }) => {
    let from = a + jitter;
    if (secondAligned) from = Math.floor(from / 1000) * 1000;
    const base = wallClock(a, zone).date;
    const spec: CalendarSpec = { timeZone: zone, weekly: w, holidays };
    if (seeds.length > 0) {
      spec.overrides = seeds.map((s) =>
        s.kind === 'workday' && s.hours
          ? { date: shiftDate(base, s.offset), kind: 'workday', hours: s.hours }
          : { date: shiftDate(base, s.offset), kind: s.kind },
      );
    }
    return { spec, from };
  });

const SEED = 20251001;

// ---- properties ------------------------------------------------------------

describe('brute-force reference agreement', () => {
  it('elapsedSeconds, addSeconds, isOpen, nextOpen match the minute-walking reference', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 2 * DAY }), fc.double({ min: 0, max: 1, noNaN: true }), ({ spec, from }, span, frac) => {
        const cal = compileCalendar(spec);
        const to = from + span;
        const pieces = refPieces(spec, from, to);
        const total = refTotal(pieces);
        expect(cal.elapsedMs(from, to)).toBe(total);
        expect(cal.elapsedSeconds(from, to)).toBe(Math.floor(total / 1000));
        // add: n drawn inside the reference window (so the reference knows the answer) …
        const n = Math.floor(Math.floor(total / 1000) * frac);
        if (n > 0) expect(cal.addSeconds(from, n)).toBe(refAdd(pieces, n * 1000));
        // … and exactly the whole window's business time (may land on a period end).
        if (total >= 1000) expect(cal.addSeconds(from, Math.floor(total / 1000))).toBe(refAdd(pieces, Math.floor(total / 1000) * 1000));
        // beyond the window: the answer must lie after `to` (or null if never open).
        const beyond = cal.addSeconds(from, Math.floor(total / 1000) + 1);
        if (beyond !== null) expect(beyond).toBeGreaterThan(to - 1000);
        // isOpen / nextOpen at a few instants.
        for (const t of [from, from + Math.floor(span / 3), from + Math.floor(span / 2) + 17]) {
          expect(cal.isOpen(t)).toBe(refIsOpen(spec, t));
        }
        const firstOpen = pieces[0]?.[0];
        const next = cal.nextOpen(from);
        if (firstOpen !== undefined) expect(next).toBe(firstOpen);
        else if (next !== null) expect(next).toBeGreaterThanOrEqual(to);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('dayInfo.openSeconds equals the reference over the local day', () => {
    fc.assert(
      fc.property(scenario, ({ spec, from }) => {
        const cal = compileCalendar(spec);
        const date = cal.localDate(from);
        const info = cal.dayInfo(date);
        // Every instant of the day's intervals is open and carries that local date.
        for (const [s, e] of info.intervals) {
          expect(refIsOpen(spec, s)).toBe(true);
          expect(refIsOpen(spec, e - 1)).toBe(true);
          expect(wallClock(s, spec.timeZone).date).toBe(date);
          expect(wallClock(e - 1, spec.timeZone).date).toBe(date);
        }
        const sum = info.intervals.reduce((a, [s, e]) => a + e - s, 0);
        expect(info.openSeconds).toBe(Math.floor(sum / 1000));
      }),
      { seed: SEED + 1, numRuns: 250 },
    );
  });
});

describe('algebraic properties', () => {
  it('(1) inverse: elapsed(from, add(from, n)) === n', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 12 * 86_400 }), ({ spec, from }, n) => {
        const cal = compileCalendar(spec);
        const due = cal.addSeconds(from, n);
        if (due === null) return;
        expect(cal.elapsedSeconds(from, due)).toBe(n);
        expect(cal.elapsedMs(from, due)).toBe(n * 1000);
        if (n > 0) expect(cal.elapsedMs(from, due - 1)).toBe(n * 1000 - 1); // earliest instant
      }),
      { seed: SEED + 2, numRuns: 400 },
    );
  });

  it('(1) inverse: add(from, elapsed(from, to)) <= to, equal when open just before a second-aligned to', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: -DAY, max: 9 * DAY }), ({ spec, from }, span) => {
        const cal = compileCalendar(spec);
        const to = span % 1000 === 0 || spec.timeZone === 'Asia/Shanghai' ? from + span : Math.floor((from + span) / 1000) * 1000;
        const e = cal.elapsedSeconds(from, to);
        const back = cal.addSeconds(from, e);
        expect(back).not.toBeNull();
        expect(back as number).toBeLessThanOrEqual(Math.max(to, from));
        if (from % 1000 === 0 && to % 1000 === 0 && to > from && cal.isOpen(to - 1)) expect(back).toBe(to);
      }),
      { seed: SEED + 3, numRuns: 400 },
    );
  });

  it('(3) monotonicity: add is non-decreasing in n and in from', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.integer({ min: 0, max: 6 * 86_400 }),
        fc.integer({ min: 0, max: 6 * 86_400 }),
        fc.integer({ min: 0, max: 3 * DAY }),
        ({ spec, from }, a, b, df) => {
          const cal = compileCalendar(spec);
          const [n1, n2] = a <= b ? [a, b] : [b, a];
          const x1 = cal.addSeconds(from, n1);
          const x2 = cal.addSeconds(from, n2);
          if (x1 !== null && x2 !== null) expect(x1).toBeLessThanOrEqual(x2);
          if (x1 === null) expect(x2).toBeNull();
          const y1 = cal.addSeconds(from, n1);
          const y2 = cal.addSeconds(from + df, n1);
          if (y1 !== null && y2 !== null) expect(y1).toBeLessThanOrEqual(y2);
        },
      ),
      { seed: SEED + 4, numRuns: 400 },
    );
  });

  it('elapsedMs is additive and add composes: add(add(f, a), b) === add(f, a + b)', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.integer({ min: 0, max: 4 * DAY }),
        fc.integer({ min: 0, max: 4 * DAY }),
        fc.nat(5 * 86_400),
        fc.nat(5 * 86_400),
        ({ spec, from }, d1, d2, a, b) => {
          const cal = compileCalendar(spec);
          expect(cal.elapsedMs(from, from + d1 + d2)).toBe(cal.elapsedMs(from, from + d1) + cal.elapsedMs(from + d1, from + d1 + d2));
          const mid = cal.addSeconds(from, a);
          if (mid !== null) {
            const two = cal.addSeconds(mid, b);
            const one = cal.addSeconds(from, a + b);
            if (b > 0) expect(two).toBe(one);
            else expect(two).toBe(mid);
          }
        },
      ),
      { seed: SEED + 5, numRuns: 300 },
    );
  });

  it('nextOpen / nextClose bracket an open stretch; endOfBusinessDay is the last close of a local day', () => {
    fc.assert(
      fc.property(scenario, ({ spec, from }) => {
        const cal = compileCalendar(spec);
        const open = cal.nextOpen(from);
        if (open === null) return;
        expect(cal.isOpen(open)).toBe(true);
        if (open > from) expect(cal.isOpen(open - 1)).toBe(false);
        const close = cal.nextClose(open);
        if (close === null) return;
        expect(close).toBeGreaterThan(open);
        expect(cal.isOpen(close)).toBe(false);
        expect(cal.isOpen(close - 1)).toBe(true);
        expect(cal.elapsedMs(open, close)).toBe(close - open);
        const eod = cal.endOfBusinessDay(from);
        expect(eod).not.toBeNull();
        expect(eod as number).toBeGreaterThan(from);
        expect(cal.isOpen((eod as number) - 1)).toBe(true);
      }),
      { seed: SEED + 6, numRuns: 300 },
    );
  });

  it('TWENTY_FOUR_SEVEN equals the compiled all-day spec', () => {
    const spec = compileCalendar(TWENTY_FOUR_SEVEN_SPEC);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000_000 }), fc.nat(40 * 86_400), fc.nat(40 * DAY), (from, n, span) => {
        expect(spec.addSeconds(from, n)).toBe(TWENTY_FOUR_SEVEN.addSeconds(from, n));
        expect(spec.elapsedSeconds(from, from + span)).toBe(TWENTY_FOUR_SEVEN.elapsedSeconds(from, from + span));
        expect(spec.isOpen(from)).toBe(true);
      }),
      { seed: SEED + 7, numRuns: 300 },
    );
  });
});
