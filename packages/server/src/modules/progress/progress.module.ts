import { defineModule } from '../module';
import { progressAccess } from './progress.access';
import { standardAlertsWorker } from './progress.alerts';
import { progressMessages } from './progress.messages';
import { registerProgressRoutes } from './progress.routes';

/**
 * Progress encounters of a ticket (issue #13 items 5–6): the customer asks for progress, accepts the proposed
 * solution; and the alerts of measured and soft standards whose current period falls below target.
 */
export const progressModule = defineModule({
  name: 'progress',
  access: progressAccess,
  routes: registerProgressRoutes,
  messages: progressMessages,
  workers: [standardAlertsWorker],
});
