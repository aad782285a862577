import { defineModule } from '../module';
import { fieldAccess } from './field.access';
import { fieldMessages } from './field.messages';
import { registerFieldRoutes } from './field.routes';

/** Field service (上门服务): sites and assets with signed QR codes, visits of repair tickets, the technician's day. */
export const fieldModule = defineModule({
  name: 'field',
  access: fieldAccess,
  messages: fieldMessages,
  routes: registerFieldRoutes,
});
