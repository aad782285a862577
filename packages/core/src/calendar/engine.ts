/**
 * The business-calendar engine.
 *
 * Semantics: an instant `t` is open iff its local wall-clock time in the calendar
 * zone — local date D, time of day m — satisfies `start <= m < end` for one of
 * the periods in effect on D (override > built-in set > weekly pattern).
 *
 * Representation: for each local date we compute, once, the exact real-time
 * pre-image of its periods (DST aware: a gap shortens or empties a period, an
 * overlap lengthens it). These are gathered into UTC-day "chunks" (real
 * intervals, sorted and merged, plus their total). The hot path (add/elapsed)
 * is a walk over chunks — `Math.floor(ms / 86_400_000)` locates the chunk, no
 * Intl call — using bounded caches of dates and chunks.
 */
import type { BusinessCalendar, CalendarDayInfo, CalendarDayKind, CalendarPeriod, CalendarSpec, HolidayCoverage } from './types';
import { CalendarSpecError, validateCalendarSpec } from './validate';
import { cnMainlandCoverage, cnMainlandDays, type BuiltInDay } from './cn-mainland';
import { DAY_MINUTES, DAY_MS, MINUTE_MS, WEEKDAYS_BY_JS_DAY, WEEKDAY_KEYS, formatDate, formatHm, parseDate, parseHm, weekdayOf } from './time';
import { getZone, type Zone } from './zone';

/** Search horizon for nextOpen / nextClose / addSeconds / endOfBusinessDay: 3 years of days. */
export const CALENDAR_HORIZON_DAYS = 1096;

/** Longest walk add/elapsed will do (100 years); beyond it they throw RangeError (guards absurd input). */
export const CALENDAR_MAX_SPAN_DAYS = 36_525;

const DATE_CACHE_SIZE = 4096;
const CHUNK_CACHE_SIZE = 4096;
const EMPTY: readonly number[] = Object.freeze([]);

interface ResolvedDay {
  kind: CalendarDayKind;
  source: 'weekly' | 'builtin' | 'override';
  name?: string;
  nameEn?: string;
  /** Flat minutes `[s0, e0, s1, e1, …]`, sorted and merged. */
  periods: readonly number[];
}

interface Chunk {
  /** Flat real intervals `[s0, e0, …]` inside the UTC day, sorted, merged. */
  iv: readonly number[];
  /** Sum of interval lengths (ms). */
  total: number;
}

/** Periods ('HH:MM' pairs, already validated) → flat, sorted, merged minutes. */
function toMinutes(periods: readonly CalendarPeriod[] | undefined): number[] {
  if (!periods || periods.length === 0) return [];
  const pairs: [number, number][] = [];
  for (const [a, b] of periods) {
    const s = parseHm(a, false);
    const e = parseHm(b, true);
    if (s !== null && e !== null && s < e) pairs.push([s, e]);
  }
  return mergeFlat(pairs);
}

/** Sort + merge (overlapping or touching) pairs into a flat array. */
function mergeFlat(pairs: [number, number][]): number[] {
  pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: number[] = [];
  for (const [s, e] of pairs) {
    const n = out.length;
    if (n > 0 && s <= (out[n - 1] as number)) {
      if (e > (out[n - 1] as number)) out[n - 1] = e;
    } else {
      out.push(s, e);
    }
  }
  return out;
}

function checkInstant(ms: number, what: string): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new RangeError(`${what} must be a finite epoch-milliseconds number`);
  return Math.floor(ms);
}

function checkYear(y: number, what: string): void {
  if (!Number.isInteger(y)) throw new RangeError(`${what} must be an integer year`);
}

function rangeYears(fromYear: number, toYear: number, covered: ReadonlySet<number>): number[] {
  checkYear(fromYear, 'fromYear');
  checkYear(toYear, 'toYear');
  if (toYear - fromYear > 10_000) throw new RangeError('year range too large');
  const out: number[] = [];
  for (let y = fromYear; y <= toYear; y++) if (!covered.has(y)) out.push(y);
  return out;
}

class CompiledCalendar implements BusinessCalendar {
  readonly spec: CalendarSpec;
  readonly timeZone: string;
  readonly alwaysOpen = false;

