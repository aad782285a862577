/**
 * Next year's holidays without a code change (docs/calendars.md "Next year's holidays: feeds and import"):
 * import the State Council's schedule from a file or a feed URL (.ics or holiday-cn JSON) → a stored preview (what
 * changes per year) → an admin confirms → applied in one transaction (new calendar version, clocks recomputed,
 * audited). The daily check (holidays.worker.ts) fetches configured feeds and leaves pending updates for admins.
 */
import {
  builtInCoverage,
  parseHolidayFeed,
  planHolidayImport,
  type CalendarOverride,
  type FeedProblem,
  type HolidayFeedResult,
  type HolidayImportPlan,
} from '@chidu/core/calendar/index';
import type { Database } from '../../db/client';
import { writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, conflict, invalid, notFound, outboundRefused, type FieldError } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { notifyMany } from '../../lib/notify';
import { checkOutboundUrl, outbound, OutboundRefusedError } from '../../lib/outbound';
import { orgTimeZone } from '../../lib/timezone';
import { authorize } from '../identity/policy';
import { calendarOf, type CalendarRow } from './calendar-cache';
import { applyChange, cleanOverrides, presentCalendar } from './calendars.commands';
import { calendarsRepo } from './calendars.repo';
import { holidaysRepo, type HolidayFeedRow, type HolidayImportRow } from './holidays.repo';

/** An uploaded / fetched preview waits this long for its confirmation; one from the daily check waits 30 days. */
export const PREVIEW_TTL_MS = 60 * 60_000;
export const FEED_UPDATE_TTL_MS = 30 * 86_400_000;
const MAX_FEED_BYTES = 2 * 1024 * 1024;

/** The local date and year in the organisation's zone. */
export function orgToday(now: Date): { date: string; year: number; month: number } {
  const date = new Intl.DateTimeFormat('en-CA', { timeZone: orgTimeZone(), year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  return { date, year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)) };
}

// ───────────────────────────── reading a feed ─────────────────────────────

/** The URLs a feed stands for: a `{year}` placeholder is this year and next year (holiday-cn publishes one file a year). */
export function feedUrls(url: string, year: number): string[] {
  return url.includes('{year}') ? [year, year + 1].map((y) => url.replaceAll('{year}', String(y))) : [url];
}

function feedProblemsToFields(errors: FeedProblem[]): FieldError[] {
  return errors.map((e) => ({ path: e.line ? `${e.path}:${e.line}${e.column ? `:${e.column}` : ''}` : e.path, message: e.message }));
}

