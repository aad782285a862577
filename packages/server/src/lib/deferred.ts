/**
 * Writes whose results nobody reads in the rest of the transaction (outbox rows, notifications, NOTIFYs) can wait and
 * go out together: inside `deferWrites(tx, …)` each `writeSoon` is queued and they all run as ONE statement (data-
 * modifying CTEs plus referenced NOTIFY selects) just before the callback returns; outside it, each runs at once.
 * A batch of ticket creates uses this to send five such writes in one round trip.
 *
 * Rules for a write: its CTE names come from the `id` it is given (unique per statement); it must not read what
 * another deferred write changes (all CTEs of one statement see the same snapshot); and nothing may read its effect
 * before the flush.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client';

export interface SoonWrite {
  /** Named CTEs: INSERT / UPDATE / DELETE (with or without RETURNING), or SELECTs the tail reads. */
  ctes?: [name: string, body: SQL][];
  /** A SELECT that must run (e.g. pg_notify over a CTE's rows); it is referenced, so it is executed. */
  tail?: SQL;
}

const queues = new WeakMap<object, { n: number; writes: SoonWrite[] }>();

function statement(writes: SoonWrite[]): SQL {
  const parts: SQL[] = [];
  const tails: string[] = [];
  writes.forEach((w, i) => {
    for (const [name, body] of w.ctes ?? []) parts.push(sql`${sql.raw(name)} AS (${body})`);
    if (w.tail) {
      const name = `t${i}_tail`;
      tails.push(name);
      parts.push(sql`${sql.raw(name)} AS (${w.tail})`);
    }
  });
  const sum = tails.length ? tails.map((t) => `(SELECT count(*) FROM ${t})`).join(' + ') : '0';
  return sql`WITH ${sql.join(parts, sql`, `)} SELECT ${sql.raw(sum)} AS n`;
}

/** Queue (inside `deferWrites`) or run now a write built for a unique name prefix. */
export async function writeSoon(tx: Executor, build: (id: string) => SoonWrite): Promise<void> {
  const q = queues.get(tx);
  if (q) {
    q.writes.push(build(`w${q.n++}`));
    return;
  }
  const w = build('w0');
  if (!w.ctes?.length && !w.tail) return;
  await tx.execute(statement([w]));
}

/** Run `fn` with writeSoon queued, then send the queued writes in one statement. */
export async function deferWrites<T>(tx: Executor, fn: () => Promise<T>): Promise<T> {
  if (queues.has(tx)) return fn();
  const q = { n: 0, writes: [] as SoonWrite[] };
  queues.set(tx, q);
  try {
    const out = await fn();
    const writes = q.writes.filter((w) => w.ctes?.length || w.tail);
    if (writes.length) await tx.execute(statement(writes));
    return out;
  } finally {
    queues.delete(tx);
  }
}
