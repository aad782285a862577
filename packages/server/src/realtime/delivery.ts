/**
 * External delivery of notifications (email, webhook) per user preference. A trigger on `notifications` queues
 * the ids of notifications whose recipient has an external channel (notification_outbox, same transaction);
 * this worker expands them into deliveries (deferred past quiet hours), sends them, and retries with backoff.
 * Email goes through an `EmailSender` (default: a log sender, the delivery row keeps the rendered message);
 * webhooks POST JSON (generic, WeCom or DingTalk group-robot format); 企业微信应用消息 go through the registered
 * WecomAppSender (a text card with the ticket link to the user's WeCom userid). Scheduling, wake-ups, back-off, stop and
 * metrics are the worker base's (src/lib/worker.ts).
 */
import type { Database } from '../db/client';
import { deliveryRepo } from './notifications.repo';
import { asLocale, type Locale } from '../i18n/index';
import { orgTimeZone } from '../lib/timezone';
import { NOTIFY_CHANNEL } from '../lib/notify';
import { outbound } from '../lib/outbound';
import { openSecret } from '../lib/secretbox';
import { PollingWorker, type PassResult, type WorkerLog } from '../lib/worker';
import { emailIn, webhookBodyIn, wecomCardIn, type WebhookFormat } from './notifications.present';
import { DINGTALK_WORK, expandDingtalk, sendDingtalkWork } from './delivery.dingtalk';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
}
export interface EmailSender {
  send(msg: EmailMessage): Promise<void>;
}

/** Default sender: no SMTP here — log the message (the delivery row is the outbox record). */
export class LogEmailSender implements EmailSender {
  readonly sent: EmailMessage[] = [];
  constructor(private readonly log?: { info(o: unknown, m?: string): void }) {}
  send(msg: EmailMessage): Promise<void> {
    this.sent.push(msg);
    if (this.sent.length > 100) this.sent.shift();
    this.log?.info({ to: msg.to.replace(/^(.).*(@.*)$/, '$1***$2'), subject: msg.subject }, 'email (log sender)');
    return Promise.resolve();
  }
}

/** 企业微信应用消息 to one employee (the channels module registers it: the enabled `wecom_app` channel sends). */
export interface WecomAppSender {
  send(database: Database, userId: string, card: { title: string; description: string; url: string }): Promise<void>;
}
let wecomAppSender: WecomAppSender | null = null;
export function setWecomAppSender(sender: WecomAppSender | null): void {
  wecomAppSender = sender;
}

let emailSender: EmailSender = new LogEmailSender();
export function setEmailSender(sender: EmailSender): void {
  emailSender = sender;
}
export function getEmailSender(): EmailSender {
  return emailSender;
}

export type { WebhookFormat } from './notifications.present';
const MAX_ATTEMPTS = 6;

// ───────────────────────────── rendering ─────────────────────────────

// The texts are rendered in the recipient's profile language (realtime/notifications.present.ts).
interface NotificationRow {
  id: number;
  kind: string;
  ticketId: string | null;
  title: string;
  data: unknown;
  createdAt: Date;
  recipientId: string;
}

export function webhookBody(format: WebhookFormat, n: NotificationRow, locale?: Locale): unknown {
  return webhookBodyIn(locale, format, n);
}

function emailOf(n: NotificationRow, to: string, locale?: Locale): EmailMessage {
  return emailIn(locale, n, to);
}

/** Instant at which a quiet period covering `now` ends (or `now` when outside quiet hours). */
export function afterQuietHours(q: { start: string; end: string; timeZone?: string } | null, now: number): number {
  if (!q) return now;
  const tz = q.timeZone ?? orgTimeZone();
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(
    new Date(now),
  );
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const cur = get('hour') * 60 + get('minute') + get('second') / 60;
  const toMin = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
  const s = toMin(q.start);
  const e = toMin(q.end);
  if (s === e) return now;
  const inside = s < e ? cur >= s && cur < e : cur >= s || cur < e;
  if (!inside) return now;
  const wait = (e - cur + 1440) % 1440;
  return now + Math.ceil(wait * 60_000);
}

// ───────────────────────────── worker ─────────────────────────────

export class DeliveryWorker extends PollingWorker {
  readonly stats = { sent: 0, failed: 0 };

  constructor(
    private readonly database: Database,
    opts: { pollMs?: number; log?: WorkerLog } = {},
  ) {
    // Every notification (NOTIFY chidu_notifications, from any process) starts a pass at once.
    super({ name: 'delivery', database, pollMs: opts.pollMs ?? 1000, wakeChannel: NOTIFY_CHANNEL, log: opts.log, batch: () => this.pass() });
  }

