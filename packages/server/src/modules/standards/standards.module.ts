import { CatalogueListener, onTicketEventForClocks, onTicketEventsForClocks, registerStandardsEngine, clockWorker } from '../../engine/index';
import { defineModule } from '../module';
import { standardsAccess } from './standards.access';
import { standardsMessages } from './standards.messages';
import { registerStandardsRoutes } from './standards.routes';

export const standardsModule = defineModule({
  name: 'standards',
  access: standardsAccess,
  messages: standardsMessages,
  routes(api, deps) {
    registerStandardsRoutes(api, deps);
    registerStandardsEngine();
  },
  consumers: [
    {
      name: 'standards',
      // Every kind: a standard starts and stops on kinds an admin configures at run time (ticket, recovery, survey, care
      // events), and any event that changes the ticket's status pauses or resumes clocks. The engine's own events
      // (definition.ts ENGINE_EVENTS) return at once.
      kinds: '*',
      handle: onTicketEventForClocks,
      batch: onTicketEventsForClocks,
    },
  ],
  // The cached catalogue of active standards hears of changes made by any process.
  workers: [(deps) => new CatalogueListener(deps.database), clockWorker],
});