/** Fetch and parse a feed through the outbound policy. Refused targets → 422; failures → 400 on `url`. */
export async function loadFeed(url: string, timeZone: string, now: Date): Promise<HolidayFeedResult> {
  const urls = feedUrls(url, orgToday(now).year);
  const merged: HolidayFeedResult = { format: null, years: [], overrides: [], errors: [] };
  for (const u of urls) {
    let text: string;
    try {
      const res = await outbound(u, { maxRedirects: 3, maxResponseBytes: MAX_FEED_BYTES, headers: { accept: 'application/json, text/calendar, */*' } });
      // A {year} file that does not exist yet (next year not published) is not an error.
      if (res.status === 404 && urls.length > 1) continue;
      if (res.status !== 200) throw invalid('url', `the feed answered HTTP ${res.status}`);
      text = res.text();
    } catch (err) {
      if (err instanceof OutboundRefusedError) throw outboundRefused('url', err);
      if (err instanceof AppError) throw err;
      throw invalid('url', `could not fetch the feed: ${(err as Error).message}`);
    }
    const r = parseHolidayFeed(text, { timeZone });
    merged.format ??= r.format;
    merged.years.push(...r.years);
    const byDate = new Map(merged.overrides.map((o) => [o.date, o]));
    for (const o of r.overrides) byDate.set(o.date, o);
    merged.overrides = [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
    merged.errors.push(...r.errors);
  }
  merged.years = [...new Set(merged.years)].sort((a, b) => a - b);
  return merged;
}

function nothingToImport(parsed: HolidayFeedResult): AppError {
  const errors = parsed.errors.length ? feedProblemsToFields(parsed.errors) : [{ path: 'body', message: 'no holidays or make-up workdays found' }];
  return new AppError('validation_failed', `Nothing to import: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, { errors });
}

function plan(row: CalendarRow, parsed: HolidayFeedResult, replace: boolean): HolidayImportPlan {
  return planHolidayImport(calendarOf(row), row.overrides as CalendarOverride[], parsed.overrides, { replace, years: parsed.years });
}

// ───────────────────────────── presenting ─────────────────────────────

export function presentImport(row: HolidayImportRow, calendarName: string | null) {
  const p = row.plan as HolidayImportPlan['years'];
  return {
    id: row.id,
    calendarId: row.calendarId,
    calendarName,
    calendarVersion: row.calendarVersion,
    source: row.source as 'file' | 'url' | 'feed',
    sourceLabel: row.sourceLabel,
    format: row.format as 'holiday-cn' | 'ics',
    replace: row.replace,
    years: p,
    problems: row.problems as { path: string; line?: number; column?: number; message: string }[],
    status: row.status as 'pending' | 'applied' | 'discarded',
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
  };
}

function presentFeed(row: HolidayFeedRow, calendarName: string | null) {
  return {
    id: row.id,
    calendarId: row.calendarId,
    calendarName,
    url: row.url,
    lastCheckedAt: row.lastCheckedAt?.toISOString() ?? null,
    lastStatus: (row.lastStatus as 'ok' | 'update_available' | 'error' | 'checking' | null) ?? null,
    lastMessage: row.lastMessage,
    lastYears: row.lastYears as number[],
  };
}

// ───────────────────────────── preview / confirm / discard ─────────────────────────────

export interface ImportInput {
  text?: string | undefined;
  url?: string | undefined;
  fileName?: string | undefined;
  replace?: boolean | undefined;
}

/** Read a file or fetch a URL and store what importing it would change (nothing is applied yet). */
export async function previewHolidayImport(database: Database, ctx: Ctx, calendarId: string, input: ImportInput, now = new Date()) {
  authorize(ctx.actor, 'calendars.manage');
  if (!input.text === !input.url) throw invalid('body', 'give either text (the file) or url');
  const row = await calendarsRepo.byId(database.db, calendarId);
  if (!row) throw notFound('Calendar');
  const parsed = input.url ? await loadFeed(input.url, row.timeZone, now) : parseHolidayFeed(input.text!, { timeZone: row.timeZone });
  if (parsed.overrides.length === 0 || !parsed.format) throw nothingToImport(parsed);
  const replace = Boolean(input.replace);
  const p = plan(row, parsed, replace);
  const saved = await holidaysRepo.insertImport(database.db, {
    id: uuidv7(),
    calendarId,
    calendarVersion: row.version,
    source: input.url ? 'url' : 'file',
    sourceLabel: (input.url ?? input.fileName ?? null)?.slice(0, 500) ?? null,
    format: parsed.format,
    replace,
    years: parsed.years,
    plan: p.years,
    overrides: p.overrides,
    problems: parsed.errors,
    createdBy: ctx.actor.id,
    expiresAt: new Date(now.getTime() + PREVIEW_TTL_MS),
  });
  return presentImport(saved, row.name);
}

export async function getHolidayImport(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'calendars.view');
  const row = await holidaysRepo.importById(database.db, id);
  if (!row) throw notFound('Holiday import');
  const cal = await calendarsRepo.byId(database.db, row.calendarId);
  return presentImport(row, cal?.name ?? null);
}

/** Apply exactly what was previewed: refused when the preview expired or the calendar changed since. */
export async function confirmHolidayImport(database: Database, ctx: Ctx, id: string, now = new Date()) {
  authorize(ctx.actor, 'calendars.manage');
  const pending = await holidaysRepo.importById(database.db, id);
  if (!pending) throw notFound('Holiday import');
  const years = pending.plan as HolidayImportPlan['years'];
  const { row } = await applyChange(
    database,
    ctx,
    pending.calendarId,
    () => ({ overrides: cleanOverrides(pending.overrides as CalendarOverride[]) }),
    'calendar.holidays_imported',
    undefined,
    async (tx, before) => {
      const imp = await holidaysRepo.importById(tx, id, true);
      if (!imp || imp.status !== 'pending') throw conflict('holiday_import_decided', 'This import was already confirmed or discarded');
      if (imp.expiresAt.getTime() <= now.getTime())
        throw new AppError('gone', 'The preview expired: import the file again', { reason: 'holiday_import_expired' });
      if (before.version !== imp.calendarVersion)
        throw conflict('holiday_import_stale', 'The calendar changed after the preview: preview the import again', { version: before.version });
      await holidaysRepo.decide(tx, id, 'applied');
      await writeAudit(tx, ctx, {
        action: 'calendar.holiday_import_confirmed',
        targetType: 'holiday_import',
        targetId: id,
        changes: { years: { before: null, after: years.map((y) => ({ year: y.year, add: y.add, change: y.change, remove: y.remove })) } },
      });
    },
  );
  return { import: presentImport({ ...pending, status: 'applied' }, row.name), calendar: presentCalendar(row, ctx.locale) };
}

export async function discardHolidayImport(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'calendars.manage');
  return database.transaction(async (tx) => {
    const imp = await holidaysRepo.importById(tx, id, true);
    if (!imp) throw notFound('Holiday import');
    if (imp.status !== 'pending') throw conflict('holiday_import_decided', 'This import was already confirmed or discarded');
    await holidaysRepo.decide(tx, id, 'discarded');
    await writeAudit(tx, ctx, { action: 'calendar.holiday_import_discarded', targetType: 'holiday_import', targetId: id, changes: {} });
    const cal = await calendarsRepo.byId(tx, imp.calendarId);
    return presentImport({ ...imp, status: 'discarded' }, cal?.name ?? null);
  });
}

// ───────────────────────────── feeds ─────────────────────────────

export async function listHolidayFeeds(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'calendars.view');
  const feeds = await holidaysRepo.feeds(database.db);
  const names = new Map((await holidaysRepo.cnCalendars(database.db)).map((c) => [c.id, c.name]));
  const ids = feeds.map((f) => f.calendarId).filter((x): x is string => Boolean(x) && !names.has(x!));
  if (ids.length) for (const c of await calendarsRepo.byIds(database.db, ids)) names.set(c.id, c.name);
  return { items: feeds.map((f) => presentFeed(f, f.calendarId ? (names.get(f.calendarId) ?? null) : null)) };
}

/** Configure (url) or remove (url null) the feed of a calendar, or the organisation-wide one (calendarId null). */
export async function putHolidayFeed(database: Database, ctx: Ctx, input: { calendarId: string | null; url: string | null }) {
  authorize(ctx.actor, 'calendars.manage');
  if (input.url) {
    const refusal = await checkOutboundUrl(input.url.replaceAll('{year}', '2000'));
    if (refusal) throw outboundRefused('url', refusal);
  }
  await database.transaction(async (tx) => {
    if (input.calendarId && !(await calendarsRepo.byId(tx, input.calendarId))) throw invalid('calendarId', 'no such calendar');
    const before = await holidaysRepo.feedFor(tx, input.calendarId);
    if (input.url) await holidaysRepo.upsertFeed(tx, uuidv7(), input.calendarId, input.url);
    else await holidaysRepo.deleteFeed(tx, input.calendarId);
    await writeAudit(tx, ctx, {
      action: 'calendar.holiday_feed_set',
      targetType: 'holiday_feed',
      targetId: input.calendarId ?? 'organisation',
      changes: { url: { before: before?.url ?? null, after: input.url } },
    });
  });
  return listHolidayFeeds(database, ctx);
}

// ───────────────────────────── coverage status (the banner) ─────────────────────────────

/** A year counts as covered when the built-in set has it or the calendar has at least one holiday date in it. */
function covers(row: CalendarRow, year: number): boolean {
  const cov = builtInCoverage('cn-mainland');
  if (cov.years.includes(year)) return true;
  return (row.overrides as CalendarOverride[]).some((o) => o.kind === 'holiday' && o.date.startsWith(`${year}-`));
}

/**
 * What the banner shows on `date` (default today in the organisation's zone): from 1 November, next year's holidays
 * missing on a cn-mainland calendar in use; at any time, this year's missing. Plus pending imports to confirm.
 */
export async function holidayStatus(database: Database, ctx: Ctx, date?: string, now = new Date()) {
  authorize(ctx.actor, 'calendars.view');
  const today = date ? { date, year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)) } : orgToday(now);
  const years = today.month >= 11 ? [today.year, today.year + 1] : [today.year];
  const cals = await holidaysRepo.cnCalendars(database.db);
  const rows = cals.length
    ? await calendarsRepo.byIds(
        database.db,
        cals.map((c) => c.id),
      )
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const calendars = cals.map((c) => ({
    id: c.id,
    name: c.name,
    inUse: Boolean(c.inUse),
    missingYears: years.filter((y) => !covers(byId.get(c.id)!, y)),
  }));
  const missing = calendars.filter((c) => c.inUse && c.missingYears.length > 0);
  const bannerYear = missing.length ? Math.min(...missing.flatMap((c) => c.missingYears)) : null;
  const pending = await holidaysRepo.pendingImports(database.db, now);
  const names = new Map(cals.map((c) => [c.id, c.name]));
  return {
    date: today.date,
    checkedYears: years,
    banner:
      bannerYear === null
        ? null
        : { year: bannerYear, calendars: missing.filter((c) => c.missingYears.includes(bannerYear)).map((c) => ({ id: c.id, name: c.name })) },
    calendars,
    pendingImports: pending.filter((p) => p.source === 'feed').map((p) => presentImport(p, names.get(p.calendarId) ?? null)),
  };
}

// ───────────────────────────── the daily check ─────────────────────────────

export const FEED_CHECK_INTERVAL_MS = 86_400_000;

/**
 * One pass of the daily check: every feed not checked for a day is fetched; for each calendar it serves (its own, or
 * for the organisation-wide feed every cn-mainland calendar without a feed of its own) a plan with dates to add or
 * change becomes a pending update (unless the same one is pending) and the admins are notified. Never applies.
 */
export async function checkHolidayFeeds(database: Database, now = new Date()): Promise<number> {
  const due = await database.transaction(async (tx) => {
    const rows = await holidaysRepo.dueFeeds(tx, new Date(now.getTime() - FEED_CHECK_INTERVAL_MS + 60_000), 20);
    for (const f of rows) await holidaysRepo.recordCheck(tx, f.id, 'checking', null, f.lastYears as number[]);
    return rows;
  });
  if (due.length === 0) return 0;
  await holidaysRepo.purgeExpired(database.db, now);
  const all = await holidaysRepo.feeds(database.db);
  const ownFeed = new Set(all.map((f) => f.calendarId).filter(Boolean));
  const cn = await holidaysRepo.cnCalendars(database.db);
  for (const feed of due) {
    const targets = feed.calendarId ? [feed.calendarId] : cn.map((c) => c.id).filter((id) => !ownFeed.has(id));
    const rows = targets.length ? await calendarsRepo.byIds(database.db, targets) : [];
    let created = 0;
    let years: number[] = [];
    try {
      const parsedByZone = new Map<string, HolidayFeedResult>();
      for (const row of rows) {
        let parsed = parsedByZone.get(row.timeZone);
        if (!parsed) parsedByZone.set(row.timeZone, (parsed = await loadFeed(feed.url, row.timeZone, now)));
        years = parsed.years;
        if (parsed.overrides.length === 0 || !parsed.format) throw nothingToImport(parsed);
        if (await offerUpdate(database, row, parsed, feed, now)) created++;
      }
      await holidaysRepo.recordCheck(database.db, feed.id, created ? 'update_available' : 'ok', null, years);
    } catch (err) {
      const message = err instanceof AppError && err.errors?.length ? err.errors.map((e) => `${e.path}: ${e.message}`).join('; ') : (err as Error).message;
      await holidaysRepo.recordCheck(database.db, feed.id, 'error', message.slice(0, 1000), years);
    }
  }
  return due.length;
}

async function offerUpdate(database: Database, row: CalendarRow, parsed: HolidayFeedResult, feed: HolidayFeedRow, now: Date): Promise<boolean> {
  const p = plan(row, parsed, false);
  if (!p.years.some((y) => y.add + y.change > 0)) return false;
  return database.transaction(async (tx) => {
    const pending = await holidaysRepo.pendingImports(tx, now, [row.id]);
    const same = JSON.stringify(p.overrides);
    if (pending.some((x) => x.source === 'feed' && x.calendarVersion === row.version && JSON.stringify(x.overrides) === same)) return false;
    const imp = await holidaysRepo.insertImport(tx, {
      id: uuidv7(),
      calendarId: row.id,
      calendarVersion: row.version,
      source: 'feed',
      sourceLabel: feed.url.slice(0, 500),
      format: parsed.format!,
      replace: false,
      years: parsed.years,
      plan: p.years,
      overrides: p.overrides,
      problems: parsed.errors,
      expiresAt: new Date(now.getTime() + FEED_UPDATE_TTL_MS),
    });
    const changed = p.years.filter((y) => y.add + y.change > 0).map((y) => y.year);
    const admins = await holidaysRepo.activeAdmins(tx);
    await notifyMany(
      tx,
      admins.map((a) => ({
        recipientId: a.id,
        kind: 'calendar_holiday_update',
        title: { key: 'calendars.notify.holiday_update', params: { calendar: row.name, years: changed.join('、') } },
        data: { calendarId: row.id, importId: imp.id, link: `/calendars/${row.id}?import=${imp.id}` },
      })),
    );
    return true;
  });
}
