/**
 * WeChat Official Account callbacks: the server-configuration check (GET, echostr) and messages (POST, plain or AES
 * safe mode). A message is verified (signature; in safe mode also msg_signature and the AppID inside), recorded once per
 * (channel, MsgId) — events by FromUserName + CreateTime — so a redelivery stores nothing new, then: the customer found
 * by openid (`customer_identities`) or created, and the message becomes a customer reply on their open `wechat` ticket or
 * a new ticket (type inquiry). Photos and voice are downloaded with /cgi-bin/media/get and stored as attachments
 * (sniffed like every upload). If handling fails, the record is removed so the platform's retry tries again.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../../db/client';
import type { Ctx } from '../../lib/context';
import { uuidv7 } from '../../lib/ids';
import { t } from '../../i18n/index';
import { MAX_UPLOAD_BYTES, safeFilename, sniff } from '../attachments/attachments.commands';
import { thumbnail } from '../attachments/attachments.files';
import { createCustomerInTx } from '../customers/customers.commands';
import { customersRepo } from '../customers/customers.repo';
import { maskPhone } from '../../lib/mask';
import * as ticketCommands from '../tickets/tickets.commands';
import { createTicket } from '../tickets/tickets.create';
import { logChannel } from './channels.ingest';
import { channelsRepo, type ChannelRow } from './channels.repo';
import { wechatRepo } from './channels.wechat.repo';
import {
  downloadMedia,
  msgSignature,
  OPENID,
  openEncrypted,
  openWechatSecrets,
  parseWechatXml,
  plainSignature,
  sameSignature,
  type WechatConfig,
  type WechatMessage,
} from './channels.wechat';

export interface CallbackQuery {
  signature?: string | undefined;
  timestamp?: string | undefined;
  nonce?: string | undefined;
  echostr?: string | undefined;
  encrypt_type?: string | undefined;
  msg_signature?: string | undefined;
}

/** The enabled wechat_oa channel of a callback URL, or undefined (the route answers 403: nothing to learn). */
export async function callbackChannel(database: Database, id: string): Promise<ChannelRow | undefined> {
  const row = await channelsRepo.channel(database.db, id);
  return row && row.kind === 'wechat_oa' && row.enabled ? row : undefined;
}

/** GET: WeChat checks the URL; answer its echostr when the signature is right (safe mode sends it in the clear too). */
export function verifyUrl(channel: ChannelRow, q: CallbackQuery): string | null {
  const sec = openWechatSecrets(channel);
  if (!sec.token || !q.timestamp || !q.nonce || !q.echostr) return null;
  if (!sameSignature(q.signature, plainSignature(sec.token, q.timestamp, q.nonce))) return null;
  return q.echostr;
}

/** POST: the verified message, or null (forged, undecryptable, not ours): the route answers 403 and stores nothing. */
export function openCallback(channel: ChannelRow, q: CallbackQuery, body: string): WechatMessage | null {
  const sec = openWechatSecrets(channel);
  const cfg = channel.config as WechatConfig;
  if (!sec.token || !q.timestamp || !q.nonce) return null;
  if (!sameSignature(q.signature, plainSignature(sec.token, q.timestamp, q.nonce))) return null;
  const outer = parseWechatXml(body);
  if (!outer) return null;
  if (q.encrypt_type === 'aes' || (outer.encrypt && !outer.msgType)) {
    if (!outer.encrypt || !sec.encodingAesKey) return null;
    if (!sameSignature(q.msg_signature, msgSignature(sec.token, q.timestamp, q.nonce, outer.encrypt))) return null;
    const xml = openEncrypted(sec.encodingAesKey, cfg.appId, outer.encrypt);
    return xml ? parseWechatXml(xml) : null;
  }
  return outer;
}

export type WechatOutcome = 'ticket' | 'reply' | 'event' | 'unsupported' | 'duplicate';

/** What differs between the WeChat-family channels sharing this ingest (公众号 by openid, 微信客服 by external_userid). */
export interface Via {
  /** customer_identities kind */
  identity: string;
  /** message key of the tag a new customer gets */
  tag: string;
  /** prefix of the ticket's externalRef */
  ref: string;
  download(channel: ChannelRow, mediaId: string, maxBytes: number): Promise<Buffer>;
}
export const WECHAT_VIA: Via = { identity: OPENID, tag: 'channels.wx.tag', ref: 'wechat', download: downloadMedia };

