/**
 * Periodic work of the loops, one per process, safe with several: delayed survey sends are claimed with
 * FOR UPDATE SKIP LOCKED; the reactivation scan claims customers the same way (and a partial unique index allows one
 * active sequence per customer); expiry and rate-limit pruning (survey windows every pass, sign-in limiter rows hourly) are idempotent updates.
 */
import type { Database } from '../../db/client';
import { pruneThrottle } from '../../lib/throttle';
import { pruneRateLimits } from '../surveys/rate-limit';
import { sendDueInvitations } from '../surveys/surveys.commands';
import { scanReactivation } from './care';
import { classifyDbFault } from '../../lib/db-faults';
import { healthCounters } from '../../lib/health';

interface Log { error(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void }

export class LoopsWorker {
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> | null = null;
  private lastScan = Date.now();
  private readonly pollMs = Number(process.env.CHIDU_LOOPS_POLL_MS ?? 10_000);
  private readonly scanMs = Number(process.env.CHIDU_REACTIVATION_SCAN_MS ?? 3_600_000);
  constructor(private readonly database: Database, private readonly log: Log) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => { if (!this.busy) this.busy = this.pass().finally(() => { this.busy = null; }); }, this.pollMs);
    this.timer.unref();
  }

  async pass(now = new Date()): Promise<void> {
    try {
      while ((await sendDueInvitations(this.database, now)) >= 100) { /* drain */ }
      await pruneRateLimits(this.database.db, now.getTime());
      if (now.getTime() - this.lastScan >= this.scanMs) {
        this.lastScan = now.getTime();
        await pruneThrottle(this.database.db);
        while ((await scanReactivation(this.database, now)) >= 200) { /* drain */ }
      }
    } catch (err) {
      // A database fault: the next pass (CHIDU_LOOPS_POLL_MS later) resumes where this one stopped.
      if (classifyDbFault(err)) { healthCounters.workerBackoffs++; this.log.warn({ err: { message: (err as Error).message } }, 'loops worker: database unavailable; next pass retries'); }
      else this.log.error({ err }, 'loops worker pass failed');
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.busy?.catch(() => undefined);
  }
}
