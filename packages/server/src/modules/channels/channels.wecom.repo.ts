/** The SQL of the 微信客服 channel: the sync cursor and the reply-window count. */
import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { channelOutbox, channels } from '../../db/schema';

export const wecomRepo = {
  async cursor(ex: Executor, channelId: string): Promise<string | null> {
    const [row] = await ex.select({ cursor: channels.syncCursor }).from(channels).where(eq(channels.id, channelId));
    return row?.cursor ?? null;
  },
  /** Stores the cursor without touching updated_at (that one versions the cached access token). */
  async setCursor(ex: Executor, channelId: string, cursor: string): Promise<void> {
    await ex.update(channels).set({ syncCursor: cursor }).where(eq(channels.id, channelId));
  },
  /** Messages sent on the channel to one recipient since an instant (the 5-message rule of 微信客服). */
  async sentToSince(ex: Executor, channelId: string, recipient: string, since: Date): Promise<number> {
    const [row] = await ex
      .select({ n: sql<number>`count(*)::int` })
      .from(channelOutbox)
      .where(
        and(
          eq(channelOutbox.channelId, channelId),
          eq(channelOutbox.recipient, recipient),
          eq(channelOutbox.status, 'sent'),
          sql`${channelOutbox.sentAt} >= ${since}`,
        ),
      );
    return Number(row?.n ?? 0);
  },
};
