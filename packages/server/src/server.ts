import type { Config } from './config';
import { openDatabase, type Database, type OpenOptions } from './db/client';
import { buildApp } from './http/app';
import { systemCtx } from './lib/context';
import { bootstrapAdmin } from './modules/identity/identity.commands';
import { loadDemo } from './demo/demo';
import type { AdminSocket } from './ops/admin-socket';

export interface Running {
  app: Awaited<ReturnType<typeof buildApp>>;
  database: Database;
  url: string;
  demoLoaded: boolean;
  bootstrapped: boolean;
  stop(): Promise<void>;
}

/** The failure-handling settings of the database layer (timeouts, storage guard) from the configuration. */
export function databaseLimits(config: Config): Pick<OpenOptions, 'timeouts' | 'diskMinFreeBytes' | 'diskWarnFreeBytes'> {
  return {
    timeouts: {
      statementMs: config.DB_STATEMENT_TIMEOUT_MS,
      lockMs: config.DB_LOCK_TIMEOUT_MS,
      workerStatementMs: config.DB_WORKER_STATEMENT_TIMEOUT_MS,
      workerLockMs: config.DB_WORKER_LOCK_TIMEOUT_MS,
      migrationMs: config.DB_MIGRATION_TIMEOUT_MS,
      connectMs: config.DB_CONNECT_TIMEOUT_MS,
    },
    diskMinFreeBytes: config.DISK_MIN_FREE_MB * 1024 * 1024,
    diskWarnFreeBytes: config.DISK_WARN_FREE_MB * 1024 * 1024,
  };
}

/** Open the database (migrating it), seed what the environment asks for, and listen. */
export async function startServer(config: Config, opts: { logger?: boolean } = {}): Promise<Running> {
  const database = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    poolSize: config.DATABASE_POOL_SIZE,
    workerPoolSize: config.DATABASE_WORKER_POOL_SIZE,
    ...databaseLimits(config),
  });
  let app: Running['app'] | undefined;
  let admin: AdminSocket | undefined;
  try {
    const bootstrapped = config.CHIDU_BOOTSTRAP_ADMIN ? await bootstrapAdmin(database, systemCtx('bootstrap'), config.CHIDU_BOOTSTRAP_ADMIN) : false;
    const demoLoaded = config.CHIDU_DEMO ? await loadDemo(database, config) : false;
    app = await buildApp({ config, database }, opts);
    const address = await app.listen({ port: config.PORT, host: config.HOST, backlog: config.LISTEN_BACKLOG });
    const url = address.replace('[::1]', 'localhost');
    // Embedded database on disk: `npm run backup` asks this process through DATA_DIR's admin socket.
    if (database.kind === 'pglite' && !config.DATA_DIR.startsWith('memory://')) {
      try {
        const { startAdminSocket } = await import('./ops/admin-socket');
        admin = await startAdminSocket(config.DATA_DIR, (database.db as unknown as { $client: import('@electric-sql/pglite').PGlite }).$client, app.log);
      } catch (err) {
        // Not fatal: the server runs, only `npm run backup` needs it stopped (it says so).
        app.log.warn({ err }, 'admin socket unavailable: online backups of this DATA_DIR are not possible');
      }
    }
    let stopping: Promise<void> | null = null;
    const stop = () => {
      stopping ??= (async () => {
        await admin?.close();
        await app!.close();
        await database.close();
      })();
      return stopping;
    };
    return { app, database, url, demoLoaded, bootstrapped, stop };
  } catch (err) {
    await admin?.close().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw err;
  }
}
