import { and, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { calendarAssignments, calendars } from '../../db/schema';
import type { CalendarRow } from './calendar-cache';

export const ASSIGNMENT_PRECEDENCE = ['customer', 'tier', 'site', 'team', 'default'] as const;
export type AssignmentScope = (typeof ASSIGNMENT_PRECEDENCE)[number];

export interface CalendarKeys {
  customerId?: string | null | undefined;
  tier?: string | null | undefined;
  site?: string | null | undefined;
  teamId?: string | null | undefined;
}

export const calendarsRepo = {
  async byId(ex: Executor, id: string, forUpdate = false): Promise<CalendarRow | undefined> {
    const q = ex.select().from(calendars).where(eq(calendars.id, id));
    const [row] = forUpdate ? await q.for('update') : await q;
    return row;
  },
  byIds(ex: Executor, ids: string[]): Promise<CalendarRow[]> {
    return ex.select().from(calendars).where(inArray(calendars.id, ids));
  },
  async insert(ex: Executor, row: typeof calendars.$inferInsert): Promise<CalendarRow> {
    const [out] = await ex.insert(calendars).values(row).returning();
    return out!;
  },
  async update(ex: Executor, id: string, set: Partial<typeof calendars.$inferInsert>): Promise<CalendarRow> {
    const [out] = await ex
      .update(calendars)
      .set({ ...set, version: sql`${calendars.version} + 1`, updatedAt: new Date() })
      .where(eq(calendars.id, id))
      .returning();
    return out!;
  },
  async list(ex: Executor, limit: number, before?: string) {
    return ex
      .select()
      .from(calendars)
      .where(before ? lt(calendars.id, before) : undefined)
      .orderBy(desc(calendars.id))
      .limit(limit + 1);
  },
  async assignments(ex: Executor) {
    return ex
      .select({ scope: calendarAssignments.scope, key: calendarAssignments.key, calendarId: calendarAssignments.calendarId, calendarName: calendars.name })
      .from(calendarAssignments)
      .leftJoin(calendars, eq(calendars.id, calendarAssignments.calendarId))
      .orderBy(calendarAssignments.scope, calendarAssignments.key);
  },
  async putAssignment(ex: Executor, scope: string, key: string, calendarId: string | null) {
    if (calendarId === null) {
      await ex.delete(calendarAssignments).where(and(eq(calendarAssignments.scope, scope), eq(calendarAssignments.key, key)));
      return;
    }
    await ex
      .insert(calendarAssignments)
      .values({ scope, key, calendarId })
      .onConflictDoUpdate({ target: [calendarAssignments.scope, calendarAssignments.key], set: { calendarId } });
  },
  /** The calendar a ticket runs on: customer > tier > site > team > default (null = none assigned). */
  async resolve(ex: Executor, k: CalendarKeys): Promise<{ calendarId: string; source: AssignmentScope } | null> {
    const conds = [eq(calendarAssignments.scope, 'default')];
    if (k.customerId) conds.push(and(eq(calendarAssignments.scope, 'customer'), eq(calendarAssignments.key, k.customerId))!);
    if (k.tier) conds.push(and(eq(calendarAssignments.scope, 'tier'), eq(calendarAssignments.key, k.tier))!);
    if (k.site) conds.push(and(eq(calendarAssignments.scope, 'site'), eq(calendarAssignments.key, k.site))!);
    if (k.teamId) conds.push(and(eq(calendarAssignments.scope, 'team'), eq(calendarAssignments.key, k.teamId))!);
    const rows = await ex
      .select({ scope: calendarAssignments.scope, calendarId: calendarAssignments.calendarId })
      .from(calendarAssignments)
      .where(or(...conds));
    for (const scope of ASSIGNMENT_PRECEDENCE) {
      const hit = rows.find((r) => r.scope === scope);
      if (hit) return { calendarId: hit.calendarId, source: scope };
    }
    return null;
  },
};
