/**
 * The ONE ticket visibility rule. Every read that returns tickets (or data about a ticket: its subject, number,
 * status, replies, events, clocks, surveys, recovery case, notifications, realtime pushes…) goes through one of:
 *
 * - `ticketVisibilityScope(actor, table?)` — a SQL condition on a `tickets` row (or an alias of it) for lists,
 *   joins and counts; `undefined` means "no restriction" (system, `tickets.read_all`).
 * - `canSeeTicket(actor, row)` — the same rule for one row already in memory (realtime pushes, presenters).
 *
 * Who sees a ticket (deny by default):
 * - the system (workers) — everything;
 * - a customer — only their own tickets (`customer_id`);
 * - staff holding `tickets.read_all` (admin, director, supervisor, qa by default) — everything;
 * - other staff (agent, frontdesk, technician, …): the owner, the creator, members of the ticket's team, and the
 *   receiver of a pending handover. Staff without any ticket permission never reach the rows (the route's
 *   permission / the command's `authorize` refuse first).
 *
 * An invisible ticket is answered "not found" (404) so its existence is not revealed. The list of call sites is in
 * docs/security.md ("Ticket visibility"); a new read of ticket data must use this file.
 */
import { and, eq, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/client';
import { handovers, tickets } from '../../db/schema';
import type { Actor } from '../../lib/context';
import { can } from '../identity/policy';

/** The columns of `tickets` the rule reads (the real table or an `alias(tickets, 't')`). */
export interface TicketColumns {
  id: AnyPgColumn;
  customerId: AnyPgColumn;
  ownerId: AnyPgColumn;
  teamId: AnyPgColumn;
  createdById: AnyPgColumn;
}

/** SQL condition for the tickets the actor may see; `undefined` = every ticket. */
export function ticketVisibilityScope(actor: Actor, t: TicketColumns = tickets): SQL | undefined {
  if (actor.kind === 'system') return undefined;
  if (actor.kind === 'customer') return eq(t.customerId, actor.customerId);
  if (actor.kind !== 'staff') return sql`false`;
  if (can(actor, 'tickets.read_all')) return undefined;
  const conds: SQL[] = [eq(t.ownerId, actor.id), eq(t.createdById, actor.id)];
  if (actor.teamId) conds.push(eq(t.teamId, actor.teamId));
  conds.push(sql`EXISTS (SELECT 1 FROM handovers h WHERE h.ticket_id = ${t.id} AND h.to_staff_id = ${actor.id} AND h.state = 'pending')`);
  return or(...conds);
}

/** `ticketVisibilityScope` that is always a condition (`true` when unrestricted), for raw SQL fragments. */
export function ticketVisibilitySql(actor: Actor, t: TicketColumns = tickets): SQL {
  return ticketVisibilityScope(actor, t) ?? sql`true`;
}

/** `id = ? AND visible`: one ticket by id, only when the actor may see it. */
export function visibleTicketById(actor: Actor, id: string, t: TicketColumns = tickets): SQL {
  return and(eq(t.id, id), ticketVisibilityScope(actor, t))!;
}

/** What `canSeeTicket` needs of a ticket row; `pendingHandoverTo` lists receivers of its pending handovers. */
export interface TicketAccessRow {
  customerId: string;
  ownerId: string | null;
  teamId: string | null;
  createdById: string | null;
  pendingHandoverTo?: readonly string[] | undefined;
}

/** The same rule as `ticketVisibilityScope`, for one row in memory. */
export function canSeeTicket(actor: Actor, row: TicketAccessRow): boolean {
  if (actor.kind === 'system') return true;
  if (actor.kind === 'customer') return row.customerId === actor.customerId;
  if (actor.kind !== 'staff') return false;
  if (can(actor, 'tickets.read_all')) return true;
  if (row.ownerId === actor.id || row.createdById === actor.id) return true;
  if (actor.teamId && row.teamId === actor.teamId) return true;
  return Boolean(row.pendingHandoverTo?.includes(actor.id));
}

/** Whether the actor may see every ticket (no per-row check needed). */
export function seesAllTickets(actor: Actor): boolean {
  return actor.kind === 'system' || (actor.kind === 'staff' && can(actor, 'tickets.read_all'));
}

/** The access row of one ticket (with its pending handovers' receivers) for `canSeeTicket`; undefined when gone. */
export async function loadTicketAccessRow(ex: Executor, id: string): Promise<TicketAccessRow | undefined> {
  const [row] = await ex.select({ customerId: tickets.customerId, ownerId: tickets.ownerId, teamId: tickets.teamId, createdById: tickets.createdById })
    .from(tickets).where(eq(tickets.id, id));
  if (!row) return undefined;
  const pending = await ex.select({ to: handovers.toStaffId }).from(handovers).where(and(eq(handovers.ticketId, id), eq(handovers.state, 'pending')));
  return { ...row, pendingHandoverTo: pending.map((p) => p.to) };
}
