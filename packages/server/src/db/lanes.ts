/**
 * The embedded database's access queue, with two lanes (docs/benchmarks.md#overload, "The embedded database's
 * queue").
 *
 * PGlite is one connection running on the event loop: every statement (and every transaction, whole) is serialised,
 * and while one runs nothing else in the process does — not even reading a socket. PGlite's own mutex is first come,
 * first served, and a chain of statements resolved by microtasks never lets the event loop poll for I/O, so under
 * sustained load the background workers' passes (clocks, measures, loops, delivery …) and the create batches took the
 * database in turns with the requests, and every request waited behind all of them.
 *
 * Here every job (one statement outside a transaction, or one whole transaction) is run through one queue with two
 * lanes:
 * - `request` (the default): a request's work;
 * - `background`: a worker's (a `{ worker: true }` transaction, or anything run inside `inBackground`, which the
 *   worker base wraps every pass in).
 * A background job runs when no request job waits — or when it has waited `backgroundMaxWaitMs` and the background
 * lane has used no more than `backgroundShare` of the time lately (after a background job that held the database for
 * h ms, the next one goes ahead of waiting requests no sooner than h × (1 − share) / share later). That is its
 * guaranteed share: under sustained load workers still progress and nothing starves, and a worker whose jobs are long
 * (a measures refresh of 100 tickets) cannot take more than its share from the requests either. Between two jobs the
 * queue yields to the event loop (a macrotask), so requests that arrived meanwhile are read, shed or queued before the
 * next job is chosen.
 *
 * The queue also measures what it serialises: each job's wait and hold, per lane, and the longest holders (for the
 * benchmark's diagnosis: `CHIDU_DB_TRACE_FILE`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export type Lane = 'request' | 'background';

interface LaneContext {
  lane: Lane;
  /** Who runs the job (a worker's name), for the trace. */
  name: string;
}

const laneStore = new AsyncLocalStorage<LaneContext>();

/** The slowest request answered (time in the process, ms) since the trace's last line: diagnosis (CHIDU_DB_TRACE_FILE). */
const answered = { max: 0, n: 0, over1s: 0 };
export function noteRequestMs(ms: number): void {
  answered.n++;
  if (ms > answered.max) answered.max = ms;
  if (ms > 1000) answered.over1s++;
}

/** Run `fn` (and everything it starts) as background work: its database jobs yield to requests' on PGlite. */
export function inBackground<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (laneStore.getStore()?.lane === 'background') return fn(); // already (keeps the worker's name)
  return laneStore.run({ lane: 'background', name }, fn);
}

/** The lane of the code running now. */
export function currentLane(): LaneContext {
  return laneStore.getStore() ?? { lane: 'request', name: 'request' };
}

export interface LaneQueueOptions {
  /** A background job waiting this long goes next even while requests wait (ms; its guaranteed turn). */
  backgroundMaxWaitMs: number;
  /** The share of the time background jobs get ahead of waiting requests (0 < share ≤ 1; default 0.25). */
  backgroundShare?: number;
  /** Append the slowest jobs of every `traceEveryMs` to this file (diagnosis; off when absent). */
  traceFile?: string | undefined;
  traceEveryMs?: number;
}

interface Job {
  lane: Lane;
  name: string;
  label: string;
  statements: number;
  queuedAt: number;
  start: () => void;
}

interface LaneStats {
  jobs: number;
  waitMs: number;
  holdMs: number;
  maxWaitMs: number;
  maxHoldMs: number;
}

const emptyStats = (): LaneStats => ({ jobs: 0, waitMs: 0, holdMs: 0, maxWaitMs: 0, maxHoldMs: 0 });

/** One job at a time, requests first, background work guaranteed a turn after `backgroundMaxWaitMs`. */
export class LaneQueue {
  private readonly waiting: Record<Lane, Job[]> = { request: [], background: [] };
  private busy = false;
  private picking = false;
  /** The next background job may go ahead of waiting requests from this time (performance.now()). */
  private backgroundNotBefore = 0;
  /** Totals since the queue was made (or since `resetStats`). */
  stats: Record<Lane, LaneStats> = { request: emptyStats(), background: emptyStats() };
  private trace: { lane: Lane; name: string; label: string; statements: number; waitMs: number; holdMs: number }[] = [];
  private traceTimer: NodeJS.Timeout | null = null;
  private loopDelay: IntervalHistogram | null = null;

  constructor(private readonly o: LaneQueueOptions) {
    if (o.traceFile) {
      this.traceTimer = setInterval(() => this.flushTrace(), o.traceEveryMs ?? 1000);
      this.traceTimer.unref();
      this.loopDelay = monitorEventLoopDelay({ resolution: 10 });
      this.loopDelay.enable();
    }
  }

