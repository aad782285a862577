import type { Tx } from '../../db/client';
import { ticketLinks } from '../../db/schema';

/** The SQL of ticket links (both directions are stored). */
export const linksRepo = {
  async link(tx: Tx, ticketId: string, otherId: string, kind: string, inverse: string): Promise<void> {
    await tx
      .insert(ticketLinks)
      .values([
        { ticketId, otherId, kind },
        { ticketId: otherId, otherId: ticketId, kind: inverse },
      ])
      .onConflictDoNothing();
  },
};
