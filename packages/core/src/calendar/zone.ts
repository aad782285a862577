/**
 * Time-zone offsets from `Intl.DateTimeFormat` only (no tz library).
 *
 * For each zone and UTC year we build, once, a table of offset transitions:
 * the offset is sampled every 6 hours and every change is located to the
 * second by bisection. Afterwards `offsetAt` and `segments` are table look-ups.
 * Assumption (true of every real zone since 1900): a zone does not change
 * offset twice within 6 hours.
 */
import { DAY_MS, civilFromDays, daysFromCivil } from './time';

const SAMPLE_MS = 6 * 3_600_000;
const FORMAT_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{1,6}),? (\d{1,2}):(\d{2}):(\d{2})$/;

interface ZoneYear {
  /** Offset (local − UTC, ms) at the start of the year. */
  initial: number;
  /** Transition instants (ms), ascending. */
  at: number[];
  /** Offset in effect from `at[i]`. */
  offs: number[];
}

export class Zone {
  readonly name: string;
  private readonly dtf: Intl.DateTimeFormat;
  private readonly years = new Map<number, ZoneYear>();

  constructor(name: string) {
    this.name = name;
    this.dtf = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Offset straight from Intl, at second resolution. */
  rawOffset(ms: number): number {
    const sec = Math.floor(ms / 1000) * 1000;
    const date = new Date(sec);
    const m = FORMAT_RE.exec(this.dtf.format(date));
    let y: number, mo: number, d: number, h: number, mi: number, s: number;
    if (m) {
      mo = Number(m[1]);
      d = Number(m[2]);
      y = Number(m[3]);
      h = Number(m[4]);
      mi = Number(m[5]);
      s = Number(m[6]);
    } else {
      // Defensive fallback if an ICU build formats differently.
      y = mo = d = h = mi = s = 0;
      for (const p of this.dtf.formatToParts(date)) {
        const v = Number(p.value);
        if (p.type === 'year') y = v;
        else if (p.type === 'month') mo = v;
        else if (p.type === 'day') d = v;
        else if (p.type === 'hour') h = v;
        else if (p.type === 'minute') mi = v;
        else if (p.type === 'second') s = v;
      }
    }
    const local = daysFromCivil(y, mo, d) * DAY_MS + ((h * 60 + mi) * 60 + s) * 1000;
    return local - sec;
  }

  private year(y: number): ZoneYear {
    let t = this.years.get(y);
    if (t) return t;
    const start = daysFromCivil(y, 1, 1) * DAY_MS;
    const last = daysFromCivil(y + 1, 1, 1) * DAY_MS - 1000; // last second of the year
    const initial = this.rawOffset(start);
    const at: number[] = [];
    const offs: number[] = [];
    let prevT = start;
    let prevO = initial;
    for (let s = start + SAMPLE_MS; ; s += SAMPLE_MS) {
      const tt = s < last ? s : last;
      const o = this.rawOffset(tt);
      if (o !== prevO) {
        // Bisect (in seconds) for the first instant whose offset differs from prevO.
        let lo = prevT / 1000;
        let hi = tt / 1000;
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (this.rawOffset(mid * 1000) === prevO) lo = mid;
          else hi = mid;
        }
        at.push(hi * 1000);
        offs.push(this.rawOffset(hi * 1000));
      }
      prevT = tt;
      prevO = o;
      if (tt === last) break;
    }
    t = { initial, at, offs };
    this.years.set(y, t);
    return t;
  }

  /** Offset (local − UTC, ms) in effect at instant `ms`. */
  offsetAt(ms: number): number {
    const t = this.year(civilFromDays(Math.floor(ms / DAY_MS)).y);
    let o = t.initial;
    for (let i = 0; i < t.at.length; i++) {
      if ((t.at[i] as number) <= ms) o = t.offs[i] as number;
      else break;
    }
    return o;
  }

  /**
   * Constant-offset pieces covering the real interval `[a, b)`, flat:
   * `[start0, end0, offset0, start1, end1, offset1, …]`.
   */
  segments(a: number, b: number): number[] {
    const out: number[] = [];
    let cur = a;
    let off = this.offsetAt(a);
    const y0 = civilFromDays(Math.floor(a / DAY_MS)).y;
    const y1 = civilFromDays(Math.floor((b - 1) / DAY_MS)).y;
    for (let y = y0; y <= y1; y++) {
      const t = this.year(y);
      for (let i = 0; i < t.at.length; i++) {
        const at = t.at[i] as number;
        if (at <= a) continue;
        if (at >= b) break;
        const no = t.offs[i] as number;
        if (no === off) continue;
        out.push(cur, at, off);
        cur = at;
        off = no;
      }
    }
    out.push(cur, b, off);
    return out;
  }

  /**
   * Instant for a local wall-clock time given as "local epoch ms"
   * (day number × 86 400 000 + time of day). Overlap → the earlier instant;
   * gap → shifted forward by the gap length (like Temporal's 'compatible').
   */
  localToUtc(localMs: number): number {
    const oBefore = this.offsetAt(localMs - DAY_MS);
    const oAfter = this.offsetAt(localMs + DAY_MS);
    const tA = localMs - oBefore;
    const tB = localMs - oAfter;
    const okA = tA + this.offsetAt(tA) === localMs;
    const okB = tB + this.offsetAt(tB) === localMs;
    if (okA && okB) return Math.min(tA, tB);
    if (okA) return tA;
    if (okB) return tB;
    const t0 = localMs - this.offsetAt(localMs);
    if (t0 + this.offsetAt(t0) === localMs) return t0;
    return tA;
  }

  /** Local day number (days since 1970-01-01 in the zone) of an instant. */
  localDay(ms: number): number {
    return Math.floor((ms + this.offsetAt(ms)) / DAY_MS);
  }
}

const zones = new Map<string, Zone>();

/** Shared, cached zone (tables are built lazily per year). Throws RangeError on an unknown zone. */
export function getZone(name: string): Zone {
  let z = zones.get(name);
  if (!z) {
    z = new Zone(name);
    zones.set(name, z);
  }
  return z;
}

/** Whether `Intl` knows the zone. */
export function isValidTimeZone(name: unknown): boolean {
  if (typeof name !== 'string' || name.length === 0 || name.length > 100) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