  private readonly zone: Zone;
  /** Index = JS weekday (0 = Sunday). */
  private readonly weekly: readonly (readonly number[])[];
  /** Hours for make-up workdays and hour-less workday overrides. */
  private readonly standard: readonly number[];
  private readonly overrides = new Map<number, ResolvedDay>();
  private readonly builtin: Map<number, BuiltInDay> | null;
  private readonly covered: ReadonlySet<number>;
  private readonly dateCache = new Map<number, readonly number[]>();
  private readonly chunkCache = new Map<number, Chunk>();
  private lastChunkIndex = Number.NaN;
  private lastChunk: Chunk = { iv: EMPTY, total: 0 };

  constructor(spec: CalendarSpec) {
    this.spec = spec;
    this.timeZone = spec.timeZone;
    this.zone = getZone(spec.timeZone);
    this.weekly = WEEKDAYS_BY_JS_DAY.map((d) => toMinutes(spec.weekly[d]));
    // Standard workday hours = Monday's; if Monday is empty, the first weekday (mon…sun) with hours.
    let standard: number[] = toMinutes(spec.weekly.mon);
    if (standard.length === 0) {
      for (const d of WEEKDAY_KEYS) {
        const m = toMinutes(spec.weekly[d]);
        if (m.length > 0) {
          standard = m;
          break;
        }
      }
    }
    this.standard = standard;
    if (spec.holidays === 'cn-mainland') {
      this.builtin = cnMainlandDays();
      this.covered = new Set(cnMainlandCoverage().years);
    } else {
      this.builtin = null;
      this.covered = new Set();
    }
    for (const o of spec.overrides ?? []) {
      const dn = parseDate(o.date);
      if (dn === null) continue;
      const name = o.name !== undefined && o.name !== '' ? { name: o.name } : {};
      if (o.kind === 'holiday') {
        this.overrides.set(dn, { kind: 'holiday', source: 'override', periods: EMPTY, ...name });
      } else {
        const weeklyOpen = (this.weekly[weekdayOf(dn)] ?? EMPTY).length > 0;
        this.overrides.set(dn, {
          kind: weeklyOpen ? 'workday' : 'makeup_workday',
          source: 'override',
          periods: o.hours ? toMinutes(o.hours) : this.standard,
          ...name,
        });
      }
    }
  }

  // ---- day resolution ------------------------------------------------------

  private resolve(dn: number): ResolvedDay {
    const o = this.overrides.get(dn);
    if (o) return o;
    if (this.builtin) {
      const b = this.builtin.get(dn);
      if (b) {
        const names = b.nameEn ? { name: b.name, nameEn: b.nameEn } : { name: b.name };
        return b.kind === 'holiday'
          ? { kind: 'holiday', source: 'builtin', periods: EMPTY, ...names }
          : { kind: 'makeup_workday', source: 'builtin', periods: this.standard, ...names };
      }
    }
    const periods = this.weekly[weekdayOf(dn)] ?? EMPTY;
    return { kind: periods.length > 0 ? 'workday' : 'weekend', source: 'weekly', periods };
  }

  /** Real intervals (flat, sorted, merged) of the local date `dn`. */
  private dateIntervals(dn: number): readonly number[] {
    const hit = this.dateCache.get(dn);
    if (hit) return hit;
    const periods = this.resolve(dn).periods;
    let out: readonly number[] = EMPTY;
    if (periods.length > 0) {
      const base = dn * DAY_MS;
      // Every instant whose local date is dn lies within a day of it.
      const segs = this.zone.segments(base - DAY_MS, base + 2 * DAY_MS);
      if (segs.length === 3) {
        const off = segs[2] as number;
        const arr: number[] = new Array<number>(periods.length);
        for (let i = 0; i < periods.length; i++) arr[i] = base + (periods[i] as number) * MINUTE_MS - off;
        out = arr;
      } else {
        // Pre-image of each local window under t ↦ t + offset(t), per constant-offset segment.
        const pairs: [number, number][] = [];
        for (let k = 0; k < segs.length; k += 3) {
          const sa = segs[k] as number;
          const sb = segs[k + 1] as number;
          const off = segs[k + 2] as number;
          for (let i = 0; i < periods.length; i += 2) {
            const lo = Math.max(base + (periods[i] as number) * MINUTE_MS - off, sa);
            const hi = Math.min(base + (periods[i + 1] as number) * MINUTE_MS - off, sb);
            if (lo < hi) pairs.push([lo, hi]);
          }
        }
        out = mergeFlat(pairs);
      }
    }
    if (this.dateCache.size >= DATE_CACHE_SIZE) {
      const first = this.dateCache.keys().next();
      if (!first.done) this.dateCache.delete(first.value);
    }
    this.dateCache.set(dn, out);
    return out;
  }

