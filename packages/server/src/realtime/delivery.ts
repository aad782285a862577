/**
 * External delivery of notifications (email, webhook) per user preference. A trigger on `notifications` queues
 * the ids of notifications whose recipient has an external channel (notification_outbox, same transaction);
 * this worker expands them into deliveries (deferred past quiet hours), sends them, and retries with backoff.
 * Email goes through an `EmailSender` (default: a log sender, the delivery row keeps the rendered message);
 * webhooks POST JSON (generic, WeCom or DingTalk group-robot format).
 */
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { notificationDeliveries, notificationOutbox, notificationPreferences, notifications } from '../db/schema';
import { NOTIFY_CHANNEL } from '../lib/notify';
import { outbound } from '../lib/outbound';
import { openSecret } from '../lib/secretbox';

export interface EmailMessage { to: string; subject: string; text: string }
export interface EmailSender { send(msg: EmailMessage): Promise<void> }

/** Default sender: no SMTP here — log the message (the delivery row is the outbox record). */
export class LogEmailSender implements EmailSender {
  readonly sent: EmailMessage[] = [];
  constructor(private readonly log?: { info(o: unknown, m?: string): void }) {}
  async send(msg: EmailMessage): Promise<void> {
    this.sent.push(msg);
    if (this.sent.length > 100) this.sent.shift();
    this.log?.info({ to: msg.to.replace(/^(.).*(@.*)$/, '$1***$2'), subject: msg.subject }, 'email (log sender)');
  }
}

let emailSender: EmailSender = new LogEmailSender();
export function setEmailSender(sender: EmailSender): void { emailSender = sender; }
export function getEmailSender(): EmailSender { return emailSender; }

export type WebhookFormat = 'generic' | 'wecom' | 'dingtalk';
const MAX_ATTEMPTS = 6;

// ───────────────────────────── rendering ─────────────────────────────

interface NotificationRow { id: number; kind: string; ticketId: string | null; title: string; data: unknown; createdAt: Date; recipientId: string }

export function webhookBody(format: WebhookFormat, n: NotificationRow): unknown {
  const content = `【尺度】${n.title}`;
  if (format === 'wecom') return { msgtype: 'text', text: { content } };
  if (format === 'dingtalk') return { msgtype: 'text', text: { content } };
  return { notificationId: String(n.id), kind: n.kind, title: n.title, ticketId: n.ticketId, data: n.data, createdAt: n.createdAt.toISOString() };
}

function emailOf(n: NotificationRow, to: string): EmailMessage {
  return { to, subject: `[尺度] ${n.title}`, text: `${n.title}\n\n${n.ticketId ? `工单 / Ticket: ${n.ticketId}\n` : ''}${n.createdAt.toISOString()}\n` };
}

/** Instant at which a quiet period covering `now` ends (or `now` when outside quiet hours). */
export function afterQuietHours(q: { start: string; end: string; timeZone?: string } | null, now: number): number {
  if (!q) return now;
  const tz = q.timeZone ?? 'Asia/Shanghai';
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(now));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const cur = get('hour') * 60 + get('minute') + get('second') / 60;
  const toMin = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
  const s = toMin(q.start); const e = toMin(q.end);
  if (s === e) return now;
  const inside = s < e ? cur >= s && cur < e : cur >= s || cur < e;
  if (!inside) return now;
  const wait = ((e - cur) + 1440) % 1440;
  return now + Math.ceil(wait * 60_000);
}

// ───────────────────────────── worker ─────────────────────────────

export class DeliveryWorker {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private busy: Promise<void> | null = null;
  private again = false;
  private unlisten: (() => Promise<void>) | null = null;
  readonly stats = { sent: 0, failed: 0 };

  constructor(private readonly database: Database, private readonly opts: { pollMs?: number; log?: { warn(o: unknown, m?: string): void } } = {}) {}

  async start(): Promise<void> {
    this.running = true;
    if (this.database.listen) this.unlisten = await this.database.listen(NOTIFY_CHANNEL, () => this.kick()).catch(() => null);
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.busy?.catch(() => undefined);
    await this.unlisten?.().catch(() => undefined);
  }

  kick(): void { if (this.busy) this.again = true; else this.schedule(0); }

