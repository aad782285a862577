import type { Database } from '../db/client';
import { diff, writeAudit } from '../lib/audit';
import type { Ctx } from '../lib/context';
import { invalid, notFound, outboundRefused } from '../lib/errors';
import { notify } from '../lib/notify';
import { checkOutboundUrl, displayUrl } from '../lib/outbound';
import { openSecret, sealSecret } from '../lib/secretbox';
import { requireStaff } from '../modules/identity/policy';
import { presentDelivery, presentNotification, presentPrefs } from './notifications.present';
import { notificationsRepo } from './notifications.repo';
import type { ListQueryInput, PrefsPutInput } from './notifications.schema';

/** My notifications, newest first; one about a ticket is listed only while I may see that ticket (the one visibility rule). */
export async function listNotifications(database: Database, ctx: Ctx, q: ListQueryInput) {
  const me = requireStaff(ctx.actor);
  const rows = await notificationsRepo.list(database.db, me, { unread: q.unread === 'true', before: q.cursor ? Number(q.cursor) : undefined, limit: q.limit });
  const unreadCount = await notificationsRepo.unreadCount(database.db, me);
  const items = rows.slice(0, q.limit).map((n) => presentNotification(ctx.locale, n));
  return { items, nextCursor: rows.length > q.limit ? items[items.length - 1]!.id : null, unreadCount };
}

export async function markRead(database: Database, ctx: Ctx, id: number) {
  const me = requireStaff(ctx.actor);
  if (!(await notificationsRepo.markRead(database.db, me.id, id))) throw notFound('Notification');
}

export async function markAllRead(database: Database, ctx: Ctx) {
  const me = requireStaff(ctx.actor);
  return { updated: await notificationsRepo.markAllRead(database.db, me.id) };
}

export async function getPrefs(database: Database, ctx: Ctx) {
  const me = requireStaff(ctx.actor);
  return presentPrefs(await notificationsRepo.prefs(database.db, me.id));
}

export async function putPrefs(database: Database, ctx: Ctx, input: PrefsPutInput) {
  const me = requireStaff(ctx.actor);
  const stored = await notificationsRepo.prefs(database.db, me.id);
  const cur = presentPrefs(stored);
  const next = { ...cur, ...input };
  // The shown (masked) URL sent back unchanged keeps the stored one.
  const urlChanged = input.webhook !== undefined && input.webhook.url !== cur.webhook.url;
  const realUrl = urlChanged ? next.webhook.url : stored?.webhookUrl ? openSecret(stored.webhookUrl, 'webhook_url') : null;
  if (next.email.enabled && !next.email.address) throw invalid('email.address', 'required when email is enabled');
  if (next.webhook.enabled && !realUrl) throw invalid('webhook.url', 'required when the webhook is enabled');
  if (next.wecom.enabled && !next.wecom.userId) throw invalid('wecom.userId', 'required when WeCom app messages are enabled');
  if (realUrl && input.webhook) {
    const bad = await checkOutboundUrl(realUrl);
    if (bad) throw outboundRefused('webhook.url', bad);
  }
  if (next.quietHours?.timeZone) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: next.quietHours.timeZone });
    } catch {
      throw invalid('quietHours.timeZone', 'must be an IANA time zone');
    }
  }
  const row = {
    staffId: me.id,
    inApp: next.inApp,
    emailEnabled: next.email.enabled,
    emailAddress: next.email.address,
    webhookEnabled: next.webhook.enabled,
    webhookUrl: !realUrl ? null : urlChanged ? sealSecret(realUrl, 'webhook_url') : stored!.webhookUrl,
    webhookFormat: next.webhook.format,
    wecomEnabled: next.wecom.enabled,
    wecomUserId: next.wecom.userId,
    quietHours: next.quietHours,
    kinds: next.kinds,
    updatedAt: new Date(),
  };
  await database.transaction(async (tx) => {
    await notificationsRepo.upsertPrefs(tx, row);
    await writeAudit(tx, ctx, {
      action: 'notification.preferences_updated',
      targetType: 'staff',
      targetId: me.id,
      changes: diff(
        { ...cur, webhook: { ...cur.webhook, url: cur.webhook.url ? '[set]' : null } },
        { ...next, webhook: { ...next.webhook, url: realUrl ? (urlChanged ? '[changed]' : '[set]') : null } },
      ),
    });
  });
  return { ...next, webhook: { ...next.webhook, url: realUrl ? displayUrl(realUrl) : null } };
}

/** Send myself a test notification through my channels. */
export async function sendTest(database: Database, ctx: Ctx) {
  const me = requireStaff(ctx.actor);
  // The test is asked for now: a webhook the outbound policy refuses is reported here (the worker would record it too).
  const p = await notificationsRepo.prefs(database.db, me.id);
  if (p?.webhookEnabled && p.webhookUrl) {
    const bad = await checkOutboundUrl(openSecret(p.webhookUrl, 'webhook_url'));
    if (bad) throw outboundRefused('webhook.url', bad);
  }
  // A fixed bilingual title: the test shows the channel works whatever language the recipient reads.
  await database.transaction((tx) => notify(tx, { recipientId: me.id, kind: 'test', title: '测试通知 / Test notification', data: {} }));
  return { ok: true };
}

export async function listDeliveries(database: Database, ctx: Ctx) {
  const me = requireStaff(ctx.actor);
  return { items: (await notificationsRepo.deliveries(database.db, me.id)).map(presentDelivery) };
}
