import { and, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Database, Executor, Tx } from '../../db/client';
import { customers, kbCategories, kbCategoryExperts, kbContributions, kbFeedback, kbItems, kbReviews, kbUsage, kbVersions, kbVocabulary, staff, ticketReplies, tickets } from '../../db/schema';
import { diff, writeAudit } from '../../lib/audit';
import type { Actor, Ctx } from '../../lib/context';
import { AppError, invalid, notFound } from '../../lib/errors';
import { UUID_RE, uuidv7 } from '../../lib/ids';
import { notify } from '../../lib/notify';
import { authorize, can, requireStaff } from '../identity/policy';
import { ticketsRepo } from '../tickets/tickets.repo';
import { readStandards } from '../tickets/ticket-events';
import { diffLines } from './diff';
import type { ItemCreateInput, ItemPatchInput, KbKind, KbStatus } from './kb.schema';
import { addressOf, formatLocal, renderScript } from './placeholders';
import { htmlToText, sanitizeHtml } from './sanitize';
import { kbSearchOf, SEARCHABLE, type KbSearch, type SearchFilter } from './search-service';

type ItemRow = typeof kbItems.$inferSelect;
type CategoryRow = typeof kbCategories.$inferSelect;

/** Default update cycle: an item is due for review this many days after it was (re)published. */
export const REVIEW_CYCLE_DAYS = 180;
const TZ = 'Asia/Shanghai';

export function localDay(at = new Date(), timeZone = TZ): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}
function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const isAdmin = (a: Actor) => a.kind === 'system' || (a.kind === 'staff' && a.roles.includes('admin'));

// ───────────────────────────── categories & experts ─────────────────────────────

export async function categoryMap(ex: Executor): Promise<Map<string, CategoryRow>> {
  const rows = await ex.select().from(kbCategories);
  return new Map(rows.map((r) => [r.id, r]));
}
/** The category tree for read paths (search hits), cached per process; writes use categoryMap in their transaction. */
function cachedCategories(database: Database): Promise<Map<string, CategoryRow>> {
  const s = kbSearchOf(database);
  if (!s) return categoryMap(database.db);
  s.categories ??= categoryMap(database.db).catch((err) => { s.categories = null; throw err; });
  return s.categories;
}
async function categoriesChanged(database: Database, tx: Tx) {
  const s = kbSearchOf(database);
  if (!s) return;
  s.categories = null;
  await s.announce(tx, { categories: true });
}
function pathOf(cats: Map<string, CategoryRow>, id: string): CategoryRow[] {
  const out: CategoryRow[] = [];
  let cur = cats.get(id);
  const seen = new Set<string>();
  while (cur && !seen.has(cur.id)) { seen.add(cur.id); out.unshift(cur); cur = cur.parentId ? cats.get(cur.parentId) : undefined; }
  return out;
}
/** The category and all its descendants. */
export function subtreeOf(cats: Map<string, CategoryRow>, id: string): Set<string> {
  const out = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of cats.values()) if (c.parentId && out.has(c.parentId) && !out.has(c.id)) { out.add(c.id); grew = true; }
  }
  return out;
}

/** Experts of a category are its own experts and those of its ancestors. */
async function isExpert(ex: Executor, actor: Actor, categoryId: string, cats?: Map<string, CategoryRow>): Promise<boolean> {
  if (actor.kind !== 'staff') return actor.kind === 'system';
  const map = cats ?? await categoryMap(ex);
  const ids = pathOf(map, categoryId).map((c) => c.id);
  if (!ids.length) return false;
  const rows = await ex.select({ id: kbCategoryExperts.staffId }).from(kbCategoryExperts).where(and(inArray(kbCategoryExperts.categoryId, ids), eq(kbCategoryExperts.staffId, actor.id)));
  return rows.length > 0;
}

async function resolveCategory(tx: Tx, ctx: Ctx, ref: string): Promise<string> {
  if (UUID_RE.test(ref)) {
    const [c] = await tx.select({ id: kbCategories.id }).from(kbCategories).where(eq(kbCategories.id, ref));
    if (!c) throw invalid('category', 'no such category');
    return c.id;
  }
  const [c] = await tx.select({ id: kbCategories.id }).from(kbCategories).where(eq(kbCategories.name, ref)).orderBy(kbCategories.createdAt).limit(1);
  if (c) return c.id;
  return (await createCategoryInTx(tx, ctx, { name: ref })).id;
}

export async function createCategoryInTx(tx: Tx, ctx: Ctx, input: { name: string; parentId?: string | null | undefined; position?: number | undefined }) {
  if (input.parentId) {
    const [p] = await tx.select({ id: kbCategories.id }).from(kbCategories).where(eq(kbCategories.id, input.parentId));
    if (!p) throw invalid('parentId', 'no such category');
  }
  const dup = await tx.select({ id: kbCategories.id }).from(kbCategories)
    .where(and(eq(kbCategories.name, input.name), input.parentId ? eq(kbCategories.parentId, input.parentId) : sql`${kbCategories.parentId} IS NULL`));
  if (dup.length) throw new AppError('conflict', `Category ${input.name} already exists here`, { errors: [{ path: 'name', message: 'already used at this level' }] });
  const [row] = await tx.insert(kbCategories).values({ id: uuidv7(), name: input.name, parentId: input.parentId ?? null, position: input.position ?? 0 }).returning();
  await writeAudit(tx, ctx, { action: 'kb.category.created', targetType: 'kb_category', targetId: row!.id, changes: diff(null, { name: row!.name, parentId: row!.parentId }) });
  return row!;
}

export async function listCategories(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'kb.view');
  const [cats, experts, counts] = await Promise.all([
    database.db.select().from(kbCategories).orderBy(kbCategories.position, kbCategories.name),
    database.db.select({ categoryId: kbCategoryExperts.categoryId, id: staff.id, name: staff.name, employeeNo: staff.employeeNo }).from(kbCategoryExperts).innerJoin(staff, eq(staff.id, kbCategoryExperts.staffId)).orderBy(staff.employeeNo),
    database.rows<{ category_id: string; n: number; p: number }>(sql`SELECT category_id, count(*) FILTER (WHERE status <> 'retired')::int AS n, count(*) FILTER (WHERE status IN ('published','needs_update'))::int AS p FROM kb_items GROUP BY category_id`),
  ]);
  const byCat = new Map(counts.map((c) => [c.category_id, c]));
  return {
    items: cats.map((c) => ({
      id: c.id, parentId: c.parentId, name: c.name, position: c.position,
      experts: experts.filter((e) => e.categoryId === c.id).map((e) => ({ id: e.id, name: e.name, employeeNo: e.employeeNo })),
      itemCount: byCat.get(c.id)?.n ?? 0, publishedCount: byCat.get(c.id)?.p ?? 0,
    })),
  };
}

export async function createCategory(database: Database, ctx: Ctx, input: { name: string; parentId?: string | null | undefined; position?: number | undefined }) {
  authorize(ctx.actor, 'kb.manage');
  const row = await database.transaction(async (tx) => { const r = await createCategoryInTx(tx, ctx, input); await categoriesChanged(database, tx); return r; });
  return { id: row.id, parentId: row.parentId, name: row.name, position: row.position, experts: [], itemCount: 0, publishedCount: 0 };
}

