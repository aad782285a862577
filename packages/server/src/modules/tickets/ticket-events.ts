import type { SQL } from 'drizzle-orm';
import type { AuditEntry } from '../../lib/audit';
import type { Tx } from '../../db/client';
import type { Ctx } from '../../lib/context';
import type { TicketEventKind, TicketEventPayload } from './ticket-event-kinds';
import { ticketEventsRepo } from './tickets.events.repo';

export {
  CLOCK_EVENT_KINDS,
  ENGINE_EVENT_KINDS,
  isTicketEventKind,
  TICKET_EVENT_KINDS,
  type ReasonText,
  type StoredText,
  type TicketEventKind,
  type TicketEventPayload,
  type TicketEventPayloads,
} from './ticket-event-kinds';

/** What event handlers (standards engine, measures, notifications) see of a ticket at the moment of an event. */
export interface TicketSnapshot {
  id: string;
  number: string;
  customerId: string;
  customerTier: string;
  customerVip: boolean;
  /** The customer needs one-to-one help (需一对一帮办, customers.assistance ≠ none); absent = no. */
  customerAssistance?: boolean;
  type: string;
  channel: string;
  priority: string;
  status: string;
  /** Status before this event (equal to `status` when the event did not change it). */
  previousStatus: string;
  ownerId: string | null;
  teamId: string | null;
  categoryId: string | null;
  site: string | null;
  createdAt: Date;
}

/**
 * A recorded ticket event. `kind` is a `TicketEventKind` for everything recorded since the kinds were typed; rows
 * read back from the table are typed `string` by whoever reads them.
 */
export interface TicketEvent<K extends TicketEventKind = TicketEventKind> {
  id: number;
  kind: K;
  at: Date;
  actorKind: string;
  actorId: string | null;
  data: TicketEventPayload<K>;
}

export type TicketEventHandler = (tx: Tx, ctx: Ctx, ticket: TicketSnapshot, event: TicketEvent) => Promise<void>;

/** One event as a batch consumer sees it. `fresh`: the ticket was created in this transaction (it has no clocks yet). */
export interface TicketEventItem {
  ctx: Ctx;
  ticket: TicketSnapshot;
  event: TicketEvent;
  fresh: boolean;
}
/**
 * A consumer that takes the events of a whole command — or of a batch of creates — at once, in order, so it can
 * write them in one statement (the outbox, NOTIFY) instead of one per event. Must behave exactly like calling the
 * per-event handler for each item in turn.
 */
export type TicketEventBatchHandler = (tx: Tx, items: TicketEventItem[]) => Promise<void>;

/** The kinds a consumer takes: `'*'` every kind, else only those listed. */
export type ConsumerKinds = '*' | readonly TicketEventKind[];

interface Handler {
  name: string;
  fn: TicketEventHandler;
  batch?: TicketEventBatchHandler;
  kinds: ReadonlySet<string> | null;
}
const handlers: Handler[] = [];

/**
 * Register a consumer that runs inside the transaction of every ticket event whose kind it takes (idempotent by
 * name). `kinds` defaults to every kind.
 */
export function onTicketEvent(name: string, fn: TicketEventHandler, batch?: TicketEventBatchHandler, kinds: ConsumerKinds = '*'): void {
  const set = kinds === '*' ? null : new Set<string>(kinds);
  const entry: Handler = batch ? { name, fn, batch, kinds: set } : { name, fn, kinds: set };
  const existing = handlers.findIndex((h) => h.name === name);
  if (existing >= 0) handlers[existing] = entry;
  else handlers.push(entry);
}

const takes = (h: Handler, kind: string) => h.kinds === null || h.kinds.has(kind);

/**
 * Append a ticket event to the outbox/timeline and run every registered handler that takes its kind in the same
 * transaction, so a clock starts, pauses or stops exactly when (and only if) the event commits.
 */
