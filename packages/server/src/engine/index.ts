import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../http/app';
import type { Database } from '../db/client';
import { standardsForTickets } from '../modules/standards/standards.repo';
import { onTicketEvent, setStandardsReader } from '../modules/tickets/ticket-events';
import { CATALOGUE_CHANNEL, freshWithoutClocks, invalidateCatalogue, onTicketEventForClocks, onTicketEventsForClocks } from './engine';
import { ClockWorker } from './worker';

export { ClockWorker } from './worker';
export { onTicketEventForClocks } from './engine';

/** The clock worker of each running app (by database), for tests and diagnostics. */
export const clockWorkers = new WeakMap<Database, ClockWorker>();

/**
 * Clocks start/pause/stop inside every ticket event's transaction; the worker fires deadlines.
 * Environment: CHIDU_STANDARDS_WORKER=0 disables the worker in this process (clocks still start and stop);
 * CHIDU_STANDARDS_BATCH (rows per claim), CHIDU_STANDARDS_POLL_MS (longest sleep, default 1000),
 * CHIDU_STANDARDS_LATE_MS (lateness threshold, default 2000).
 */
export function registerStandardsEngine(api: FastifyInstance, deps: AppDeps): void {
  onTicketEvent('standards', onTicketEventForClocks, onTicketEventsForClocks);
  setStandardsReader(async (ex, ticketIds) => {
    // Tickets created in this transaction that started no clock need no query.
    const none = freshWithoutClocks(ex, ticketIds);
    const out = await standardsForTickets(ex, ticketIds.filter((id) => !none.has(id)));
    for (const id of none) out.set(id, []);
    return out;
  });
  // Catalogue changes made by any process reach this one's cache.
  let unlisten: (() => Promise<void>) | null = null;
  api.addHook('onReady', async () => {
    invalidateCatalogue();
    if (deps.database.listen) unlisten = await deps.database.listen(CATALOGUE_CHANNEL, () => invalidateCatalogue()).catch(() => null);
  });
  api.addHook('onClose', async () => { await unlisten?.().catch(() => undefined); });
  if (process.env.CHIDU_STANDARDS_WORKER === '0') return;
  const worker = new ClockWorker(deps.database, {
    log: api.log,
    ...(process.env.CHIDU_STANDARDS_BATCH ? { batchSize: Number(process.env.CHIDU_STANDARDS_BATCH) } : {}),
    ...(process.env.CHIDU_STANDARDS_POLL_MS ? { pollMs: Number(process.env.CHIDU_STANDARDS_POLL_MS) } : {}),
  });
  clockWorkers.set(deps.database, worker);
  api.addHook('onReady', async () => { await worker.start(); });
  api.addHook('onClose', async () => { await worker.stop(); });
}
