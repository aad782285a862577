import { eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor, Tx } from '../../db/client';
import { solutionOffers, staff } from '../../db/schema';

export type SolutionOfferRow = typeof solutionOffers.$inferSelect;

/** The SQL of the process requirements (solution offers). */
export const processRepo = {
  async offerOf(ex: Executor, ticketId: string) {
    const by = alias(staff, 'offered_by');
    const ch = alias(staff, 'chosen_by');
    const [row] = await ex
      .select({ o: solutionOffers, offeredByName: by.name, chosenByName: ch.name })
      .from(solutionOffers)
      .leftJoin(by, eq(by.id, solutionOffers.offeredById))
      .leftJoin(ch, eq(ch.id, solutionOffers.chosenById))
      .where(eq(solutionOffers.ticketId, ticketId));
    return row;
  },
  /** Offer (again): replaces the ticket's current offer. */
  async putOffer(tx: Tx, row: typeof solutionOffers.$inferInsert): Promise<SolutionOfferRow> {
    const [r] = await tx
      .insert(solutionOffers)
      .values(row)
      .onConflictDoUpdate({
        target: solutionOffers.ticketId,
        set: {
          options: sql`excluded.options`,
          chosen: sql`excluded.chosen`,
          offeredById: sql`excluded.offered_by_id`,
          offeredAt: sql`excluded.offered_at`,
          chosenById: sql`excluded.chosen_by_id`,
          chosenAt: sql`excluded.chosen_at`,
        },
      })
      .returning();
    return r!;
  },
  async choose(tx: Tx, ticketId: string, chosen: number, byId: string, at: Date): Promise<void> {
    await tx.update(solutionOffers).set({ chosen, chosenById: byId, chosenAt: at }).where(eq(solutionOffers.ticketId, ticketId));
  },
};
