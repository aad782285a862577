import { defineModule } from '../module';
import { demoAccess } from './demo.access';
import { registerDemoRoutes } from './demo.routes';

/** Demo mode helpers (CHIDU_DEMO=1): the demo logins for the sign-in page. Absent (404) otherwise. */
export const demoModule = defineModule({ name: 'demo', access: demoAccess, routes: registerDemoRoutes });
