import { defineModule } from '../module';
import { identityAccess } from './identity.access';
import { identityMessages } from './identity.messages';
import { registerIdentityRoutes } from './identity.routes';

export const identityModule = defineModule({ name: 'identity', access: identityAccess, routes: registerIdentityRoutes, messages: identityMessages });
