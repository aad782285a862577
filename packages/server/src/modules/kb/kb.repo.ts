/** Every query of the knowledge base (items, versions, reviews, categories, experts, vocabulary, usage, help centre). */
import { and, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Database, Executor, Tx } from '../../db/client';
import {
  customers,
  kbCategories,
  kbCategoryExperts,
  kbContributions,
  kbFeedback,
  kbItems,
  kbReviews,
  kbUsage,
  kbVersions,
  kbVocabulary,
  staff,
  teams,
  ticketReplies,
  tickets,
} from '../../db/schema';

export type ItemRow = typeof kbItems.$inferSelect;
export type CategoryRow = typeof kbCategories.$inferSelect;
export type VersionRow = typeof kbVersions.$inferSelect;
export type VocabularyRow = typeof kbVocabulary.$inferSelect;
/** A row of the search index's load (snake_case, straight from SQL). */
export interface IndexRow {
  id: string;
  kind: string;
  title: string;
  body: string;
  variants: string[];
  tags: string[];
  scenario: string | null;
  audience: string;
  status: string;
  category_id: string;
}

/** Published (or flagged) customer-facing items: what the help centre shows. */
const PUBLIC_COND = and(inArray(kbItems.status, ['published', 'needs_update']), eq(kbItems.audience, 'customer'));
const none = sql`false`;

/** What the item list may filter on (the scope is computed by the command from the actor). */
export interface ItemListFilter {
  status?: string | undefined;
  kind?: string | undefined;
  audience?: string | undefined;
  categoryIds?: string[] | undefined;
  mineOf?: string | undefined;
  cursor?: string | undefined;
  q?: string | undefined;
  /** Not a KB manager: searchable items, plus unpublished ones they edit, plus retired ones they own or are expert of. */
  scope?: { staffId: string; expertCategoryIds: string[] } | undefined;
  limit: number;
}

