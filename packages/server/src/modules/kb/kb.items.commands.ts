/** Knowledge items: create, edit (versions), review, flag, retire, the review-date check, lists and versions. */
import type { Database, Executor, Tx } from '../../db/client';
import { msg, t, type Locale, type Message } from '../../i18n/index';
import { diff, writeAudit } from '../../lib/audit';
import type { Actor, Ctx } from '../../lib/context';
import { invalid, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { notify } from '../../lib/notify';
import { authorize, can, requireStaff } from '../identity/policy';
import { diffLines } from './diff';
import { resolveCategoryInTx } from './kb.categories.commands';
import {
  assertCanEdit,
  assertCanFlag,
  assertCanRetire,
  assertCanReview,
  assertCanSubmit,
  isKbAdmin,
  itemAbilities,
  itemVisible,
  type KbAccess,
} from './kb.policy';
import { presentItem, presentSummary, storedText, storeMessage } from './kb.present';
import { kbRepo, type ItemRow, type VersionRow } from './kb.repo';
import type { ItemCreateInput, ItemPatchInput, KbKind, KbStatus } from './kb.schema';
import { accessOf, addDays, announce, categoryMap, isExpert, localDay, namesOf, reindex, REVIEW_CYCLE_DAYS } from './kb.shared';
import { pathOf, subtreeOf, subtreesOf, type CategoryMap } from './kb.tree';
import { htmlToText, sanitizeHtml } from './sanitize';

function cleanBody(kind: KbKind, body: string): string {
  // Scripts are plain text (they are pasted into replies); everything else is sanitised rich text.
  return kind === 'script' ? htmlToText(sanitizeHtml(body)).slice(0, 50_000) : sanitizeHtml(body);
}
const uniq = (xs: readonly string[] | undefined) => [...new Set((xs ?? []).map((x) => x.trim()).filter(Boolean))];

/** A notification stored for its recipient: the title in the default language, the message for readers in another one. */
async function tell(tx: Tx, recipientId: string, kind: string, m: Message, data: Record<string, unknown>) {
  await notify(tx, { recipientId, kind, title: t(undefined, m.key, m.params), data: { ...data, message: m } });
}

async function present(ex: Executor, actor: Actor, item: ItemRow, locale: Locale | undefined, cats?: CategoryMap) {
  const map = cats ?? (await categoryMap(ex));
  const nameOf = await namesOf(ex, [item.ownerId, item.authorId]);
  const a = await accessOf(ex, actor, item, map);
  return presentItem(item, map, nameOf, itemAbilities(actor, item, a), locale);
}

async function lockItem(tx: Tx, id: string): Promise<ItemRow> {
  const row = await kbRepo.lockItem(tx, id);
  if (!row) throw notFound('Knowledge item');
  return row;
}

async function writeVersion(tx: Tx, item: ItemRow, authorId: string | null, note: string | null) {
  await kbRepo.insertVersion(tx, {
    id: uuidv7(),
    itemId: item.id,
    version: item.version,
    kind: item.kind,
    title: item.title,
    body: item.body,
    variants: item.variants,
    tags: item.tags,
    categoryId: item.categoryId,
    scenario: item.scenario,
    audience: item.audience,
    authorId,
    note,
  });
}

async function checkOwner(tx: Tx, ownerId: string | null | undefined) {
  if (ownerId && !(await kbRepo.activeStaffIds(tx, [ownerId])).has(ownerId)) throw invalid('ownerId', 'no such active staff member');
}

export async function createItem(database: Database, ctx: Ctx, input: ItemCreateInput) {
  authorize(ctx.actor, 'kb.write');
  const actor = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const categoryId = await resolveCategoryInTx(tx, ctx, input.category);
    await checkOwner(tx, input.ownerId);
    const item = await kbRepo.insertItem(tx, {
      id: uuidv7(),
      kind: input.kind,
      title: input.title,
      body: cleanBody(input.kind, input.body),
      variants: uniq(input.variants),
      categoryId,
      tags: uniq(input.tags),
      scenario: input.scenario ?? null,
      audience: input.audience,
      status: 'draft',
      ownerId: input.ownerId ?? actor.id,
      authorId: actor.id,
      reviewDueOn: input.reviewDueOn ?? null,
      version: 1,
    });
    await writeVersion(tx, item, actor.id, null);
    await writeAudit(tx, ctx, {
      action: 'kb.item.created',
      targetType: 'kb_item',
      targetId: item.id,
      changes: diff(null, { kind: item.kind, title: item.title, categoryId, audience: item.audience, status: 'draft' }),
    });
    return present(tx, ctx.actor, item, ctx.locale);
  });
}

