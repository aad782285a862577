/**
 * The clock worker: claims due clocks (`next_action_at <= now`) with FOR UPDATE SKIP LOCKED, performs their actions
 * in the claiming transaction, and stores the next deadline. Any number of processes can run it: a row is
 * handled by exactly one of them, and a process that dies mid-transaction leaves its rows to the others.
 *
 * Waking: an in-process timer set to the earliest `next_action_at` (re-read after every pass, at most `pollMs`
 * ahead), plus NOTIFY on `chidu_standards_wake` when a transaction creates a deadline sooner than that. The timer,
 * the wake-ups, the back-off on database faults, the graceful stop and the metrics are the worker base's
 * (src/lib/worker.ts); this file is the claim query and what a claimed row does.
 */
import { hostname } from 'node:os';
import type { Database, Tx } from '../db/client';
import { classifyDbFault } from '../lib/db-faults';
import { PollingWorker, type PassContext, type PassResult, type WorkerLog } from '../lib/worker';
import { clocksRepo } from './clocks.repo';
import { Env, fireDue, loadSnapshots, WAKE_CHANNEL, type InstanceRow } from './engine';

export interface WorkerOptions {
  /** Rows claimed per transaction. */
  batchSize?: number;
  /** Longest sleep between passes (ms). */
  pollMs?: number;
  /** Who fires, as recorded in `standard_actions.worker` (default host:pid). */
  name?: string;
  log?: WorkerLog;
}

export class ClockWorker extends PollingWorker {
  /** This process as recorded in the actions it fires (`standard_actions.worker`). */
  readonly identity: string;
  readonly stats = { passes: 0, claimed: 0, failures: 0 };
  private readonly batchSize: number;
  /**
   * Rows claimed by the next transaction: the batch size, quartered after a database fault and doubled back after
   * each success. A transaction that keeps being cut (connections terminated every few hundred ms, a failover) then
   * shrinks until it fits between the cuts, and the earliest deadlines — claimed first — still fire on time.
   */
  private claimSize: number;

  constructor(
    private readonly database: Database,
    private readonly opts: WorkerOptions = {},
  ) {
    super({
      name: 'standards',
      database,
      pollMs: opts.pollMs ?? 1000,
      // A deadline must not wait out a long back-off: while the database drops connections, try every 250 ms at most.
      maxFaultBackoffMs: 250,
      log: opts.log,
      // A NOTIFY carries the new deadline (ms): a pass is planned for then, unless one is planned sooner.
      wakeChannel: WAKE_CHANNEL,
      wakeAt: (payload) => Number(payload) || Date.now(),
      batch: (pass) => this.fireDueClocks(pass),
    });
    this.batchSize = opts.batchSize ?? (database.kind === 'pglite' ? 25 : 200);
    this.claimSize = this.batchSize;
    this.identity = opts.name ?? `${hostname()}:${process.pid}`;
  }

  /** One pass: fire every due clock (batch after batch), then plan the next pass for the earliest deadline. */
  private async fireDueClocks(pass: PassContext): Promise<PassResult> {
    let handled = 0;
    try {
      for (;;) {
        const size = this.claimSize;
        let n: number;
        try {
          n = await this.claimAndFire(size);
        } catch (err) {
          if (classifyDbFault(err)) this.claimSize = Math.max(1, Math.floor(size / 4));
          throw err;
        }
        this.claimSize = Math.min(this.batchSize, size * 2);
        this.stats.passes++;
        handled += n;
        if (n < size || pass.stopping) break;
      }
      const next = await this.earliest();
      const now = Date.now();
      // Due but held by another process's transaction: look again shortly (25 ms).
      return { handled, nextAt: next === null ? null : next <= now ? now + 25 : next };
    } catch (err) {
      this.stats.failures++;
      throw err; // the base backs off (database fault) or logs 'standards worker pass failed'
    }
  }

  /** Earliest pending deadline (ms), from the partial index on next_action_at. */
  async earliest(): Promise<number | null> {
    return clocksRepo.earliestDeadline(this.database);
  }

  /** One transaction: claim up to `limit` due rows and act on them. Returns how many were claimed. */
  async claimAndFire(limit: number): Promise<number> {
    const now = Date.now();
    let claimed: string[] = [];
    try {
      return await this.database.transaction(
        async (tx) => {
          const rows = await clocksRepo.claimDue(tx, new Date(now), limit);
          claimed = rows.map((r) => r.id);
          if (rows.length) await this.fireRows(tx, rows);
          this.stats.claimed += rows.length;
          return rows.length;
        },
        { worker: true },
      );
    } catch (err) {
      // A database fault is not the rows' fault: do not count attempts or push their deadlines back.
      if (classifyDbFault(err)) throw err;
      if (claimed.length <= 1) {
        if (claimed[0]) await this.recordFailure(claimed[0], err);
        else throw err;
        return 1;
      }
      // Isolate the failing row: redo the batch one row per transaction.
      this.opts.log?.warn({ err }, 'standards worker: batch failed, retrying row by row');
      for (const id of claimed) await this.fireOne(id);
      return claimed.length;
    }
  }

  private async fireRows(tx: Tx, rows: InstanceRow[]): Promise<void> {
    const env = new Env(tx, this.identity);
    await env.prepare(rows);
    const snaps = await loadSnapshots(
      tx,
      rows.map((r) => r.ticketId),
    );
    for (const row of rows) await fireDue(env, row, snaps.get(row.ticketId) ?? null, Date.now());
    await env.flushWrites();
  }

  private async fireOne(id: string): Promise<void> {
    try {
      await this.database.transaction(
        async (tx) => {
          const rows = await clocksRepo.claimOneDue(tx, id, new Date());
          if (rows.length) await this.fireRows(tx, rows);
        },
        { worker: true },
      );
    } catch (err) {
      if (classifyDbFault(err)) throw err;
      await this.recordFailure(id, err);
    }
  }

  /** A row that keeps failing is retried with backoff (2^attempts s, at most 5 min) and its error kept. */
  private async recordFailure(id: string, err: unknown): Promise<void> {
    this.stats.failures++;
    this.opts.log?.error({ err, instanceId: id }, 'standards worker: action failed; will retry');
    const message = err instanceof Error ? err.message : String(err);
    await this.database.transaction((tx) => clocksRepo.recordActionFailure(tx, id, message)).catch(() => undefined);
  }
}
