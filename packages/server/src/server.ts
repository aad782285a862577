import type { Config } from './config';
import { openDatabase, type Database, type OpenOptions } from './db/client';
import { buildApp } from './http/app';
import { systemCtx } from './lib/context';
import { bootstrapAdmin } from './modules/identity/identity.commands';
import { loadDemo } from './demo/demo';
import type { AdminSocket } from './ops/admin-socket';
import { addAcceptSockets, assertPortFree, reusePortSupported, type AcceptSockets } from './http/accept-sockets';

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
  let accept: AcceptSockets | undefined;
  try {
    const bootstrapped = config.CHIDU_BOOTSTRAP_ADMIN ? await bootstrapAdmin(database, systemCtx('bootstrap'), config.CHIDU_BOOTSTRAP_ADMIN) : false;
    const demoLoaded = config.CHIDU_DEMO ? await loadDemo(database, config) : false;
    app = await buildApp({ config, database }, opts);
    // Several accept sockets where the platform has SO_REUSEPORT in listen() (a busy process takes one new connection
    // per socket per event-loop turn: src/http/accept-sockets.ts); the port is probed first, so a port in use still
    // fails here instead of being shared.
    const sockets = config.LISTEN_SOCKETS > 1 && reusePortSupported() ? config.LISTEN_SOCKETS : 1;
    if (sockets > 1) await assertPortFree(config.HOST, config.PORT);
    const listenOptions = { port: config.PORT, host: config.HOST, backlog: config.LISTEN_BACKLOG, ...(sockets > 1 ? { reusePort: true } : {}) };
    const address = await app.listen(listenOptions);
    if (sockets > 1) {
      try {
        accept = await addAcceptSockets(app.server, { count: sockets, backlog: config.LISTEN_BACKLOG });
      } catch (err) {
        app.log.warn({ err }, 'extra accept sockets unavailable: one listening socket');
      }
    } else if (config.LISTEN_SOCKETS > 1) {
      app.log.info({ node: process.versions.node }, 'one listening socket (several need SO_REUSEPORT: Node 22.12+ on Linux)');
    }
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
        await accept?.drain();
        // Requests in flight finish (Fastify's forceCloseConnections is off), but their keep-alive connections then
        // stay open and the server's close would wait for them without end: close each as it goes idle.
        const idle = setInterval(() => app!.server.closeIdleConnections(), 50);
        try {
          await app!.close();
        } finally {
          clearInterval(idle);
        }
        await database.close();
      })();
      return stopping;
    };
    return { app, database, url, demoLoaded, bootstrapped, stop };
  } catch (err) {
    await admin?.close().catch(() => undefined);
    await accept?.drain(0).catch(() => undefined);
    await app?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw err;
  }
}
