/**
 * iCalendar (RFC 5545) holiday import → calendar overrides.
 *
 * Rules (see docs/calendars.md):
 * - Lines are unfolded (CRLF / LF / CR + a space or tab continues the previous line).
 * - Only VEVENTs are read (VTIMEZONE, VALARM … are skipped); STATUS:CANCELLED events are skipped.
 * - Kind: `X-APPLE-SPECIAL-DAY:ALTERNATE-WORKDAY` → workday, `…:WORK-HOLIDAY` → holiday; otherwise a
 *   SUMMARY containing 班 (上班, 补班, 调休上班 …) or the word "workday"/"working day" → workday;
 *   anything else → holiday. The SUMMARY (unescaped) becomes the override name.
 * - All-day events (`VALUE=DATE` or an 8-digit value): every date in `[DTSTART, DTEND)` (DTEND exclusive;
 *   DURATION honoured; neither → one day). Workday → override without hours (= Monday hours).
 * - Timed events are converted to the target zone and split at local midnight. A workday event adds its
 *   local span as hours on each date; a holiday event marks only the dates it covers entirely
 *   (00:00–24:00) — a partial-day closure cannot be a date override and is reported in `errors`.
 * - RRULE is not expanded (the first occurrence is imported, reported in `errors`).
 * - Several events on one date: same kind → names joined with " / ", hours merged; different kinds →
 *   the later event in the file wins (reported in `errors`).
 */
import type { CalendarOverride, CalendarPeriod } from './types';
import { DAY_MINUTES, DAY_MS, MINUTE_MS, daysFromCivil, daysInMonth, formatDate, formatHm } from './time';
import { getZone, isValidTimeZone } from './zone';

export interface IcsProblem {
  /** 1-based physical line where the offending content line (or event) starts. */
  line: number;
  message: string;
}

export interface IcsImportResult {
  overrides: CalendarOverride[];
  errors: IcsProblem[];
}

export interface IcsImportOptions {
  /**
   * Zone that timed events are converted to and floating (zone-less) times are read in: pass the
   * calendar's zone. Default: the file's X-WR-TIMEZONE if valid, else UTC.
   */
  timeZone?: string;
  /** Maximum days one event may expand to (default 366). */
  maxDaysPerEvent?: number;
}

interface ContentLine {
  name: string;
  params: Record<string, string>;
  value: string;
  line: number;
}

interface IcsValue {
  /** All-day → day number; timed → local "epoch" ms (or UTC ms when utc). */
  date: boolean;
  day: number;
  localMs: number;
  utc: boolean;
  tzid?: string;
}

interface Pending {
  kind: 'holiday' | 'workday';
  names: string[];
  /** Timed workday hours in minutes; empty = standard hours. */
  hours: [number, number][];
  line: number;
}

const WORKDAY_RE = /班|\bwork(?:ing)?[\s-]?days?\b/i;

