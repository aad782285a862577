/**
 * The replay preview of a standard that does not exist yet (定义标准向导 step 5, POST /standards/preview): what it
 * would have done over the last N days of stored ticket events, computed by the engine itself (engine/replay.ts)
 * inside a transaction that is always rolled back — nothing is stored, no notification leaves.
 *
 * Which tickets: those created in the window (their whole life is in the stored events, so every clock the standard
 * would have started is seen from its start). Counted as the execution rate counts (issue #13 item 1): a met clock at
 * its end, a breached one from its breach instant (also while still open), running and cancelled ones not at all.
 */
import type { Database } from '../../db/client';
import type { Ctx } from '../../lib/context';
import { AppError } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { orgTimeZone } from '../../lib/timezone';
import { replayTickets, type ReplayTicket } from '../../engine/replay';
import type { InstanceRow } from '../../engine/clocks.repo';
import { authorize } from '../identity/policy';
import { allDayCalendar } from '../calendars/calendar-cache';
import { calendarsRepo } from '../calendars/calendars.repo';
import type { z } from 'zod';
import { buildDefinition, isCounted, isTimed, type StandardCreate } from './definition';
import { previewRepo } from './standards.preview.repo';

const DAY_MS = 86_400_000;
const limits = () => ({
  tickets: Number(process.env.CHIDU_PREVIEW_MAX_TICKETS ?? 3000),
  events: Number(process.env.CHIDU_PREVIEW_MAX_EVENTS ?? 30000),
  /** Wall-clock budget of one replay; past it the preview is refused (422) rather than holding the database. */
  ms: Number(process.env.CHIDU_PREVIEW_MAX_MS ?? 25000),
});

/** Thrown to end the preview's transaction with a rollback, carrying the result out. */
class Rollback extends Error {
  constructor(readonly value: PreviewResult) {
    super('preview rollback');
  }
}

