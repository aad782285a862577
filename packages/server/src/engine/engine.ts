/**
 * The standards engine (服务标准引擎): starts, pauses, resumes and stops clocks inside the transaction of every
 * ticket event, and performs due actions (warning, breach, escalation step) exactly once. The deadlines live in
 * `standard_instances.next_action_at`; the worker (worker.ts) claims due rows with FOR UPDATE SKIP LOCKED and
 * calls `fireDue` in the same transaction that records the timeline events and notifications.
 */
import { TWENTY_FOUR_SEVEN, type BusinessCalendar } from '@chidu/core/calendar/index';
import type { Executor, Tx } from '../db/client';
import type { Ctx } from '../lib/context';
import { uuidv7 } from '../lib/ids';
import { observeFiringLag } from '../lib/metrics';
import { allDayCalendar, calendarOf, loadCalendarRows, type CalendarRow } from '../modules/calendars/calendar-cache';
import { calendarsRepo } from '../modules/calendars/calendars.repo';
import { appliesToTicket, ENGINE_EVENTS, isTimed, type StandardDefinition } from '../modules/standards/definition';
import type { TicketEvent, TicketEventItem, TicketSnapshot } from '../modules/tickets/ticket-events';
import { announceBreach, announceWarning, escalate } from './announce';
import { activeCatalogue, loadVersions, type VersionInfo } from './catalogue';
import * as clock from './clock';
import { clocksRepo, type InstanceRow } from './clocks.repo';
import { countedFor, countedInstance, observe } from './counted';

export type { InstanceRow } from './clocks.repo';
export const WAKE_CHANNEL = 'chidu_standards_wake';
/** An action that fires more than this after its scheduled time is marked `late` (downtime, overload). */
export const LATE_AFTER_MS = Number(process.env.CHIDU_STANDARDS_LATE_MS ?? 2000);
/** Deadlines closer than this are announced to the workers with NOTIFY (farther ones are found by the 1 s poll). */
const WAKE_HORIZON_MS = 1500;
/** Events after which the appliesTo conditions are evaluated again (priority, type, team may have changed). */
const REEVALUATE = new Set(['ticket.assigned', 'ticket.taken', 'ticket.priority_changed', 'ticket.updated', 'ticket.team_transferred']);
const RESOLVING = new Set(['ticket.resolved', 'ticket.closed']);
const CLOSED_STATUSES = new Set(['resolved', 'closed']);

export { activeCatalogue, announceCatalogueChange, CATALOGUE_CHANNEL, invalidateCatalogue, loadVersions, type VersionInfo } from './catalogue';

// ───────────────────────────── helpers ─────────────────────────────

const ms = (d: Date | null | undefined) => (d ? d.getTime() : null);
const dt = (n: number | null | undefined) => (n === null || n === undefined ? null : new Date(n));

export function toClock(r: InstanceRow): clock.Clock {
  return {
    state: r.state as clock.ClockStateName,
    limitMs: Number(r.limitMs),
    consumedMs: Number(r.consumedMs),
    segmentStartedAt: ms(r.segmentStartedAt),
    dueAt: ms(r.dueAt),
    warningsSent: r.warningsSent,
    escalationsSent: r.escalationsSent,
    endedAt: ms(r.endedAt),
  };
}

/** The calendar a clock runs on: its calendar row, else 24×7 (in the standard's zone for "same day" deadlines). */
export function clockCalendar(calendarRow: CalendarRow | undefined, def: StandardDefinition): BusinessCalendar {
  if (calendarRow) return calendarOf(calendarRow);
  return def.deadline === 'duration' ? TWENTY_FOUR_SEVEN : allDayCalendar(def.timeZone);
}

