/** Public types of the business-calendar engine. See docs/calendars.md. */

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** A local period `[start, end)` as `'HH:MM'`; `end` may be `'24:00'`. */
export type CalendarPeriod = [string, string];

/** Name of a built-in public-holiday set. */
export type BuiltInHolidaySet = 'cn-mainland';

export interface CalendarOverride {
  /** Local date `YYYY-MM-DD` in the calendar's time zone. */
  date: string;
  kind: 'holiday' | 'workday';
  /** Only for `kind: 'workday'`; omitted = the standard (Monday) hours. */
  hours?: CalendarPeriod[];
  name?: string;
}

export interface CalendarSpec {
  /** IANA zone, e.g. `Asia/Shanghai`, `Europe/Berlin`. */
  timeZone: string;
  /** Local opening periods per weekday; several per day allowed (lunch breaks, split shifts). */
  weekly: Partial<Record<Weekday, CalendarPeriod[]>>;
  /** Built-in public holidays + 调休 make-up workdays; null/absent = none. */
  holidays?: BuiltInHolidaySet | null;
  /** Per-date exceptions; they win over the built-in set. */
  overrides?: CalendarOverride[];
}

/** One validation problem; `path` names the offending field, e.g. `weekly.mon[1][0]`. */
export interface CalendarProblem {
  path: string;
  message: string;
}

export type CalendarDayKind = 'workday' | 'weekend' | 'holiday' | 'makeup_workday';

export interface CalendarDayInfo {
  date: string;
  weekday: Weekday;
  /**
   * - `workday`: open per the weekly pattern (or a workday override on a day the pattern opens anyway)
   * - `weekend`: the weekly pattern has no periods that weekday
   * - `holiday`: built-in public holiday or holiday override (closed all day)
   * - `makeup_workday`: 调休 make-up workday (补班) or a workday override on a day the pattern keeps closed
   */
  kind: CalendarDayKind;
  /** Festival / override name, Chinese for the built-in set, e.g. `国庆节`. */
  name?: string;
  /** English festival name (built-in set only), e.g. `National Day`. */
  nameEn?: string;
  /** Where the day's hours come from. */
  source: 'weekly' | 'builtin' | 'override';
  /** Local periods in effect that day (merged, sorted). */
  periods: CalendarPeriod[];
  /** The same periods as real instants `[startMs, endMs)`; differs from the nominal length on DST days. */
  intervals: [number, number][];
  /** Real business seconds that day (DST aware). */
  openSeconds: number;
}

export interface HolidayCoverage {
  set: BuiltInHolidaySet;
  /** First and last covered year (Gregorian). */
  fromYear: number;
  toYear: number;
  /** Every covered year, ascending. */
  years: number[];
}

/** A compiled calendar. All instants are epoch milliseconds. */
export interface BusinessCalendar {
  /** The spec it was compiled from; null for {@link TWENTY_FOUR_SEVEN}. */
  readonly spec: CalendarSpec | null;
  readonly timeZone: string;
  /** True only for the 24×7 calendar. */
  readonly alwaysOpen: boolean;
  /** Open at `ms`? Periods are half-open: open at the start, closed at the end instant. */
  isOpen(ms: number): boolean;
  /** `ms` itself when open, else the next opening instant; null if none within the horizon (3 years). */
  nextOpen(ms: number): number | null;
  /** `ms` itself when closed, else the instant the current open stretch ends; null if it does not end within the horizon. */
  nextClose(ms: number): number | null;
  /**
   * Earliest instant at which `seconds` business seconds have elapsed since `fromMs`
   * (may be exactly the end of a period). 0 → `fromMs`. Null only if the walk meets
   * 3 years without any business time (e.g. empty weekly pattern).
   */
  addSeconds(fromMs: number, seconds: number): number | null;
  /** Business seconds between the instants: floor(business ms / 1000); 0 if `toMs <= fromMs`. */
  elapsedSeconds(fromMs: number, toMs: number): number;
  /** Business milliseconds between the instants; 0 if `toMs <= fromMs`. */
  elapsedMs(fromMs: number, toMs: number): number;
  /** Local date `YYYY-MM-DD` of an instant in the calendar zone. */
  localDate(ms: number): string;
  /**
   * The close of the business day for "same day" standards: the end of the last period of
   * the local date of `ms` if that is after `ms`, otherwise of the next local date with hours.
   * Null if none within the horizon.
   */
  endOfBusinessDay(ms: number): number | null;
  /** What the calendar does on a local date (`YYYY-MM-DD`); throws RangeError on a bad date. */
  dayInfo(date: string): CalendarDayInfo;
  /** Years in `[fromYear, toYear]` the calendar's built-in holiday set does not cover ([] when it uses none). */
  uncoveredYears(fromYear: number, toYear: number): number[];
}
