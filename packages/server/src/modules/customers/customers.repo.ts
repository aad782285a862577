import { and, desc, eq, ilike, lt, or } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { customers } from '../../db/schema';

export type CustomerRow = typeof customers.$inferSelect;

export const customersRepo = {
  async insert(ex: Executor, row: typeof customers.$inferInsert): Promise<CustomerRow> {
    const [out] = await ex.insert(customers).values(row).returning();
    return out!;
  },
  async byId(ex: Executor, id: string): Promise<CustomerRow | undefined> {
    const [row] = await ex.select().from(customers).where(eq(customers.id, id));
    return row;
  },
  async list(ex: Executor, f: { q?: string | undefined; tier?: string | undefined; limit: number; before?: string | undefined }) {
    const conds = [];
    if (f.q) {
      const like = `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      const digits = f.q.replace(/\D/g, '');
      conds.push(or(ilike(customers.name, like), ilike(customers.email, like), ...(digits.length >= 4 ? [ilike(customers.phone, `%${digits}%`)] : [])));
    }
    if (f.tier) conds.push(eq(customers.tier, f.tier));
    if (f.before) conds.push(lt(customers.id, f.before));
    return ex.select().from(customers).where(conds.length ? and(...conds) : undefined).orderBy(desc(customers.id)).limit(f.limit + 1);
  },
};
