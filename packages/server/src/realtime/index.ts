import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/client';
import type { AppDeps } from '../http/app';
import type { WorkerFactory } from '../modules/module';
import { DeliveryWorker } from './delivery';
import { registerRealtimeHub, type RealtimeHub } from './hub';
import { registerNotificationRoutes } from './notifications.routes';

export const realtimeHubs = new WeakMap<Database, RealtimeHub>();
export const deliveryWorkers = new WeakMap<Database, DeliveryWorker>();

/**
 * WebSocket hub, notification inbox and preferences, email/webhook delivery (CHIDU_DELIVERY_WORKER=0 disables it here).
 * The ticket-event consumer that feeds the hub is declared in realtime.module.ts.
 */
export function registerRealtime(api: FastifyInstance, deps: AppDeps): void {
  realtimeHubs.set(deps.database, registerRealtimeHub(api, deps.database, deps.config));
  registerNotificationRoutes(api, deps.database);
}

/** The email/webhook delivery worker (realtime module's `workers`); null when CHIDU_DELIVERY_WORKER=0. */
export const deliveryWorker: WorkerFactory = (deps, log) => {
  if (process.env.CHIDU_DELIVERY_WORKER === '0') return null;
  const worker = new DeliveryWorker(deps.database, { log });
  deliveryWorkers.set(deps.database, worker);
  return worker;
};
