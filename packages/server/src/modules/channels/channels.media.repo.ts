/** The SQL of outgoing photos: the images attached to an agent's reply, their bytes, and the status of a delivery. */
import { and, asc, eq, like } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { attachments, channelOutbox } from '../../db/schema';

export const mediaRepo = {
  /** The image attachments of a reply, in the order they were uploaded (metadata only). */
  async replyImages(ex: Executor, replyId: string): Promise<{ id: string; filename: string; mime: string; size: number }[]> {
    return ex
      .select({ id: attachments.id, filename: attachments.filename, mime: attachments.mime, size: attachments.size })
      .from(attachments)
      .where(and(eq(attachments.replyId, replyId), like(attachments.mime, 'image/%')))
      .orderBy(asc(attachments.createdAt), asc(attachments.id));
  },
  /** A stored attachment's bytes (the media uploaded to the platform). */
  async attachmentData(ex: Executor, id: string): Promise<{ filename: string; mime: string; data: Buffer } | undefined> {
    const [row] = await ex
      .select({ filename: attachments.filename, mime: attachments.mime, data: attachments.data })
      .from(attachments)
      .where(eq(attachments.id, id));
    return row;
  },
  /** The status of a delivery (the one an image waits for) and when it is next tried. */
  async outboxState(ex: Executor, id: string): Promise<{ status: string; nextAttemptAt: Date } | undefined> {
    const [row] = await ex
      .select({ status: channelOutbox.status, nextAttemptAt: channelOutbox.nextAttemptAt })
      .from(channelOutbox)
      .where(eq(channelOutbox.id, id));
    return row;
  },
};
