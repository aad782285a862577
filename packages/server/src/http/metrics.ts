/**
 * Prometheus metrics (`GET /metrics`, prom-client). See docs/operations.md#monitor.
 *
 * Two kinds:
 * - process-wide counters and histograms (`src/lib/metrics.ts`), recorded as things happen: HTTP latency by route
 *   pattern and problems by code (hooks below), the standards worker's firing lag (one line in the engine);
 * - gauges sampled at scrape time for one app/database (pool use, WebSocket connections, queue depths and ages,
 *   free disk of DATA_DIR). The database figures come from ONE small statement over partial indexes, run with a
 *   1 s statement timeout (and a 2 s wait on our side), so a scrape never loads the database.
 *
 * Access: `/metrics` on the main listener answers only with `Authorization: Bearer $METRICS_TOKEN` (401 otherwise);
 * without METRICS_TOKEN it is 404 there. `METRICS_PORT` (on `METRICS_HOST`, default 127.0.0.1) opens a separate
 * listener that serves only `/metrics` (token checked there too when set).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { statfs } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import client from 'prom-client';
import type { Config } from '../config';
import type { Database } from '../db/client';
import { AppError, toProblem } from '../lib/errors';
import { collectDefaults, httpDuration, problems, registry } from '../lib/metrics';
import { realtimeHubs } from '../realtime/index';

// ───────────────────────────── scrape-time gauges (per app) ─────────────────────────────

const BOUND = 100_000; // counts stop at this (a backlog that big is an incident whatever the exact figure)
const QUEUES = ['standards', 'measures', 'notification_outbox', 'notification_deliveries', 'survey_invitations'] as const;

/** One statement: each subquery walks a partial index, the primary key or a bounded scan (exported for its test). */
export const SAMPLE_SQL = sql.raw(`SELECT
  (SELECT count(*) FROM (SELECT 1 FROM standard_instances WHERE next_action_at <= now() LIMIT ${BOUND}) s)::int AS standards_n,
  (SELECT extract(epoch FROM now() - min(next_action_at)) FROM standard_instances WHERE next_action_at <= now())::float8 AS standards_age,
  (SELECT count(*) FROM (SELECT 1 FROM measure_queue LIMIT ${BOUND}) s)::int AS measures_n,
  (SELECT extract(epoch FROM now() - queued_at) FROM measure_queue ORDER BY id LIMIT 1)::float8 AS measures_age,
  (SELECT count(*) FROM (SELECT 1 FROM notification_outbox LIMIT ${BOUND}) s)::int AS notification_outbox_n,
  (SELECT extract(epoch FROM now() - created_at) FROM notification_outbox ORDER BY notification_id LIMIT 1)::float8 AS notification_outbox_age,
  (SELECT count(*) FROM (SELECT 1 FROM notification_deliveries WHERE state IN ('pending', 'sending') AND next_attempt_at <= now() LIMIT ${BOUND}) s)::int AS notification_deliveries_n,
  (SELECT extract(epoch FROM now() - min(next_attempt_at)) FROM notification_deliveries WHERE state IN ('pending', 'sending') AND next_attempt_at <= now())::float8 AS notification_deliveries_age,
  (SELECT count(*) FROM (SELECT 1 FROM survey_invitations WHERE state = 'scheduled' AND send_at <= now() LIMIT ${BOUND}) s)::int AS survey_invitations_n,
  (SELECT extract(epoch FROM now() - min(send_at)) FROM survey_invitations WHERE state = 'scheduled' AND send_at <= now())::float8 AS survey_invitations_age`);

interface PoolLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export interface AppMetrics {
  /** Prometheus text exposition: the process-wide metrics plus this app's gauges, sampled now. */
  render(): Promise<string>;
  contentType: string;
}

