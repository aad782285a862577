import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import relativeTime from 'dayjs/plugin/relativeTime';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.extend(relativeTime);

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** Common zones for the profile select; Asia/Shanghai first. */
export const COMMON_TIME_ZONES = [
  'Asia/Shanghai',
  'Asia/Hong_Kong',
  'Asia/Macau',
  'Asia/Taipei',
  'Asia/Urumqi',
  'Asia/Singapore',
  'Asia/Kuala_Lumpur',
  'Asia/Tokyo',
  'Asia/Seoul',
  'Asia/Bangkok',
  'Asia/Ho_Chi_Minh',
  'Asia/Jakarta',
  'Asia/Kolkata',
  'Asia/Dubai',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Moscow',
  'America/New_York',
  'America/Chicago',
  'America/Los_Angeles',
  'America/Vancouver',
  'Australia/Sydney',
  'Pacific/Auckland',
  'UTC',
] as const;

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function safeTimeZone(tz: string | null | undefined): string {
  return tz && isValidTimeZone(tz) ? tz : DEFAULT_TIME_ZONE;
}

export function formatInZone(iso: string | null | undefined, tz: string, format: string): string {
  if (!iso) return '';
  const d = dayjs(iso);
  if (!d.isValid()) return iso;
  return d.tz(safeTimeZone(tz)).format(format);
}

/** "(UTC+08:00) Asia/Shanghai · 中国标准时间" — the zone name localised by the browser. */
export function timeZoneLabel(tz: string, locale: string): string {
  const offset = tz === 'UTC' ? '+00:00' : dayjs().tz(tz).format('Z');
  let name: string;
  try {
    const parts = new Intl.DateTimeFormat(locale, { timeZone: tz, timeZoneName: 'longGeneric' }).formatToParts(new Date());
    name = parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
  } catch {
    name = '';
  }
  return name && name !== tz ? `(UTC${offset}) ${tz} · ${name}` : `(UTC${offset}) ${tz}`;
}

/**
 * Calendar day `YYYY-MM-DD` interpreted in `tz` → ISO UTC instant at the start (or end) of that day.
 * Used for date-range filters so "23 Nov" means 23 Nov in the user's zone, not the browser's.
 */
export function dayBoundaryIso(day: string, tz: string, edge: 'start' | 'end'): string {
  const start = dayjs.tz(`${day} 00:00:00`, safeTimeZone(tz));
  return (edge === 'start' ? start : start.add(1, 'day').subtract(1, 'millisecond')).toISOString();
}

/** "3 小时前" / "3 hours ago" in the current dayjs locale (set with the UI language). */
export function fromNow(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '';
  const d = dayjs(iso);
  return d.isValid() ? d.from(dayjs(now)) : iso;
}

export interface DurationUnits {
  days: (n: number) => string;
  hours: (n: number) => string;
  minutes: (n: number) => string;
  seconds: (n: number) => string;
}

/**
 * A compact duration with the two largest non-zero units: 1天3小时, 2小时5分, 4分12秒, 35秒.
 * Negative input is treated as its absolute value (callers say "overdue" themselves).
 */
export function formatDuration(totalSeconds: number, units: DurationUnits, joiner = ''): string {
  let s = Math.floor(Math.abs(totalSeconds));
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return h > 0 ? [units.days(d), units.hours(h)].join(joiner) : units.days(d);
  if (h > 0) return m > 0 ? [units.hours(h), units.minutes(m)].join(joiner) : units.hours(h);
  if (m > 0) return m < 10 && s > 0 ? [units.minutes(m), units.seconds(s)].join(joiner) : units.minutes(m);
  return units.seconds(s);
}

export { dayjs };
