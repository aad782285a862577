import { qualityModule } from './quality/quality.module';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../http/app';
import { setAccessTables, type AccessTable } from '../http/access';
import { registerMessages } from '../i18n/index';
import { realtimeModule } from '../realtime/realtime.module';
import { attachmentsModule } from './attachments/attachments.module';
import { auditModule } from './audit/audit.module';
import { calendarsModule } from './calendars/calendars.module';
import { channelsModule } from './channels/channels.module';
import { customersModule } from './customers/customers.module';
import { demoModule } from './demo/demo.module';
import { environmentModule } from './environment/environment.module';
import { fieldModule } from './field/field.module';
import { identityModule } from './identity/identity.module';
import { inspectionModule } from './inspection/inspection.module';
import { kbModule } from './kb/kb.module';
import { loopsModule } from './loops/loops.module';
import { measuresModule } from './measures/measures.module';
import { mysteryModule } from './mystery/mystery.module';
import type { ChiduModule } from './module';
import { onTicketEvent, onTicketTransition } from './tickets/ticket-events';
import { portalModule } from './portal/portal.module';
import { processModule } from './process/process.module';
import { progressModule } from './progress/progress.module';
import { standardsModule } from './standards/standards.module';
import { surveysModule } from './surveys/surveys.module';
import { ticketsModule } from './tickets/tickets.module';

/**
 * Every domain module, in order. The one place a module is registered: its access table, routes, ticket-event
 * consumers (which run in this order inside each event's transaction), guards, workers and messages.
 */
export const MODULES: readonly ChiduModule[] = [
  identityModule,
  customersModule,
  auditModule,
  ticketsModule,
  attachmentsModule,
  portalModule,
  channelsModule,
  calendarsModule,
  standardsModule,
  realtimeModule,
  kbModule,
  surveysModule,
  loopsModule,
  processModule,
  measuresModule,
  fieldModule,
  qualityModule,
  inspectionModule,
  environmentModule,
  mysteryModule,
  demoModule,
  progressModule,
];

/** Every module's access table (who may call each route; src/http/access.ts). */
export const ACCESS_TABLES: AccessTable[] = MODULES.flatMap((m) => (m.access ? [m.access] : []));

export function registerModules(api: FastifyInstance, deps: AppDeps): void {
  setAccessTables(ACCESS_TABLES);
  for (const m of MODULES) if (m.messages) registerMessages(m.messages);
  // Per module, in order: routes, then its consumers (so consumers keep the module order), guards and workers.
  for (const m of MODULES) {
    m.routes?.(api, deps);
    for (const c of m.consumers ?? []) onTicketEvent(c.name, c.handle, c.batch, c.kinds);
    for (const g of m.guards ?? []) onTicketTransition(g.name, g.fn);
    for (const make of m.workers ?? []) {
      const worker = make(deps, api.log);
      if (!worker) continue;
      api.addHook('onReady', async () => {
        await worker.start();
      });
      api.addHook('onClose', async () => {
        await worker.stop();
      });
    }
  }
}