export async function updateCategory(database: Database, ctx: Ctx, id: string, input: { name?: string | undefined; parentId?: string | null | undefined; position?: number | undefined }) {
  authorize(ctx.actor, 'kb.manage');
  await database.transaction(async (tx) => {
    const cats = await categoryMap(tx);
    const cur = cats.get(id);
    if (!cur) throw notFound('Category');
    if (input.parentId !== undefined && input.parentId !== null) {
      if (!cats.has(input.parentId)) throw invalid('parentId', 'no such category');
      if (subtreeOf(cats, id).has(input.parentId)) throw invalid('parentId', 'cannot move a category under itself');
    }
    const set: Partial<CategoryRow> = {};
    if (input.name !== undefined) set.name = input.name;
    if (input.parentId !== undefined) set.parentId = input.parentId;
    if (input.position !== undefined) set.position = input.position;
    try {
      await tx.update(kbCategories).set(set).where(eq(kbCategories.id, id));
    } catch {
      throw new AppError('conflict', 'A category with this name already exists at that level', { errors: [{ path: 'name', message: 'already used at this level' }] });
    }
    await categoriesChanged(database, tx);
    await writeAudit(tx, ctx, { action: 'kb.category.updated', targetType: 'kb_category', targetId: id, changes: diff({ name: cur.name, parentId: cur.parentId, position: cur.position }, { name: set.name ?? cur.name, parentId: set.parentId === undefined ? cur.parentId : set.parentId, position: set.position ?? cur.position }) });
  });
  const s = kbSearchOf(database);
  if (s) s.categories = null;
  return (await listCategories(database, ctx)).items.find((c) => c.id === id)!;
}

export async function setExperts(database: Database, ctx: Ctx, id: string, staffIds: string[]) {
  authorize(ctx.actor, 'kb.manage');
  await database.transaction(async (tx) => {
    const [c] = await tx.select().from(kbCategories).where(eq(kbCategories.id, id));
    if (!c) throw notFound('Category');
    const ids = [...new Set(staffIds)];
    if (ids.length) {
      const found = await tx.select({ id: staff.id }).from(staff).where(and(inArray(staff.id, ids), eq(staff.active, true)));
      const ok = new Set(found.map((f) => f.id));
      const bad = ids.findIndex((s) => !ok.has(s));
      if (bad >= 0) throw invalid(`staffIds.${bad}`, 'no such active staff member');
    }
    const before = (await tx.select({ id: kbCategoryExperts.staffId }).from(kbCategoryExperts).where(eq(kbCategoryExperts.categoryId, id))).map((r) => r.id).sort();
    await tx.delete(kbCategoryExperts).where(eq(kbCategoryExperts.categoryId, id));
    if (ids.length) await tx.insert(kbCategoryExperts).values(ids.map((staffId) => ({ categoryId: id, staffId })));
    await writeAudit(tx, ctx, { action: 'kb.category.experts', targetType: 'kb_category', targetId: id, changes: diff({ experts: before }, { experts: [...ids].sort() }) });
  });
  return (await listCategories(database, ctx)).items.find((c) => c.id === id)!;
}

// ───────────────────────────── items ─────────────────────────────

function cleanBody(kind: KbKind, body: string): string {
  // Scripts are plain text (they are pasted into replies); everything else is sanitised rich text.
  return kind === 'script' ? htmlToText(sanitizeHtml(body)).slice(0, 50_000) : sanitizeHtml(body);
}
const uniq = (xs: readonly string[] | undefined) => [...new Set((xs ?? []).map((x) => x.trim()).filter(Boolean))];

interface Access { author: boolean; owner: boolean; expert: boolean; manage: boolean; admin: boolean }

async function accessOf(ex: Executor, actor: Actor, item: ItemRow, cats?: Map<string, CategoryRow>): Promise<Access> {
  const sid = actor.kind === 'staff' ? actor.id : null;
  return {
    author: sid !== null && item.authorId === sid,
    owner: sid !== null && item.ownerId === sid,
    expert: await isExpert(ex, actor, item.categoryId, cats),
    manage: can(actor, 'kb.manage'),
    admin: isAdmin(actor),
  };
}
const editorOf = (a: Access) => a.author || a.owner || a.expert || a.manage;

function allowedOf(actor: Actor, item: ItemRow, a: Access) {
  const write = can(actor, 'kb.write');
  const status = item.status as KbStatus;
  return {
    edit: write && editorOf(a) && status !== 'in_review' && status !== 'retired',
    submit: write && editorOf(a) && status === 'draft',
    review: status === 'in_review' && (a.admin || (a.expert && can(actor, 'kb.review'))),
    retire: (a.owner || a.expert || a.manage) && status !== 'retired',
    flag: can(actor, 'kb.view') && status === 'published',
  };
}

/** Whether a staff member may see an item in the back office (drafts only their editors; retired only managers). */
function visible(a: Access, item: ItemRow): boolean {
  if (SEARCHABLE.includes(item.status as KbStatus)) return true;
  if (item.status === 'retired') return a.manage || a.expert || a.owner;
  return editorOf(a);
}

async function present(ex: Executor, actor: Actor, item: ItemRow, cats?: Map<string, CategoryRow>) {
  const map = cats ?? await categoryMap(ex);
  const ids = [item.ownerId, item.authorId].filter((x): x is string => !!x);
  const names = ids.length ? await ex.select({ id: staff.id, name: staff.name }).from(staff).where(inArray(staff.id, ids)) : [];
  const nameOf = (id: string | null) => (id ? names.find((n) => n.id === id)?.name ?? null : null);
  const a = await accessOf(ex, actor, item, map);
  const path = pathOf(map, item.categoryId);
  return {
    id: item.id, kind: item.kind as KbKind, title: item.title, body: item.body, variants: item.variants,
    categoryId: item.categoryId, categoryName: map.get(item.categoryId)?.name ?? null, categoryPath: path.map((c) => c.name),
    tags: item.tags, scenario: item.scenario, audience: item.audience as 'internal' | 'customer', status: item.status as KbStatus, statusReason: item.statusReason,
    ownerId: item.ownerId, ownerName: nameOf(item.ownerId), authorId: item.authorId, authorName: nameOf(item.authorId),
    reviewDueOn: item.reviewDueOn, version: item.version, publishedVersion: item.publishedVersion,
    helpfulCount: item.helpfulCount, notHelpfulCount: item.notHelpfulCount, usedCount: item.usedCount,
    publishedAt: iso(item.publishedAt), createdAt: item.createdAt.toISOString(), updatedAt: item.updatedAt.toISOString(),
    allowed: allowedOf(actor, item, a),
  };
}

async function lockItem(tx: Tx, id: string): Promise<ItemRow> {
  const [row] = await tx.select().from(kbItems).where(eq(kbItems.id, id)).for('update');
  if (!row) throw notFound('Knowledge item');
  return row;
}

