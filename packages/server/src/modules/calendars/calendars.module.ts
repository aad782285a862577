import { defineModule } from '../module';
import { calendarsAccess } from './calendars.access';
import { calendarsMessages } from './calendars.messages';
import { registerCalendarRoutes } from './calendars.routes';
import { registerHolidayRoutes } from './holidays.routes';
import { holidayFeedWorker } from './holidays.worker';

export const calendarsModule = defineModule({
  name: 'calendars',
  access: calendarsAccess,
  messages: calendarsMessages,
  routes: (api, deps) => {
    registerCalendarRoutes(api, deps);
    registerHolidayRoutes(api, deps);
  },
  workers: [holidayFeedWorker],
});
