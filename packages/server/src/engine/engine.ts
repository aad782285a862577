/**
 * The standards engine (服务标准引擎): starts, pauses, resumes and stops clocks inside the transaction of every
 * ticket event, and performs due actions (warning, breach, escalation step) exactly once. The deadlines live in
 * `standard_instances.next_action_at`; the worker (worker.ts) claims due rows with FOR UPDATE SKIP LOCKED and
 * calls `fireDue` in the same transaction that records the timeline events and notifications.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { TWENTY_FOUR_SEVEN, type BusinessCalendar } from '@chidu/core/calendar/index';
import type { Executor, Tx } from '../db/client';
import { customers, events, staff, standardActions, standardInstances, standards, standardVersions, teams, tickets } from '../db/schema';
import { systemCtx, type Ctx } from '../lib/context';
import { uuidv7 } from '../lib/ids';
import { observeFiringLag } from '../lib/metrics';
import { notify } from '../lib/notify';
import { allDayCalendar, calendarOf, loadCalendarRows, type CalendarRow } from '../modules/calendars/calendar-cache';
import { calendarsRepo } from '../modules/calendars/calendars.repo';
import { appliesToTicket, ENGINE_EVENTS, isTimed, type StandardDefinition } from '../modules/standards/definition';
import { recordTicketEvent, type TicketEvent, type TicketEventItem, type TicketSnapshot } from '../modules/tickets/ticket-events';
import * as clock from './clock';

export type InstanceRow = typeof standardInstances.$inferSelect;
export const WAKE_CHANNEL = 'chidu_standards_wake';
/** An action that fires more than this after its scheduled time is marked `late` (downtime, overload). */
export const LATE_AFTER_MS = Number(process.env.CHIDU_STANDARDS_LATE_MS ?? 2000);
/** Deadlines closer than this are announced to the workers with NOTIFY (farther ones are found by the 1 s poll). */
const WAKE_HORIZON_MS = 1500;
const ENGINE_CTX: Ctx = systemCtx('standards');
/** Events after which the appliesTo conditions are evaluated again (priority, type, team may have changed). */
const REEVALUATE = new Set(['ticket.assigned', 'ticket.taken', 'ticket.priority_changed', 'ticket.updated', 'ticket.team_transferred']);
const RESOLVING = new Set(['ticket.resolved', 'ticket.closed']);
const CLOSED_STATUSES = new Set(['resolved', 'closed']);

export interface VersionInfo { id: string; standardId: string; version: number; code: string; def: StandardDefinition }

// ───────────────────────────── catalogue (versions are immutable: cached forever) ─────────────────────────────

const versionCache = new Map<string, VersionInfo>();

export async function loadVersions(ex: Executor, ids: Iterable<string>): Promise<Map<string, VersionInfo>> {
  const want = [...new Set(ids)];
  const missing = want.filter((id) => !versionCache.has(id));
  if (missing.length) {
    const rows = await ex.select({ id: standardVersions.id, standardId: standardVersions.standardId, version: standardVersions.version, definition: standardVersions.definition, code: standards.code })
      .from(standardVersions).innerJoin(standards, eq(standards.id, standardVersions.standardId)).where(inArray(standardVersions.id, missing));
    for (const r of rows) versionCache.set(r.id, { id: r.id, standardId: r.standardId, version: r.version, code: r.code, def: r.definition as StandardDefinition });
  }
  const out = new Map<string, VersionInfo>();
  for (const id of want) { const v = versionCache.get(id); if (v) out.set(id, v); }
  return out;
}

export const CATALOGUE_CHANNEL = 'chidu_standards_changed';
/** Longest a process trusts its cached catalogue without hearing of a change (NOTIFY normally arrives in ms). */
const CATALOGUE_TTL_MS = Number(process.env.CHIDU_STANDARDS_CATALOGUE_TTL_MS ?? 5000);
let catalogueCache: { at: number; generation: number; value: Promise<VersionInfo[]> } | null = null;
let catalogueGeneration = 0;

/** Forget the cached catalogue: called after a standard changes (this process) and on NOTIFY (every process). */
export function invalidateCatalogue(): void { catalogueGeneration++; catalogueCache = null; }

/**
 * Current versions of the active standards. Cached per process (no query on most ticket events); a change made
 * anywhere invalidates it through NOTIFY chidu_standards_changed, and the cache never outlives CATALOGUE_TTL_MS.
 */
