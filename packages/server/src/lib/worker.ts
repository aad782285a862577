/**
 * Background work. Every job (clock deadlines, measures rollups, loops, delivery, knowledge review reminders)
 * is a BackgroundWorker started by its module (ChiduModule.workers) on the app's onReady and stopped on onClose.
 *
 * The shared base is `PollingWorker`: it owns the scheduling (one timer, at most `pollMs` ahead, or sooner when the
 * job says when its next item is due), waking by NOTIFY (LISTEN on the job's channel; `wake()` in process), the
 * back-off on database faults, the graceful stop (finish the pass in progress, unlisten, no timer left) and the
 * metrics (`chidu_worker_*{worker}`). A job supplies one `batch` function: claim its rows with
 * FOR UPDATE SKIP LOCKED (so any number of processes can run it), handle them, and say how many it handled.
 */
import type { Database } from '../db/client';
import { inBackground } from '../db/lanes';
import { classifyDbFault } from './db-faults';
import { healthCounters } from './health';
import { observeWorkerPass } from './metrics';

export interface BackgroundWorker {
  /** Short, stable name ('standards', 'measures'): the `worker` label of the metrics and the prefix of its log lines. */
  readonly name: string;
  start(): Promise<void>;
  /** Finishes the pass in progress, then stops; never throws. */
  stop(): Promise<void>;
}

export interface WorkerLog {
  error(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
}

/** A worker pass that met a database fault sleeps 100 ms, 200 ms, … at most `pollMs`, then tries again. */
export const faultBackoffMs = (failuresInARow: number, pollMs: number) => Math.min(pollMs, 100 * 2 ** Math.min(failuresInARow, 10));

/** What a pass knows while it runs. */
export interface PassContext {
  /** When the pass started (ms since the epoch). */
  readonly startedAt: number;
  /** stop() was called: a long drain may end early (what is left stays claimed by nobody; the next pass or another process takes it). */
  readonly stopping: boolean;
}

export interface PassResult {
  /** Items handled in this pass (claimed rows, deliveries attempted): `chidu_worker_items_total`. */
  handled: number;
  /**
   * When the next pass is needed (ms since the epoch), e.g. the earliest pending deadline: the timer is set to it,
   * at most `pollMs` ahead (a time in the past runs the next pass at once). Absent or null: `pollMs` from now.
   */
  nextAt?: number | null;
}

export interface PollingWorkerConfig {
  /** The worker's name (metrics label, log prefix): 'standards', 'measures', 'delivery', 'loops', 'kb-review'. */
  name: string;
  database: Database;
  /** Longest sleep between passes (ms); also the ceiling of the fault back-off unless `maxFaultBackoffMs` is set. */
  pollMs: number;
  /** Ceiling of the back-off after database faults (ms, default `pollMs`): lower for work that must not be late. */
  maxFaultBackoffMs?: number;
  /** One pass of the job (claim with SKIP LOCKED, handle, commit). Throwing counts a failure (database faults back off). */
  batch: (pass: PassContext) => Promise<PassResult>;
  /** LISTEN on this channel: every NOTIFY wakes the worker (PostgreSQL: from any process; PGlite: in process). */
  wakeChannel?: string;
  /** When the work a NOTIFY announces is due (ms since the epoch), from its payload; default: now. */
  wakeAt?: (payload: string) => number;
  /**
   * Coalescing: a wake-up no sooner than `coalesceMs` after the previous pass ended, and a pass woken while the
   * previous one ran follows it after `coalesceMs` — under a stream of events one pass then handles many (default 0).
   */
  coalesceMs?: number;
  /** Shortest delay between a wake-up and its pass (ms, default 0): notifications that arrive together share a pass. */
  wakeDelayMs?: number;
  /** Delay of the first pass after start (ms, default 0). */
  firstPassMs?: number;
  /**
   * A second, slower job run at the end of a pass (after `batch` succeeded) at most every `everyMs`:
   * alerts and scheduled reports, the reactivation scan. `atStart`: also on the first pass (default: after `everyMs`).
   */
  periodic?: { everyMs: number; run: (pass: PassContext) => Promise<void>; atStart?: boolean };
  /** Do not keep the process alive for this worker's timer alone (default false). */
  unref?: boolean;
  log?: WorkerLog | undefined;
}

/**
 * The worker base: one timer, NOTIFY wake-ups, back-off on database faults, graceful stop, metrics. Use it as it is
 * (`new PollingWorker({ name, database, pollMs, batch })`) or extend it (the clock, measures, loops and delivery
 * workers do, to keep their own statistics and helpers).
 */
export class PollingWorker implements BackgroundWorker {
  readonly name: string;
  private readonly cfg: PollingWorkerConfig;
  private timer: NodeJS.Timeout | null = null;
  /** When the timer fires (ms since the epoch); +∞ when no pass is planned. */
  private plannedAt = Number.POSITIVE_INFINITY;
  private running = false;
  private busy: Promise<void> | null = null;
  /** Woken while a pass ran: run another one right after it (after `coalesceMs`). */
  private again = false;
  private unlisten: (() => Promise<void>) | null = null;
  private faultsInARow = 0;
  private lastPassEnd = 0;
  private lastPeriodic: number;

