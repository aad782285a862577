/**
 * WeCom senders registered by the channels module: survey invitations by 微信客服 (`wechat` survey channel) and
 * 企业微信应用消息 for the staff notification worker.
 */
import type { Database, Tx } from '../../db/client';
import { t } from '../../i18n/index';
import { uuidv7 } from '../../lib/ids';
import type { SurveyMessage } from '../surveys/surveys.delivery';
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
  const enabled = new Map((await channelsRepo.listChannels(tx, 'wecom_kf')).filter((c) => c.enabled).map((c) => [c.id, c]));
  const now = new Date();
  let target: { value: string; channelId: string } | null = null;
  for (const i of await channelsRepo.identitiesOf(tx, msg.customerId, EXTERNAL_USERID)) {
    if (i.channelId && enabled.has(i.channelId) && !(await kfWindow(tx, i.channelId, i.value, now))) {
      target = { value: i.value, channelId: i.channelId };
      break;
    }
  }
  if (!target) return 'no_gateway';
  const consent = customer.consent as Record<string, unknown> | null;
  if (!wechatConsent(consent) || consent?.surveys === false) {
    await channelsRepo.log(tx, {
      id: uuidv7(),
      channelId: target.channelId,
      level: 'warn',
      event: 'channels.log.wx_no_consent',
      detail: { to: maskId(target.value) },
    });
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

/** 企业微信应用消息 for the staff notification worker: the first enabled wecom_app channel sends the card. */
export const wecomAppSender = {
  async send(database: Database, userId: string, card: { title: string; description: string; url: string }): Promise<void> {
    const [channel] = (await channelsRepo.listChannels(database.db, 'wecom_app')).filter((c) => c.enabled);
    if (!channel) throw new Error('no enabled WeCom application (wecom_app channel)');
    await sendAppCard(channel, [userId], card);
  },
};
