import { parseIcsHolidays, validateCalendarSpec, type CalendarOverride } from '@chidu/core/calendar/index';
import type { Database, Executor } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, notFound, type FieldError } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { recomputeCalendarClocks } from '../../engine/engine';
import { authorize } from '../identity/policy';
import { calendarOf, specOf, type CalendarRow } from './calendar-cache';
import { presentAssignment, presentCalendar, presentDay } from './calendars.present';
import { calendarsRepo, type AssignmentScope } from './calendars.repo';
import type { CalendarCreateInput, CalendarPatchInput } from './calendars.schema';

function checkSpec(spec: unknown): void {
  const problems = validateCalendarSpec(spec);
  if (problems.length) {
    const errors: FieldError[] = problems.map((p) => ({ path: p.path || 'body', message: p.message }));
    throw new AppError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
  }
}

export const cleanOverrides = (o: CalendarOverride[] | undefined) =>
  (o ?? []).map((x) => ({ date: x.date, kind: x.kind, ...(x.hours ? { hours: x.hours } : {}), ...(x.name ? { name: x.name } : {}) }));

export { presentCalendar } from './calendars.present';

export async function createCalendar(database: Database, ctx: Ctx, input: CalendarCreateInput) {
  authorize(ctx.actor, 'calendars.manage');
  const spec = { timeZone: input.timeZone, weekly: input.weekly, holidays: input.holidays ?? null, overrides: cleanOverrides(input.overrides) };
  checkSpec(spec);
  return database.transaction(async (tx) => {
    const row = await calendarsRepo.insert(tx, { id: uuidv7(), name: input.name, description: input.description ?? null, ...spec });
    await writeAudit(tx, ctx, {
      action: 'calendar.created',
      targetType: 'calendar',
      targetId: row.id,
      changes: diff(null, { name: row.name, timeZone: row.timeZone, holidays: row.holidays }),
    });
    return presentCalendar(row, ctx.locale);
  });
}

export async function getCalendar(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'calendars.view');
  const row = await calendarsRepo.byId(database.db, id);
  if (!row) throw notFound('Calendar');
  return presentCalendar(row, ctx.locale);
}

export async function listCalendars(database: Database, ctx: Ctx, q: { limit: number; cursor?: string | undefined }) {
  authorize(ctx.actor, 'calendars.view');
  const rows = await calendarsRepo.list(database.db, q.limit, q.cursor);
  const more = rows.length > q.limit;
  const items = rows.slice(0, q.limit).map((r) => presentCalendar(r, ctx.locale));
  return { items, nextCursor: more ? items[items.length - 1]!.id : null };
}

/**
 * Apply a change: new version, and every running clock on this calendar gets its deadline recomputed (same transaction).
 * `guard` runs first in the transaction with the locked row (e.g. a holiday import checks the version it previewed).
 */
export async function applyChange(
  database: Database,
  ctx: Ctx,
  id: string,
  change: (row: CalendarRow) => Partial<CalendarRow>,
  action: string,
  extra?: Record<string, unknown>,
  guard?: (tx: Executor, before: CalendarRow) => Promise<void>,
) {
  return database.transaction(async (tx) => {
    const before = await calendarsRepo.byId(tx, id, true);
    if (!before) throw notFound('Calendar');
    if (guard) await guard(tx, before);
    const set = change(before);
    const merged = { ...before, ...set };
    checkSpec(specOf(merged));
    const row = await calendarsRepo.update(tx, id, set);
    const recomputed = await recomputeCalendarClocks(tx, row);
    const fields = ['name', 'description', 'timeZone', 'weekly', 'holidays', 'overrides'] as const;
    const pickF = (r: CalendarRow) => Object.fromEntries(fields.map((f) => [f, r[f]]));
    await writeAudit(tx, ctx, {
      action,
      targetType: 'calendar',
      targetId: id,
      changes: {
        ...diff(pickF(before), pickF(row)),
        version: { before: before.version, after: row.version },
        ...(recomputed ? { recomputedClocks: { before: null, after: recomputed } } : {}),
      },
    });
    return { row, ...extra };
  });
}

export async function updateCalendar(database: Database, ctx: Ctx, id: string, input: CalendarPatchInput) {
  authorize(ctx.actor, 'calendars.manage');
  const { row } = await applyChange(
    database,
    ctx,
    id,
    () => {
      const set: Partial<CalendarRow> = {};
      if (input.name !== undefined) set.name = input.name;
      if (input.description !== undefined) set.description = input.description ?? null;
      if (input.timeZone !== undefined) set.timeZone = input.timeZone;
      if (input.weekly !== undefined) set.weekly = input.weekly;
      if (input.holidays !== undefined) set.holidays = input.holidays;
      if (input.overrides !== undefined) set.overrides = cleanOverrides(input.overrides);
      return set;
    },
    'calendar.updated',
  );
  return presentCalendar(row, ctx.locale);
}