async function writeVersion(tx: Tx, item: ItemRow, authorId: string | null, note: string | null) {
  await tx.insert(kbVersions).values({
    id: uuidv7(), itemId: item.id, version: item.version, kind: item.kind, title: item.title, body: item.body, variants: item.variants, tags: item.tags,
    categoryId: item.categoryId, scenario: item.scenario, audience: item.audience, authorId, note,
  });
}

/** After the transaction committed: make the change visible to this process's search at once. */
async function reindex(database: Database, id: string) {
  const s = kbSearchOf(database);
  if (!s) return;
  s.categories = null; // an edit may have created a category (by name)
  await s.refresh(id);
}
async function announce(database: Database, tx: Tx, id: string) {
  await kbSearchOf(database)?.announce(tx, { item: id });
}

export async function createItem(database: Database, ctx: Ctx, input: ItemCreateInput) {
  authorize(ctx.actor, 'kb.write');
  const actor = requireStaff(ctx.actor);
  const out = await database.transaction(async (tx) => {
    const categoryId = await resolveCategory(tx, ctx, input.category);
    if (input.ownerId) {
      const [o] = await tx.select({ id: staff.id }).from(staff).where(and(eq(staff.id, input.ownerId), eq(staff.active, true)));
      if (!o) throw invalid('ownerId', 'no such active staff member');
    }
    const [item] = await tx.insert(kbItems).values({
      id: uuidv7(), kind: input.kind, title: input.title, body: cleanBody(input.kind, input.body), variants: uniq(input.variants), categoryId,
      tags: uniq(input.tags), scenario: input.scenario ?? null, audience: input.audience, status: 'draft', ownerId: input.ownerId ?? actor.id, authorId: actor.id,
      reviewDueOn: input.reviewDueOn ?? null, version: 1,
    }).returning();
    await writeVersion(tx, item!, actor.id, null);
    await writeAudit(tx, ctx, { action: 'kb.item.created', targetType: 'kb_item', targetId: item!.id, changes: diff(null, { kind: item!.kind, title: item!.title, categoryId, audience: item!.audience, status: 'draft' }) });
    return present(tx, ctx.actor, item!);
  });
  return out;
}

export async function getItem(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'kb.view');
  const [item] = await database.db.select().from(kbItems).where(eq(kbItems.id, id));
  if (!item) throw notFound('Knowledge item');
  const cats = await categoryMap(database.db);
  if (!visible(await accessOf(database.db, ctx.actor, item, cats), item)) throw notFound('Knowledge item');
  const reviews = await database.db.select({ r: kbReviews, name: staff.name }).from(kbReviews).leftJoin(staff, eq(staff.id, kbReviews.reviewerId)).where(eq(kbReviews.itemId, id)).orderBy(desc(kbReviews.createdAt));
  return {
    ...(await present(database.db, ctx.actor, item, cats)),
    reviews: reviews.map(({ r, name }) => ({ id: r.id, version: r.version, reviewerId: r.reviewerId, reviewerName: name, decision: r.decision as 'approve' | 'return', comment: r.comment, createdAt: r.createdAt.toISOString() })),
  };
}

/**
 * Save a change. Rules: drafts are edited by their editors (author, owner, experts of the category, KB managers);
 * an item in review cannot change (return it first); a published item edited by an expert of its category (or an
 * admin) stays published — the expert's edit is the review — and any other editor's change withdraws it to draft,
 * so unreviewed text never reaches customers. Retired items are not edited.
 */
export async function updateItem(database: Database, ctx: Ctx, id: string, input: ItemPatchInput, restoredFrom?: number) {
  authorize(ctx.actor, 'kb.write');
  const actor = requireStaff(ctx.actor);
  const out = await database.transaction(async (tx) => {
    const cur = await lockItem(tx, id);
    const cats = await categoryMap(tx);
    const a = await accessOf(tx, actor, cur, cats);
    if (!visible(a, cur)) throw notFound('Knowledge item');
    if (!editorOf(a)) throw new AppError('forbidden', 'Only the author, the owner, an expert of the category or a KB manager edits this item');
    if (cur.status === 'in_review') throw new AppError('conflict', 'The item is in review; the reviewer returns it before it can change', { errors: [{ path: 'status', message: 'in_review' }] });
    if (cur.status === 'retired') throw new AppError('conflict', 'The item is retired', { errors: [{ path: 'status', message: 'retired' }] });
    const kind = input.kind ?? (cur.kind as KbKind);
    const categoryId = input.category !== undefined ? await resolveCategory(tx, ctx, input.category) : cur.categoryId;
    if (input.ownerId) {
      const [o] = await tx.select({ id: staff.id }).from(staff).where(and(eq(staff.id, input.ownerId), eq(staff.active, true)));
      if (!o) throw invalid('ownerId', 'no such active staff member');
    }
    const next = {
      kind, title: input.title ?? cur.title, body: input.body !== undefined ? cleanBody(kind, input.body) : (kind !== cur.kind ? cleanBody(kind, cur.body) : cur.body),
      variants: input.variants !== undefined ? uniq(input.variants) : cur.variants, tags: input.tags !== undefined ? uniq(input.tags) : cur.tags,
      scenario: input.scenario !== undefined ? input.scenario ?? null : cur.scenario, audience: input.audience ?? cur.audience, categoryId,
    };
    const contentChanged = (Object.keys(next) as (keyof typeof next)[]).some((k) => JSON.stringify(next[k]) !== JSON.stringify(cur[k]));
    const set: Partial<ItemRow> = { updatedAt: new Date() };
    if (input.ownerId !== undefined) set.ownerId = input.ownerId ?? cur.ownerId;
    if (input.reviewDueOn !== undefined) set.reviewDueOn = input.reviewDueOn;
    let status = cur.status as KbStatus;
    if (contentChanged) {
      Object.assign(set, next, { version: cur.version + 1 });
      if (status === 'published' || status === 'needs_update') {
        // The new category's experts decide when the category changes.
        const expertNow = a.admin || await isExpert(tx, actor, categoryId, cats);
        if (expertNow) {
          status = 'published';
          Object.assign(set, { publishedVersion: cur.version + 1, publishedAt: new Date(), statusReason: null, reviewDueOn: input.reviewDueOn ?? addDays(localDay(), REVIEW_CYCLE_DAYS) });
        } else {
          status = 'draft';
          set.statusReason = 'withdrawn for review after an edit';
        }
      }
      set.status = status;
    }
    const [row] = await tx.update(kbItems).set(set).where(eq(kbItems.id, id)).returning();
    if (contentChanged) {
      await writeVersion(tx, row!, actor.id, input.note ?? (restoredFrom ? `恢复自第 ${restoredFrom} 版` : null));
      if (status === 'published') await credit(tx, actor.id, row!, 'revised');
    }
    const keys = ['kind', 'title', 'categoryId', 'audience', 'scenario', 'tags', 'variants', 'status', 'ownerId', 'reviewDueOn', 'version'] as const;
    const pick = (r: ItemRow) => Object.fromEntries(keys.map((k) => [k, r[k]]));
    const changes = diff(pick(cur), pick(row!));
    if (cur.body !== row!.body) changes.body = { before: `${cur.body.length} chars`, after: `${row!.body.length} chars` };
    await writeAudit(tx, ctx, { action: restoredFrom ? 'kb.item.restored' : 'kb.item.updated', targetType: 'kb_item', targetId: id, changes });
    await announce(database, tx, id);
    return present(tx, ctx.actor, row!, cats);
  });
  await reindex(database, id);
  return out;
}

