import { and, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import type { Actor } from '../../lib/context';
import { ticketVisibilityScope } from '../tickets/tickets.visibility.repo';
import { fieldAssets, fieldMaintenancePlans, fieldMaintenanceProposals, fieldMaintenanceRuns, fieldSites, settings, tickets } from '../../db/schema';

export type ProposalRow = typeof fieldMaintenanceProposals.$inferSelect;
export type PlanRow = typeof fieldMaintenancePlans.$inferSelect;
export type SubjectKind = 'asset' | 'site';

/** The tag of the tickets the maintenance pass and accepted inspections generate (they are not counted as faults). */
export const MAINTENANCE_TAG = '预防性维护';
/** The extra tag of a one-off inspection visit's ticket (巡检, a proposal accepted as an inspection). */
export const INSPECTION_TAG = '巡检';

/** Ticket types that count as repairs for recurring faults. */
export const REPAIR_TYPES = ['repair', 'after_sales'] as const;

export const fieldMaintenanceRepo = {
  async setting(ex: Executor, key: string): Promise<unknown> {
    const [row] = await ex.select().from(settings).where(eq(settings.key, key));
    return row?.value;
  },
  async putSetting(ex: Executor, key: string, value: unknown) {
    await ex
      .insert(settings)
      .values({ key, value })
      .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: new Date() } });
  },

  /**
   * Repair tickets (repair / after_sales, not merged) at the subject created since `since`, oldest first: at a site, the
   * ticket's own site or one of its visits'; at an asset, a visit checked in on the asset's code.
   */
  async repairsAt(ex: Executor, kind: SubjectKind, id: string, since: Date): Promise<{ id: string }[]> {
    const at =
      kind === 'site'
        ? sql`(t.site_id = ${id} OR EXISTS (SELECT 1 FROM field_visits v WHERE v.ticket_id = t.id AND v.site_id = ${id}))`
        : sql`EXISTS (SELECT 1 FROM field_visits v WHERE v.ticket_id = t.id AND v.arrival_asset_id = ${id})`;
    const res = (await ex.execute<{ id: string }>(sql`
      SELECT t.id FROM tickets t
      WHERE t.type IN ('repair', 'after_sales') AND t.merged_into_id IS NULL AND NOT (${MAINTENANCE_TAG} = ANY(t.tags)) AND t.created_at >= ${since.toISOString()}::timestamptz AND ${at}
      ORDER BY t.created_at, t.id LIMIT 200`)) as { rows: { id: string }[] };
    return res.rows;
  },
  async openProposal(ex: Executor, kind: SubjectKind, id: string): Promise<ProposalRow | undefined> {
    const [row] = await ex
      .select()
      .from(fieldMaintenanceProposals)
      .where(and(eq(fieldMaintenanceProposals.subjectKind, kind), eq(fieldMaintenanceProposals.subjectId, id), eq(fieldMaintenanceProposals.state, 'open')));
    return row;
  },
  /** When the subject's latest proposal was decided (repairs before it were already weighed). */
  async lastDecidedAt(ex: Executor, kind: SubjectKind, id: string): Promise<Date | null> {
    const [row] = await ex
      .select({ at: fieldMaintenanceProposals.decidedAt })
      .from(fieldMaintenanceProposals)
      .where(and(eq(fieldMaintenanceProposals.subjectKind, kind), eq(fieldMaintenanceProposals.subjectId, id), isNotNull(fieldMaintenanceProposals.decidedAt)))
      .orderBy(desc(fieldMaintenanceProposals.decidedAt))
      .limit(1);
    return row?.at ?? null;
  },
  /** Insert an open proposal; undefined when the subject already has one (the partial unique index). */
  async insertProposal(ex: Executor, row: typeof fieldMaintenanceProposals.$inferInsert): Promise<ProposalRow | undefined> {
    const [out] = await ex.insert(fieldMaintenanceProposals).values(row).onConflictDoNothing().returning();
    return out;
  },
  async updateProposal(ex: Executor, id: string, set: Partial<ProposalRow>): Promise<ProposalRow> {
    const [row] = await ex.update(fieldMaintenanceProposals).set(set).where(eq(fieldMaintenanceProposals.id, id)).returning();
    return row!;
  },
  async proposalById(ex: Executor, id: string, lock = false): Promise<ProposalRow | undefined> {
    const q = ex.select().from(fieldMaintenanceProposals).where(eq(fieldMaintenanceProposals.id, id));
    const [row] = lock ? await q.for('update') : await q;
    return row;
  },
  proposals(ex: Executor, state: string | undefined): Promise<ProposalRow[]> {
    return ex
      .select()
      .from(fieldMaintenanceProposals)
      .where(state ? eq(fieldMaintenanceProposals.state, state) : undefined)
      .orderBy(desc(fieldMaintenanceProposals.createdAt))
      .limit(500);
  },
  /** The tickets among `ids` the actor may see (ticket visibility: a team's tickets stay within the team). */
  ticketsByIds(ex: Executor, actor: Actor, ids: string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return ex
      .select({ id: tickets.id, number: tickets.number, subject: tickets.subject, type: tickets.type, createdAt: tickets.createdAt })
      .from(tickets)
      .where(and(inArray(tickets.id, ids), ticketVisibilityScope(actor)));
  },
  async names(ex: Executor, assetIds: string[], siteIds: string[]) {
    const out = new Map<string, string>();
    if (assetIds.length)
      for (const a of await ex.select({ id: fieldAssets.id, name: fieldAssets.name }).from(fieldAssets).where(inArray(fieldAssets.id, assetIds)))
        out.set(a.id, a.name);
    if (siteIds.length)
      for (const s of await ex.select({ id: fieldSites.id, name: fieldSites.name }).from(fieldSites).where(inArray(fieldSites.id, siteIds)))
        out.set(s.id, s.name);
    return out;
  },
  async assetById(ex: Executor, id: string) {
    const [row] = await ex.select().from(fieldAssets).where(eq(fieldAssets.id, id));
    return row;
  },
  /** The assets of a model (exact match), oldest first: a model plan's subjects. */
  assetsOfModel(ex: Executor, model: string) {
    return ex
      .select({ id: fieldAssets.id, siteId: fieldAssets.siteId, name: fieldAssets.name })
      .from(fieldAssets)
      .where(eq(fieldAssets.model, model))
      .orderBy(fieldAssets.createdAt, fieldAssets.id)
      .limit(5000);
  },
  /** How many assets each of `models` has. */
  async modelCounts(ex: Executor, models: string[]): Promise<Map<string, number>> {
    if (models.length === 0) return new Map();
    const rows = await ex
      .select({ model: fieldAssets.model, n: sql<number>`count(*)::int` })
      .from(fieldAssets)
      .where(inArray(fieldAssets.model, models))
      .groupBy(fieldAssets.model);
    return new Map(rows.map((r) => [r.model!, Number(r.n)]));
  },
  async siteById(ex: Executor, id: string) {
    const [row] = await ex.select().from(fieldSites).where(eq(fieldSites.id, id));
    return row;
  },

  // ── plans ──
  async insertPlan(ex: Executor, row: typeof fieldMaintenancePlans.$inferInsert): Promise<PlanRow> {
    const [out] = await ex.insert(fieldMaintenancePlans).values(row).returning();
    return out!;
  },
  async planById(ex: Executor, id: string): Promise<PlanRow | undefined> {
    const [row] = await ex.select().from(fieldMaintenancePlans).where(eq(fieldMaintenancePlans.id, id));
    return row;
  },
  plans(ex: Executor, activeOnly = false): Promise<PlanRow[]> {
    return ex
      .select()
      .from(fieldMaintenancePlans)
      .where(activeOnly ? eq(fieldMaintenancePlans.active, true) : undefined)
      .orderBy(desc(fieldMaintenancePlans.createdAt))
      .limit(2000);
  },
  async updatePlan(ex: Executor, id: string, set: Partial<PlanRow>): Promise<PlanRow | undefined> {
    const [row] = await ex.update(fieldMaintenancePlans).set(set).where(eq(fieldMaintenancePlans.id, id)).returning();
    return row;
  },

  // ── runs ──
  /** The subjects (asset or site ids) of a plan's due date generated already. */
  async runSubjects(ex: Executor, planId: string, dueDate: string): Promise<Set<string>> {
    const rows = await ex
      .select({ subjectId: fieldMaintenanceRuns.subjectId })
      .from(fieldMaintenanceRuns)
      .where(and(eq(fieldMaintenanceRuns.planId, planId), eq(fieldMaintenanceRuns.dueDate, dueDate)));
    return new Set(rows.map((r) => r.subjectId));
  },
  /** Claim (plan, due date, subject): false when it is generated already (or by a concurrent pass, after it commits). */
  async claimRun(ex: Executor, planId: string, dueDate: string, subjectId: string): Promise<boolean> {
    const rows = await ex
      .insert(fieldMaintenanceRuns)
      .values({ planId, dueDate, subjectId })
      .onConflictDoNothing()
      .returning({ planId: fieldMaintenanceRuns.planId });
    return rows.length === 1;
  },
  async finishRun(ex: Executor, planId: string, dueDate: string, subjectId: string, ticketId: string, visitId: string | null) {
    await ex
      .update(fieldMaintenanceRuns)
      .set({ ticketId, visitId })
      .where(and(eq(fieldMaintenanceRuns.planId, planId), eq(fieldMaintenanceRuns.dueDate, dueDate), eq(fieldMaintenanceRuns.subjectId, subjectId)));
  },
  async insertTicket(ex: Executor, row: typeof tickets.$inferInsert) {
    const [out] = await ex.insert(tickets).values(row).returning();
    return out!;
  },
};
