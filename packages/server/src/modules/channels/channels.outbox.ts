/**
 * The channel outbox: deliveries are queued in the caller's transaction (an agent's public reply on an email ticket,
 * a survey invitation) and sent by the channels worker after commit. Each pass claims due rows with
 * FOR UPDATE SKIP LOCKED, respects the provider's rate (deliveries per minute per channel), sends, and records:
 * `sent` (with the provider's message id), `failed` (retried after 30 s, 1 min, 2 min, … ) or, after MAX_ATTEMPTS,
 * `dead` (shown in the dead-letter view, where an admin may retry). Errors are stored with addresses masked.
 * Consent is checked when queued and again when sent: a customer who withdrew email consent is never mailed.
 */
import type { Transporter } from 'nodemailer';
import type { Database, Tx } from '../../db/client';
import type { Ctx } from '../../lib/context';
import { uuidv7 } from '../../lib/ids';
import { maskEmail, maskPhone, scrubText } from '../../lib/mask';
import type { ReminderOutcome, VisitReminder } from '../field/field.reminders';
import type { SurveyMessage } from '../surveys/surveys.delivery';
import type { TicketEvent, TicketSnapshot } from '../tickets/ticket-events';
import { mailBodies, replySubject } from './channels.email';
import { openSecrets, smtpTransport, errorKind, type EmailConfig } from './channels.mail';
import { channelsRepo, type ChannelRow, type OutboxRow } from './channels.repo';
import { OPENID, type WechatConfig } from './channels.wechat';
import { fmtTime, sendWechatRow, wechatConsent, type WechatPayload } from './channels.wechat.senders';
import { EXTERNAL_USERID } from './channels.wecom';
import { sendWecomKf } from './channels.wecom.outbox';
import { isSmsKind, SmsApiError } from './channels.sms';
import { sendQueuedSms, smsConsent } from './channels.sms.senders';
import { DingtalkApiError } from './channels.dingtalk';
import { dingtalkConsent, sendDingtalkRow } from './channels.dingtalk.outbox';
import { queueReplyImages, waitsForPrevious } from './channels.media';

export const MAX_ATTEMPTS = 6;
export const backoffMs = (attempts: number) => 30_000 * 2 ** Math.max(0, attempts - 1);

/** Email consent: withdrawn when the customer's `consent.email` is false (absent = not withdrawn). */
export const emailConsent = (consent: unknown) => (consent as Record<string, unknown> | null)?.email !== false;

/** WeChat consent: withdrawn when the customer's `consent.wechat` is false (absent = not withdrawn). */
export { wechatConsent };

export const domainOf = (address: string) => address.split('@')[1] ?? 'chidu.local';

export interface ReplyPayload {
  subject: string;
  body: string;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  from: string;
  fromName: string;
}

/** Consumer of `ticket.public_reply`: an agent's public reply on an email ticket goes out threaded (same transaction). */
export async function queueEmailReply(tx: Tx, ctx: Ctx, ticket: TicketSnapshot, event: TicketEvent) {
  if (ticket.channel !== 'email' || ctx.actor.kind !== 'staff') return;
  const replyId = (event.data as { replyId?: string }).replyId;
  if (!replyId) return;
  const thread = await channelsRepo.ticketThreadRefs(tx, ticket.id);
  const first = thread.find((m) => m.direction === 'in');
  if (!first) return;
  const channel = await channelsRepo.channel(tx, first.channelId);
  const customer = await channelsRepo.customerContact(tx, ticket.customerId);
  const reply = await channelsRepo.reply(tx, replyId);
  const head = await channelsRepo.ticketHead(tx, ticket.id);
  if (!channel || !channel.address || !customer?.email || !reply || !head) return;
  if (!emailConsent(customer.consent)) {
    await channelsRepo.log(tx, {
      id: uuidv7(),
      channelId: channel.id,
      level: 'warn',
      event: 'channels.log.out_no_consent',
      detail: { to: maskEmail(customer.email), number: head.number },
    });
    return;
  }
  const last = thread[thread.length - 1]!;
  const id = uuidv7();
  const messageId = `<${id}@${domainOf(channel.address)}>`;
  const payload: ReplyPayload = {
    subject: replySubject(first.subject ?? head.subject, head.number),
    body: reply.body,
    messageId,
    inReplyTo: last.externalId,
    references: thread.map((m) => m.externalId).slice(-20),
    from: channel.address,
    fromName: channel.name,
  };
  await channelsRepo.enqueue(tx, { id, channelId: channel.id, kind: 'reply', recipient: customer.email, payload, ticketId: ticket.id, replyId });
  await channelsRepo.insertMessage(tx, {
    id: uuidv7(),
    channelId: channel.id,
    direction: 'out',
    externalId: messageId,
    ticketId: ticket.id,
    replyId,
    customerId: ticket.customerId,
    outboxId: id,
    outcome: 'queued',
    subject: payload.subject,
  });
}

