import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/client';
import type { AppDeps } from '../http/app';
import { onTicketEvent } from '../modules/tickets/ticket-events';
import { DeliveryWorker } from './delivery';
import { publishTicketEvent, publishTicketEvents, registerRealtimeHub, type RealtimeHub } from './hub';
import { registerNotificationRoutes } from './notifications.routes';

export const realtimeHubs = new WeakMap<Database, RealtimeHub>();
export const deliveryWorkers = new WeakMap<Database, DeliveryWorker>();

/** WebSocket hub, notification inbox and preferences, email/webhook delivery (CHIDU_DELIVERY_WORKER=0 disables it here). */
export function registerRealtime(api: FastifyInstance, deps: AppDeps): void {
  onTicketEvent('realtime', publishTicketEvent, publishTicketEvents);
  realtimeHubs.set(deps.database, registerRealtimeHub(api, deps.database, deps.config));
  registerNotificationRoutes(api, deps.database);
  if (process.env.CHIDU_DELIVERY_WORKER === '0') return;
  const worker = new DeliveryWorker(deps.database, { log: api.log });
  deliveryWorkers.set(deps.database, worker);
  api.addHook('onReady', async () => { await worker.start(); });
  api.addHook('onClose', async () => { await worker.stop(); });
}
