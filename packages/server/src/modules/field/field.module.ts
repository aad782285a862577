import { defineModule } from '../module';
import { fieldAccess } from './field.access';
import { fieldDispatchMessages } from './field.dispatch.messages';
import { registerFieldDispatchRoutes } from './field.dispatch.routes';
import { fieldMaintenanceAccess } from './field.maintenance.access';
import { fieldMaintenanceMessages } from './field.maintenance.messages';
import { registerFieldMaintenanceRoutes } from './field.maintenance.routes';
import { maintenanceWorker } from './field.maintenance.worker';
import { fieldRemindersAccess } from './field.reminders.access';
import { fieldReminderMessages } from './field.reminders.messages';
import { registerFieldReminderRoutes } from './field.reminders.routes';
import { reminderWorker } from './field.reminders.worker';
import { fieldMessages } from './field.messages';
import { fieldPartsAccess } from './field.parts.access';
import { fieldPartsMessages } from './field.parts.messages';
import { registerFieldPartsRoutes } from './field.parts.routes';
import { registerFieldRoutes } from './field.routes';
import { fieldWorkAccess } from './field.work.access';
import { fieldWorkMessages } from './field.work.messages';
import { registerFieldWorkRoutes } from './field.work.routes';

/** Field service (上门服务): sites and assets with signed QR codes, visits of repair tickets, the technician's day, visit work. */
export const fieldModule = defineModule({
  name: 'field',
  access: { ...fieldAccess, ...fieldPartsAccess, ...fieldWorkAccess, ...fieldMaintenanceAccess, ...fieldRemindersAccess },
  messages: {
    'zh-CN': {
      ...fieldMessages['zh-CN'],
      ...fieldDispatchMessages['zh-CN'],
      ...fieldPartsMessages['zh-CN'],
      ...fieldWorkMessages['zh-CN'],
      ...fieldMaintenanceMessages['zh-CN'],
      ...fieldReminderMessages['zh-CN'],
    },
    en: {
      ...fieldMessages.en,
      ...fieldDispatchMessages.en,
      ...fieldPartsMessages.en,
      ...fieldWorkMessages.en,
      ...fieldMaintenanceMessages.en,
      ...fieldReminderMessages.en,
    },
  },
  workers: [maintenanceWorker, reminderWorker],
  routes: (api, deps) => {
    registerFieldRoutes(api, deps);
    registerFieldDispatchRoutes(api, deps);
    registerFieldPartsRoutes(api, deps);
    registerFieldWorkRoutes(api, deps);
    registerFieldMaintenanceRoutes(api, deps);
    registerFieldReminderRoutes(api, deps);
  },
});
