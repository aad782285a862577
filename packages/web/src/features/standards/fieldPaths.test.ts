import { describe, expect, it } from 'vitest';
import { joinSeconds, pct, splitSeconds } from './api';
import { formNameForPath, splitPath } from './fieldPaths';
import { hoursText, parseHours } from '../calendars/api';

describe('standard form: server error paths land on their fields', () => {
  it('maps the server paths of the standards API onto form names', () => {
    expect(formNameForPath('limitSeconds')).toEqual(['limitSeconds']);
    expect(formNameForPath('target')).toEqual(['targetPct']);
    expect(formNameForPath('escalation[0].notifyRole')).toEqual(['escalation', 0, 'notifyRole']);
    expect(formNameForPath('escalation[2].afterBreachSeconds')).toEqual(['escalation', 2, 'afterBreachSeconds']);
    expect(formNameForPath('appliesTo.types[1]')).toEqual(['appliesTo', 'types']);
    expect(formNameForPath('warnAtPercent[0]')).toEqual(['warnAtPercent']);
    expect(formNameForPath('survey.threshold')).toEqual(['surveyThreshold']);
    expect(formNameForPath('survey.measure')).toEqual(['surveyMeasure']);
    expect(formNameForPath('/body/calendarId')).toEqual(['calendarId']);
    expect(formNameForPath('body')).toBeNull();
    expect(formNameForPath('somethingElse.x')).toBeNull();
  });
  it('splits JSON-pointer, dotted and bracketed paths', () => {
    expect(splitPath('/body/appliesTo/types/1')).toEqual(['appliesTo', 'types', 1]);
    expect(splitPath('weekly.mon[1][0]')).toEqual(['weekly', 'mon', 1, 0]);
    expect(splitPath(['escalation', 0, 'notifyRole'])).toEqual(['escalation', 0, 'notifyRole']);
  });
});

describe('limits as h/m/s, rates, hours text', () => {
  it('splits and joins seconds', () => {
    expect(splitSeconds(5)).toEqual({ h: 0, m: 0, s: 5 });
    expect(splitSeconds(4 * 3600 + 61)).toEqual({ h: 4, m: 1, s: 1 });
    expect(joinSeconds({ h: 4, m: 1, s: 1 })).toBe(14_461);
    expect(joinSeconds({ h: null, m: 2, s: undefined })).toBe(120);
    for (const n of [0, 1, 59, 60, 3599, 3600, 86_399, 86_400 * 30 + 7]) expect(joinSeconds(splitSeconds(n))).toBe(n);
  });
  it('formats rates', () => {
    expect(pct(0.953)).toBe('95.3%');
    expect(pct(1)).toBe('100%');
    expect(pct(0)).toBe('0%');
    expect(pct(null)).toBe('—');
  });
  it('parses and prints override hours', () => {
    expect(parseHours('09:00-12:00, 13:30-18:00')).toEqual([
      ['09:00', '12:00'],
      ['13:30', '18:00'],
    ]);
    expect(parseHours('09:00–12:00，13:30~24:00')).toEqual([
      ['09:00', '12:00'],
      ['13:30', '24:00'],
    ]);
    expect(
      hoursText([
        ['09:00', '12:00'],
        ['13:30', '18:00'],
      ]),
    ).toBe('09:00-12:00, 13:30-18:00');
    expect(parseHours(hoursText([['22:00', '24:00']]))).toEqual([['22:00', '24:00']]);
  });
});