export function activeCatalogue(ex: Executor): Promise<VersionInfo[]> {
  const now = Date.now();
  if (catalogueCache && now - catalogueCache.at < CATALOGUE_TTL_MS && catalogueCache.generation === catalogueGeneration) return catalogueCache.value;
  const generation = catalogueGeneration;
  const value = readCatalogue(ex);
  // Only a successful read is shared (a failed one, e.g. in an aborted transaction, is not cached).
  value.then(() => { if (generation === catalogueGeneration) catalogueCache = { at: now, generation, value }; }, () => undefined);
  return value;
}

/** Announce a catalogue change to every process (delivered on commit). */
export async function announceCatalogueChange(tx: Executor): Promise<void> {
  await tx.execute(sql`SELECT pg_notify(${CATALOGUE_CHANNEL}, '')`);
}

async function readCatalogue(ex: Executor): Promise<VersionInfo[]> {
  const rows = await ex.select({ versionId: standards.currentVersionId }).from(standards).where(eq(standards.active, true));
  if (rows.length === 0) return [];
  const versions = await loadVersions(ex, rows.map((r) => r.versionId));
  return rows.map((r) => versions.get(r.versionId)).filter((v): v is VersionInfo => Boolean(v));
}

// ───────────────────────────── helpers ─────────────────────────────

const ms = (d: Date | null | undefined) => (d ? d.getTime() : null);
const dt = (n: number | null | undefined) => (n === null || n === undefined ? null : new Date(n));

export function toClock(r: InstanceRow): clock.Clock {
  return {
    state: r.state as clock.ClockStateName, limitMs: Number(r.limitMs), consumedMs: Number(r.consumedMs), segmentStartedAt: ms(r.segmentStartedAt),
    dueAt: ms(r.dueAt), warningsSent: r.warningsSent, escalationsSent: r.escalationsSent, endedAt: ms(r.endedAt),
  };
}

/** The calendar a clock runs on: its calendar row, else 24×7 (in the standard's zone for "same day" deadlines). */
export function clockCalendar(calendarRow: CalendarRow | undefined, def: StandardDefinition): BusinessCalendar {
  if (calendarRow) return calendarOf(calendarRow);
  return def.deadline === 'end_of_business_day' ? allDayCalendar(def.timeZone) : TWENTY_FOUR_SEVEN;
}

