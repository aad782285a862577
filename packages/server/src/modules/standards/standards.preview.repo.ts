/**
 * Statements of the replay preview (POST /standards/preview): the tickets created in the window with their stored
 * events, the scratch standard the replay runs under (inside a transaction that is always rolled back) and the
 * clocks the replay wrote.
 */
import { and, asc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { customers, events, standardInstances, standards, standardVersions, tickets } from '../../db/schema';
import type { StandardDefinition } from './definition';

export const previewRepo = {
  /** Abort a statement that runs longer than this (PostgreSQL; the transaction is rolled back). */
  async statementTimeout(tx: Tx, ms: number): Promise<void> {
    await tx.execute(sql`SELECT set_config('statement_timeout', ${String(ms)}, true)`);
  },
  /** Tickets created since `from` (at most `limit`), oldest first, with the customer's tier and VIP flag. */
  ticketsSince(tx: Tx, from: Date, limit: number) {
    return tx
      .select({ t: tickets, tier: customers.tier, vip: customers.vip, assistance: customers.assistance })
      .from(tickets)
      .leftJoin(customers, eq(customers.id, tickets.customerId))
      .where(gte(tickets.createdAt, from))
      .orderBy(asc(tickets.createdAt), asc(tickets.id))
      .limit(limit);
  },
  /** The stored events of these tickets, in the order they were recorded (at most `limit`). */
  eventsOf(tx: Tx, ticketIds: string[], limit: number) {
    return tx
      .select({
        id: events.id,
        at: events.at,
        kind: events.kind,
        aggregateId: events.aggregateId,
        actorKind: events.actorKind,
        actorId: events.actorId,
        data: events.data,
      })
      .from(events)
      .where(and(eq(events.aggregateType, 'ticket'), inArray(events.aggregateId, ticketIds)))
      .orderBy(asc(events.id))
      .limit(limit);
  },
  /** The scratch standard (inactive, so no ticket event of the running system can start it) and its version. */
  async insertScratch(tx: Tx, row: { id: string; versionId: string; code: string; def: StandardDefinition; actorId: string | null }): Promise<void> {
    await tx
      .insert(standards)
      .values({ id: row.id, code: row.code, currentVersionId: row.versionId, currentVersion: 1, active: false, createdBy: row.actorId });
    await tx.insert(standardVersions).values({ id: row.versionId, standardId: row.id, version: 1, definition: row.def, createdBy: row.actorId });
  },
  /** The clocks the replay wrote for the scratch standard. */
  instancesOf(tx: Tx, standardId: string) {
    return tx
      .select()
      .from(standardInstances)
      .where(eq(standardInstances.standardId, standardId))
      .orderBy(asc(standardInstances.startedAt), asc(standardInstances.cycle));
  },
};
