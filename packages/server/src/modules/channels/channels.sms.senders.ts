/**
 * SMS as a channel for the rest of Chidu: portal sign-in codes (sent at once, the caller waits), visit reminders and
 * survey invitations (queued in the caller's transaction on the channel outbox, sent by the channels worker), and
 * delivery receipts. Limits are atomic counters (`sms_quota`, one upsert each, all taken in one savepoint):
 * sign-in codes 1 a minute, 5 an hour and 10 a day per number; every SMS `perNumberPerDay` (10) per number and
 * `dailyCap` (1000) per channel a day. Over a limit: a sign-in code → 429; a reminder or invitation is skipped and
 * recorded in the channel log. Consent: never to a customer whose `consent.sms` is false (invitations also respect
 * `consent.surveys === false`), checked when queued and again when sent. Numbers are masked in logs and errors.
 */
import type { Database, Tx } from '../../db/client';
import { AppError } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { maskPhone, scrubText } from '../../lib/mask';
import { orgTimeZone } from '../../lib/timezone';
import { safeEqual } from '../identity/secrets';
import type { ReminderOutcome, VisitReminder } from '../field/field.reminders';
import type { SurveyMessage } from '../surveys/surveys.delivery';
import { channelsRepo, type ChannelRow, type OutboxRow } from './channels.repo';
import { isSmsKind, openSmsSecrets, parseReceipts, receiptAck, sendSms, SmsApiError, type SmsConfig, type SmsMessageKind } from './channels.sms';
import { smsRepo } from './channels.sms.repo';

/** SMS consent: withdrawn when the customer's `consent.sms` is false (absent = not withdrawn). */
export const smsConsent = (consent: unknown) => (consent as Record<string, unknown> | null)?.sms !== false;

export const CODE_LIMITS = { perMinute: 1, perHour: 5, perDay: 10 } as const;
const masked = (phone: string) => maskPhone(phone) ?? '***';

export interface SmsPayload {
  template: SmsMessageKind;
  /** The template's values (never a sign-in code: that is not stored). */
  values: Record<string, string>;
  subject: string;
}

/** The first enabled SMS channel with a template for this kind of message. */
async function channelFor(ex: Tx | Database['db'], kind: SmsMessageKind): Promise<ChannelRow | undefined> {
  return (await smsRepo.enabledSmsChannels(ex)).find((c) => Boolean((c.config as SmsConfig).templates?.[kind]));
}

/** Buckets in the organisation's time zone: the minute, the hour, the day. */
function buckets(now: Date) {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: orgTimeZone(), year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  return { minute: `m${Math.floor(now.getTime() / 60_000)}`, hour: `h${Math.floor(now.getTime() / 3_600_000)}`, day: `d${day}` };
}

class OverLimit extends Error {
  constructor(readonly which: string) {
    super(which);
  }
}

/**
 * Takes one from every counter that applies, all or none (a savepoint): the number's and the channel's daily limits,
 * and for sign-in codes the number's per-minute / per-hour / per-day code limits. Returns the limit hit, or null.
 */
export async function takeQuota(tx: Tx, channel: ChannelRow, phone: string, kind: SmsMessageKind, now = new Date()): Promise<string | null> {
  const cfg = channel.config as SmsConfig;
  const b = buckets(now);
  try {
    await tx.transaction(async (sp) => {
      if (kind === 'login_code') {
        if (!(await smsRepo.take(sp, `code:${phone}`, b.minute, CODE_LIMITS.perMinute))) throw new OverLimit('code_per_minute');
        if (!(await smsRepo.take(sp, `code:${phone}`, b.hour, CODE_LIMITS.perHour))) throw new OverLimit('code_per_hour');
        if (!(await smsRepo.take(sp, `code:${phone}`, b.day, CODE_LIMITS.perDay))) throw new OverLimit('code_per_day');
      }
      if (!(await smsRepo.take(sp, `num:${phone}`, b.day, cfg.perNumberPerDay ?? 10))) throw new OverLimit('number_per_day');
      if (!(await smsRepo.take(sp, `channel:${channel.id}`, b.day, cfg.dailyCap ?? 1000))) throw new OverLimit('channel_per_day');
    });
    return null;
  } catch (err) {
    if (err instanceof OverLimit) return err.which;
    throw err;
  }
}

