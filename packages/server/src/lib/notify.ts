import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { notifications } from '../db/schema';

export const NOTIFY_CHANNEL = 'chidu_notifications';

export interface NotificationInput {
  recipientId: string;
  kind: string;
  ticketId?: string | null;
  title: string;
  data?: Record<string, unknown>;
}

/**
 * Store an in-app notification and announce it with NOTIFY (delivered after commit, to every server process);
 * the realtime hub pushes it to the recipient's open web app.
 */
export async function notify(tx: Executor, n: NotificationInput): Promise<void> {
  const [row] = await tx.insert(notifications).values({
    recipientId: n.recipientId, kind: n.kind, ticketId: n.ticketId ?? null, title: n.title, data: n.data ?? {},
  }).returning({ id: notifications.id });
  await tx.execute(sql`SELECT pg_notify(${NOTIFY_CHANNEL}, ${JSON.stringify({ id: row!.id, recipientId: n.recipientId })})`);
}
