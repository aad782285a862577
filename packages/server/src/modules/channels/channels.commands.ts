import { createHmac } from 'node:crypto';
import type { Database } from '../../db/client';
import type { Ctx } from '../../lib/context';
import { AppError } from '../../lib/errors';
import { createCustomerInTx } from '../customers/customers.commands';
import { customersRepo } from '../customers/customers.repo';
import { safeEqual } from '../identity/secrets';
import * as tickets from '../tickets/tickets.commands';
import type { InboundMessage } from './channels.adapters';
import { channelsRepo } from './channels.repo';

export type { ChannelAdapter, InboundMessage } from './channels.adapters';
export { chatAdapter, registerChannelAdapter } from './channels.adapters';

/** Checks X-Chidu-Signature: sha256=hex(HMAC-SHA256(secret, raw body)); webhooks are off without a secret. */
export function verifySignature(secret: string | undefined, raw: string, signature: unknown): void {
  if (!secret) throw new AppError('forbidden', 'Inbound webhooks are off: set CHIDU_WEBHOOK_SECRET');
  const expected = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
  if (typeof signature !== 'string' || !safeEqual(signature, expected)) throw new AppError('forbidden', 'Bad or missing X-Chidu-Signature');
}

/**
 * A message continues the open ticket of the same conversation (as a customer reply), or opens a new one
 * for the customer found by phone/e-mail (created if unknown). Dispatch rules route the new ticket.
 * `ctx` is the channel (a system actor).
 */
export async function ingest(database: Database, ctx: Ctx, msg: InboundMessage) {
  const externalRef = `${msg.channel}:${msg.conversationId}`;
  const open = await channelsRepo.openTicketOf(database.db, externalRef);
  if (open) {
    const customer: Ctx = { ...ctx, actor: { kind: 'customer', id: open.customerId, customerId: open.customerId, sessionId: null } };
    await tickets.addReply(database, customer, open.id, { body: msg.text, visibility: 'public' });
    return { ticketId: open.id, number: open.number, created: false };
  }
  const customerId = await database.transaction(async (tx) => {
    const [known] = await customersRepo.byContact(tx, msg.customer.phone, msg.customer.email, 1);
    if (known) return known.id;
    const c = await createCustomerInTx(tx, ctx, {
      name: msg.customer.name,
      phone: msg.customer.phone,
      email: msg.customer.email,
      tier: 'regular',
      vip: false,
      tags: [`来自${msg.channel}`],
    });
    return c.id;
  });
  const out = await tickets.createTicket(database, ctx, {
    customerId,
    type: 'inquiry',
    channel: msg.channel,
    priority: 'normal',
    subject: msg.subject ?? msg.text.slice(0, 60),
    description: msg.text,
    externalRef,
  });
  return { ticketId: out.body.id, number: out.body.number, created: true };
}