const channelCtx = (channel: ChannelRow): Ctx => ({ actor: { kind: 'system', id: null, name: `channel:wechat:${channel.name}` }, requestId: null, ip: null });
const short = (openid: string) => (openid.length > 8 ? `${openid.slice(0, 4)}***${openid.slice(-4)}` : '***');

/** Records and handles one verified message. */
export async function ingestWechat(
  database: Database,
  channel: ChannelRow,
  msg: WechatMessage,
  via: Via = WECHAT_VIA,
): Promise<{ outcome: WechatOutcome; ticketId?: string; number?: string }> {
  if (!msg.fromUser) return { outcome: 'unsupported' };
  const externalId = msg.msgId ? `msg:${msg.msgId}` : `evt:${msg.fromUser}:${msg.createTime}:${msg.event ?? msg.msgType}`;
  const rowId = uuidv7();
  const fresh = await channelsRepo.insertMessage(database.db, {
    id: rowId,
    channelId: channel.id,
    direction: 'in',
    externalId,
    outcome: 'received',
    sender: msg.fromUser,
    subject: msg.msgType,
  });
  if (!fresh) return { outcome: 'duplicate' };
  const from = short(msg.fromUser);
  try {
    if (msg.msgType === 'event') {
      // subscribe: the follower becomes (or is found as) a customer; other events are only recorded.
      const customerId = msg.event === 'subscribe' ? await customerFor(database, channel, msg.fromUser, false, via) : null;
      await channelsRepo.updateMessage(database.db, rowId, { outcome: 'event', customerId });
      await logChannel(database, channel.id, 'info', 'channels.log.wx_event', { from, event: msg.event ?? '' });
      return { outcome: 'event' };
    }
    if (!['text', 'image', 'voice'].includes(msg.msgType)) {
      await channelsRepo.updateMessage(database.db, rowId, { outcome: 'unsupported' });
      await logChannel(database, channel.id, 'info', 'channels.log.wx_unsupported', { from, type: msg.msgType });
      return { outcome: 'unsupported' };
    }
    const customerId = await customerFor(database, channel, msg.fromUser, true, via);
    if (msg.msgType === 'text') await notePhone(database, channel, customerId, msg.content ?? '', from);
    const media = msg.msgType !== 'text' && msg.mediaId ? await via.download(channel, msg.mediaId, MAX_UPLOAD_BYTES) : null;
    const text =
      msg.msgType === 'text'
        ? (msg.content ?? '').trim() || t('zh-CN', 'channels.wx.empty')
        : msg.msgType === 'image'
          ? t('zh-CN', 'channels.wx.image')
          : msg.recognition
            ? `${t('zh-CN', 'channels.wx.voice')} ${msg.recognition}`
            : t('zh-CN', 'channels.wx.voice');
    const open = await openWechatTicket(database, customerId);
    let out: { outcome: 'ticket' | 'reply'; ticketId: string; number: string; replyId: string | null };
    if (open) {
      const ctx: Ctx = { actor: { kind: 'customer', id: customerId, customerId, sessionId: null }, requestId: null, ip: null };
      const reply = await ticketCommands.addReply(database, ctx, open.id, { body: text.slice(0, 20_000), visibility: 'public' });
      out = { outcome: 'reply', ticketId: open.id, number: open.number, replyId: reply.id };
    } else {
      const created = await createTicket(database, channelCtx(channel), {
        customerId,
        type: 'inquiry',
        channel: 'wechat',
        priority: 'normal',
        subject: (msg.msgType === 'text' ? text.slice(0, 60) : `${t('zh-CN', 'channels.wx.subject')} ${text}`).slice(0, 200),
        description: text.slice(0, 20_000),
        externalRef: `${via.ref}:${externalId}`.slice(0, 128),
        ...(channel.teamId ? { teamId: channel.teamId } : {}),
      });
      out = { outcome: 'ticket', ticketId: created.body.id, number: created.body.number, replyId: null };
    }
    if (media)
      await storeChannelMedia(
        database,
        media,
        `${msg.msgType}-${msg.msgId ?? msg.createTime}.${msg.msgType === 'voice' ? (msg.format ?? 'amr') : 'jpg'}`,
        out.ticketId,
        out.replyId,
        customerId,
      );
    // The record settled and the channel's log line in one statement.
    await channelsRepo.updateMessageAndLog(
      database.db,
      rowId,
      { outcome: out.outcome, ticketId: out.ticketId, replyId: out.replyId, customerId },
      { id: uuidv7(), channelId: channel.id, level: 'info', event: `channels.log.wx_${out.outcome}`, detail: { from, number: out.number } },
    );
    return { outcome: out.outcome, ticketId: out.ticketId, number: out.number };
  } catch (err) {
    await channelsRepo.deleteMessage(database.db, rowId);
    await logChannel(database, channel.id, 'error', 'channels.log.wx_failed', { from, error: (err as Error).name });
    throw err;
  }
}

