/** Cross-checks the built-in cn-mainland set (read from chinese-days' JSON) against chinese-days' own API. */
import { describe, expect, it } from 'vitest';
import { builtInCoverage, compileCalendar, type CalendarPeriod } from './index';

/**
 * chinese-days builds its lookup tables at import time with local-time getters, which shifts every
 * date by a day when the process runs in a zone west of UTC (e.g. TZ=America/New_York). Load it
 * under UTC so this reference stays correct on any machine; the engine itself reads the package's
 * prebuilt JSON and is not affected.
 */
const savedTz = process.env.TZ;
process.env.TZ = 'UTC';
const { getDayDetail, isWorkday } = await import('chinese-days');
if (savedTz === undefined) delete process.env.TZ;
else process.env.TZ = savedTz;

const P: CalendarPeriod[] = [['09:00', '18:00']];
const cal = compileCalendar({ timeZone: 'Asia/Shanghai', weekly: { mon: P, tue: P, wed: P, thu: P, fri: P }, holidays: 'cn-mainland' });

/** chinese-days formats with local getters, so hand it a local-midnight Date (TZ-independent). */
const localDate = (iso: string): Date => new Date(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)));

describe('built-in cn-mainland set', () => {
  it('agrees with chinese-days isWorkday() on every day of every covered year', () => {
    const { years } = builtInCoverage();
    expect(years.length).toBeGreaterThan(10);
    let days = 0;
    for (const y of years) {
      for (let d = Date.UTC(y, 0, 1); d < Date.UTC(y + 1, 0, 1); d += 86_400_000) {
        const date = new Date(d).toISOString().slice(0, 10);
        const info = cal.dayInfo(date);
        expect(info.periods.length > 0, date).toBe(isWorkday(localDate(date)));
        if (info.kind === 'holiday' || info.kind === 'makeup_workday') {
          expect(getDayDetail(localDate(date)).name, date).toContain(`,${info.name ?? '?'},`);
        }
        days++;
      }
    }
    expect(days).toBeGreaterThan(3650);
  });

  it('covered years are contiguous and each has both holidays and make-up days', () => {
    const { years, fromYear, toYear } = builtInCoverage();
    expect(years).toEqual(Array.from({ length: toYear - fromYear + 1 }, (_, i) => fromYear + i));
    for (const y of years) {
      let holidays = 0;
      for (let d = Date.UTC(y, 0, 1); d < Date.UTC(y + 1, 0, 1); d += 86_400_000) {
        if (cal.dayInfo(new Date(d).toISOString().slice(0, 10)).kind === 'holiday') holidays++;
      }
      expect(holidays, String(y)).toBeGreaterThan(5);
    }
  });

  it('long walks (23 years, beyond the day caches) equal the sum of the days', () => {
    const { fromYear, toYear } = builtInCoverage();
    const from = Date.parse(`${fromYear}-01-01T00:00:00+08:00`);
    const to = Date.parse(`${toYear + 1}-01-01T00:00:00+08:00`);
    let sum = 0;
    for (let d = Date.UTC(fromYear, 0, 1); d < Date.UTC(toYear + 1, 0, 1); d += 86_400_000) {
      sum += cal.dayInfo(new Date(d).toISOString().slice(0, 10)).openSeconds;
    }
    expect(cal.elapsedSeconds(from, to)).toBe(sum);
    expect(cal.addSeconds(from, sum)).toBe(Date.parse(`${toYear}-12-31T18:00:00+08:00`));
    // Still right after the caches have cycled.
    expect(cal.addSeconds(Date.parse('2025-09-30T17:30:00+08:00'), 3600)).toBe(Date.parse('2025-10-09T09:30:00+08:00'));
  });
});
