/**
 * DingTalk replies out: an agent's public reply on a `dingtalk` ticket is queued (in the reply's transaction) for the
 * conversation the customer last wrote in; the channels worker sends it through the conversation's session webhook
 * while it is valid (a minute of margin), else the robot API with the cached access token (batchSend one-to-one,
 * groupMessages/send in a group). Never when the customer withdrew DingTalk consent (`consent.dingtalk === false`).
 * The reply's photos follow the text, one delivery each, always by the robot API (`sampleImageMsg`, channels.media.ts).
 */
import type { Database, Tx } from '../../db/client';
import type { Ctx } from '../../lib/context';
import { uuidv7 } from '../../lib/ids';
import { openSecret } from '../../lib/secretbox';
import type { TicketEvent, TicketSnapshot } from '../tickets/ticket-events';
import { DingtalkApiError, robotBatchSend, robotGroupSend, robotImage, sessionReply, uploadDingtalkMedia } from './channels.dingtalk';
import { imageBytes, MediaGoneError, queueReplyImages, type MediaPayload } from './channels.media';
import { dingtalkRepo } from './channels.dingtalk.repo';
import { channelsRepo, type ChannelRow, type OutboxRow } from './channels.repo';

/** DingTalk consent: withdrawn when the customer's `consent.dingtalk` is false (absent = not withdrawn). */
export const dingtalkConsent = (consent: unknown) => (consent as Record<string, unknown> | null)?.dingtalk !== false;

export interface DingtalkReplyPayload extends MediaPayload {
  subject: string;
  body: string;
  conversationId: string;
  senderKey: string;
}

/** How long before its expiry a session webhook is no longer used. */
const SESSION_MARGIN_MS = 60_000;

const maskId = (v: string) => (v.length > 8 ? `${v.slice(0, 4)}***${v.slice(-4)}` : '***');

/** Consumer of `ticket.public_reply` for `dingtalk` tickets. */
export async function queueDingtalkReply(tx: Tx, ctx: Ctx, ticket: TicketSnapshot, event: TicketEvent) {
  if (ticket.channel !== 'dingtalk' || ctx.actor.kind !== 'staff') return;
  const replyId = (event.data as { replyId?: string }).replyId;
  if (!replyId) return;
  const thread = await channelsRepo.ticketThreadRefs(tx, ticket.id);
  const last = thread.filter((m) => m.direction === 'in').pop();
  if (!last) return;
  const channel = await channelsRepo.channel(tx, last.channelId);
  if (!channel || channel.kind !== 'dingtalk_robot') return;
  const customer = await channelsRepo.customerContact(tx, ticket.customerId);
  const reply = await channelsRepo.reply(tx, replyId);
  const head = await channelsRepo.ticketHead(tx, ticket.id);
  const session = await dingtalkRepo.latestSessionOf(tx, channel.id, ticket.customerId);
  if (!session || !customer || !reply || !head) return;
  if (!dingtalkConsent(customer.consent)) {
    await channelsRepo.log(tx, {
      id: uuidv7(),
      channelId: channel.id,
      level: 'warn',
      event: 'channels.log.dt_no_consent',
      detail: { to: maskId(session.senderKey), number: head.number },
    });
    return;
  }
  const id = uuidv7();
  const payload: DingtalkReplyPayload = { subject: head.subject, body: reply.body, conversationId: session.conversationId, senderKey: session.senderKey };
  const recipient = session.conversationType === '2' ? session.conversationId : (session.senderStaffId ?? session.senderKey);
  await channelsRepo.enqueue(tx, { id, channelId: channel.id, kind: 'reply', recipient, payload, ticketId: ticket.id, replyId });
  await channelsRepo.insertMessage(tx, {
    id: uuidv7(),
    channelId: channel.id,
    direction: 'out',
    externalId: `out:${id}`,
    ticketId: ticket.id,
    replyId,
    customerId: ticket.customerId,
    outboxId: id,
    outcome: 'queued',
    subject: 'text',
  });
  // The reply's photos: one delivery each, after the text (sent by the robot API, channels.media.ts).
  await queueReplyImages(tx, { channel, recipient, ticketId: ticket.id, customerId: ticket.customerId, replyId, textId: id, payload: { ...payload } });
}

/** Sends one queued reply; throws DingtalkApiError (the outbox records the failure and retries). Returns the route taken. */
export async function sendDingtalkRow(database: Database, row: OutboxRow, channel: ChannelRow, now = new Date()): Promise<'session' | 'robot'> {
  const p = row.payload as DingtalkReplyPayload;
  const s = await dingtalkRepo.session(database.db, channel.id, p.conversationId, p.senderKey);
  if (p.image) {
    // A photo: uploaded by media/upload, then the robot API's sampleImageMsg (the session webhook cannot carry it).
    let file;
    try {
      file = await imageBytes(database, p.image);
    } catch (err) {
      if (err instanceof MediaGoneError) throw new DingtalkApiError('media_gone', null, err.message);
      throw err;
    }
    const mediaId = await uploadDingtalkMedia(channel, file.data, file.filename, file.mime);
    if (s?.conversationType === '2') await robotGroupSend(channel, p.conversationId, robotImage(mediaId));
    else await robotBatchSend(channel, s?.senderStaffId ?? row.recipient, robotImage(mediaId));
    return 'robot';
  }
  if (s?.sessionWebhook && s.expiresAt && s.expiresAt.getTime() - SESSION_MARGIN_MS > now.getTime()) {
    await sessionReply(channel, openSecret(s.sessionWebhook, 'channel_credential'), p.body);
    return 'session';
  }
  if (s?.conversationType === '2') await robotGroupSend(channel, p.conversationId, p.body);
  else await robotBatchSend(channel, s?.senderStaffId ?? row.recipient, p.body);
  return 'robot';
}
