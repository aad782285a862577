/**
 * Preventive maintenance (预防性维护, issue #16 item 7): the due-date arithmetic of a plan and the window of the visit
 * it generates on a business calendar. Pure: no I/O (the plans table, the generating pass and the proposals are not
 * built yet, see docs/field.md).
 */
import type { BusinessCalendar } from '@chidu/core/calendar/index';
import { freeWindows, MAX_SLOT_DAYS, type Window } from './field.slots';
import { dayBounds } from './field.time';

/** Every `n` days or every `n` months. */
export interface Every {
  n: number;
  unit: 'day' | 'month';
}

const parts = (date: string) => date.split('-').map(Number) as [number, number, number];
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const daysInMonth = (y: number, m0: number) => new Date(Date.UTC(y, m0 + 1, 0)).getUTCDate();
const dayNumber = (date: string) => {
  const [y, m, d] = parts(date);
  return Date.UTC(y, m - 1, d) / 86_400_000;
};

/**
 * The k-th due date (k ≥ 0) of a plan anchored at `start` (YYYY-MM-DD): start + k·n days, or start + k·n months with
 * the day clamped to the month's last day. Always counted from the anchor, so there is no drift: 31 Jan monthly is
 * 28/29 Feb, then 31 Mar again.
 */
export function dueDate(start: string, every: Every, k: number): string {
  const [y, m, d] = parts(start);
  if (every.unit === 'day') return iso(Date.UTC(y, m - 1, d + k * every.n));
  const months = m - 1 + k * every.n;
  const year = y + Math.floor(months / 12);
  const month0 = ((months % 12) + 12) % 12;
  return iso(Date.UTC(year, month0, Math.min(d, daysInMonth(year, month0))));
}

/** The first due date on or after `date` (the anchor itself when `date` is before it). */
export function nextDueOnOrAfter(start: string, every: Every, date: string): string {
  if (date <= start) return start;
  // A lower bound on k from the day distance, then step: months are 28–31 days long.
  const gap = dayNumber(date) - dayNumber(start);
  let k = Math.max(0, Math.floor(gap / (every.unit === 'day' ? every.n : every.n * 31)) - 1);
  while (dueDate(start, every, k) < date) k++;
  return dueDate(start, every, k);
}

/** The due date a pass generates on `today`: the next one on or after today when it is within `leadDays`, else null. */
export function dueWithinLead(start: string, every: Every, leadDays: number, today: string): string | null {
  const due = nextDueOnOrAfter(start, every, today);
  return dayNumber(due) - dayNumber(today) <= leadDays ? due : null;
}

/**
 * The window of the visit for a due date: the first window of `lenMs` inside one open period of the calendar
 * (holidays, 调休 and lunch breaks respected, `freeWindows`) from the due date's local day on, within 14 days; null
 * when the calendar has none.
 */
export function maintenanceWindow(cal: BusinessCalendar, tz: string, due: string, lenMs: number): Window | null {
  const from = dayBounds(due, tz).from.getTime();
  return freeWindows(cal, [], from, from + MAX_SLOT_DAYS * 86_400_000, lenMs)[0] ?? null;
}
