import { and, asc, eq } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client';
import { compensationAcceptances, compensations, settings } from '../../db/schema';

export type AcceptanceRow = typeof compensationAcceptances.$inferSelect;

/** The SQL of the process rules: the customer's answer to a compensation, the front-desk gift limit setting. */
export const rulesRepo = {
  async compensationOf(tx: Tx, id: string) {
    const [row] = await tx.select().from(compensations).where(eq(compensations.id, id)).for('update');
    return row;
  },
  async acceptanceOf(ex: Executor, compensationId: string): Promise<AcceptanceRow | undefined> {
    const [row] = await ex.select().from(compensationAcceptances).where(eq(compensationAcceptances.compensationId, compensationId));
    return row;
  },
  async insertAcceptance(tx: Tx, row: typeof compensationAcceptances.$inferInsert): Promise<AcceptanceRow> {
    const [r] = await tx.insert(compensationAcceptances).values(row).returning();
    return r!;
  },
  /** The compensations granted on a ticket (offered to the customer), with the customer's answer when given. */
  async grantedOf(ex: Executor, ticketId: string) {
    return ex
      .select({ c: compensations, a: compensationAcceptances })
      .from(compensations)
      .leftJoin(compensationAcceptances, eq(compensationAcceptances.compensationId, compensations.id))
      .where(and(eq(compensations.ticketId, ticketId), eq(compensations.state, 'granted')))
      .orderBy(asc(compensations.id));
  },
  async setting(ex: Executor, key: string): Promise<unknown> {
    const [row] = await ex.select().from(settings).where(eq(settings.key, key));
    return row?.value;
  },
  async putSetting(tx: Tx, key: string, value: unknown): Promise<void> {
    await tx
      .insert(settings)
      .values({ key, value })
      .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: new Date() } });
  },
};