  private schedule(ms: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.busy = this.pass().finally(() => { this.busy = null; this.schedule(this.again ? 0 : (this.opts.pollMs ?? 1000)); this.again = false; });
    }, ms);
  }

  async pass(): Promise<void> {
    try {
      await this.expand();
      await this.send();
    } catch (err) {
      this.opts.log?.warn({ err }, 'notification delivery pass failed');
    }
  }

  /** Outbox → deliveries, per the recipient's preferences (same transaction as the outbox delete). */
  private async expand(): Promise<void> {
    await this.database.transaction(async (tx) => {
      const ids = (await tx.select({ id: notificationOutbox.notificationId }).from(notificationOutbox).orderBy(asc(notificationOutbox.notificationId)).limit(200).for('update', { skipLocked: true })).map((r) => r.id);
      if (ids.length === 0) return;
      const rows = await tx.select({ n: notifications, p: notificationPreferences }).from(notifications)
        .innerJoin(notificationPreferences, eq(notificationPreferences.staffId, notifications.recipientId)).where(inArray(notifications.id, ids));
      const now = Date.now();
      for (const { n, p } of rows) {
        if (p.kinds.length && !p.kinds.includes(n.kind)) continue;
        const at = new Date(afterQuietHours(p.quietHours as never, now));
        if (p.emailEnabled && p.emailAddress) {
          await tx.insert(notificationDeliveries).values({ notificationId: n.id, recipientId: n.recipientId, channel: 'email', target: p.emailAddress, payload: emailOf(n, p.emailAddress), nextAttemptAt: at }).onConflictDoNothing();
        }
        if (p.webhookEnabled && p.webhookUrl) { // the URL stays sealed in the delivery row; opened when sent
          await tx.insert(notificationDeliveries).values({ notificationId: n.id, recipientId: n.recipientId, channel: 'webhook', target: p.webhookUrl, payload: { format: p.webhookFormat, body: webhookBody(p.webhookFormat as WebhookFormat, n) }, nextAttemptAt: at }).onConflictDoNothing();
        }
      }
      await tx.delete(notificationOutbox).where(inArray(notificationOutbox.notificationId, ids));
    }, { worker: true });
  }

  /** Claim due deliveries (a 60 s lease), send them outside the transaction, record the outcome. */
  private async send(): Promise<void> {
    const claimed = await this.database.transaction(async (tx) => {
      const rows = await tx.select().from(notificationDeliveries)
        .where(sql`${notificationDeliveries.state} IN ('pending', 'sending') AND ${notificationDeliveries.nextAttemptAt} <= now()`)
        .orderBy(asc(notificationDeliveries.nextAttemptAt)).limit(20).for('update', { skipLocked: true });
      if (rows.length) {
        await tx.update(notificationDeliveries).set({ state: 'sending', attempts: sql`${notificationDeliveries.attempts} + 1`, nextAttemptAt: sql`now() + interval '60 seconds'` })
          .where(inArray(notificationDeliveries.id, rows.map((r) => r.id)));
      }
      return rows;
    }, { worker: true });
    for (const d of claimed) {
      let ok = false;
      let status: number | null = null;
      let error: string | null = null;
      try {
        if (d.channel === 'email') {
          await emailSender.send(d.payload as EmailMessage);
          ok = true;
        } else {
          const { format, body } = d.payload as { format: WebhookFormat; body: unknown };
          // Policy refusals (OutboundRefusedError) and timeouts / size limits are recorded as the delivery's error.
          const res = await outbound(openSecret(d.target, 'webhook_url'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
          status = res.status;
          const text = res.text();
          ok = res.status >= 200 && res.status < 300;
          if (ok && format !== 'generic') {
            try { const j = JSON.parse(text) as { errcode?: number; errmsg?: string }; if (j.errcode !== undefined && j.errcode !== 0) { ok = false; error = `errcode ${j.errcode}: ${j.errmsg ?? ''}`; } } catch { /* not JSON: trust the status */ }
          }
          if (!ok && !error) error = `HTTP ${res.status}`;
        }
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      const attempts = d.attempts + 1;
      await this.database.db.update(notificationDeliveries).set(ok
        ? { state: 'sent', sentAt: new Date(), responseStatus: status, lastError: null }
        : { state: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending', responseStatus: status, lastError: (error ?? 'failed').slice(0, 500), nextAttemptAt: new Date(Date.now() + Math.min(3600, 2 ** attempts * 5) * 1000) })
        .where(eq(notificationDeliveries.id, d.id));
      if (ok) this.stats.sent++; else this.stats.failed++;
    }
  }
}
