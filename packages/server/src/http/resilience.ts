/**
 * Failure handling at the HTTP edge (docs/operations.md, "What failures look like"):
 * - load shedding: more than MAX_IN_FLIGHT requests at once → the excess gets 503 `overloaded` with Retry-After,
 *   decided before authentication so a refusal costs next to nothing;
 * - the storage guard (embedded database): writes refused with 507 `storage_full` below DISK_MIN_FREE_MB;
 * - `GET /readyz`: the readiness checks of `lib/health.ts`, 200 `{status: 'ready', checks}` or 503
 *   `{status: 'not_ready', failing: [...], checks}`;
 * - the storage-full episode: logged, admins notified once per episode (again only after recovery and recurrence).
 */
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';
import type { Database } from '../db/client';
import { RETRY_AFTER_SECONDS } from '../lib/db-faults';
import { AppError } from '../lib/errors';
import { healthCounters, inFlightRequests, lastFaultOf, readiness, requestEnded, requestStarted, setFaultLog, storageGuards } from '../lib/health';
import { notifyMany } from '../lib/notify';

const UNCOUNTED = new Set(['/healthz', '/readyz']);
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyRequest { inFlightCounted?: boolean }
}

export function registerResilience(app: FastifyInstance, deps: { config: Config; database: Database }): void {
  const { config, database } = deps;
  setFaultLog(app.log);
  app.decorateRequest('inFlightCounted', false);

  // ── load shedding ──
  const max = config.MAX_IN_FLIGHT;
  const done = async (req: { inFlightCounted?: boolean }) => { if (req.inFlightCounted) { req.inFlightCounted = false; requestEnded(); } };
  app.addHook('onRequest', async (req, reply) => {
    // WebSocket upgrades are long-lived and never "respond": not counted (the hub has its own limits).
    if (max <= 0 || UNCOUNTED.has(req.url) || req.headers.upgrade) return;
    if (inFlightRequests() >= max) {
      healthCounters.shedInFlight++;
      throw new AppError('overloaded', `The server is handling ${max} requests; retry shortly`, { headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } });
    }
    requestStarted();
    req.inFlightCounted = true;
    // Whatever happens to the request (answered, aborted, the socket destroyed), it leaves the count once.
    reply.raw.once('close', () => { void done(req); });
  });
  app.addHook('onResponse', done);
  app.addHook('onRequestAbort', done);

  // ── storage guard: requests' writes (sign-in and sign-out still work, so an admin can come and look) ──
  const guard = storageGuards.get(database);
  if (guard) {
    app.addHook('preValidation', async (req) => {
      if (!WRITE_METHODS.has(req.method) || !req.url.startsWith('/api/') || req.url.startsWith('/api/v1/auth/')) return;
      guard.assertWritable();
    });
  }

  // ── readiness ──
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const r = await readiness(database, { deadlineLagMs: config.READY_DEADLINE_LAG_MS, faultWindowMs: config.READY_FAULT_WINDOW_MS, minFreeBytes: config.DISK_MIN_FREE_MB * 1024 * 1024 });
    if (r.ready) return { status: 'ready', checks: r.checks };
    reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return reply.status(503).send({ status: 'not_ready', failing: Object.entries(r.checks).filter(([, c]) => !c.ok).map(([k]) => k), checks: r.checks });
  });

  // ── storage-full episodes ──
  let episode: { since: number; notified: boolean } | null = null;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const recentError = Date.now() - lastFaultOf('storage_full') < Math.max(config.READY_FAULT_WINDOW_MS, 1000);
      const full = (guard?.low ?? false) || recentError;
      if (full && !episode) {
        episode = { since: Date.now(), notified: false };
        app.log.error({ freeMb: guard ? Math.floor(guard.freeBytes() / 1048576) : null, minFreeMb: config.DISK_MIN_FREE_MB }, 'storage full: writes are refused with 507 storage_full until space is freed');
      }
      if (episode && !episode.notified && !(guard?.critical ?? false)) {
        const freeMb = guard ? Math.floor(guard.freeBytes() / 1048576) : null;
        try {
          await database.transaction(async (tx) => {
            const admins = await database.rows<{ id: string }>(sql`SELECT id FROM staff WHERE active AND 'admin' = ANY(roles)`, tx);
            await notifyMany(tx, admins.map((a) => ({
              recipientId: a.id,
              kind: 'system.storage_full',
              title: freeMb === null ? '存储空间已满：数据库无法写入，请清理或扩容磁盘 / Storage is full: the database cannot write; free or add disk space'
                : `存储空间已满：数据目录仅剩 ${freeMb} MB，写入已暂停，请清理或扩容磁盘 / Storage is full: ${freeMb} MB left, writes are paused; free or add disk space`,
              data: { freeMb, minFreeMb: config.DISK_MIN_FREE_MB },
            })));
          });
          episode.notified = true;
        } catch (err) {
          app.log.warn({ err: { message: (err as Error).message } }, 'storage full: could not notify the admins yet; will retry');
        }
      }
      if (episode && !full) {
        app.log.info({ fullForMs: Date.now() - episode.since }, 'storage available again: writes accepted');
        episode = null;
      }
    } finally {
      busy = false;
    }
  };
  let timer: NodeJS.Timeout | null = null;
  app.addHook('onReady', async () => {
    timer = setInterval(() => { void tick().catch(() => undefined); }, 1000);
    timer.unref();
  });
  app.addHook('onClose', async () => { if (timer) clearInterval(timer); });
}
