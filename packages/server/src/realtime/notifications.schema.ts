import { z } from 'zod';

const Hm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM');
export const Prefs = z
  .object({
    inApp: z.boolean().describe('push to the open web app (notifications are always stored)'),
    email: z.object({ enabled: z.boolean(), address: z.email().max(200).nullable() }),
    webhook: z.object({ enabled: z.boolean(), url: z.string().max(500).nullable(), format: z.enum(['generic', 'wecom', 'dingtalk']) }),
    wecom: z
      .object({
        enabled: z.boolean(),
        userId: z
          .string()
          .trim()
          .regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'a WeCom userid (letters, digits, _ . @ -)')
          .nullable(),
      })
      .describe('企业微信应用消息: a text card with the ticket link to my WeCom userid, sent by the enabled wecom_app channel'),
    quietHours: z
      .object({ start: Hm, end: Hm, timeZone: z.string().max(64).optional() })
      .nullable()
      .describe('email / webhook / WeCom wait until the end of quiet hours'),
    kinds: z.array(z.string().max(64)).max(50).describe('notification kinds sent to email / webhook; empty = all'),
  })
  .meta({ id: 'NotificationPreferences' });
export type PrefsValue = z.infer<typeof Prefs>;
export const PrefsPut = Prefs.partial().strict();
export type PrefsPutInput = z.infer<typeof PrefsPut>;

export const Notification = z
  .object({
    id: z.string(),
    kind: z.string(),
    ticketId: z.string().nullable(),
    title: z.string().describe("in the reader's language (older notifications: as stored)"),
    data: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    readAt: z.string().nullable(),
  })
  .meta({ id: 'Notification' });
export const NotificationList = z.object({ items: z.array(Notification), nextCursor: z.string().nullable(), unreadCount: z.number().int() });
export const ListQuery = z.object({
  unread: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional(),
});
export type ListQueryInput = z.infer<typeof ListQuery>;
export const NumId = z.object({ id: z.string().regex(/^\d{1,18}$/, 'must be a notification id') });
export const Delivery = z
  .object({
    id: z.string(),
    notificationId: z.string(),
    channel: z.string(),
    state: z.string(),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    responseStatus: z.number().int().nullable(),
    sentAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'NotificationDelivery' });
export const DeliveryList = z.object({ items: z.array(Delivery) });
export const ReadAll = z.object({ updated: z.number().int() });
export const TestSent = z.object({ ok: z.boolean() });