async function credit(tx: Tx, staffId: string | null, item: ItemRow, kind: 'created' | 'revised') {
  if (!staffId) return;
  await tx.insert(kbContributions).values({ staffId, itemId: item.id, version: item.version, kind }).onConflictDoNothing();
}

export async function submitItem(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'kb.write');
  const actor = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const cur = await lockItem(tx, id);
    const cats = await categoryMap(tx);
    const a = await accessOf(tx, actor, cur, cats);
    if (!visible(a, cur)) throw notFound('Knowledge item');
    if (!editorOf(a)) throw new AppError('forbidden', 'Only the author, the owner, an expert or a KB manager submits this item');
    if (cur.status !== 'draft') throw new AppError('conflict', `Only a draft can be submitted (the item is ${cur.status})`, { errors: [{ path: 'status', message: cur.status }] });
    if (!htmlToText(cur.body).trim()) throw invalid('body', 'an empty item cannot be submitted');
    const [row] = await tx.update(kbItems).set({ status: 'in_review', statusReason: null, updatedAt: new Date() }).where(eq(kbItems.id, id)).returning();
    await writeAudit(tx, ctx, { action: 'kb.item.submitted', targetType: 'kb_item', targetId: id, changes: diff({ status: cur.status }, { status: 'in_review' }) });
    // Tell the category's experts.
    const ids = pathOf(cats, cur.categoryId).map((c) => c.id);
    const experts = ids.length ? await tx.selectDistinct({ id: kbCategoryExperts.staffId }).from(kbCategoryExperts).where(inArray(kbCategoryExperts.categoryId, ids)) : [];
    for (const e of experts) if (e.id !== actor.id) await notify(tx, { recipientId: e.id, kind: 'kb.review_requested', title: `知识待审核：${cur.title}`, data: { itemId: id } });
    return present(tx, ctx.actor, row!, cats);
  });
}

/** Approve (→ published, the version's author is credited) or return with comments (→ draft). Experts of the category or an admin only. */
export async function reviewItem(database: Database, ctx: Ctx, id: string, input: { decision: 'approve' | 'return'; comment?: string | undefined }) {
  authorize(ctx.actor, 'kb.view');
  const actor = requireStaff(ctx.actor);
  const out = await database.transaction(async (tx) => {
    const cur = await lockItem(tx, id);
    const cats = await categoryMap(tx);
    const a = await accessOf(tx, actor, cur, cats);
    if (!visible(a, cur)) throw notFound('Knowledge item');
    if (!a.admin && !(a.expert && can(actor, 'kb.review'))) throw new AppError('forbidden', 'Only an expert of this category (or an admin) reviews it');
    if (cur.status !== 'in_review') throw new AppError('conflict', `The item is not in review (it is ${cur.status})`, { errors: [{ path: 'status', message: cur.status }] });
    const [last] = await tx.select({ authorId: kbVersions.authorId }).from(kbVersions).where(and(eq(kbVersions.itemId, id), eq(kbVersions.version, cur.version)));
    if (input.decision === 'return' && !input.comment) throw invalid('comment', 'say what to change when returning an item');
    await tx.insert(kbReviews).values({ id: uuidv7(), itemId: id, version: cur.version, reviewerId: actor.id, decision: input.decision, comment: input.comment ?? null });
    let row: ItemRow;
    if (input.decision === 'approve') {
      const first = cur.publishedVersion === null;
      [row] = (await tx.update(kbItems).set({
        status: 'published', statusReason: null, publishedVersion: cur.version, publishedAt: new Date(), updatedAt: new Date(),
        reviewDueOn: cur.reviewDueOn && cur.reviewDueOn > localDay() ? cur.reviewDueOn : addDays(localDay(), REVIEW_CYCLE_DAYS),
      }).where(eq(kbItems.id, id)).returning()) as [ItemRow];
      await credit(tx, last?.authorId ?? cur.authorId, row, first ? 'created' : 'revised');
    } else {
      [row] = (await tx.update(kbItems).set({ status: 'draft', statusReason: input.comment ?? null, updatedAt: new Date() }).where(eq(kbItems.id, id)).returning()) as [ItemRow];
    }
    await writeAudit(tx, ctx, { action: input.decision === 'approve' ? 'kb.item.approved' : 'kb.item.returned', targetType: 'kb_item', targetId: id, changes: diff({ status: cur.status }, { status: row.status, ...(input.comment ? { comment: input.comment } : {}) }) });
    const notifyId = cur.authorId ?? cur.ownerId;
    if (notifyId && notifyId !== actor.id) await notify(tx, { recipientId: notifyId, kind: input.decision === 'approve' ? 'kb.approved' : 'kb.returned', title: `${input.decision === 'approve' ? '知识已发布' : '知识被退回'}：${cur.title}`, data: { itemId: id, comment: input.comment ?? null } });
    await announce(database, tx, id);
    return present(tx, ctx.actor, row, cats);
  });
  await reindex(database, id);
  return out;
}

async function setStatus(database: Database, ctx: Ctx, id: string, to: 'needs_update' | 'retired', reason: string | null, check: (a: Access, cur: ItemRow) => void, action: string) {
  const out = await database.transaction(async (tx) => {
    const cur = await lockItem(tx, id);
    const cats = await categoryMap(tx);
    const a = await accessOf(tx, ctx.actor, cur, cats);
    if (ctx.actor.kind === 'staff' && !visible(a, cur)) throw notFound('Knowledge item');
    check(a, cur);
    const [row] = await tx.update(kbItems).set({ status: to, statusReason: reason, updatedAt: new Date() }).where(eq(kbItems.id, id)).returning();
    await writeAudit(tx, ctx, { action, targetType: 'kb_item', targetId: id, changes: diff({ status: cur.status }, { status: to, ...(reason ? { reason } : {}) }) });
    if (to === 'needs_update' && cur.ownerId && cur.ownerId !== ctx.actor.id) await notify(tx, { recipientId: cur.ownerId, kind: 'kb.needs_update', title: `知识需更新：${cur.title}`, data: { itemId: id, reason } });
    await announce(database, tx, id);
    return present(tx, ctx.actor, row!, cats);
  });
  await reindex(database, id);
  return out;
}

/** An agent flags a published item as out of date. */
export function flagItem(database: Database, ctx: Ctx, id: string, reason: string) {
  authorize(ctx.actor, 'kb.view');
  requireStaff(ctx.actor);
  return setStatus(database, ctx, id, 'needs_update', reason, (_a, cur) => {
    if (cur.status !== 'published') throw new AppError('conflict', `Only a published item is flagged (it is ${cur.status})`, { errors: [{ path: 'status', message: cur.status }] });
  }, 'kb.item.flagged');
}

