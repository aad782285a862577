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

function wrap(kind: Database['kind'], db: Db, close: () => Promise<void>): Database {
  return {
    kind,
    db,
    transaction: (fn) => db.transaction(fn),
    async rows<T>(query: ReturnType<typeof sql>, ex: Executor = db) {
      const res = (await ex.execute(query)) as unknown as { rows: T[] };
      return res.rows;
    },
    close,
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
    const database = wrap('postgres', db, async () => { await pool.end(); });
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
  });
  if (migrateOnOpen) {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(db as never, { migrationsFolder: MIGRATIONS_DIR });
  }
  return database;
}

export { schema, sql };
