/**
 * Failure handling at the HTTP edge (docs/operations.md, "What failures look like"):
 * - load shedding: more than MAX_IN_FLIGHT requests at once → the excess gets 503 `overloaded` with Retry-After,
 *   decided before authentication so a refusal costs next to nothing;
 * - the storage guard (embedded database): writes refused with 507 `storage_full` below DISK_MIN_FREE_MB;
 * - `GET /readyz`: the readiness checks of `lib/health.ts`, 200 `{status: 'ready', checks}` or 503
 *   `{status: 'not_ready', failing: [...], checks}`;
 * - the storage-full episode: logged, admins notified once per episode (again only after recovery and recurrence).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { sql } from 'drizzle-orm';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Config } from '../config';
import type { Database } from '../db/client';
import { noteRequestMs } from '../db/lanes';
import { RETRY_AFTER_SECONDS } from '../lib/db-faults';
import { AppError, toProblem } from '../lib/errors';
import {
  createQueueAgeMs,
  healthCounters,
  inFlightRequests,
  lastFaultOf,
  readiness,
  requestEnded,
  requestStarted,
  setFaultLog,
  storageGuards,
} from '../lib/health';
import { problems } from '../lib/metrics';
import { notifyMany } from '../lib/notify';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyRequest {
    inFlightCounted?: boolean;
  }
}

export function registerResilience(app: FastifyInstance, deps: { config: Config; database: Database }): void {
  const { config, database } = deps;
  setFaultLog(app.log);
  app.decorateRequest('inFlightCounted', false);

  // ── load shedding ──
  // The embedded database's queue is the process's real queue: its wait (and the create queue's) is a shedding signal.
  const lanes = database.lanes;
  const queueWaitMs = lanes ? () => Math.max(lanes.oldestWaitMs('request'), createQueueAgeMs(database)) : null;
  const gate = new EdgeGate({
    maxInFlight: config.MAX_IN_FLIGHT,
    targetMs: config.CHIDU_SHED_TARGET_MS,
    intervalMs: config.CHIDU_SHED_INTERVAL_MS,
    queueWaitLimitMs: queueWaitMs ? config.CHIDU_SHED_QUEUE_WAIT_MS : 0,
    queueWaitMs: queueWaitMs ?? (() => 0),
  });
  gate.install(app.server);
  app.addHook('onReady', (done) => {
    gate.start();
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    gate.stop();
    done();
  });
  const leave = (req: { inFlightCounted?: boolean }) => {
    if (req.inFlightCounted) {
      req.inFlightCounted = false;
      requestEnded();
    }
  };
  // Requests that did not come through the server's socket (app.inject in tests, or a server the gate could not wrap)
  // meet the same limits here, before authentication.
  app.addHook('onRequest', (req, reply, done) => {
    // WebSocket upgrades are long-lived and never "respond": not counted (the hub has its own limits).
    if (admittedAtEdge(req.raw) || !counted(req.url) || req.headers.upgrade) {
      done();
      return;
    }
    if (gate.refuses()) {
      healthCounters.shedInFlight++;
      const err = new AppError('overloaded', 'The server is at capacity; retry shortly', { headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } });
      done(err as unknown as FastifyError);
      return;
    }
    requestStarted();
    req.inFlightCounted = true;
    const t0 = performance.now();
    // Whatever happens to the request (answered, aborted, the socket destroyed), it leaves the count once.
    reply.raw.once('close', () => {
      gate.observe(performance.now() - t0);
      leave(req);
    });
    done();
  });
  app.addHook('onResponse', (req, _reply, done) => {
    leave(req);
    done();
  });
  app.addHook('onRequestAbort', (req, done) => {
    leave(req);
    done();
  });

  // ── storage guard: requests' writes (sign-in and sign-out still work, so an admin can come and look) ──
  const guard = storageGuards.get(database);
  if (guard) {
    app.addHook('preValidation', (req, _reply, done) => {
      if (!WRITE_METHODS.has(req.method) || !req.url.startsWith('/api/') || req.url.startsWith('/api/v1/auth/')) {
        done();
        return;
      }
      try {
        guard.assertWritable();
      } catch (err) {
        done(err as FastifyError);
        return;
      }
      done();
    });
  }

  // ── readiness ──
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const r = await readiness(database, {
      deadlineLagMs: config.READY_DEADLINE_LAG_MS,
      faultWindowMs: config.READY_FAULT_WINDOW_MS,
      minFreeBytes: config.DISK_MIN_FREE_MB * 1024 * 1024,
    });
    if (r.ready) return { status: 'ready', checks: r.checks };
    reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return reply.status(503).send({
      status: 'not_ready',
      failing: Object.entries(r.checks)
        .filter(([, c]) => !c.ok)
        .map(([k]) => k),
      checks: r.checks,
    });
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
        app.log.error(
          { freeMb: guard ? Math.floor(guard.freeBytes() / 1048576) : null, minFreeMb: config.DISK_MIN_FREE_MB },
          'storage full: writes are refused with 507 storage_full until space is freed',
        );
      }
      if (episode && !episode.notified && !(guard?.critical ?? false)) {
        const freeMb = guard ? Math.floor(guard.freeBytes() / 1048576) : null;
        try {
          await database.transaction(async (tx) => {
            const admins = await database.rows<{ id: string }>(sql`SELECT id FROM staff WHERE active AND 'admin' = ANY(roles)`, tx);
            await notifyMany(
              tx,
              admins.map((a) => ({
                recipientId: a.id,
                kind: 'system.storage_full',
                title:
                  freeMb === null
                    ? '存储空间已满：数据库无法写入，请清理或扩容磁盘 / Storage is full: the database cannot write; free or add disk space'
                    : `存储空间已满：数据目录仅剩 ${freeMb} MB，写入已暂停，请清理或扩容磁盘 / Storage is full: ${freeMb} MB left, writes are paused; free or add disk space`,
                data: { freeMb, minFreeMb: config.DISK_MIN_FREE_MB },
              })),
            );
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
  app.addHook('onReady', (done) => {
    timer = setInterval(() => {
      void tick().catch(() => undefined);
    }, 1000);
    timer.unref();
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    if (timer) clearInterval(timer);
    done();
  });
}

// ───────────────────────────── admission at the edge ─────────────────────────────

/** Probes are never refused nor counted. */
const counted = (url: string | undefined) => url !== '/healthz' && url !== '/readyz';
const EDGE = Symbol('chidu.admittedAtEdge');
/** Requests answered in an interval before its fastest says anything about a queue. */
const MIN_SAMPLES = 16;
const admittedAtEdge = (raw: IncomingMessage) => (raw as IncomingMessage & { [EDGE]?: true })[EDGE] === true;
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Load shedding decided on the raw request, before Fastify routes it, authenticates it or reads its body: a refusal
 * is a pre-built 503 written to the socket, so refusing the excess takes little of the capacity the admitted requests
 * need (through Fastify's hooks and error handler a refusal cost about as much as a cheap request, and at 2× load the
 * refusals competed with the admitted work: docs/benchmarks.md#overload). Two rules:
 * - a count: at most MAX_IN_FLIGHT requests in the process at once;
 * - a delay (CoDel-like): when, for two intervals of CHIDU_SHED_INTERVAL_MS in a row, even the fastest of the (at least
 *   MIN_SAMPLES) requests answered in the interval took longer than CHIDU_SHED_TARGET_MS in the process, the
 *   process has a standing queue — the time a request waits grows while the count may look fine (a slow database,
 *   the embedded database holding the event loop) — and new arrivals are refused until an interval's fastest is back
 *   under the target. The minimum, not the mean, so a few slow routes (an export) never trip it: only a queue that
 *   every request waits in does;
 * - a queue wait (embedded database only, CHIDU_SHED_QUEUE_WAIT_MS): while the oldest request job waiting for the
 *   database, or the oldest create waiting for its batch, has waited longer than the limit, new arrivals are refused
 *   (the admitted ones then wait about the limit, whatever the machine's speed; no interval to judge first).
 */
class EdgeGate {
  private shedding = false;
  /** Judged intervals in a row whose fastest request was over the target. */
  private above = 0;
  private minMs = Infinity;
  private answered = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly body: Buffer;
  constructor(private readonly o: { maxInFlight: number; targetMs: number; intervalMs: number; queueWaitLimitMs: number; queueWaitMs: () => number }) {
    this.body = Buffer.from(JSON.stringify(toProblem(new AppError('overloaded', 'The server is at capacity; retry shortly'))));
  }

  /** True when a new request should be refused now. */
  refuses(): boolean {
    return (
      (this.o.maxInFlight > 0 && inFlightRequests() >= this.o.maxInFlight) ||
      this.shedding ||
      (this.o.queueWaitLimitMs > 0 && this.o.queueWaitMs() >= this.o.queueWaitLimitMs)
    );
  }

  /** An admitted request was answered after `ms` in the process. */
  observe(ms: number): void {
    noteRequestMs(ms);
    this.answered++;
    if (ms < this.minMs) this.minMs = ms;
  }

  start(): void {
    if (this.o.targetMs <= 0 || this.timer) return;
    this.timer = setInterval(() => this.tick(), this.o.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.shedding = false;
    this.above = 0;
  }

  private tick(): void {
    // Judged on a queue only: with a few requests answered in the interval, a slow one (a sign-in's password hash, an
    // export) is its own service time, not waiting. Nothing answered while requests are in flight (the embedded
    // database holding the event loop): keep the state, nothing new was learnt.
    // Two judged intervals in a row over the target (CoDel's "above target for a whole interval"): a burst that drains
    // within an interval is let through.
    if (this.answered >= MIN_SAMPLES) this.above = this.minMs > this.o.targetMs ? this.above + 1 : 0;
    else if (this.answered > 0 || inFlightRequests() === 0) this.above = 0;
    this.shedding = this.above >= 2;
    this.minMs = Infinity;
    this.answered = 0;
  }

  /** Put the gate in front of the server's request handler (Fastify's), if it is the one handler we expect. */
  install(server: Server): void {
    const handlers = server.listeners('request') as Handler[];
    if (handlers.length !== 1) return; // not the layout we know: the onRequest hook alone sheds
    const handler = handlers[0]!;
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (!counted(req.url)) {
        handler(req, res);
        return;
      }
      if (this.refuses()) {
        this.refuse(res);
        return;
      }
      requestStarted();
      (req as IncomingMessage & { [EDGE]?: true })[EDGE] = true;
      const t0 = performance.now();
      // Whatever happens to the request (answered, aborted, the socket destroyed), it leaves the count once.
      res.once('close', () => {
        requestEnded();
        this.observe(performance.now() - t0);
      });
      handler(req, res);
    });
  }

  /** The pre-built refusal; the connection stays open (Node discards the unread body), the client retries on it. */
  private refuse(res: ServerResponse): void {
    healthCounters.shedInFlight++;
    problems.inc({ code: 'overloaded', status: '503' });
    res.writeHead(503, {
      'content-type': 'application/problem+json; charset=utf-8',
      'content-length': this.body.length,
      'retry-after': String(RETRY_AFTER_SECONDS),
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    res.end(this.body);
  }
}
