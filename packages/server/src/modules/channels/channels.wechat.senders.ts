/**
 * WeChat Official Account notifications: survey invitations and visit reminders queued for a customer's openid, and
 * how a queued WeChat delivery is sent — as a customer-service message inside the 48-hour window, else (or when the
 * platform answers 45015) as the template message / subscribe notification configured for that message kind
 * (`config.templates.survey_invite | visit_reminder | ticket_update`). Without a template outside the window the
 * delivery is `dead` (`reply_window_closed`). Consent (`consent.wechat`, and `consent.surveys` for invitations) is
 * checked when queued and again when sent (in `sendOne`).
 */
import { t } from '../../i18n/index';
import type { Database, Tx } from '../../db/client';
import { uuidv7 } from '../../lib/ids';
import { scrubText } from '../../lib/mask';
import { orgTimeZone } from '../../lib/timezone';
import type { ReminderOutcome, VisitReminder } from '../field/field.reminders';
import type { SurveyMessage } from '../surveys/surveys.delivery';
import { imageBytes, MediaGoneError, type MediaPayload } from './channels.media';
import { channelsRepo, type ChannelRow, type OutboxRow } from './channels.repo';
import {
  OPENID,
  REPLY_WINDOW_MS,
  sendCustomMessage,
  sendTemplateMessage,
  uploadWechatMedia,
  WechatApiError,
  type WechatConfig,
  type WechatTemplate,
  type WechatTemplateKind,
} from './channels.wechat';

/** What a queued WeChat delivery carries: the text (customer-service message) and the template values. */
export interface WechatPayload {
  subject: string;
  body: string;
  /** Values for the template's `{placeholders}` (number, subject, name, time, url, status, text). */
  values?: Record<string, string>;
  /** The template message's URL (survey link). */
  link?: string;
  /** A photo of the reply (its own delivery, channels.media.ts): uploaded as temporary media, sent as `image`. */
  image?: MediaPayload['image'];
  after?: string;
}

/** Outbox kind → the template kind used outside the 48-hour window. */
const TEMPLATE_OF: Record<string, WechatTemplateKind> = { survey: 'survey_invite', reminder: 'visit_reminder', reply: 'ticket_update', touch: 'ticket_update' };

export const templateFor = (channel: Pick<ChannelRow, 'config'>, outboxKind: string): WechatTemplate | undefined => {
  const kind = TEMPLATE_OF[outboxKind];
  return kind ? (channel.config as WechatConfig).templates?.[kind] : undefined;
};

export const wechatConsent = (consent: unknown) => (consent as Record<string, unknown> | null)?.wechat !== false;
export const maskOpenid = (v: string) => (v.length > 8 ? `${v.slice(0, 4)}***${v.slice(-4)}` : '***');

/**
 * The openid to reach a customer on, for a message kind: on an enabled Official Account, the most recently active one
 * inside the 48-hour window; else one whose account has a template for the kind. null: not reachable by WeChat.
 */
export async function reachableOpenid(ex: Tx, customerId: string, outboxKind: string, at: Date): Promise<{ openid: string; channel: ChannelRow } | null> {
  const enabled = new Map((await channelsRepo.listChannels(ex, 'wechat_oa')).filter((c) => c.enabled).map((c) => [c.id, c]));
  const ids = (await channelsRepo.identitiesOf(ex, customerId, OPENID)).filter((i) => i.channelId && enabled.has(i.channelId));
  const open = ids.find((i) => i.lastInAt && at.getTime() - i.lastInAt.getTime() <= REPLY_WINDOW_MS);
  if (open) return { openid: open.value, channel: enabled.get(open.channelId!)! };
  const tpl = ids.find((i) => templateFor(enabled.get(i.channelId!)!, outboxKind));
  return tpl ? { openid: tpl.value, channel: enabled.get(tpl.channelId!)! } : null;
}

