/**
 * Periodic work of the loops, one per process, safe with several: delayed survey sends are claimed with
 * FOR UPDATE SKIP LOCKED; the reactivation scan claims customers the same way (and a partial unique index allows one
 * active sequence per customer); expiry and rate-limit pruning (survey windows every pass, sign-in limiter rows hourly) are idempotent updates.
 * Scheduling, back-off, stop and metrics are the worker base's (src/lib/worker.ts).
 * Environment: CHIDU_LOOPS_WORKER=0 disables it in this process; CHIDU_LOOPS_POLL_MS (pass interval, default 10000; the first pass runs one interval after start),
 * CHIDU_REACTIVATION_SCAN_MS (reactivation scan and limiter pruning, default 3600000, first one interval after start).
 */
import type { Database } from '../../db/client';
import { pruneThrottle } from '../../lib/throttle';
import { PollingWorker, type PassResult, type WorkerLog } from '../../lib/worker';
import { pruneRateLimits } from '../surveys/rate-limit';
import { sendDueInvitations } from '../surveys/surveys.commands';
import type { WorkerFactory } from '../module';
import { scanReactivation } from './care';
import { sendDueTouches } from './touches';

export class LoopsWorker extends PollingWorker {
  constructor(
    private readonly database: Database,
    log: WorkerLog,
  ) {
    const pollMs = Number(process.env.CHIDU_LOOPS_POLL_MS ?? 10_000);
    super({
      name: 'loops',
      database,
      pollMs,
      firstPassMs: pollMs,
      unref: true,
      log,
      batch: (pass) => this.sendDue(new Date(pass.startedAt)),
      periodic: { everyMs: Number(process.env.CHIDU_REACTIVATION_SCAN_MS ?? 3_600_000), run: (pass) => this.scan(new Date(pass.startedAt)) },
    });
  }

  /** Delayed survey sends and automatic care / reactivation touches that are due (and expiry of survey windows). */
  async sendDue(now = new Date()): Promise<PassResult> {
    let handled = 0;
    for (;;) {
      const n = await sendDueInvitations(this.database, now);
      handled += n;
      if (n < 100) break; // drained
    }
    for (;;) {
      const { sent, fallback } = await sendDueTouches(this.database, now);
      handled += sent + fallback;
      if (sent + fallback < 100) break; // drained (automatic care contacts / reactivation touches)
    }
    await pruneRateLimits(this.database.db, now.getTime());
    return { handled };
  }

  /** Hourly: sign-in limiter pruning and the reactivation scan. */
  async scan(now = new Date()): Promise<void> {
    await pruneThrottle(this.database.db);
    while ((await scanReactivation(this.database, now)) >= 200) {
      /* drain */
    }
  }
}

/** The loops worker (loops module's `workers`); null when CHIDU_LOOPS_WORKER=0. */
export const loopsWorker: WorkerFactory = (deps, log) => (process.env.CHIDU_LOOPS_WORKER === '0' ? null : new LoopsWorker(deps.database, log));
