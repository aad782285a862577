/**
 * Built-in mainland-China holiday set (法定节假日 + 调休 make-up workdays),
 * read from the `chinese-days` package's published JSON
 * (`{ holidays: {date: "English,中文,n"}, workdays: {...}, inLieuDays: {...} }`).
 * Coverage is derived from the data, never hard-coded.
 */
import data from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import type { HolidayCoverage } from './types';
import { parseDate } from './time';

export interface BuiltInDay {
  kind: 'holiday' | 'makeup_workday';
  /** Chinese festival name, e.g. 国庆节. */
  name: string;
  /** English festival name, e.g. National Day. */
  nameEn?: string;
}

interface RawData {
  holidays?: Record<string, string>;
  workdays?: Record<string, string>;
}

let days: Map<number, BuiltInDay> | null = null;
let coverage: HolidayCoverage | null = null;

function label(raw: string): { name: string; nameEn?: string } {
  // "National Day,国庆节,3" → English, Chinese, day count.
  const parts = raw.split(',');
  if (parts.length >= 3) {
    const name = (parts[parts.length - 2] ?? '').trim();
    const nameEn = parts
      .slice(0, parts.length - 2)
      .join(',')
      .trim();
    if (name) return nameEn ? { name, nameEn } : { name };
  }
  return { name: raw.trim() };
}

function load(): void {
  const raw = data as unknown as RawData;
  const map = new Map<number, BuiltInDay>();
  const years = new Set<number>();
  for (const [date, v] of Object.entries(raw.holidays ?? {})) {
    const dn = parseDate(date);
    if (dn === null) continue;
    map.set(dn, { kind: 'holiday', ...label(v) });
    years.add(Number(date.slice(0, 4)));
  }
  // Make-up workdays win over holidays on the same date, like chinese-days' own isWorkday().
  for (const [date, v] of Object.entries(raw.workdays ?? {})) {
    const dn = parseDate(date);
    if (dn === null) continue;
    map.set(dn, { kind: 'makeup_workday', ...label(v) });
    years.add(Number(date.slice(0, 4)));
  }
  const sorted = [...years].sort((a, b) => a - b);
  days = map;
  coverage = {
    set: 'cn-mainland',
    fromYear: sorted[0] ?? 0,
    toYear: sorted[sorted.length - 1] ?? -1,
    years: sorted,
  };
}

/** Day number → built-in holiday / make-up workday. */
export function cnMainlandDays(): Map<number, BuiltInDay> {
  if (!days) load();
  return days as Map<number, BuiltInDay>;
}

/** Years the built-in set covers (from the data). */
export function cnMainlandCoverage(): HolidayCoverage {
  if (!coverage) load();
  const c = coverage as HolidayCoverage;
  return { ...c, years: [...c.years] };
}