export async function recordTicketEvent<K extends TicketEventKind>(
  tx: Tx,
  ctx: Ctx,
  ticket: TicketSnapshot,
  kind: K,
  data?: TicketEventPayload<K>,
  at?: Date,
): Promise<TicketEvent<K>> {
  const d = (data ?? {}) as TicketEventPayload<K>;
  const row = await ticketEventsRepo.insertOne(tx, { kind, aggregateId: ticket.id, actorKind: ctx.actor.kind, actorId: ctx.actor.id, data: d }, at);
  const event: TicketEvent<K> = { id: row.id, kind, at: row.at, actorKind: row.actorKind, actorId: row.actorId, data: d };
  for (const h of handlers) if (takes(h, kind)) await h.fn(tx, ctx, ticket, event);
  return event;
}

/** One event of a command, before it is recorded. */
export type TicketEventInput = { [K in TicketEventKind]: { kind: K; data?: TicketEventPayload<K>; previousStatus?: string } }[TicketEventKind];

export interface TicketEventGroup {
  ctx: Ctx;
  ticket: TicketSnapshot;
  items: TicketEventInput[];
  /** The command's audit row, written in the same statement as the events. */
  audit?: AuditEntry | undefined;
  /** The ticket was inserted in this transaction. */
  fresh?: boolean;
}

/**
 * Several events of one command in a single INSERT (e.g. created + assigned + status_changed), then the handlers
 * for each in order. `previousStatus` per event lets clock handlers see each transition.
 */
export async function recordTicketEvents(
  tx: Tx,
  ctx: Ctx,
  ticket: TicketSnapshot,
  items: TicketEventInput[],
  audit?: AuditEntry,
  fresh = false,
): Promise<TicketEvent[]> {
  return (await recordTicketEventGroups(tx, [{ ctx, ticket, items, audit, fresh }]))[0]!;
}

/**
 * The events (and audit rows) of several commands — a batch of creates — in one INSERT, then each consumer once
 * with all the events whose kinds it takes (batch consumers) or once per such event, in order. Returns the events
 * per group. `with`: a CTE (`name AS (INSERT …)`) sent in the same statement — the batch's tickets themselves.
 */
export async function recordTicketEventGroups(tx: Tx, groups: TicketEventGroup[], opts: { with?: SQL } = {}): Promise<TicketEvent[][]> {
  const all = groups.flatMap((g, gi) => g.items.map((i) => ({ g, gi, i })));
  if (all.length === 0) return groups.map(() => []);
  // One statement for every event and audit row.
  const audits = groups
    .filter((g) => g.audit)
    .map(({ ctx, audit }) => ({
      actorKind: ctx.actor.kind,
      actorId: ctx.actor.id,
      action: audit!.action,
      targetType: audit!.targetType,
      targetId: audit!.targetId ?? null,
      changes: audit!.changes && Object.keys(audit!.changes).length ? audit!.changes : null,
      requestId: ctx.requestId,
      ip: ctx.ip,
    }));
  const rows = await ticketEventsRepo.insertMany(
    tx,
    all.map(({ g, i }) => ({
      kind: i.kind,
      aggregateId: g.ticket.id,
      actorKind: g.ctx.actor.kind,
      actorId: g.ctx.actor.id,
      data: i.data ?? {},
    })),
    audits,
    opts,
  );
  const out: TicketEvent[][] = groups.map(() => []);
  const seq: TicketEventItem[] = [];
  for (let k = 0; k < all.length; k++) {
    const { g, gi, i } = all[k]!;
    const r = rows[k]!;
    const ev = { id: r.id, kind: i.kind, at: r.at, actorKind: g.ctx.actor.kind, actorId: g.ctx.actor.id, data: i.data ?? {} } as TicketEvent;
    out[gi]!.push(ev);
    // A ticket inserted in this statement has created_at = now(), the same transaction timestamp as its events' `at`.
    if (g.fresh && out[gi]!.length === 1) g.ticket.createdAt = ev.at;
    seq.push({ ctx: g.ctx, ticket: { ...g.ticket, previousStatus: i.previousStatus ?? g.ticket.status }, event: ev, fresh: g.fresh ?? false });
  }
  if (seq.length === 1) {
    const only = seq[0]!;
    for (const h of handlers) if (takes(h, only.event.kind)) await h.fn(tx, only.ctx, only.ticket, only.event);
    return out;
  }
  // Batch consumers take every event of their kinds at once; the others run per event. Each sees the events in order.
  for (const h of handlers) {
    const mine = h.kinds === null ? seq : seq.filter((it) => h.kinds!.has(it.event.kind));
    if (mine.length === 0) continue;
    if (h.batch) await h.batch(tx, mine);
    else for (const it of mine) await h.fn(tx, it.ctx, it.ticket, it.event);
  }
  return out;
}

