import { describe, expect, it } from 'vitest';
import { isValidCalendarSpec, validateCalendarSpec } from './index';

const paths = (spec: unknown): string[] => validateCalendarSpec(spec).map((p) => p.path);

describe('validateCalendarSpec', () => {
  it('accepts a typical spec', () => {
    const spec = {
      timeZone: 'Asia/Shanghai',
      weekly: {
        mon: [
          ['09:00', '12:00'],
          ['13:30', '18:00'],
        ],
        sat: [['22:00', '24:00']],
        sun: [],
      },
      holidays: 'cn-mainland',
      overrides: [
        { date: '2027-10-01', kind: 'holiday', name: '国庆节' },
        { date: '2027-09-26', kind: 'workday' },
        { date: '2027-10-09', kind: 'workday', hours: [['10:00', '16:00']] },
      ],
    };
    expect(validateCalendarSpec(spec)).toEqual([]);
    expect(isValidCalendarSpec(spec)).toBe(true);
    expect(validateCalendarSpec({ timeZone: 'Europe/Berlin', weekly: {}, holidays: null })).toEqual([]);
  });

  it('names the time field: weekly.mon[1][0]', () => {
    const problems = validateCalendarSpec({
      timeZone: 'Asia/Shanghai',
      weekly: {
        mon: [
          ['09:00', '12:00'],
          ['25:00', '18:00'],
        ],
      },
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('weekly.mon[1][0]');
    expect(problems[0]?.message).toMatch(/HH:MM/);
  });

  it('bad zone, bad HH:MM, 24:00 as start, start >= end', () => {
    expect(paths({ timeZone: 'Asia/Beijing', weekly: {} })).toEqual(['timeZone']);
    expect(paths({ timeZone: '', weekly: {} })).toEqual(['timeZone']);
    expect(paths({ weekly: {} })).toEqual(['timeZone']);
    expect(paths({ timeZone: 'UTC', weekly: { tue: [['9:00', '12:00']] } })).toEqual(['weekly.tue[0][0]']);
    expect(paths({ timeZone: 'UTC', weekly: { tue: [['09:00', '12:60']] } })).toEqual(['weekly.tue[0][1]']);
    expect(paths({ timeZone: 'UTC', weekly: { tue: [['24:00', '24:00']] } })).toEqual(['weekly.tue[0][0]']);
    expect(paths({ timeZone: 'UTC', weekly: { tue: [['09:00', '24:01']] } })).toEqual(['weekly.tue[0][1]']);
    expect(paths({ timeZone: 'UTC', weekly: { wed: [['18:00', '09:00']] } })).toEqual(['weekly.wed[0]']);
    expect(validateCalendarSpec({ timeZone: 'UTC', weekly: { wed: [['22:00', '06:00']] } })[0]?.message).toMatch(/overnight/);
    expect(paths({ timeZone: 'UTC', weekly: { wed: [['10:00', '10:00']] } })).toEqual(['weekly.wed[0]']);
    expect(paths({ timeZone: 'UTC', weekly: { wed: [['10:00']] } })).toEqual(['weekly.wed[0]']);
    expect(paths({ timeZone: 'UTC', weekly: { wed: 'all day' } })).toEqual(['weekly.wed']);
  });

  it('overlapping periods name the later one and mention the other', () => {
    const p = validateCalendarSpec({
      timeZone: 'UTC',
      weekly: {
        fri: [
          ['13:00', '18:00'],
          ['09:00', '12:00'],
          ['11:00', '14:00'],
        ],
      },
    });
    expect(p.map((x) => x.path)).toEqual(['weekly.fri[2]', 'weekly.fri[2]']);
    expect(p[0]?.message).toContain('weekly.fri[1]');
    // touching is fine
    expect(
      paths({
        timeZone: 'UTC',
        weekly: {
          fri: [
            ['09:00', '12:00'],
            ['12:00', '18:00'],
          ],
        },
      }),
    ).toEqual([]);
  });

  it('unknown weekday key, bad holidays value, non-object input', () => {
    expect(paths({ timeZone: 'UTC', weekly: { monday: [['09:00', '12:00']] } })).toEqual(['weekly.monday']);
    expect(paths({ timeZone: 'UTC', weekly: {}, holidays: 'cn' })).toEqual(['holidays']);
    expect(paths({ timeZone: 'UTC' })).toEqual(['weekly']);
    expect(paths(null)).toEqual(['']);
    expect(paths([])).toEqual(['']);
  });

  it('overrides: bad date, duplicate, kind, hours on a holiday, empty hours, bad hours, name', () => {
    const p = paths({
      timeZone: 'UTC',
      weekly: {},
      overrides: [
        { date: '2025-02-29', kind: 'holiday' },
        { date: '2025/10/01', kind: 'holiday' },
        { date: '2025-10-01', kind: 'vacation' },
        { date: '2025-10-01', kind: 'holiday' },
        { date: '2025-10-02', kind: 'holiday', hours: [['09:00', '12:00']] },
        { date: '2025-10-03', kind: 'workday', hours: [] },
        {
          date: '2025-10-04',
          kind: 'workday',
          hours: [
            ['09:00', '12:00'],
            ['08:00', '10:00'],
          ],
        },
        { date: '2025-10-05', kind: 'workday', name: 42 },
        'nope',
      ],
    });
    expect(p).toEqual([
      'overrides[0].date',
      'overrides[1].date',
      'overrides[2].kind',
      'overrides[3].date',
      'overrides[4].hours',
      'overrides[5].hours',
      'overrides[6].hours[1]',
      'overrides[7].name',
      'overrides[8]',
    ]);
    expect(paths({ timeZone: 'UTC', weekly: {}, overrides: {} })).toEqual(['overrides']);
  });

  it('collects several problems at once', () => {
    expect(paths({ timeZone: 'Nowhere/Else', weekly: { sun: [['08:00', '07:00']], xyz: [] }, holidays: 'us' })).toEqual([
      'timeZone',
      'weekly.sun[0]',
      'weekly.xyz',
      'holidays',
    ]);
  });
});