export function retireItem(database: Database, ctx: Ctx, id: string, reason?: string) {
  authorize(ctx.actor, 'kb.write');
  requireStaff(ctx.actor);
  return setStatus(database, ctx, id, 'retired', reason ?? null, (a, cur) => {
    if (!(a.owner || a.expert || a.manage)) throw new AppError('forbidden', 'Only the owner, an expert of the category or a KB manager retires an item');
    if (cur.status === 'retired') throw new AppError('conflict', 'Already retired');
  }, 'kb.item.retired');
}

/** Periodic check: published items whose review date passed become needs_update. Returns how many changed. */
export async function markOverdue(database: Database, ctx: Ctx, today = localDay()): Promise<number> {
  const rows = await database.transaction(async (tx) => {
    const due = await tx.select().from(kbItems).where(and(eq(kbItems.status, 'published'), lt(kbItems.reviewDueOn, today))).for('update', { skipLocked: true });
    for (const cur of due) {
      await tx.update(kbItems).set({ status: 'needs_update', statusReason: `review due ${cur.reviewDueOn}`, updatedAt: new Date() }).where(eq(kbItems.id, cur.id));
      await writeAudit(tx, ctx, { action: 'kb.item.review_due', targetType: 'kb_item', targetId: cur.id, changes: diff({ status: 'published' }, { status: 'needs_update' }) });
      if (cur.ownerId) await notify(tx, { recipientId: cur.ownerId, kind: 'kb.needs_update', title: `知识到期待复审：${cur.title}`, data: { itemId: cur.id, reason: 'review_due' } });
      await announce(database, tx, cur.id);
    }
    return due;
  });
  for (const r of rows) await reindex(database, r.id);
  return rows.length;
}

export async function listItems(database: Database, ctx: Ctx, q: { status?: KbStatus | undefined; kind?: KbKind | undefined; categoryId?: string | undefined; audience?: string | undefined; mine?: 'true' | 'false' | undefined; q?: string | undefined; limit: number; cursor?: string | undefined }) {
  authorize(ctx.actor, 'kb.view');
  const actor = requireStaff(ctx.actor);
  const cats = await categoryMap(database.db);
  const conds: SQL[] = [];
  if (q.status) conds.push(eq(kbItems.status, q.status));
  if (q.kind) conds.push(eq(kbItems.kind, q.kind));
  if (q.audience) conds.push(eq(kbItems.audience, q.audience));
  if (q.categoryId) conds.push(inArray(kbItems.categoryId, [...subtreeOf(cats, q.categoryId)]));
  if (q.mine === 'true') conds.push(or(eq(kbItems.authorId, actor.id), eq(kbItems.ownerId, actor.id))!);
  if (q.cursor) conds.push(lt(kbItems.id, q.cursor));
  if (q.q) conds.push(sql`(${kbItems.title} ILIKE ${'%' + q.q.replace(/[\\%_]/g, (c) => '\\' + c) + '%'} OR ${q.q} = ANY(${kbItems.tags}))`);
  // Scope: searchable items for everyone with kb.view; drafts/in review to their editors; retired to managers, owners, experts.
  if (!can(actor, 'kb.manage')) {
    const expertCats = (await database.db.select({ id: kbCategoryExperts.categoryId }).from(kbCategoryExperts).where(eq(kbCategoryExperts.staffId, actor.id))).map((r) => r.id);
    const expertOf = new Set<string>();
    for (const c of expertCats) for (const s of subtreeOf(cats, c)) expertOf.add(s);
    const mine = or(eq(kbItems.authorId, actor.id), eq(kbItems.ownerId, actor.id), expertOf.size ? inArray(kbItems.categoryId, [...expertOf]) : sql`false`)!;
    conds.push(or(inArray(kbItems.status, ['published', 'needs_update']), and(sql`${kbItems.status} <> 'retired'`, mine), and(eq(kbItems.status, 'retired'), or(eq(kbItems.ownerId, actor.id), expertOf.size ? inArray(kbItems.categoryId, [...expertOf]) : sql`false`)))!);
  }
  const rows = await database.db.select().from(kbItems).where(conds.length ? and(...conds) : undefined).orderBy(desc(kbItems.id)).limit(q.limit + 1);
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  const ids = [...new Set(page.flatMap((r) => [r.ownerId, r.authorId]).filter((x): x is string => !!x))];
  const names = ids.length ? await database.db.select({ id: staff.id, name: staff.name }).from(staff).where(inArray(staff.id, ids)) : [];
  const nameOf = (id: string | null) => (id ? names.find((n) => n.id === id)?.name ?? null : null);
  return {
    items: page.map((r) => summary(r, cats, nameOf)),
    nextCursor: more ? page[page.length - 1]!.id : null,
  };
}

function summary(r: ItemRow, cats: Map<string, CategoryRow>, nameOf: (id: string | null) => string | null) {
  const text = r.kind === 'script' ? r.body : htmlToText(r.body);
  return {
    id: r.id, kind: r.kind as KbKind, title: r.title, categoryId: r.categoryId, categoryName: cats.get(r.categoryId)?.name ?? null,
    categoryPath: pathOf(cats, r.categoryId).map((c) => c.name), tags: r.tags, scenario: r.scenario, audience: r.audience as 'internal' | 'customer',
    status: r.status as KbStatus, statusReason: r.statusReason, ownerId: r.ownerId, ownerName: nameOf(r.ownerId), authorId: r.authorId, authorName: nameOf(r.authorId),
    reviewDueOn: r.reviewDueOn, version: r.version, publishedVersion: r.publishedVersion, helpfulCount: r.helpfulCount, notHelpfulCount: r.notHelpfulCount,
    usedCount: r.usedCount, publishedAt: iso(r.publishedAt), createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString(),
    excerpt: text.replace(/\s+/g, ' ').slice(0, 120),
  };
}

/** Review queue: items in review in the categories the actor is an expert of (admins: all). */
export async function reviewQueue(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'kb.review');
  const actor = requireStaff(ctx.actor);
  const cats = await categoryMap(database.db);
  let cond: SQL = eq(kbItems.status, 'in_review');
  if (!isAdmin(actor)) {
    const expertCats = (await database.db.select({ id: kbCategoryExperts.categoryId }).from(kbCategoryExperts).where(eq(kbCategoryExperts.staffId, actor.id))).map((r) => r.id);
    const ids = new Set<string>();
    for (const c of expertCats) for (const s of subtreeOf(cats, c)) ids.add(s);
    if (!ids.size) return { items: [] };
    cond = and(cond, inArray(kbItems.categoryId, [...ids]))!;
  }
  const rows = await database.db.select({ r: kbItems, author: staff.name }).from(kbItems).leftJoin(staff, eq(staff.id, kbItems.authorId)).where(cond).orderBy(kbItems.updatedAt).limit(200);
  return { items: rows.map(({ r, author }) => summary(r, cats, (id) => (id === r.authorId ? author : null))) };
}

// ───────────────────────────── versions ─────────────────────────────

async function visibleItem(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'kb.view');
  const [item] = await database.db.select().from(kbItems).where(eq(kbItems.id, id));
  if (!item || !visible(await accessOf(database.db, ctx.actor, item), item)) throw notFound('Knowledge item');
  return item;
}