export async function loadSnapshots(ex: Executor, ids: string[]): Promise<Map<string, TicketSnapshot>> {
  const want = [...new Set(ids)];
  if (want.length === 0) return new Map();
  const rows = await ex.select({ t: tickets, tier: customers.tier, vip: customers.vip }).from(tickets)
    .leftJoin(customers, eq(customers.id, tickets.customerId)).where(inArray(tickets.id, want));
  return new Map(rows.map(({ t, tier, vip }) => [t.id, {
    id: t.id, number: t.number, customerId: t.customerId, customerTier: tier ?? 'regular', customerVip: vip ?? false,
    type: t.type, channel: t.channel, priority: t.priority, status: t.status, previousStatus: t.status,
    ownerId: t.ownerId, teamId: t.teamId, categoryId: t.categoryId, site: t.site, createdAt: t.createdAt,
  }]));
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

  constructor(public tx: Tx, readonly worker: string | null) {}

  async prepare(rows: { versionId: string; calendarId: string | null }[]): Promise<void> {
    const vs = await loadVersions(this.tx, rows.map((r) => r.versionId).filter((id) => !this.versions.has(id)));
    for (const [k, v] of vs) this.versions.set(k, v);
    await this.ensureCalendars(rows.map((r) => r.calendarId));
  }

  async ensureCalendars(ids: (string | null)[]): Promise<void> {
    const cs = await loadCalendarRows(this.tx, ids.filter((id) => id && !this.calendars.has(id)));
    for (const [k, v] of cs) this.calendars.set(k, v);
  }

  cal(calendarId: string | null, def: StandardDefinition): BusinessCalendar {
    return clockCalendar(calendarId ? this.calendars.get(calendarId) : undefined, def);
  }

  noteNext(at: number | null): void {
    if (at !== null && at < Date.now() + WAKE_HORIZON_MS && (this.wakeAt === null || at < this.wakeAt)) this.wakeAt = at;
  }

  insertLater(row: InstanceRow): void { this.inserts.set(row.id, row); }

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
      await this.tx.insert(standardInstances).values(rows).onConflictDoNothing();
    }
  }

  private async flushUpdates(): Promise<void> {
    const rows = [...this.updates.values()];
    this.updates.clear();
    const ts = (d: Date | null) => (d ? d.toISOString() : null);
    const values = sql.join(rows.map((r) => sql`(${r.id}::uuid, ${r.state}::text, ${r.consumedMs}::bigint, ${ts(r.segmentStartedAt)}::timestamptz, ${ts(r.dueAt)}::timestamptz,
      ${ts(r.pausedAt)}::timestamptz, ${ts(r.metAt)}::timestamptz, ${ts(r.breachedAt)}::timestamptz, ${ts(r.endedAt)}::timestamptz, ${r.endReason}::text,
      ${r.warningsSent}::int, ${r.escalationsSent}::int, ${ts(r.nextActionAt)}::timestamptz, ${r.nextAction}::text, ${r.late}::boolean, ${r.attempts}::int,
      ${r.lastError}::text, ${r.ownerId}::uuid, ${r.teamId}::uuid)`), sql`, `);
    await this.tx.execute(sql`UPDATE standard_instances AS i SET state = v.state, consumed_ms = v.consumed_ms, segment_started_at = v.segment_started_at,
      due_at = v.due_at, paused_at = v.paused_at, met_at = v.met_at, breached_at = v.breached_at, ended_at = v.ended_at, end_reason = v.end_reason,
      warnings_sent = v.warnings_sent, escalations_sent = v.escalations_sent, next_action_at = v.next_action_at, next_action = v.next_action, late = v.late,
      attempts = v.attempts, last_error = v.last_error, owner_id = v.owner_id, team_id = v.team_id
      FROM (VALUES ${values}) AS v(id, state, consumed_ms, segment_started_at, due_at, paused_at, met_at, breached_at, ended_at, end_reason,
        warnings_sent, escalations_sent, next_action_at, next_action, late, attempts, last_error, owner_id, team_id)
      WHERE i.id = v.id`);
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
    await this.tx.execute(sql`SELECT pg_notify(${WAKE_CHANNEL}, ${String(at)})`);
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
      if (!teamId && t.ownerId) teamId = (await this.tx.select({ teamId: staff.teamId }).from(staff).where(eq(staff.id, t.ownerId)))[0]?.teamId ?? null;
      if (teamId) {
        const [team] = await this.tx.select({ sup: teams.supervisorId }).from(teams).where(eq(teams.id, teamId));
        if (team?.sup) {
          const [s] = await this.tx.select({ id: staff.id }).from(staff).where(and(eq(staff.id, team.sup), eq(staff.active, true)));
          if (s) ids = [s.id];
        }
        if (ids.length === 0) {
          ids = (await this.tx.select({ id: staff.id }).from(staff)
            .where(and(eq(staff.teamId, teamId), eq(staff.active, true), sql`'supervisor' = ANY(${staff.roles})`)).limit(10)).map((r) => r.id);
        }
      }
      if (ids.length === 0) {
        ids = (await this.tx.select({ id: staff.id }).from(staff).where(and(eq(staff.active, true), sql`'supervisor' = ANY(${staff.roles})`)).orderBy(staff.id).limit(5)).map((r) => r.id);
      }
    } else if (role === 'director' || role === 'admin') {
      ids = (await this.tx.select({ id: staff.id }).from(staff).where(and(eq(staff.active, true), sql`${role} = ANY(${staff.roles})`)).orderBy(staff.id).limit(10)).map((r) => r.id);
    }
    this.recipients.set(key, ids);
    return ids;
  }
}

async function persist(env: Env, row: InstanceRow, c: clock.Clock, def: StandardDefinition, cal: BusinessCalendar, extra: Partial<InstanceRow> = {}): Promise<InstanceRow> {
  const plan = clock.planNext(c, def, cal);
  const set = {
    state: c.state, consumedMs: c.consumedMs, segmentStartedAt: dt(c.segmentStartedAt), dueAt: dt(c.dueAt), warningsSent: c.warningsSent,
    escalationsSent: c.escalationsSent, endedAt: dt(c.endedAt), nextActionAt: dt(plan?.at ?? null), nextAction: clock.encodeAction(plan), ...extra,
  };
  const next = { ...row, ...set } as InstanceRow;
  env.updateLater(next);
  env.noteNext(plan?.at ?? null);
  return next;
}

// ───────────────────────────── actions (exactly once) ─────────────────────────────