export async function loadSnapshots(ex: Executor, ids: string[]): Promise<Map<string, TicketSnapshot>> {
  const want = [...new Set(ids)];
  if (want.length === 0) return new Map();
  const rows = await clocksRepo.ticketsWithCustomer(ex, want);
  return new Map(
    rows.map(({ t, tier, vip, assistance }) => [
      t.id,
      {
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
    ]),
  );
}

/** Per-transaction working set: versions, calendars, recipients; collects deadlines the workers must hear about. */
export class Env {
  readonly versions = new Map<string, VersionInfo>();
  readonly calendars = new Map<string, CalendarRow>();
  private readonly recipients = new Map<string, string[]>();
  /** Calendar assignment hits by (customer, tier, site, team): a batch of creates resolves each combination once. */
  readonly assigned = new Map<string, string | null>();
  private wakeAt: number | null = null;
  /** Writes are collected and flushed in (at most) two statements: new clocks, then changed ones. */
  private readonly inserts = new Map<string, InstanceRow>();
  private readonly updates = new Map<string, InstanceRow>();

  constructor(
    public tx: Tx,
    readonly worker: string | null,
  ) {}

  async prepare(rows: { versionId: string; calendarId: string | null }[]): Promise<void> {
    const vs = await loadVersions(
      this.tx,
      rows.map((r) => r.versionId).filter((id) => !this.versions.has(id)),
    );
    for (const [k, v] of vs) this.versions.set(k, v);
    await this.ensureCalendars(rows.map((r) => r.calendarId));
  }

  async ensureCalendars(ids: (string | null)[]): Promise<void> {
    const cs = await loadCalendarRows(
      this.tx,
      ids.filter((id) => id && !this.calendars.has(id)),
    );
    for (const [k, v] of cs) this.calendars.set(k, v);
  }

  cal(calendarId: string | null, def: StandardDefinition): BusinessCalendar {
    return clockCalendar(calendarId ? this.calendars.get(calendarId) : undefined, def);
  }

  noteNext(at: number | null): void {
    if (at !== null && at < Date.now() + WAKE_HORIZON_MS && (this.wakeAt === null || at < this.wakeAt)) this.wakeAt = at;
  }

  insertLater(row: InstanceRow): void {
    this.inserts.set(row.id, row);
  }

  updateLater(row: InstanceRow): void {
    if (this.inserts.has(row.id)) this.inserts.set(row.id, row);
    else this.updates.set(row.id, row);
  }

  /** Write the collected clock changes: one UPDATE … FROM (VALUES …) and one multi-row INSERT. */
  async flushWrites(): Promise<void> {
    // Updates first: a clock that ends frees the (standard, ticket) slot its next cycle takes.
    if (this.updates.size) await this.flushUpdates();
    if (this.inserts.size) {
      const rows = [...this.inserts.values()];
      this.inserts.clear();
      await clocksRepo.insertInstances(this.tx, rows);
    }
  }

  private async flushUpdates(): Promise<void> {
    const rows = [...this.updates.values()];
    this.updates.clear();
    await clocksRepo.updateInstances(this.tx, rows);
  }

  /** Flush writes, then NOTIFY the workers (every process; delivered on commit) of a deadline sooner than their next poll. */
  async finish(): Promise<void> {
    await this.flushWrites();
    await this.flushWake();
  }

  async flushWake(): Promise<void> {
    if (this.wakeAt === null) return;
    const at = this.wakeAt;
    this.wakeAt = null;
    await clocksRepo.notify(this.tx, WAKE_CHANNEL, String(at));
  }

  /** Staff to tell for a ladder role: owner; the team's supervisor; directors; admins. */
  async recipientsFor(role: string, t: TicketSnapshot): Promise<string[]> {
    if (role === 'owner') return t.ownerId ? [t.ownerId] : [];
    const key = `${role}:${t.teamId ?? ''}:${t.ownerId ?? ''}`;
    const hit = this.recipients.get(key);
    if (hit) return hit;
    let ids: string[] = [];
    if (role === 'supervisor') {
      let teamId = t.teamId;
      if (!teamId && t.ownerId) teamId = await clocksRepo.staffTeam(this.tx, t.ownerId);
      if (teamId) {
        const sup = await clocksRepo.teamSupervisor(this.tx, teamId);
        if (sup) {
          const s = await clocksRepo.activeStaff(this.tx, sup);
          if (s) ids = [s];
        }
        if (ids.length === 0) ids = await clocksRepo.teamSupervisors(this.tx, teamId);
      }
      if (ids.length === 0) ids = await clocksRepo.withRole(this.tx, 'supervisor', 5);
    } else if (role === 'director' || role === 'admin') {
      ids = await clocksRepo.withRole(this.tx, role, 10);
    }
    this.recipients.set(key, ids);
    return ids;
  }
}

function persist(env: Env, row: InstanceRow, c: clock.Clock, def: StandardDefinition, cal: BusinessCalendar, extra: Partial<InstanceRow> = {}): InstanceRow {
  const plan = clock.planNext(c, def, cal);
  const set = {
    state: c.state,
    consumedMs: c.consumedMs,
    segmentStartedAt: dt(c.segmentStartedAt),
    dueAt: dt(c.dueAt),
    warningsSent: c.warningsSent,
    escalationsSent: c.escalationsSent,
    endedAt: dt(c.endedAt),
    nextActionAt: dt(plan?.at ?? null),
    nextAction: clock.encodeAction(plan),
    ...extra,
  };
  const next = { ...row, ...set };
  env.updateLater(next);
  env.noteNext(plan?.at ?? null);
  return next;
}

// ───────────────────────────── actions (exactly once) ─────────────────────────────

/** The primary key of standard_actions makes an action happen once even if two paths reach it. */
async function claimAction(env: Env, row: InstanceRow, action: string, step: number, scheduledAt: number, late: boolean): Promise<boolean> {
  const claimed = await clocksRepo.claimAction(env.tx, {
    instanceId: row.id,
    action,
    step,
    standardId: row.standardId,
    ticketId: row.ticketId,
    scheduledAt: new Date(scheduledAt),
    late,
    worker: env.worker,
  });
  if (claimed) observeFiringLag(action, scheduledAt);
  return claimed;
}

/**
 * Perform every action of a clock that is due by `dueBy` (warnings, breach, escalation steps, in order), then store
 * the next one. Called by the worker on claimed rows and by the event handler before it changes a clock.
 */
export async function fireDue(env: Env, row: InstanceRow, t: TicketSnapshot | null, dueBy: number): Promise<InstanceRow> {
  const v = env.versions.get(row.versionId);
  if (!v) throw new Error(`standard version ${row.versionId} not found`);
  const def = v.def;
  const cal = env.cal(row.calendarId, def);
  if (!t) {
    // The ticket is gone (deleted outside the app): nothing to tell anyone.
    const c = {
      ...toClock(row),
      state: row.state === 'breached' ? ('breached' as const) : ('cancelled' as const),
      endedAt: Date.now(),
      segmentStartedAt: null,
    };
    return persist(env, row, c, def, cal, { endReason: 'ticket_missing' });
  }
  let c = toClock(row);
  let next = clock.decodeAction(row.nextAction);
  let nextAt = ms(row.nextActionAt);
  const extra: Partial<InstanceRow> = { attempts: 0, lastError: null };
  for (let guard = 0; next && nextAt !== null && nextAt <= dueBy && guard < 32; guard++) {
    const late = Date.now() - nextAt > LATE_AFTER_MS;
    if (next.kind === 'warning') {
      if (c.dueAt !== null && c.dueAt <= dueBy) {
        c = { ...c, warningsSent: def.warnAtPercent.length }; // the breach is due too: no point warning
      } else {
        if (await claimAction(env, row, 'warning', next.step, nextAt, late)) await announceWarning(env, row, v, t, c, next.step, nextAt, late, cal);
        c = { ...c, warningsSent: next.step + 1 };
      }
    } else if (next.kind === 'breach') {
      if (await claimAction(env, row, 'breach', 0, nextAt, late)) await announceBreach(env, row, v, t, c, nextAt, late);
      const used = c.segmentStartedAt !== null ? c.consumedMs + cal.elapsedMs(c.segmentStartedAt, c.dueAt ?? nextAt) : c.consumedMs;
      c = { ...c, state: 'breached', consumedMs: Math.max(used, c.limitMs), segmentStartedAt: null };
      Object.assign(extra, { breachedAt: new Date(c.dueAt ?? nextAt), late, ownerId: t.ownerId, teamId: t.teamId });
    } else {
      if (await claimAction(env, row, 'escalation', next.step, nextAt, late)) await escalate(env, row, v, t, c, next.step, nextAt, late);
      c = { ...c, escalationsSent: next.step + 1 };
    }
    const plan = clock.planNext(c, def, cal);
    next = plan ? { kind: plan.kind, step: plan.step } : null;
    nextAt = plan?.at ?? null;
  }
  return persist(env, row, c, def, cal, extra);
}

// ───────────────────────────── lifecycle on ticket events ─────────────────────────────

async function startInstance(env: Env, v: VersionInfo, t: TicketSnapshot, at: number, cycle: number): Promise<InstanceRow> {
  const def = v.def;
  env.versions.set(v.id, v);
  let calendarId = def.calendarId;
  if (def.calendarSource === 'ticket') {
    const key = `${t.customerId}|${t.customerTier}|${t.site ?? ''}|${t.teamId ?? ''}`;
    let hit = env.assigned.get(key);
    if (hit === undefined) {
      hit = (await calendarsRepo.resolve(env.tx, { customerId: t.customerId, tier: t.customerTier, site: t.site, teamId: t.teamId }))?.calendarId ?? null;
      env.assigned.set(key, hit);
    }
    if (hit) calendarId = hit;
  }
  await env.ensureCalendars([calendarId]);
  const cal = env.cal(calendarId, def);
  const paused = def.pauseWhile.includes(t.status);
  const c = clock.startClock(def, cal, at, paused);
  const plan = clock.planNext(c, def, cal);
  const row: InstanceRow = {
    id: uuidv7(),
    standardId: v.standardId,
    versionId: v.id,
    code: v.code,
    ticketId: t.id,
    cycle,
    state: c.state,
    calendarId,
    startedAt: new Date(at),
    limitMs: c.limitMs,
    consumedMs: 0,
    segmentStartedAt: dt(c.segmentStartedAt),
    dueAt: dt(c.dueAt),
    pausedAt: paused ? new Date(at) : null,
    metAt: null,
    breachedAt: null,
    endedAt: null,
    endReason: null,
    warningsSent: 0,
    escalationsSent: 0,
    nextActionAt: dt(plan?.at ?? null),
    nextAction: clock.encodeAction(plan),
    late: false,
    attempts: 0,
    lastError: null,
    ownerId: t.ownerId,
    teamId: t.teamId,
    channel: t.channel,
    tier: t.customerTier,
    ticketType: t.type,
    priority: t.priority,
    createdAt: new Date(),
    observed: null,
    countLimit: null,
  };
  env.insertLater(row);
  env.noteNext(plan?.at ?? null);
  return row;
}

function endInstance(env: Env, row: InstanceRow, t: TicketSnapshot, at: number, reason: string, outcome: 'settle' | 'cancel'): InstanceRow {
  const v = env.versions.get(row.versionId)!;
  const cal = env.cal(row.calendarId, v.def);
  let c = toClock(row);
  if (c.state === 'running' && c.segmentStartedAt !== null)
    c = { ...c, consumedMs: Math.min(c.limitMs, c.consumedMs + cal.elapsedMs(c.segmentStartedAt, Math.max(at, c.segmentStartedAt))) };
  const state = c.state === 'breached' ? 'breached' : outcome === 'settle' ? 'met' : 'cancelled';
  c = { ...c, state, endedAt: at, segmentStartedAt: null };
  return persist(env, row, c, v.def, cal, {
    endReason: reason,
    ownerId: t.ownerId,
    teamId: t.teamId,
    ...(state === 'met' ? { metAt: new Date(at) } : {}),
  });
}

/**
 * The ticket-event consumer (runs inside the event's transaction): catch up due actions, stop (met / breached),
 * recurring restarts, resolve/close settlement, re-evaluation of appliesTo, starts, and pause/resume by status.
 */
export async function onTicketEventForClocks(tx: Tx, _ctx: Ctx, t: TicketSnapshot, ev: TicketEvent): Promise<void> {
  const env = new Env(tx, null);
  await clocksOnEvent(env, t, ev, null);
  await env.finish();
}

/** What the engine knows of a ticket created in the current transaction: its clocks so far (not yet written). */
export interface FreshClocks {
  open: InstanceRow[];
  cycles: Map<string, number>;
}

/**
 * The same for the events of a command or of a batch of creates. Tickets created in this transaction have no
 * clocks but those this batch starts, so their events run without a query on `standard_instances`, in one Env whose
 * writes go out in one INSERT; events of other tickets go through the per-event consumer, in order.
 */
export async function onTicketEventsForClocks(tx: Tx, items: TicketEventItem[]): Promise<void> {
  let env: Env | null = null;
  const fresh = new Map<string, FreshClocks>();
  let seen = freshSeen.get(tx);
  if (!seen) {
    seen = new Map();
    freshSeen.set(tx, seen);
  }
  for (const it of items) {
    if (!it.fresh) {
      if (env) {
        await env.finish();
        env = null;
      }
      await onTicketEventForClocks(tx, it.ctx, it.ticket, it.event);
      continue;
    }
    env ??= new Env(tx, null);
    let known = fresh.get(it.ticket.id);
    if (!known) {
      known = { open: [], cycles: new Map() };
      fresh.set(it.ticket.id, known);
    }
    await clocksOnEvent(env, it.ticket, it.event, known);
    seen.set(it.ticket.id, known);
  }
  if (env) await env.finish();
}

/** New tickets of a transaction the engine has handled, with their clocks so far. */
const freshSeen = new WeakMap<object, Map<string, FreshClocks>>();

/** Of these tickets, those created in this transaction that the engine handled and that have no clock (nothing to read). */
export function freshWithoutClocks(ex: object, ticketIds: string[]): Set<string> {
  const seen = freshSeen.get(ex);
  if (!seen) return new Set();
  return new Set(
    ticketIds.filter((id) => {
      const k = seen.get(id);
      return k !== undefined && k.cycles.size === 0 && k.open.length === 0;
    }),
  );
}

/**
 * One event against one ticket's clocks. `known` (a ticket created in this transaction): its open clocks and cycles
 * are taken from and written back to it instead of read from the table, whose rows may still be pending in `env`.
 */
async function clocksOnEvent(env: Env, t: TicketSnapshot, ev: TicketEvent, known: FreshClocks | null, only?: VersionInfo[]): Promise<void> {
  const tx = env.tx;
  if (ENGINE_EVENTS.has(ev.kind)) return;
  const at = ev.at.getTime();
  const active = only ?? (await activeCatalogue(tx));
  const counted = countedFor(active, ev.kind);
  if (counted.length) await evaluateCounted(env, t, ev, counted, known);
  const catalogue = active.filter((v) => isTimed(v.def));
  const reevaluate = REEVALUATE.has(ev.kind);
  // Fast path: an event no standard starts or stops on, that changes no status, cannot change a clock.
  if (
    !reevaluate &&
    !RESOLVING.has(ev.kind) &&
    ev.kind !== 'ticket.reopened' &&
    t.status === t.previousStatus &&
    !catalogue.some((v) => v.def.start.includes(ev.kind) || v.def.stop.includes(ev.kind))
  )
    return;
  const starters = catalogue.filter((v) => v.def.start.includes(ev.kind));
  const open = known ? [...known.open] : await clocksRepo.openForUpdate(tx, t.id);
  const retro = reevaluate ? catalogue.filter((v) => v.def.start.includes('ticket.created')) : [];
  if (open.length === 0 && starters.length === 0 && retro.length === 0) return;

  await env.prepare(open);

  // 1. Actions that fell due before this event happen first (e.g. the breach before a late reply).
  if (known && open.some((r) => r.nextActionAt && r.nextActionAt.getTime() <= at)) await env.flushWrites(); // the action log refers to the row
  for (let i = 0; i < open.length; i++) {
    const r = open[i]!;
    if (r.nextActionAt && r.nextActionAt.getTime() <= at) open[i] = await fireDue(env, r, t, at);
  }

  const ticketOpen = !CLOSED_STATUSES.has(t.status);
  const resolving = RESOLVING.has(ev.kind);
  const restart: VersionInfo[] = [];
  for (let i = 0; i < open.length; i++) {
    const r = open[i]!;
    const v = env.versions.get(r.versionId)!;
    const def = v.def;
    const afterResolve = def.start.some((k) => RESOLVING.has(k));
    // Clocks of the closed loops (started by recovery.*, complaint.*, care.* … events, not by a ticket.* event) run
    // on the original ticket after it was resolved: resolving or closing the ticket does not settle them.
    const loopClock = def.start.every((k) => !k.startsWith('ticket.'));
    if (def.stop.includes(ev.kind)) {
      open[i] = endInstance(env, r, t, at, 'stop', 'settle');
      // Recurring clocks restart while the ticket is open; those that start on resolve/close (after-care) restart
      // until maxCycles or a reopen.
      if (def.recurring && (afterResolve || (ticketOpen && !resolving))) {
        const current = catalogue.find((c) => c.standardId === r.standardId);
        const maxCycles = current?.def.maxCycles ?? null;
        if (current && (maxCycles === null || r.cycle < maxCycles) && appliesToTicket(current.def.appliesTo, t)) restart.push(current);
      }
    } else if (resolving && !afterResolve && !loopClock) {
      // Resolving answers the customer: every running clock is fulfilled (or stays breached); recurring ones end.
      open[i] = endInstance(env, r, t, at, ev.kind === 'ticket.resolved' ? 'resolved' : 'closed', 'settle');
    } else if (ev.kind === 'ticket.reopened' && afterResolve) {
      open[i] = endInstance(env, r, t, at, 'reopened', 'cancel');
    } else if (reevaluate && (r.state === 'running' || r.state === 'paused') && !appliesToTicket(def.appliesTo, t)) {
      open[i] = endInstance(env, r, t, at, 'not_applicable', 'cancel');
    }
  }

  const openStandards = new Set(open.filter((r) => r.endedAt === null).map((r) => r.standardId));
  for (const v of restart) {
    if (openStandards.has(v.standardId)) continue;
    const prev = open.find((r) => r.standardId === v.standardId);
    open.push(await startInstance(env, v, t, at, (prev?.cycle ?? 0) + 1));
    openStandards.add(v.standardId);
  }
  let cycles: Map<string, number> | null = null;
  const cycleOf = async (standardId: string) => {
    cycles ??= known ? known.cycles : ev.kind === 'ticket.created' ? new Map() : await clocksRepo.cycles(tx, t.id);
    return cycles.get(standardId) ?? 0;
  };
  for (const v of starters) {
    if (openStandards.has(v.standardId) || !appliesToTicket(v.def.appliesTo, t)) continue;
    open.push(await startInstance(env, v, t, at, (await cycleOf(v.standardId)) + 1));
    openStandards.add(v.standardId);
  }
  // A change (priority, team…) can make a ticket-lifetime standard apply: start it as of the ticket's creation,
  // unless it already ran on this ticket, its stop event already happened, or the standard was adopted after the
  // ticket was created (a new standard times the tickets opened from then on; it never reaches back to older ones).
  for (const v of retro) {
    if (!ticketOpen || openStandards.has(v.standardId) || !appliesToTicket(v.def.appliesTo, t)) continue;
    if (v.adoptedAt !== undefined && v.adoptedAt > t.createdAt.getTime()) continue;
    if ((await cycleOf(v.standardId)) > 0) continue;
    if (await clocksRepo.ticketHadEvent(tx, t.id, v.def.stop)) continue;
    const started = await startInstance(env, v, t, Math.min(t.createdAt.getTime(), at), 1);
    open.push(started);
    openStandards.add(v.standardId);
    if (started.nextActionAt && started.nextActionAt.getTime() <= at) {
      await env.flushWrites(); // the action log refers to the row
      open[open.length - 1] = await fireDue(env, started, t, at);
    }
  }

  // Pause while the ticket waits (e.g. pending_customer), resume when it does not.
  for (let i = 0; i < open.length; i++) {
    const r = open[i]!;
    if (r.endedAt !== null || (r.state !== 'running' && r.state !== 'paused')) continue;
    const v = env.versions.get(r.versionId)!;
    const cal = env.cal(r.calendarId, v.def);
    const shouldPause = v.def.pauseWhile.includes(t.status);
    if (r.state === 'running' && shouldPause) {
      open[i] = persist(env, r, clock.pauseClock(toClock(r), cal, at), v.def, cal, { pausedAt: new Date(at) });
    } else if (r.state === 'paused' && !shouldPause) {
      open[i] = persist(env, r, clock.resumeClock(toClock(r), cal, at), v.def, cal, { pausedAt: null });
    }
  }
  if (known) {
    known.open = open.filter((r) => r.endedAt === null);
    for (const r of open) if (r.cycle > (known.cycles.get(r.standardId) ?? 0)) known.cycles.set(r.standardId, r.cycle);
  }
}

/**
 * The replay preview (engine/replay.ts): one stored event through exactly this lifecycle, against the given versions
 * instead of the active catalogue, with the ticket's clocks kept in `known` (as for a ticket created in the transaction).
 */
export function replayEvent(env: Env, t: TicketSnapshot, ev: TicketEvent, known: FreshClocks, only: VersionInfo[]): Promise<void> {
  return clocksOnEvent(env, t, ev, known, only);
}

/** Counted standards known at this event: one ended instance each (met / breached), once per ticket and standard. */
async function evaluateCounted(env: Env, t: TicketSnapshot, ev: TicketEvent, counted: VersionInfo[], known: FreshClocks | null): Promise<void> {
  const done = known ? known.cycles : ev.kind === 'ticket.created' ? new Map<string, number>() : await clocksRepo.cycles(env.tx, t.id);
  for (const v of counted) {
    if ((done.get(v.standardId) ?? 0) > 0 || !appliesToTicket(v.def.appliesTo, t)) continue;
    const observed = await observe(env.tx, v.def.count!.source, t, ev);
    if (observed === null) continue;
    const row = countedInstance(v, v.def, t, ev.at.getTime(), observed, 1);
    env.versions.set(v.id, v);
    env.insertLater(row);
    if (known) known.cycles.set(v.standardId, 1);
    if (row.state !== 'breached') continue;
    await env.flushWrites(); // the action log refers to the row
    if (await claimAction(env, row, 'breach', 0, ev.at.getTime(), false))
      await announceBreach(env, row, v, t, toClock(row), ev.at.getTime(), false, { observed, limit: row.countLimit, source: v.def.count!.source });
  }
}

/** A calendar changed: running clocks on it get new deadlines (and next actions) in the same transaction. */
export async function recomputeCalendarClocks(tx: Tx, calendar: CalendarRow): Promise<number> {
  const rows = await clocksRepo.onCalendarForUpdate(tx, calendar.id);
  if (rows.length === 0) return 0;
  const env = new Env(tx, null);
  await env.prepare(rows);
  env.calendars.set(calendar.id, calendar);
  for (const r of rows) {
    const v = env.versions.get(r.versionId)!;
    const cal = env.cal(r.calendarId, v.def);
    let c = toClock(r);
    if (c.state === 'running' && c.segmentStartedAt !== null)
      c = { ...c, dueAt: clock.absoluteDue(v.def, cal, r.startedAt.getTime()) ?? clock.dueOf(cal, c.segmentStartedAt, c.limitMs, c.consumedMs) };
    persist(env, r, c, v.def, cal);
  }
  await env.finish();
  return rows.length;
}
