import { defineModule } from '../module';
import { processAccess } from './process.access';
import { solutionOptionsGuard } from './process.commands';
import { processMessages } from './process.messages';
import { registerProcessRoutes } from './process.routes';

/**
 * Process requirements of the sources (issue #13 item 7): transfer and handover reasons (process.reasons.ts, used by
 * the tickets commands), a complaint's 2–3 solution options and the customer's choice (routes, resolve guard).
 */
export const processModule = defineModule({
  name: 'process',
  access: processAccess,
  messages: processMessages,
  routes(api, deps) {
    registerProcessRoutes(api, deps);
  },
  guards: [{ name: 'complaint-solution-options', fn: solutionOptionsGuard }],
});
