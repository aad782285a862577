import { and, asc, desc, eq, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { Executor, Tx } from '../db/client';
import { notificationDeliveries, notificationOutbox, notificationPreferences, notifications, sessions, staff } from '../db/schema';
import type { Actor } from '../lib/context';
import { seesAllTickets, ticketVisibilitySql } from '../modules/tickets/visibility';

export type NotificationRow = typeof notifications.$inferSelect;
export type PrefRow = typeof notificationPreferences.$inferSelect;

/** `ticket_id IS NULL OR` the ticket is visible to the recipient. */
export function notificationTicketVisible(actor: Actor): SQL {
  if (seesAllTickets(actor)) return sql`true`;
  return sql`(${notifications.ticketId} IS NULL OR EXISTS (SELECT 1 FROM tickets WHERE tickets.id = ${notifications.ticketId} AND ${ticketVisibilitySql(actor)}))`;
}

export const notificationsRepo = {
  async prefs(ex: Executor, staffId: string): Promise<PrefRow | undefined> {
    const [p] = await ex.select().from(notificationPreferences).where(eq(notificationPreferences.staffId, staffId));
    return p;
  },
  async upsertPrefs(ex: Executor, row: typeof notificationPreferences.$inferInsert) {
    await ex.insert(notificationPreferences).values(row).onConflictDoUpdate({ target: notificationPreferences.staffId, set: row });
  },
  /** A recipient's notifications about tickets they may (still) see, newest first, `limit + 1` rows. */
  async list(ex: Executor, recipient: Actor & { id: string }, f: { unread: boolean; before?: number | undefined; limit: number }) {
    const conds = [eq(notifications.recipientId, recipient.id), notificationTicketVisible(recipient)];
    if (f.unread) conds.push(isNull(notifications.readAt));
    if (f.before !== undefined) conds.push(lt(notifications.id, f.before));
    return ex
      .select()
      .from(notifications)
      .where(and(...conds))
      .orderBy(desc(notifications.id))
      .limit(f.limit + 1);
  },
  async unreadCount(ex: Executor, recipient: Actor & { id: string }): Promise<number> {
    const [row] = await ex
      .select({ n: sql<number>`count(*)::int` })
      .from(notifications)
      .where(and(eq(notifications.recipientId, recipient.id), isNull(notifications.readAt), notificationTicketVisible(recipient)));
    return Number(row?.n ?? 0);
  },
  /** Marks one notification of the recipient read (keeps the first read time); false when there is no such notification. */
  async markRead(ex: Executor, recipientId: string, id: number): Promise<boolean> {
    const rows = await ex
      .update(notifications)
      .set({ readAt: sql`coalesce(${notifications.readAt}, now())` })
      .where(and(eq(notifications.id, id), eq(notifications.recipientId, recipientId)))
      .returning({ id: notifications.id });
    return rows.length > 0;
  },
  async markAllRead(ex: Executor, recipientId: string): Promise<number> {
    const rows = await ex
      .update(notifications)
      .set({ readAt: new Date() })
      .where(and(eq(notifications.recipientId, recipientId), isNull(notifications.readAt)))
      .returning({ id: notifications.id });
    return rows.length;
  },
  async deliveries(ex: Executor, recipientId: string, limit = 100) {
    return ex
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.recipientId, recipientId))
      .orderBy(desc(notificationDeliveries.id))
      .limit(limit);
  },
  /** A notification with the recipient's in-app switch (null: no preferences stored), for the realtime push. */
  async forPush(ex: Executor, id: number) {
    const [row] = await ex
      .select({ n: notifications, inApp: notificationPreferences.inApp })
      .from(notifications)
      .leftJoin(notificationPreferences, eq(notificationPreferences.staffId, notifications.recipientId))
      .where(eq(notifications.id, id));
    return row;
  },
  /** The state of the given sessions (the hub drops sockets whose session ended). */
  async sessionStates(ex: Executor, ids: string[]) {
    const cols = {
      id: sessions.id,
      revokedAt: sessions.revokedAt,
      expiresAt: sessions.expiresAt,
      lastSeenAt: sessions.lastSeenAt,
      principalKind: sessions.principalKind,
    };
    return ex.select(cols).from(sessions).where(inArray(sessions.id, ids));
  },
};

/** The deferred statement announcing ticket events to every process's hub: one NOTIFY per JSON-array payload. */
export const ticketEventsNotifySql = (channel: string, payloads: string[]) =>
  sql`SELECT pg_notify(${channel}, p) FROM json_array_elements_text(${JSON.stringify(payloads)}::json) p`;

export type DeliveryRow = typeof notificationDeliveries.$inferSelect;
type DeliveryInsert = typeof notificationDeliveries.$inferInsert;

/** The delivery worker's statements (realtime/delivery.ts): outbox → deliveries, claim with a lease, outcome. */
export const deliveryRepo = {
  /** Claim up to `limit` notifications from the outbox, skipping rows another worker holds. */
  async claimOutbox(tx: Tx, limit: number): Promise<number[]> {
    const rows = await tx
      .select({ id: notificationOutbox.notificationId })
      .from(notificationOutbox)
      .orderBy(asc(notificationOutbox.notificationId))
      .limit(limit)
      .for('update', { skipLocked: true });
    return rows.map((r) => r.id);
  },
  /** The notifications with their recipient's preferences and profile language. */
  withPreferences(tx: Tx, ids: number[]) {
    return tx
      .select({ n: notifications, p: notificationPreferences, locale: staff.locale })
      .from(notifications)
      .innerJoin(notificationPreferences, eq(notificationPreferences.staffId, notifications.recipientId))
      .leftJoin(staff, eq(staff.id, notifications.recipientId))
      .where(inArray(notifications.id, ids));
  },
  async addDelivery(tx: Tx, row: DeliveryInsert): Promise<void> {
    await tx.insert(notificationDeliveries).values(row).onConflictDoNothing();
  },
  async clearOutbox(tx: Tx, ids: number[]): Promise<void> {
    await tx.delete(notificationOutbox).where(inArray(notificationOutbox.notificationId, ids));
  },
  /** Claim up to `limit` due deliveries and lease them for 60 s (a crashed sender's lease runs out). */
  async claimDue(tx: Tx, limit: number): Promise<DeliveryRow[]> {
    const rows = await tx
      .select()
      .from(notificationDeliveries)
      .where(sql`${notificationDeliveries.state} IN ('pending', 'sending') AND ${notificationDeliveries.nextAttemptAt} <= now()`)
      .orderBy(asc(notificationDeliveries.nextAttemptAt))
      .limit(limit)
      .for('update', { skipLocked: true });
    if (rows.length) {
      await tx
        .update(notificationDeliveries)
        .set({ state: 'sending', attempts: sql`${notificationDeliveries.attempts} + 1`, nextAttemptAt: sql`now() + interval '60 seconds'` })
        .where(
          inArray(
            notificationDeliveries.id,
            rows.map((r) => r.id),
          ),
        );
    }
    return rows;
  },
  async recordOutcome(ex: Executor, id: number, outcome: Partial<DeliveryInsert>): Promise<void> {
    await ex.update(notificationDeliveries).set(outcome).where(eq(notificationDeliveries.id, id));
  },
};
