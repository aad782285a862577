import { and, desc, eq, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/client';
import { notificationDeliveries, notificationPreferences, notifications } from '../db/schema';
import { ctxOf } from '../http/auth';
import { diff, writeAudit } from '../lib/audit';
import type { Actor, Ctx } from '../lib/context';
import { invalid, notFound, outboundRefused } from '../lib/errors';
import { checkOutboundUrl, displayUrl } from '../lib/outbound';
import { openSecret, sealSecret } from '../lib/secretbox';
import { notify } from '../lib/notify';
import { requireStaff } from '../modules/identity/policy';
import { seesAllTickets, ticketVisibilitySql } from '../modules/tickets/visibility';

const Hm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM');
const Prefs = z.object({
  inApp: z.boolean().describe('push to the open web app (notifications are always stored)'),
  email: z.object({ enabled: z.boolean(), address: z.email().max(200).nullable() }),
  webhook: z.object({ enabled: z.boolean(), url: z.string().max(500).nullable(), format: z.enum(['generic', 'wecom', 'dingtalk']) }),
  quietHours: z.object({ start: Hm, end: Hm, timeZone: z.string().max(64).optional() }).nullable().describe('email / webhook wait until the end of quiet hours'),
  kinds: z.array(z.string().max(64)).max(50).describe('notification kinds sent to email / webhook; empty = all'),
});
const PrefsPut = Prefs.partial().strict();
const Notification = z.object({
  id: z.string(), kind: z.string(), ticketId: z.string().nullable(), title: z.string(), data: z.record(z.string(), z.unknown()), createdAt: z.string(), readAt: z.string().nullable(),
});
const ListQuery = z.object({ unread: z.enum(['true', 'false']).optional(), limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().regex(/^\d{1,18}$/).optional() });
const NumId = z.object({ id: z.string().regex(/^\d{1,18}$/, 'must be a notification id') });
const Delivery = z.object({ id: z.string(), notificationId: z.string(), channel: z.string(), state: z.string(), attempts: z.number().int(), lastError: z.string().nullable(), responseStatus: z.number().int().nullable(), sentAt: z.string().nullable(), createdAt: z.string() });

type PrefRow = typeof notificationPreferences.$inferSelect;
/** The webhook URL is stored encrypted and shown as scheme + host only (its path / query carry the robot's key). */
const presentPrefs = (p: PrefRow | undefined) => ({
  inApp: p?.inApp ?? true,
  email: { enabled: p?.emailEnabled ?? false, address: p?.emailAddress ?? null },
  webhook: { enabled: p?.webhookEnabled ?? false, url: p?.webhookUrl ? displayUrl(openSecret(p.webhookUrl, 'webhook_url')) : null, format: (p?.webhookFormat ?? 'generic') as 'generic' },
  quietHours: (p?.quietHours as z.infer<typeof Prefs>['quietHours']) ?? null,
  kinds: p?.kinds ?? [],
});

async function prefRow(database: Database, staffId: string) {
  const [p] = await database.db.select().from(notificationPreferences).where(eq(notificationPreferences.staffId, staffId));
  return p;
}

async function getPrefs(database: Database, ctx: Ctx) {
  const me = requireStaff(ctx.actor);
  return presentPrefs(await prefRow(database, me.id));
}

async function putPrefs(database: Database, ctx: Ctx, input: z.infer<typeof PrefsPut>) {
  const me = requireStaff(ctx.actor);
  const stored = await prefRow(database, me.id);
  const cur = presentPrefs(stored);
  const next = { ...cur, ...input };
  // The shown (masked) URL sent back unchanged keeps the stored one.
  const urlChanged = input.webhook !== undefined && input.webhook.url !== cur.webhook.url;
  const realUrl = urlChanged ? next.webhook.url : stored?.webhookUrl ? openSecret(stored.webhookUrl, 'webhook_url') : null;
  if (next.email.enabled && !next.email.address) throw invalid('email.address', 'required when email is enabled');
  if (next.webhook.enabled && !realUrl) throw invalid('webhook.url', 'required when the webhook is enabled');
  if (realUrl && input.webhook) {
    const bad = await checkOutboundUrl(realUrl);
    if (bad) throw outboundRefused('webhook.url', bad);
  }
  if (next.quietHours?.timeZone) {
    try { new Intl.DateTimeFormat('en', { timeZone: next.quietHours.timeZone }); } catch { throw invalid('quietHours.timeZone', 'must be an IANA time zone'); }
  }
  const row = {
    staffId: me.id, inApp: next.inApp, emailEnabled: next.email.enabled, emailAddress: next.email.address, webhookEnabled: next.webhook.enabled,
    webhookUrl: !realUrl ? null : urlChanged ? sealSecret(realUrl, 'webhook_url') : stored!.webhookUrl, webhookFormat: next.webhook.format, quietHours: next.quietHours, kinds: next.kinds, updatedAt: new Date(),
  };
  await database.transaction(async (tx) => {
    await tx.insert(notificationPreferences).values(row).onConflictDoUpdate({ target: notificationPreferences.staffId, set: row });
    await writeAudit(tx, ctx, { action: 'notification.preferences_updated', targetType: 'staff', targetId: me.id, changes: diff({ ...cur, webhook: { ...cur.webhook, url: cur.webhook.url ? '[set]' : null } }, { ...next, webhook: { ...next.webhook, url: realUrl ? (urlChanged ? '[changed]' : '[set]') : null } }) });
  });
  return { ...next, webhook: { ...next.webhook, url: realUrl ? displayUrl(realUrl) : null } };
}

/** `ticket_id IS NULL OR` the ticket is visible to the recipient. */
export function notificationTicketVisible(actor: Actor): SQL {
  if (seesAllTickets(actor)) return sql`true`;
  return sql`(${notifications.ticketId} IS NULL OR EXISTS (SELECT 1 FROM tickets WHERE tickets.id = ${notifications.ticketId} AND ${ticketVisibilitySql(actor)}))`;
}

const presentNotification = (n: typeof notifications.$inferSelect) => ({
  id: String(n.id), kind: n.kind, ticketId: n.ticketId, title: n.title, data: n.data as Record<string, unknown>, createdAt: n.createdAt.toISOString(), readAt: n.readAt ? n.readAt.toISOString() : null,
});

export function registerNotificationRoutes(base: FastifyInstance, database: Database) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['notifications'];

  app.get('/notifications', { schema: { tags, summary: 'My notifications, newest first', querystring: ListQuery, response: { 200: z.object({ items: z.array(Notification), nextCursor: z.string().nullable(), unreadCount: z.number().int() }) } } }, async (req) => {
    const me = requireStaff(ctxOf(req).actor);
    const q = req.query;
    // A notification about a ticket is listed only while the recipient may see that ticket (the one visibility rule).
    const visible = notificationTicketVisible(me);
    const conds = [eq(notifications.recipientId, me.id), visible];
    if (q.unread === 'true') conds.push(isNull(notifications.readAt));
    if (q.cursor) conds.push(lt(notifications.id, Number(q.cursor)));
    const rows = await database.db.select().from(notifications).where(and(...conds)).orderBy(desc(notifications.id)).limit(q.limit + 1);
    const [{ n }] = (await database.db.select({ n: sql<number>`count(*)::int` }).from(notifications).where(and(eq(notifications.recipientId, me.id), isNull(notifications.readAt), visible))) as [{ n: number }];
    const items = rows.slice(0, q.limit).map(presentNotification);
    return { items, nextCursor: rows.length > q.limit ? items[items.length - 1]!.id : null, unreadCount: Number(n) };
  });

  app.post('/notifications/:id/read', { schema: { tags, summary: 'Mark one of my notifications read', params: NumId } }, async (req, reply) => {
    const me = requireStaff(ctxOf(req).actor);
    const rows = await database.db.update(notifications).set({ readAt: sql`coalesce(${notifications.readAt}, now())` })
      .where(and(eq(notifications.id, Number(req.params.id)), eq(notifications.recipientId, me.id))).returning({ id: notifications.id });
    if (rows.length === 0) throw notFound('Notification');
    return reply.status(204).send();
  });

  app.post('/notifications/read-all', { schema: { tags, summary: 'Mark all my notifications read', response: { 200: z.object({ updated: z.number().int() }) } } }, async (req) => {
    const me = requireStaff(ctxOf(req).actor);
    const rows = await database.db.update(notifications).set({ readAt: new Date() }).where(and(eq(notifications.recipientId, me.id), isNull(notifications.readAt))).returning({ id: notifications.id });
    return { updated: rows.length };
  });

  app.get('/notifications/preferences', { schema: { tags, summary: 'My delivery channels (in-app, email, webhook) and quiet hours', response: { 200: Prefs } } },
    async (req) => getPrefs(database, ctxOf(req)));

  app.put('/notifications/preferences', { schema: { tags, body: PrefsPut, response: { 200: Prefs } } },
    async (req) => putPrefs(database, ctxOf(req), req.body));

  app.post('/notifications/test', { schema: { tags, summary: 'Send myself a test notification through my channels', response: { 201: z.object({ ok: z.boolean() }) } } }, async (req, reply) => {
    const me = requireStaff(ctxOf(req).actor);
    // The test is asked for now: a webhook the outbound policy refuses is reported here (the worker would record it too).
    const p = await prefRow(database, me.id);
    if (p?.webhookEnabled && p.webhookUrl) { const bad = await checkOutboundUrl(openSecret(p.webhookUrl, 'webhook_url')); if (bad) throw outboundRefused('webhook.url', bad); }
    await database.transaction((tx) => notify(tx, { recipientId: me.id, kind: 'test', title: '测试通知 / Test notification', data: {} }));
    return reply.status(201).send({ ok: true });
  });

  app.get('/notifications/deliveries', { schema: { tags, summary: 'Email / webhook deliveries of my notifications (newest first)', response: { 200: z.object({ items: z.array(Delivery) }) } } }, async (req) => {
    const me = requireStaff(ctxOf(req).actor);
    const rows = await database.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.recipientId, me.id)).orderBy(desc(notificationDeliveries.id)).limit(100);
    return {
      items: rows.map((d) => ({
        id: String(d.id), notificationId: String(d.notificationId), channel: d.channel, state: d.state, attempts: d.attempts, lastError: d.lastError,
        responseStatus: d.responseStatus, sentAt: d.sentAt ? d.sentAt.toISOString() : null, createdAt: d.createdAt.toISOString(),
      })),
    };
  });
}

