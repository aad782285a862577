/** Direct connections for the ops commands: a PGlite DATA_DIR (under its lock) and a single PostgreSQL connection. */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { acquireDataDirLock } from '../db/lock';
import { pgliteQ, pgQ, type Target } from './copy';
import type { Q } from './snapshot';

export interface OpenedPglite {
  client: PGlite;
  dir: string;
  close(): Promise<void>;
}

/** Open DATA_DIR's embedded database directly (the server must not be running: the lock file says). */
export async function openPgliteDir(dataDir: string, opts: { create?: boolean } = {}): Promise<OpenedPglite> {
  const dir = path.resolve(dataDir);
  const pgdata = path.join(dir, 'pgdata');
  if (!opts.create && !existsSync(path.join(pgdata, 'PG_VERSION'))) throw new Error(`${dir} holds no embedded Chidu database (no pgdata/ in it)`);
  mkdirSync(dir, { recursive: true });
  const lock = acquireDataDirLock(dir);
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const client = await PGlite.create({ dataDir: pgdata });
    return {
      client,
      dir,
      async close() {
        try {
          await client.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}

export function pgliteTarget(opened: OpenedPglite): Target {
  const { client } = opened;
  return {
    kind: 'pglite',
    describe: `the embedded database in ${opened.dir}`,
    q: pgliteQ(client),
    transaction: (fn) => client.transaction((tx) => fn(pgliteQ(tx))),
    async migrate(folder) {
      const { drizzle } = await import('drizzle-orm/pglite');
      const { migrate } = await import('drizzle-orm/pglite/migrator');
      await migrate(drizzle({ client }), { migrationsFolder: folder });
    },
    close: () => opened.close(),
  };
}

/** Strip the password from a connection string for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the PostgreSQL database';
  }
}

export async function pgTarget(url: string): Promise<Target> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {
    /* reported by the failing query */
  });
  try {
    await client.connect();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`cannot connect to ${redactUrl(url)} (${e.code ?? 'error'}): ${e.message}`, { cause: err });
  }
  const q: Q = pgQ(client);
  return {
    kind: 'postgres',
    describe: `the PostgreSQL database ${redactUrl(url)}`,
    q,
    async transaction(fn) {
      await client.query('BEGIN');
      try {
        const out = await fn(q);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    },
    async migrate(folder) {
      const { drizzle } = await import('drizzle-orm/node-postgres');
      const { migrate } = await import('drizzle-orm/node-postgres/migrator');
      // The same advisory lock as a starting server, so a server started too early waits for us.
      await client.query('SELECT pg_advisory_lock(727274)');
      try {
        await migrate(drizzle({ client }), { migrationsFolder: folder });
      } finally {
        await client.query('SELECT pg_advisory_unlock(727274)').catch(() => undefined);
      }
    },
    async close() {
      await client.end().catch(() => undefined);
    },
  };
}
