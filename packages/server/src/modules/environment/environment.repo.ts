import { and, asc, count, desc, eq, gte, inArray, lt, sql, sum, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { envChecks, envTasks, envTemplates, staff, tickets } from '../../db/schema';

export type TemplateRow = typeof envTemplates.$inferSelect;
export type CheckRow = typeof envChecks.$inferSelect;
export type TaskRow = typeof envTasks.$inferSelect;

/** The SQL of environment checks: templates, checks, corrective tasks and their internal tickets. */
export const environmentRepo = {
  // ── templates ──
  async insertTemplateIfMissing(ex: Executor, row: typeof envTemplates.$inferInsert): Promise<void> {
    await ex.insert(envTemplates).values(row).onConflictDoNothing();
  },
  listTemplates(ex: Executor): Promise<TemplateRow[]> {
    return ex.select().from(envTemplates).orderBy(asc(envTemplates.createdAt), asc(envTemplates.id)).limit(200);
  },
  async templateById(ex: Executor, id: string, forUpdate = false): Promise<TemplateRow | undefined> {
    const q = ex.select().from(envTemplates).where(eq(envTemplates.id, id));
    const [row] = forUpdate ? await q.for('update') : await q;
    return row;
  },
  async updateTemplate(ex: Executor, id: string, set: Partial<typeof envTemplates.$inferInsert>): Promise<TemplateRow> {
    const [row] = await ex
      .update(envTemplates)
      .set({ ...set, updatedAt: new Date() })
      .where(eq(envTemplates.id, id))
      .returning();
    return row!;
  },

  async insertTicket(ex: Executor, row: typeof tickets.$inferInsert) {
    const [out] = await ex.insert(tickets).values(row).returning();
    return out!;
  },
  async resolveTicket(ex: Executor, id: string, resolution: string) {
    const [out] = await ex
      .update(tickets)
      .set({ status: 'resolved', resolvedAt: new Date(), resolution, updatedAt: new Date(), version: sql`${tickets.version} + 1` })
      .where(eq(tickets.id, id))
      .returning();
    return out!;
  },

  // ── checks ──
  async insertCheck(ex: Executor, row: typeof envChecks.$inferInsert): Promise<CheckRow> {
    const [out] = await ex.insert(envChecks).values(row).returning();
    return out!;
  },
  async checkById(ex: Executor, id: string): Promise<CheckRow | undefined> {
    const [row] = await ex.select().from(envChecks).where(eq(envChecks.id, id));
    return row;
  },
  /** Newest first, keyset by id (UUIDv7). */
  listChecks(
    ex: Executor,
    o: { siteId?: string | undefined; failedOnly?: boolean | undefined; from?: Date; to?: Date; cursor?: string | undefined; limit: number },
  ) {
    const where: SQL[] = [];
    if (o.from) where.push(gte(envChecks.createdAt, o.from));
    if (o.to) where.push(lt(envChecks.createdAt, o.to));
    if (o.siteId) where.push(eq(envChecks.siteId, o.siteId));
    if (o.failedOnly) where.push(sql`${envChecks.failedCount} > 0`);
    if (o.cursor) where.push(lt(envChecks.id, o.cursor));
    return ex
      .select()
      .from(envChecks)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(envChecks.id))
      .limit(o.limit + 1);
  },

  // ── corrective tasks ──
  async insertTasks(ex: Executor, rows: (typeof envTasks.$inferInsert)[]): Promise<TaskRow[]> {
    if (rows.length === 0) return [];
    return ex.insert(envTasks).values(rows).returning();
  },
  tasksOfChecks(ex: Executor, checkIds: string[]): Promise<TaskRow[]> {
    if (checkIds.length === 0) return Promise.resolve([]);
    return ex.select().from(envTasks).where(inArray(envTasks.checkId, checkIds)).orderBy(asc(envTasks.id));
  },
  listTasks(ex: Executor, o: { state?: string | undefined; siteId?: string | undefined; limit: number }): Promise<TaskRow[]> {
    const where: SQL[] = [];
    if (o.state) where.push(eq(envTasks.state, o.state));
    if (o.siteId) where.push(eq(envTasks.siteId, o.siteId));
    return ex
      .select()
      .from(envTasks)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(envTasks.id))
      .limit(o.limit);
  },
  async taskById(ex: Executor, id: string, forUpdate = false): Promise<TaskRow | undefined> {
    const q = ex.select().from(envTasks).where(eq(envTasks.id, id));
    const [row] = forUpdate ? await q.for('update') : await q;
    return row;
  },
  async closeTask(ex: Executor, id: string, by: string, note: string): Promise<TaskRow> {
    const [row] = await ex
      .update(envTasks)
      .set({ state: 'closed', closedBy: by, closedAt: new Date(), closeNote: note })
      .where(eq(envTasks.id, id))
      .returning();
    return row!;
  },
  /** The standard state of each task's ticket clock (the newest instance per ticket). */
  async clockStates(ex: Executor, ticketIds: string[]): Promise<Map<string, { state: string; dueAt: Date | null; breachedAt: Date | null }>> {
    const out = new Map<string, { state: string; dueAt: Date | null; breachedAt: Date | null }>();
    if (ticketIds.length === 0) return out;
    const res = (await ex.execute(sql`SELECT DISTINCT ON (ticket_id) ticket_id, state, due_at, breached_at FROM standard_instances
      WHERE ticket_id IN (${sql.join(
        ticketIds.map((id) => sql`${id}::uuid`),
        sql`, `,
      )}) ORDER BY ticket_id, started_at DESC`)) as {
      rows: { ticket_id: string; state: string; due_at: Date | string | null; breached_at: Date | string | null }[];
    };
    for (const r of res.rows)
      out.set(r.ticket_id, { state: r.state, dueAt: r.due_at ? new Date(r.due_at) : null, breachedAt: r.breached_at ? new Date(r.breached_at) : null });
    return out;
  },

  async staffNames(ex: Executor, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await ex.select({ id: staff.id, name: staff.name }).from(staff).where(inArray(staff.id, ids));
    return new Map(rows.map((r) => [r.id, r.name]));
  },
  async ticketNumbers(ex: Executor, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await ex.select({ id: tickets.id, number: tickets.number }).from(tickets).where(inArray(tickets.id, ids));
    return new Map(rows.map((r) => [r.id, r.number]));
  },

  // ── figures ──
  /** Per site in [from, to): checks, checks with a failure, failed items (the out-of-range count), open tasks. */
  async outOfRange(ex: Executor, from: Date, to: Date, siteId?: string) {
    const where: SQL[] = [gte(envChecks.createdAt, from), lt(envChecks.createdAt, to)];
    if (siteId) where.push(eq(envChecks.siteId, siteId));
    const rows = await ex
      .select({
        siteId: envChecks.siteId,
        checks: count(),
        failedChecks: sql<number>`count(*) FILTER (WHERE ${envChecks.failedCount} > 0)`,
        outOfRange: sum(envChecks.failedCount),
      })
      .from(envChecks)
      .where(and(...where))
      .groupBy(envChecks.siteId);
    return rows.map((r) => ({ siteId: r.siteId, checks: Number(r.checks), failedChecks: Number(r.failedChecks), outOfRange: Number(r.outOfRange ?? 0) }));
  },
  async openTasksBySite(ex: Executor, siteIds?: string[]): Promise<Map<string, number>> {
    const where: SQL[] = [eq(envTasks.state, 'open')];
    if (siteIds) {
      if (siteIds.length === 0) return new Map();
      where.push(inArray(envTasks.siteId, siteIds));
    }
    const rows = await ex
      .select({ siteId: envTasks.siteId, n: count() })
      .from(envTasks)
      .where(and(...where))
      .groupBy(envTasks.siteId);
    return new Map(rows.map((r) => [r.siteId, Number(r.n)]));
  },
};