export async function listVersions(database: Database, ctx: Ctx, id: string) {
  const item = await visibleItem(database, ctx, id);
  const rows = await database.db.select({ v: kbVersions, name: staff.name }).from(kbVersions).leftJoin(staff, eq(staff.id, kbVersions.authorId)).where(eq(kbVersions.itemId, id)).orderBy(desc(kbVersions.version));
  return {
    items: rows.map(({ v, name }) => ({
      version: v.version, title: v.title, authorId: v.authorId, authorName: name, note: v.note, createdAt: v.createdAt.toISOString(),
      published: v.version === item.publishedVersion, current: v.version === item.version,
    })),
  };
}

function versionText(v: typeof kbVersions.$inferSelect): string {
  const body = v.kind === 'script' ? v.body : htmlToText(v.body);
  return [`# ${v.title}`, ...(v.variants.length ? [`问法：${v.variants.join(' / ')}`] : []), ...(v.tags.length ? [`标签：${v.tags.join('、')}`] : []), '', body].join('\n');
}

export async function versionDiff(database: Database, ctx: Ctx, id: string, version: number, against?: number) {
  await visibleItem(database, ctx, id);
  const want = [version, against ?? version - 1].filter((n) => n >= 1);
  const rows = await database.db.select().from(kbVersions).where(and(eq(kbVersions.itemId, id), inArray(kbVersions.version, want)));
  const v = rows.find((r) => r.version === version);
  if (!v) throw notFound('Version');
  const base = rows.find((r) => r.version === (against ?? version - 1));
  if (against !== undefined && !base) throw notFound('Version');
  return { version, against: base?.version ?? null, title: v.title, body: v.body, lines: diffLines(base ? versionText(base) : '', versionText(v)) };
}

export async function restoreVersion(database: Database, ctx: Ctx, id: string, version: number) {
  await visibleItem(database, ctx, id);
  const [v] = await database.db.select().from(kbVersions).where(and(eq(kbVersions.itemId, id), eq(kbVersions.version, version)));
  if (!v) throw notFound('Version');
  return updateItem(database, ctx, id, { kind: v.kind as KbKind, title: v.title, body: v.body, variants: v.variants, tags: v.tags, category: v.categoryId, scenario: v.scenario, audience: v.audience as 'internal' | 'customer' }, version);
}

// ───────────────────────────── search ─────────────────────────────

async function search(database: Database): Promise<KbSearch> {
  const s = kbSearchOf(database);
  if (!s) throw new AppError('unavailable', 'Search is starting');
  await s.ready();
  return s;
}

export async function searchItems(database: Database, ctx: Ctx, q: { q: string; limit: number; kind?: KbKind | undefined; categoryId?: string | undefined }) {
  if (ctx.actor.kind === 'staff') authorize(ctx.actor, 'kb.view');
  else if (ctx.actor.kind !== 'customer') throw new AppError('forbidden');
  const s = await search(database);
  const cats = await cachedCategories(database);
  const filter: SearchFilter = { customer: ctx.actor.kind === 'customer' };
  if (q.kind) filter.kinds = [q.kind];
  if (q.categoryId) filter.categoryIds = subtreeOf(cats, q.categoryId);
  const hits = s.search(q.q, { limit: q.limit, filter });
  return { hits: hits.map((h) => presentHit(h, cats)) };
}

function presentHit(h: ReturnType<KbSearch['search']>[number], cats: Map<string, CategoryRow>) {
  return {
    id: h.id, title: h.meta.title, snippet: h.snippet, score: Math.round(h.score * 10_000) / 10_000, kind: h.meta.kind,
    categoryId: h.meta.categoryId, categoryName: cats.get(h.meta.categoryId)?.name ?? null, audience: h.meta.audience, status: h.meta.status,
  };
}

// ───────────────────────────── in the ticket ─────────────────────────────

async function ticketFor(database: Database, ctx: Ctx, ticketId: string) {
  authorize(ctx.actor, 'tickets.work');
  authorize(ctx.actor, 'kb.view');
  const t = await ticketsRepo.visibleById(database.db, ctx.actor, ticketId);
  if (!t) throw notFound('Ticket');
  return t;
}

/** The text a ticket is searched with: subject, description and the latest customer messages. */
export async function ticketQuery(ex: Executor, t: { id: string; subject: string; description: string }): Promise<string> {
  const msgs = await ex.select({ body: ticketReplies.body }).from(ticketReplies)
    .where(and(eq(ticketReplies.ticketId, t.id), eq(ticketReplies.authorKind, 'customer'))).orderBy(desc(ticketReplies.id)).limit(3);
  return [t.subject, t.description, ...msgs.reverse().map((m) => m.body)].filter(Boolean).join('\n').slice(0, 2000);
}

/**
 * Suggestions for a ticket: articles/procedures/FAQ/cases and, separately, scripts, for the ticket text. The ticket's
 * category is a tie-breaker: items filed under a KB category (or tagged) with the same name get a 20% boost.
 */
export async function suggestions(database: Database, ctx: Ctx, ticketId: string, limit = 5) {
  const t = await ticketFor(database, ctx, ticketId);
  const s = await search(database);
  const cats = await cachedCategories(database);
  const query = await ticketQuery(database.db, t);
  const ticketCategory = t.categoryId ? (await database.rows<{ name: string }>(sql`SELECT name FROM categories WHERE id = ${t.categoryId}`))[0]?.name ?? null : null;
  const boost = (h: ReturnType<KbSearch['search']>[number]) => {
    if (!ticketCategory) return h.score;
    const inCat = pathOf(cats, h.meta.categoryId).some((c) => c.name === ticketCategory);
    return inCat ? h.score * 1.2 : h.score;
  };
  const rank = (hits: ReturnType<KbSearch['search']>) => hits.map((h) => ({ h, score: boost(h) })).sort((a, b) => b.score - a.score);
  const items = rank(s.search(query, { limit: limit * 3, filter: { excludeKinds: ['script'] } })).slice(0, limit);
  const scripts = rank(s.search(query, { limit: 9, filter: { kinds: ['script'] } })).slice(0, 3);
  const usage = await database.db.select().from(kbUsage).where(eq(kbUsage.ticketId, ticketId));
  const mark = (id: string) => ({ used: usage.some((u) => u.itemId === id && u.kind === 'used'), notHelpful: usage.some((u) => u.itemId === id && u.kind === 'not_helpful') });
  const withBody = async (ids: string[]) => ids.length ? new Map((await database.db.select({ id: kbItems.id, body: kbItems.body, kind: kbItems.kind }).from(kbItems).where(inArray(kbItems.id, ids))).map((r) => [r.id, r])) : new Map();
  const scriptBodies = await withBody(scripts.map((x) => x.h.id));
  return {
    query,
    ticketCategory,
    items: items.map(({ h, score }) => ({ ...presentHit(h, cats), score: Math.round(score * 10_000) / 10_000, ...mark(h.id) })),
    scripts: scripts.map(({ h, score }) => ({ ...presentHit(h, cats), score: Math.round(score * 10_000) / 10_000, body: (scriptBodies.get(h.id)?.body as string | undefined) ?? '', ...mark(h.id) })),
  };
}

