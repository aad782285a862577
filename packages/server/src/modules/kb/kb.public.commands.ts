/**
 * The help centre (no sign-in): categories and customer-facing articles, search, "was this helpful?".
 * The read commands take no Ctx (nobody is signed in); feedback takes the help-centre system Ctx the route builds.
 */
import type { Database } from '../../db/client';
import { msg, t } from '../../i18n/index';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { notFound } from '../../lib/errors';
import { notify } from '../../lib/notify';
import { presentHit, presentPublicItem, storeMessage } from './kb.present';
import { kbRepo, type ItemRow } from './kb.repo';
import type { KbKind } from './kb.schema';
import { announce, cachedCategories, categoryMap, reindex, searchIndex } from './kb.shared';
import { subtreeOf } from './kb.tree';
import { htmlToText } from './sanitize';
import type { SearchFilter } from './search-service';

export async function publicCategories(database: Database) {
  const [cats, counts] = await Promise.all([kbRepo.categories(database.db, true), kbRepo.categoryCounts(database, true)]);
  const map = new Map(cats.map((c) => [c.id, c]));
  const own = new Map(counts.map((c) => [c.category_id, c.n]));
  const total = (id: string) => [...subtreeOf(map, id)].reduce((s, c) => s + (own.get(c) ?? 0), 0);
  return { items: cats.map((c) => ({ id: c.id, parentId: c.parentId, name: c.name, count: total(c.id) })).filter((c) => c.count > 0) };
}

export async function publicList(database: Database, q: { categoryId?: string | undefined; limit: number }) {
  const cats = await categoryMap(database.db);
  const rows = await kbRepo.publicItems(database.db, q.categoryId ? [...subtreeOf(cats, q.categoryId)] : null, q.limit);
  return {
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind as KbKind,
      title: r.title,
      categoryId: r.categoryId,
      categoryName: cats.get(r.categoryId)?.name ?? null,
      excerpt: htmlToText(r.body).replace(/\s+/g, ' ').slice(0, 80),
    })),
  };
}

export async function publicSearch(database: Database, q: { q: string; limit: number; categoryId?: string | undefined }) {
  const s = await searchIndex(database);
  const cats = await cachedCategories(database);
  const filter: SearchFilter = { customer: true, excludeKinds: ['script'] };
  if (q.categoryId) filter.categoryIds = subtreeOf(cats, q.categoryId);
  return { hits: s.search(q.q, { limit: q.limit, filter }).map((h) => presentHit(h, cats)) };
}

export async function publicItem(database: Database, id: string) {
  const r = await kbRepo.publicItem(database.db, id);
  if (!r || r.kind === 'script') throw notFound('Article');
  return presentPublicItem(r, await categoryMap(database.db));
}

/** "Was this helpful?" from the help centre; "not helpful" flags the item for an update. */
export async function publicFeedback(database: Database, ctx: Ctx, id: string, input: { helpful: boolean; query?: string | undefined }) {
  const out = await database.transaction(async (tx) => {
    const cur = await kbRepo.publicItem(tx, id, true);
    if (!cur || cur.kind === 'script') throw notFound('Article');
    await kbRepo.insertFeedback(tx, {
      itemId: id,
      helpful: input.helpful ? 1 : 0,
      customerId: ctx.actor.kind === 'customer' ? ctx.actor.customerId : null,
      query: input.query ?? null,
    });
    const set: Partial<ItemRow> = input.helpful ? { helpfulCount: cur.helpfulCount + 1 } : { notHelpfulCount: cur.notHelpfulCount + 1 };
    let flagged = false;
    if (!input.helpful && cur.status === 'published') {
      const reason = input.query ? msg('kb.status.customer_not_helpful_query', { query: input.query }) : msg('kb.status.customer_not_helpful');
      Object.assign(set, { status: 'needs_update', statusReason: storeMessage(reason), updatedAt: new Date() });
      flagged = true;
    }
    await kbRepo.updateItem(tx, id, set);
    if (flagged) {
      await writeAudit(tx, ctx, {
        action: 'kb.item.flagged',
        targetType: 'kb_item',
        targetId: id,
        changes: diff({ status: 'published' }, { status: 'needs_update', reason: 'customer_not_helpful' }),
      });
      const m = msg('kb.notify.customer_not_helpful', { title: cur.title });
      if (cur.ownerId)
        await notify(tx, { recipientId: cur.ownerId, kind: 'kb.needs_update', title: t(undefined, m.key, m.params), data: { itemId: id, message: m } });
      await announce(database, tx, id);
    }
    return { recorded: true, helpful: input.helpful };
  });
  await reindex(database, id);
  return out;
}
