import { compileCalendar, TWENTY_FOUR_SEVEN, type BusinessCalendar, type CalendarSpec } from '@chidu/core/calendar/index';
import type { Executor } from '../../db/client';
import type { calendars } from '../../db/schema';
import { calendarsRepo } from './calendars.repo';

export type CalendarRow = typeof calendars.$inferSelect;

export function specOf(row: Pick<CalendarRow, 'timeZone' | 'weekly' | 'holidays' | 'overrides'>): CalendarSpec {
  return {
    timeZone: row.timeZone,
    weekly: row.weekly as CalendarSpec['weekly'],
    holidays: (row.holidays as CalendarSpec['holidays']) ?? null,
    overrides: (row.overrides as CalendarSpec['overrides']) ?? [],
  };
}

const MAX_ENTRIES = 512;
const compiled = new Map<string, BusinessCalendar>();

/** Compiled calendar for a row, cached in-process per id + version (a change bumps the version). */
export function calendarOf(row: Pick<CalendarRow, 'id' | 'version' | 'timeZone' | 'weekly' | 'holidays' | 'overrides'>): BusinessCalendar {
  const key = `${row.id}:${row.version}`;
  let cal = compiled.get(key);
  if (!cal) {
    cal = compileCalendar(specOf(row));
    if (compiled.size >= MAX_ENTRIES) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, cal);
  }
  return cal;
}

const allDay = new Map<string, BusinessCalendar>();
const DAY: [string, string][] = [['00:00', '24:00']];

/** 24×7 in a time zone: the same arithmetic as 24×7, but "end of business day" is local midnight there. */
export function allDayCalendar(timeZone: string): BusinessCalendar {
  let cal = allDay.get(timeZone);
  if (!cal) {
    cal = compileCalendar({ timeZone, weekly: { mon: DAY, tue: DAY, wed: DAY, thu: DAY, fri: DAY, sat: DAY, sun: DAY }, holidays: null });
    allDay.set(timeZone, cal);
  }
  return cal;
}

export { TWENTY_FOUR_SEVEN };

/** Calendar rows by id (nulls skipped; no query when there is none). */
export async function loadCalendarRows(ex: Executor, ids: Iterable<string | null | undefined>): Promise<Map<string, CalendarRow>> {
  const want = [...new Set([...ids].filter((x): x is string => Boolean(x)))];
  if (want.length === 0) return new Map();
  const rows = await calendarsRepo.byIds(ex, want);
  return new Map(rows.map((r) => [r.id, r]));
}
