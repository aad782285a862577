/**
 * 钉钉工作通知 (DingTalk work notifications): a staff member mapped to a DingTalk userid (staff_dingtalk, enabled; a
 * trigger queues their notifications, migration 0045) gets each notification as an app message from the first enabled
 * `dingtalk_robot` channel with an AgentId: `asyncsend_v2` — an action card linking to the ticket, else text — with the
 * app's cached old-style token (refreshed once when the platform calls it expired). The kinds and quiet hours of their
 * notification preferences apply. Retries with back-off like the other deliveries (delivery.ts).
 */
import type { Tx, Executor } from '../db/client';
import { asLocale, t, type Locale } from '../i18n/index';
import { openDingtalkSecrets, sendWorkNotice, type DingtalkConfig, type WorkNoticeMsg } from '../modules/channels/channels.dingtalk';
import { notificationTitle } from './notifications.present';
import { dingtalkWorkRepo } from './dingtalk.repo';
import { deliveryRepo } from './notifications.repo';

export const DINGTALK_WORK = 'dingtalk_work';

export interface WorkNoticePayload {
  msg: WorkNoticeMsg;
}

/** The work notice of a notification, in the recipient's language. */
export function workNoticeOf(
  locale: Locale | undefined,
  n: { id: number; kind: string; ticketId: string | null; title: string; data: unknown },
): WorkNoticeMsg {
  const title = notificationTitle(locale, n);
  const base = (process.env.CHIDU_PUBLIC_URL ?? '').replace(/\/+$/, '');
  if (n.ticketId && base) {
    return {
      msgtype: 'action_card',
      action_card: {
        title: title.slice(0, 60),
        markdown: `### ${title}`,
        single_title: t(locale, 'channels.dt.open'),
        single_url: `${base}/tickets/${n.ticketId}`,
      },
    };
  }
  return { msgtype: 'text', text: { content: t(locale, 'notifications.delivery.webhook_text', { title }) } };
}

/** Outbox → work-notice deliveries for the mapped recipients (in the expand transaction; `at` = after quiet hours). */
export async function expandDingtalk(tx: Tx, ids: number[], afterQuiet: (q: unknown, now: number) => number): Promise<void> {
  if (!ids.length) return;
  const rows = await dingtalkWorkRepo.mappedRecipients(tx, ids);
  const now = Date.now();
  for (const r of rows) {
    if (r.kinds?.length && !r.kinds.includes(r.n.kind)) continue;
    const payload: WorkNoticePayload = { msg: workNoticeOf(asLocale(r.locale) ?? undefined, r.n) };
    await deliveryRepo.addDelivery(tx, {
      notificationId: r.n.id,
      recipientId: r.n.recipientId,
      channel: DINGTALK_WORK,
      target: r.userid,
      payload,
      nextAttemptAt: new Date(afterQuiet(r.quiet ?? null, now)),
    });
  }
}

/** Sends one work notice; throws with the reason (the delivery worker records it and retries). */
export async function sendDingtalkWork(ex: Executor, target: string, payload: unknown): Promise<void> {
  const app = await dingtalkWorkRepo.workApp(ex);
  if (!app) throw new Error('no_dingtalk_app: no enabled DingTalk channel with an AgentId');
  await sendWorkNotice(app.config as DingtalkConfig, openDingtalkSecrets(app), [target], (payload as WorkNoticePayload).msg, app.secrets ?? '');
}
