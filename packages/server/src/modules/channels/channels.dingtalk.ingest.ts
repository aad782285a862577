/**
 * DingTalk robot messages in (HTTP outgoing callback or a Stream CALLBACK frame — one path): accepted into the inbound
 * queue (`channel_inbound`, key `msg:<msgId>`, the sender's identity as the queue's sender, the session webhook sealed
 * in the queued payload) and acknowledged at once; the inbound worker then ingests each sender's messages in order
 * (`ingestQueuedDingtalk`). Ingest: recorded once per
 * (channel, msgId) so a redelivery stores nothing new; the conversation's session webhook kept (sealed) for the reply;
 * the sender found by identity (`dingtalk_staff_id` when DingTalk gives the sender's staff id, else `dingtalk_userid`)
 * or created as a customer tagged 来自钉钉; the message becomes a customer reply on their open `dingtalk` ticket or a
 * new ticket (type inquiry). Pictures are downloaded with the robot API and stored through the upload rules. If
 * handling fails, the record is removed so the worker's retry tries again.
 */
import type { Database } from '../../db/client';
import type { Ctx } from '../../lib/context';
import { uuidv7 } from '../../lib/ids';
import { openSecret, sealSecret } from '../../lib/secretbox';
import { t } from '../../i18n/index';
import { MAX_UPLOAD_BYTES } from '../attachments/attachments.commands';
import { createCustomerInTx } from '../customers/customers.commands';
import * as ticketCommands from '../tickets/tickets.commands';
import { createTicket } from '../tickets/tickets.create';
import { downloadPicture, DT_STAFF, DT_USER, openDingtalkSecrets, verifyDingtalkSign, type DingtalkMessage } from './channels.dingtalk';
import { dingtalkRepo } from './channels.dingtalk.repo';
import { logChannel } from './channels.ingest';
import { channelsRepo, type ChannelRow } from './channels.repo';
import { wechatRepo } from './channels.wechat.repo';
import { storeChannelMedia } from './channels.wechat.ingest';

/** The enabled dingtalk_robot channel of a callback URL, or undefined (the route answers 403: nothing to learn). */
export async function dingtalkChannel(database: Database, id: string): Promise<ChannelRow | undefined> {
  const now = Date.now();
  const hit = recent.get(id);
  const row = hit && hit.until > now ? hit.row : await channelsRepo.channel(database.db, id);
  if (!hit || hit.until <= now) {
    if (recent.size > 100) recent.clear();
    recent.set(id, { row, until: now + CHANNEL_CACHE_MS });
  }
  return row && row.kind === 'dingtalk_robot' && row.enabled ? row : undefined;
}
/** A callback's channel is read at most once a second per process (a burst of callbacks; a change applies within 1 s). */
const CHANNEL_CACHE_MS = 1000;
const recent = new Map<string, { row: ChannelRow | undefined; until: number }>();

/** The HTTP callback's headers checked against the channel's appSecret (and the one-hour window). */
export const verifyCallback = (channel: ChannelRow, timestamp: unknown, sign: unknown, now = Date.now()) =>
  verifyDingtalkSign(openDingtalkSecrets(channel).appSecret, timestamp, sign, now);

/** A DingTalk message as queued: the parsed message with its session webhook sealed (it is a credential for a while). */
export type QueuedDingtalk = Omit<DingtalkMessage, 'sessionWebhook'> & { sealedWebhook: string | null };

/** What `acceptInbound` records for a verified robot message: its key, its sender's queue and the payload. */
export function queuedDingtalk(msg: DingtalkMessage): { externalId: string; sender: string; payload: QueuedDingtalk } {
  const { sessionWebhook, ...rest } = msg;
  return {
    externalId: `msg:${msg.msgId}`,
    sender: `${senderIdentity(msg).kind}:${senderIdentity(msg).value}`.slice(0, 300),
    payload: { ...rest, sealedWebhook: sessionWebhook ? sealSecret(sessionWebhook, 'channel_credential') : null },
  };
}

/** The inbound worker's ingest of a queued DingTalk message (throws to be retried). */
export async function ingestQueuedDingtalk(database: Database, channel: ChannelRow, q: QueuedDingtalk): Promise<void> {
  const { sealedWebhook, ...rest } = q;
  await ingestDingtalk(database, channel, { ...rest, sessionWebhook: sealedWebhook ? openSecret(sealedWebhook, 'channel_credential') : null });
}

export type DingtalkOutcome = 'ticket' | 'reply' | 'unsupported' | 'duplicate';

const channelCtx = (channel: ChannelRow): Ctx => ({ actor: { kind: 'system', id: null, name: `channel:dingtalk:${channel.name}` }, requestId: null, ip: null });
const short = (id: string) => (id.length > 8 ? `${id.slice(0, 4)}***${id.slice(-4)}` : '***');
/** The sender's identity: the staff id when DingTalk gives it (stable in the sender's organisation), else the sender id. */
export const senderIdentity = (m: DingtalkMessage) =>
  m.senderStaffId ? { kind: DT_STAFF, value: `${m.senderCorpId ?? ''}:${m.senderStaffId}` } : { kind: DT_USER, value: m.senderId };

