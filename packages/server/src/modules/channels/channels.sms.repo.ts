import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { channelOutbox, channels, customers, smsQuota } from '../../db/schema';
import type { ChannelRow } from './channels.repo';

export const smsRepo = {
  /** Enabled SMS channels, oldest first. */
  async enabledSmsChannels(ex: Executor): Promise<ChannelRow[]> {
    return ex
      .select()
      .from(channels)
      .where(and(inArray(channels.kind, ['sms_aliyun', 'sms_tencent']), eq(channels.enabled, true)))
      .orderBy(asc(channels.createdAt));
  },
  async customerPhone(ex: Executor, id: string) {
    const [row] = await ex
      .select({ id: customers.id, name: customers.name, phone: customers.phone, consent: customers.consent })
      .from(customers)
      .where(eq(customers.id, id))
      .limit(1);
    return row;
  },
  /**
   * One more on a counter unless it reached `limit` (one upsert: concurrent callers cannot both take the last one).
   * Returns false when the limit was reached.
   */
  async take(ex: Executor, key: string, bucket: string, limit: number): Promise<boolean> {
    const rows = await ex
      .insert(smsQuota)
      .values({ key, bucket, count: 1 })
      .onConflictDoUpdate({ target: [smsQuota.key, smsQuota.bucket], set: { count: sql`${smsQuota.count} + 1` }, setWhere: sql`${smsQuota.count} < ${limit}` })
      .returning({ count: smsQuota.count });
    return rows.length > 0 && rows[0]!.count <= limit;
  },
  async pruneQuota(ex: Executor, before: Date) {
    await ex.delete(smsQuota).where(lt(smsQuota.createdAt, before));
  },
  /** A receipt: marks the channel's delivery with this provider id (returns how many rows matched). */
  async markReceipt(ex: Executor, channelId: string, externalId: string, receipt: 'delivered' | 'failed', code: string) {
    const rows = await ex
      .update(channelOutbox)
      .set({ receipt, receiptCode: code.slice(0, 100), receiptAt: new Date() })
      .where(and(eq(channelOutbox.channelId, channelId), eq(channelOutbox.externalId, externalId)))
      .returning({ id: channelOutbox.id });
    return rows.length;
  },
};