export async function getItem(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'kb.view');
  const item = await kbRepo.itemById(database.db, id);
  if (!item) throw notFound('Knowledge item');
  const cats = await categoryMap(database.db);
  if (!itemVisible(await accessOf(database.db, ctx.actor, item, cats), item)) throw notFound('Knowledge item');
  const reviews = await kbRepo.reviewsOf(database.db, id);
  return {
    ...(await present(database.db, ctx.actor, item, ctx.locale, cats)),
    reviews: reviews.map(({ r, name }) => ({
      id: r.id,
      version: r.version,
      reviewerId: r.reviewerId,
      reviewerName: name,
      decision: r.decision as 'approve' | 'return',
      comment: r.comment,
      createdAt: r.createdAt.toISOString(),
    })),
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
    if (!itemVisible(a, cur)) throw notFound('Knowledge item');
    assertCanEdit(a, cur);
    const kind = input.kind ?? (cur.kind as KbKind);
    const categoryId = input.category !== undefined ? await resolveCategoryInTx(tx, ctx, input.category) : cur.categoryId;
    await checkOwner(tx, input.ownerId);
    const next = {
      kind,
      title: input.title ?? cur.title,
      body: input.body !== undefined ? cleanBody(kind, input.body) : kind !== cur.kind ? cleanBody(kind, cur.body) : cur.body,
      variants: input.variants !== undefined ? uniq(input.variants) : cur.variants,
      tags: input.tags !== undefined ? uniq(input.tags) : cur.tags,
      scenario: input.scenario !== undefined ? (input.scenario ?? null) : cur.scenario,
      audience: input.audience ?? cur.audience,
      categoryId,
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
        const expertNow = a.admin || (await isExpert(tx, actor, categoryId, cats));
        if (expertNow) {
          status = 'published';
          Object.assign(set, {
            publishedVersion: cur.version + 1,
            publishedAt: new Date(),
            statusReason: null,
            reviewDueOn: input.reviewDueOn ?? addDays(localDay(), REVIEW_CYCLE_DAYS),
          });
        } else {
          status = 'draft';
          set.statusReason = storeMessage(msg('kb.status.withdrawn'));
        }
      }
      set.status = status;
    }
    const row = await kbRepo.updateItem(tx, id, set);
    if (contentChanged) {
      await writeVersion(tx, row, actor.id, input.note ?? (restoredFrom ? storeMessage(msg('kb.version.restored', { version: restoredFrom })) : null));
      if (status === 'published') await kbRepo.credit(tx, actor.id, row.id, row.version, 'revised');
    }
    const keys = ['kind', 'title', 'categoryId', 'audience', 'scenario', 'tags', 'variants', 'status', 'ownerId', 'reviewDueOn', 'version'] as const;
    const pick = (r: ItemRow) => Object.fromEntries(keys.map((k) => [k, r[k]]));
    const changes = diff(pick(cur), pick(row));
    if (cur.body !== row.body) changes.body = { before: `${cur.body.length} chars`, after: `${row.body.length} chars` };
    await writeAudit(tx, ctx, { action: restoredFrom ? 'kb.item.restored' : 'kb.item.updated', targetType: 'kb_item', targetId: id, changes });
    await announce(database, tx, id);
    return present(tx, ctx.actor, row, ctx.locale, cats);
  });
  await reindex(database, id);
  return out;
}