  /** The UTC day `c` = real `[c·day, (c+1)·day)`. */
  private chunk(c: number): Chunk {
    if (c === this.lastChunkIndex) return this.lastChunk;
    let ch = this.chunkCache.get(c);
    if (!ch) {
      const a = c * DAY_MS;
      const b = a + DAY_MS;
      const pairs: [number, number][] = [];
      for (let dn = c - 2; dn <= c + 2; dn++) {
        const iv = this.dateIntervals(dn);
        for (let i = 0; i < iv.length; i += 2) {
          const lo = Math.max(iv[i] as number, a);
          const hi = Math.min(iv[i + 1] as number, b);
          if (lo < hi) pairs.push([lo, hi]);
        }
      }
      const flat = mergeFlat(pairs);
      let total = 0;
      for (let i = 0; i < flat.length; i += 2) total += (flat[i + 1] as number) - (flat[i] as number);
      ch = { iv: flat, total };
      if (this.chunkCache.size >= CHUNK_CACHE_SIZE) {
        const first = this.chunkCache.keys().next();
        if (!first.done) this.chunkCache.delete(first.value);
      }
      this.chunkCache.set(c, ch);
    }
    this.lastChunkIndex = c;
    this.lastChunk = ch;
    return ch;
  }

  // ---- queries -------------------------------------------------------------

  isOpen(ms: number): boolean {
    const t = checkInstant(ms, 'ms');
    const iv = this.chunk(Math.floor(t / DAY_MS)).iv;
    for (let i = 0; i < iv.length; i += 2) {
      if (t < (iv[i] as number)) return false;
      if (t < (iv[i + 1] as number)) return true;
    }
    return false;
  }

  nextOpen(ms: number): number | null {
    let t = checkInstant(ms, 'ms');
    let c = Math.floor(t / DAY_MS);
    for (let k = 0; k <= CALENDAR_HORIZON_DAYS; k++, c++) {
      const iv = this.chunk(c).iv;
      for (let i = 0; i < iv.length; i += 2) {
        if ((iv[i + 1] as number) > t) return Math.max(iv[i] as number, t);
      }
      t = (c + 1) * DAY_MS;
    }
    return null;
  }

  nextClose(ms: number): number | null {
    let t = checkInstant(ms, 'ms');
    let c = Math.floor(t / DAY_MS);
    for (let k = 0; k <= CALENDAR_HORIZON_DAYS; k++, c++) {
      const iv = this.chunk(c).iv;
      const b = (c + 1) * DAY_MS;
      let inside = false;
      for (let i = 0; i < iv.length; i += 2) {
        const s = iv[i] as number;
        const e = iv[i + 1] as number;
        if (s <= t && t < e) {
          if (e < b) return e;
          inside = true;
          break;
        }
      }
      if (!inside) return t;
      t = b; // open up to the chunk end: continue into the next UTC day
    }
    return null;
  }