export const fmtTime = (d: Date) =>
  new Intl.DateTimeFormat('zh-CN', {
    timeZone: orgTimeZone(),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .format(d)
    .replace(/\//g, '-');

/** Queues a WeChat notification for a customer (reachable and consenting), or says why not. */
export async function queueWechat(
  tx: Tx,
  customerId: string,
  outboxKind: 'survey' | 'reminder' | 'touch',
  payload: WechatPayload,
  extra: { ticketId?: string | null; invitationId?: string; at: Date; surveys?: boolean; id?: string },
): Promise<'queued' | 'unreachable' | 'no_consent'> {
  const customer = await channelsRepo.customerContact(tx, customerId);
  if (!customer) return 'unreachable';
  const reach = await reachableOpenid(tx, customerId, outboxKind, extra.at);
  if (!reach) return 'unreachable';
  const consent = customer.consent as Record<string, unknown> | null;
  if (!wechatConsent(consent) || (extra.surveys && consent?.surveys === false)) {
    await channelsRepo.log(tx, {
      id: uuidv7(),
      channelId: reach.channel.id,
      level: 'warn',
      event: 'channels.log.wx_no_consent',
      detail: { to: maskOpenid(reach.openid) },
    });
    return 'no_consent';
  }
  await channelsRepo.enqueue(tx, {
    id: extra.id ?? uuidv7(),
    channelId: reach.channel.id,
    kind: outboxKind,
    recipient: reach.openid,
    payload,
    ...(extra.ticketId ? { ticketId: extra.ticketId } : {}),
    ...(extra.invitationId ? { invitationId: extra.invitationId } : {}),
  });
  return 'queued';
}

/** The survey sender for `wechat` (registerSurveySender('wechat', …)). */
export async function queueSurveyWechat(tx: Tx, msg: SurveyMessage): Promise<'queued' | 'no_gateway'> {
  const head = await channelsRepo.ticketHead(tx, msg.ticketId);
  const customer = await channelsRepo.customerContact(tx, msg.customerId);
  const number = head?.number ?? '';
  const outcome = await queueWechat(
    tx,
    msg.customerId,
    'survey',
    {
      subject: t('zh-CN', 'channels.wecom.survey_subject', { number }),
      body: t('zh-CN', 'channels.wecom.survey_body', { number, url: msg.url }),
      values: {
        number,
        subject: head?.subject ?? '',
        name: customer?.name ?? '',
        url: msg.url,
        time: fmtTime(new Date()),
        status: t('zh-CN', 'channels.wx.status_resolved'),
        text: t('zh-CN', 'channels.wx.survey_text'),
      },
      link: msg.url,
    },
    { ticketId: msg.ticketId, invitationId: msg.invitationId, at: new Date(), surveys: true },
  );
  return outcome === 'queued' ? 'queued' : 'no_gateway';
}

/**
 * The visit reminder sender for `wechat`: a customer-service message inside the 48-hour window, else the
 * `visit_reminder` template when the account has one; otherwise not reachable.
 */
export async function queueReminderWechat(tx: Tx, msg: VisitReminder): Promise<ReminderOutcome> {
  const customer = await channelsRepo.customerContact(tx, msg.customerId);
  return queueWechat(
    tx,
    msg.customerId,
    'reminder',
    {
      subject: msg.subject,
      body: msg.body,
      values: {
        number: msg.ticketNumber,
        subject: msg.subject,
        name: customer?.name ?? '',
        time: msg.start ? fmtTime(msg.start) : '',
        url: '',
        status: t('zh-CN', 'channels.wx.status_visit'),
        text: msg.body,
      },
    },
    { ticketId: msg.ticketId, at: msg.at },
  );
}

type Done = (tx: Tx, externalId: string | null, event: string) => Promise<void>;
type Fail = (error: string, final: boolean) => Promise<void>;

/**
 * Sends one queued WeChat delivery: a customer-service text inside the 48-hour window; outside it (or when the
 * platform answers 45015) the template for the row's kind; no template → dead with `reply_window_closed`. A photo
 * (payload.image) only inside the window: uploaded by media/upload, then a customer-service `image` message.
 */
export async function sendWechatRow(database: Database, row: OutboxRow, channel: ChannelRow, now: Date, done: Done, fail: Fail) {
  const last = await channelsRepo.identityLastIn(database.db, OPENID, row.recipient);
  const p = row.payload as WechatPayload;
  const tpl = templateFor(channel, row.kind);
  const windowOpen = !!last && now.getTime() - last.getTime() <= REPLY_WINDOW_MS;
  const viaTemplate = async (t: WechatTemplate) => {
    const values = { subject: p.subject, text: p.body, ...(p.values ?? {}) };
    const msgid = await sendTemplateMessage(channel, row.recipient, t, values, p.link || undefined);
    await database.transaction((tx) => done(tx, msgid, t.mode === 'subscribe' ? 'channels.log.wx_subscribe_sent' : 'channels.log.wx_template_sent'));
  };
  try {
    if (p.image) {
      // An image has no template form: outside the window it is not sent (the text went as the template).
      if (!windowOpen) return await fail('reply_window_closed: the user has not written in the last 48 hours (an image is only sent inside the window)', true);
      const file = await imageBytes(database, p.image);
      const mediaId = await uploadWechatMedia(channel, file.data, file.filename, file.mime);
      await sendCustomMessage(channel, row.recipient, { msgtype: 'image', image: { media_id: mediaId } });
      return await database.transaction((tx) => done(tx, mediaId, 'channels.log.out_sent'));
    }
    if (!windowOpen) {
      if (!tpl) return await fail('reply_window_closed: the user has not written in the last 48 hours (WeChat customer-service message window)', true);
      return await viaTemplate(tpl);
    }
    try {
      await sendCustomMessage(channel, row.recipient, { msgtype: 'text', text: { content: p.body.slice(0, 2000) } });
    } catch (err) {
      if (tpl && err instanceof WechatApiError && err.kind === 'reply_window_closed') return await viaTemplate(tpl);
      throw err;
    }
    await database.transaction((tx) => done(tx, null, 'channels.log.out_sent'));
  } catch (err) {
    const kind = err instanceof WechatApiError ? err.kind : err instanceof MediaGoneError ? 'media_gone' : 'failed';
    const final = ['reply_window_closed', 'refused_address', 'not_subscribed', 'bad_template', 'media_gone'].includes(kind);
    await fail(`${kind}: ${scrubText(String((err as Error).message ?? err)).slice(0, 300)}`, final);
  }
}
