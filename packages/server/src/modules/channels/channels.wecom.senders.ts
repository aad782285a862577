/**
 * WeCom senders registered by the channels module: survey invitations and automatic care / reactivation touches by
 * 微信客服 (the `wechat` channel, tried before the Official Account) and 企业微信应用消息 for the staff notification worker.
 */
import type { Database, Tx } from '../../db/client';
import { t } from '../../i18n/index';
import { uuidv7 } from '../../lib/ids';
import type { SurveyMessage } from '../surveys/surveys.delivery';
import type { TouchMessage } from '../loops/touches';
import { wechatConsent, type WechatReplyPayload } from './channels.outbox';
import { channelsRepo } from './channels.repo';
import { EXTERNAL_USERID, sendAppCard } from './channels.wecom';
import { kfWindow } from './channels.wecom.outbox';

const maskId = (v: string) => (v.length > 8 ? `${v.slice(0, 4)}***${v.slice(-4)}` : '***');

/**
 * The survey sender for `wechat`: the invitation link as a 微信客服 message when the customer wrote to an enabled
 * wecom_kf channel within its window (48 h, fewer than 5 messages since) and consents (consent.wechat and
 * consent.surveys not false). Otherwise `no_gateway` (never sent where it may not be).
 */
export async function queueSurveyWechat(tx: Tx, msg: SurveyMessage): Promise<'queued' | 'no_gateway'> {
  const customer = await channelsRepo.customerContact(tx, msg.customerId);
  if (!customer) return 'no_gateway';
  const target = await kfTarget(tx, msg.customerId, new Date());
  if (!target) return 'no_gateway';
  const consent = customer.consent as Record<string, unknown> | null;
  if (!wechatConsent(consent) || consent?.surveys === false) {
    await noConsent(tx, target);
    return 'no_gateway';
  }
  const head = await channelsRepo.ticketHead(tx, msg.ticketId);
  const number = head?.number ?? '';
  const payload: WechatReplyPayload = {
    subject: t('zh-CN', 'channels.wecom.survey_subject', { number }),
    body: t('zh-CN', 'channels.wecom.survey_body', { number, url: msg.url }),
  };
  await channelsRepo.enqueue(tx, {
    id: uuidv7(),
    channelId: target.channelId,
    kind: 'survey',
    recipient: target.value,
    ticketId: msg.ticketId,
    invitationId: msg.invitationId,
    payload,
  });
  return 'queued';
}

/** The customer's 微信客服 conversation that may take a message now: an enabled wecom_kf channel, inside its window. */
async function kfTarget(tx: Tx, customerId: string, now: Date): Promise<{ value: string; channelId: string } | null> {
  const enabled = new Map((await channelsRepo.listChannels(tx, 'wecom_kf')).filter((c) => c.enabled).map((c) => [c.id, c]));
  for (const i of await channelsRepo.identitiesOf(tx, customerId, EXTERNAL_USERID)) {
    if (i.channelId && enabled.has(i.channelId) && !(await kfWindow(tx, i.channelId, i.value, now))) return { value: i.value, channelId: i.channelId };
  }
  return null;
}

async function noConsent(tx: Tx, target: { value: string; channelId: string }) {
  await channelsRepo.log(tx, {
    id: uuidv7(),
    channelId: target.channelId,
    level: 'warn',
    event: 'channels.log.wx_no_consent',
    detail: { to: maskId(target.value) },
  });
}

/**
 * An automatic care contact / reactivation touch by 微信客服 (tried first by the `wechat` touch sender): the text as a
 * kf message when the customer wrote to an enabled wecom_kf channel within its window (48 h, fewer than 5 messages
 * since; checked again when sent) and `consent.wechat` is not false. `unreachable` otherwise (the caller falls back to
 * the Official Account, then the other channels, as before).
 */
export async function queueTouchWecomKf(tx: Tx, msg: TouchMessage, id: string): Promise<'queued' | 'unreachable' | 'no_consent'> {
  const customer = await channelsRepo.customerContact(tx, msg.customerId);
  if (!customer) return 'unreachable';
  const target = await kfTarget(tx, msg.customerId, msg.at);
  if (!target) return 'unreachable';
  if (!wechatConsent(customer.consent)) {
    await noConsent(tx, target);
    return 'no_consent';
  }
  await channelsRepo.enqueue(tx, {
    id,
    channelId: target.channelId,
    kind: 'touch',
    recipient: target.value,
    ...(msg.ticketId ? { ticketId: msg.ticketId } : {}),
    payload: { subject: msg.subject, body: msg.body } satisfies WechatReplyPayload,
  });
  return 'queued';
}

/** 企业微信应用消息 for the staff notification worker: the first enabled wecom_app channel sends the card. */
export const wecomAppSender = {
  async send(database: Database, userId: string, card: { title: string; description: string; url: string }): Promise<void> {
    const [channel] = (await channelsRepo.listChannels(database.db, 'wecom_app')).filter((c) => c.enabled);
    if (!channel) throw new Error('no enabled WeCom application (wecom_app channel)');
    await sendAppCard(channel, [userId], card);
  },
};
