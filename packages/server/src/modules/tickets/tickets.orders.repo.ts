import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { orderLines } from '../../db/schema';
import { uuidv7 } from '../../lib/ids';

/** The SQL of an order ticket's lines. */
export const ordersRepo = {
  /** Replace the ticket's lines with these, in order. */
  async replaceLines(tx: Tx, ticketId: string, lines: { item: string; spec: string; quantity: number }[]): Promise<void> {
    await tx.delete(orderLines).where(eq(orderLines.ticketId, ticketId));
    if (lines.length)
      await tx.insert(orderLines).values(lines.map((l, i) => ({ id: uuidv7(), ticketId, position: i, item: l.item, spec: l.spec, quantity: l.quantity })));
  },
};
