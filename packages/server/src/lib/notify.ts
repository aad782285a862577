import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { notifications } from '../db/schema';
import { writeSoon } from './deferred';

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
  await notifyMany(tx, [n]);
}

/** Several notifications in one statement (a batch of creates; deferred inside `deferWrites`), each announced like `notify`. */
export async function notifyMany(tx: Executor, list: NotificationInput[]): Promise<void> {
  if (list.length === 0) return;
  const values = sql.join(list.map((n) => sql`(${n.recipientId}::uuid, ${n.kind}, ${n.ticketId ?? null}::uuid, ${n.title}, ${JSON.stringify(n.data ?? {})}::jsonb)`), sql`, `);
  await writeSoon(tx, (id) => ({
    ctes: [[`${id}_n`, sql`INSERT INTO ${notifications} (recipient_id, kind, ticket_id, title, data) VALUES ${values} RETURNING id, recipient_id`]],
    tail: sql`SELECT pg_notify(${NOTIFY_CHANNEL}, json_build_object('id', n.id, 'recipientId', n.recipient_id)::text) FROM ${sql.raw(`${id}_n`)} n`,
  }));
}
