import { sql } from 'drizzle-orm';
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

const handlers: { name: string; fn: TicketEventHandler }[] = [];

/** Register a consumer that runs inside the transaction of every ticket event (idempotent by name). */
export function onTicketEvent(name: string, fn: TicketEventHandler): void {
  const existing = handlers.findIndex((h) => h.name === name);
  if (existing >= 0) handlers[existing] = { name, fn };
  else handlers.push({ name, fn });
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

/**
 * Several events of one command in a single INSERT (e.g. created + assigned + status_changed), then the handlers
 * for each in order. `previousStatus` per event lets clock handlers see each transition.
 */
export async function recordTicketEvents(
  tx: Tx, ctx: Ctx, ticket: TicketSnapshot, items: { kind: string; data?: Record<string, unknown>; previousStatus?: string }[],
  audit?: AuditEntry,
): Promise<TicketEvent[]> {
  if (items.length === 0) return [];
  // One statement: the events (and the command's audit row, when given) — a create pays one round trip for both.
  const values = sql.join(items.map((i) => sql`(${i.kind}, 'ticket', ${ticket.id}, ${ctx.actor.kind}, ${ctx.actor.id}, ${JSON.stringify(i.data ?? {})}::jsonb)`), sql`, `);
  const auditCte = audit
    ? sql`WITH a AS (INSERT INTO audit_log (actor_kind, actor_id, action, target_type, target_id, changes, request_id, ip)
        VALUES (${ctx.actor.kind}, ${ctx.actor.id}, ${audit.action}, ${audit.targetType}, ${audit.targetId ?? null},
                ${audit.changes && Object.keys(audit.changes).length ? JSON.stringify(audit.changes) : null}::jsonb, ${ctx.requestId}, ${ctx.ip})) `
    : sql``;
  const res = (await tx.execute(sql`${auditCte}INSERT INTO events (kind, aggregate_type, aggregate_id, actor_kind, actor_id, data)
    VALUES ${values} RETURNING id, at`)) as unknown as { rows: { id: number | string; at: string | Date }[] };
  const rows = res.rows.map((r) => ({ id: Number(r.id), at: r.at instanceof Date ? r.at : new Date(r.at) }));
  const out: TicketEvent[] = [];
  for (let k = 0; k < items.length; k++) {
    const item = items[k]!;
    const ev: TicketEvent = { id: rows[k]!.id, kind: item.kind, at: rows[k]!.at, actorKind: ctx.actor.kind, actorId: ctx.actor.id, data: item.data ?? {} };
    const snap = { ...ticket, previousStatus: item.previousStatus ?? ticket.status };
    for (const h of handlers) await h.fn(tx, ctx, snap, ev);
    out.push(ev);
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
export type StandardsReader = (ex: import('../../db/client').Executor, ticketId: string) => Promise<StandardStateOut[]>;
let standardsReader: StandardsReader = async () => [];
export function setStandardsReader(fn: StandardsReader): void { standardsReader = fn; }
export function readStandards(ex: import('../../db/client').Executor, ticketId: string): Promise<StandardStateOut[]> { return standardsReader(ex, ticketId); }