export interface PreviewInstance {
  cycle: number;
  state: 'running' | 'paused' | 'met' | 'breached' | 'cancelled';
  startedAt: string;
  pausedAt: string | null;
  dueAt: string | null;
  metAt: string | null;
  breachedAt: string | null;
  endedAt: string | null;
  endReason: string | null;
  observed: number | null;
  countLimit: number | null;
}
export interface PreviewTotals {
  met: number;
  breached: number;
  running: number;
  cancelled: number;
  rate: number | null;
}
export interface PreviewResult {
  days: number;
  from: string;
  to: string;
  timeZone: string;
  ticketsReplayed: number;
  eventsReplayed: number;
  totals: PreviewTotals;
  byDay: ({ date: string } & PreviewTotals)[];
  tickets: { ticketId: string; number: string; subject: string; instances: PreviewInstance[] }[];
  elapsedMs: number;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function presentPreviewInstance(r: InstanceRow): PreviewInstance {
  return {
    cycle: r.cycle,
    state: r.state as PreviewInstance['state'],
    startedAt: r.startedAt.toISOString(),
    pausedAt: iso(r.pausedAt),
    dueAt: iso(r.dueAt),
    metAt: iso(r.metAt),
    breachedAt: iso(r.breachedAt),
    endedAt: iso(r.endedAt),
    endReason: r.endReason,
    observed: r.observed,
    countLimit: r.countLimit,
  };
}

const rateOf = (met: number, breached: number) => (met + breached > 0 ? met / (met + breached) : null);

/**
 * Totals and the daily series of clocks as the execution rate counts them: met on the day it ended, breached on the
 * day of its breach instant (open or not); running (not yet breached) and cancelled are listed but not in the rate.
 */
export function previewTotals(items: PreviewInstance[], from: number, to: number, tz: string) {
  const cal = allDayCalendar(tz);
  const dateOf = (iso: string) => cal.localDate(Date.parse(iso));
  const days = new Map<string, PreviewTotals>();
  for (let d = from; d < to + DAY_MS; d += DAY_MS) {
    const k = cal.localDate(Math.min(d, to));
    if (!days.has(k)) days.set(k, { met: 0, breached: 0, running: 0, cancelled: 0, rate: null });
  }
  const totals: PreviewTotals = { met: 0, breached: 0, running: 0, cancelled: 0, rate: null };
  for (const i of items) {
    if (i.state === 'cancelled') totals.cancelled++;
    else if (i.breachedAt !== null && Date.parse(i.breachedAt) <= to) {
      totals.breached++;
      const day = days.get(dateOf(i.breachedAt));
      if (day) day.breached++;
    } else if (i.state === 'met' && i.endedAt !== null) {
      totals.met++;
      const day = days.get(dateOf(i.endedAt));
      if (day) day.met++;
    } else totals.running++;
  }
  totals.rate = rateOf(totals.met, totals.breached);
  const byDay = [...days.entries()].map(([date, c]) => ({ date, ...c, rate: rateOf(c.met, c.breached) }));
  return { totals, byDay };
}

export async function previewStandard(
  database: Database,
  ctx: Ctx,
  input: { definition: z.infer<typeof StandardCreate>; days?: number | undefined },
): Promise<PreviewResult> {
  authorize(ctx.actor, 'standards.manage');
  const { def, errors } = buildDefinition(input.definition);
  if (errors.length)
    throw new AppError('validation_failed', errors.map((e) => `definition.${e.path}: ${e.message}`).join('; '), {
      errors: errors.map((e) => ({ path: `definition.${e.path}`, message: e.message })),
    });
  if (!isTimed(def) && !isCounted(def))
    throw new AppError('unprocessable', 'Only timed and counted standards can be replayed over ticket events', { reason: 'preview_not_replayable' });
  const days = input.days ?? 30;
  const started = Date.now();
  const now = started;
  const from = now - days * DAY_MS;
  const lim = limits();
  const tz = orgTimeZone();
  try {
    await database.transaction(async (tx) => {
      if (database.kind === 'postgres') await previewRepo.statementTimeout(tx, lim.ms);
      if (def.calendarId && !(await calendarsRepo.byId(tx, def.calendarId)))
        throw new AppError('validation_failed', 'definition.calendarId: no such calendar', {
          errors: [{ path: 'definition.calendarId', message: 'no such calendar' }],
        });
      const rows = await previewRepo.ticketsSince(tx, new Date(from), lim.tickets + 1);
      if (rows.length > lim.tickets)
        throw new AppError('unprocessable', `More than ${lim.tickets} tickets in the window: choose fewer days`, {
          reason: 'preview_window_too_large',
          params: { limit: lim.tickets, days },
        });
      const evs = rows.length
        ? await previewRepo.eventsOf(
            tx,
            rows.map((r) => r.t.id),
            lim.events + 1,
          )
        : [];
      if (evs.length > lim.events)
        throw new AppError('unprocessable', `More than ${lim.events} events in the window: choose fewer days`, {
          reason: 'preview_window_too_large',
          params: { limit: lim.events, days },
        });
      const byTicket = new Map<string, ReplayTicket>();
      for (const { t, tier, vip, assistance } of rows)
        byTicket.set(t.id, {
          now: {
            id: t.id,
            number: t.number,
            customerId: t.customerId,
            customerTier: tier ?? 'regular',
            customerVip: vip ?? false,
            customerAssistance: (assistance ?? 'none') !== 'none',
            type: t.type,
            channel: t.channel,
            priority: t.priority,
            status: t.status,
            previousStatus: t.status,
            ownerId: t.ownerId,
            teamId: t.teamId,
            categoryId: t.categoryId,
            site: t.site,
            createdAt: t.createdAt,
          },
          events: [],
        });
      for (const e of evs) byTicket.get(e.aggregateId)?.events.push(e);
      const list = [...byTicket.values()].filter((t) => t.events.length > 0);
      const scratch = { id: uuidv7(), versionId: uuidv7(), code: `preview-${uuidv7()}`, def, actorId: ctx.actor.kind === 'staff' ? ctx.actor.id : null };
      await previewRepo.insertScratch(tx, scratch);
      await replayTickets(tx, { id: scratch.versionId, standardId: scratch.id, version: 1, code: scratch.code, def }, list, now, () => {
        if (Date.now() - started > lim.ms)
          throw new AppError('unprocessable', 'The replay took too long: choose fewer days', {
            reason: 'preview_too_slow',
            params: { seconds: Math.round(lim.ms / 1000), days },
          });
      });
      const inst = await previewRepo.instancesOf(tx, scratch.id);
      const perTicket = new Map<string, PreviewInstance[]>();
      for (const r of inst) perTicket.set(r.ticketId, [...(perTicket.get(r.ticketId) ?? []), presentPreviewInstance(r)]);
      const all = inst.map(presentPreviewInstance);
      const { totals, byDay } = previewTotals(all, from, now, tz);
      const subjects = new Map(rows.map((r) => [r.t.id, r.t.subject]));
      throw new Rollback({
        days,
        from: new Date(from).toISOString(),
        to: new Date(now).toISOString(),
        timeZone: tz,
        ticketsReplayed: list.length,
        eventsReplayed: evs.length,
        totals,
        byDay,
        tickets: [...perTicket.entries()].map(([id, instances]) => ({
          ticketId: id,
          number: byTicket.get(id)!.now.number,
          subject: subjects.get(id) ?? '',
          instances,
        })),
        elapsedMs: Date.now() - started,
      });
    });
  } catch (err) {
    if (err instanceof Rollback) return err.value;
    throw err;
  }
  throw new Error('preview transaction ended without a result');
}
