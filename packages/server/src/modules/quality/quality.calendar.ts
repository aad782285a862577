/** The appeal window: N business days on the organisation's default calendar (Mon–Fri with mainland holidays when none). */
import { compileCalendar, type BusinessCalendar } from '@chidu/core/calendar/index';
import { formatDate, parseDate } from '@chidu/core/calendar/time';
import type { Executor } from '../../db/client';
import { orgTimeZone } from '../../lib/timezone';
import { calendarOf } from '../calendars/calendar-cache';
import { calendarsRepo } from '../calendars/calendars.repo';

const day: [string, string][] = [['09:00', '18:00']];
function weekdays(tz: string): BusinessCalendar {
  return compileCalendar({ timeZone: tz, weekly: { mon: day, tue: day, wed: day, thu: day, fri: day }, holidays: 'cn-mainland' });
}

export async function orgCalendar(ex: Executor): Promise<BusinessCalendar> {
  const hit = await calendarsRepo.resolve(ex, {});
  const row = hit ? await calendarsRepo.byId(ex, hit.calendarId) : undefined;
  return row ? calendarOf(row) : weekdays(orgTimeZone());
}

/** The end of the `days`-th business day after the local day of `from` (a day with opening hours counts). */
export function businessDaysAfter(cal: BusinessCalendar, from: Date, days: number): Date {
  let dn = parseDate(cal.localDate(from.getTime()))!;
  let left = days;
  for (let guard = 0; guard < 400; guard++) {
    dn += 1;
    const info = cal.dayInfo(formatDate(dn));
    if (info.openSeconds <= 0) continue;
    left--;
    if (left === 0) return new Date(info.intervals[info.intervals.length - 1]![1]);
  }
  return new Date(from.getTime() + days * 86_400_000);
}
