/** The category tree (pure functions over the category map). */
import type { CategoryRow } from './kb.repo';

export type CategoryMap = Map<string, CategoryRow>;

/** The category and its ancestors, root first. */
export function pathOf(cats: CategoryMap, id: string): CategoryRow[] {
  const out: CategoryRow[] = [];
  let cur = cats.get(id);
  const seen = new Set<string>();
  while (cur && !seen.has(cur.id)) {
    seen.add(cur.id);
    out.unshift(cur);
    cur = cur.parentId ? cats.get(cur.parentId) : undefined;
  }
  return out;
}

/** The category and all its descendants. */
export function subtreeOf(cats: CategoryMap, id: string): Set<string> {
  const out = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of cats.values())
      if (c.parentId && out.has(c.parentId) && !out.has(c.id)) {
        out.add(c.id);
        grew = true;
      }
  }
  return out;
}

/** Every category under the given ones (an expert of a category is an expert of its sub-categories). */
export function subtreesOf(cats: CategoryMap, ids: string[]): Set<string> {
  const out = new Set<string>();
  for (const c of ids) for (const s of subtreeOf(cats, c)) out.add(s);
  return out;
}