  addSeconds(fromMs: number, seconds: number): number | null {
    const from = checkInstant(fromMs, 'fromMs');
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      throw new RangeError('seconds must be a finite number >= 0');
    }
    let rem = Math.round(seconds * 1000);
    if (rem === 0) return from;
    if (rem > (CALENDAR_MAX_SPAN_DAYS + 1) * DAY_MS) {
      throw new RangeError(`addSeconds: more than ${CALENDAR_MAX_SPAN_DAYS} days of business time`);
    }
    let c = Math.floor(from / DAY_MS);
    const cMax = c + CALENDAR_MAX_SPAN_DAYS;
    let t = from;
    let idle = 0;
    for (;;) {
      if (c > cMax) throw new RangeError(`addSeconds: the due instant lies more than ${CALENDAR_MAX_SPAN_DAYS} days ahead`);
      const ch = this.chunk(c);
      if (ch.total > 0) {
        idle = 0;
        if (t === c * DAY_MS && ch.total < rem) {
          rem -= ch.total;
        } else {
          const iv = ch.iv;
          for (let i = 0; i < iv.length; i += 2) {
            const e = iv[i + 1] as number;
            if (e <= t) continue;
            const s0 = iv[i] as number;
            const s = s0 > t ? s0 : t;
            const avail = e - s;
            if (avail >= rem) return s + rem;
            rem -= avail;
          }
        }
      } else if (++idle > CALENDAR_HORIZON_DAYS) {
        return null;
      }
      c++;
      t = c * DAY_MS;
    }
  }

  elapsedMs(fromMs: number, toMs: number): number {
    const from = checkInstant(fromMs, 'fromMs');
    const to = checkInstant(toMs, 'toMs');
    if (to <= from) return 0;
    const cLast = Math.floor((to - 1) / DAY_MS);
    if (cLast - Math.floor(from / DAY_MS) > CALENDAR_MAX_SPAN_DAYS) {
      throw new RangeError(`elapsed: spans longer than ${CALENDAR_MAX_SPAN_DAYS} days are not supported`);
    }
    let sum = 0;
    for (let c = Math.floor(from / DAY_MS); c <= cLast; c++) {
      const ch = this.chunk(c);
      if (ch.total === 0) continue;
      const a = c * DAY_MS;
      if (from <= a && to >= a + DAY_MS) {
        sum += ch.total;
        continue;
      }
      const iv = ch.iv;
      for (let i = 0; i < iv.length; i += 2) {
        const s = iv[i] as number;
        const e = iv[i + 1] as number;
        const lo = s > from ? s : from;
        const hi = e < to ? e : to;
        if (hi > lo) sum += hi - lo;
      }
    }
    return sum;
  }

  elapsedSeconds(fromMs: number, toMs: number): number {
    return Math.floor(this.elapsedMs(fromMs, toMs) / 1000);
  }

  localDate(ms: number): string {
    return formatDate(this.zone.localDay(checkInstant(ms, 'ms')));
  }

  endOfBusinessDay(ms: number): number | null {
    const t = checkInstant(ms, 'ms');
    let dn = this.zone.localDay(t);
    for (let k = 0; k <= CALENDAR_HORIZON_DAYS; k++, dn++) {
      const iv = this.dateIntervals(dn);
      const last = iv[iv.length - 1];
      if (last !== undefined && last > t) return last;
    }
    return null;
  }

  dayInfo(date: string): CalendarDayInfo {
    const dn = parseDate(date);
    if (dn === null) throw new RangeError(`invalid date "${String(date)}", expected YYYY-MM-DD`);
    const r = this.resolve(dn);
    const iv = this.dateIntervals(dn);
    const periods: CalendarPeriod[] = [];
    for (let i = 0; i < r.periods.length; i += 2) {
      periods.push([formatHm(r.periods[i] as number), formatHm(r.periods[i + 1] as number)]);
    }
    const intervals: [number, number][] = [];
    let open = 0;
    for (let i = 0; i < iv.length; i += 2) {
      intervals.push([iv[i] as number, iv[i + 1] as number]);
      open += (iv[i + 1] as number) - (iv[i] as number);
    }
    const info: CalendarDayInfo = {
      date: formatDate(dn),
      weekday: WEEKDAYS_BY_JS_DAY[weekdayOf(dn)] as CalendarDayInfo['weekday'],
      kind: r.kind,
      source: r.source,
      periods,
      intervals,
      openSeconds: Math.floor(open / 1000),
    };
    if (r.name !== undefined) info.name = r.name;
    if (r.nameEn !== undefined) info.nameEn = r.nameEn;
    return info;
  }

  uncoveredYears(fromYear: number, toYear: number): number[] {
    if (!this.builtin) {
      checkYear(fromYear, 'fromYear');
      checkYear(toYear, 'toYear');
      return [];
    }
    return rangeYears(fromYear, toYear, this.covered);
  }
}

/** The spec equivalent of {@link TWENTY_FOUR_SEVEN}: every day 00:00–24:00 UTC, no holidays. */
export const TWENTY_FOUR_SEVEN_SPEC: Readonly<CalendarSpec> = Object.freeze({
  timeZone: 'UTC',
  weekly: Object.freeze<CalendarSpec['weekly']>({
    mon: [['00:00', '24:00']],
    tue: [['00:00', '24:00']],
    wed: [['00:00', '24:00']],
    thu: [['00:00', '24:00']],
    fri: [['00:00', '24:00']],
    sat: [['00:00', '24:00']],
    sun: [['00:00', '24:00']],
  }),
  holidays: null,
});

