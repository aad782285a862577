/**
 * Reminders to the customer before a visit (issue #16 item 2): when one is due, what it says, and the senders the
 * channels module registers (email through the channel outbox; the WeChat Official Account when the customer wrote
 * to it in the last 48 hours). The pass itself is field.reminders.worker.ts; its SQL field.reminders.repo.ts.
 */
import type { Tx } from '../../db/client';
import { render } from '../../i18n/index';
import { orgTimeZone } from '../../lib/timezone';
import { dayBounds, localDate } from './field.time';

/** The reminder rule's settings (`settings` key `field.reminders`; anything missing takes the default). */
export interface ReminderSettings {
  /** Local hour of the evening before the visit day when the reminder goes out (前一天 18:00). */
  eveningHour: number;
  /** Booked (or moved) after that evening: this many hours before the window instead. */
  leadHours: number;
}
export const REMINDER_DEFAULTS: ReminderSettings = { eveningHour: 18, leadHours: 2 };

export function reminderSettings(raw: unknown): ReminderSettings {
  const r = (raw ?? {}) as Partial<Record<keyof ReminderSettings, unknown>>;
  const num = (v: unknown, min: number, max: number, d: number) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : d);
  return { eveningHour: num(r.eveningHour, 0, 23, REMINDER_DEFAULTS.eveningHour), leadHours: num(r.leadHours, 1, 48, REMINDER_DEFAULTS.leadHours) };
}

/**
 * When the reminder of a visit starting at `start` is due, given when its current window was set (`armedAt`: the
 * booking, or the last reschedule): at `eveningHour` on the evening before the visit day when the window was set
 * before that; otherwise `leadHours` before the window; null when the window was set even later (the booking itself
 * was the notice, minutes before the visit).
 */
export function reminderDue(start: Date, armedAt: Date, s: ReminderSettings, tz?: string): Date | null {
  const day = dayBounds(localDate(start, tz), tz).from;
  const eve = dayBounds(localDate(new Date(day.getTime() - 1), tz), tz).from.getTime() + s.eveningHour * 3_600_000;
  if (armedAt.getTime() <= eve) return new Date(eve);
  const lead = start.getTime() - s.leadHours * 3_600_000;
  if (armedAt.getTime() <= lead) return new Date(lead);
  return null;
}

/** What a channel sender gets: the customer, the visit and the rendered text (the customer's language: zh-CN). */
export interface VisitReminder {
  visitId: string;
  ticketId: string;
  ticketNumber: string;
  customerId: string;
  subject: string;
  body: string;
  /** When the visit starts (SMS templates take the time as a parameter). */
  start?: Date;
  /** When the pass sends it (a sender's reachability checks, e.g. WeChat's 48-hour window, are against this). */
  at: Date;
}
/** What a sender did: queued it, or why not (the customer refused that channel, or cannot be reached on it). */
export type ReminderOutcome = 'queued' | 'no_consent' | 'unreachable' | 'rate_limited';
export interface ReminderSender {
  enqueue(tx: Tx, msg: VisitReminder): Promise<ReminderOutcome>;
}
export type ReminderChannel = 'email' | 'sms' | 'wechat';

const senders = new Map<ReminderChannel, ReminderSender>();
/** The channels module registers its senders here (`null` removes one; tests use that). */
export function registerReminderSender(channel: ReminderChannel, sender: ReminderSender | null): void {
  if (sender) senders.set(channel, sender);
  else senders.delete(channel);
}
export const reminderSenders = (): [ReminderChannel, ReminderSender][] => [...senders.entries()].sort(([a], [b]) => a.localeCompare(b));

/** The portal page of the request (where the customer sees the visit and asks to change it). */
export function portalRequestUrl(ticketId: string): string {
  const base = (process.env.CHIDU_PUBLIC_URL ?? '').replace(/\/+$/, '');
  return `${base}/portal/requests/${ticketId}`;
}

const WEEKDAY = { 'zh-CN': ['日', '一', '二', '三', '四', '五', '六'], en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] } as const;

/** The reminder's subject and text in a locale: the date, the window, the technician and how to change the time. */
export function reminderText(
  locale: 'zh-CN' | 'en',
  v: { customerName: string; ticketNumber: string; start: Date; end: Date; technicianName: string; url: string },
  tz?: string,
) {
  const date = localDate(v.start, tz);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const hm = (at: Date) => new Intl.DateTimeFormat('en-GB', { timeZone: tz ?? orgTimeZone(), hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  const weekday = WEEKDAY[locale][new Date(Date.UTC(y, m - 1, d)).getUTCDay()]!;
  const params = {
    name: v.customerName,
    number: v.ticketNumber,
    date: locale === 'zh-CN' ? `${m}月${d}日（周${weekday}）` : `${weekday} ${date}`,
    from: hm(v.start),
    to: hm(v.end),
    technician: v.technicianName,
    url: v.url,
  };
  return {
    subject: render(locale, { key: 'field.reminder.subject', params }),
    body: render(locale, { key: 'field.reminder.body', params }),
  };
}
