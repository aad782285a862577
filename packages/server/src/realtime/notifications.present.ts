import { render, t, type Locale, type Message } from '../i18n/index';
import { TITLE_MESSAGE_KEY } from '../lib/notify';
import { displayUrl } from '../lib/outbound';
import { openSecret } from '../lib/secretbox';
import type { NotificationRow, PrefRow } from './notifications.repo';
import type { PrefsValue } from './notifications.schema';

const isMessage = (v: unknown): v is Message => typeof v === 'object' && v !== null && typeof (v as Message).key === 'string';

/**
 * A notification's title in the reader's language: its stored title message (`notify({ title: msg(…) })`, or the
 * `data.message` that the engine, knowledge and loops notifications carry), else the stored text as it is.
 */
export function notificationTitle(locale: Locale | undefined, n: Pick<NotificationRow, 'title' | 'data'>): string {
  const data = n.data as Record<string, unknown> | null;
  const m = data?.[TITLE_MESSAGE_KEY] ?? data?.message;
  return isMessage(m) ? render(locale, m) : n.title;
}

/** The data the client sees (the title message is rendered into `title`, not repeated). */
export function notificationData(n: Pick<NotificationRow, 'data'>): Record<string, unknown> {
  const rest = { ...((n.data ?? {}) as Record<string, unknown>) };
  delete rest[TITLE_MESSAGE_KEY];
  return rest;
}

/** A notification (schema `Notification`), its title in the reader's language. */
export const presentNotification = (locale: Locale | undefined, n: NotificationRow) => ({
  id: String(n.id),
  kind: n.kind,
  ticketId: n.ticketId,
  title: notificationTitle(locale, n),
  data: notificationData(n),
  createdAt: n.createdAt.toISOString(),
  readAt: n.readAt ? n.readAt.toISOString() : null,
});

/** The webhook URL is stored encrypted and shown as scheme + host only (its path / query carry the robot's key). */
export const presentPrefs = (p: PrefRow | undefined): PrefsValue => ({
  inApp: p?.inApp ?? true,
  email: { enabled: p?.emailEnabled ?? false, address: p?.emailAddress ?? null },
  webhook: {
    enabled: p?.webhookEnabled ?? false,
    url: p?.webhookUrl ? displayUrl(openSecret(p.webhookUrl, 'webhook_url')) : null,
    format: (p?.webhookFormat ?? 'generic') as 'generic',
  },
  wecom: { enabled: p?.wecomEnabled ?? false, userId: p?.wecomUserId ?? null },
  quietHours: (p?.quietHours as PrefsValue['quietHours']) ?? null,
  kinds: p?.kinds ?? [],
});

export const presentDelivery = (d: {
  id: number;
  notificationId: number;
  channel: string;
  state: string;
  attempts: number;
  lastError: string | null;
  responseStatus: number | null;
  sentAt: Date | null;
  createdAt: Date;
}) => ({
  id: String(d.id),
  notificationId: String(d.notificationId),
  channel: d.channel,
  state: d.state,
  attempts: d.attempts,
  lastError: d.lastError,
  responseStatus: d.responseStatus,
  sentAt: d.sentAt ? d.sentAt.toISOString() : null,
  createdAt: d.createdAt.toISOString(),
});

// ───────────────────────────── external delivery (e-mail, webhook), in the recipient's language ─────────────────────────────

export interface DeliveredNotification {
  id: number;
  kind: string;
  ticketId: string | null;
  title: string;
  data: unknown;
  createdAt: Date;
}
export type WebhookFormat = 'generic' | 'wecom' | 'dingtalk';

export function webhookBodyIn(locale: Locale | undefined, format: WebhookFormat, n: DeliveredNotification): unknown {
  const title = notificationTitle(locale, n);
  const content = t(locale, 'notifications.delivery.webhook_text', { title });
  if (format === 'wecom') return { msgtype: 'text', text: { content } };
  if (format === 'dingtalk') return { msgtype: 'text', text: { content } };
  const data = notificationData(n);
  return { notificationId: String(n.id), kind: n.kind, title, ticketId: n.ticketId, data, createdAt: n.createdAt.toISOString() };
}

/** 企业微信应用消息: a text card (title, time, a link to the ticket when there is one) in the recipient's language. */
export function wecomCardIn(locale: Locale | undefined, n: DeliveredNotification): { title: string; description: string; url: string } {
  const title = notificationTitle(locale, n);
  const base = (process.env.CHIDU_PUBLIC_URL ?? '').replace(/\/+$/, '');
  return {
    title: t(locale, 'notifications.delivery.webhook_text', { title }),
    description: t(locale, 'notifications.delivery.wecom_card', { at: n.createdAt.toISOString().slice(0, 16).replace('T', ' ') }),
    url: `${base}${n.ticketId ? `/tickets/${n.ticketId}` : '/notifications'}`,
  };
}

export function emailIn(locale: Locale | undefined, n: DeliveredNotification, to: string): { to: string; subject: string; text: string } {
  const title = notificationTitle(locale, n);
  const ticket = n.ticketId ? `${t(locale, 'notifications.delivery.email_ticket', { ticketId: n.ticketId })}\n` : '';
  return { to, subject: t(locale, 'notifications.delivery.email_subject', { title }), text: `${title}\n\n${ticket}${n.createdAt.toISOString()}\n` };
}
