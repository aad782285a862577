/**
 * Holiday feeds: the State Council's schedule (法定节假日 + 调休) as published by community feeds, turned into
 * calendar overrides, and the plan of what importing them changes on a calendar (the preview an admin confirms).
 *
 * Formats (see docs/calendars.md "Next year's holidays: feeds and import"):
 * - holiday-cn JSON (github.com/NateScarlet/holiday-cn): `{"year": 2027, "papers": [...], "days": [{"name": "春节",
 *   "date": "2027-02-05", "isOffDay": true}, …]}` — `isOffDay: true` → holiday, `false` → 调休 make-up workday;
 *   an array of such documents is accepted too (several years);
 * - iCalendar (.ics), through `parseIcsHolidays`.
 *
 * Nothing here throws on bad content: every problem comes back in `errors` with a path and, for JSON syntax and
 * iCalendar, the line (and column) where it is.
 */
import { parseIcsHolidays } from './ics';
import type { BusinessCalendar, CalendarDayKind, CalendarOverride } from './types';
import { daysFromCivil, daysInMonth } from './time';

export type HolidayFeedFormat = 'holiday-cn' | 'ics';

export interface FeedProblem {
  /** The field (`days[3].date`, `year`), or `json` / `ics` for syntax problems. */
  path: string;
  /** 1-based line in the text, when known. */
  line?: number;
  column?: number;
  message: string;
}