export const kbRepo = {
  // ── categories & experts ──
  async categories(ex: Executor, ordered = false): Promise<CategoryRow[]> {
    return ordered ? ex.select().from(kbCategories).orderBy(kbCategories.position, kbCategories.name) : ex.select().from(kbCategories);
  },
  async categoryIdById(ex: Executor, id: string): Promise<string | null> {
    const [c] = await ex.select({ id: kbCategories.id }).from(kbCategories).where(eq(kbCategories.id, id));
    return c?.id ?? null;
  },
  async categoryIdByName(ex: Executor, name: string): Promise<string | null> {
    const [c] = await ex.select({ id: kbCategories.id }).from(kbCategories).where(eq(kbCategories.name, name)).orderBy(kbCategories.createdAt).limit(1);
    return c?.id ?? null;
  },
  async categoryNameTaken(ex: Executor, name: string, parentId: string | null | undefined): Promise<boolean> {
    const dup = await ex
      .select({ id: kbCategories.id })
      .from(kbCategories)
      .where(and(eq(kbCategories.name, name), parentId ? eq(kbCategories.parentId, parentId) : sql`${kbCategories.parentId} IS NULL`));
    return dup.length > 0;
  },
  async insertCategory(ex: Executor, values: typeof kbCategories.$inferInsert): Promise<CategoryRow> {
    const [row] = await ex.insert(kbCategories).values(values).returning();
    return row!;
  },
  async updateCategory(ex: Executor, id: string, set: Partial<CategoryRow>): Promise<void> {
    await ex.update(kbCategories).set(set).where(eq(kbCategories.id, id));
  },
  async categoryById(ex: Executor, id: string): Promise<CategoryRow | undefined> {
    const [c] = await ex.select().from(kbCategories).where(eq(kbCategories.id, id));
    return c;
  },
  /** Per category: items not retired, and searchable ones (optionally customer-facing only). */
  async categoryCounts(database: Database, customerOnly = false): Promise<{ category_id: string; n: number; p: number }[]> {
    return customerOnly
      ? database.rows(
          sql`SELECT category_id, count(*)::int AS n, count(*)::int AS p FROM kb_items WHERE status IN ('published','needs_update') AND audience = 'customer' GROUP BY category_id`,
        )
      : database.rows(
          sql`SELECT category_id, count(*) FILTER (WHERE status <> 'retired')::int AS n, count(*) FILTER (WHERE status IN ('published','needs_update'))::int AS p FROM kb_items GROUP BY category_id`,
        );
  },
  async expertsWithNames(ex: Executor) {
    return ex
      .select({ categoryId: kbCategoryExperts.categoryId, id: staff.id, name: staff.name, employeeNo: staff.employeeNo })
      .from(kbCategoryExperts)
      .innerJoin(staff, eq(staff.id, kbCategoryExperts.staffId))
      .orderBy(staff.employeeNo);
  },
  /** Whether the staff member is an expert of one of these categories. */
  async isExpertOfAny(ex: Executor, staffId: string, categoryIds: string[]): Promise<boolean> {
    if (!categoryIds.length) return false;
    const rows = await ex
      .select({ id: kbCategoryExperts.staffId })
      .from(kbCategoryExperts)
      .where(and(inArray(kbCategoryExperts.categoryId, categoryIds), eq(kbCategoryExperts.staffId, staffId)));
    return rows.length > 0;
  },
  async expertCategoriesOf(ex: Executor, staffId: string): Promise<string[]> {
    return (await ex.select({ id: kbCategoryExperts.categoryId }).from(kbCategoryExperts).where(eq(kbCategoryExperts.staffId, staffId))).map((r) => r.id);
  },
  async expertsOfCategories(ex: Executor, categoryIds: string[]): Promise<string[]> {
    if (!categoryIds.length) return [];
    return (await ex.selectDistinct({ id: kbCategoryExperts.staffId }).from(kbCategoryExperts).where(inArray(kbCategoryExperts.categoryId, categoryIds))).map(
      (r) => r.id,
    );
  },
  async expertsOf(ex: Executor, categoryId: string): Promise<string[]> {
    return (await ex.select({ id: kbCategoryExperts.staffId }).from(kbCategoryExperts).where(eq(kbCategoryExperts.categoryId, categoryId))).map((r) => r.id);
  },
  async replaceExperts(tx: Tx, categoryId: string, staffIds: string[]): Promise<void> {
    await tx.delete(kbCategoryExperts).where(eq(kbCategoryExperts.categoryId, categoryId));
    if (staffIds.length) await tx.insert(kbCategoryExperts).values(staffIds.map((staffId) => ({ categoryId, staffId })));
  },

  // ── staff ──
  async activeStaffIds(ex: Executor, ids: string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    return new Set(
      (
        await ex
          .select({ id: staff.id })
          .from(staff)
          .where(and(inArray(staff.id, ids), eq(staff.active, true)))
      ).map((f) => f.id),
    );
  },
  async staffNames(ex: Executor, ids: string[]): Promise<{ id: string; name: string }[]> {
    return ids.length ? ex.select({ id: staff.id, name: staff.name }).from(staff).where(inArray(staff.id, ids)) : [];
  },
  async staffNameAndRoles(ex: Executor, id: string): Promise<{ name: string; roles: string[] } | undefined> {
    const [s] = await ex.select({ name: staff.name, roles: staff.roles }).from(staff).where(eq(staff.id, id));
    return s;
  },

  // ── items ──
  async itemById(ex: Executor, id: string): Promise<ItemRow | undefined> {
    const [item] = await ex.select().from(kbItems).where(eq(kbItems.id, id));
    return item;
  },
  async lockItem(tx: Tx, id: string): Promise<ItemRow | undefined> {
    const [row] = await tx.select().from(kbItems).where(eq(kbItems.id, id)).for('update');
    return row;
  },
  async insertItem(ex: Executor, values: typeof kbItems.$inferInsert): Promise<ItemRow> {
    const [item] = await ex.insert(kbItems).values(values).returning();
    return item!;
  },
  async updateItem(ex: Executor, id: string, set: Partial<ItemRow>): Promise<ItemRow> {
    const [row] = await ex.update(kbItems).set(set).where(eq(kbItems.id, id)).returning();
    return row!;
  },
  /** Published items whose review date passed, locked (SKIP LOCKED: one process takes each). */
  async claimOverdue(tx: Tx, today: string): Promise<ItemRow[]> {
    return tx
      .select()
      .from(kbItems)
      .where(and(eq(kbItems.status, 'published'), lt(kbItems.reviewDueOn, today)))
      .for('update', { skipLocked: true });
  },
  async listItems(ex: Executor, f: ItemListFilter): Promise<ItemRow[]> {
    const conds: SQL[] = [];
    if (f.status) conds.push(eq(kbItems.status, f.status));
    if (f.kind) conds.push(eq(kbItems.kind, f.kind));
    if (f.audience) conds.push(eq(kbItems.audience, f.audience));
    if (f.categoryIds) conds.push(inArray(kbItems.categoryId, f.categoryIds));
    if (f.mineOf) conds.push(or(eq(kbItems.authorId, f.mineOf), eq(kbItems.ownerId, f.mineOf))!);
    if (f.cursor) conds.push(lt(kbItems.id, f.cursor));
    if (f.q) conds.push(sql`(${kbItems.title} ILIKE ${'%' + f.q.replace(/[\\%_]/g, (c) => '\\' + c) + '%'} OR ${f.q} = ANY(${kbItems.tags}))`);
    if (f.scope) {
      const { staffId, expertCategoryIds: cats } = f.scope;
      const expert = cats.length ? inArray(kbItems.categoryId, cats) : none;
      const mine = or(eq(kbItems.authorId, staffId), eq(kbItems.ownerId, staffId), expert)!;
      conds.push(
        or(
          inArray(kbItems.status, ['published', 'needs_update']),
          and(sql`${kbItems.status} <> 'retired'`, mine),
          and(eq(kbItems.status, 'retired'), or(eq(kbItems.ownerId, staffId), expert)),
        )!,
      );
    }
    return ex
      .select()
      .from(kbItems)
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(desc(kbItems.id))
      .limit(f.limit + 1);
  },
  /** Items in review (in these categories, or all), oldest change first, with the author's name. */
  async inReview(ex: Executor, categoryIds: string[] | null) {
    const cond = categoryIds ? and(eq(kbItems.status, 'in_review'), inArray(kbItems.categoryId, categoryIds)) : eq(kbItems.status, 'in_review');
    return ex
      .select({ r: kbItems, author: staff.name })
      .from(kbItems)
      .leftJoin(staff, eq(staff.id, kbItems.authorId))
      .where(cond)
      .orderBy(kbItems.updatedAt)
      .limit(200);
  },
  async bodies(ex: Executor, ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    return new Map((await ex.select({ id: kbItems.id, body: kbItems.body }).from(kbItems).where(inArray(kbItems.id, ids))).map((r) => [r.id, r.body]));
  },

  // ── versions, reviews, contributions ──
  async insertVersion(ex: Executor, values: typeof kbVersions.$inferInsert): Promise<void> {
    await ex.insert(kbVersions).values(values);
  },
  async versionAuthor(ex: Executor, itemId: string, version: number): Promise<string | null | undefined> {
    const [last] = await ex
      .select({ authorId: kbVersions.authorId })
      .from(kbVersions)
      .where(and(eq(kbVersions.itemId, itemId), eq(kbVersions.version, version)));
    return last?.authorId;
  },
  async versions(ex: Executor, itemId: string, which?: number[]): Promise<VersionRow[]> {
    return ex
      .select()
      .from(kbVersions)
      .where(and(eq(kbVersions.itemId, itemId), ...(which ? [inArray(kbVersions.version, which)] : [])));
  },
  async versionsWithAuthors(ex: Executor, itemId: string) {
    return ex
      .select({ v: kbVersions, name: staff.name })
      .from(kbVersions)
      .leftJoin(staff, eq(staff.id, kbVersions.authorId))
      .where(eq(kbVersions.itemId, itemId))
      .orderBy(desc(kbVersions.version));
  },
  async insertReview(ex: Executor, values: typeof kbReviews.$inferInsert): Promise<void> {
    await ex.insert(kbReviews).values(values);
  },
  async reviewsOf(ex: Executor, itemId: string) {
    return ex
      .select({ r: kbReviews, name: staff.name })
      .from(kbReviews)
      .leftJoin(staff, eq(staff.id, kbReviews.reviewerId))
      .where(eq(kbReviews.itemId, itemId))
      .orderBy(desc(kbReviews.createdAt));
  },
  async credit(ex: Executor, staffId: string, itemId: string, version: number, kind: 'created' | 'revised'): Promise<void> {
    await ex.insert(kbContributions).values({ staffId, itemId, version, kind }).onConflictDoNothing();
  },
  async contributionCounts(database: Database, from: Date, to: Date) {
    return database.rows<{ staff_id: string; name: string; employee_no: string; created: number; revised: number }>(sql`
    SELECT c.staff_id, s.name, s.employee_no, count(*) FILTER (WHERE c.kind = 'created')::int AS created, count(*) FILTER (WHERE c.kind = 'revised')::int AS revised
    FROM kb_contributions c JOIN staff s ON s.id = c.staff_id
    WHERE c.at >= ${from.toISOString()}::timestamptz AND c.at < ${to.toISOString()}::timestamptz
    GROUP BY c.staff_id, s.name, s.employee_no ORDER BY count(*) DESC, s.employee_no`);
  },
  async contributionsOf(ex: Executor, staffId: string) {
    return ex
      .select({ c: kbContributions, title: kbItems.title, status: kbItems.status })
      .from(kbContributions)
      .innerJoin(kbItems, eq(kbItems.id, kbContributions.itemId))
      .where(eq(kbContributions.staffId, staffId))
      .orderBy(desc(kbContributions.at))
      .limit(500);
  },

  // ── vocabulary ──
  async vocabulary(ex: Executor): Promise<VocabularyRow[]> {
    return ex.select().from(kbVocabulary).orderBy(kbVocabulary.kind, kbVocabulary.createdAt);
  },
  async insertVocabulary(ex: Executor, values: typeof kbVocabulary.$inferInsert): Promise<VocabularyRow | undefined> {
    const [r] = await ex.insert(kbVocabulary).values(values).onConflictDoNothing().returning();
    return r;
  },
  async deleteVocabulary(ex: Executor, id: string): Promise<VocabularyRow | undefined> {
    const [r] = await ex.delete(kbVocabulary).where(eq(kbVocabulary.id, id)).returning();
    return r;
  },

  // ── in the ticket ──
  async latestCustomerMessages(ex: Executor, ticketId: string, n: number): Promise<string[]> {
    return (
      await ex
        .select({ body: ticketReplies.body })
        .from(ticketReplies)
        .where(and(eq(ticketReplies.ticketId, ticketId), eq(ticketReplies.authorKind, 'customer')))
        .orderBy(desc(ticketReplies.id))
        .limit(n)
    ).map((m) => m.body);
  },
  async ticketCategoryName(database: Database, categoryId: string): Promise<string | null> {
    return (await database.rows<{ name: string }>(sql`SELECT name FROM categories WHERE id = ${categoryId}`))[0]?.name ?? null;
  },
  async teamName(ex: Executor, id: string): Promise<string | undefined> {
    const [t] = await ex.select({ name: teams.name }).from(teams).where(eq(teams.id, id));
    return t?.name;
  },
  async customerName(ex: Executor, id: string): Promise<string | null | undefined> {
    const [c] = await ex.select({ name: customers.name }).from(customers).where(eq(customers.id, id));
    return c?.name;
  },
  /** The organisation's name as the demo stored it (settings 'demo.loaded'). */
  async demoOrgName(database: Database): Promise<string | null> {
    return (await database.rows<{ value: { org?: string } }>(sql`SELECT value FROM settings WHERE key = 'demo.loaded'`))[0]?.value?.org ?? null;
  },
  async usageOfTicket(ex: Executor, ticketId: string) {
    return ex.select().from(kbUsage).where(eq(kbUsage.ticketId, ticketId));
  },
  /** Record a use (once per ticket, item and kind) and count it on the item; returns whether it was new and the row. */
  async recordUsage(tx: Tx, v: { ticketId: string; itemId: string; kind: 'used' | 'not_helpful'; staffId: string }) {
    const inserted = await tx.insert(kbUsage).values(v).onConflictDoNothing().returning();
    if (inserted.length) {
      await tx
        .update(kbItems)
        .set(v.kind === 'used' ? { usedCount: sql`${kbItems.usedCount} + 1` } : { notHelpfulCount: sql`${kbItems.notHelpfulCount} + 1` })
        .where(eq(kbItems.id, v.itemId));
    }
    const [row] = await tx
      .select()
      .from(kbUsage)
      .where(and(eq(kbUsage.ticketId, v.ticketId), eq(kbUsage.itemId, v.itemId), eq(kbUsage.kind, v.kind)));
    return { created: inserted.length > 0, row: row! };
  },
  async usageWithItems(ex: Executor, ticketId: string) {
    return ex
      .select({ u: kbUsage, title: kbItems.title, kind: kbItems.kind })
      .from(kbUsage)
      .innerJoin(kbItems, eq(kbItems.id, kbUsage.itemId))
      .where(eq(kbUsage.ticketId, ticketId))
      .orderBy(kbUsage.id);
  },
  /** Tickets resolved in [from, to), and how many of them used knowledge. */
  async applicationCounts(database: Database, from: Date, to: Date): Promise<{ resolved: number; used: number } | undefined> {
    const [r] = await database.rows<{ resolved: number; used: number }>(sql`
    SELECT count(*)::int AS resolved,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM kb_usage u WHERE u.ticket_id = t.id AND u.kind = 'used'))::int AS used
    FROM ${tickets} t WHERE t.resolved_at >= ${from.toISOString()}::timestamptz AND t.resolved_at < ${to.toISOString()}::timestamptz AND t.merged_into_id IS NULL`);
    return r;
  },

  // ── help centre ──
  async publicItems(ex: Executor, categoryIds: string[] | null, limit: number): Promise<ItemRow[]> {
    const cond = categoryIds ? and(PUBLIC_COND, inArray(kbItems.categoryId, categoryIds)) : PUBLIC_COND;
    return ex.select().from(kbItems).where(cond).orderBy(desc(kbItems.helpfulCount), desc(kbItems.usedCount), kbItems.title).limit(limit);
  },
  async publicItem(ex: Executor, id: string, lock = false): Promise<ItemRow | undefined> {
    const q = ex
      .select()
      .from(kbItems)
      .where(and(eq(kbItems.id, id), PUBLIC_COND));
    const [r] = lock ? await q.for('update') : await q;
    return r;
  },
  async insertFeedback(ex: Executor, values: typeof kbFeedback.$inferInsert): Promise<void> {
    await ex.insert(kbFeedback).values(values);
  },

  // ── search index ──
  async indexRow(database: Database, id: string, ex?: Executor): Promise<IndexRow | undefined> {
    return (
      await database.rows<IndexRow>(
        sql`SELECT id, kind, title, body, variants, tags, scenario, audience, status, category_id FROM kb_items WHERE id = ${id}`,
        ex,
      )
    )[0];
  },
  async searchableRows(database: Database): Promise<IndexRow[]> {
    return database.rows<IndexRow>(
      sql`SELECT id, kind, title, body, variants, tags, scenario, audience, status, category_id FROM kb_items WHERE status IN ('published', 'needs_update')`,
    );
  },
  async vocabularyRows(database: Database): Promise<{ kind: string; term: string; expansions: string[] }[]> {
    return database.rows(sql`SELECT kind, term, expansions FROM kb_vocabulary ORDER BY created_at, id`);
  },
  /** Tell the other processes (delivered at commit). */
  async notify(ex: Executor, channel: string, payload: string): Promise<void> {
    await ex.execute(sql`SELECT pg_notify(${channel}, ${payload})`);
  },
};
