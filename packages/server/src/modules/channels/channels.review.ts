/**
 * The email review queue (待审核邮件): inbound mail that could not be matched by itself — an unknown sender (when the
 * channel says so), suspected spam, or a ticket number of another customer in the subject — waits here until staff
 * with `channels.work` make a ticket of it (customer matched by address, or created), attach it to a ticket they can
 * see, or discard it with a reason. Each is audited and written to the channel log; a mail is handled once (the
 * claim review → reviewing is atomic, a second hand gets 409 `review_done`).
 */
import type { z } from 'zod';
import type { Database } from '../../db/client';
import { writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, conflict, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { maskEmail } from '../../lib/mask';
import { customersRepo } from '../customers/customers.repo';
import { authorize } from '../identity/policy';
import { addReply, getTicket } from '../tickets/tickets.commands';
import { parseEmail, type ParsedEmail } from './channels.email';
import { addCustomerReply, customerForSender, ticketFromMail, type ReviewReason } from './channels.ingest';
import { channelsRepo, type ChannelMessageRow, type ChannelRow } from './channels.repo';
import type * as s from './channels.schema';

function work(ctx: Ctx) {
  if (ctx.actor.kind !== 'staff') throw new AppError('forbidden');
  authorize(ctx.actor, 'channels.work');
}

const EXCERPT = 2000;

export async function listReview(database: Database, ctx: Ctx, q: z.infer<typeof s.ReviewQuery>) {
  work(ctx);
  const rows = await channelsRepo.reviewItems(database.db, q.channelId);
  const items = await Promise.all(
    rows.map(async ({ message: m, channelName }) => {
      const mail = m.raw ? await parseEmail(m.raw) : null;
      const [known] = m.sender ? await customersRepo.byContact(database.db, null, m.sender, 1) : [];
      return {
        id: m.id,
        channelId: m.channelId,
        channelName,
        sender: m.sender,
        senderName: mail?.fromName ?? null,
        subject: m.subject,
        text: (mail?.text ?? '').slice(0, EXCERPT),
        attachments: mail?.attachments.map((a) => a.filename) ?? [],
        reason: (m.reviewReason ?? 'unknown_sender') as ReviewReason,
        customer: known ? { id: known.id, name: known.name } : null,
        at: m.createdAt.toISOString(),
      };
    }),
  );
  return { items };
}

interface Handled {
  outcome: 'ticket' | 'reply' | 'discarded';
  ticketId?: string;
  number?: string;
  replyId?: string;
  customerId?: string;
  note?: string;
}

/** Claims a waiting mail, runs `fn`, then records the outcome, the audit entry and the log line in one transaction. */
async function handle(
  database: Database,
  ctx: Ctx,
  id: string,
  action: 'ticket' | 'attach' | 'discard',
  fn: (row: ChannelMessageRow, mail: ParsedEmail, channel: ChannelRow) => Promise<Handled>,
) {
  const row = await channelsRepo.message(database.db, id);
  if (!row || row.direction !== 'in') throw notFound('Review item');
  const channel = await channelsRepo.channel(database.db, row.channelId);
  if (!channel) throw notFound('Review item');
  if (!row.raw || !(await channelsRepo.claimReview(database.db, id))) throw conflict('review_done', 'This mail was already handled');
  let out: Handled;
  try {
    out = await fn(row, await parseEmail(row.raw), channel);
  } catch (err) {
    await channelsRepo.updateMessage(database.db, id, { outcome: 'review' });
    throw err;
  }
  // A failure from here on hands the mail back to the queue as well (a retry reuses the ticket the mail became).
  try {
    await recordOutcome(database, ctx, id, row, action, out);
  } catch (err) {
    await channelsRepo.updateMessage(database.db, id, { outcome: 'review' }).catch(() => undefined);
    throw err;
  }
  return { id, outcome: out.outcome, ticketId: out.ticketId ?? null, number: out.number ?? null };
}

/** The outcome, the audit entry and the log line of a handled mail, in one transaction. */
async function recordOutcome(database: Database, ctx: Ctx, id: string, row: ChannelMessageRow, action: 'ticket' | 'attach' | 'discard', out: Handled) {
  await database.transaction(async (tx) => {
    await channelsRepo.updateMessage(tx, id, {
      outcome: out.outcome,
      ticketId: out.ticketId ?? null,
      replyId: out.replyId ?? null,
      customerId: out.customerId ?? null,
      reviewedBy: ctx.actor.id,
      reviewedAt: new Date(),
      reviewNote: out.note ?? null,
      raw: null,
    });
    await writeAudit(tx, ctx, {
      action: `channel.review.${action}`,
      targetType: 'channel_message',
      targetId: id,
      changes: {
        outcome: { before: 'review', after: out.outcome },
        ...(out.number ? { ticket: { before: null, after: out.number } } : {}),
        ...(out.note ? { reason: { before: null, after: out.note } } : {}),
      },
    });
    await channelsRepo.log(tx, {
      id: uuidv7(),
      channelId: row.channelId,
      level: 'info',
      event: `channels.log.review_${action}`,
      detail: { from: maskEmail(row.sender), number: out.number ?? null, by: ctx.actor.kind === 'staff' ? ctx.actor.name : '' },
    });
  });
}

/** A ticket from a waiting mail: for `customerId`, else the customer with the sender's address, else a new one. */
export async function reviewToTicket(database: Database, ctx: Ctx, id: string, input: z.infer<typeof s.ReviewTicket>) {
  work(ctx);
  authorize(ctx.actor, 'tickets.create');
  if (input.customerId && !(await customersRepo.byId(database.db, input.customerId))) {
    throw new AppError('validation_failed', 'customerId: no such customer', { errors: [{ path: 'customerId', message: 'not found' }] });
  }
  return handle(database, ctx, id, 'ticket', async (row, mail, channel) => {
    if (!mail.from) throw conflict('review_no_sender', 'The mail has no sender address');
    const [known] = input.customerId ? [] : await customersRepo.byContact(database.db, null, mail.from, 1);
    const customerId = input.customerId ?? known?.id ?? (await customerForSender(database, ctx, mail));
    // Handed back after a failure, the mail may already be a ticket: that one is reused, never a second.
    const t =
      (await channelsRepo.ticketByExternalRef(database.db, `email:${mail.messageId}`.slice(0, 128))) ??
      (await ticketFromMail(database, ctx, channel, mail, customerId));
    return { outcome: 'ticket', ticketId: t.id, number: t.number, customerId };
  });
}

/**
 * Attach a waiting mail to a ticket the caller can see: from the ticket's own customer it becomes their public reply
 * (as if it had been matched); from anyone else an internal note quoting the mail, so nothing reaches the customer.
 */
export async function reviewAttach(database: Database, ctx: Ctx, id: string, input: z.infer<typeof s.ReviewAttach>) {
  work(ctx);
  authorize(ctx.actor, 'tickets.work');
  const ticket = await getTicket(database, ctx, input.ticketId); // 404 when the caller may not see it
  if (ticket.status === 'closed' || ticket.status === 'cancelled') throw conflict('ticket_closed', 'The ticket is closed');
  return handle(database, ctx, id, 'attach', async (_row, mail) => {
    const head = await channelsRepo.ticketHead(database.db, input.ticketId);
    if (!head) throw notFound('Ticket');
    const owner = await channelsRepo.customerContact(database.db, head.customerId);
    if (mail.from && owner?.email?.toLowerCase() === mail.from) {
      const reply = await addCustomerReply(database, head, mail);
      return { outcome: 'reply', ticketId: head.id, number: head.number, replyId: reply.id, customerId: head.customerId };
    }
    const body = `【邮件 ${mail.fromName ? `${mail.fromName} ` : ''}<${mail.from ?? '—'}>】${mail.subject}\n\n${mail.text}`.slice(0, 20_000);
    // The attachments of a stranger's mail are not kept on the ticket (they would reach its customer's view).
    const note = await addReply(database, ctx, head.id, { body, visibility: 'internal' });
    return { outcome: 'reply', ticketId: head.id, number: head.number, replyId: note.id };
  });
}

/** Discard a waiting mail with a reason (kept in the audit log and on the message; the raw mail is dropped). */
export async function reviewDiscard(database: Database, ctx: Ctx, id: string, input: z.infer<typeof s.ReviewDiscard>) {
  work(ctx);
  return handle(database, ctx, id, 'discard', () => Promise.resolve({ outcome: 'discarded', note: input.reason }));
}