/** Always open. What a `null` calendar means; `compileCalendar(null)` returns it. */
export const TWENTY_FOUR_SEVEN: BusinessCalendar = Object.freeze({
  spec: null,
  timeZone: 'UTC',
  alwaysOpen: true,
  isOpen(ms: number): boolean {
    checkInstant(ms, 'ms');
    return true;
  },
  nextOpen(ms: number): number | null {
    return checkInstant(ms, 'ms');
  },
  nextClose(ms: number): number | null {
    checkInstant(ms, 'ms');
    return null;
  },
  addSeconds(fromMs: number, seconds: number): number | null {
    const from = checkInstant(fromMs, 'fromMs');
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      throw new RangeError('seconds must be a finite number >= 0');
    }
    return from + Math.round(seconds * 1000);
  },
  elapsedMs(fromMs: number, toMs: number): number {
    const from = checkInstant(fromMs, 'fromMs');
    const to = checkInstant(toMs, 'toMs');
    return to > from ? to - from : 0;
  },
  elapsedSeconds(fromMs: number, toMs: number): number {
    return Math.floor(TWENTY_FOUR_SEVEN.elapsedMs(fromMs, toMs) / 1000);
  },
  localDate(ms: number): string {
    return formatDate(Math.floor(checkInstant(ms, 'ms') / DAY_MS));
  },
  endOfBusinessDay(ms: number): number | null {
    return (Math.floor(checkInstant(ms, 'ms') / DAY_MS) + 1) * DAY_MS;
  },
  dayInfo(date: string): CalendarDayInfo {
    const dn = parseDate(date);
    if (dn === null) throw new RangeError(`invalid date "${String(date)}", expected YYYY-MM-DD`);
    return {
      date: formatDate(dn),
      weekday: WEEKDAYS_BY_JS_DAY[weekdayOf(dn)] as CalendarDayInfo['weekday'],
      kind: 'workday',
      source: 'weekly',
      periods: [['00:00', formatHm(DAY_MINUTES)]],
      intervals: [[dn * DAY_MS, (dn + 1) * DAY_MS]],
      openSeconds: 86_400,
    };
  },
  uncoveredYears(fromYear: number, toYear: number): number[] {
    checkYear(fromYear, 'fromYear');
    checkYear(toYear, 'toYear');
    return [];
  },
});

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

const compiled = new Map<string, BusinessCalendar>();
const COMPILED_CACHE_SIZE = 128;

/**
 * Validates and compiles a spec; `null`/`undefined` → {@link TWENTY_FOUR_SEVEN}.
 * Throws {@link CalendarSpecError} (with field-named `problems`) if invalid.
 * Identical specs (same JSON) share one compiled instance and its caches.
 */
export function compileCalendar(spec: CalendarSpec | null | undefined): BusinessCalendar {
  if (spec === null || spec === undefined) return TWENTY_FOUR_SEVEN;
  let key: string;
  try {
    key = JSON.stringify(spec);
  } catch {
    throw new CalendarSpecError([{ path: '', message: 'calendar must be plain JSON data' }]);
  }
  const hit = compiled.get(key);
  if (hit) return hit;
  const problems = validateCalendarSpec(spec);
  if (problems.length > 0) throw new CalendarSpecError(problems);
  // Compile from a private copy so later mutation of the caller's object cannot desync the caches.
  const cal = new CompiledCalendar(deepFreeze(JSON.parse(key) as CalendarSpec));
  if (compiled.size >= COMPILED_CACHE_SIZE) {
    const first = compiled.keys().next();
    if (!first.done) compiled.delete(first.value);
  }
  compiled.set(key, cal);
  return cal;
}

/** `cal ?? TWENTY_FOUR_SEVEN`: lets callers treat a null calendar uniformly. */
export function calendarOrAlwaysOpen(cal: BusinessCalendar | null | undefined): BusinessCalendar {
  return cal ?? TWENTY_FOUR_SEVEN;
}

/** Years covered by a built-in holiday set, derived from the packaged data. */
export function builtInCoverage(set: 'cn-mainland' = 'cn-mainland'): HolidayCoverage {
  if (set !== 'cn-mainland') throw new RangeError(`unknown holiday set "${String(set)}"`);
  return cnMainlandCoverage();
}

/** Splits `years` into those the built-in set covers and those it does not (add them as overrides). */
export function holidayCoverage(years: readonly number[], set: 'cn-mainland' = 'cn-mainland'): { covered: number[]; uncovered: number[] } {
  const c = new Set(builtInCoverage(set).years);
  const covered: number[] = [];
  const uncovered: number[] = [];
  for (const y of [...new Set(years)].sort((a, b) => a - b)) (c.has(y) ? covered : uncovered).push(y);
  return { covered, uncovered };
}