/** Fill a script's placeholders from the ticket, its customer and the acting agent. */
export async function renderForTicket(database: Database, ctx: Ctx, ticketId: string, itemId: string) {
  const t = await ticketFor(database, ctx, ticketId);
  const actor = requireStaff(ctx.actor);
  const [item] = await database.db.select().from(kbItems).where(eq(kbItems.id, itemId));
  if (!item || !SEARCHABLE.includes(item.status as KbStatus)) throw notFound('Knowledge item');
  const [cust] = await database.db.select({ name: customers.name }).from(customers).where(eq(customers.id, t.customerId));
  const [owner] = t.ownerId ? await database.db.select({ name: staff.name, roles: staff.roles }).from(staff).where(eq(staff.id, t.ownerId)) : [];
  const standards = await readStandards(database.db, t.id);
  const due = standards.filter((x) => x.state === 'running' && x.dueAt).map((x) => new Date(x.dueAt as unknown as string)).sort((a, b) => a.getTime() - b.getTime())[0];
  const org = (await database.rows<{ value: { org?: string } }>(sql`SELECT value FROM settings WHERE key = 'demo.loaded'`))[0]?.value?.org?.replace(/（演示）$/, '') ?? null;
  const text = item.kind === 'script' ? item.body : htmlToText(item.body);
  const values: Record<string, string | null> = {
    客户称呼: addressOf(cust?.name), 客户姓名: cust?.name ?? null, 工单号: t.number, 工单标题: t.subject,
    预计时间: due ? formatLocal(due) : null, 技师姓名: owner && owner.roles.includes('technician') ? owner.name : null,
    客服姓名: actor.name, 客服工号: actor.employeeNo, 服务地址: t.site, 当前时间: formatLocal(new Date()), 公司名称: org,
  };
  return { itemId, ...renderScript(text, values) };
}

export async function recordUsage(database: Database, ctx: Ctx, ticketId: string, input: { itemId: string; kind: 'used' | 'not_helpful' }) {
  const t = await ticketFor(database, ctx, ticketId);
  const actor = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const [item] = await tx.select().from(kbItems).where(eq(kbItems.id, input.itemId));
    if (!item || !SEARCHABLE.includes(item.status as KbStatus)) throw invalid('itemId', 'no such published knowledge item');
    const inserted = await tx.insert(kbUsage).values({ ticketId: t.id, itemId: item.id, kind: input.kind, staffId: actor.id }).onConflictDoNothing().returning();
    if (inserted.length) {
      await tx.update(kbItems).set(input.kind === 'used' ? { usedCount: sql`${kbItems.usedCount} + 1` } : { notHelpfulCount: sql`${kbItems.notHelpfulCount} + 1` }).where(eq(kbItems.id, item.id));
      await writeAudit(tx, ctx, { action: `kb.usage.${input.kind}`, targetType: 'ticket', targetId: t.id, changes: diff(null, { itemId: item.id, kind: input.kind }) });
    }
    const [row] = await tx.select().from(kbUsage).where(and(eq(kbUsage.ticketId, t.id), eq(kbUsage.itemId, item.id), eq(kbUsage.kind, input.kind)));
    return { created: inserted.length > 0, usage: { ticketId: t.id, itemId: item.id, kind: input.kind, staffId: row!.staffId, at: row!.at.toISOString() } };
  });
}

export async function ticketUsage(database: Database, ctx: Ctx, ticketId: string) {
  const t = await ticketFor(database, ctx, ticketId);
  const rows = await database.db.select({ u: kbUsage, title: kbItems.title, kind: kbItems.kind }).from(kbUsage).innerJoin(kbItems, eq(kbItems.id, kbUsage.itemId)).where(eq(kbUsage.ticketId, t.id)).orderBy(kbUsage.id);
  return { items: rows.map(({ u, title, kind }) => ({ ticketId: u.ticketId, itemId: u.itemId, title, itemKind: kind, kind: u.kind as 'used' | 'not_helpful', staffId: u.staffId, at: u.at.toISOString() })) };
}

/** Knowledge application rate: tickets resolved in [from, to) with knowledge used / all tickets resolved then. */
export async function applicationRate(database: Database, ctx: Ctx, q: { from?: string | undefined; to?: string | undefined }) {
  authorize(ctx.actor, 'kb.view');
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * 86_400_000);
  if (from >= to) throw invalid('from', 'must be before to');
  const [r] = await database.rows<{ resolved: number; used: number }>(sql`
    SELECT count(*)::int AS resolved,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM kb_usage u WHERE u.ticket_id = t.id AND u.kind = 'used'))::int AS used
    FROM ${tickets} t WHERE t.resolved_at >= ${from.toISOString()}::timestamptz AND t.resolved_at < ${to.toISOString()}::timestamptz AND t.merged_into_id IS NULL`);
  const resolved = r?.resolved ?? 0;
  const used = r?.used ?? 0;
  return { from: from.toISOString(), to: to.toISOString(), resolved, resolvedWithKnowledge: used, rate: resolved ? used / resolved : null };
}

export async function contributions(database: Database, ctx: Ctx, q: { from?: string | undefined; to?: string | undefined }) {
  authorize(ctx.actor, 'kb.view');
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : new Date(0);
  const rows = await database.rows<{ staff_id: string; name: string; employee_no: string; created: number; revised: number }>(sql`
    SELECT c.staff_id, s.name, s.employee_no, count(*) FILTER (WHERE c.kind = 'created')::int AS created, count(*) FILTER (WHERE c.kind = 'revised')::int AS revised
    FROM kb_contributions c JOIN staff s ON s.id = c.staff_id
    WHERE c.at >= ${from.toISOString()}::timestamptz AND c.at < ${to.toISOString()}::timestamptz
    GROUP BY c.staff_id, s.name, s.employee_no ORDER BY count(*) DESC, s.employee_no`);
  return { items: rows.map((r) => ({ staffId: r.staff_id, name: r.name, employeeNo: r.employee_no, created: r.created, revised: r.revised, count: r.created + r.revised })) };
}

export async function staffContributions(database: Database, ctx: Ctx, staffId: string) {
  authorize(ctx.actor, 'kb.view');
  const rows = await database.db.select({ c: kbContributions, title: kbItems.title, status: kbItems.status }).from(kbContributions).innerJoin(kbItems, eq(kbItems.id, kbContributions.itemId))
    .where(eq(kbContributions.staffId, staffId)).orderBy(desc(kbContributions.at)).limit(500);
  return { count: rows.length, items: rows.map(({ c, title, status }) => ({ itemId: c.itemId, title, status, version: c.version, kind: c.kind as 'created' | 'revised', at: c.at.toISOString() })) };
}

// ───────────────────────────── vocabulary ─────────────────────────────

export async function listVocabulary(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'kb.view');
  const rows = await database.db.select().from(kbVocabulary).orderBy(kbVocabulary.kind, kbVocabulary.createdAt);
  return { items: rows.map((r) => ({ id: r.id, kind: r.kind as 'word' | 'synonyms' | 'rule', term: r.term, expansions: r.expansions, createdAt: r.createdAt.toISOString() })) };
}

