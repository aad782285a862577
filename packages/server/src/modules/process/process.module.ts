import { defineModule } from '../module';
import { processAccess } from './process.access';
import { solutionOptionsGuard } from './process.commands';
import { processMessages } from './process.messages';
import { registerProcessRoutes } from './process.routes';
import { registerRulesRoutes } from './process.rules.routes';

/**
 * Process requirements of the sources (issue #13 item 7): transfer and handover reasons (process.reasons.ts, used by
 * the tickets commands), a complaint's 2–3 solution options and the customer's choice (routes, resolve guard), a
 * compensation counted only once the customer accepted it, the front-desk gift limit (process.rules.routes.ts).
 */
export const processModule = defineModule({
  name: 'process',
  access: processAccess,
  messages: processMessages,
  routes(api, deps) {
    registerProcessRoutes(api, deps);
    registerRulesRoutes(api, deps);
  },
  guards: [{ name: 'complaint-solution-options', fn: solutionOptionsGuard }],
});
