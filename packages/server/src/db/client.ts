import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { sql, type ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import * as schema from './schema';
import { acquireDataDirLock, type DataDirLock } from './lock';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything that can run a query: the database or an open transaction. */
export type Executor = Db | Tx;

export interface Database {
  kind: 'pglite' | 'postgres';
  db: Db;
  /** Run fn in one transaction; the audit and outbox rows of a command are written through the same tx. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Raw rows from a SQL statement (both drivers return `{ rows }`). */
  rows<T = Record<string, unknown>>(query: ReturnType<typeof sql>, ex?: Executor): Promise<T[]>;
  /**
   * LISTEN on a channel (NOTIFY payloads are delivered after the notifying transaction commits, to every process).
   * PostgreSQL: one dedicated connection per process, reconnected automatically; PGlite: the embedded instance.
   * Returns an unsubscribe function.
   */
  listen?(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');

export interface OpenOptions {
  /** postgres://… — when absent the embedded PGlite database is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; `memory://` (or undefined with inMemory) for tests. */
  dataDir?: string | undefined;
  inMemory?: boolean;
  poolSize?: number;
  /** Run migrations on open (default true). */
  migrate?: boolean;
}

function wrap(kind: Database['kind'], db: Db, close: () => Promise<void>, listen?: Database['listen']): Database {
  return {
    kind,
    db,
    transaction: (fn) => db.transaction(fn),
    async rows<T>(query: ReturnType<typeof sql>, ex: Executor = db) {
      const res = (await ex.execute(query)) as unknown as { rows: T[] };
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
    retry = setTimeout(() => { retry = null; void ensure().catch(() => scheduleReconnect()); }, 500);
    retry.unref();
  }

  function ensure(): Promise<void> {
    if (client) return Promise.resolve();
    connecting ??= (async () => {
      const c = new pg.Client({ connectionString });
      c.on('error', () => { if (client === c) { void c.end().catch(() => undefined); scheduleReconnect(); } });
      c.on('end', () => { if (client === c) scheduleReconnect(); });
      c.on('notification', (n) => {
        for (const fn of subs.get(n.channel) ?? []) { try { fn(n.payload ?? ''); } catch { /* a subscriber's error is its own */ } }
      });
      await c.connect();
      for (const ch of subs.keys()) await c.query(`LISTEN ${quote(ch)}`);
      if (closed) { await c.end().catch(() => undefined); return; }
      client = c;
    })().finally(() => { connecting = null; });
    return connecting;
  }

  return {
    async listen(channel: string, fn: (payload: string) => void) {
      let set = subs.get(channel);
      const fresh = !set;
      if (!set) { set = new Set(); subs.set(channel, set); }
      set.add(fn);
      if (client && fresh) await client.query(`LISTEN ${quote(channel)}`);
      else await ensure();
      return async () => {
        set!.delete(fn);
        if (set!.size === 0) {
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

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  const migrateOnOpen = opts.migrate ?? true;
  if (opts.databaseUrl) {
    const { default: pg } = await import('pg');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    pool.on('error', () => { /* idle client errors are reported on next use */ });
    const db = drizzle({ client: pool, schema }) as unknown as Db;
    const listener = pgListener(pg, opts.databaseUrl);
    const database = wrap('postgres', db, async () => { await listener.close(); await pool.end(); }, listener.listen);
    if (migrateOnOpen) {
      const { migrate } = await import('drizzle-orm/node-postgres/migrator');
      // Several server processes may start at once: one migrates, the others wait.
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock(727274)');
        const { drizzle: d2 } = await import('drizzle-orm/node-postgres');
        await migrate(d2({ client, schema }), { migrationsFolder: MIGRATIONS_DIR });
      } finally {
        await client.query('SELECT pg_advisory_unlock(727274)').catch(() => undefined);
        client.release();
      }
    }
    return database;
  }

  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  let lock: DataDirLock | undefined;
  let client: InstanceType<typeof PGlite>;
  if (opts.inMemory || !opts.dataDir || opts.dataDir.startsWith('memory://')) {
    client = await PGlite.create();
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
  const db = drizzle({ client, schema }) as unknown as Db;
  const database = wrap('pglite', db, async () => {
    try { await client.close(); } finally { lock?.release(); }
  }, async (channel, fn) => {
    const unlisten = await client.listen(channel, fn);
    return async () => { if (!client.closed) await unlisten().catch(() => undefined); };
  });
  if (migrateOnOpen) {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(db as never, { migrationsFolder: MIGRATIONS_DIR });
  }
  return database;
}

export { schema, sql };
