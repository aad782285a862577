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
 * - a customer — only their own tickets (`customer_id`), never an internal one (type `internal`, 内部工单);
 * - staff holding `tickets.read_all` (admin, director, supervisor, qa by default) — everything;
 * - other staff (agent, frontdesk, technician, …): the owner, the creator, members of the ticket's team, and the
 *   receiver of a pending handover. Staff without any ticket permission never reach the rows (the route's
 *   permission / the command's `authorize` refuse first).
 *
 * An invisible ticket is answered "not found" (404) so its existence is not revealed. The list of call sites is in
 * docs/security.md ("Ticket visibility"); a new read of ticket data must use this file.
 */
import type { Actor } from '../../lib/context';
import { can } from '../identity/policy';

export { loadTicketAccessRow, ticketVisibilityScope, ticketVisibilitySql, visibleTicketById, type TicketColumns } from './tickets.visibility.repo';

/** What `canSeeTicket` needs of a ticket row; `pendingHandoverTo` lists receivers of its pending handovers. */
export interface TicketAccessRow {
  customerId: string;
  /** The ticket's type: a customer never sees an `internal` one (absent: treated as a customer type). */
  type?: string | undefined;
  ownerId: string | null;
  teamId: string | null;
  createdById: string | null;
  pendingHandoverTo?: readonly string[] | undefined;
}

/** The same rule as `ticketVisibilityScope`, for one row in memory. */
export function canSeeTicket(actor: Actor, row: TicketAccessRow): boolean {
  if (actor.kind === 'system') return true;
  if (actor.kind === 'customer') return row.customerId === actor.customerId && row.type !== 'internal';
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