export type WechatReplyPayload = WechatPayload;

/**
 * Consumer of `ticket.public_reply`: an agent's public reply on a `wechat` ticket goes back to the user's openid as a
 * customer-service message on the channel the conversation came in by (queued in the reply's transaction); on a
 * 微信客服 channel (wecom_kf) to the user's external_userid by kf/send_msg. The reply's photos follow as image
 * messages, one delivery each (channels.media.ts). Never when the customer withdrew WeChat consent; the 48-hour
 * window is checked when sent.
 */
export async function queueWechatReply(tx: Tx, ctx: Ctx, ticket: TicketSnapshot, event: TicketEvent) {
  if (ticket.channel !== 'wechat' || ctx.actor.kind !== 'staff') return;
  const replyId = (event.data as { replyId?: string }).replyId;
  if (!replyId) return;
  const thread = await channelsRepo.ticketThreadRefs(tx, ticket.id);
  const inbound = thread.filter((m) => m.direction === 'in');
  const last = inbound[inbound.length - 1];
  if (!last) return;
  const channel = await channelsRepo.channel(tx, last.channelId);
  if (!channel || (channel.kind !== 'wechat_oa' && channel.kind !== 'wecom_kf')) return;
  const openid = await channelsRepo.identityOf(tx, ticket.customerId, channel.kind === 'wecom_kf' ? EXTERNAL_USERID : OPENID, channel.id);
  const customer = await channelsRepo.customerContact(tx, ticket.customerId);
  const reply = await channelsRepo.reply(tx, replyId);
  const head = await channelsRepo.ticketHead(tx, ticket.id);
  if (!openid || !customer || !reply || !head) return;
  if (!wechatConsent(customer.consent)) {
    await channelsRepo.log(tx, {
      id: uuidv7(),
      channelId: channel.id,
      level: 'warn',
      event: 'channels.log.wx_no_consent',
      detail: { to: maskId(openid), number: head.number },
    });
    return;
  }
  const id = uuidv7();
  // The values fill the `ticket_update` template when the reply goes out after the 48-hour window closed.
  const payload: WechatReplyPayload = {
    subject: head.subject,
    body: reply.body,
    values: { number: head.number, subject: head.subject, name: customer.name, status: '客服已回复', text: reply.body, time: fmtTime(new Date()) },
  };
  await channelsRepo.enqueue(tx, { id, channelId: channel.id, kind: 'reply', recipient: openid, payload, ticketId: ticket.id, replyId });
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
  // The reply's photos: one delivery each, after the text (customer-service `image` messages, channels.media.ts).
  await queueReplyImages(tx, {
    channel,
    recipient: openid,
    ticketId: ticket.id,
    customerId: ticket.customerId,
    replyId,
    textId: id,
    payload: { subject: head.subject },
  });
}

const maskId = (v: string) => (v.length > 8 ? `${v.slice(0, 4)}***${v.slice(-4)}` : '***');
/** A recipient for logs and errors: an e-mail address masked, an openid cut to its ends. */
const maskTo = (v: string) => (v.includes('@') ? (maskEmail(v) ?? '***') : /^\+?\d{7,15}$/.test(v) ? (maskPhone(v) ?? '***') : maskId(v));