export interface HolidayFeedResult {
  format: HolidayFeedFormat | null;
  /** Years the feed describes (holiday-cn: its `year` fields; .ics: the years of its dates), ascending. */
  years: number[];
  overrides: CalendarOverride[];
  errors: FeedProblem[];
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MAX_DAYS = 2000;

function realDate(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && Number.isFinite(daysFromCivil(y, mo, d));
}

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

function jsonSyntaxProblem(text: string, err: unknown): FeedProblem {
  const msg = err instanceof Error ? err.message : String(err);
  const lc = /line (\d+) column (\d+)/.exec(msg);
  if (lc) return { path: 'json', line: Number(lc[1]), column: Number(lc[2]), message: msg };
  const pos = /position (\d+)/.exec(msg);
  return { path: 'json', ...lineColumn(text, pos ? Number(pos[1]) : jsonErrorOffset(text)), message: msg };
}

class JsonSyntaxAt extends Error {
  constructor(readonly offset: number) {
    super(`JSON syntax error at ${offset}`);
  }
}

/** Offset of the first JSON syntax error (engines differ in whether their message says where; this one always does). */
function jsonErrorOffset(t: string): number {
  let i = 0;
  const ws = () => {
    while (i < t.length && ' \t\r\n\uFEFF'.includes(t[i]!)) i++;
  };
  const fail = (): never => {
    throw new JsonSyntaxAt(i);
  };
  const lit = (w: string) => (t.startsWith(w, i) ? (i += w.length) : fail());
  const str = () => {
    i++;
    while (i < t.length && t[i] !== '"') {
      if (t[i] === '\\') i++;
      else if (t.charCodeAt(i) < 0x20) fail();
      i++;
    }
    if (i >= t.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = t[i];
    if (c === '{') {
      i++;
      ws();
      if (t[i] === '}') return void i++;
      for (;;) {
        ws();
        if (t[i] !== '"') fail();
        str();
        ws();
        if (t[i] !== ':') fail();
        i++;
        value();
        ws();
        if (t[i] === ',') i++;
        else if (t[i] === '}') return void i++;
        else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (t[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (t[i] === ',') i++;
        else if (t[i] === ']') return void i++;
        else fail();
      }
    } else if (c === '"') str();
    else if (c === 't') lit('true');
    else if (c === 'f') lit('false');
    else if (c === 'n') lit('null');
    else {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(t.slice(i, i + 400));
      if (!m || !m[0]) fail();
      i += m![0].length;
    }
  };
  try {
    value();
    ws();
    return i;
  } catch (e) {
    return e instanceof JsonSyntaxAt ? e.offset : t.length;
  }
}

/** A holiday-cn JSON document (or an array of them) → overrides. Later entries for the same date win (reported). */
export function parseHolidayCnJson(text: string): HolidayFeedResult {
  const errors: FeedProblem[] = [];
  const out: HolidayFeedResult = { format: 'holiday-cn', years: [], overrides: [], errors };
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    errors.push(jsonSyntaxProblem(text, e));
    return out;
  }
  const docs = Array.isArray(doc) ? doc : [doc];
  const prefix = (i: number) => (Array.isArray(doc) ? `[${i}].` : '');
  const byDate = new Map<string, CalendarOverride>();
  const years = new Set<number>();
  docs.forEach((d, i) => {
    const p = prefix(i);
    if (typeof d !== 'object' || d === null || Array.isArray(d)) {
      errors.push({ path: p ? `[${i}]` : 'body', message: 'expected an object {year, days}' });
      return;
    }
    const o = d as Record<string, unknown>;
    const year = o.year;
    if (typeof year !== 'number' || !Number.isInteger(year) || year < 1900 || year > 2200) {
      errors.push({ path: `${p}year`, message: 'must be a whole year such as 2027' });
    } else years.add(year);
    if (!Array.isArray(o.days)) {
      errors.push({ path: `${p}days`, message: 'must be an array of {name, date, isOffDay}' });
      return;
    }
    if (o.days.length > MAX_DAYS) {
      errors.push({ path: `${p}days`, message: `more than ${MAX_DAYS} days` });
      return;
    }
    o.days.forEach((day: unknown, j: number) => {
      const dp = `${p}days[${j}]`;
      if (typeof day !== 'object' || day === null) {
        errors.push({ path: dp, message: 'expected an object {name, date, isOffDay}' });
        return;
      }
      const x = day as Record<string, unknown>;
      let ok = true;
      if (!realDate(x.date)) {
        errors.push({ path: `${dp}.date`, message: 'must be a real date YYYY-MM-DD' });
        ok = false;
      }
      if (typeof x.isOffDay !== 'boolean') {
        errors.push({ path: `${dp}.isOffDay`, message: 'must be true (holiday) or false (make-up workday)' });
        ok = false;
      }
      if (x.name !== undefined && (typeof x.name !== 'string' || x.name.length > 200)) {
        errors.push({ path: `${dp}.name`, message: 'must be a string of at most 200 characters' });
        ok = false;
      }
      if (!ok) return;
      const date = x.date as string;
      const next: CalendarOverride = { date, kind: x.isOffDay ? 'holiday' : 'workday', ...(x.name ? { name: (x.name as string).trim() } : {}) };
      const prev = byDate.get(date);
      if (prev && prev.kind !== next.kind) errors.push({ path: `${dp}.date`, message: `${date} is listed twice with different kinds; the later entry wins` });
      byDate.set(date, next);
    });
  });
  out.years = [...years].sort((a, b) => a - b);
  out.overrides = [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
  return out;
}

/** Sniff the format (JSON or iCalendar) and parse; `timeZone` is the calendar's zone (for timed .ics events). */
export function parseHolidayFeed(text: string, options: { timeZone?: string } = {}): HolidayFeedResult {
  const head = text.replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('{') || head.startsWith('[')) return parseHolidayCnJson(text);
  if (/^BEGIN:VCALENDAR/i.test(head)) {
    const r = parseIcsHolidays(text, options.timeZone ? { timeZone: options.timeZone } : {});
    const years = [...new Set(r.overrides.map((o) => Number(o.date.slice(0, 4))))].sort((a, b) => a - b);
    return { format: 'ics', years, overrides: r.overrides, errors: r.errors.map((e) => ({ path: 'ics', line: e.line, message: e.message })) };
  }
  return {
    format: null,
    years: [],
    overrides: [],
    errors: [{ path: 'body', line: 1, column: 1, message: 'neither holiday-cn JSON (starts with {) nor iCalendar (starts with BEGIN:VCALENDAR)' }],
  };
}

// ───────────────────────────── import plan (preview) ─────────────────────────────

export type HolidayImportAction = 'add' | 'change' | 'remove';

export interface HolidayImportChange {
  date: string;
  action: HolidayImportAction;
  /** What the date becomes (`remove`: what the removed special date was). */
  kind: 'holiday' | 'workday';
  name: string | null;
  /** What the calendar says about the date today. */
  before: { kind: CalendarDayKind; name: string | null; source: 'weekly' | 'builtin' | 'override' };
}

export interface HolidayImportYear {
  year: number;
  add: number;
  change: number;
  remove: number;
  unchanged: number;
  changes: HolidayImportChange[];
}

export interface HolidayImportPlan {
  years: HolidayImportYear[];
  /** The calendar's complete override list after the import (what confirming writes). */
  overrides: CalendarOverride[];
}

const sameKind = (want: 'holiday' | 'workday', k: CalendarDayKind) => (want === 'holiday' ? k === 'holiday' : k === 'workday' || k === 'makeup_workday');

/**
 * What importing `incoming` does to a calendar (`cal` compiled from its current spec, `current` its overrides):
 * a date the calendar already treats the same way (same kind, same name, from the built-in set or a special date) is
 * unchanged; a new special date is `add`; a different special date is `change`. With `replace`, the calendar's
 * special dates in the imported years that the feed does not list are `remove`d; without it they are kept.
 */
export function planHolidayImport(
  cal: BusinessCalendar,
  current: readonly CalendarOverride[],
  incoming: readonly CalendarOverride[],
  options: { replace?: boolean; years?: readonly number[] } = {},
): HolidayImportPlan {
  const byYear = new Map<number, HolidayImportYear>();
  const yearOf = (date: string) => Number(date.slice(0, 4));
  const bucket = (y: number) => {
    let b = byYear.get(y);
    if (!b) byYear.set(y, (b = { year: y, add: 0, change: 0, remove: 0, unchanged: 0, changes: [] }));
    return b;
  };
  for (const y of options.years ?? []) bucket(y);
  const result = new Map(current.map((o) => [o.date, o]));
  const incomingDates = new Set(incoming.map((o) => o.date));
  for (const o of incoming) {
    const info = cal.dayInfo(o.date);
    const before = { kind: info.kind, name: info.name ?? null, source: info.source };
    const b = bucket(yearOf(o.date));
    const name = o.name ?? null;
    const special = info.source !== 'weekly';
    if (special && sameKind(o.kind, info.kind) && (name === null || name === before.name)) {
      b.unchanged++;
      continue;
    }
    const action: HolidayImportAction = special ? 'change' : 'add';
    b[action]++;
    b.changes.push({ date: o.date, action, kind: o.kind, name, before });
    result.set(o.date, o);
  }
  if (options.replace) {
    const years = new Set(byYear.keys());
    for (const o of current) {
      if (!years.has(yearOf(o.date)) || incomingDates.has(o.date)) continue;
      const info = cal.dayInfo(o.date);
      const b = bucket(yearOf(o.date));
      b.remove++;
      b.changes.push({
        date: o.date,
        action: 'remove',
        kind: o.kind,
        name: o.name ?? null,
        before: { kind: info.kind, name: info.name ?? null, source: info.source },
      });
      result.delete(o.date);
    }
  }
  const years = [...byYear.values()].sort((a, b) => a.year - b.year);
  for (const y of years) y.changes.sort((a, b) => a.date.localeCompare(b.date));
  return { years, overrides: [...result.values()].sort((a, b) => a.date.localeCompare(b.date)) };
}
