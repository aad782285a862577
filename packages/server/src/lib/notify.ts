import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { notifications } from '../db/schema';
import { writeSoon } from './deferred';
import { DEFAULT_LOCALE, render, type Message } from '../i18n/index';

export const NOTIFY_CHANNEL = 'chidu_notifications';

export interface NotificationInput {
  recipientId: string;
  kind: string;
  ticketId?: string | null;
  /**
   * A message key with parameters (rendered in the reader's language when read, see realtime/notifications.present.ts),
   * or a plain string (shown as it is).
   */
  title: string | Message;
  data?: Record<string, unknown>;
}

/** Where a notification keeps its title message (in `data`); the `title` column keeps the zh-CN text for older readers. */
export const TITLE_MESSAGE_KEY = '_title';

const stored = (n: NotificationInput) =>
  typeof n.title === 'string'
    ? { title: n.title, data: n.data ?? {} }
    : { title: render(DEFAULT_LOCALE, n.title), data: { ...n.data, [TITLE_MESSAGE_KEY]: n.title } };

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
  const values = sql.join(
    list.map((n) => {
      const { title, data } = stored(n);
      return sql`(${n.recipientId}::uuid, ${n.kind}, ${n.ticketId ?? null}::uuid, ${title}, ${JSON.stringify(data)}::jsonb)`;
    }),
    sql`, `,
  );
  await writeSoon(tx, (id) => ({
    ctes: [[`${id}_n`, sql`INSERT INTO ${notifications} (recipient_id, kind, ticket_id, title, data) VALUES ${values} RETURNING id, recipient_id`]],
    tail: sql`SELECT pg_notify(${NOTIFY_CHANNEL}, json_build_object('id', n.id, 'recipientId', n.recipient_id)::text) FROM ${sql.raw(`${id}_n`)} n`,
  }));
}
