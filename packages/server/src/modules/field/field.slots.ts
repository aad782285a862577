import type { BusinessCalendar } from '@chidu/core/calendar/index';

/** A window [start, end) in epoch milliseconds. */
export type Window = [number, number];

/** The length of an offered appointment window (2 hours) and how many days ahead slots are offered at most. */
export const SLOT_MINUTES = 120;
export const MAX_SLOT_DAYS = 14;

const overlaps = (a: Window, b: Window) => a[0] < b[1] && b[0] < a[1];

/** The next local date (YYYY-MM-DD). */
export function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** Is the whole window inside the calendar's open time (one open stretch, so a lunch break or a holiday splits it)? */
export function insideCalendar(cal: BusinessCalendar, w: Window): boolean {
  if (!cal.isOpen(w[0])) return false;
  const close = cal.nextClose(w[0]);
  return close === null || close >= w[1];
}

/** Is the technician free for the window: inside their calendar and overlapping none of their busy windows? */
export function isFree(cal: BusinessCalendar | null, busy: readonly Window[], w: Window): boolean {
  return cal !== null && insideCalendar(cal, w) && !busy.some((b) => overlaps(b, w));
}

/**
 * Free windows of `lenMs` for one technician in [fromMs, toMs): each starts at an opening of a period of the calendar
 * (holidays and 调休 make-up days included) or `lenMs` after the previous one, ends inside the same period, and
 * overlaps none of `busy`.
 */
export function freeWindows(cal: BusinessCalendar, busy: readonly Window[], fromMs: number, toMs: number, lenMs: number): Window[] {
  const out: Window[] = [];
  let date = cal.localDate(fromMs);
  for (let i = 0; i <= MAX_SLOT_DAYS + 1; i++, date = nextDate(date)) {
    const info = cal.dayInfo(date);
    if (info.intervals.length && info.intervals[0]![0] >= toMs) break;
    for (const [a, b] of info.intervals)
      for (let s = a; s + lenMs <= b; s += lenMs) {
        const w: Window = [s, s + lenMs];
        if (s >= fromMs && w[1] <= toMs && !busy.some((x) => overlaps(x, w))) out.push(w);
      }
  }
  return out;
}

/** Slots offered to a customer or agent: the union of technicians' free windows, with how many technicians are free. */
export function offeredSlots(perTechnician: readonly Window[][]): { start: number; end: number; free: number }[] {
  const count = new Map<string, { start: number; end: number; free: number }>();
  for (const list of perTechnician)
    for (const [s, e] of list) {
      const k = `${s}:${e}`;
      const cur = count.get(k);
      if (cur) cur.free++;
      else count.set(k, { start: s, end: e, free: 1 });
    }
  return [...count.values()].sort((a, b) => a.start - b.start || a.end - b.end);
}
