/**
 * The clock worker: claims due clocks (`next_action_at <= now`) with FOR UPDATE SKIP LOCKED, performs their actions
 * in the claiming transaction, and stores the next deadline. Any number of processes can run it: a row is
 * handled by exactly one of them, and a process that dies mid-transaction leaves its rows to the others.
 *
 * Waking: an in-process timer set to the earliest `next_action_at` (re-read after every pass, at most `pollMs`
 * ahead), plus NOTIFY on `chidu_standards_wake` when a transaction creates a deadline sooner than that.
 */
import { hostname } from 'node:os';
import { asc, eq, lte, sql } from 'drizzle-orm';
import type { Database, Tx } from '../db/client';
import { standardInstances } from '../db/schema';
import { classifyDbFault } from '../lib/db-faults';
import { healthCounters } from '../lib/health';
import { Env, fireDue, loadSnapshots, WAKE_CHANNEL, type InstanceRow } from './engine';

/** A worker pass that met a database fault sleeps 100 ms, 200 ms, … at most `pollMs`, then tries again. */
export const faultBackoffMs = (failuresInARow: number, pollMs: number) => Math.min(pollMs, 100 * 2 ** Math.min(failuresInARow, 10));

export interface WorkerLog { error(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void }
export interface WorkerOptions {
  /** Rows claimed per transaction. */
  batchSize?: number;
  /** Longest sleep between passes (ms). */
  pollMs?: number;
  name?: string;
  log?: WorkerLog;
}

export class ClockWorker {
  readonly name: string;
  readonly stats = { passes: 0, claimed: 0, failures: 0 };
  private readonly batchSize: number;
  private readonly pollMs: number;
  private timer: NodeJS.Timeout | null = null;
  private plannedAt = Number.POSITIVE_INFINITY;
  private running = false;
  private busy: Promise<void> | null = null;
  private wokenWhileBusy = false;
  private unlisten: (() => Promise<void>) | null = null;
  private faultsInARow = 0;

  constructor(private readonly database: Database, private readonly opts: WorkerOptions = {}) {
    this.batchSize = opts.batchSize ?? (database.kind === 'pglite' ? 25 : 200);
    this.pollMs = opts.pollMs ?? 1000;
    this.name = opts.name ?? `${hostname()}:${process.pid}`;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    if (this.database.listen) {
      try {
        this.unlisten = await this.database.listen(WAKE_CHANNEL, (payload) => this.wake(Number(payload) || Date.now()));
      } catch (err) {
        this.opts.log?.warn({ err }, 'standards worker: LISTEN failed; polling only');
      }
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.busy?.catch(() => undefined);
    const u = this.unlisten;
    this.unlisten = null;
    await u?.().catch(() => undefined);
  }

  /** A deadline at `at` exists (or changed): make sure a pass runs by then. */
  wake(at: number = Date.now()): void {
    if (!this.running) return;
    if (this.busy) { this.wokenWhileBusy = true; return; }
    if (at < this.plannedAt) this.schedule(Math.max(0, at - Date.now()));
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.plannedAt = Date.now() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.plannedAt = Number.POSITIVE_INFINITY;
      this.busy = this.pass().finally(() => { this.busy = null; });
    }, delayMs);
  }

  private async pass(): Promise<void> {
    let delay = this.pollMs;
    try {
      this.wokenWhileBusy = false;
      for (;;) {
        const n = await this.claimAndFire(this.batchSize);
        this.stats.passes++;
        if (n < this.batchSize || !this.running) break;
      }
      const next = await this.earliest();
      const now = Date.now();
      if (next === null) delay = this.pollMs;
      else if (next <= now) delay = 25; // due but held by another process's transaction: look again shortly
      else delay = Math.min(next - now, this.pollMs);
      if (this.wokenWhileBusy) delay = 0;
      this.faultsInARow = 0;
    } catch (err) {
      this.stats.failures++;
      if (classifyDbFault(err)) {
        // The database is gone, busy or full: nothing is wrong with the rows. Back off briefly and resume (a
        // deadline due meanwhile fires as soon as the database answers again).
        healthCounters.workerBackoffs++;
        delay = faultBackoffMs(this.faultsInARow++, this.pollMs);
        if (this.faultsInARow === 1) this.opts.log?.warn({ err: { message: (err as Error).message } }, 'standards worker: database unavailable; backing off');
      } else this.opts.log?.error({ err }, 'standards worker pass failed');
    }
    if (this.running) this.schedule(delay);
  }

  /** Earliest pending deadline (ms), from the partial index on next_action_at. */
  async earliest(): Promise<number | null> {
    const [row] = await this.database.rows<{ m: Date | string | null }>(sql`SELECT min(next_action_at) AS m FROM standard_instances WHERE next_action_at IS NOT NULL`);
    return row?.m ? new Date(row.m).getTime() : null;
  }

  /** One transaction: claim up to `limit` due rows and act on them. Returns how many were claimed. */
  async claimAndFire(limit: number): Promise<number> {
    const now = Date.now();
    let claimed: string[] = [];
    try {
      return await this.database.transaction(async (tx) => {
        const rows = await tx.select().from(standardInstances).where(lte(standardInstances.nextActionAt, new Date(now)))
          .orderBy(asc(standardInstances.nextActionAt)).limit(limit).for('update', { skipLocked: true });
        claimed = rows.map((r) => r.id);
        if (rows.length) await this.fireRows(tx, rows);
        this.stats.claimed += rows.length;
        return rows.length;
      }, { worker: true });
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
    const env = new Env(tx, this.name);
    await env.prepare(rows);
    const snaps = await loadSnapshots(tx, rows.map((r) => r.ticketId));
    for (const row of rows) await fireDue(env, row, snaps.get(row.ticketId) ?? null, Date.now());
    await env.flushWrites();
  }

  private async fireOne(id: string): Promise<void> {
    try {
      await this.database.transaction(async (tx) => {
        const rows = await tx.select().from(standardInstances).where(sql`${standardInstances.id} = ${id} AND ${standardInstances.nextActionAt} <= ${new Date()}`)
          .for('update', { skipLocked: true });
        if (rows.length) await this.fireRows(tx, rows);
      }, { worker: true });
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
    await this.database.transaction(async (tx) => {
      await tx.update(standardInstances).set({
        attempts: sql`${standardInstances.attempts} + 1`,
        lastError: message.slice(0, 500),
        nextActionAt: sql`now() + make_interval(secs => least(300, power(2, ${standardInstances.attempts} + 1)))`,
      }).where(eq(standardInstances.id, id));
    }).catch(() => undefined);
  }
}
