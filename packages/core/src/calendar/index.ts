/**
 * Business calendars (营业日历): pure logic, no I/O. See docs/calendars.md.
 */
export type {
  Weekday,
  CalendarPeriod,
  BuiltInHolidaySet,
  CalendarOverride,
  CalendarSpec,
  CalendarProblem,
  CalendarDayKind,
  CalendarDayInfo,
  HolidayCoverage,
  BusinessCalendar,
} from './types';
export { validateCalendarSpec, isValidCalendarSpec, CalendarSpecError } from './validate';
export {
  compileCalendar,
  calendarOrAlwaysOpen,
  TWENTY_FOUR_SEVEN,
  TWENTY_FOUR_SEVEN_SPEC,
  CALENDAR_HORIZON_DAYS,
  CALENDAR_MAX_SPAN_DAYS,
  builtInCoverage,
  holidayCoverage,
} from './engine';
export { parseIcsHolidays } from './ics';
export { timeOfDayDeadline, isValidTimeOfDaySpec, type TimeOfDayDeadline } from './deadline';
export type { IcsProblem, IcsImportResult, IcsImportOptions } from './ics';
export * from './feed';