  /** A notification was stored: run a pass now (or right after the one in progress). */
  kick(): void {
    this.wake();
  }

  /** Expand the outbox, then send what is due. Returns the deliveries attempted. */
  async pass(): Promise<PassResult> {
    await this.expand();
    return { handled: await this.send() };
  }

  /** Outbox → deliveries, per the recipient's preferences (same transaction as the outbox delete). */
  private async expand(): Promise<void> {
    await this.database.transaction(
      async (tx) => {
        const ids = await deliveryRepo.claimOutbox(tx, 200);
        if (ids.length === 0) return;
        const rows = await deliveryRepo.withPreferences(tx, ids);
        const now = Date.now();
        for (const { n, p, locale: profileLocale } of rows) {
          const locale = asLocale(profileLocale) ?? undefined;
          if (p.kinds.length && !p.kinds.includes(n.kind)) continue;
          const at = new Date(afterQuietHours(p.quietHours as never, now));
          if (p.emailEnabled && p.emailAddress) {
            await deliveryRepo.addDelivery(tx, {
              notificationId: n.id,
              recipientId: n.recipientId,
              channel: 'email',
              target: p.emailAddress,
              payload: emailOf(n, p.emailAddress, locale),
              nextAttemptAt: at,
            });
          }
          if (p.webhookEnabled && p.webhookUrl) {
            // the URL stays sealed in the delivery row; opened when sent
            await deliveryRepo.addDelivery(tx, {
              notificationId: n.id,
              recipientId: n.recipientId,
              channel: 'webhook',
              target: p.webhookUrl,
              payload: { format: p.webhookFormat, body: webhookBody(p.webhookFormat as WebhookFormat, n, locale) },
              nextAttemptAt: at,
            });
          }
          if (p.wecomEnabled && p.wecomUserId) {
            await deliveryRepo.addDelivery(tx, {
              notificationId: n.id,
              recipientId: n.recipientId,
              channel: 'wecom',
              target: p.wecomUserId,
              payload: wecomCardIn(locale, n),
              nextAttemptAt: at,
            });
          }
        }
        // 钉钉工作通知 for staff mapped to a DingTalk userid (delivery.dingtalk.ts).
        await expandDingtalk(tx, ids, (q, at) => afterQuietHours(q as never, at));
        await deliveryRepo.clearOutbox(tx, ids);
      },
      { worker: true },
    );
  }

  /** Claim due deliveries (a 60 s lease), send them outside the transaction, record the outcome. Returns how many. */
  private async send(): Promise<number> {
    const claimed = await this.database.transaction((tx) => deliveryRepo.claimDue(tx, 20), { worker: true });
    for (const d of claimed) {
      let ok = false;
      let status: number | null = null;
      let error: string | null = null;
      try {
        if (d.channel === 'email') {
          await emailSender.send(d.payload as EmailMessage);
          ok = true;
        } else if (d.channel === DINGTALK_WORK) {
          await sendDingtalkWork(this.database.db, d.target, d.payload);
          ok = true;
        } else if (d.channel === 'wecom') {
          if (!wecomAppSender) throw new Error('no WeCom application (wecom_app channel) is configured');
          await wecomAppSender.send(this.database, d.target, d.payload as { title: string; description: string; url: string });
          ok = true;
        } else {
          const { format, body } = d.payload as { format: WebhookFormat; body: unknown };
          // Policy refusals (OutboundRefusedError) and timeouts / size limits are recorded as the delivery's error.
          const res = await outbound(openSecret(d.target, 'webhook_url'), {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          status = res.status;
          const text = res.text();
          ok = res.status >= 200 && res.status < 300;
          if (ok && format !== 'generic') {
            try {
              const j = JSON.parse(text) as { errcode?: number; errmsg?: string };
              if (j.errcode !== undefined && j.errcode !== 0) {
                ok = false;
                error = `errcode ${j.errcode}: ${j.errmsg ?? ''}`;
              }
            } catch {
              /* not JSON: trust the status */
            }
          }
          if (!ok && !error) error = `HTTP ${res.status}`;
        }
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      const attempts = d.attempts + 1;
      await deliveryRepo.recordOutcome(
        this.database.db,
        d.id,
        ok
          ? { state: 'sent', sentAt: new Date(), responseStatus: status, lastError: null }
          : {
              state: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
              responseStatus: status,
              lastError: (error ?? 'failed').slice(0, 500),
              nextAttemptAt: new Date(Date.now() + Math.min(3600, 2 ** attempts * 5) * 1000),
            },
      );
      if (ok) this.stats.sent++;
      else this.stats.failed++;
    }
    return claimed.length;
  }
}