/**
 * Guards on a ticket's resolve / close (e.g. the complaint loop refuses to close a complaint with a step missing).
 * A guard throws an AppError to refuse; it runs inside the command's transaction, after the ticket row is locked.
 */
export type TicketTransitionGuard = (tx: Tx, ctx: Ctx, ticket: { id: string; type: string; status: string }, to: 'resolved' | 'closed') => Promise<void>;
const guards: { name: string; fn: TicketTransitionGuard }[] = [];
export function onTicketTransition(name: string, fn: TicketTransitionGuard): void {
  const existing = guards.findIndex((g) => g.name === name);
  if (existing >= 0) guards[existing] = { name, fn };
  else guards.push({ name, fn });
}
export async function checkTicketTransition(tx: Tx, ctx: Ctx, ticket: { id: string; type: string; status: string }, to: 'resolved' | 'closed'): Promise<void> {
  for (const g of guards) await g.fn(tx, ctx, ticket, to);
}

/** The running clocks of a ticket, as the contract shows them in `standards: [...]` (provided by the standards module). */
export interface StandardStateOut {
  code: string;
  name?: string;
  state: 'running' | 'paused' | 'met' | 'breached' | 'cancelled';
  dueAt: string | null;
  metAt: string | null;
  breachedAt: string | null;
  [k: string]: unknown;
}
/** `live`: only the clocks a queue shows (running, paused, breached), not the ticket's finished history. */
export type StandardsReader = (
  ex: import('../../db/client').Executor,
  ticketIds: string[],
  opts?: { live?: boolean },
) => Promise<Map<string, StandardStateOut[]>>;
let standardsReader: StandardsReader = (_ex, ids) => Promise.resolve(new Map(ids.map((id) => [id, []])));
export function setStandardsReader(fn: StandardsReader): void {
  standardsReader = fn;
}
export async function readStandards(ex: import('../../db/client').Executor, ticketId: string): Promise<StandardStateOut[]> {
  return (await standardsReader(ex, [ticketId])).get(ticketId) ?? [];
}
/**
 * The live clocks of a queue page in the page's own query (provided by the standards module): `column(ticketId)` is
 * a JSON column of a query over tickets, `read` presents each ticket's value as {@link readStandardsMany} with
 * `live` would.
 */
export interface LiveClocksColumn {
  column: (ticketId: import('drizzle-orm').SQL) => import('drizzle-orm').SQL;
  read: (ex: import('../../db/client').Executor, values: Map<string, unknown>) => Promise<Map<string, StandardStateOut[]>>;
}
let liveClocks: LiveClocksColumn | null = null;
export function setLiveClocksColumn(c: LiveClocksColumn): void {
  liveClocks = c;
}
/** Null until the standards module has registered it (the queue then reads the clocks with {@link readStandardsMany}). */
export function liveClocksColumn(): LiveClocksColumn | null {
  return liveClocks;
}
/** The clocks of several tickets in one query (a batch of creates). */
export function readStandardsMany(
  ex: import('../../db/client').Executor,
  ticketIds: string[],
  opts: { live?: boolean } = {},
): Promise<Map<string, StandardStateOut[]>> {
  return standardsReader(ex, ticketIds, opts);
}
