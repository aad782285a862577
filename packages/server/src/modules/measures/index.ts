import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client';
import type { AppDeps } from '../../http/app';
import { onTicketEvent } from '../tickets/ticket-events';
import { checkAlerts } from './commands';
import { runDueReports } from './reports';
import { registerMeasuresRoutes } from './routes';
import { MeasuresWorker, queueTicketForMeasures, queueTicketsForMeasures } from './worker';

export { drainMeasures, rebuildMeasures, MeasuresWorker } from './worker';

/** The measures worker of each running app (by database), for tests and diagnostics. */
export const measuresWorkers = new WeakMap<Database, MeasuresWorker>();

/**
 * Measures: every ticket event queues its ticket (same transaction); the worker applies the rollups.
 * CHIDU_MEASURES_WORKER=0 disables the worker in this process (events still queue);
 * CHIDU_MEASURES_POLL_MS (longest sleep, default 1000); CHIDU_MEASURES_COALESCE_MS (pause between back-to-back passes, default 200); alerts and scheduled reports run every CHIDU_MEASURES_PERIODIC_MS (default 60 000).
 */
export function registerMeasures(api: FastifyInstance, deps: AppDeps): void {
  onTicketEvent('measures', queueTicketForMeasures, queueTicketsForMeasures);
  registerMeasuresRoutes(api, deps);
  if (process.env.CHIDU_MEASURES_WORKER === '0') return;
  const worker = new MeasuresWorker(deps.database, {
    log: api.log,
    ...(process.env.CHIDU_MEASURES_POLL_MS ? { pollMs: Number(process.env.CHIDU_MEASURES_POLL_MS) } : {}),
    ...(process.env.CHIDU_MEASURES_COALESCE_MS ? { coalesceMs: Number(process.env.CHIDU_MEASURES_COALESCE_MS) } : {}),
    periodicMs: Number(process.env.CHIDU_MEASURES_PERIODIC_MS ?? 60_000),
    periodic: async () => {
      await checkAlerts(deps.database).catch((err) => api.log.warn({ err }, 'measures: alert check failed'));
      await runDueReports(deps.database).catch((err) => api.log.warn({ err }, 'measures: scheduled reports failed'));
    },
  });
  measuresWorkers.set(deps.database, worker);
  api.addHook('onReady', async () => { await worker.start(); });
  api.addHook('onClose', async () => { await worker.stop(); });
}
