/**
 * The pool transaction on PostgreSQL (CI stop 13): a connection terminated between its checkout and BEGIN used to
 * stay checked out for good (drizzle sends BEGIN outside its try/finally). With every slot leaked that way, each
 * later request waited out the connect timeout and answered 503 database_busy until the process restarted.
 */
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import * as driver from 'drizzle-orm/node-postgres';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { pooledTransaction, type Db } from '../src/db/client';
import * as schema from '../src/db/schema';
import { freshDatabaseUrl, onPostgres } from './harness';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

describe.skipIf(!onPostgres)('pool transactions on PostgreSQL', () => {
  it('a connection cut between checkout and BEGIN goes back to the pool (destroyed); the next transaction gets a new one', async () => {
    const fresh = await freshDatabaseUrl();
    cleanups.push(fresh.drop);
    const admin = new pg.Client({ connectionString: fresh.url });
    await admin.connect();
    cleanups.push(() => admin.end());
    let cutNext = 0;
    const pool = new pg.Pool({ connectionString: fresh.url, max: 1, connectionTimeoutMillis: 2000 });
    // The next checkouts hand out a connection whose backend was just terminated, as a failover does.
    const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
    (pool as unknown as { connect: () => Promise<pg.PoolClient> }).connect = async () => {
      const client = await connect();
      if (cutNext > 0) {
        cutNext--;
        await admin.query('SELECT pg_terminate_backend($1)', [(client as unknown as { processID: number }).processID]);
        await new Promise((r) => setTimeout(r, 100));
      }
      return client;
    };
    pool.on('error', () => undefined);
    pool.on('connect', (c) => c.on('error', () => undefined));
    cleanups.push(() => pool.end());
    const db = drizzle({ client: pool, schema }) as unknown as Db;

    cutNext = 3;
    for (let i = 0; i < 3; i++) {
      await expect(pooledTransaction(driver, pool, db, (tx) => tx.execute(sql`SELECT 1`), null)).rejects.toThrow();
      expect(pool.totalCount - pool.idleCount, 'no client left checked out').toBe(0);
    }
    // The one slot is free: a transaction commits at once instead of timing out on the pool.
    const t0 = Date.now();
    const res = await pooledTransaction(
      driver,
      pool,
      db,
      async (tx) => {
        const r: unknown = await tx.execute(sql`SELECT 41 + 1 AS n`);
        return (r as { rows: { n: number }[] }).rows[0];
      },
      null,
    );
    expect(res).toEqual({ n: 42 });
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('an error inside the transaction rolls back, keeps the connection, and is the error the caller sees', async () => {
    const fresh = await freshDatabaseUrl();
    cleanups.push(fresh.drop);
    const pool = new pg.Pool({ connectionString: fresh.url, max: 1 });
    cleanups.push(() => pool.end());
    const db = drizzle({ client: pool, schema }) as unknown as Db;
    await pool.query('CREATE TABLE t (n int)');
    await expect(
      pooledTransaction(
        driver,
        pool,
        db,
        async (tx) => {
          await tx.execute(sql`INSERT INTO t VALUES (1)`);
          throw new Error('refused by the command');
        },
        null,
      ),
    ).rejects.toThrow('refused by the command');
    expect((await pool.query('SELECT count(*)::int AS n FROM t')).rows[0].n).toBe(0);
    const pid = (await pool.query('SELECT pg_backend_pid() AS p')).rows[0].p;
    await pooledTransaction(driver, pool, db, (tx) => tx.execute(sql`INSERT INTO t VALUES (2)`), null);
    expect((await pool.query('SELECT pg_backend_pid() AS p')).rows[0].p, 'the same connection, not destroyed').toBe(pid);
    expect((await pool.query('SELECT count(*)::int AS n FROM t')).rows[0].n).toBe(1);
  });
});
