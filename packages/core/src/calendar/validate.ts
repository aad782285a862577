/** Validation of {@link CalendarSpec}: field-named problems for the HTTP layer. */
import type { CalendarProblem, CalendarSpec } from './types';
import { WEEKDAY_KEYS, formatHm, parseDate, parseHm } from './time';
import { isValidTimeZone } from './zone';

const MAX_PERIODS_PER_DAY = 48;
const MAX_OVERRIDES = 10_000;
const MAX_NAME_LENGTH = 200;

/** Thrown by `compileCalendar` for an invalid spec; `problems` as from {@link validateCalendarSpec}. */
export class CalendarSpecError extends Error {
  readonly code = 'INVALID_CALENDAR' as const;
  readonly problems: CalendarProblem[];
  constructor(problems: CalendarProblem[]) {
    super(
      'Invalid calendar: ' +
        problems
          .slice(0, 5)
          .map((p) => `${p.path}: ${p.message}`)
          .join('; ') +
        (problems.length > 5 ? ` (+${problems.length - 5} more)` : ''),
    );
    this.name = 'CalendarSpecError';
    this.problems = problems;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates a list of periods at `path` (e.g. `weekly.mon`, `overrides[2].hours`).
 * Checks shape, `HH:MM` syntax (end may be 24:00), start < end and no overlaps
 * (touching periods such as 12:00–12:00 are fine).
 */
function validatePeriods(value: unknown, path: string, out: CalendarProblem[]): void {
  if (!Array.isArray(value)) {
    out.push({ path, message: 'must be an array of [start, end] periods' });
    return;
  }
  if (value.length > MAX_PERIODS_PER_DAY) {
    out.push({ path, message: `at most ${MAX_PERIODS_PER_DAY} periods per day` });
    return;
  }
  const good: { s: number; e: number; i: number }[] = [];
  value.forEach((p: unknown, i: number) => {
    const pp = `${path}[${i}]`;
    if (!Array.isArray(p) || p.length !== 2) {
      out.push({ path: pp, message: 'must be a [start, end] pair of "HH:MM" strings' });
      return;
    }
    const s = parseHm(p[0], false);
    const e = parseHm(p[1], true);
    if (s === null) {
      out.push({
        path: `${pp}[0]`,
        message: p[0] === '24:00' ? 'a period cannot start at 24:00' : 'must be a time "HH:MM" (00:00–23:59)',
      });
    }
    if (e === null) out.push({ path: `${pp}[1]`, message: 'must be a time "HH:MM" (00:00–24:00)' });
    if (s === null || e === null) return;
    if (s >= e) {
      out.push({
        path: pp,
        message: `start ${formatHm(s)} must be before end ${formatHm(e)} (an overnight shift is two periods: ["22:00","24:00"] today and ["00:00","06:00"] tomorrow)`,
      });
      return;
    }
    good.push({ s, e, i });
  });
  const sorted = [...good].sort((a, b) => a.s - b.s || a.i - b.i);
  for (let k = 1; k < sorted.length; k++) {
    const prev = sorted[k - 1];
    const cur = sorted[k];
    if (prev && cur && cur.s < prev.e) {
      const [later, earlier] = cur.i > prev.i ? [cur, prev] : [prev, cur];
      out.push({
        path: `${path}[${later.i}]`,
        message: `overlaps ${path}[${earlier.i}] (${formatHm(earlier.s)}–${formatHm(earlier.e)})`,
      });
    }
  }
}

/**
 * Returns every problem of a calendar spec (empty = valid). Accepts raw input so
 * it can run on request bodies; paths look like `timeZone`, `weekly.mon[1][0]`,
 * `overrides[3].date`.
 */
export function validateCalendarSpec(spec: unknown): CalendarProblem[] {
  const out: CalendarProblem[] = [];
  if (!isObject(spec)) return [{ path: '', message: 'calendar must be an object' }];

  if (typeof spec.timeZone !== 'string' || spec.timeZone === '') {
    out.push({ path: 'timeZone', message: 'required: an IANA time zone such as "Asia/Shanghai"' });
  } else if (!isValidTimeZone(spec.timeZone)) {
    out.push({ path: 'timeZone', message: `unknown time zone "${spec.timeZone}"; use an IANA name such as "Asia/Shanghai"` });
  }

  if (!isObject(spec.weekly)) {
    out.push({ path: 'weekly', message: 'required: an object keyed by weekday (mon … sun)' });
  } else {
    for (const [key, periods] of Object.entries(spec.weekly)) {
      if (!(WEEKDAY_KEYS as readonly string[]).includes(key)) {
        out.push({ path: `weekly.${key}`, message: `unknown weekday "${key}"; use one of ${WEEKDAY_KEYS.join(', ')}` });
        continue;
      }
      if (periods === undefined) continue;
      validatePeriods(periods, `weekly.${key}`, out);
    }
  }

  if (spec.holidays !== undefined && spec.holidays !== null && spec.holidays !== 'cn-mainland') {
    out.push({ path: 'holidays', message: 'must be "cn-mainland" or null' });
  }

  if (spec.overrides !== undefined) {
    if (!Array.isArray(spec.overrides)) {
      out.push({ path: 'overrides', message: 'must be an array' });
    } else if (spec.overrides.length > MAX_OVERRIDES) {
      out.push({ path: 'overrides', message: `at most ${MAX_OVERRIDES} overrides` });
    } else {
      const seen = new Map<string, number>();
      spec.overrides.forEach((o: unknown, i: number) => {
        const p = `overrides[${i}]`;
        if (!isObject(o)) {
          out.push({ path: p, message: 'must be an object {date, kind, hours?, name?}' });
          return;
        }
        if (parseDate(o.date) === null) {
          out.push({ path: `${p}.date`, message: 'must be a real date "YYYY-MM-DD"' });
        } else {
          const d = o.date as string;
          const first = seen.get(d);
          if (first !== undefined) out.push({ path: `${p}.date`, message: `duplicate date ${d} (also overrides[${first}])` });
          else seen.set(d, i);
        }
        if (o.kind !== 'holiday' && o.kind !== 'workday') {
          out.push({ path: `${p}.kind`, message: 'must be "holiday" or "workday"' });
        }
        if (o.hours !== undefined) {
          if (o.kind === 'holiday') {
            out.push({ path: `${p}.hours`, message: 'only a workday override can have hours (a holiday is closed all day)' });
          } else if (Array.isArray(o.hours) && o.hours.length === 0) {
            out.push({ path: `${p}.hours`, message: 'must contain at least one period; omit it to use the Monday hours' });
          } else {
            validatePeriods(o.hours, `${p}.hours`, out);
          }
        }
        if (o.name !== undefined && (typeof o.name !== 'string' || o.name.length > MAX_NAME_LENGTH)) {
          out.push({ path: `${p}.name`, message: `must be a string of at most ${MAX_NAME_LENGTH} characters` });
        }
      });
    }
  }
  return out;
}

/** Type guard form of {@link validateCalendarSpec}. */
export function isValidCalendarSpec(spec: unknown): spec is CalendarSpec {
  return validateCalendarSpec(spec).length === 0;
}
