import type { Database } from '../db/client';
import type { WorkerFactory } from '../modules/module';
import { liveClocksColumn, liveClocksFromColumn, standardsForTickets } from '../modules/standards/standards.repo';
import { setLiveClocksColumn, setStandardsReader } from '../modules/tickets/ticket-events';
import { freshWithoutClocks } from './engine';
import { ClockWorker } from './worker';

export { ClockWorker } from './worker';
export { onTicketEventForClocks, onTicketEventsForClocks } from './engine';
export { CatalogueListener } from './catalogue-listener';

/** The clock worker of each running app (by database), for tests and diagnostics. */
export const clockWorkers = new WeakMap<Database, ClockWorker>();

/**
 * Clocks start/pause/stop inside every ticket event's transaction (the 'standards' consumer, declared in
 * standards.module.ts); the worker fires deadlines.
 * Environment: CHIDU_STANDARDS_WORKER=0 disables the worker in this process (clocks still start and stop);
 * CHIDU_STANDARDS_BATCH (rows per claim), CHIDU_STANDARDS_POLL_MS (longest sleep, default 1000),
 * CHIDU_STANDARDS_LATE_MS (lateness threshold, default 2000).
 */
export function registerStandardsEngine(): void {
  setStandardsReader(async (ex, ticketIds, opts = {}) => {
    // Tickets created in this transaction that started no clock need no query.
    const none = freshWithoutClocks(ex, ticketIds);
    const out = await standardsForTickets(
      ex,
      ticketIds.filter((id) => !none.has(id)),
      opts,
    );
    for (const id of none) out.set(id, []);
    return out;
  });
  setLiveClocksColumn({ column: liveClocksColumn, read: liveClocksFromColumn });
}

/** The clock worker (standards module's `workers`); null when CHIDU_STANDARDS_WORKER=0. */
export const clockWorker: WorkerFactory = (deps, log) => {
  if (process.env.CHIDU_STANDARDS_WORKER === '0') return null;
  const worker = new ClockWorker(deps.database, {
    log,
    ...(process.env.CHIDU_STANDARDS_BATCH ? { batchSize: Number(process.env.CHIDU_STANDARDS_BATCH) } : {}),
    ...(process.env.CHIDU_STANDARDS_POLL_MS ? { pollMs: Number(process.env.CHIDU_STANDARDS_POLL_MS) } : {}),
  });
  clockWorkers.set(deps.database, worker);
  return worker;
};
