/** The period of a compliance, measures or survey query: [from, to) from local dates or instants, in a time zone. */
import { invalid } from '../../lib/errors';
import { orgTimeZone } from '../../lib/timezone';
import { allDayCalendar } from '../calendars/calendar-cache';

const DAY_MS = 86_400_000;
export function zoneOf(tz: string | undefined): string {
  const zone = tz ?? orgTimeZone();
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw invalid('tz', 'must be an IANA time zone such as Europe/Berlin');
  }
  return zone;
}

/** Local midnight (start) or the end of a local date, via a 00:00–24:00 calendar in that zone. */
export function dayBound(date: string, tz: string, end: boolean, path: string): number {
  try {
    const info = allDayCalendar(tz).dayInfo(date);
    const iv = info.intervals;
    if (!iv.length) throw new Error('empty');
    return end ? iv[iv.length - 1]![1] : iv[0]![0];
  } catch {
    throw invalid(path, 'must be a real date YYYY-MM-DD or an ISO instant with offset');
  }
}

export function parseRange(q: { from?: string | undefined; to?: string | undefined; tz?: string | undefined }, now = Date.now()) {
  const tz = zoneOf(q.tz);
  const bound = (s: string | undefined, end: boolean, path: string, fallback: number) => {
    if (!s) return fallback;
    if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return dayBound(s, tz, end, path);
    const t = Date.parse(s);
    if (Number.isNaN(t) || !/(Z|[+-]\d{2}:?\d{2})$/i.test(s)) throw invalid(path, 'must be a real date YYYY-MM-DD or an ISO instant with offset');
    return t;
  };
  const to = bound(q.to, true, 'to', now);
  const from = bound(q.from, false, 'from', to - 30 * DAY_MS);
  if (from >= to) throw invalid('to', 'must be after from');
  return { from: new Date(from), to: new Date(to), tz };
}