export async function addVocabulary(database: Database, ctx: Ctx, input: { kind: 'word' | 'synonyms' | 'rule'; term?: string | undefined; expansions: string[] }) {
  authorize(ctx.actor, 'kb.manage');
  const expansions = uniq(input.expansions);
  let term = (input.term ?? '').trim();
  if (input.kind === 'word') {
    if (!term || /\s/.test(term)) throw invalid('term', 'one word without spaces');
  } else if (input.kind === 'synonyms') {
    if (expansions.length < 2) throw invalid('expansions', 'a synonym group needs at least two members');
    term = expansions[0]!;
  } else {
    if (!term) throw invalid('term', 'the phrase to rewrite');
    if (!expansions.length) throw invalid('expansions', 'what the phrase means');
  }
  const row = await database.transaction(async (tx) => {
    const [r] = await tx.insert(kbVocabulary).values({ id: uuidv7(), kind: input.kind, term, expansions: input.kind === 'word' ? [] : expansions, createdBy: ctx.actor.id }).onConflictDoNothing().returning();
    if (!r) throw new AppError('conflict', `${term} is already in the list`, { errors: [{ path: 'term', message: 'already in the list' }] });
    await writeAudit(tx, ctx, { action: 'kb.vocabulary.added', targetType: 'kb_vocabulary', targetId: r.id, changes: diff(null, { kind: r.kind, term: r.term, expansions: r.expansions }) });
    await kbSearchOf(database)?.announce(tx, { vocabulary: true });
    return r;
  });
  await kbSearchOf(database)?.reloadAll();
  return { id: row.id, kind: row.kind as 'word' | 'synonyms' | 'rule', term: row.term, expansions: row.expansions, createdAt: row.createdAt.toISOString() };
}

export async function removeVocabulary(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'kb.manage');
  await database.transaction(async (tx) => {
    const [r] = await tx.delete(kbVocabulary).where(eq(kbVocabulary.id, id)).returning();
    if (!r) throw notFound('Vocabulary entry');
    await writeAudit(tx, ctx, { action: 'kb.vocabulary.removed', targetType: 'kb_vocabulary', targetId: id, changes: diff({ kind: r.kind, term: r.term, expansions: r.expansions }, null) });
    await kbSearchOf(database)?.announce(tx, { vocabulary: true });
  });
  await kbSearchOf(database)?.reloadAll();
}

// ───────────────────────────── help centre (public) ─────────────────────────────

export async function publicCategories(database: Database) {
  const [cats, counts] = await Promise.all([
    database.db.select().from(kbCategories).orderBy(kbCategories.position, kbCategories.name),
    database.rows<{ category_id: string; n: number }>(sql`SELECT category_id, count(*)::int AS n FROM kb_items WHERE status IN ('published','needs_update') AND audience = 'customer' GROUP BY category_id`),
  ]);
  const map = new Map(cats.map((c) => [c.id, c]));
  const own = new Map(counts.map((c) => [c.category_id, c.n]));
  const total = (id: string) => [...subtreeOf(map, id)].reduce((s, c) => s + (own.get(c) ?? 0), 0);
  return { items: cats.map((c) => ({ id: c.id, parentId: c.parentId, name: c.name, count: total(c.id) })).filter((c) => c.count > 0) };
}

const PUBLIC_COND = and(inArray(kbItems.status, ['published', 'needs_update']), eq(kbItems.audience, 'customer'));

export async function publicList(database: Database, q: { categoryId?: string | undefined; limit: number }) {
  const cats = await categoryMap(database.db);
  const cond = q.categoryId ? and(PUBLIC_COND, inArray(kbItems.categoryId, [...subtreeOf(cats, q.categoryId)])) : PUBLIC_COND;
  const rows = await database.db.select().from(kbItems).where(cond).orderBy(desc(kbItems.helpfulCount), desc(kbItems.usedCount), kbItems.title).limit(q.limit);
  return { items: rows.map((r) => ({ id: r.id, kind: r.kind as KbKind, title: r.title, categoryId: r.categoryId, categoryName: cats.get(r.categoryId)?.name ?? null, excerpt: htmlToText(r.body).replace(/\s+/g, ' ').slice(0, 80) })) };
}

export async function publicSearch(database: Database, q: { q: string; limit: number; categoryId?: string | undefined }) {
  const s = await search(database);
  const cats = await cachedCategories(database);
  const filter: SearchFilter = { customer: true, excludeKinds: ['script'] };
  if (q.categoryId) filter.categoryIds = subtreeOf(cats, q.categoryId);
  return { hits: s.search(q.q, { limit: q.limit, filter }).map((h) => presentHit(h, cats)) };
}

export async function publicItem(database: Database, id: string) {
  const [r] = await database.db.select().from(kbItems).where(and(eq(kbItems.id, id), PUBLIC_COND));
  if (!r || r.kind === 'script') throw notFound('Article');
  const cats = await categoryMap(database.db);
  return {
    id: r.id, kind: r.kind as KbKind, title: r.title, body: r.body, variants: r.variants, categoryId: r.categoryId, categoryName: cats.get(r.categoryId)?.name ?? null,
    categoryPath: pathOf(cats, r.categoryId).map((c) => c.name), tags: r.tags, updatedAt: (r.publishedAt ?? r.updatedAt).toISOString(), helpfulCount: r.helpfulCount,
  };
}

/** "Was this helpful?" from the help centre; "not helpful" flags the item for an update. */
export async function publicFeedback(database: Database, ctx: Ctx, id: string, input: { helpful: boolean; query?: string | undefined }) {
  const out = await database.transaction(async (tx) => {
    const [cur] = await tx.select().from(kbItems).where(and(eq(kbItems.id, id), PUBLIC_COND)).for('update');
    if (!cur || cur.kind === 'script') throw notFound('Article');
    await tx.insert(kbFeedback).values({ itemId: id, helpful: input.helpful ? 1 : 0, customerId: ctx.actor.kind === 'customer' ? ctx.actor.customerId : null, query: input.query ?? null });
    const set: Partial<ItemRow> = input.helpful ? { helpfulCount: cur.helpfulCount + 1 } : { notHelpfulCount: cur.notHelpfulCount + 1 };
    let flagged = false;
    if (!input.helpful && cur.status === 'published') {
      Object.assign(set, { status: 'needs_update', statusReason: input.query ? `客户反馈没有帮助（搜索：${input.query}）` : '客户反馈没有帮助', updatedAt: new Date() });
      flagged = true;
    }
    await tx.update(kbItems).set(set).where(eq(kbItems.id, id));
    if (flagged) {
      await writeAudit(tx, ctx, { action: 'kb.item.flagged', targetType: 'kb_item', targetId: id, changes: diff({ status: 'published' }, { status: 'needs_update', reason: 'customer_not_helpful' }) });
      if (cur.ownerId) await notify(tx, { recipientId: cur.ownerId, kind: 'kb.needs_update', title: `客户反馈没有帮助：${cur.title}`, data: { itemId: id } });
      await announce(database, tx, id);
    }
    return { recorded: true, helpful: input.helpful };
  });
  await reindex(database, id);
  return out;
}