export async function submitItem(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'kb.write');
  const actor = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const cur = await lockItem(tx, id);
    const cats = await categoryMap(tx);
    const a = await accessOf(tx, actor, cur, cats);
    if (!itemVisible(a, cur)) throw notFound('Knowledge item');
    assertCanSubmit(a, cur);
    if (!htmlToText(cur.body).trim()) throw invalid('body', 'an empty item cannot be submitted');
    const row = await kbRepo.updateItem(tx, id, { status: 'in_review', statusReason: null, updatedAt: new Date() });
    await writeAudit(tx, ctx, {
      action: 'kb.item.submitted',
      targetType: 'kb_item',
      targetId: id,
      changes: diff({ status: cur.status }, { status: 'in_review' }),
    });
    // Tell the category's experts.
    const experts = await kbRepo.expertsOfCategories(
      tx,
      pathOf(cats, cur.categoryId).map((c) => c.id),
    );
    for (const e of experts)
      if (e !== actor.id) await tell(tx, e, 'kb.review_requested', msg('kb.notify.review_requested', { title: cur.title }), { itemId: id });
    return present(tx, ctx.actor, row, ctx.locale, cats);
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
    if (!itemVisible(a, cur)) throw notFound('Knowledge item');
    assertCanReview(actor, a, cur);
    const lastAuthor = await kbRepo.versionAuthor(tx, id, cur.version);
    if (input.decision === 'return' && !input.comment) throw invalid('comment', 'say what to change when returning an item');
    await kbRepo.insertReview(tx, {
      id: uuidv7(),
      itemId: id,
      version: cur.version,
      reviewerId: actor.id,
      decision: input.decision,
      comment: input.comment ?? null,
    });
    let row: ItemRow;
    if (input.decision === 'approve') {
      const first = cur.publishedVersion === null;
      row = await kbRepo.updateItem(tx, id, {
        status: 'published',
        statusReason: null,
        publishedVersion: cur.version,
        publishedAt: new Date(),
        updatedAt: new Date(),
        reviewDueOn: cur.reviewDueOn && cur.reviewDueOn > localDay() ? cur.reviewDueOn : addDays(localDay(), REVIEW_CYCLE_DAYS),
      });
      const creditTo = lastAuthor ?? cur.authorId;
      if (creditTo) await kbRepo.credit(tx, creditTo, row.id, row.version, first ? 'created' : 'revised');
    } else {
      row = await kbRepo.updateItem(tx, id, { status: 'draft', statusReason: input.comment ?? null, updatedAt: new Date() });
    }
    await writeAudit(tx, ctx, {
      action: input.decision === 'approve' ? 'kb.item.approved' : 'kb.item.returned',
      targetType: 'kb_item',
      targetId: id,
      changes: diff({ status: cur.status }, { status: row.status, ...(input.comment ? { comment: input.comment } : {}) }),
    });
    const notifyId = cur.authorId ?? cur.ownerId;
    if (notifyId && notifyId !== actor.id) {
      const m = msg(input.decision === 'approve' ? 'kb.notify.approved' : 'kb.notify.returned', { title: cur.title });
      await tell(tx, notifyId, input.decision === 'approve' ? 'kb.approved' : 'kb.returned', m, { itemId: id, comment: input.comment ?? null });
    }
    await announce(database, tx, id);
    return present(tx, ctx.actor, row, ctx.locale, cats);
  });
  await reindex(database, id);
  return out;
}

async function setStatus(
  database: Database,
  ctx: Ctx,
  id: string,
  to: 'needs_update' | 'retired',
  reason: string | null,
  check: (a: KbAccess, cur: ItemRow) => void,
  action: string,
) {
  const out = await database.transaction(async (tx) => {
    const cur = await lockItem(tx, id);
    const cats = await categoryMap(tx);
    const a = await accessOf(tx, ctx.actor, cur, cats);
    if (ctx.actor.kind === 'staff' && !itemVisible(a, cur)) throw notFound('Knowledge item');
    check(a, cur);
    const row = await kbRepo.updateItem(tx, id, { status: to, statusReason: reason, updatedAt: new Date() });
    await writeAudit(tx, ctx, {
      action,
      targetType: 'kb_item',
      targetId: id,
      changes: diff({ status: cur.status }, { status: to, ...(reason ? { reason } : {}) }),
    });
    if (to === 'needs_update' && cur.ownerId && cur.ownerId !== ctx.actor.id)
      await tell(tx, cur.ownerId, 'kb.needs_update', msg('kb.notify.needs_update', { title: cur.title }), { itemId: id, reason });
    await announce(database, tx, id);
    return present(tx, ctx.actor, row, ctx.locale, cats);
  });
  await reindex(database, id);
  return out;
}

/** An agent flags a published item as out of date. */
export function flagItem(database: Database, ctx: Ctx, id: string, reason: string) {
  authorize(ctx.actor, 'kb.view');
  requireStaff(ctx.actor);
  return setStatus(database, ctx, id, 'needs_update', reason, (_a, cur) => assertCanFlag(cur), 'kb.item.flagged');
}

export function retireItem(database: Database, ctx: Ctx, id: string, reason?: string) {
  authorize(ctx.actor, 'kb.write');
  requireStaff(ctx.actor);
  return setStatus(database, ctx, id, 'retired', reason ?? null, (a, cur) => assertCanRetire(a, cur), 'kb.item.retired');
}

/** Periodic check: published items whose review date passed become needs_update. Returns how many changed. */
export async function markOverdue(database: Database, ctx: Ctx, today = localDay()): Promise<number> {
  const rows = await database.transaction(async (tx) => {
    const due = await kbRepo.claimOverdue(tx, today);
    for (const cur of due) {
      await kbRepo.updateItem(tx, cur.id, {
        status: 'needs_update',
        statusReason: storeMessage(msg('kb.status.review_due', { date: cur.reviewDueOn })),
        updatedAt: new Date(),
      });
      await writeAudit(tx, ctx, {
        action: 'kb.item.review_due',
        targetType: 'kb_item',
        targetId: cur.id,
        changes: diff({ status: 'published' }, { status: 'needs_update' }),
      });
      if (cur.ownerId)
        await tell(tx, cur.ownerId, 'kb.needs_update', msg('kb.notify.review_due', { title: cur.title }), { itemId: cur.id, reason: 'review_due' });
      await announce(database, tx, cur.id);
    }
    return due;
  });
  for (const r of rows) await reindex(database, r.id);
  return rows.length;
}