  constructor(config: PollingWorkerConfig) {
    this.cfg = config;
    this.name = config.name;
    this.lastPeriodic = config.periodic?.atStart ? Number.NEGATIVE_INFINITY : Date.now();
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const { database, wakeChannel, wakeAt } = this.cfg;
    if (wakeChannel && database.listen) {
      try {
        const unlisten = await database.listen(wakeChannel, (payload) => this.wake(wakeAt ? wakeAt(payload) : Date.now()));
        if (!this.running) {
          await unlisten().catch(() => undefined);
          return;
        } // stopped meanwhile
        this.unlisten = unlisten;
      } catch (err) {
        this.cfg.log?.warn({ err }, `${this.name} worker: LISTEN failed; polling only`);
      }
    }
    this.schedule(this.cfg.firstPassMs ?? 0);
  }

  /** Finishes the pass in progress, stops listening and leaves no timer; never throws. Can be started again. */
  async stop(): Promise<void> {
    this.running = false;
    this.clearTimer();
    await this.busy?.catch(() => undefined);
    this.clearTimer(); // (a pass never schedules once stopped; defensive)
    const u = this.unlisten;
    this.unlisten = null;
    await u?.().catch(() => undefined);
  }

  /** Work due at `at` exists (or changed): make sure a pass runs by then (or right after the one in progress). */
  wake(at: number = Date.now()): void {
    if (!this.running) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    const now = Date.now();
    const target = Math.max(at, now + (this.cfg.wakeDelayMs ?? 0), this.lastPassEnd + (this.cfg.coalesceMs ?? 0));
    if (target < this.plannedAt) this.schedule(target - now);
  }

  /** For tests and diagnostics. */
  get state(): { running: boolean; busy: boolean; nextPassAt: number | null; faultsInARow: number } {
    return { running: this.running, busy: this.busy !== null, nextPassAt: this.timer ? this.plannedAt : null, faultsInARow: this.faultsInARow };
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.plannedAt = Number.POSITIVE_INFINITY;
  }

  private schedule(delayMs: number): void {
    const delay = Math.max(0, delayMs);
    if (this.timer) clearTimeout(this.timer);
    this.plannedAt = Date.now() + delay;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.plannedAt = Number.POSITIVE_INFINITY;
      // The whole pass in the background lane: on the embedded database its statements yield to requests' (db/lanes.ts).
      this.busy = inBackground(this.name, () => this.runPass()).finally(() => {
        this.busy = null;
      });
    }, delay);
    if (this.cfg.unref) this.timer.unref();
  }

  private async runPass(): Promise<void> {
    const { pollMs, periodic, log } = this.cfg;
    const startedAt = Date.now();
    const t0 = performance.now();
    const running = () => this.running;
    const ctx: PassContext = {
      startedAt,
      get stopping() {
        return !running();
      },
    };
    let delay = pollMs;
    let handled = 0;
    let failed = false;
    this.again = false;
    try {
      const res = await this.cfg.batch(ctx);
      handled = res.handled;
      if (periodic && Date.now() - this.lastPeriodic >= periodic.everyMs) {
        this.lastPeriodic = Date.now();
        await periodic.run(ctx);
      }
      const now = Date.now();
      if (res.nextAt !== undefined && res.nextAt !== null) delay = Math.min(Math.max(0, res.nextAt - now), pollMs);
      // Woken while busy: go again (after the coalescing pause).
      if (this.again) delay = Math.min(delay, this.cfg.coalesceMs ?? 0);
      this.faultsInARow = 0;
    } catch (err) {
      failed = true;
      if (classifyDbFault(err)) {
        // The database is gone, busy or full: nothing is wrong with the rows. Back off briefly and resume (work due
        // meanwhile is done as soon as the database answers again).
        healthCounters.workerBackoffs++;
        delay = faultBackoffMs(this.faultsInARow++, this.cfg.maxFaultBackoffMs ?? pollMs);
        if (this.faultsInARow === 1) log?.warn({ err: { message: (err as Error).message } }, `${this.name} worker: database unavailable; backing off`);
      } else log?.error({ err }, `${this.name} worker pass failed`);
    }
    this.lastPassEnd = Date.now();
    try {
      observeWorkerPass(this.name, (performance.now() - t0) / 1000, handled, failed);
    } catch {
      /* metrics never stop a worker */
    }
    if (this.running) this.schedule(delay);
  }
}
