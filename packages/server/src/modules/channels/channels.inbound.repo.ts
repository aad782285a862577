/** SQL of the inbound queue (accept then ingest, channels.inbound.ts). */
import { sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client';

export interface InboundClaimed {
  id: string;
  channel_id: string;
  external_id: string;
  sender: string;
  payload: unknown;
  attempts: number;
}

export const inboundRepo = {
  /** Recorded unless queued already or ingested before, with the NOTIFY, in one statement. */
  accept(database: Database, v: { id: string; channelId: string; externalId: string; sender: string; payload: string; wake: string }) {
    return database.rows<{ id: string }>(
      sql`WITH ins AS (
          INSERT INTO channel_inbound (id, channel_id, external_id, sender, payload)
          SELECT ${v.id}, ${v.channelId}, ${v.externalId}, ${v.sender}, ${v.payload}::jsonb
          WHERE NOT EXISTS (SELECT 1 FROM channel_messages WHERE channel_id = ${v.channelId} AND external_id = ${v.externalId})
          ON CONFLICT (channel_id, external_id) DO NOTHING
          RETURNING id)
        SELECT id, pg_notify(${v.wake}, '') FROM ins`,
    );
  },
  /** Up to `limit` due messages, each the oldest queued one of its sender, leased for `leaseSeconds`. */
  claim(database: Database, tx: Tx, limit: number, leaseSeconds: number) {
    return database.rows<InboundClaimed>(
      sql`WITH picked AS (
              SELECT q.id FROM channel_inbound q
              WHERE q.status = 'queued' AND q.next_attempt_at <= now() AND (q.locked_until IS NULL OR q.locked_until < now())
                AND NOT EXISTS (
                  SELECT 1 FROM channel_inbound p
                  WHERE p.channel_id = q.channel_id AND p.sender = q.sender AND p.status = 'queued' AND p.id < q.id)
              ORDER BY q.id
              LIMIT ${limit}
              FOR UPDATE SKIP LOCKED)
            UPDATE channel_inbound SET locked_until = now() + make_interval(secs => ${leaseSeconds}), attempts = attempts + 1
            WHERE id IN (SELECT id FROM picked)
            RETURNING id, channel_id, external_id, sender, payload, attempts`,
      tx,
    );
  },
  markChannelGone(database: Database, id: string) {
    return database.rows(sql`UPDATE channel_inbound SET status = 'dead', dead_at = now(), locked_until = NULL, last_error = 'channel_gone' WHERE id = ${id}`);
  },
  /** A record left `received` by a worker that crashed while ingesting this very message. */
  dropStaleReceived(database: Database, channelId: string, externalId: string) {
    return database.rows(
      sql`DELETE FROM channel_messages WHERE channel_id = ${channelId} AND external_id = ${externalId} AND direction = 'in' AND outcome = 'received'`,
    );
  },
  remove(database: Database, id: string) {
    return database.rows(sql`DELETE FROM channel_inbound WHERE id = ${id}`);
  },
  reschedule(database: Database, id: string, v: { dead: boolean; next: Date; error: string }) {
    return database.rows(
      sql`UPDATE channel_inbound SET status = ${v.dead ? 'dead' : 'queued'}, dead_at = ${v.dead ? sql`now()` : null}, locked_until = NULL,
            next_attempt_at = ${v.next}, last_error = ${v.error}
          WHERE id = ${id}`,
    );
  },
  /** Senders' oldest queued messages that are due or held by another worker. */
  async leftToDrain(database: Database) {
    const [left] = await database.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM channel_inbound q
          WHERE q.status = 'queued' AND (q.next_attempt_at <= now() OR q.locked_until > now())
            AND NOT EXISTS (
              SELECT 1 FROM channel_inbound p
              WHERE p.channel_id = q.channel_id AND p.sender = q.sender AND p.status = 'queued' AND p.id < q.id)`,
    );
    return Number(left?.n ?? 0);
  },
  /** A channel's messages that are not queued (dead or discarded), newest first. */
  listSettled(database: Database, channelId: string, status: 'dead' | 'discarded', limit: number) {
    return database.rows<InboundListed>(
      sql`SELECT id, channel_id, external_id, sender, status, attempts, last_error, created_at, dead_at FROM channel_inbound
          WHERE channel_id = ${channelId} AND status = ${status} ORDER BY id DESC LIMIT ${limit}`,
    );
  },
  async one(database: Database, channelId: string, id: string) {
    const [row] = await database.rows<InboundListed>(
      sql`SELECT id, channel_id, external_id, sender, status, attempts, last_error, created_at, dead_at FROM channel_inbound
          WHERE channel_id = ${channelId} AND id = ${id}`,
    );
    return row;
  },
  /** A dead message queued again now, with fresh attempts (and the NOTIFY); returns it unless it was not dead. */
  requeueDead(tx: Tx, database: Database, id: string, wake: string) {
    return database.rows<{ id: string }>(
      sql`WITH up AS (
            UPDATE channel_inbound SET status = 'queued', attempts = 0, next_attempt_at = now(), locked_until = NULL, dead_at = NULL
            WHERE id = ${id} AND status = 'dead' RETURNING id)
          SELECT id, pg_notify(${wake}, '') FROM up`,
      tx,
    );
  },
  /** A dead message kept as discarded (its key stays: a redelivery is not queued again). */
  discardDead(tx: Tx, database: Database, id: string) {
    return database.rows<{ id: string }>(
      sql`UPDATE channel_inbound SET status = 'discarded', locked_until = NULL WHERE id = ${id} AND status = 'dead' RETURNING id`,
      tx,
    );
  },
  /** The database clock now (a sync's start, compared with created_at). */
  async clock(database: Database): Promise<Date> {
    const [row] = await database.rows<{ at: Date | string }>(sql`SELECT clock_timestamp() AS at`);
    return new Date(row!.at);
  },
  /** Events of the sender queued before `before` (other than the one held): covered by a sync that began after them. */
  removeCovered(database: Database, v: { channelId: string; sender: string; except: string; before: Date }) {
    return database.rows(
      sql`DELETE FROM channel_inbound
          WHERE channel_id = ${v.channelId} AND sender = ${v.sender} AND status = 'queued' AND id <> ${v.except}
            AND created_at < ${v.before} AND (locked_until IS NULL OR locked_until < now())`,
    );
  },
};

export interface InboundListed {
  id: string;
  channel_id: string;
  external_id: string;
  sender: string;
  status: string;
  attempts: number;
  last_error: string | null;
  created_at: Date | string;
  dead_at: Date | string | null;
}
