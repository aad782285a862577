/**
 * Knowledge review reminders: once at start and then hourly, published items whose review date passed become
 * needs_update (their owners are notified). `markOverdue` claims the items with FOR UPDATE SKIP LOCKED, so several
 * processes may run it. Scheduling, back-off, stop and metrics are the worker base's (src/lib/worker.ts).
 */
import type { WorkerFactory } from '../module';
import { systemCtx } from '../../lib/context';
import { PollingWorker } from '../../lib/worker';
import { markOverdue } from './kb.commands';

/** How often the review-date check runs (needs_update once the review date passed). */
export const OVERDUE_CHECK_MS = 3_600_000;

export const kbReviewWorker: WorkerFactory = (deps, log) =>
  new PollingWorker({
    name: 'kb-review',
    database: deps.database,
    pollMs: OVERDUE_CHECK_MS,
    unref: true,
    log,
    batch: async () => ({ handled: await markOverdue(deps.database, systemCtx('kb-review-check')) }),
  });