/** The customer of an openid / external_userid (its last message time noted: the reply window), or a new one. */
export async function customerFor(database: Database, channel: ChannelRow, openid: string, message: boolean, via: Via = WECHAT_VIA): Promise<string> {
  // The common case — a message from a known, unmerged identity — is one statement; the rest below in a transaction.
  if (message) {
    const known = await wechatRepo.touchKnown(database.db, via.identity, openid, new Date());
    if (known && !known.merged) return known.customerId;
  }
  return database.transaction(async (tx) => {
    const now = new Date();
    const known = await wechatRepo.identity(tx, via.identity, openid);
    if (known) {
      if (message) await wechatRepo.touchIdentity(tx, known.id, now);
      // A merge moves identities; one left on a merged customer (a merge racing this message) follows the merge chain.
      let customerId = known.customerId;
      for (let hops = 0, into = await wechatRepo.mergedInto(tx, customerId); into && hops < 10; hops++, into = await wechatRepo.mergedInto(tx, into))
        customerId = into;
      if (customerId !== known.customerId) await wechatRepo.moveIdentity(tx, known.id, customerId);
      return customerId;
    }
    const c = await createCustomerInTx(tx, channelCtx(channel), {
      name: `${t('zh-CN', 'channels.wx.customer')}${openid.slice(-6)}`,
      tier: 'regular',
      vip: false,
      tags: [t('zh-CN', via.tag)],
    });
    const inserted = await wechatRepo.insertIdentity(tx, {
      customerId: c.id,
      kind: via.identity,
      value: openid,
      channelId: channel.id,
      lastInAt: message ? now : null,
    });
    if (!inserted) throw new Error('identity_race'); // a concurrent first message made it: the retry finds it
    return c.id;
  });
}

/** A mainland mobile number in a message (the first one). */
export const MOBILE_IN_TEXT = /(?<!\d)(1[3-9]\d{9})(?!\d)/;

/**
 * A WeChat-only customer (no phone on the record) who writes a mobile number: it is kept as their `phone` identity,
 * never written over the record, so the customer 360 offers to merge them with the customer of that phone.
 */
async function notePhone(database: Database, channel: ChannelRow, customerId: string, text: string, from: string): Promise<void> {
  const phone = MOBILE_IN_TEXT.exec(text)?.[1];
  if (!phone) return;
  const customer = await customersRepo.byId(database.db, customerId);
  if (!customer || customer.phone) return;
  const added = await wechatRepo.insertIdentity(database.db, { customerId, kind: 'phone', value: phone, channelId: channel.id, lastInAt: new Date() });
  if (added) await logChannel(database, channel.id, 'info', 'channels.log.wx_phone', { from, phone: maskPhone(phone) ?? '' });
}

/** The customer's open (or resolved, not closed) ticket on channel wechat, newest first. */
function openWechatTicket(database: Database, customerId: string) {
  return wechatRepo.openWechatTicket(database.db, customerId);
}

/** A downloaded photo or voice through the upload rules (sniffed type, size); a refused file is skipped. */
export async function storeChannelMedia(database: Database, data: Buffer, filename: string, ticketId: string, replyId: string | null, customerId: string) {
  const mime = data.length > 0 && data.length <= MAX_UPLOAD_BYTES ? await sniff(data, filename) : null;
  if (!mime) return;
  const ext = mime.split('/')[1] ?? 'bin';
  const name = safeFilename(filename.replace(/\.[^.]+$/, `.${ext === 'jpeg' ? 'jpg' : ext}`));
  // A photo the thumbnailer cannot read is still kept (without a preview).
  const thumb = await thumbnail(data, mime).catch(() => null);
  await channelsRepo.insertAttachment(database.db, {
    id: uuidv7(),
    ticketId,
    replyId,
    uploadedByKind: 'customer',
    uploadedById: customerId,
    filename: name,
    mime,
    size: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
    data,
    thumbnail: thumb,
  });
}