export async function listItems(
  database: Database,
  ctx: Ctx,
  q: {
    status?: KbStatus | undefined;
    kind?: KbKind | undefined;
    categoryId?: string | undefined;
    audience?: string | undefined;
    mine?: 'true' | 'false' | undefined;
    q?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  },
) {
  authorize(ctx.actor, 'kb.view');
  const actor = requireStaff(ctx.actor);
  const cats = await categoryMap(database.db);
  // Scope: searchable items for everyone with kb.view; drafts/in review to their editors; retired to managers, owners, experts.
  const scope = can(actor, 'kb.manage')
    ? undefined
    : { staffId: actor.id, expertCategoryIds: [...subtreesOf(cats, await kbRepo.expertCategoriesOf(database.db, actor.id))] };
  const rows = await kbRepo.listItems(database.db, {
    status: q.status,
    kind: q.kind,
    audience: q.audience,
    categoryIds: q.categoryId ? [...subtreeOf(cats, q.categoryId)] : undefined,
    mineOf: q.mine === 'true' ? actor.id : undefined,
    cursor: q.cursor,
    q: q.q,
    scope,
    limit: q.limit,
  });
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  const nameOf = await namesOf(
    database.db,
    page.flatMap((r) => [r.ownerId, r.authorId]),
  );
  return {
    items: page.map((r) => presentSummary(r, cats, nameOf, ctx.locale)),
    nextCursor: more ? page[page.length - 1]!.id : null,
  };
}

/** Review queue: items in review in the categories the actor is an expert of (admins: all). */
export async function reviewQueue(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'kb.review');
  const actor = requireStaff(ctx.actor);
  const cats = await categoryMap(database.db);
  let ids: string[] | null = null;
  if (!isKbAdmin(actor)) {
    ids = [...subtreesOf(cats, await kbRepo.expertCategoriesOf(database.db, actor.id))];
    if (!ids.length) return { items: [] };
  }
  const rows = await kbRepo.inReview(database.db, ids);
  return { items: rows.map(({ r, author }) => presentSummary(r, cats, (sid) => (sid === r.authorId ? author : null), ctx.locale)) };
}

// ───────────────────────────── versions ─────────────────────────────

async function visibleItem(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'kb.view');
  const item = await kbRepo.itemById(database.db, id);
  if (!item || !itemVisible(await accessOf(database.db, ctx.actor, item), item)) throw notFound('Knowledge item');
  return item;
}

export async function listVersions(database: Database, ctx: Ctx, id: string) {
  const item = await visibleItem(database, ctx, id);
  const rows = await kbRepo.versionsWithAuthors(database.db, id);
  return {
    items: rows.map(({ v, name }) => ({
      version: v.version,
      title: v.title,
      authorId: v.authorId,
      authorName: name,
      note: storedText(ctx.locale, v.note),
      createdAt: v.createdAt.toISOString(),
      published: v.version === item.publishedVersion,
      current: v.version === item.version,
    })),
  };
}

/** The text a version is compared by (its labels in the reader's language). */
function versionText(v: VersionRow, locale: Locale | undefined): string {
  const body = v.kind === 'script' ? v.body : htmlToText(v.body);
  return [
    `# ${v.title}`,
    ...(v.variants.length ? [t(locale, 'kb.diff.variants', { list: v.variants.join(' / ') })] : []),
    ...(v.tags.length ? [t(locale, 'kb.diff.tags', { list: v.tags.join('、') })] : []),
    '',
    body,
  ].join('\n');
}

export async function versionDiff(database: Database, ctx: Ctx, id: string, version: number, against?: number) {
  await visibleItem(database, ctx, id);
  const want = [version, against ?? version - 1].filter((n) => n >= 1);
  const rows = await kbRepo.versions(database.db, id, want);
  const v = rows.find((r) => r.version === version);
  if (!v) throw notFound('Version');
  const base = rows.find((r) => r.version === (against ?? version - 1));
  if (against !== undefined && !base) throw notFound('Version');
  return {
    version,
    against: base?.version ?? null,
    title: v.title,
    body: v.body,
    lines: diffLines(base ? versionText(base, ctx.locale) : '', versionText(v, ctx.locale)),
  };
}

export async function restoreVersion(database: Database, ctx: Ctx, id: string, version: number) {
  await visibleItem(database, ctx, id);
  const [v] = await kbRepo.versions(database.db, id, [version]);
  if (!v) throw notFound('Version');
  return updateItem(
    database,
    ctx,
    id,
    {
      kind: v.kind as KbKind,
      title: v.title,
      body: v.body,
      variants: v.variants,
      tags: v.tags,
      category: v.categoryId,
      scenario: v.scenario,
      audience: v.audience as 'internal' | 'customer',
    },
    version,
  );
}
