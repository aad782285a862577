import type { z } from 'zod';
import { ChatWebhook } from './channels.schema';

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

export const chatAdapter: ChannelAdapter = {
  name: 'chat',
  schema: ChatWebhook,
  toMessage(body) {
    const b = body as z.infer<typeof ChatWebhook>;
    return { channel: 'chat', conversationId: b.conversationId, customer: b.customer, subject: b.subject, text: b.text };
  },
};

const adapters = new Map<string, ChannelAdapter>([[chatAdapter.name, chatAdapter]]);
export function registerChannelAdapter(a: ChannelAdapter) {
  adapters.set(a.name, a);
}
export const channelAdapter = (name: string): ChannelAdapter | undefined => adapters.get(name);
