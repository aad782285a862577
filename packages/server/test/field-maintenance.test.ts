import { compileCalendar } from '@chidu/core/calendar/index';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dueDate, dueWithinLead, maintenanceWindow, nextDueOnOrAfter, type Every } from '../src/modules/field/field.maintenance';
import { insideCalendar } from '../src/modules/field/field.slots';

/** Preventive maintenance (#16 item 7): due-date arithmetic and the visit window on a business calendar. */
const P: [string, string][] = [
  ['09:00', '12:00'],
  ['13:00', '18:00'],
];
const cal = compileCalendar({
  timeZone: 'Asia/Shanghai',
  weekly: { mon: P, tue: P, wed: P, thu: P, fri: P },
  holidays: null,
  overrides: [
    { date: '2031-01-08', kind: 'holiday' as const, name: '假日' },
    { date: '2031-01-11', kind: 'workday' as const, name: '调休' },
  ],
});
const TZ = 'Asia/Shanghai';
const H = 3_600_000;
const dayMs = (d: string) => Date.parse(`${d}T00:00:00Z`);
const dateArb = fc.integer({ min: 0, max: 3650 }).map((i) => new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString().slice(0, 10));
const everyArb: fc.Arbitrary<Every> = fc.record({ n: fc.integer({ min: 1, max: 24 }), unit: fc.constantFrom('day' as const, 'month' as const) });

describe('due dates', () => {
  it('examples: every 30 days; monthly from the 31st clamps and does not drift; every 3 months over a year end', () => {
    expect([0, 1, 2].map((k) => dueDate('2031-01-15', { n: 30, unit: 'day' }, k))).toEqual(['2031-01-15', '2031-02-14', '2031-03-16']);
    expect([0, 1, 2, 3].map((k) => dueDate('2031-01-31', { n: 1, unit: 'month' }, k))).toEqual(['2031-01-31', '2031-02-28', '2031-03-31', '2031-04-30']);
    expect(dueDate('2032-01-31', { n: 1, unit: 'month' }, 1)).toBe('2032-02-29');
    expect([1, 2].map((k) => dueDate('2031-11-30', { n: 3, unit: 'month' }, k))).toEqual(['2032-02-29', '2032-05-30']);
    expect(nextDueOnOrAfter('2031-01-31', { n: 1, unit: 'month' }, '2031-03-01')).toBe('2031-03-31');
    expect(nextDueOnOrAfter('2031-01-31', { n: 1, unit: 'month' }, '2030-12-01')).toBe('2031-01-31');
    expect(dueWithinLead('2031-01-31', { n: 1, unit: 'month' }, 7, '2031-03-24')).toBe('2031-03-31');
    expect(dueWithinLead('2031-01-31', { n: 1, unit: 'month' }, 7, '2031-03-23')).toBeNull();
  });

  it('property: due dates increase, keep the anchor day (clamped) or the day spacing, and the next one is the first on or after', () => {
    fc.assert(
      fc.property(dateArb, everyArb, dateArb, (start, every, probe) => {
        const ds = [0, 1, 2, 3, 4, 5].map((k) => dueDate(start, every, k));
        for (let i = 1; i < ds.length; i++) {
          expect(ds[i]! > ds[i - 1]!).toBe(true);
          if (every.unit === 'day') expect((dayMs(ds[i]!) - dayMs(ds[i - 1]!)) / 86_400_000).toBe(every.n);
          else {
            const [y, m] = ds[i]!.split('-').map(Number) as [number, number];
            const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
            expect(Number(ds[i]!.slice(8))).toBe(Math.min(Number(start.slice(8)), last));
          }
        }
        const next = nextDueOnOrAfter(start, every, probe);
        expect(next >= probe || next === start).toBe(true);
        // No due date lies strictly between the probe and the answer.
        let k = 0;
        while (dueDate(start, every, k) < next) {
          expect(dueDate(start, every, k) < probe).toBe(true);
          k++;
        }
        expect(dueDate(start, every, k)).toBe(next);
      }),
      { numRuns: 500 },
    );
  });
});

describe('the visit window on a business calendar', () => {
  it('skips the holiday to the next open day and takes the 调休 Saturday', () => {
    expect(new Date(maintenanceWindow(cal, TZ, '2031-01-08', 2 * H)![0]).toISOString()).toBe('2031-01-09T01:00:00.000Z');
    expect(new Date(maintenanceWindow(cal, TZ, '2031-01-11', 2 * H)![0]).toISOString()).toBe('2031-01-11T01:00:00.000Z');
    // Sunday 12th → Monday 13th 09:00.
    expect(new Date(maintenanceWindow(cal, TZ, '2031-01-12', 2 * H)![0]).toISOString()).toBe('2031-01-13T01:00:00.000Z');
    expect(maintenanceWindow(cal, TZ, '2031-01-06', 6 * H)).toBeNull();
  });

  it('property: the window lies inside one open period of the calendar, on or after the due day', () => {
    fc.assert(
      fc.property(dateArb, fc.constantFrom(60, 90, 120, 180), (due, minutes) => {
        const w = maintenanceWindow(cal, TZ, due, minutes * 60_000);
        expect(w).not.toBeNull();
        expect(insideCalendar(cal, w!)).toBe(true);
        expect(w![1] - w![0]).toBe(minutes * 60_000);
        expect(cal.localDate(w![0]) >= due).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
