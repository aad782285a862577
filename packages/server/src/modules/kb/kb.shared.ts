/** Helpers the knowledge-base commands share: the category map, expert look-up, the search index hooks, review days. */
import type { Database, Executor, Tx } from '../../db/client';
import type { Actor } from '../../lib/context';
import { AppError } from '../../lib/errors';
import { orgTimeZone } from '../../lib/timezone';
import { kbAccessOf, type KbAccess } from './kb.policy';
import { kbRepo, type ItemRow } from './kb.repo';
import { pathOf, type CategoryMap } from './kb.tree';
import { kbSearchOf, type KbSearch } from './search-service';

/** Default update cycle: an item is due for review this many days after it was (re)published. */
export const REVIEW_CYCLE_DAYS = 180;

/** Today in the organisation's time zone (YYYY-MM-DD). */
export function localDay(at = new Date(), timeZone = orgTimeZone()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export async function categoryMap(ex: Executor): Promise<CategoryMap> {
  const rows = await kbRepo.categories(ex);
  return new Map(rows.map((r) => [r.id, r]));
}
/** The category tree for read paths (search hits), cached per process; writes use categoryMap in their transaction. */
export function cachedCategories(database: Database): Promise<CategoryMap> {
  const s = kbSearchOf(database);
  if (!s) return categoryMap(database.db);
  s.categories ??= categoryMap(database.db).catch((err: unknown) => {
    s.categories = null;
    throw err;
  });
  return s.categories;
}
export async function categoriesChanged(database: Database, tx: Tx) {
  const s = kbSearchOf(database);
  if (!s) return;
  s.categories = null;
  await s.announce(tx, { categories: true });
}

/** Experts of a category are its own experts and those of its ancestors. */
export async function isExpert(ex: Executor, actor: Actor, categoryId: string, cats?: CategoryMap): Promise<boolean> {
  if (actor.kind !== 'staff') return actor.kind === 'system';
  const map = cats ?? (await categoryMap(ex));
  return kbRepo.isExpertOfAny(
    ex,
    actor.id,
    pathOf(map, categoryId).map((c) => c.id),
  );
}

/** The actor's relation to the item (kb.policy.ts decides with it). */
export async function accessOf(ex: Executor, actor: Actor, item: ItemRow, cats?: CategoryMap): Promise<KbAccess> {
  return kbAccessOf(actor, item, await isExpert(ex, actor, item.categoryId, cats));
}

export async function namesOf(ex: Executor, ids: (string | null)[]): Promise<(id: string | null) => string | null> {
  const want = [...new Set(ids.filter((x): x is string => !!x))];
  const names = await kbRepo.staffNames(ex, want);
  return (id) => (id ? (names.find((n) => n.id === id)?.name ?? null) : null);
}

/** After the transaction committed: make the change visible to this process's search at once. */
export async function reindex(database: Database, id: string) {
  const s = kbSearchOf(database);
  if (!s) return;
  s.categories = null; // an edit may have created a category (by name)
  await s.refresh(id);
}
export async function announce(database: Database, tx: Tx, id: string) {
  await kbSearchOf(database)?.announce(tx, { item: id });
}

export async function searchIndex(database: Database): Promise<KbSearch> {
  const s = kbSearchOf(database);
  if (!s) throw new AppError('unavailable', 'Search is starting');
  await s.ready();
  return s;
}