  /** Jobs waiting in a lane now. */
  depth(lane: Lane): number {
    return this.waiting[lane].length;
  }

  /** How long the oldest waiting job of a lane has waited (ms; 0 when none waits). */
  oldestWaitMs(lane: Lane, now = performance.now()): number {
    const head = this.waiting[lane][0];
    return head ? now - head.queuedAt : 0;
  }

  resetStats(): void {
    this.stats = { request: emptyStats(), background: emptyStats() };
  }

  /**
   * Run `fn` when its turn comes, in the lane of the calling code (or `lane`). `label` names the job in the trace;
   * `note(sql)` (passed to fn) lets a transaction name itself by its first statement and count its statements.
   */
  run<T>(fn: (note: (statement: string) => void) => Promise<T>, opts: { lane?: Lane; label?: string } = {}): Promise<T> {
    const ctx = currentLane();
    const lane = opts.lane ?? ctx.lane;
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        lane,
        name: lane === 'background' && ctx.lane === 'request' ? 'worker' : ctx.name,
        label: opts.label ?? '',
        statements: 0,
        queuedAt: performance.now(),
        start: () => {
          const t0 = performance.now();
          const note = (statement: string) => {
            if (job.statements++ === 0 && !job.label) job.label = statement;
          };
          let p: Promise<T>;
          try {
            p = fn(note);
          } catch (err) {
            p = Promise.reject(err instanceof Error ? err : new Error(String(err)));
          }
          p.then(resolve, reject).finally(() => this.finish(job, t0));
        },
      };
      this.waiting[lane].push(job);
      this.schedule();
    });
  }

  private finish(job: Job, t0: number): void {
    const now = performance.now();
    const wait = t0 - job.queuedAt;
    const hold = now - t0;
    const s = this.stats[job.lane];
    s.jobs++;
    s.waitMs += wait;
    s.holdMs += hold;
    if (wait > s.maxWaitMs) s.maxWaitMs = wait;
    if (hold > s.maxHoldMs) s.maxHoldMs = hold;
    if (job.lane === 'background') {
      const share = Math.min(1, Math.max(0.01, this.o.backgroundShare ?? 0.25));
      this.backgroundNotBefore = now + (hold * (1 - share)) / share;
    }
    if (this.o.traceFile && (hold >= 20 || wait >= 500)) {
      this.trace.push({
        lane: job.lane,
        name: job.name,
        label: job.label.replace(/\s+/g, ' ').slice(0, 160),
        statements: job.statements,
        waitMs: Math.round(wait),
        holdMs: Math.round(hold),
      });
    }
    this.busy = false;
    this.schedule();
  }

  /** Choose the next job after a macrotask (the event loop reads the sockets first); one choice pending at a time. */
  private schedule(): void {
    if (this.busy || this.picking) return;
    if (!this.waiting.request.length && !this.waiting.background.length) return;
    this.picking = true;
    setImmediate(() => {
      this.picking = false;
      if (this.busy) return;
      const job = this.next();
      if (!job) return;
      this.busy = true;
      job.start();
    });
  }

  private next(): Job | undefined {
    const bg = this.waiting.background[0];
    const now = performance.now();
    if (bg && (this.waiting.request.length === 0 || (now - bg.queuedAt >= this.o.backgroundMaxWaitMs && now >= this.backgroundNotBefore))) {
      return this.waiting.background.shift();
    }
    return this.waiting.request.shift() ?? this.waiting.background.shift();
  }

  private flushTrace(): void {
    if (!this.o.traceFile) return;
    const at = new Date().toISOString();
    const lines = this.trace.map((t) => JSON.stringify({ at, ...t }));
    const s = this.stats;
    const d = this.loopDelay;
    const loopDelayMs = d ? { p50: Math.round(d.percentile(50) / 1e6), p99: Math.round(d.percentile(99) / 1e6), max: Math.round(d.max / 1e6) } : null;
    d?.reset();
    const requests = { answered: answered.n, maxMs: Math.round(answered.max), over1s: answered.over1s };
    answered.max = 0;
    answered.n = 0;
    answered.over1s = 0;
    lines.push(JSON.stringify({ at, stats: s, depth: { request: this.depth('request'), background: this.depth('background') }, loopDelayMs, requests }));
    this.trace = [];
    try {
      appendFileSync(this.o.traceFile, `${lines.join('\n')}\n`);
    } catch {
      /* diagnosis only */
    }
  }

  close(): void {
    if (this.traceTimer) clearInterval(this.traceTimer);
    this.traceTimer = null;
    this.loopDelay?.disable();
    this.flushTrace();
  }
}