export function createAppMetrics(database: Database, config: Pick<Config, 'DATA_DIR'>): AppMetrics {
  collectDefaults();
  const own = new client.Registry();
  const g = (name: string, help: string, labelNames: string[] = []) => new client.Gauge({ name, help, labelNames, registers: [own] });
  const pool = g('chidu_db_pool_connections', 'Database connections by state (node-postgres pool: total, idle, waiting clients, max; PGlite: one connection)', [
    'state',
  ]);
  const dbInfo = g('chidu_db_info', 'Database kind in use (1)', ['kind']);
  const ws = g('chidu_websocket_connections', 'Open WebSocket connections on this process');
  const standardsDue = g('chidu_standards_due_unfired', 'Standards clocks whose next action is due but not yet fired (sampled at scrape; bounded at 100000)');
  const depth = g(
    'chidu_queue_depth',
    `Background queue depth (bounded at ${BOUND}): standards = due-but-unfired clocks, measures = measure_queue, notification_outbox, notification_deliveries / survey_invitations = due but not sent`,
    ['queue'],
  );
  const age = g('chidu_queue_oldest_seconds', 'Age of the oldest due item per queue (0 when empty)', ['queue']);
  const sampleOk = g('chidu_metrics_db_sample_ok', '1 when the scrape-time database sample succeeded, 0 when it failed or timed out');
  const sampleSeconds = g('chidu_metrics_db_sample_seconds', 'How long the scrape-time database sample took');
  const freeBytes = g('chidu_data_dir_free_bytes', 'Embedded mode: bytes available to Chidu on the file system of DATA_DIR', ['data_dir']);
  const sizeBytes = g('chidu_data_dir_size_bytes', 'Embedded mode: size of the file system of DATA_DIR', ['data_dir']);
  dbInfo.set({ kind: database.kind }, 1);
  const merged = client.Registry.merge([registry, own]);

  async function sampleDatabase(): Promise<void> {
    const t0 = performance.now();
    try {
      const rows = await withTimeout(
        database.transaction(async (tx) => {
          await tx.execute(sql`SET LOCAL statement_timeout = 1000`);
          return database.rows<Record<string, number | string | null>>(SAMPLE_SQL, tx);
        }),
        2000,
      );
      const r = rows[0] ?? {};
      for (const q of QUEUES) {
        depth.set({ queue: q }, Number(r[`${q}_n`] ?? 0));
        age.set({ queue: q }, Math.max(0, Number(r[`${q}_age`] ?? 0)));
      }
      standardsDue.set(Number(r.standards_n ?? 0));
      sampleOk.set(1);
    } catch {
      sampleOk.set(0); // keep the last values; the alert on this gauge says they are stale
    }
    sampleSeconds.set((performance.now() - t0) / 1000);
  }

  async function sampleDisk(): Promise<void> {
    if (database.kind !== 'pglite' || config.DATA_DIR.startsWith('memory://')) return;
    try {
      const dir = path.resolve(config.DATA_DIR);
      const s = await statfs(dir);
      freeBytes.set({ data_dir: dir }, s.bavail * s.bsize);
      sizeBytes.set({ data_dir: dir }, s.blocks * s.bsize);
    } catch {
      /* DATA_DIR not there (in-memory test database) */
    }
  }

  function samplePool(): void {
    const p = (database.db as unknown as { $client?: PoolLike }).$client;
    if (database.kind === 'postgres' && p && typeof p.totalCount === 'number') {
      pool.set({ state: 'total' }, p.totalCount);
      pool.set({ state: 'idle' }, p.idleCount);
      pool.set({ state: 'busy' }, p.totalCount - p.idleCount);
      pool.set({ state: 'waiting' }, p.waitingCount);
      if (p.options?.max) pool.set({ state: 'max' }, p.options.max);
    } else {
      pool.set({ state: 'total' }, 1);
      pool.set({ state: 'max' }, 1);
    }
  }

  let inFlight: Promise<string> | null = null;
  return {
    contentType: registry.contentType,
    render() {
      inFlight ??= (async () => {
        samplePool();
        ws.set(realtimeHubs.get(database)?.clientCount ?? 0);
        await Promise.all([sampleDatabase(), sampleDisk()]);
        return merged.metrics();
      })().finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
  };
}

// ───────────────────────────── wiring ─────────────────────────────

const digest = (s: string) => createHash('sha256').update(s).digest();
function tokenOk(header: string | undefined, token: string): boolean {
  const m = /^Bearer (.+)$/i.exec(header ?? '');
  return Boolean(m) && timingSafeEqual(digest(m![1]!), digest(token));
}

/**
 * Record HTTP latency and problems for every request of `app`, serve `/metrics`, and open the separate metrics
 * listener when METRICS_PORT is set. Call before the routes are registered.
 */
export function registerMetrics(app: FastifyInstance, deps: { config: Config; database: Database }): AppMetrics {
  const { config, database } = deps;
  const metrics = createAppMetrics(database, config);

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? (reply.statusCode === 404 ? 'unmatched' : 'static');
    if (route === '/metrics') return;
    httpDuration.observe({ method: req.method, route, status_class: `${Math.floor(reply.statusCode / 100)}xx` }, reply.elapsedTime / 1000);
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    if (reply.statusCode >= 400 && typeof payload === 'string' && String(reply.getHeader('content-type') ?? '').startsWith('application/problem+json')) {
      const code = /"code":"([a-z_]{1,40})"/.exec(payload)?.[1] ?? 'unknown';
      problems.inc({ code, status: String(reply.statusCode) });
    }
    return payload;
  });

  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    const problem = (e: AppError) => reply.status(e.status).type('application/problem+json; charset=utf-8').send(toProblem(e, req.id));
    if (!config.METRICS_TOKEN) return problem(new AppError('not_found', 'No route GET /metrics (set METRICS_TOKEN or METRICS_PORT)'));
    if (!tokenOk(req.headers.authorization, config.METRICS_TOKEN)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      return problem(new AppError('unauthenticated', 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>'));
    }
    return reply.type(metrics.contentType).send(await metrics.render());
  });

  if (config.METRICS_PORT !== undefined) {
    const server = http.createServer((req, res) => {
      const url = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' || url !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      if (config.METRICS_TOKEN && !tokenOk(req.headers.authorization, config.METRICS_TOKEN)) {
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="metrics"' }).end('unauthorized\n');
        return;
      }
      metrics.render().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.contentType }).end(text);
        },
        (err: unknown) => {
          app.log.error({ err }, 'metrics: render failed');
          res.writeHead(500).end();
        },
      );
    });
    app.addHook('onReady', async () => {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.METRICS_PORT, config.METRICS_HOST, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const a = server.address() as AddressInfo;
      app.log.info({ host: a.address, port: a.port }, 'metrics listener');
    });
    app.addHook('onClose', async () => {
      if (server.listening) await new Promise<void>((r) => server.close(() => r()));
    });
    metricsListeners.set(app, server);
  }
  return metrics;
}

/** The separate metrics listener of an app (tests read its address). */
export const metricsListeners = new WeakMap<FastifyInstance, http.Server>();
