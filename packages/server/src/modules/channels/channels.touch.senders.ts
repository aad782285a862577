/**
 * The senders of automatic care contacts and reactivation touches (loops/touches.ts, `registerTouchSender`), one per
 * channel, each queuing an outbox row of kind `touch` in the caller's transaction and giving its id back (the task
 * shows that row's delivery status):
 * - email: the first enabled email channel, when the customer has an address and `consent.email` is not false;
 * - SMS: the first enabled SMS channel with a `care_touch` template (parameters name, number), `consent.sms`;
 * - WeChat: by 微信客服 (wecom_kf) when the customer's kf conversation is inside its window (48 h, fewer than 5
 *   messages since their last one), else the Official Account: a customer-service message inside the 48-hour window,
 *   else the account's `ticket_update` template; `consent.wechat` either way.
 * Consent is checked again when sent for care contacts (the row carries the ticket).
 */
import type { Tx } from '../../db/client';
import { uuidv7 } from '../../lib/ids';
import { maskEmail } from '../../lib/mask';
import type { TouchMessage, TouchSender } from '../loops/touches';
import { channelsRepo } from './channels.repo';
import { domainOf, emailConsent, type ReplyPayload } from './channels.outbox';
import { queueSms } from './channels.sms.senders';
import { fmtTime, queueWechat } from './channels.wechat.senders';
import { queueTouchWecomKf } from './channels.wecom.senders';

type Result = Awaited<ReturnType<TouchSender['enqueue']>>;
const done = (outcome: 'queued' | 'no_consent' | 'unreachable' | 'rate_limited', id: string): Result =>
  outcome === 'queued' ? { outcome, outboxId: id } : { outcome };

export async function queueTouchEmail(tx: Tx, msg: TouchMessage): Promise<Result> {
  const customer = await channelsRepo.customerContact(tx, msg.customerId);
  const [channel] = (await channelsRepo.listChannels(tx, 'email')).filter((c) => c.enabled);
  if (!customer?.email || !channel?.address) return { outcome: 'unreachable' };
  if (!emailConsent(customer.consent)) {
    await channelsRepo.log(tx, {
      id: uuidv7(),
      channelId: channel.id,
      level: 'warn',
      event: 'channels.log.out_no_consent',
      detail: { to: maskEmail(customer.email) },
    });
    return { outcome: 'no_consent' };
  }
  const id = uuidv7();
  await channelsRepo.enqueue(tx, {
    id,
    channelId: channel.id,
    kind: 'touch',
    recipient: customer.email,
    ...(msg.ticketId ? { ticketId: msg.ticketId } : {}),
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
  return { outcome: 'queued', outboxId: id };
}

export async function queueTouchSms(tx: Tx, msg: TouchMessage): Promise<Result> {
  const id = uuidv7();
  const outcome = await queueSms(
    tx,
    msg.customerId,
    'care_touch',
    { subject: msg.subject, values: { name: msg.customerName, number: msg.ticketNumber } },
    { ticketId: msg.ticketId, id },
  );
  return done(outcome, id);
}

export async function queueTouchWechat(tx: Tx, msg: TouchMessage): Promise<Result> {
  const id = uuidv7();
  // 微信客服 first: the customer's kf conversation inside its window (48 h / 5 messages) and consent.
  const kf = await queueTouchWecomKf(tx, msg, id);
  if (kf !== 'unreachable') return done(kf, id);
  const outcome = await queueWechat(
    tx,
    msg.customerId,
    'touch',
    {
      subject: msg.subject,
      body: msg.body,
      values: { number: msg.ticketNumber, subject: msg.subject, name: msg.customerName, time: fmtTime(msg.at), url: '', status: '回访', text: msg.body },
    },
    { ticketId: msg.ticketId, at: msg.at, id },
  );
  return done(outcome, id);
}
