/** Queries of the knowledge starter pack import (kb.starter.commands.ts). */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { kbCategories, kbItems } from '../../db/schema';

export const kbStarterRepo = {
  /** The id of a category by name under a parent (null = top level). */
  async categoryId(ex: Executor, name: string, parentId: string | null): Promise<string | null> {
    const rows = await ex
      .select({ id: kbCategories.id })
      .from(kbCategories)
      .where(and(eq(kbCategories.name, name), parentId === null ? isNull(kbCategories.parentId) : eq(kbCategories.parentId, parentId)))
      .limit(1);
    return rows[0]?.id ?? null;
  },
  /** `categoryId␟title` of the items already in these categories (any status): an import never adds them twice. */
  async titlesIn(ex: Executor, categoryIds: string[]): Promise<Set<string>> {
    if (categoryIds.length === 0) return new Set();
    const rows = await ex.select({ c: kbItems.categoryId, t: kbItems.title }).from(kbItems).where(inArray(kbItems.categoryId, categoryIds));
    return new Set(rows.map((r) => `${r.c}\u241f${r.t}`));
  },
};
