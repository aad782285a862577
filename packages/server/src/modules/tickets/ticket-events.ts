import { sql, type SQL } from 'drizzle-orm';
import { events } from '../../db/schema';
import type { AuditEntry } from '../../lib/audit';
import type { Tx } from '../../db/client';
import type { Ctx } from '../../lib/context';

/** What event handlers (standards engine, measures, notifications) see of a ticket at the moment of an event. */
export interface TicketSnapshot {
  id: string;
  number: string;
  customerId: string;
  customerTier: string;
  customerVip: boolean;
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

export interface TicketEvent {
  id: number;
  kind: string;
  at: Date;
  actorKind: string;
  actorId: string | null;
  data: Record<string, unknown>;
}

/**
 * Ticket event kinds. The contract's clock events are at least: ticket.created, ticket.assigned,
 * ticket.first_public_reply, ticket.public_reply, ticket.customer_reply, ticket.resolved, ticket.closed, ticket.reopened.
 * `ticket.status_changed` accompanies every status change ({from, to}) so clocks can pause/resume.
 */
export const TICKET_EVENT_KINDS = [
  'ticket.created', 'ticket.assigned', 'ticket.taken', 'ticket.first_public_reply', 'ticket.public_reply', 'ticket.internal_note',
  'ticket.customer_reply', 'ticket.status_changed', 'ticket.resolved', 'ticket.closed', 'ticket.reopened',
  'ticket.priority_changed', 'ticket.updated', 'ticket.merged', 'ticket.linked', 'ticket.team_transferred',
  'ticket.handover_requested', 'ticket.handover_confirmed', 'ticket.handover_declined',
  'ticket.compensation_granted', 'ticket.compensation_requested', 'ticket.compensation_rejected',
  'ticket.order_confirmed', 'ticket.order_change_requested', 'ticket.order_change_approved', 'ticket.order_change_rejected',
  'ticket.customer_confirmed', 'ticket.attachment_added',
  'standard.warning', 'standard.breached', 'ticket.escalated',
] as const;

export type TicketEventHandler = (tx: Tx, ctx: Ctx, ticket: TicketSnapshot, event: TicketEvent) => Promise<void>;

/** One event as a batch consumer sees it. `fresh`: the ticket was created in this transaction (it has no clocks yet). */
export interface TicketEventItem { ctx: Ctx; ticket: TicketSnapshot; event: TicketEvent; fresh: boolean }
/**
 * A consumer that takes the events of a whole command — or of a batch of creates — at once, in order, so it can
 * write them in one statement (the outbox, NOTIFY) instead of one per event. Must behave exactly like calling the
 * per-event handler for each item in turn.
 */
export type TicketEventBatchHandler = (tx: Tx, items: TicketEventItem[]) => Promise<void>;

const handlers: { name: string; fn: TicketEventHandler; batch?: TicketEventBatchHandler }[] = [];

/** Register a consumer that runs inside the transaction of every ticket event (idempotent by name). */
export function onTicketEvent(name: string, fn: TicketEventHandler, batch?: TicketEventBatchHandler): void {
  const entry = batch ? { name, fn, batch } : { name, fn };
  const existing = handlers.findIndex((h) => h.name === name);
  if (existing >= 0) handlers[existing] = entry;
  else handlers.push(entry);
}

/**
 * Append a ticket event to the outbox/timeline and run every registered handler in the same transaction,
 * so a clock starts, pauses or stops exactly when (and only if) the event commits.
 */
export async function recordTicketEvent(tx: Tx, ctx: Ctx, ticket: TicketSnapshot, kind: string, data: Record<string, unknown> = {}, at?: Date): Promise<TicketEvent> {
  const [row] = await tx.insert(events).values({
    kind, aggregateType: 'ticket', aggregateId: ticket.id, actorKind: ctx.actor.kind, actorId: ctx.actor.id, data,
    ...(at ? { at } : {}),
  }).returning();
  const event: TicketEvent = { id: row!.id, kind, at: row!.at, actorKind: row!.actorKind, actorId: row!.actorId, data };
  for (const h of handlers) await h.fn(tx, ctx, ticket, event);
  return event;
}

export interface TicketEventGroup {
  ctx: Ctx;
  ticket: TicketSnapshot;
  items: { kind: string; data?: Record<string, unknown>; previousStatus?: string }[];
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
  tx: Tx, ctx: Ctx, ticket: TicketSnapshot, items: { kind: string; data?: Record<string, unknown>; previousStatus?: string }[],
  audit?: AuditEntry, fresh = false,
): Promise<TicketEvent[]> {
  return (await recordTicketEventGroups(tx, [{ ctx, ticket, items, audit, fresh }]))[0]!;
}

/**
 * The events (and audit rows) of several commands — a batch of creates — in one INSERT, then each consumer once
 * with all of them (batch consumers) or once per event, in order. Returns the events per group. `with`: a CTE
 * (`name AS (INSERT …)`) sent in the same statement — the batch's tickets themselves.
 */
export async function recordTicketEventGroups(tx: Tx, groups: TicketEventGroup[], opts: { with?: SQL } = {}): Promise<TicketEvent[][]> {
  const all = groups.flatMap((g, gi) => g.items.map((i) => ({ g, gi, i })));
  if (all.length === 0) return groups.map(() => []);
  // One statement for every event and audit row, the rows passed as one JSON parameter each.
  const evJson = JSON.stringify(all.map(({ g, i }) => ({ k: i.kind, a: g.ticket.id, ak: g.ctx.actor.kind, ai: g.ctx.actor.id, d: i.data ?? {} })));
  const audits = groups.filter((g) => g.audit).map(({ ctx, audit }) => ({
    ak: ctx.actor.kind, ai: ctx.actor.id, ac: audit!.action, tt: audit!.targetType, ti: audit!.targetId ?? null,
    ch: audit!.changes && Object.keys(audit!.changes).length ? audit!.changes : null, r: ctx.requestId, ip: ctx.ip,
  }));
  const ctes: SQL[] = opts.with ? [opts.with] : [];
  if (audits.length) {
    ctes.push(sql`a AS (INSERT INTO audit_log (actor_kind, actor_id, action, target_type, target_id, changes, request_id, ip)
        SELECT ak, ai, ac, tt, ti, ch, r, ip FROM json_to_recordset(${JSON.stringify(audits)}::json) AS x(ak text, ai uuid, ac text, tt text, ti text, ch jsonb, r text, ip text))`);
  }
  const withSql = ctes.length ? sql`WITH ${sql.join(ctes, sql`, `)} ` : sql``;
  const res = (await tx.execute(sql`${withSql}INSERT INTO events (kind, aggregate_type, aggregate_id, actor_kind, actor_id, data)
    SELECT k, 'ticket', a, ak, ai, d FROM json_to_recordset(${evJson}::json) AS x(k text, a uuid, ak text, ai uuid, d jsonb) RETURNING id, at`)) as unknown as { rows: { id: number | string; at: string | Date }[] };
  // Ids are taken in insertion order, which is the order of the rows passed.
  res.rows.sort((x, y) => Number(x.id) - Number(y.id));
  const out: TicketEvent[][] = groups.map(() => []);
  const seq: TicketEventItem[] = [];
  for (let k = 0; k < all.length; k++) {
    const { g, gi, i } = all[k]!;
    const r = res.rows[k]!;
    const ev: TicketEvent = { id: Number(r.id), kind: i.kind, at: r.at instanceof Date ? r.at : new Date(r.at), actorKind: g.ctx.actor.kind, actorId: g.ctx.actor.id, data: i.data ?? {} };
    out[gi]!.push(ev);
    // A ticket inserted in this statement has created_at = now(), the same transaction timestamp as its events' `at`.
    if (g.fresh && out[gi]!.length === 1) g.ticket.createdAt = ev.at;
    seq.push({ ctx: g.ctx, ticket: { ...g.ticket, previousStatus: i.previousStatus ?? g.ticket.status }, event: ev, fresh: g.fresh ?? false });
  }
  if (seq.length === 1) {
    for (const h of handlers) await h.fn(tx, seq[0]!.ctx, seq[0]!.ticket, seq[0]!.event);
    return out;
  }
  // Batch consumers take every event at once; the others run per event. Each consumer sees the events in order.
  for (const h of handlers) {
    if (h.batch) await h.batch(tx, seq);
    else for (const it of seq) await h.fn(tx, it.ctx, it.ticket, it.event);
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
export type StandardsReader = (ex: import('../../db/client').Executor, ticketIds: string[]) => Promise<Map<string, StandardStateOut[]>>;
let standardsReader: StandardsReader = async (_ex, ids) => new Map(ids.map((id) => [id, []]));
export function setStandardsReader(fn: StandardsReader): void { standardsReader = fn; }
export async function readStandards(ex: import('../../db/client').Executor, ticketId: string): Promise<StandardStateOut[]> {
  return (await standardsReader(ex, [ticketId])).get(ticketId) ?? [];
}
/** The clocks of several tickets in one query (a batch of creates). */
export function readStandardsMany(ex: import('../../db/client').Executor, ticketIds: string[]): Promise<Map<string, StandardStateOut[]>> {
  return standardsReader(ex, ticketIds);
}
