/** Shapes of the web chat widget routes (channels.webchat.routes.ts). */
import { z } from 'zod';
import { TicketSummary } from '../tickets/tickets.schema';

export const ChannelParam = z.object({ channelId: z.uuid() });
export const AttachmentParam = z.object({ channelId: z.uuid(), id: z.uuid() });
export const TicketParam = z.object({ id: z.uuid() });
export const AfterQuery = z.object({
  after: z.coerce.number().int().min(0).default(0).describe('the last seq the widget has (0: from the start)'),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

export const WidgetConfig = z
  .object({
    name: z.string(),
    greeting: z.string().nullable().describe('null: the widget shows its built-in greeting'),
    offlineMessage: z.string().nullable(),
    online: z.boolean().describe('agents on duty now (the channel business calendar)'),
    nextOpen: z.string().nullable().describe('when not on duty: the next opening'),
    requireIdentity: z.boolean().describe('the visitor verifies a mobile number (or signs in to the portal) before the first message'),
  })
  .meta({ id: 'WebchatConfig' });

export const VisitorIdentity = z
  .object({
    verified: z.boolean(),
    via: z.enum(['phone', 'portal']).nullable().describe('phone: a one-time code; portal: the customer portal session of the browser'),
    phone: z.string().nullable().describe('the verified mobile, masked (138****0000)'),
  })
  .meta({ id: 'WebchatVisitorIdentity' });

export const Session = z
  .object({
    token: z.string().describe('the visitor token: keep it (localStorage) and send it as X-Visitor-Token / ?token='),
    visitorId: z.string(),
    expiresAt: z.string(),
    created: z.boolean(),
    identity: VisitorIdentity,
  })
  .meta({ id: 'WebchatSession' });

const Mobile = z
  .string()
  .trim()
  .regex(/^1[3-9]\d{9}$/, 'a mainland mobile number');
export const IdentifyCodeIn = z.object({ phone: Mobile }).strict();
export const IdentifyCodeOut = z
  .object({
    sent: z.boolean(),
    expiresInSeconds: z.number(),
    demoCode: z.string().optional().describe('demo mode only: the code, shown on screen'),
  })
  .meta({ id: 'WebchatCodeSent' });
export const IdentifyVerifyIn = z
  .object({
    phone: Mobile,
    code: z
      .string()
      .trim()
      .regex(/^\d{6}$/, 'the 6-digit code'),
  })
  .strict();

export const WidgetEvent = z
  .object({
    seq: z.number().int().describe('the resume cursor'),
    kind: z.enum(['message', 'survey']),
    author: z.enum(['visitor', 'agent', 'system']),
    body: z.string(),
    attachment: z.object({ id: z.string(), url: z.string() }).nullable(),
    clientId: z.string().nullable(),
    data: z.record(z.string(), z.unknown()).describe('agent: {name}; survey: {url}'),
    at: z.string(),
  })
  .meta({ id: 'WebchatEvent' });
export const EventPage = z.object({ items: z.array(WidgetEvent), more: z.boolean() });

export const MessageIn = z
  .object({
    clientId: z.string().trim().min(1).max(64).describe("the widget's id of this message: a resend with the same id is a no-op"),
    body: z.string().max(5000),
    attachmentId: z.uuid().optional().describe('a photo uploaded with /uploads'),
  })
  .strict();

export const OfflineIn = z
  .object({
    clientId: z.string().trim().min(1).max(64),
    name: z.string().trim().min(1).max(50),
    phone: z
      .string()
      .trim()
      .regex(/^1[3-9]\d{9}$/, 'a mainland mobile number'),
    message: z.string().trim().min(1).max(2000),
  })
  .strict();
export const OfflineOut = z.object({
  event: WidgetEvent,
  expectReplyAfter: z.string().nullable().describe('the next time agents are on duty (null: now)'),
});

export const Conversation = z
  .object({
    ticket: TicketSummary,
    visitorOnline: z.boolean(),
    visitorTyping: z.boolean(),
    waitingSince: z.string().nullable().describe("the visitor's oldest message not yet answered by an agent (null: answered)"),
    visitor: VisitorIdentity.describe('whether the visitor verified a mobile number (masked) or signed in with the portal'),
  })
  .meta({ id: 'WebchatConversation' });
export const ConversationList = z.object({ items: z.array(Conversation) });
