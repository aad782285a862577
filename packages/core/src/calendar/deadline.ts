/**
 * Time-of-day and calendar-day deadlines (指定时刻 / 当日 / 次 N 个工作日): "deliver by 10:30", "complaints resolved
 * the same business day, after 16:00 the next one", "the appointment is valid the whole agreed day".
 * Semantics (docs/standards.md, "Time-of-day and calendar-day deadlines"):
 *
 * - A **business day** is a local date of the calendar with at least one open period (a 调休 make-up workday is one;
 *   a public holiday or a weekend day without hours is not). On 24×7 every date is one.
 * - The **start's business day** S is the local date of the start if it is a business day, the start is before that
 *   day's close (end of its last period) and — with a `cutoff` — the start's local time is before the cutoff;
 *   otherwise the next business day. A start before opening or in a lunch break stays on its day.
 * - The **target day** T is S plus `businessDaysAfter` business days.
 * - The deadline is `at` local time on T (any time of day, also outside business hours: "by 20:00" on a 9–18
 *   calendar is 20:00), or with `at: 'end_of_day'` the close of T. A local time in a DST gap moves forward by the gap.
 * - If that instant is not after the start (start 11:00, "by 10:30" the same day), S moves to the next business day.
 */
import type { BusinessCalendar } from './types';
import { getZone } from './zone';
import { DAY_MS, MINUTE_MS, formatDate, parseDate, parseHm } from './time';

export interface TimeOfDayDeadline {
  /** Local `HH:MM` on the target day, or `end_of_day` = the close of the target day's business hours. */
  at: string;
  /** Business days after the start's business day (0 = the same business day). */
  businessDaysAfter: number;
  /** Local `HH:MM`: a start at or after it counts from the next business day. */
  cutoff?: string | null | undefined;
}

/** Longest walk (local dates) looking for business days. */
const MAX_WALK_DAYS = 1096;

export function isValidTimeOfDaySpec(spec: TimeOfDayDeadline): boolean {
  const atOk = spec.at === 'end_of_day' || parseHm(spec.at, false) !== null;
  const cutoffOk = spec.cutoff === undefined || spec.cutoff === null || parseHm(spec.cutoff, false) !== null;
  return atOk && cutoffOk && Number.isInteger(spec.businessDaysAfter) && spec.businessDaysAfter >= 0 && spec.businessDaysAfter <= 366;
}

function closeOf(cal: BusinessCalendar, day: number): number | null {
  const iv = cal.dayInfo(formatDate(day)).intervals;
  const last = iv[iv.length - 1];
  return last === undefined ? null : last[1];
}

function localDayOf(cal: BusinessCalendar, ms: number): number {
  return parseDate(cal.localDate(ms)) as number;
}

/** The instant of local minute `minute` on local day `day` in the calendar's zone. */
function localInstant(cal: BusinessCalendar, day: number, minute: number): number {
  if (cal.alwaysOpen) return day * DAY_MS + minute * MINUTE_MS; // 24×7 is UTC
  return getZone(cal.timeZone).localToUtc(day * DAY_MS + minute * MINUTE_MS);
}

/**
 * The deadline instant (epoch ms) of a clock started at `startMs`; null when the calendar has no business day within
 * three years or the spec is invalid.
 */
export function timeOfDayDeadline(cal: BusinessCalendar, startMs: number, spec: TimeOfDayDeadline): number | null {
  if (!isValidTimeOfDaySpec(spec)) return null;
  const start = Math.floor(startMs);
  const cutoff = spec.cutoff ? (parseHm(spec.cutoff, false) as number) : null;
  const at = spec.at === 'end_of_day' ? null : (parseHm(spec.at, false) as number);
  const d0 = localDayOf(cal, start);
  const nextBusinessDay = (after: number): number | null => {
    for (let d = after + 1; d <= after + MAX_WALK_DAYS; d++) if (closeOf(cal, d) !== null) return d;
    return null;
  };
  let s: number | null = d0;
  const close0 = closeOf(cal, d0);
  const beforeCutoff = cutoff === null || start < localInstant(cal, d0, cutoff);
  if (close0 === null || start >= close0 || !beforeCutoff) s = nextBusinessDay(d0);
  for (let attempt = 0; attempt < 2 && s !== null; attempt++) {
    let t: number | null = s;
    for (let k = 0; k < spec.businessDaysAfter && t !== null; k++) t = nextBusinessDay(t);
    if (t === null) return null;
    const due = at === null ? closeOf(cal, t) : localInstant(cal, t, at);
    if (due !== null && due > start) return due;
    s = nextBusinessDay(s);
  }
  return null;
}
