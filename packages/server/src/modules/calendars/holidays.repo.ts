import { and, asc, eq, gt, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { calendarAssignments, calendars, holidayFeeds, holidayImports, standardInstances, standards, standardVersions, staff } from '../../db/schema';

export type HolidayFeedRow = typeof holidayFeeds.$inferSelect;
export type HolidayImportRow = typeof holidayImports.$inferSelect;

/** SQL of the holiday feeds and imports (holidays.commands.ts, holidays.worker.ts). */
export const holidaysRepo = {
  feeds(ex: Executor): Promise<HolidayFeedRow[]> {
    return ex.select().from(holidayFeeds).orderBy(asc(holidayFeeds.createdAt));
  },
  async feedFor(ex: Executor, calendarId: string | null): Promise<HolidayFeedRow | undefined> {
    const [row] = await ex
      .select()
      .from(holidayFeeds)
      .where(calendarId ? eq(holidayFeeds.calendarId, calendarId) : isNull(holidayFeeds.calendarId));
    return row;
  },
  async upsertFeed(ex: Executor, id: string, calendarId: string | null, url: string): Promise<HolidayFeedRow> {
    const existing = await holidaysRepo.feedFor(ex, calendarId);
    if (existing) {
      const [row] = await ex
        .update(holidayFeeds)
        .set({ url, updatedAt: new Date(), lastCheckedAt: null, lastStatus: null, lastMessage: null, lastYears: [] })
        .where(eq(holidayFeeds.id, existing.id))
        .returning();
      return row!;
    }
    const [row] = await ex.insert(holidayFeeds).values({ id, calendarId, url }).returning();
    return row!;
  },
  async deleteFeed(ex: Executor, calendarId: string | null): Promise<void> {
    await ex.delete(holidayFeeds).where(calendarId ? eq(holidayFeeds.calendarId, calendarId) : isNull(holidayFeeds.calendarId));
  },
  /** Feeds not checked since `before` (the daily check claims them; SKIP LOCKED lets several processes run it). */
  dueFeeds(ex: Executor, before: Date, limit: number): Promise<HolidayFeedRow[]> {
    return ex
      .select()
      .from(holidayFeeds)
      .where(sql`${holidayFeeds.lastCheckedAt} IS NULL OR ${holidayFeeds.lastCheckedAt} < ${before}`)
      .orderBy(asc(holidayFeeds.createdAt))
      .limit(limit)
      .for('update', { skipLocked: true });
  },
  async recordCheck(ex: Executor, id: string, status: string, message: string | null, years: number[]): Promise<void> {
    await ex.update(holidayFeeds).set({ lastCheckedAt: new Date(), lastStatus: status, lastMessage: message, lastYears: years }).where(eq(holidayFeeds.id, id));
  },
  /** Calendars with the cn-mainland set, and whether each is in use (assigned, an active standard names it, or a running/paused clock runs on it). */
  cnCalendars(ex: Executor) {
    return ex
      .select({
        id: calendars.id,
        name: calendars.name,
        // Qualified by hand: inside a select of one table drizzle renders ${calendars.id} as a bare "id".
        inUse: sql<boolean>`(EXISTS (SELECT 1 FROM ${calendarAssignments} a WHERE a.calendar_id = "calendars"."id")
          OR EXISTS (SELECT 1 FROM ${standardInstances} i WHERE i.calendar_id = "calendars"."id" AND i.state IN ('running', 'paused'))
          OR EXISTS (SELECT 1 FROM ${standards} s JOIN ${standardVersions} v ON v.standard_id = s.id
                     WHERE s.active AND v.definition->>'calendarId' = "calendars"."id"::text))`,
      })
      .from(calendars)
      .where(eq(calendars.holidays, 'cn-mainland'))
      .orderBy(asc(calendars.name));
  },
  async insertImport(ex: Executor, row: typeof holidayImports.$inferInsert): Promise<HolidayImportRow> {
    const [out] = await ex.insert(holidayImports).values(row).returning();
    return out!;
  },
  async importById(ex: Executor, id: string, forUpdate = false): Promise<HolidayImportRow | undefined> {
    const q = ex.select().from(holidayImports).where(eq(holidayImports.id, id));
    const [row] = forUpdate ? await q.for('update') : await q;
    return row;
  },
  /** Pending, unexpired imports (of some calendars, or all). */
  pendingImports(ex: Executor, now: Date, calendarIds?: string[]): Promise<HolidayImportRow[]> {
    return ex
      .select()
      .from(holidayImports)
      .where(
        and(eq(holidayImports.status, 'pending'), gt(holidayImports.expiresAt, now), calendarIds ? inArray(holidayImports.calendarId, calendarIds) : undefined),
      )
      .orderBy(asc(holidayImports.createdAt));
  },
  async decide(ex: Executor, id: string, status: 'applied' | 'discarded'): Promise<void> {
    await ex.update(holidayImports).set({ status, decidedAt: new Date() }).where(eq(holidayImports.id, id));
  },
  /** Drops expired previews (uploads an admin never confirmed). */
  async purgeExpired(ex: Executor, now: Date): Promise<void> {
    await ex.delete(holidayImports).where(and(eq(holidayImports.status, 'pending'), lt(holidayImports.expiresAt, now)));
  },
  activeAdmins(ex: Executor): Promise<{ id: string }[]> {
    return ex
      .select({ id: staff.id })
      .from(staff)
      .where(and(eq(staff.active, true), sql`${staff.roles} && ARRAY['admin']::text[]`));
  },
};
