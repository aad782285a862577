import { builtInCoverage, type CalendarOverride, type CalendarDayInfo } from '@chidu/core/calendar/index';
import { t, type Locale } from '../../i18n/index';
import { calendarOf, type CalendarRow } from './calendar-cache';
import type { AssignmentScope } from './calendars.repo';

/** A calendar as the API shows it; `warnings` in the reader's language. */
export function presentCalendar(row: CalendarRow, locale?: Locale, now = new Date()) {
  const cal = calendarOf(row);
  const year = now.getUTCFullYear();
  const uncoveredYears = cal.uncoveredYears(year, year + 1);
  const cov = row.holidays ? builtInCoverage(row.holidays as 'cn-mainland') : null;
  const warnings: string[] = [];
  if (uncoveredYears.length) warnings.push(t(locale, 'calendars.warning.uncovered', { years: uncoveredYears.join(', '), set: row.holidays }));
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    timeZone: row.timeZone,
    weekly: row.weekly as never,
    holidays: (row.holidays as 'cn-mainland' | null) ?? null,
    overrides: row.overrides as CalendarOverride[] as never,
    version: row.version,
    coverage: cov ? { set: cov.set, fromYear: cov.fromYear, toYear: cov.toYear } : null,
    uncoveredYears,
    warnings,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function presentDay(info: CalendarDayInfo) {
  return {
    date: info.date,
    weekday: info.weekday,
    kind: info.kind,
    name: info.name ?? null,
    nameEn: info.nameEn ?? null,
    source: info.source,
    periods: info.periods,
    openSeconds: info.openSeconds,
    intervals: info.intervals.map(([s, e]) => ({ from: new Date(s).toISOString(), to: new Date(e).toISOString() })),
  };
}

export function presentAssignment(r: { scope: string; key: string; calendarId: string; calendarName: string | null }) {
  return { scope: r.scope as AssignmentScope, key: r.key, calendarId: r.calendarId, calendarName: r.calendarName ?? null };
}
