/**
 * The one ingest path of email, fed by the IMAP poller and the built-in SMTP listener alike: a raw message →
 * parsed → recorded once per (channel, Message-ID) → ignored when automatic (auto-reply, bounce: no reply loop) →
 * a customer reply on the ticket it answers (In-Reply-To / References, or the `[#number]` token of the ticket's own
 * customer) → or a new ticket for the sender (an unknown sender becomes a customer, or waits in the review queue).
 */
import { createHash } from 'node:crypto';
import type { Database } from '../../db/client';
import type { Ctx } from '../../lib/context';
import { uuidv7 } from '../../lib/ids';
import { maskEmail } from '../../lib/mask';
import { MAX_UPLOAD_BYTES, safeFilename, sniff } from '../attachments/attachments.commands';
import { thumbnail } from '../attachments/attachments.files';
import { can } from '../identity/policy';
import { createCustomerInTx } from '../customers/customers.commands';
import { customersRepo } from '../customers/customers.repo';
import * as tickets from '../tickets/tickets.commands';
import { createTicket } from '../tickets/tickets.create';
import { parseEmail, ticketToken, type ParsedEmail } from './channels.email';
import { channelsRepo, type ChannelRow } from './channels.repo';

export type IngestOutcome = 'ticket' | 'reply' | 'review' | 'auto_reply' | 'bounce' | 'duplicate' | 'rejected';
export interface IngestResult {
  outcome: IngestOutcome;
  ticketId?: string;
  number?: string;
}

const channelCtx = (channel: ChannelRow): Ctx => ({ actor: { kind: 'system', id: null, name: `channel:email:${channel.name}` }, requestId: null, ip: null });

export async function logChannel(database: Database, channelId: string, level: 'info' | 'warn' | 'error', event: string, detail: Record<string, unknown> = {}) {
  await channelsRepo.log(database.db, { id: uuidv7(), channelId, level, event, detail });
}

export async function ingestEmail(database: Database, channel: ChannelRow, raw: Buffer, via: 'imap' | 'smtp'): Promise<IngestResult> {
  const mail = await parseEmail(raw);
  const rowId = uuidv7();
  const fresh = await channelsRepo.insertMessage(database.db, {
    id: rowId,
    channelId: channel.id,
    direction: 'in',
    externalId: mail.messageId,
    outcome: 'received',
    sender: mail.from,
    subject: mail.subject.slice(0, 300),
  });
  if (!fresh) return { outcome: 'duplicate' };
  const from = maskEmail(mail.from);
  try {
    if (mail.automatic) {
      await channelsRepo.updateMessage(database.db, rowId, { outcome: mail.automatic });
      await logChannel(database, channel.id, 'info', `channels.log.in_${mail.automatic}`, { from, via });
      return { outcome: mail.automatic };
    }
    if (!mail.from || mail.from === channel.address) {
      await channelsRepo.updateMessage(database.db, rowId, { outcome: 'rejected' });
      await logChannel(database, channel.id, 'warn', 'channels.log.in_rejected', { from, via });
      return { outcome: 'rejected' };
    }
    const out = await route(database, channel, mail, raw, rowId);
    await logChannel(database, channel.id, 'info', `channels.log.in_${out.outcome}`, { from, via, number: out.number ?? null });
    return out;
  } catch (err) {
    // Not recorded: a redelivery (the next IMAP pass, the sender's retry) tries again.
    await channelsRepo.deleteMessage(database.db, rowId);
    await logChannel(database, channel.id, 'error', 'channels.log.in_failed', { from, via, error: (err as Error).name });
    throw err;
  }
}

