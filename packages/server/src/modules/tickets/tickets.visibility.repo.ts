/**
 * The SQL side of the ONE ticket visibility rule (see visibility.ts for the rule and who may see what): the
 * conditions every read of ticket data joins or filters with, and the access row of one ticket.
 */
import { and, eq, ne, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/client';
import { handovers, tickets } from '../../db/schema';
import type { Actor } from '../../lib/context';
import { can } from '../identity/policy';
import type { TicketAccessRow } from './visibility';

/** The columns of `tickets` the rule reads (the real table or an `alias(tickets, 't')`). */
export interface TicketColumns {
  id: AnyPgColumn;
  customerId: AnyPgColumn;
  type: AnyPgColumn;
  ownerId: AnyPgColumn;
  teamId: AnyPgColumn;
  createdById: AnyPgColumn;
}

/** SQL condition for the tickets the actor may see; `undefined` = every ticket. */
export function ticketVisibilityScope(actor: Actor, t: TicketColumns = tickets): SQL | undefined {
  if (actor.kind === 'system') return undefined;
  if (actor.kind === 'customer') return and(eq(t.customerId, actor.customerId), ne(t.type, 'internal'))!;
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

/** The access row of one ticket (with its pending handovers' receivers) for `canSeeTicket`; undefined when gone. */
export async function loadTicketAccessRow(ex: Executor, id: string): Promise<TicketAccessRow | undefined> {
  const [row] = await ex
    .select({ customerId: tickets.customerId, type: tickets.type, ownerId: tickets.ownerId, teamId: tickets.teamId, createdById: tickets.createdById })
    .from(tickets)
    .where(eq(tickets.id, id));
  if (!row) return undefined;
  const pending = await ex
    .select({ to: handovers.toStaffId })
    .from(handovers)
    .where(and(eq(handovers.ticketId, id), eq(handovers.state, 'pending')));
  return { ...row, pendingHandoverTo: pending.map((p) => p.to) };
}
