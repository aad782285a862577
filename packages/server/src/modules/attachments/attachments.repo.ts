import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { attachments, ticketReplies, tickets } from '../../db/schema';
import type { Actor } from '../../lib/context';
import { visibleTicketById } from '../tickets/visibility';

export const attachmentsRepo = {
  async insert(ex: Executor, row: typeof attachments.$inferInsert) {
    await ex.insert(attachments).values(row);
  },
  /** An attachment's metadata with either its bytes or its thumbnail as `body`. */
  async withBody(ex: Executor, id: string, which: 'data' | 'thumbnail') {
    const [a] = await ex
      .select({
        id: attachments.id,
        ticketId: attachments.ticketId,
        replyId: attachments.replyId,
        uploadedById: attachments.uploadedById,
        filename: attachments.filename,
        mime: attachments.mime,
        size: attachments.size,
        body: which === 'data' ? attachments.data : attachments.thumbnail,
      })
      .from(attachments)
      .where(eq(attachments.id, id));
    return a;
  },
  /** Whether the actor may see the ticket (the one visibility rule, tickets/visibility.ts). */
  async ticketVisible(ex: Executor, actor: Actor, ticketId: string): Promise<boolean> {
    const [t] = await ex.select({ id: tickets.id }).from(tickets).where(visibleTicketById(actor, ticketId));
    return Boolean(t);
  },
  async replyVisibility(ex: Executor, replyId: string): Promise<string | null> {
    const [r] = await ex.select({ v: ticketReplies.visibility }).from(ticketReplies).where(eq(ticketReplies.id, replyId));
    return r?.v ?? null;
  },
};
