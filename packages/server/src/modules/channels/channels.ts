import { createHmac } from 'node:crypto';
import { and, eq, inArray, isNull, or } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { customers, tickets } from '../../db/schema';
import type { AppDeps } from '../../http/app';
import type { Ctx } from '../../lib/context';
import { AppError } from '../../lib/errors';
import { safeEqual } from '../identity/secrets';
import { createCustomerInTx } from '../customers/customers.commands';
import * as cmd from '../tickets/tickets.commands';
import { OPEN_STATUSES } from '../tickets/tickets.schema';

/** A normalised inbound message from any channel (chat now; email and WeChat adapters plug in the same way). */
export interface InboundMessage {
  channel: 'chat' | 'email' | 'wechat';
  conversationId: string;
  customer: { name: string; phone?: string | undefined; email?: string | undefined; externalId?: string | undefined };
  subject?: string | undefined;
  text: string;
}

export interface ChannelAdapter {
  /** URL segment: POST /api/v1/inbound/{name} */
  name: string;
  schema: z.ZodType;
  toMessage(body: unknown): InboundMessage;
}

export const ChatWebhook = z.object({
  conversationId: z.string().trim().min(1).max(128),
  customer: z.object({
    name: z.string().trim().min(1).max(100),
    phone: z.string().trim().regex(/^\+?[0-9][0-9 -]{5,19}$/).optional(),
    email: z.email().max(200).optional(),
    externalId: z.string().trim().max(128).optional(),
  }),
  subject: z.string().trim().max(200).optional(),
  text: z.string().trim().min(1).max(20_000),
});

export const chatAdapter: ChannelAdapter = {
  name: 'chat',
  schema: ChatWebhook,
  toMessage(body) {
    const b = body as z.infer<typeof ChatWebhook>;
    return { channel: 'chat', conversationId: b.conversationId, customer: b.customer, subject: b.subject, text: b.text };
  },
};

const adapters = new Map<string, ChannelAdapter>([[chatAdapter.name, chatAdapter]]);
export function registerChannelAdapter(a: ChannelAdapter) { adapters.set(a.name, a); }

/**
 * A message continues the open ticket of the same conversation (as a customer reply), or opens a new one
 * for the customer found by phone/e-mail (created if unknown). Dispatch rules route the new ticket.
 */
export async function ingest(deps: AppDeps, msg: InboundMessage, requestId: string, ip: string) {
  const { database } = deps;
  const externalRef = `${msg.channel}:${msg.conversationId}`;
  const system: Ctx = { actor: { kind: 'system', id: null, name: `channel:${msg.channel}` }, requestId, ip };
  const [open] = await database.db.select().from(tickets).where(and(eq(tickets.externalRef, externalRef), inArray(tickets.status, [...OPEN_STATUSES, 'resolved']))).limit(1);
  if (open) {
    const ctx: Ctx = { actor: { kind: 'customer', id: open.customerId, customerId: open.customerId, sessionId: null }, requestId, ip };
    await cmd.addReply(deps, ctx, open.id, { body: msg.text, visibility: 'public' });
    return { ticketId: open.id, number: open.number, created: false };
  }
  const customerId = await database.transaction(async (tx) => {
    const conds = [];
    if (msg.customer.phone) conds.push(eq(customers.phone, msg.customer.phone.replace(/[\s-]/g, '')));
    if (msg.customer.email) conds.push(eq(customers.email, msg.customer.email.toLowerCase()));
    if (conds.length) {
      const [c] = await tx.select({ id: customers.id }).from(customers).where(and(or(...conds), isNull(customers.mergedIntoId))).limit(1);
      if (c) return c.id;
    }
    const c = await createCustomerInTx(tx, system, { name: msg.customer.name, phone: msg.customer.phone, email: msg.customer.email, tier: 'regular', vip: false, tags: [`来自${msg.channel}`] });
    return c.id;
  });
  const out = await cmd.createTicket(deps, system, {
    customerId, type: 'inquiry', channel: msg.channel, priority: 'normal', subject: msg.subject ?? msg.text.slice(0, 60), description: msg.text, externalRef,
  });
  return { ticketId: out.body.id, number: out.body.number, created: true };
}

export function registerChannelRoutes(base: FastifyInstance, deps: AppDeps) {
  void base.register(async (scoped) => {
  // The signature covers the raw bytes the sender signed, so keep them next to the parsed body.
  scoped.removeContentTypeParser('application/json');
  scoped.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    (req as unknown as { rawBody: string }).rawBody = body as string;
    try { done(null, body === '' ? null : JSON.parse(body as string)); } catch (err) { done(err as Error, undefined); }
  });
  const app = scoped.withTypeProvider<ZodTypeProvider>();
  app.post('/inbound/:channel', {
    config: { public: true },
    schema: {
      tags: ['channels'], security: [],
      summary: 'Inbound webhook for chat systems; signed with X-Chidu-Signature: sha256=hex(HMAC-SHA256(CHIDU_WEBHOOK_SECRET, raw request body))',
      params: z.object({ channel: z.string().regex(/^[a-z]+$/) }),
    },
  }, async (req, reply) => {
    const adapter = adapters.get(req.params.channel);
    if (!adapter) throw new AppError('not_found', `No inbound channel ${req.params.channel}`);
    const secret = deps.config.CHIDU_WEBHOOK_SECRET;
    if (!secret) throw new AppError('forbidden', 'Inbound webhooks are off: set CHIDU_WEBHOOK_SECRET');
    const sig = req.headers['x-chidu-signature'];
    const raw = (req as unknown as { rawBody?: string }).rawBody ?? '';
    const expected = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
    if (typeof sig !== 'string' || !safeEqual(sig, expected)) throw new AppError('forbidden', 'Bad or missing X-Chidu-Signature');
    const parsed = adapter.schema.safeParse(req.body);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || 'body', message: i.message }));
      throw new AppError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
    }
    const out = await ingest(deps, adapter.toMessage(parsed.data), req.id, req.ip);
    return reply.status(out.created ? 201 : 200).send(out);
  });
  });
}
