import { defineModule } from '../module';
import { environmentAccess } from './environment.access';
import { environmentMessages } from './environment.messages';
import { registerEnvironmentRoutes } from './environment.routes';

/** Environment checks (环境检查): checklist templates, checks of a site, corrective tasks timed by the standards engine. */
export const environmentModule = defineModule({
  name: 'environment',
  access: environmentAccess,
  routes: registerEnvironmentRoutes,
  messages: environmentMessages,
});
