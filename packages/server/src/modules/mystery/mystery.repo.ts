import { and, asc, desc, eq, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { attachments, qaMysteryPlans, qaMysteryScripts, qaMysteryScriptVersions, qaMysteryVisits, staff } from '../../db/schema';
import type { Actor } from '../../lib/context';
import { can } from '../identity/policy';

export type ScriptRow = typeof qaMysteryScripts.$inferSelect;
export type ScriptVersionRow = typeof qaMysteryScriptVersions.$inferSelect;
export type PlanRow = typeof qaMysteryPlans.$inferSelect;
export type VisitRow = typeof qaMysteryVisits.$inferSelect;

/**
 * Which visits an actor sees (deny by default): holders of qa.view_all (qa, directors, admins) every visit; a visit's
 * shopper theirs; other holders of qa.view (supervisors) announced (open, remote) visits and every submitted one; an
 * agent the submitted visits that name them among the staff served. An unannounced (mystery) visit is therefore
 * invisible to the site's staff and supervisors until it is submitted.
 */
export function visibleVisitsSql(actor: Actor): SQL | undefined {
  if (actor.kind === 'system' || can(actor, 'qa.view_all')) return undefined;
  if (actor.kind !== 'staff') return sql`false`;
  const me = actor.id;
  const submitted = eq(qaMysteryVisits.state, 'submitted');
  if (can(actor, 'qa.view')) return or(eq(qaMysteryVisits.shopperId, me), submitted, ne(qaMysteryVisits.kind, 'mystery'));
  return or(eq(qaMysteryVisits.shopperId, me), and(submitted, sql`${me}::uuid = ANY(${qaMysteryVisits.servedIds})`));
}

export const mysteryRepo = {
  // ── scripts ──
  listScripts(ex: Executor): Promise<ScriptRow[]> {
    return ex.select().from(qaMysteryScripts).orderBy(desc(qaMysteryScripts.active), asc(qaMysteryScripts.createdAt));
  },
  async scriptById(ex: Executor, id: string, forUpdate = false): Promise<ScriptRow | undefined> {
    const q = ex.select().from(qaMysteryScripts).where(eq(qaMysteryScripts.id, id));
    const [row] = forUpdate ? await q.for('update') : await q;
    return row;
  },
  async scriptVersions(ex: Executor, keys: { id: string; version: number }[]): Promise<Map<string, ScriptVersionRow>> {
    if (!keys.length) return new Map();
    const rows = await ex
      .select()
      .from(qaMysteryScriptVersions)
      .where(inArray(qaMysteryScriptVersions.scriptId, [...new Set(keys.map((k) => k.id))]));
    return new Map(rows.map((r) => [`${r.scriptId}:${r.version}`, r]));
  },
  async insertScript(ex: Executor, row: typeof qaMysteryScripts.$inferInsert): Promise<ScriptRow> {
    const [out] = await ex.insert(qaMysteryScripts).values(row).returning();
    await mysteryRepo.snapshot(ex, out!);
    return out!;
  },
  async updateScript(ex: Executor, id: string, set: Partial<typeof qaMysteryScripts.$inferInsert>): Promise<ScriptRow> {
    const [out] = await ex
      .update(qaMysteryScripts)
      .set({ ...set, version: sql`${qaMysteryScripts.version} + 1`, updatedAt: new Date() })
      .where(eq(qaMysteryScripts.id, id))
      .returning();
    await mysteryRepo.snapshot(ex, out!);
    return out!;
  },
  async snapshot(ex: Executor, s: ScriptRow) {
    const { id, version, title, siteId, channel, story, steps, scorecardId, evidence } = s;
    await ex.insert(qaMysteryScriptVersions).values({ scriptId: id, version, title, siteId, channel, story, steps, scorecardId, evidence });
  },

  // ── plans ──
  plansOf(ex: Executor, month: string): Promise<PlanRow[]> {
    return ex.select().from(qaMysteryPlans).where(eq(qaMysteryPlans.month, month));
  },
  async upsertPlan(ex: Executor, row: typeof qaMysteryPlans.$inferInsert): Promise<PlanRow> {
    const [out] = await ex
      .insert(qaMysteryPlans)
      .values(row)
      .onConflictDoUpdate({
        target: [qaMysteryPlans.month, qaMysteryPlans.siteId],
        set: { visits: row.visits, channels: row.channels, kinds: row.kinds, updatedAt: new Date() },
      })
      .returning();
    return out!;
  },

  // ── visits ──
  async visitById(ex: Executor, id: string, actor: Actor, forUpdate = false): Promise<VisitRow | undefined> {
    const q = ex
      .select()
      .from(qaMysteryVisits)
      .where(and(eq(qaMysteryVisits.id, id), visibleVisitsSql(actor)));
    const [row] = forUpdate ? await q.for('update') : await q;
    return row;
  },
  listVisits(ex: Executor, actor: Actor, where: SQL[]): Promise<VisitRow[]> {
    return ex
      .select()
      .from(qaMysteryVisits)
      .where(and(visibleVisitsSql(actor), ...where))
      .orderBy(asc(qaMysteryVisits.plannedOn), asc(qaMysteryVisits.createdAt))
      .limit(1000);
  },
  async insertVisits(ex: Executor, rows: (typeof qaMysteryVisits.$inferInsert)[]) {
    if (rows.length) await ex.insert(qaMysteryVisits).values(rows);
  },
  /** Drop a plan's visits not yet done (re-planning); returns how many of its visits are done. */
  async replanned(ex: Executor, planId: string): Promise<number> {
    await ex.delete(qaMysteryVisits).where(and(eq(qaMysteryVisits.planId, planId), eq(qaMysteryVisits.state, 'planned')));
    const [r] = await ex
      .select({ n: sql<number>`count(*)::int` })
      .from(qaMysteryVisits)
      .where(eq(qaMysteryVisits.planId, planId));
    return Number(r?.n ?? 0);
  },
  async shopperLoad(ex: Executor, month: string): Promise<Map<string, number>> {
    const rows = await ex
      .select({ id: qaMysteryVisits.shopperId, n: sql<number>`count(*)::int` })
      .from(qaMysteryVisits)
      .where(eq(qaMysteryVisits.month, month))
      .groupBy(qaMysteryVisits.shopperId);
    return new Map(rows.map((r) => [r.id, Number(r.n)]));
  },
  async submitVisit(ex: Executor, id: string, set: Partial<typeof qaMysteryVisits.$inferInsert>): Promise<VisitRow> {
    const [out] = await ex.update(qaMysteryVisits).set(set).where(eq(qaMysteryVisits.id, id)).returning();
    return out!;
  },

  // ── people and files ──
  async staffRows(ex: Executor, ids: string[]) {
    if (!ids.length) return [];
    return ex
      .select({ id: staff.id, name: staff.name, employeeNo: staff.employeeNo, roles: staff.roles, active: staff.active })
      .from(staff)
      .where(inArray(staff.id, ids));
  },
  async attachmentsByIds(ex: Executor, ids: string[]) {
    if (!ids.length) return [];
    return ex
      .select({
        id: attachments.id,
        ticketId: attachments.ticketId,
        replyId: attachments.replyId,
        uploadedById: attachments.uploadedById,
        filename: attachments.filename,
        mime: attachments.mime,
        size: attachments.size,
      })
      .from(attachments)
      .where(inArray(attachments.id, ids));
  },
  async attachmentData(ex: Executor, id: string) {
    const [a] = await ex
      .select({ filename: attachments.filename, mime: attachments.mime, body: attachments.data })
      .from(attachments)
      .where(eq(attachments.id, id));
    return a;
  },
};
