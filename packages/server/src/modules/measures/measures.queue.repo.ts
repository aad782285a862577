/**
 * The measures queue (`measure_queue`: one row per ticket to refresh) and the rollups' version: the statements of the
 * ticket-event consumer and of the measures worker (worker.ts).
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import type { SoonWrite } from '../../lib/deferred';

export const measuresQueueRepo = {
  /** The consumer's write, sent with the transaction's other deferred writes: queue the tickets, wake the workers. */
  enqueue(ids: string, evs: string, wakeChannel: string): (id: string) => SoonWrite {
    return (id) => ({
      ctes: [[`${id}_q`, sql`INSERT INTO measure_queue (ticket_id, event_id) SELECT * FROM unnest(${ids}::uuid[], ${evs}::bigint[]) RETURNING 1`]],
      tail: sql`SELECT pg_notify(${wakeChannel}, '') WHERE EXISTS (SELECT 1 FROM ${sql.raw(`${id}_q`)})`,
    });
  },
  /** Claim up to `limit` queued rows, oldest first, skipping rows another worker holds. */
  async claim(tx: Tx, limit: number): Promise<{ id: number | string; ticket_id: string }[]> {
    const rows = await tx.execute<{ id: number | string; ticket_id: string }>(
      sql`SELECT id, ticket_id FROM measure_queue ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED`,
    );
    return (rows as { rows: { id: number | string; ticket_id: string }[] }).rows;
  },
  async remove(tx: Tx, ids: number[]): Promise<void> {
    await tx.execute(sql`DELETE FROM measure_queue WHERE id = ANY(${`{${ids.join(',')}}`}::bigint[])`);
  },
  /** Bump the rollups' version and tell every process (delivered on commit); returns the new version. */
  async bumpVersion(tx: Tx, channel: string): Promise<number> {
    const v = (await tx.execute<{ value: number | string }>(
      sql`UPDATE measure_state SET value = value + 1, updated_at = now() WHERE key = 'version' RETURNING value`,
    )) as { rows: { value: number | string }[] };
    const version = Number(v.rows[0]?.value ?? 0);
    await tx.execute(sql`SELECT pg_notify(${channel}, ${String(version)})`);
    return version;
  },
  /** Empty facts, rollups and queue and queue every ticket again (the caller's transaction). */
  async resetAll(tx: Tx): Promise<void> {
    await tx.execute(sql`LOCK TABLE measure_rollup IN EXCLUSIVE MODE`);
    for (const t of ['measure_rollup', 'measure_ticket_facts', 'measure_answer_facts', 'measure_outcome_facts', 'measure_recovery_facts', 'measure_queue']) {
      await tx.execute(sql.raw(`DELETE FROM ${t}`));
    }
    await tx.execute(sql`INSERT INTO measure_queue (ticket_id) SELECT id FROM tickets ORDER BY id`);
  },
};