/** The primary key of standard_actions makes an action happen once even if two paths reach it. */
async function claimAction(env: Env, row: InstanceRow, action: string, step: number, scheduledAt: number, late: boolean): Promise<boolean> {
  const out = await env.tx.insert(standardActions).values({
    instanceId: row.id, action, step, standardId: row.standardId, ticketId: row.ticketId, scheduledAt: new Date(scheduledAt), late, worker: env.worker,
  }).onConflictDoNothing().returning({ id: standardActions.instanceId });
  if (out.length > 0) observeFiringLag(action, scheduledAt);
  return out.length > 0;
}

function fmtDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} 秒`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} 分钟`;
  if (seconds < 86400) return `${Math.round((seconds / 3600) * 10) / 10} 小时`;
  return `${Math.round((seconds / 86400) * 10) / 10} 天`;
}

async function announceWarning(env: Env, row: InstanceRow, v: VersionInfo, t: TicketSnapshot, c: clock.Clock, step: number, scheduledAt: number, late: boolean, cal: BusinessCalendar) {
  const percent = v.def.warnAtPercent[step] ?? null;
  const remaining = c.dueAt !== null ? cal.elapsedSeconds(Date.now(), c.dueAt) : null;
  const data = {
    instanceId: row.id, standardId: row.standardId, code: v.code, name: v.def.name, version: v.version, cycle: row.cycle, percent,
    dueAt: c.dueAt !== null ? new Date(c.dueAt).toISOString() : null, remainingSeconds: remaining, scheduledAt: new Date(scheduledAt).toISOString(), late,
  };
  await recordTicketEvent(env.tx, ENGINE_CTX, t, 'standard.warning', data);
  const to = t.ownerId ? [t.ownerId] : await env.recipientsFor('supervisor', t);
  const left = remaining !== null ? `，剩余 ${fmtDuration(remaining)}` : '';
  for (const recipientId of to) {
    await notify(env.tx, { recipientId, kind: 'standard.warning', ticketId: t.id, title: `${t.number} 即将超时：${v.def.name}（已用 ${percent}%${left}）`, data });
  }
}

async function announceBreach(env: Env, row: InstanceRow, v: VersionInfo, t: TicketSnapshot, c: clock.Clock, scheduledAt: number, late: boolean) {
  const firedAt = Date.now();
  const data = {
    instanceId: row.id, standardId: row.standardId, code: v.code, name: v.def.name, version: v.version, cycle: row.cycle,
    dueAt: new Date(c.dueAt ?? scheduledAt).toISOString(), firedAt: new Date(firedAt).toISOString(), lagMs: firedAt - scheduledAt, late, ownerId: t.ownerId,
  };
  await recordTicketEvent(env.tx, ENGINE_CTX, t, 'standard.breached', data);
  // The owner hears of it; an unowned ticket's breach goes to the team supervisor unless the ladder does that at once.
  const to = t.ownerId ? [t.ownerId] : v.def.escalation.some((e) => e.afterBreachSeconds === 0) ? [] : await env.recipientsFor('supervisor', t);
  for (const recipientId of to) {
    await notify(env.tx, { recipientId, kind: 'standard.breached', ticketId: t.id, title: `${t.number} 已超时：${v.def.name}`, data });
  }
}

async function escalate(env: Env, row: InstanceRow, v: VersionInfo, t: TicketSnapshot, c: clock.Clock, step: number, scheduledAt: number, late: boolean) {
  const rung = v.def.escalation[step];
  if (!rung) return;
  const recipients = (await env.recipientsFor(rung.notifyRole, t)).filter((id, i, a) => a.indexOf(id) === i);
  const data = {
    instanceId: row.id, standardId: row.standardId, code: v.code, name: v.def.name, version: v.version, cycle: row.cycle, step: step + 1,
    notifyRole: rung.notifyRole, afterBreachSeconds: rung.afterBreachSeconds, recipients, dueAt: c.dueAt !== null ? new Date(c.dueAt).toISOString() : null,
    scheduledAt: new Date(scheduledAt).toISOString(), late,
  };
  await recordTicketEvent(env.tx, ENGINE_CTX, t, 'ticket.escalated', data);
  const overdue = c.dueAt !== null ? Math.max(0, Math.round((Date.now() - c.dueAt) / 1000)) : 0;
  for (const recipientId of recipients) {
    await notify(env.tx, {
      recipientId, kind: 'standard.escalated', ticketId: t.id,
      title: `${t.number} 超时升级（第 ${step + 1} 级）：${v.def.name}${overdue ? `，已超时 ${fmtDuration(overdue)}` : ''}`, data,
    });
  }
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
    const c = { ...toClock(row), state: row.state === 'breached' ? 'breached' as const : 'cancelled' as const, endedAt: Date.now(), segmentStartedAt: null };
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
    id: uuidv7(), standardId: v.standardId, versionId: v.id, code: v.code, ticketId: t.id, cycle, state: c.state, calendarId,
    startedAt: new Date(at), limitMs: c.limitMs, consumedMs: 0, segmentStartedAt: dt(c.segmentStartedAt), dueAt: dt(c.dueAt),
    pausedAt: paused ? new Date(at) : null, metAt: null, breachedAt: null, endedAt: null, endReason: null, warningsSent: 0, escalationsSent: 0,
    nextActionAt: dt(plan?.at ?? null), nextAction: clock.encodeAction(plan), late: false, attempts: 0, lastError: null,
    ownerId: t.ownerId, teamId: t.teamId, channel: t.channel, tier: t.customerTier, ticketType: t.type, priority: t.priority, createdAt: new Date(),
  };
  env.insertLater(row);
  env.noteNext(plan?.at ?? null);
  return row;
}