/** Merge the holidays / make-up workdays of an iCalendar file as overrides (imported dates win over existing ones). */
export async function importIcs(database: Database, ctx: Ctx, id: string, ics: string, replace = false) {
  authorize(ctx.actor, 'calendars.manage');
  const current = await calendarsRepo.byId(database.db, id);
  if (!current) throw notFound('Calendar');
  const parsed = parseIcsHolidays(ics, { timeZone: current.timeZone });
  if (parsed.overrides.length === 0) {
    const errors = parsed.errors.length
      ? parsed.errors.map((e) => ({ path: `ics:${e.line}`, message: e.message }))
      : [{ path: 'ics', message: 'no all-day holiday or workday events found' }];
    throw new AppError('validation_failed', `Nothing to import: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, { errors });
  }
  let added = 0;
  let replaced = 0;
  const { row } = await applyChange(
    database,
    ctx,
    id,
    (before) => {
      const byDate = new Map<string, CalendarOverride>();
      if (!replace) for (const o of before.overrides as CalendarOverride[]) byDate.set(o.date, o);
      for (const o of parsed.overrides) {
        if (byDate.has(o.date)) replaced++;
        else added++;
        byDate.set(o.date, o);
      }
      return { overrides: cleanOverrides([...byDate.values()].sort((a, b) => a.date.localeCompare(b.date))) };
    },
    'calendar.ics_imported',
  );
  return {
    imported: parsed.overrides.length,
    added,
    replaced,
    errors: parsed.errors.map((e) => ({ line: e.line, message: e.message })),
    calendar: presentCalendar(row, ctx.locale),
  };
}

async function compiledById(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'calendars.view');
  const row = await calendarsRepo.byId(database.db, id);
  if (!row) throw notFound('Calendar');
  return calendarOf(row);
}

export async function addBusinessSeconds(database: Database, ctx: Ctx, id: string, from: string, seconds: number) {
  const cal = await compiledById(database, ctx, id);
  const due = cal.addSeconds(Date.parse(from), seconds);
  if (due === null) throw new AppError('conflict', 'The calendar has no business time within 3 years of `from`', { reason: 'calendar_no_business_time' });
  return { dueAt: new Date(due).toISOString() };
}

export async function elapsedBusinessSeconds(database: Database, ctx: Ctx, id: string, from: string, to: string) {
  const cal = await compiledById(database, ctx, id);
  return { seconds: cal.elapsedSeconds(Date.parse(from), Date.parse(to)) };
}

const DAY_MS = 86_400_000;
export async function calendarDays(database: Database, ctx: Ctx, id: string, from: string, to: string) {
  const cal = await compiledById(database, ctx, id);
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(a)) throw new AppError('validation_failed', 'from: not a real date', { errors: [{ path: 'from', message: 'not a real date' }] });
  if (Number.isNaN(b) || b < a)
    throw new AppError('validation_failed', 'to: must be a real date on or after from', {
      errors: [{ path: 'to', message: 'must be a real date on or after from' }],
    });
  if ((b - a) / DAY_MS > 400)
    throw new AppError('validation_failed', 'to: at most 400 days after from', { errors: [{ path: 'to', message: 'at most 400 days after from' }] });
  const items = [];
  for (let d = a; d <= b; d += DAY_MS) {
    items.push(presentDay(cal.dayInfo(new Date(d).toISOString().slice(0, 10))));
  }
  return { timeZone: cal.timeZone, items };
}

export async function listAssignments(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'calendars.view');
  const rows = await calendarsRepo.assignments(database.db);
  return { items: rows.map(presentAssignment) };
}

export async function putAssignment(database: Database, ctx: Ctx, input: { scope: AssignmentScope; key?: string | undefined; calendarId: string | null }) {
  authorize(ctx.actor, 'calendars.manage');
  const key = input.scope === 'default' ? '' : (input.key ?? '');
  if (input.scope !== 'default' && !key)
    throw new AppError('validation_failed', 'key: required for this scope', { errors: [{ path: 'key', message: `required for scope ${input.scope}` }] });
  await database.transaction(async (tx) => {
    if (input.calendarId && !(await calendarsRepo.byId(tx, input.calendarId)))
      throw new AppError('validation_failed', 'calendarId: no such calendar', { errors: [{ path: 'calendarId', message: 'no such calendar' }] });
    await calendarsRepo.putAssignment(tx, input.scope, key, input.calendarId);
    await writeAudit(tx, ctx, {
      action: 'calendar.assigned',
      targetType: 'calendar_assignment',
      targetId: `${input.scope}:${key}`,
      changes: { calendarId: { before: null, after: input.calendarId } },
    });
  });
  return listAssignments(database, ctx);
}

export async function resolveCalendar(
  database: Database,
  ctx: Ctx,
  q: { customerId?: string | undefined; tier?: string | undefined; site?: string | undefined; teamId?: string | undefined },
) {
  authorize(ctx.actor, 'calendars.view');
  const hit = await calendarsRepo.resolve(database.db, q);
  if (!hit) return { calendarId: null, source: null, calendarName: null };
  const row = await calendarsRepo.byId(database.db, hit.calendarId);
  return { calendarId: hit.calendarId, source: hit.source, calendarName: row?.name ?? null };
}
