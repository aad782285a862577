import { defineModule } from '../module';
import { portalAccess } from './portal.access';
import { portalMessages } from './portal.messages';
import { registerPortalRoutes } from './portal.routes';

export const portalModule = defineModule({ name: 'portal', access: portalAccess, routes: registerPortalRoutes, messages: portalMessages });
