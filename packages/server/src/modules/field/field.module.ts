import { defineModule } from '../module';
import { fieldAccess } from './field.access';
import { fieldDispatchMessages } from './field.dispatch.messages';
import { registerFieldDispatchRoutes } from './field.dispatch.routes';
import { fieldMessages } from './field.messages';
import { registerFieldRoutes } from './field.routes';
import { fieldWorkAccess } from './field.work.access';
import { fieldWorkMessages } from './field.work.messages';
import { registerFieldWorkRoutes } from './field.work.routes';

/** Field service (上门服务): sites and assets with signed QR codes, visits of repair tickets, the technician's day, visit work. */
export const fieldModule = defineModule({
  name: 'field',
  access: { ...fieldAccess, ...fieldWorkAccess },
  messages: {
    'zh-CN': { ...fieldMessages['zh-CN'], ...fieldDispatchMessages['zh-CN'], ...fieldWorkMessages['zh-CN'] },
    en: { ...fieldMessages.en, ...fieldDispatchMessages.en, ...fieldWorkMessages.en },
  },
  routes: (api, deps) => {
    registerFieldRoutes(api, deps);
    registerFieldDispatchRoutes(api, deps);
    registerFieldWorkRoutes(api, deps);
  },
});