/** The survey sender for `email` (registered with registerSurveySender): queues the invitation, never without consent. */
export async function queueSurveyEmail(tx: Tx, msg: SurveyMessage): Promise<'queued' | 'no_gateway'> {
  const customer = await channelsRepo.customerContact(tx, msg.customerId);
  const [channel] = (await channelsRepo.listChannels(tx, 'email')).filter((c) => c.enabled);
  if (!customer?.email || !channel?.address) return 'no_gateway';
  const consent = customer.consent as Record<string, unknown>;
  if (!emailConsent(consent) || consent.surveys === false) {
    await channelsRepo.log(tx, {
      id: uuidv7(),
      channelId: channel.id,
      level: 'warn',
      event: 'channels.log.out_no_consent',
      detail: { to: maskEmail(customer.email) },
    });
    return 'no_gateway';
  }
  const head = await channelsRepo.ticketHead(tx, msg.ticketId);
  const id = uuidv7();
  await channelsRepo.enqueue(tx, {
    id,
    channelId: channel.id,
    kind: 'survey',
    recipient: customer.email,
    ticketId: msg.ticketId,
    invitationId: msg.invitationId,
    payload: {
      subject: `服务满意度评价${head ? ` [#${head.number}]` : ''}`,
      body: `${customer.name}，您好！\n\n感谢您的耐心等待，您的诉求${head ? `（${head.number}）` : ''}已处理完毕。请花一分钟为本次服务评价：\n${msg.url}\n\n链接有效期至 ${msg.expiresAt.toISOString().slice(0, 10)}。`,
      messageId: `<${id}@${domainOf(channel.address)}>`,
      inReplyTo: null,
      references: [],
      from: channel.address,
      fromName: channel.name,
    } satisfies ReplyPayload,
  });
  return 'queued';
}

/**
 * The visit reminder sender for `email` (registered with the field module): queued on the first enabled email channel
 * when the customer has an address and has not withdrawn email consent (checked again when sent).
 */
export async function queueReminderEmail(tx: Tx, msg: VisitReminder): Promise<ReminderOutcome> {
  const customer = await channelsRepo.customerContact(tx, msg.customerId);
  const [channel] = (await channelsRepo.listChannels(tx, 'email')).filter((c) => c.enabled);
  if (!customer?.email || !channel?.address) return 'unreachable';
  if (!emailConsent(customer.consent)) {
    await channelsRepo.log(tx, {
      id: uuidv7(),
      channelId: channel.id,
      level: 'warn',
      event: 'channels.log.out_no_consent',
      detail: { to: maskEmail(customer.email) },
    });
    return 'no_consent';
  }
  const id = uuidv7();
  await channelsRepo.enqueue(tx, {
    id,
    channelId: channel.id,
    kind: 'reminder',
    recipient: customer.email,
    ticketId: msg.ticketId,
    payload: {
      subject: msg.subject,
      body: msg.body,
      messageId: `<${id}@${domainOf(channel.address)}>`,
      inReplyTo: null,
      references: [],
      from: channel.address,
      fromName: channel.name,
    } satisfies ReplyPayload,
  });
  return 'queued';
}

// ───────────────────────────── sending ─────────────────────────────

const transports = new Map<string, { version: number; t: Transporter }>();
async function transportFor(channel: ChannelRow): Promise<Transporter> {
  const version = channel.updatedAt.getTime();
  const cached = transports.get(channel.id);
  if (cached?.version === version) return cached.t;
  cached?.t.close();
  const t = await smtpTransport(channel.config as EmailConfig, openSecrets(channel));
  transports.set(channel.id, { version, t });
  return t;
}
export function closeTransports() {
  for (const { t } of transports.values()) t.close();
  transports.clear();
}

/** One pass: claim due deliveries and send them. Returns how many were handled. */
export async function drainOutbox(database: Database, now = new Date(), limit = 50): Promise<number> {
  const claimed = await database.transaction((tx) => channelsRepo.claimDue(tx, now, limit));
  // In the order they were queued (uuidv7 ids): a reply's text before its photos.
  claimed.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rate = new Map<string, number>();
  for (const row of claimed) await sendOne(database, row, now, rate);
  return claimed.length;
}

async function sendOne(database: Database, row: OutboxRow, now: Date, rate: Map<string, number>) {
  const ex = database.db;
  const channel = await channelsRepo.channel(ex, row.channelId);
  const to = maskTo(row.recipient);
  if (!channel || !channel.enabled) return fail(database, row, 'channel_disabled', true);
  const wechat = channel.kind === 'wechat_oa' || channel.kind === 'wecom_kf';
  const customer = row.ticketId ? await channelsRepo.customerContact(ex, (await channelsRepo.ticketHead(ex, row.ticketId))?.customerId ?? '') : undefined;
  const sms = isSmsKind(channel.kind);
  const dingtalk = channel.kind === 'dingtalk_robot';
  const consentOf = sms ? smsConsent : wechat ? wechatConsent : dingtalk ? dingtalkConsent : emailConsent;
  if (customer && !consentOf(customer.consent)) return fail(database, row, 'no_consent', true);
  if (sms && customer && row.kind === 'survey' && (customer.consent as Record<string, unknown> | null)?.surveys === false)
    return fail(database, row, 'no_consent', true);
  const wait = await waitsForPrevious(database, row, now);
  if (wait) {
    // A photo waits for the delivery before it (the text, the previous photo): back in the queue, attempt not counted.
    await channelsRepo.finishOutbox(ex, row.id, { status: 'queued', attempts: row.attempts - 1, nextAttemptAt: wait });
    return;
  }
  const perMinute = (channel.config as EmailConfig | WechatConfig).ratePerMinute ?? 60;
  const sent = rate.get(channel.id) ?? (await channelsRepo.sentSince(ex, channel.id, new Date(now.getTime() - 60_000)));
  if (sent >= perMinute) {
    // Over the provider's rate: back in the queue for a little later, this attempt not counted.
    await channelsRepo.finishOutbox(ex, row.id, { status: 'queued', attempts: row.attempts - 1, nextAttemptAt: new Date(now.getTime() + 5_000) });
    return;
  }
  rate.set(channel.id, sent + 1);
  if (channel.kind === 'wecom_kf') return sendWecomKf(database, row, channel, now, to, fail);
  if (wechat) {
    const done = async (tx: Tx, externalId: string | null, event: string) => {
      await channelsRepo.finishOutbox(tx, row.id, { status: 'sent', sentAt: new Date(), lastError: null, ...(externalId ? { externalId } : {}) });
      await channelsRepo.log(tx, { id: uuidv7(), channelId: channel.id, level: 'info', event, detail: { to, kind: row.kind } });
    };
    return sendWechatRow(database, row, channel, now, done, (error, final) => fail(database, row, error, final));
  }
  if (sms) return sendSmsRow(database, row, channel, to);
  if (dingtalk) return sendDingtalk(database, row, channel, now, to);
  const p = row.payload as ReplyPayload;
  try {
    const t = await transportFor(channel);
    const { text, html } = mailBodies(p.body, `${p.fromName} · 此邮件由尺度客服系统发送，直接回复即可继续沟通。`);
    const info = (await t.sendMail({
      from: { name: p.fromName, address: p.from },
      to: row.recipient,
      subject: p.subject,
      text,
      html,
      messageId: p.messageId,
      ...(p.inReplyTo ? { inReplyTo: p.inReplyTo } : {}),
      ...(p.references.length ? { references: p.references } : {}),
      headers: { 'Auto-Submitted': 'auto-replied', 'X-Chidu-Ticket': p.subject.match(/\[#([^\]]+)\]/)?.[1] ?? '' },
    })) as { messageId?: string };
    await database.transaction(async (tx) => {
      await channelsRepo.finishOutbox(tx, row.id, { status: 'sent', sentAt: new Date(), lastError: null, externalId: info.messageId ?? p.messageId });
      await channelsRepo.log(tx, { id: uuidv7(), channelId: channel.id, level: 'info', event: 'channels.log.out_sent', detail: { to, kind: row.kind } });
    });
  } catch (err) {
    transports.get(channel.id)?.t.close();
    transports.delete(channel.id);
    await fail(database, row, `${errorKind(err)}: ${scrubText(String((err as Error).message ?? err)).slice(0, 300)}`, false);
  }
}

/** A DingTalk robot reply: the session webhook while valid, else the robot API (channels.dingtalk.outbox.ts). */
async function sendDingtalk(database: Database, row: OutboxRow, channel: ChannelRow, now: Date, to: string) {
  try {
    const via = await sendDingtalkRow(database, row, channel, now);
    await database.transaction(async (tx) => {
      await channelsRepo.finishOutbox(tx, row.id, { status: 'sent', sentAt: new Date(), lastError: null, externalId: via });
      await channelsRepo.log(tx, { id: uuidv7(), channelId: channel.id, level: 'info', event: 'channels.log.out_sent', detail: { to, kind: row.kind } });
    });
  } catch (err) {
    const kind = err instanceof DingtalkApiError ? err.kind : 'failed';
    const final = kind === 'refused_address' || kind === 'invalid_user' || kind === 'bad_session' || kind === 'media_gone';
    await fail(database, row, `${kind}: ${scrubText(String((err as Error).message ?? err)).slice(0, 300)}`, final);
  }
}

/** A queued SMS (reminder, invitation) by its template; the provider's id is kept for the delivery receipt. */
async function sendSmsRow(database: Database, row: OutboxRow, channel: ChannelRow, to: string) {
  // A sign-in code is sent once, by the request that made it (the code is not stored): never again from the outbox
  // (a crash mid-send leaves its row `sending`; the stale-claim would otherwise pick it up).
  if (row.kind === 'code') return fail(database, row, 'code_not_resent: a sign-in code is only sent by its own request', true);
  try {
    const { externalId } = await sendQueuedSms(channel, row);
    await database.transaction(async (tx) => {
      await channelsRepo.finishOutbox(tx, row.id, { status: 'sent', sentAt: new Date(), lastError: null, externalId });
      await channelsRepo.log(tx, { id: uuidv7(), channelId: channel.id, level: 'info', event: 'channels.log.out_sent', detail: { to, kind: row.kind } });
    });
  } catch (err) {
    const kind = err instanceof SmsApiError ? err.kind : 'failed';
    const final = kind === 'no_template' || kind === 'bad_number' || kind === 'refused_address';
    await fail(database, row, `${kind}: ${scrubText(String((err as Error).message ?? err)).slice(0, 300)}`, final);
  }
}

export async function fail(database: Database, row: OutboxRow, error: string, final: boolean) {
  const dead = final || row.attempts >= MAX_ATTEMPTS;
  const masked = error.replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, (m) => maskEmail(m) ?? '***');
  await database.transaction(async (tx) => {
    await channelsRepo.finishOutbox(tx, row.id, {
      status: dead ? 'dead' : 'failed',
      lastError: masked,
      nextAttemptAt: new Date(Date.now() + backoffMs(row.attempts)),
    });
    await channelsRepo.log(tx, {
      id: uuidv7(),
      channelId: row.channelId,
      level: dead ? 'error' : 'warn',
      event: dead ? 'channels.log.out_dead' : 'channels.log.out_failed',
      detail: { to: maskTo(row.recipient), attempts: row.attempts, error: masked },
    });
  });
}

/** Dead letter (or failed) → queued again now; attempts start over. */
export async function requeue(database: Database, id: string) {
  await channelsRepo.finishOutbox(database.db, id, { status: 'queued', attempts: 0, nextAttemptAt: new Date(), lastError: null });
}
