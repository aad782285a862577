import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client';
import type { AppDeps } from '../../http/app';
import type { WorkerFactory } from '../module';
import { registerFieldMeasuresRoutes } from './measures.field.routes';
import { registerMeasuresRoutes } from './measures.routes';
import { runDueReports } from './measures.reports.commands';
import { checkAlerts } from './measures.targets.commands';
import { MeasuresWorker } from './worker';

export { drainMeasures, rebuildMeasures, MeasuresWorker } from './worker';

/** The measures worker of each running app (by database), for tests and diagnostics. */
export const measuresWorkers = new WeakMap<Database, MeasuresWorker>();

/**
 * Measures: every ticket event queues its ticket (same transaction; the 'measures' consumer in measures.module.ts);
 * the worker applies the rollups.
 * CHIDU_MEASURES_WORKER=0 disables the worker in this process (events still queue);
 * CHIDU_MEASURES_POLL_MS (longest sleep, default 1000); CHIDU_MEASURES_COALESCE_MS (pause between back-to-back passes, default 200); alerts and scheduled reports run every CHIDU_MEASURES_PERIODIC_MS (default 60 000).
 */
export function registerMeasures(api: FastifyInstance, deps: AppDeps): void {
  registerMeasuresRoutes(api, deps);
  registerFieldMeasuresRoutes(api, deps);
}

/** The measures worker (measures module's `workers`); null when CHIDU_MEASURES_WORKER=0. */
export const measuresWorker: WorkerFactory = (deps, log) => {
  if (process.env.CHIDU_MEASURES_WORKER === '0') return null;
  const worker = new MeasuresWorker(deps.database, {
    log,
    ...(process.env.CHIDU_MEASURES_POLL_MS ? { pollMs: Number(process.env.CHIDU_MEASURES_POLL_MS) } : {}),
    ...(process.env.CHIDU_MEASURES_COALESCE_MS ? { coalesceMs: Number(process.env.CHIDU_MEASURES_COALESCE_MS) } : {}),
    periodicMs: Number(process.env.CHIDU_MEASURES_PERIODIC_MS ?? 60_000),
    periodic: async () => {
      await checkAlerts(deps.database).catch((err) => log.warn({ err }, 'measures: alert check failed'));
      await runDueReports(deps.database).catch((err) => log.warn({ err }, 'measures: scheduled reports failed'));
    },
  });
  measuresWorkers.set(deps.database, worker);
  return worker;
};