export async function ingestDingtalk(
  database: Database,
  channel: ChannelRow,
  msg: DingtalkMessage,
): Promise<{ outcome: DingtalkOutcome; ticketId?: string; number?: string }> {
  const rowId = uuidv7();
  const fresh = await channelsRepo.insertMessage(database.db, {
    id: rowId,
    channelId: channel.id,
    direction: 'in',
    externalId: `msg:${msg.msgId}`,
    outcome: 'received',
    sender: msg.senderId.slice(0, 200),
    subject: msg.msgtype,
  });
  if (!fresh) return { outcome: 'duplicate' };
  const from = short(msg.senderStaffId ?? msg.senderId);
  try {
    if (!['text', 'picture', 'richText'].includes(msg.msgtype)) {
      await channelsRepo.updateMessage(database.db, rowId, { outcome: 'unsupported' });
      await logChannel(database, channel.id, 'info', 'channels.log.dt_unsupported', { from, type: msg.msgtype });
      return { outcome: 'unsupported' };
    }
    const customerId = await customerFor(database, channel, msg);
    const pictures: Buffer[] = [];
    for (const code of msg.pictures) pictures.push(await downloadPicture(channel, code, MAX_UPLOAD_BYTES));
    const words = msg.text.trim();
    const text = words || (pictures.length ? t('zh-CN', 'channels.dt.image') : t('zh-CN', 'channels.dt.empty'));
    const open = await dingtalkRepo.openTicket(database.db, customerId);
    let out: { outcome: 'ticket' | 'reply'; ticketId: string; number: string; replyId: string | null };
    if (open) {
      const ctx: Ctx = { actor: { kind: 'customer', id: customerId, customerId, sessionId: null }, requestId: null, ip: null };
      const reply = await ticketCommands.addReply(database, ctx, open.id, { body: text, visibility: 'public' });
      out = { outcome: 'reply', ticketId: open.id, number: open.number, replyId: reply.id };
    } else {
      const created = await createTicket(database, channelCtx(channel), {
        customerId,
        type: 'inquiry',
        channel: 'dingtalk',
        priority: 'normal',
        subject: (words ? text.slice(0, 60) : `${t('zh-CN', 'channels.dt.subject')} ${text}`).slice(0, 200),
        description: text,
        externalRef: `dingtalk:${msg.msgId}`.slice(0, 128),
        ...(channel.teamId ? { teamId: channel.teamId } : {}),
      });
      out = { outcome: 'ticket', ticketId: created.body.id, number: created.body.number, replyId: null };
    }
    for (const [i, data] of pictures.entries())
      await storeChannelMedia(database, data, `picture-${msg.msgId.slice(-12)}-${i + 1}.jpg`, out.ticketId, out.replyId, customerId);
    await channelsRepo.updateMessage(database.db, rowId, { outcome: out.outcome, ticketId: out.ticketId, replyId: out.replyId, customerId });
    await logChannel(database, channel.id, 'info', `channels.log.dt_${out.outcome}`, { from, number: out.number });
    return { outcome: out.outcome, ticketId: out.ticketId, number: out.number };
  } catch (err) {
    await channelsRepo.deleteMessage(database.db, rowId);
    await logChannel(database, channel.id, 'error', 'channels.log.dt_failed', { from, error: (err as Error).name });
    throw err;
  }
}

/**
 * The customer of the sender's identity (a merged customer followed to the survivor), or a new one tagged 来自钉钉;
 * the conversation's session webhook is saved with it.
 */
async function customerFor(database: Database, channel: ChannelRow, msg: DingtalkMessage): Promise<string> {
  const id = senderIdentity(msg);
  // The conversation's session webhook is kept in the same transaction (one round of BEGIN/COMMIT per message).
  const session = (customerId: string) => ({
    channelId: channel.id,
    conversationId: msg.conversationId,
    senderKey: id.value,
    customerId,
    conversationType: msg.conversationType === '2' ? '2' : '1',
    senderStaffId: msg.senderStaffId,
    sessionWebhook: msg.sessionWebhook ? sealSecret(msg.sessionWebhook, 'channel_credential') : null,
    expiresAt: msg.sessionWebhookExpiredTime ? new Date(msg.sessionWebhookExpiredTime) : null,
  });
  return database.transaction(async (tx) => {
    const now = new Date();
    const known = await wechatRepo.identity(tx, id.kind, id.value);
    if (known) {
      await wechatRepo.touchIdentity(tx, known.id, now);
      let customerId = known.customerId;
      for (let hops = 0, into = await wechatRepo.mergedInto(tx, customerId); into && hops < 10; hops++, into = await wechatRepo.mergedInto(tx, into))
        customerId = into;
      if (customerId !== known.customerId) await wechatRepo.moveIdentity(tx, known.id, customerId);
      await dingtalkRepo.saveSession(tx, session(customerId));
      return customerId;
    }
    const c = await createCustomerInTx(tx, channelCtx(channel), {
      name: (msg.senderNick?.trim() || `${t('zh-CN', 'channels.dt.customer')}${msg.senderId.slice(-6)}`).slice(0, 100),
      tier: 'regular',
      vip: false,
      tags: [t('zh-CN', 'channels.dt.tag')],
    });
    const inserted = await wechatRepo.insertIdentity(tx, { customerId: c.id, kind: id.kind, value: id.value, channelId: channel.id, lastInAt: now });
    if (!inserted) throw new Error('identity_race'); // a concurrent first message made it: the retry finds it
    await dingtalkRepo.saveSession(tx, session(c.id));
    return c.id;
  });
}
