import { asc } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client';
import { categories } from '../../db/schema';

export const categoriesRepo = {
  async list(ex: Executor) {
    return ex.select().from(categories).orderBy(asc(categories.position), asc(categories.name));
  },
  /** Insert unless a category of that name exists under the same parent (then undefined). */
  async insert(tx: Tx, c: typeof categories.$inferInsert) {
    const [row] = await tx.insert(categories).values(c).onConflictDoNothing().returning();
    return row;
  },
};