export async function queueSms(
  tx: Tx,
  customerId: string,
  kind: SmsMessageKind,
  payload: Omit<SmsPayload, 'template'>,
  extra: { ticketId?: string | null; invitationId?: string; id?: string },
) {
  const customer = await smsRepo.customerPhone(tx, customerId);
  const channel = await channelFor(tx, kind);
  if (!customer?.phone || !channel) return 'unreachable' as const;
  const consent = (customer.consent ?? {}) as Record<string, unknown>;
  if (!smsConsent(consent) || (kind === 'survey_invite' && consent.surveys === false)) {
    await channelsRepo.log(tx, {
      id: uuidv7(),
      channelId: channel.id,
      level: 'warn',
      event: 'channels.log.sms_no_consent',
      detail: { to: masked(customer.phone) },
    });
    return 'no_consent' as const;
  }
  const over = await takeQuota(tx, channel, customer.phone, kind);
  if (over) {
    await channelsRepo.log(tx, {
      id: uuidv7(),
      channelId: channel.id,
      level: 'warn',
      event: 'channels.log.sms_limited',
      detail: { to: masked(customer.phone), limit: over },
    });
    return 'rate_limited' as const;
  }
  await channelsRepo.enqueue(tx, {
    id: extra.id ?? uuidv7(),
    channelId: channel.id,
    kind: kind === 'survey_invite' ? 'survey' : kind === 'care_touch' ? 'touch' : 'reminder',
    recipient: customer.phone,
    ...(extra.ticketId ? { ticketId: extra.ticketId } : {}),
    ...(extra.invitationId ? { invitationId: extra.invitationId } : {}),
    payload: { template: kind, ...payload } satisfies SmsPayload,
  });
  return 'queued' as const;
}

/** The survey sender for `sms` (registerSurveySender('sms', …)): the invitation link by the survey_invite template. */
export async function queueSurveySms(tx: Tx, msg: SurveyMessage): Promise<'queued' | 'no_gateway'> {
  const head = await channelsRepo.ticketHead(tx, msg.ticketId);
  const outcome = await queueSms(
    tx,
    msg.customerId,
    'survey_invite',
    { subject: `survey ${head?.number ?? ''}`.trim(), values: { number: head?.number ?? '', url: msg.url } },
    { ticketId: msg.ticketId, invitationId: msg.invitationId },
  );
  // Not queued (no SMS channel with a survey_invite template, no phone, no consent, over a limit): recorded as such.
  return outcome === 'queued' ? 'queued' : 'no_gateway';
}

