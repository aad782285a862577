import { defineModule } from '../module';
import { kbAccess } from './kb.access';
import { kbMessages } from './kb.messages';
import { registerKbRoutes } from './kb.routes';
import { registerKbStarterRoutes } from './kb.starter.routes';
import { kbReviewWorker } from './kb.worker';

/** The knowledge base: items, review, versions, search, suggestions in the ticket, the help centre. */
export const kbModule = defineModule({
  name: 'kb',
  access: kbAccess,
  routes: (api, deps) => {
    registerKbRoutes(api, deps);
    registerKbStarterRoutes(api, deps);
  },
  messages: kbMessages,
  workers: [kbReviewWorker],
});
