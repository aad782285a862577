import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor, Tx } from '../../db/client';
import { handovers, staff, teams, tickets } from '../../db/schema';
import type { Actor } from '../../lib/context';
import { ticketVisibilityScope } from './tickets.visibility.repo';

export type HandoverRow = typeof handovers.$inferSelect;

/** The SQL of structured handovers (服务交接). */
export const handoversRepo = {
  async insert(tx: Tx, h: typeof handovers.$inferInsert): Promise<HandoverRow> {
    const [row] = await tx.insert(handovers).values(h).returning();
    return row!;
  },
  async lock(tx: Tx, id: string): Promise<HandoverRow | undefined> {
    const [h] = await tx.select().from(handovers).where(eq(handovers.id, id)).for('update');
    return h;
  },
  async decide(tx: Tx, id: string, set: { state: string; decisionNote: string | null; decidedAt: Date }): Promise<HandoverRow> {
    const [row] = await tx.update(handovers).set(set).where(eq(handovers.id, id)).returning();
    return row!;
  },
  async teamSupervisor(ex: Executor, teamId: string): Promise<string | null> {
    const [team] = await ex.select({ s: teams.supervisorId }).from(teams).where(eq(teams.id, teamId));
    return team?.s ?? null;
  },
  /** Handovers sent or received by `mineOf` (everyone's when null), with names and — when the reader may see it — the ticket. */
  async list(ex: Executor, reader: Actor, mineOf: string | null, state: string | undefined) {
    const from = alias(staff, 'hfrom');
    const to = alias(staff, 'hto');
    const scope = mineOf === null ? undefined : sql`(${handovers.fromStaffId} = ${mineOf} OR ${handovers.toStaffId} = ${mineOf})`;
    return ex
      .select({ h: handovers, fromName: from.name, toName: to.name, number: tickets.number, subject: tickets.subject })
      .from(handovers)
      .leftJoin(from, eq(from.id, handovers.fromStaffId))
      .leftJoin(to, eq(to.id, handovers.toStaffId))
      .leftJoin(tickets, and(eq(tickets.id, handovers.ticketId), ticketVisibilityScope(reader)))
      .where(and(state ? eq(handovers.state, state) : undefined, scope))
      .orderBy(desc(handovers.id))
      .limit(200);
  },
  /** Pending handovers per receiver. */
  async pendingPerReceiver(ex: Executor, staffIds: string[]): Promise<Map<string, number>> {
    if (staffIds.length === 0) return new Map();
    const rows = await ex
      .select({ to: handovers.toStaffId, n: sql<number>`count(*)::int` })
      .from(handovers)
      .where(and(eq(handovers.state, 'pending'), inArray(handovers.toStaffId, staffIds)))
      .groupBy(handovers.toStaffId);
    return new Map(rows.map((p) => [p.to, Number(p.n)]));
  },
};
