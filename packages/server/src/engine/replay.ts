/**
 * Replay of stored ticket events through the engine (the 30-day preview of a new standard). Every event goes through
 * `replayEvent` — the engine's own lifecycle (`clocksOnEvent`: starts, stops, pauses, resolve settlement,
 * re-evaluation, recurring cycles, counted evaluations) with the same clock arithmetic and calendars — against a
 * catalogue of just the previewed version. Deadlines that fell due between events fire first, as they do when an
 * event arrives late; those due by `now` fire at the end, as the worker would have fired them. The caller runs this
 * in a transaction it rolls back: the clocks, actions and timeline entries the replay writes are never kept.
 */
import type { Tx } from '../db/client';
import type { TicketEvent, TicketSnapshot } from '../modules/tickets/ticket-events';
import type { VersionInfo } from './catalogue';
import { Env, fireDue, replayEvent, type FreshClocks } from './engine';

export interface StoredEvent {
  id: number;
  at: Date;
  kind: string;
  actorKind: string;
  actorId: string | null;
  data: unknown;
}

/** The ticket as it is now (the row) and its customer's tier and VIP flag. */
export interface ReplayTicket {
  now: TicketSnapshot;
  events: StoredEvent[];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const field = (e: StoredEvent, k: string): unknown => (e.data && typeof e.data === 'object' ? (e.data as Record<string, unknown>)[k] : undefined);

/**
 * The ticket as each event's consumers saw it. The events of one command share their transaction's timestamp and
 * the command hands them all the ticket as it left the command (status, priority, team, owner after the change), with
 * `previousStatus` per status change. The state before the first change is read from that change's `from`.
 */
export function snapshotsOf(t: ReplayTicket): TicketSnapshot[] {
  const first = (kind: string, k: string) => str(field(t.events.find((e) => e.kind === kind && field(e, k) !== undefined) ?? t.events[0]!, k));
  let status = t.events.some((e) => e.kind === 'ticket.status_changed') ? (first('ticket.status_changed', 'from') ?? t.now.status) : t.now.status;
  let priority = t.events.some((e) => e.kind === 'ticket.priority_changed') ? (first('ticket.priority_changed', 'from') ?? t.now.priority) : t.now.priority;
  let teamId = t.events.some((e) => e.kind === 'ticket.team_transferred')
    ? str(
        field(
          t.events.find((e) => e.kind === 'ticket.team_transferred')!,
          'from',
        ),
      )
    : t.now.teamId;
  const assign = t.events.find((e) => e.kind === 'ticket.assigned' || e.kind === 'ticket.taken');
  let ownerId = assign ? str(field(assign, 'previousOwnerId')) : t.now.ownerId;
  const out: TicketSnapshot[] = [];
  for (let i = 0; i < t.events.length;) {
    let j = i;
    while (j < t.events.length && t.events[j]!.at.getTime() === t.events[i]!.at.getTime()) j++;
    const before = status;
    const group = t.events.slice(i, j);
    for (const e of group) {
      if (e.kind === 'ticket.status_changed') status = str(field(e, 'to')) ?? status;
      else if (e.kind === 'ticket.priority_changed') priority = str(field(e, 'to')) ?? priority;
      else if (e.kind === 'ticket.team_transferred') teamId = str(field(e, 'to'));
      else if (e.kind === 'ticket.assigned' || e.kind === 'ticket.taken') ownerId = str(field(e, 'ownerId')) ?? ownerId;
    }
    let prev = before;
    for (const e of group) {
      const previousStatus = e.kind === 'ticket.status_changed' ? (str(field(e, 'from')) ?? prev) : status;
      if (e.kind === 'ticket.status_changed') prev = str(field(e, 'to')) ?? prev;
      out.push({ ...t.now, status, previousStatus, priority, teamId, ownerId });
    }
    i = j;
  }
  return out;
}

/** Replay each ticket's events in order under `version`; clocks still due by `now` fire as the worker would. */
export async function replayTickets(tx: Tx, version: VersionInfo, list: ReplayTicket[], now: number, onProgress?: (done: number) => void): Promise<void> {
  const env = new Env(tx, null);
  env.versions.set(version.id, version);
  let done = 0;
  for (const t of list) {
    const known: FreshClocks = { open: [], cycles: new Map() };
    const snaps = snapshotsOf(t);
    for (let i = 0; i < t.events.length; i++) {
      const e = t.events[i]!;
      const ev = { id: e.id, kind: e.kind, at: e.at, actorKind: e.actorKind, actorId: e.actorId, data: e.data ?? {} } as TicketEvent;
      await replayEvent(env, snaps[i]!, ev, known, [version]);
    }
    const last = snaps[snaps.length - 1] ?? t.now;
    const due = known.open.filter((r) => r.nextActionAt !== null && r.nextActionAt.getTime() <= now);
    if (due.length) {
      await env.flushWrites(); // the action log refers to the row
      for (const r of due) await fireDue(env, r, last, now);
    }
    await env.flushWrites();
    onProgress?.(++done);
  }
  await env.finish();
}