async function route(database: Database, channel: ChannelRow, mail: ParsedEmail, raw: Buffer, rowId: string): Promise<IngestResult> {
  const sender = mail.from!;
  const review = async (reason: ReviewReason): Promise<IngestResult> => {
    await channelsRepo.updateMessage(database.db, rowId, { outcome: 'review', reviewReason: reason, raw });
    return { outcome: 'review' };
  };
  // Suspected spam (the receiving server's verdict) never reaches a ticket by itself.
  if (mail.spam) return review('spam');
  // 1. A reply to a thread we know, or the ticket token of the sender's own ticket.
  let ticketId = await channelsRepo.ticketOfThread(database.db, channel.id, mail.inReplyTo);
  let foreignToken = false;
  if (!ticketId) {
    const token = ticketToken(mail.subject);
    const t = token ? await channelsRepo.ticketByNumber(database.db, token) : undefined;
    const owner = t ? await channelsRepo.customerContact(database.db, t.customerId) : undefined;
    if (t && owner?.email?.toLowerCase() === sender) ticketId = t.id;
    else if (t) foreignToken = true;
  }
  const head = ticketId ? await channelsRepo.ticketHead(database.db, ticketId) : undefined;
  if (head && head.status !== 'closed' && head.status !== 'cancelled') {
    const reply = await addCustomerReply(database, head, mail);
    await channelsRepo.updateMessage(database.db, rowId, { outcome: 'reply', ticketId: head.id, replyId: reply.id, customerId: head.customerId });
    return { outcome: 'reply', ticketId: head.id, number: head.number };
  }
  // Someone else's ticket number in the subject: a person decides (attach, new ticket or discard).
  if (foreignToken) return review('token_mismatch');
  // 2. A new request: the sender's customer, or a new one (or the review queue, per channel setting).
  const [known] = await customersRepo.byContact(database.db, null, sender, 1);
  if (!known && channel.unknownSender === 'review') return review('unknown_sender');
  const customerId = known?.id ?? (await customerForSender(database, channelCtx(channel), mail));
  const created = await ticketFromMail(database, channelCtx(channel), channel, mail, customerId);
  await channelsRepo.updateMessage(database.db, rowId, { outcome: 'ticket', ticketId: created.id, customerId });
  return { outcome: 'ticket', ticketId: created.id, number: created.number };
}

export type ReviewReason = 'unknown_sender' | 'spam' | 'token_mismatch';

/** The mail as a public reply of the ticket's customer, with its attachments. */
export async function addCustomerReply(database: Database, head: { id: string; customerId: string }, mail: ParsedEmail) {
  const ctx: Ctx = { actor: { kind: 'customer', id: head.customerId, customerId: head.customerId, sessionId: null }, requestId: null, ip: null };
  const reply = await tickets.addReply(database, ctx, head.id, { body: mail.text || mail.subject || '（无正文）', visibility: 'public' });
  await storeAttachments(database, mail, head.id, reply.id, head.customerId);
  return reply;
}

/** A new customer for the sender of a mail (name from the From header). */
export async function customerForSender(database: Database, ctx: Ctx, mail: ParsedEmail): Promise<string> {
  const sender = mail.from!;
  return database.transaction(async (tx) => {
    const c = await createCustomerInTx(tx, ctx, {
      name: (mail.fromName ?? sender.split('@')[0] ?? sender).slice(0, 100),
      email: sender,
      tier: 'regular',
      vip: false,
      tags: ['来自邮件'],
    });
    return c.id;
  });
}

/** A new email ticket for a mail (subject, trimmed text, attachments; the channel's team). */
export async function ticketFromMail(database: Database, ctx: Ctx, channel: ChannelRow, mail: ParsedEmail, customerId: string) {
  const created = await createTicket(database, ctx, {
    customerId,
    type: 'inquiry',
    channel: 'email',
    priority: 'normal',
    subject: (mail.subject || mail.text.slice(0, 60) || '（无主题）').slice(0, 200),
    description: mail.text.slice(0, 20_000),
    externalRef: `email:${mail.messageId}`.slice(0, 128),
    // The channel's team, unless a staff member who may not assign makes it from the review queue (dispatch then).
    ...(channel.teamId && (ctx.actor.kind !== 'staff' || can(ctx.actor, 'tickets.assign_any')) ? { teamId: channel.teamId } : {}),
  });
  await storeAttachments(database, mail, created.body.id, null, customerId);
  return { id: created.body.id, number: created.body.number };
}

/** A mail's attachments through the upload rules (sniffed type, size limit); refused ones are skipped. */
export async function storeAttachments(database: Database, mail: ParsedEmail, ticketId: string, replyId: string | null, customerId: string) {
  for (const a of mail.attachments) {
    const mime = a.content.length <= MAX_UPLOAD_BYTES ? await sniff(a.content, a.filename) : null;
    if (!mime) continue;
    await channelsRepo.insertAttachment(database.db, {
      id: uuidv7(),
      ticketId,
      replyId,
      uploadedByKind: 'customer',
      uploadedById: customerId,
      filename: safeFilename(a.filename),
      mime,
      size: a.content.length,
      sha256: createHash('sha256').update(a.content).digest('hex'),
      data: a.content,
      thumbnail: await thumbnail(a.content, mime),
    });
  }
}
