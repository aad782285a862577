/**
 * How a survey reaches the customer — the ONE function every send goes through (the first send on resolve, a delayed
 * send, a manual send, a resend): `deliverSurvey` records a `survey_deliveries` row in the caller's transaction.
 *
 * - channel `link`: the link is the delivery. It is on the customer's request in the portal (the rating card) and on
 *   the ticket for staff (copy link, QR code to show at the counter or on a technician's phone): state `available`.
 * - channel `sms` / `wechat` / `email`: when a sender for that channel is registered (`registerSurveySender`, the
 *   channels module's job once it exists), the sender queues the message in the same transaction (an outbox row;
 *   nothing leaves the process inside a transaction): state `queued`. Without one: state `no_gateway` — recorded,
 *   never pretended to be sent; the link stays available in the portal and on the ticket.
 */
import type { Tx } from '../../db/client';
import { uuidv7 } from '../../lib/ids';
import { deliveryRepo, type DeliveryRow } from './surveys.delivery.repo';
import { surveyUrl } from './surveys.present';
import type { InvitationRow } from './surveys.repo';
import { signToken, surveySecret } from './token';

export type DeliveryReason = 'auto' | 'delayed' | 'manual' | 'resend';
export type DeliveryState = 'available' | 'queued' | 'no_gateway';

/** What a channel sender gets: enough to address the customer and build the message. */
export interface SurveyMessage {
  invitationId: string;
  ticketId: string;
  customerId: string;
  channel: string;
  url: string;
  expiresAt: Date;
  reason: DeliveryReason;
}

/**
 * A channel's survey sender: queues the message inside the transaction (its own outbox); sends after commit. It may
 * answer `no_gateway` when it could not queue it (no configured gateway for it, the customer unreachable or not
 * consenting on that channel — the channel log says which); nothing (or `queued`) = queued.
 */
export interface SurveySender {
  enqueue(tx: Tx, msg: SurveyMessage): Promise<void | 'queued' | 'no_gateway'>;
}

const senders = new Map<string, SurveySender>();

/** The channels module registers its SMS / WeChat / e-mail sender here (`null` removes it; tests use that). */
export function registerSurveySender(channel: 'sms' | 'wechat' | 'email', sender: SurveySender | null): void {
  if (sender) senders.set(channel, sender);
  else senders.delete(channel);
}

/** The order the `customer` channel tries senders in: the channel the ticket came by first. */
export function customerChannelOrder(ticketChannel: string | null | undefined): ('wechat' | 'email' | 'sms')[] {
  const first =
    ticketChannel === 'wechat' ? 'wechat' : ticketChannel === 'email' ? 'email' : ticketChannel === 'sms' || ticketChannel === 'phone' ? 'sms' : null;
  const rest = (['wechat', 'email', 'sms'] as const).filter((c) => c !== first);
  return first ? [first, ...rest] : [...rest];
}

/**
 * Bring an invitation to the customer over its channel, and record the attempt (same transaction). Channel
 * `customer`: each sender is tried in `customerChannelOrder` until one queues it (a sender refuses a channel the
 * customer cannot be reached on or has not consented to); the delivery records the channel used, else `no_gateway`
 * (the link stays available in the portal and on the ticket).
 */
export async function deliverSurvey(tx: Tx, inv: InvitationRow, reason: DeliveryReason, actorId: string | null = null): Promise<DeliveryRow> {
  let state: DeliveryState = 'available';
  let channel = inv.channel;
  if (inv.channel !== 'link') {
    const order = inv.channel === 'customer' ? customerChannelOrder(await deliveryRepo.ticketChannel(tx, inv.ticketId)) : [inv.channel];
    const url = surveyUrl(signToken(await surveySecret(tx), inv.id));
    state = 'no_gateway';
    for (const c of order) {
      const sender = senders.get(c);
      if (!sender) continue;
      const outcome = await sender.enqueue(tx, {
        invitationId: inv.id,
        ticketId: inv.ticketId,
        customerId: inv.customerId,
        channel: c,
        url,
        expiresAt: inv.expiresAt,
        reason,
      });
      state = outcome ?? 'queued';
      if (state === 'queued') {
        channel = c;
        break;
      }
    }
  }
  return deliveryRepo.insertDelivery(tx, { id: uuidv7(), invitationId: inv.id, ticketId: inv.ticketId, channel, state, reason, actorId });
}