async function endInstance(env: Env, row: InstanceRow, t: TicketSnapshot, at: number, reason: string, outcome: 'settle' | 'cancel'): Promise<InstanceRow> {
  const v = env.versions.get(row.versionId)!;
  const cal = env.cal(row.calendarId, v.def);
  let c = toClock(row);
  if (c.state === 'running' && c.segmentStartedAt !== null) c = { ...c, consumedMs: Math.min(c.limitMs, c.consumedMs + cal.elapsedMs(c.segmentStartedAt, Math.max(at, c.segmentStartedAt))) };
  const state = c.state === 'breached' ? 'breached' : outcome === 'settle' ? 'met' : 'cancelled';
  c = { ...c, state, endedAt: at, segmentStartedAt: null };
  return persist(env, row, c, v.def, cal, {
    endReason: reason, ownerId: t.ownerId, teamId: t.teamId, ...(state === 'met' ? { metAt: new Date(at) } : {}),
  });
}

/** Highest cycle per standard of a ticket's clocks (ended ones included). */
async function cyclesOf(tx: Tx, ticketId: string): Promise<Map<string, number>> {
  const rows = await tx.select({ standardId: standardInstances.standardId, n: sql<number>`max(${standardInstances.cycle})::int` }).from(standardInstances)
    .where(eq(standardInstances.ticketId, ticketId)).groupBy(standardInstances.standardId);
  return new Map(rows.map((r) => [r.standardId, Number(r.n)]));
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
interface FreshClocks { open: InstanceRow[]; cycles: Map<string, number> }

/**
 * The same for the events of a command or of a batch of creates. Tickets created in this transaction have no
 * clocks but those this batch starts, so their events run without a query on `standard_instances`, in one Env whose
 * writes go out in one INSERT; events of other tickets go through the per-event consumer, in order.
 */
export async function onTicketEventsForClocks(tx: Tx, items: TicketEventItem[]): Promise<void> {
  let env: Env | null = null;
  const fresh = new Map<string, FreshClocks>();
  let seen = freshSeen.get(tx);
  if (!seen) { seen = new Map(); freshSeen.set(tx, seen); }
  for (const it of items) {
    if (!it.fresh) {
      if (env) { await env.finish(); env = null; }
      await onTicketEventForClocks(tx, it.ctx, it.ticket, it.event);
      continue;
    }
    env ??= new Env(tx, null);
    let known = fresh.get(it.ticket.id);
    if (!known) { known = { open: [], cycles: new Map() }; fresh.set(it.ticket.id, known); }
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
  return new Set(ticketIds.filter((id) => { const k = seen.get(id); return k !== undefined && k.cycles.size === 0 && k.open.length === 0; }));
}

/**
 * One event against one ticket's clocks. `known` (a ticket created in this transaction): its open clocks and cycles
 * are taken from and written back to it instead of read from the table, whose rows may still be pending in `env`.
 */
async function clocksOnEvent(env: Env, t: TicketSnapshot, ev: TicketEvent, known: FreshClocks | null): Promise<void> {
  const tx = env.tx;
  if (ENGINE_EVENTS.has(ev.kind)) return;
  const at = ev.at.getTime();
  const catalogue = (await activeCatalogue(tx)).filter((v) => isTimed(v.def));
  const reevaluate = REEVALUATE.has(ev.kind);
  // Fast path: an event no standard starts or stops on, that changes no status, cannot change a clock.
  if (!reevaluate && !RESOLVING.has(ev.kind) && ev.kind !== 'ticket.reopened' && t.status === t.previousStatus
    && !catalogue.some((v) => v.def.start.includes(ev.kind) || v.def.stop.includes(ev.kind))) return;
  const starters = catalogue.filter((v) => v.def.start.includes(ev.kind));
  let open = known ? [...known.open] : await tx.select().from(standardInstances)
    .where(and(eq(standardInstances.ticketId, t.id), isNull(standardInstances.endedAt))).orderBy(standardInstances.id).for('update');
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
      open[i] = await endInstance(env, r, t, at, 'stop', 'settle');
      // Recurring clocks restart while the ticket is open; those that start on resolve/close (after-care) restart
      // until maxCycles or a reopen.
      if (def.recurring && (afterResolve || (ticketOpen && !resolving))) {
        const current = catalogue.find((c) => c.standardId === r.standardId);
        const maxCycles = current?.def.maxCycles ?? null;
        if (current && (maxCycles === null || r.cycle < maxCycles) && appliesToTicket(current.def.appliesTo, t)) restart.push(current);
      }
    } else if (resolving && !afterResolve && !loopClock) {
      // Resolving answers the customer: every running clock is fulfilled (or stays breached); recurring ones end.
      open[i] = await endInstance(env, r, t, at, ev.kind === 'ticket.resolved' ? 'resolved' : 'closed', 'settle');
    } else if (ev.kind === 'ticket.reopened' && afterResolve) {
      open[i] = await endInstance(env, r, t, at, 'reopened', 'cancel');
    } else if (reevaluate && (r.state === 'running' || r.state === 'paused') && !appliesToTicket(def.appliesTo, t)) {
      open[i] = await endInstance(env, r, t, at, 'not_applicable', 'cancel');
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
  const cycleOf = async (standardId: string) => { cycles ??= known ? known.cycles : ev.kind === 'ticket.created' ? new Map() : await cyclesOf(tx, t.id); return cycles.get(standardId) ?? 0; };
  for (const v of starters) {
    if (openStandards.has(v.standardId) || !appliesToTicket(v.def.appliesTo, t)) continue;
    open.push(await startInstance(env, v, t, at, (await cycleOf(v.standardId)) + 1));
    openStandards.add(v.standardId);
  }
  // A change (priority, team…) can make a ticket-lifetime standard apply: start it as of the ticket's creation,
  // unless it already ran on this ticket or its stop event already happened.
  for (const v of retro) {
    if (!ticketOpen || openStandards.has(v.standardId) || !appliesToTicket(v.def.appliesTo, t)) continue;
    if ((await cycleOf(v.standardId)) > 0) continue;
    const [stopped] = await tx.select({ id: events.id }).from(events)
      .where(and(eq(events.aggregateType, 'ticket'), eq(events.aggregateId, t.id), inArray(events.kind, v.def.stop))).limit(1);
    if (stopped) continue;
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
      open[i] = await persist(env, r, clock.pauseClock(toClock(r), cal, at), v.def, cal, { pausedAt: new Date(at) });
    } else if (r.state === 'paused' && !shouldPause) {
      open[i] = await persist(env, r, clock.resumeClock(toClock(r), cal, at), v.def, cal, { pausedAt: null });
    }
  }
  if (known) {
    known.open = open.filter((r) => r.endedAt === null);
    for (const r of open) if (r.cycle > (known.cycles.get(r.standardId) ?? 0)) known.cycles.set(r.standardId, r.cycle);
  }
}

/** A calendar changed: running clocks on it get new deadlines (and next actions) in the same transaction. */
export async function recomputeCalendarClocks(tx: Tx, calendar: CalendarRow): Promise<number> {
  const rows = await tx.select().from(standardInstances)
    .where(and(eq(standardInstances.calendarId, calendar.id), isNull(standardInstances.endedAt), inArray(standardInstances.state, ['running', 'breached']))).for('update');
  if (rows.length === 0) return 0;
  const env = new Env(tx, null);
  await env.prepare(rows);
  env.calendars.set(calendar.id, calendar);
  for (const r of rows) {
    const v = env.versions.get(r.versionId)!;
    const cal = env.cal(r.calendarId, v.def);
    let c = toClock(r);
    if (c.state === 'running' && c.segmentStartedAt !== null) c = { ...c, dueAt: clock.dueOf(cal, c.segmentStartedAt, c.limitMs, c.consumedMs) };
    await persist(env, r, c, v.def, cal);
  }
  await env.finish();
  return rows.length;
}
