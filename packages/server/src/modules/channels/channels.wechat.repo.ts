/** The SQL of the WeChat channel's ingest: customer identities (openid) and the customer's open wechat ticket. */
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { customerIdentities, customers, tickets } from '../../db/schema';
import { uuidv7 } from '../../lib/ids';
import { OPEN_STATUSES } from '../tickets/tickets.schema';

export const wechatRepo = {
  async identity(ex: Executor, kind: string, value: string) {
    const [row] = await ex
      .select()
      .from(customerIdentities)
      .where(and(eq(customerIdentities.kind, kind), eq(customerIdentities.value, value)))
      .limit(1);
    return row;
  },
  /**
   * A message from a known identity in one statement: its last message time noted, its customer and whether that
   * customer was merged into another (then the caller follows the chain in a transaction). Undefined when unknown.
   */
  async touchKnown(ex: Executor, kind: string, value: string, at: Date) {
    const [row] = await ex
      .update(customerIdentities)
      .set({ lastInAt: at })
      .where(and(eq(customerIdentities.kind, kind), eq(customerIdentities.value, value)))
      .returning({
        id: customerIdentities.id,
        customerId: customerIdentities.customerId,
        merged: sql<boolean>`EXISTS (SELECT 1 FROM customers c WHERE c.id = ${customerIdentities.customerId} AND c.merged_into_id IS NOT NULL)`,
      });
    return row;
  },
  async touchIdentity(ex: Executor, id: string, at: Date): Promise<void> {
    await ex.update(customerIdentities).set({ lastInAt: at }).where(eq(customerIdentities.id, id));
  },
  /** The customer a merged customer was merged into (null when not merged). */
  async mergedInto(ex: Executor, customerId: string): Promise<string | null> {
    const [row] = await ex.select({ into: customers.mergedIntoId }).from(customers).where(eq(customers.id, customerId));
    return row?.into ?? null;
  },
  /** Point an identity at another customer (the survivor of a merge). */
  async moveIdentity(ex: Executor, id: string, customerId: string): Promise<void> {
    await ex.update(customerIdentities).set({ customerId }).where(eq(customerIdentities.id, id));
  },
  /** Insert an identity; false when one with the same kind and value exists (a concurrent first message). */
  async insertIdentity(ex: Executor, row: { customerId: string; kind: string; value: string; channelId: string; lastInAt: Date | null }): Promise<boolean> {
    const inserted = await ex
      .insert(customerIdentities)
      .values({ id: uuidv7(), ...row })
      .onConflictDoNothing()
      .returning({ id: customerIdentities.id });
    return inserted.length > 0;
  },
  /** The customer's open (or resolved, not closed) ticket on channel wechat, newest first. */
  async openWechatTicket(ex: Executor, customerId: string) {
    const [row] = await ex
      .select({ id: tickets.id, number: tickets.number })
      .from(tickets)
      .where(and(eq(tickets.customerId, customerId), eq(tickets.channel, 'wechat'), inArray(tickets.status, [...OPEN_STATUSES, 'resolved'])))
      .orderBy(desc(tickets.createdAt))
      .limit(1);
    return row;
  },
};
