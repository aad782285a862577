import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { sql, type ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import * as schema from './schema';
import { acquireDataDirLock, type DataDirLock } from './lock';
import { MIGRATIONS_DIR } from './paths';
import type { PgDialect } from 'drizzle-orm/pg-core';
import { faultLog, healthCounters, StorageGuard, storageGuards } from '../lib/health';
import { inBackground, LaneQueue } from './lanes';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything that can run a query: the database or an open transaction. */
export type Executor = Db | Tx;

export interface Database {
  kind: 'pglite' | 'postgres';
  db: Db;
  /**
   * Run fn in one transaction; the audit and outbox rows of a command are written through the same tx.
   * `{ worker: true }`: a background worker's transaction (longer statement / lock timeouts on PostgreSQL).
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>, opts?: TxOptions): Promise<T>;
  /** Raw rows from a SQL statement (both drivers return `{ rows }`). */
  rows<T = Record<string, unknown>>(query: ReturnType<typeof sql>, ex?: Executor): Promise<T[]>;
  /**
   * LISTEN on a channel (NOTIFY payloads are delivered after the notifying transaction commits, to every process).
   * PostgreSQL: one dedicated connection per process, reconnected automatically; PGlite: the embedded instance.
   * Returns an unsubscribe function.
   */
  listen?(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** node-postgres pool gauges (PostgreSQL only). */
  poolStats?(): { totalCount: number; idleCount: number; waitingCount: number };
  /**
   * PGlite only: the queue every statement and transaction goes through (requests first, background work when no
   * request waits or after its guaranteed wait; see db/lanes.ts). Its wait is the process's real queue.
   */
  lanes?: LaneQueue;
  close(): Promise<void>;
}

export interface TxOptions {
  worker?: boolean;
}

/** Bounded waits (ms, 0 = none). Requests get the short ones, workers the long ones, migrations their own. */
export interface Timeouts {
  statementMs: number;
  lockMs: number;
  workerStatementMs: number;
  workerLockMs: number;
  migrationMs: number;
  connectMs: number;
}
export const DEFAULT_TIMEOUTS: Timeouts = {
  statementMs: 5000,
  lockMs: 3000,
  workerStatementMs: 60_000,
  workerLockMs: 15_000,
  migrationMs: 600_000,
  connectMs: 5000,
};

export interface OpenOptions {
  /** postgres://… — when absent the embedded PGlite database is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; `memory://` (or undefined with inMemory) for tests. */
  dataDir?: string | undefined;
  inMemory?: boolean;
  poolSize?: number;
  /**
   * PostgreSQL: connections reserved for background workers' transactions (`{ worker: true }`: the standards clock,
   * outbox, alerts …), apart from the request pool, so a flood of requests cannot make a deadline fire late.
   */
  workerPoolSize?: number;
  /**
   * In-memory PGlite only: start from this data-directory image (a `dumpDataDir` tarball, see `migratedPgliteImage`)
   * instead of an empty cluster. The test suite opens hundreds of databases; loading one migrated image takes
   * ≈ 0.4 s where a new cluster plus every migration takes 2–3 s. Migrations still run (and find nothing to do).
   */
  pgliteImage?: Blob | undefined;
  /** Run migrations on open (default true). */
  migrate?: boolean;
  timeouts?: Partial<Timeouts>;
  /** Embedded database: refuse writes below this much free space on the data volume (bytes; 0 = off). */
  diskMinFreeBytes?: number;
  /** Embedded database: log a warning below this much free space (bytes). */
  diskWarnFreeBytes?: number;
  /**
   * Embedded database: a background job (a worker's statement or transaction) waiting this long runs next even while
   * requests wait (ms, default 250; env CHIDU_PGLITE_BACKGROUND_MAX_WAIT_MS). Until then requests go first.
   */
  backgroundMaxWaitMs?: number;
}

function wrap(kind: Database['kind'], db: Db, close: () => Promise<void>, listen?: Database['listen'], transaction?: Database['transaction']): Database {
  return {
    kind,
    db,
    transaction: transaction ?? ((fn) => db.transaction(fn)),
    async rows<T>(query: ReturnType<typeof sql>, ex: Executor = db) {
      const res = (await ex.execute(query)) as { rows: T[] };
      return res.rows;
    },
    ...(listen ? { listen } : {}),
    close,
  };
}

type PgModule = typeof import('pg').default;

/** One LISTEN connection per process for PostgreSQL, re-established (and channels re-LISTENed) after errors. */
function pgListener(pg: PgModule, connectionString: string) {
  const subs = new Map<string, Set<(payload: string) => void>>();
  let client: InstanceType<PgModule['Client']> | null = null;
  let connecting: Promise<void> | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;
  const quote = (ch: string) => `"${ch.replace(/"/g, '""')}"`;

  function scheduleReconnect() {
    client = null;
    connecting = null;
    if (closed || retry || subs.size === 0) return;
    retry = setTimeout(() => {
      retry = null;
      void ensure().catch(() => scheduleReconnect());
    }, 500);
    retry.unref();
  }

  function ensure(): Promise<void> {
    if (client) return Promise.resolve();
    connecting ??= (async () => {
      const c = new pg.Client({ connectionString });
      c.on('error', () => {
        healthCounters.pgClientErrors++;
        if (client === c) {
          void c.end().catch(() => undefined);
          scheduleReconnect();
        }
      });
      c.on('end', () => {
        if (client === c) scheduleReconnect();
      });
      c.on('notification', (n) => {
        for (const fn of subs.get(n.channel) ?? []) {
          try {
            fn(n.payload ?? '');
          } catch {
            /* a subscriber's error is its own */
          }
        }
      });
      try {
        await c.connect();
        for (const ch of subs.keys()) await c.query(`LISTEN ${quote(ch)}`);
      } catch (err) {
        await c.end().catch(() => undefined);
        throw err;
      }
      if (closed) {
        await c.end().catch(() => undefined);
        return;
      }
      client = c;
    })().finally(() => {
      connecting = null;
    });
    return connecting;
  }

  return {
    async listen(channel: string, fn: (payload: string) => void) {
      let set = subs.get(channel);
      const fresh = !set;
      if (!set) {
        set = new Set();
        subs.set(channel, set);
      }
      set.add(fn);
      if (client && fresh) await client.query(`LISTEN ${quote(channel)}`);
      else await ensure();
      return async () => {
        set.delete(fn);
        if (set.size === 0) {
          subs.delete(channel);
          await client?.query(`UNLISTEN ${quote(channel)}`).catch(() => undefined);
        }
      };
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await connecting?.catch(() => undefined);
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}

/**
 * One transaction on a client of the pool. drizzle's own pool transaction sends BEGIN before its try block, so a
 * connection terminated between checkout and BEGIN (pg_terminate_backend, a failover) never went back to the pool:
 * under repeated terminations every slot leaked and each later request waited out the connect timeout (503
 * database_busy for good). Here the client is always released, and destroyed when BEGIN, COMMIT or ROLLBACK failed
 * on it; the error the caller sees is the one that broke the transaction, not a failed ROLLBACK's.
 */
export async function pooledTransaction<T>(
  driver: typeof import('drizzle-orm/node-postgres'),
  pool: import('pg').Pool,
  db: Db,
  fn: (tx: Tx) => Promise<T>,
  first: ReturnType<typeof sql> | null,
): Promise<T> {
  const base = (db as unknown as { session: { dialect: PgDialect; schema: never; options: never } }).session;
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const session = new driver.NodePgSession(client, base.dialect, base.schema, base.options);
    const tx = new driver.NodePgTransaction(base.dialect, session, base.schema) as unknown as Tx;
    try {
      await tx.execute(sql`begin`);
    } catch (err) {
      broken = err as Error;
      throw err;
    }
    let result: T;
    try {
      if (first) await tx.execute(first);
      result = await fn(tx);
    } catch (err) {
      await tx.execute(sql`rollback`).catch((rollbackErr: Error) => {
        broken = rollbackErr;
      });
      throw err;
    }
    try {
      await tx.execute(sql`commit`);
    } catch (err) {
      broken = err as Error;
      throw err;
    }
    return result;
  } finally {
    client.release(broken);
  }
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  const migrateOnOpen = opts.migrate ?? true;
  const t: Timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  if (opts.databaseUrl) {
    const { default: pg } = await import('pg');
    const driver = await import('drizzle-orm/node-postgres');
    const { drizzle } = driver;
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      // Bounded waits: a request never hangs on a lock, a runaway statement, a full pool or an unreachable server.
      ...(t.statementMs ? { statement_timeout: t.statementMs } : {}),
      ...(t.lockMs ? { lock_timeout: t.lockMs } : {}),
      connectionTimeoutMillis: t.connectMs,
      keepAlive: true,
    });
    // A connection can die at any time (pg_terminate_backend, a restart, the network). node-postgres then emits
    // 'error' on the client — while idle (the pool's own listener) and while checked out (ours, attached to
    // every client on connect); unhandled, that event ends the process. The query in flight, if any, fails with
    // the error and the client is dropped from the pool when released.
    const onClientError = (err: Error) => {
      healthCounters.pgClientErrors++;
      faultLog()?.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'database connection lost');
    };
    const workerPool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.workerPoolSize ?? 3,
      connectionTimeoutMillis: t.connectMs,
      keepAlive: true,
    });
    for (const p of [pool, workerPool]) {
      p.on('connect', (client) => {
        client.on('error', onClientError);
      });
      p.on('error', () => {
        /* idle client errors: counted by the client listener; the pool drops the client */
      });
    }
    const db = drizzle({ client: pool, schema }) as unknown as Db;
    const listener = pgListener(pg, opts.databaseUrl);
    const setWorkerTimeouts = sql`SELECT set_config('statement_timeout', ${String(t.workerStatementMs)}, true), set_config('lock_timeout', ${String(t.workerLockMs)}, true)`;
    const database = wrap(
      'postgres',
      db,
      async () => {
        await listener.close();
        await Promise.all([pool.end(), workerPool.end()]);
      },
      (ch, fn) => listener.listen(ch, fn),
      (fn, o) => (o?.worker ? pooledTransaction(driver, workerPool, db, fn, setWorkerTimeouts) : pooledTransaction(driver, pool, db, fn, null)),
    );
    database.poolStats = () => ({ totalCount: pool.totalCount, idleCount: pool.idleCount, waitingCount: pool.waitingCount });
    if (migrateOnOpen) {
      const { migrate } = await import('drizzle-orm/node-postgres/migrator');
      // Several server processes may start at once: one migrates, the others wait.
      const client = await pool.connect();
      let broken: unknown;
      try {
        await client.query(`SET statement_timeout = ${Math.floor(t.migrationMs)}; SET lock_timeout = ${Math.floor(t.migrationMs)}`);
        await client.query('SELECT pg_advisory_lock(727274)');
        const { drizzle: d2 } = await import('drizzle-orm/node-postgres');
        await migrate(d2({ client, schema }), { migrationsFolder: MIGRATIONS_DIR });
        await client.query('RESET statement_timeout; RESET lock_timeout');
      } catch (err) {
        broken = err;
        throw err;
      } finally {
        await client.query('SELECT pg_advisory_unlock(727274)').catch(() => undefined);
        client.release(broken instanceof Error ? broken : undefined);
      }
    }
    return database;
  }

  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  let lock: DataDirLock | undefined;
  let client: InstanceType<typeof PGlite>;
  if (opts.inMemory || !opts.dataDir || opts.dataDir.startsWith('memory://')) {
    client = await PGlite.create(opts.pgliteImage ? { loadDataDir: opts.pgliteImage } : {});
  } else {
    const dir = path.resolve(opts.dataDir);
    mkdirSync(dir, { recursive: true });
    lock = acquireDataDirLock(dir);
    try {
      client = await PGlite.create({ dataDir: path.join(dir, 'pgdata') });
    } catch (err) {
      lock.release();
      throw err;
    }
  }
  // Every statement and transaction through one queue with a request lane and a background lane (db/lanes.ts).
  const envWait = Number(process.env.CHIDU_PGLITE_BACKGROUND_MAX_WAIT_MS);
  const lanes = new LaneQueue({
    backgroundMaxWaitMs: opts.backgroundMaxWaitMs ?? (Number.isFinite(envWait) && process.env.CHIDU_PGLITE_BACKGROUND_MAX_WAIT_MS !== '' ? envWait : 250),
    traceFile: process.env.CHIDU_DB_TRACE_FILE || undefined,
  });
  const pglite = client;
  type TxClient = Parameters<Parameters<typeof pglite.transaction>[0]>[0];
  /** The transaction's client, naming the job by its first statement. */
  const noting = (tx: TxClient, note: (s: string) => void): TxClient =>
    new Proxy(tx, {
      get(target, prop, receiver) {
        if (prop === 'query' || prop === 'exec') {
          return (q: string, ...rest: unknown[]) => {
            note(q);
            return (target[prop] as (q: string, ...r: unknown[]) => Promise<unknown>)(q, ...rest);
          };
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
  const queuedClient = new Proxy(pglite, {
    get(target, prop) {
      if (prop === 'query' || prop === 'exec') {
        return (q: string, ...rest: unknown[]) =>
          lanes.run((note) => {
            note(q);
            return (target[prop] as (q: string, ...r: unknown[]) => Promise<unknown>)(q, ...rest);
          });
      }
      if (prop === 'transaction') {
        return <T>(fn: (tx: TxClient) => Promise<T>) => lanes.run((note) => target.transaction((tx) => fn(noting(tx, note))));
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const db = drizzle({ client: queuedClient, schema }) as unknown as Db;
  // PGlite has one connection and no concurrent sessions: lock_timeout cannot apply, and statement_timeout needs
  // a signal timer the WebAssembly build does not run. What bounds the waits there is load shedding (MAX_IN_FLIGHT).
  // The data volume's free space is guarded instead (see StorageGuard).
  const guard =
    lock && (opts.diskMinFreeBytes ?? 0) > 0 ? new StorageGuard(path.resolve(opts.dataDir!), opts.diskMinFreeBytes!, opts.diskWarnFreeBytes ?? 0) : null;
  const database = wrap(
    'pglite',
    db,
    async () => {
      try {
        lanes.close();
        await client.close();
      } finally {
        lock?.release();
      }
    },
    async (channel, fn) => {
      const unlisten = await client.listen(channel, fn);
      return async () => {
        if (!client.closed) await unlisten().catch(() => undefined);
      };
    },
    async (fn, o) => {
      guard?.assertWritable(true);
      // A worker's transaction waits in the background lane (the worker base also runs whole passes there).
      return o?.worker ? inBackground('worker', () => db.transaction(fn)) : db.transaction(fn);
    },
  );
  database.lanes = lanes;
  if (guard) storageGuards.set(database, guard);
  if (migrateOnOpen) {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(db as never, { migrationsFolder: MIGRATIONS_DIR });
  }
  return database;
}

export { schema, sql };

/**
 * A migrated, empty in-memory PGlite cluster as a data-directory image (uncompressed tar), for `pgliteImage`.
 * Used by the test suite's global setup, so each test file's database starts from it.
 */
export async function migratedPgliteImage(): Promise<Blob> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const client = await PGlite.create();
  try {
    await migrate(drizzle({ client, schema }) as never, { migrationsFolder: MIGRATIONS_DIR });
    return await client.dumpDataDir('none');
  } finally {
    await client.close();
  }
}