/** The visit reminder sender for `sms` (registerReminderSender('sms', …)): the visit_reminder template. */
export async function queueReminderSms(tx: Tx, msg: VisitReminder): Promise<ReminderOutcome> {
  const time = msg.start
    ? new Intl.DateTimeFormat('zh-CN', {
        timeZone: orgTimeZone(),
        month: 'numeric',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(msg.start)
    : '';
  return queueSms(tx, msg.customerId, 'visit_reminder', { subject: msg.subject, values: { number: msg.ticketNumber, time } }, { ticketId: msg.ticketId });
}

/**
 * The portal's sign-in code sender: sends at once on the first enabled SMS channel with a login_code template (false
 * when there is none: the portal falls back to its log / demo display). Over a limit → 429; a provider failure → 503.
 * The delivery is recorded on the outbox (without the code) so its receipt can be matched.
 */
export const smsCodeSender = {
  async send(database: Database, phone: string, code: string): Promise<boolean> {
    const channel = await channelFor(database.db, 'login_code');
    if (!channel) return false;
    const id = uuidv7();
    const over = await database.transaction(async (tx) => {
      const hit = await takeQuota(tx, channel, phone, 'login_code');
      if (hit) {
        await channelsRepo.log(tx, {
          id: uuidv7(),
          channelId: channel.id,
          level: 'warn',
          event: 'channels.log.sms_limited',
          detail: { to: masked(phone), limit: hit },
        });
        return hit;
      }
      await channelsRepo.enqueue(tx, {
        id,
        channelId: channel.id,
        kind: 'code',
        recipient: phone,
        status: 'sending',
        attempts: 1,
        payload: { template: 'login_code', values: {}, subject: 'login_code' } satisfies SmsPayload,
      });
      return null;
    });
    if (over) {
      const retry = over === 'code_per_minute' ? 60 : over === 'code_per_hour' ? 3600 : 86_400;
      throw new AppError('rate_limited', `Too many SMS for this number (${over})`, {
        headers: { 'retry-after': String(retry) },
        extra: { retryAfterSeconds: retry },
      });
    }
    try {
      const { externalId } = await sendSms(channel, phone, 'login_code', { code });
      await database.transaction(async (tx) => {
        await channelsRepo.finishOutbox(tx, id, { status: 'sent', sentAt: new Date(), externalId });
        await channelsRepo.log(tx, {
          id: uuidv7(),
          channelId: channel.id,
          level: 'info',
          event: 'channels.log.out_sent',
          detail: { to: masked(phone), kind: 'code' },
        });
      });
      return true;
    } catch (err) {
      const kind = err instanceof SmsApiError ? err.kind : 'failed';
      const error = `${kind}: ${scrubText(String((err as Error).message ?? err)).slice(0, 300)}`;
      await database.transaction(async (tx) => {
        await channelsRepo.finishOutbox(tx, id, { status: 'dead', lastError: error });
        await channelsRepo.log(tx, {
          id: uuidv7(),
          channelId: channel.id,
          level: 'error',
          event: 'channels.log.out_dead',
          detail: { to: masked(phone), attempts: 1, error },
        });
      });
      throw new AppError('unavailable', 'The SMS could not be sent; try again later', { reason: 'sms_failed' });
    }
  },
};

/** The channels worker's send of a queued SMS (reminder, invitation). Throws SmsApiError; the caller records it. */
export async function sendQueuedSms(channel: ChannelRow, row: OutboxRow) {
  const p = row.payload as SmsPayload;
  return sendSms(channel, row.recipient, p.template, p.values);
}

/**
 * A receipt push (`POST /api/v1/public/channels/sms/{id}/receipt?token=…`): the channel must be an SMS channel and the
 * token its own (neither provider signs receipts), else 403 and nothing changes. Each receipt marks the channel's
 * delivery with that provider id delivered or failed. Answers what the provider expects.
 */
export async function handleReceipt(database: Database, channelId: string, token: unknown, body: unknown) {
  const channel = await channelsRepo.channel(database.db, channelId);
  if (!channel || !isSmsKind(channel.kind)) throw new AppError('forbidden', 'Unknown SMS channel');
  const expected = openSmsSecrets(channel).receiptToken ?? '';
  if (typeof token !== 'string' || !expected || token.length !== expected.length || !safeEqual(token, expected)) {
    throw new AppError('forbidden', 'Bad receipt token');
  }
  const receipts = parseReceipts(channel.kind, body);
  if (!receipts) throw new AppError('validation_failed', 'Not a receipt report', { errors: [{ path: 'body', message: 'not a receipt report' }] });
  let matched = 0;
  await database.transaction(async (tx) => {
    for (const r of receipts) {
      matched += await smsRepo.markReceipt(tx, channel.id, r.externalId, r.delivered ? 'delivered' : 'failed', r.code);
    }
    await channelsRepo.log(tx, {
      id: uuidv7(),
      channelId: channel.id,
      level: 'info',
      event: 'channels.log.sms_receipts',
      detail: { count: String(receipts.length), matched: String(matched) },
    });
  });
  return receiptAck(channel.kind);
}

/** The receipt URL an SMS channel reports (entered in the provider console as the status report address). */
export const smsReceiptUrl = (origin: string, row: Pick<ChannelRow, 'id' | 'secrets'>) =>
  `${origin.replace(/\/+$/, '')}/api/v1/public/channels/sms/${row.id}/receipt?token=${openSmsSecrets(row).receiptToken ?? ''}`;