function unescapeText(v: string): string {
  return v.replace(/\\([\\;,nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (const ch of s) {
    if (ch === '"') q = !q;
    if (ch === sep && !q) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function parseContentLine(text: string, line: number): ContentLine | null {
  let q = false;
  let idx = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') q = !q;
    else if (ch === ':' && !q) {
      idx = i;
      break;
    }
  }
  if (idx < 0) return null;
  const [rawName = '', ...rawParams] = splitOutsideQuotes(text.slice(0, idx), ';');
  const params: Record<string, string> = {};
  for (const p of rawParams) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    params[p.slice(0, eq).trim().toUpperCase()] = p.slice(eq + 1).replace(/^"|"$/g, '');
  }
  return { name: rawName.trim().toUpperCase(), params, value: text.slice(idx + 1), line };
}

const VALUE_RE = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(Z)?)?$/;

function parseIcsValue(cl: ContentLine): IcsValue | string {
  const m = VALUE_RE.exec(cl.value.trim());
  if (!m) return `${cl.name}: cannot read "${cl.value}" as a DATE or DATE-TIME`;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return `${cl.name}: invalid date "${cl.value}"`;
  const day = daysFromCivil(y, mo, d);
  const isDate = m[4] === undefined || cl.params.VALUE?.toUpperCase() === 'DATE';
  if (isDate) return { date: true, day, localMs: day * DAY_MS, utc: false };
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = m[6] ? Number(m[6]) : 0;
  if (h > 23 || mi > 59 || s > 60) return `${cl.name}: invalid time "${cl.value}"`;
  const v: IcsValue = {
    date: false,
    day,
    localMs: day * DAY_MS + ((h * 60 + mi) * 60 + Math.min(s, 59)) * 1000,
    utc: m[7] === 'Z',
  };
  if (cl.params.TZID) v.tzid = cl.params.TZID;
  return v;
}

const DURATION_RE = /^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** RFC 5545 DURATION → ms (negative rejected). */
function parseDuration(v: string): number | null {
  const m = DURATION_RE.exec(v.trim());
  if (!m || m[1] === '-' || v.trim() === 'P' || v.trim().endsWith('T')) return null;
  const n = (i: number): number => (m[i] ? Number(m[i]) : 0);
  return ((((n(2) * 7 + n(3)) * 24 + n(4)) * 60 + n(5)) * 60 + n(6)) * 1000;
}

/**
 * Parses iCalendar text into calendar overrides. Never throws on bad input: problems are
 * returned in `errors` with line numbers, and whatever could be read is returned in `overrides`
 * (sorted by date, one per date).
 */
export function parseIcsHolidays(text: string, options: IcsImportOptions = {}): IcsImportResult {
  const errors: IcsProblem[] = [];
  const maxDays = options.maxDaysPerEvent ?? 366;

  // 1. Unfold.
  const physical = String(text)
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\n|\r/);
  const logical: { text: string; line: number }[] = [];
  physical.forEach((l, i) => {
    const last = logical[logical.length - 1];
    if ((l.startsWith(' ') || l.startsWith('\t')) && last) last.text += l.slice(1);
    else if (l.trim() !== '') logical.push({ text: l, line: i + 1 });
  });

  // 2. Collect VEVENT properties.
  let xwrZone: string | undefined;
  const events: { line: number; props: Map<string, ContentLine> }[] = [];
  const stack: string[] = [];
  let current: { line: number; props: Map<string, ContentLine> } | null = null;
  for (const l of logical) {
    const cl = parseContentLine(l.text, l.line);
    if (!cl) {
      errors.push({ line: l.line, message: `not an iCalendar content line: "${l.text.slice(0, 60)}"` });
      continue;
    }
    if (cl.name === 'BEGIN') {
      const comp = cl.value.trim().toUpperCase();
      stack.push(comp);
      if (comp === 'VEVENT') current = { line: cl.line, props: new Map() };
      continue;
    }
    if (cl.name === 'END') {
      const comp = cl.value.trim().toUpperCase();
      const top = stack.pop();
      if (top !== comp) errors.push({ line: cl.line, message: `END:${comp} does not match BEGIN:${top ?? '(none)'}` });
      if (comp === 'VEVENT' && current) {
        events.push(current);
        current = null;
      }
      continue;
    }
    if (stack[stack.length - 1] === 'VCALENDAR' && cl.name === 'X-WR-TIMEZONE') xwrZone = cl.value.trim();
    if (current && stack[stack.length - 1] === 'VEVENT' && !current.props.has(cl.name)) current.props.set(cl.name, cl);
  }
  if (current) errors.push({ line: current.line, message: 'VEVENT is not closed (missing END:VEVENT)' });

  let target = 'UTC';
  if (options.timeZone !== undefined) {
    if (!isValidTimeZone(options.timeZone)) throw new RangeError(`unknown time zone "${options.timeZone}"`);
    target = options.timeZone;
  } else if (xwrZone && isValidTimeZone(xwrZone)) {
    target = xwrZone;
  }
  const zone = getZone(target);

  // 3. Events → per-date entries.
  const byDate = new Map<number, Pending>();
  const put = (dn: number, kind: 'holiday' | 'workday', name: string, line: number, hours?: [number, number]): void => {
    const prev = byDate.get(dn);
    if (!prev || prev.kind !== kind) {
      if (prev) {
        errors.push({
          line,
          message: `${formatDate(dn)}: ${kind} conflicts with the ${prev.kind} from line ${prev.line}; the later event wins`,
        });
      }
      byDate.set(dn, { kind, names: name ? [name] : [], hours: hours ? [hours] : [], line });
      return;
    }
    if (name && !prev.names.includes(name)) prev.names.push(name);
    if (hours) prev.hours.push(hours);
  };

  for (const ev of events) {
    const p = ev.props;
    if (p.get('STATUS')?.value.trim().toUpperCase() === 'CANCELLED') continue;
    const summaryLine = p.get('SUMMARY');
    const summary = summaryLine ? unescapeText(summaryLine.value).trim() : '';
    const special = p.get('X-APPLE-SPECIAL-DAY')?.value.trim().toUpperCase();
    const kind: 'holiday' | 'workday' =
      special === 'ALTERNATE-WORKDAY' ? 'workday' : special === 'WORK-HOLIDAY' ? 'holiday' : WORKDAY_RE.test(summary) ? 'workday' : 'holiday';
    const label = summary || undefined;
    const dtstart = p.get('DTSTART');
    if (!dtstart) {
      errors.push({ line: ev.line, message: 'VEVENT without DTSTART ignored' });
      continue;
    }
    const start = parseIcsValue(dtstart);
    if (typeof start === 'string') {
      errors.push({ line: dtstart.line, message: start });
      continue;
    }
    if (p.has('RRULE')) {
      errors.push({ line: p.get('RRULE')?.line ?? ev.line, message: 'RRULE (recurrence) is not expanded; only the first occurrence was imported' });
    }
    const dtend = p.get('DTEND');
    const durLine = p.get('DURATION');
    let end: IcsValue | null = null;
    let durationMs: number | null = null;
    if (dtend) {
      const e = parseIcsValue(dtend);
      if (typeof e === 'string') {
        errors.push({ line: dtend.line, message: e });
        continue;
      }
      if (e.date !== start.date) {
        errors.push({ line: dtend.line, message: 'DTEND and DTSTART must both be dates or both be date-times' });
        continue;
      }
      end = e;
    } else if (durLine) {
      durationMs = parseDuration(durLine.value);
      if (durationMs === null) {
        errors.push({ line: durLine.line, message: `cannot read DURATION "${durLine.value}"` });
        continue;
      }
    }

    if (start.date) {
      let endDay = start.day + 1;
      if (end) endDay = end.day;
      else if (durationMs !== null) endDay = start.day + Math.max(1, Math.ceil(durationMs / DAY_MS));
      if (endDay <= start.day) {
        errors.push({ line: ev.line, message: `event "${summary}" ends before it starts; ignored` });
        continue;
      }
      if (endDay - start.day > maxDays) {
        errors.push({ line: ev.line, message: `event "${summary}" spans ${endDay - start.day} days (max ${maxDays}); ignored` });
        continue;
      }
      for (let dn = start.day; dn < endDay; dn++) put(dn, kind, label ?? '', ev.line);
      continue;
    }

    // Timed event → real instants.
    const toInstant = (v: IcsValue, line: number): number => {
      if (v.utc) return v.localMs;
      if (v.tzid !== undefined) {
        if (isValidTimeZone(v.tzid)) return getZone(v.tzid).localToUtc(v.localMs);
        errors.push({ line, message: `unknown TZID "${v.tzid}"; time read as ${target} local time` });
      }
      return zone.localToUtc(v.localMs);
    };
    const t0 = toInstant(start, dtstart.line);
    const t1 = end && dtend ? toInstant(end, dtend.line) : t0 + (durationMs ?? 0);
    if (t1 <= t0) {
      errors.push({ line: ev.line, message: `timed event "${summary}" has no duration; ignored` });
      continue;
    }
    const d0 = zone.localDay(t0);
    const d1 = zone.localDay(t1 - 1);
    if (d1 - d0 + 1 > maxDays) {
      errors.push({ line: ev.line, message: `event "${summary}" spans ${d1 - d0 + 1} days (max ${maxDays}); ignored` });
      continue;
    }
    for (let dn = d0; dn <= d1; dn++) {
      const dayStart = zone.localToUtc(dn * DAY_MS);
      const dayEnd = zone.localToUtc((dn + 1) * DAY_MS);
      const lo = Math.max(t0, dayStart);
      const hi = Math.min(t1, dayEnd);
      if (hi <= lo) continue;
      const sMin = Math.max(0, Math.floor((lo + zone.offsetAt(lo) - dn * DAY_MS) / MINUTE_MS));
      const eMin = hi >= dayEnd ? DAY_MINUTES : Math.min(DAY_MINUTES, Math.ceil((hi + zone.offsetAt(hi) - dn * DAY_MS) / MINUTE_MS));
      if (eMin <= sMin) continue;
      if (kind === 'workday') {
        put(dn, 'workday', label ?? '', ev.line, [sMin, eMin]);
      } else if (sMin === 0 && eMin === DAY_MINUTES) {
        put(dn, 'holiday', label ?? '', ev.line);
      } else {
        errors.push({
          line: ev.line,
          message: `${formatDate(dn)} ${formatHm(sMin)}–${formatHm(eMin)} "${summary}": a partial-day closure cannot be a date override; ignored (add a workday override with the remaining hours instead)`,
        });
      }
    }
  }

  // 4. Emit, sorted by date.
  const overrides: CalendarOverride[] = [];
  for (const dn of [...byDate.keys()].sort((a, b) => a - b)) {
    const e = byDate.get(dn) as Pending;
    const o: CalendarOverride = { date: formatDate(dn), kind: e.kind };
    if (e.kind === 'workday' && e.hours.length > 0) {
      e.hours.sort((a, b) => a[0] - b[0]);
      const merged: [number, number][] = [];
      for (const h of e.hours) {
        const last = merged[merged.length - 1];
        if (last && h[0] <= last[1]) last[1] = Math.max(last[1], h[1]);
        else merged.push([h[0], h[1]]);
      }
      o.hours = merged.map(([s, en]): CalendarPeriod => [formatHm(s), formatHm(en)]);
    }
    if (e.names.length > 0) o.name = e.names.join(' / ').slice(0, 200);
    overrides.push(o);
  }
  errors.sort((a, b) => a.line - b.line);
  return { overrides, errors };
}
