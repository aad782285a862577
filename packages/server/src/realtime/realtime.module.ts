import { defineModule } from '../modules/module';
import { publishTicketEvent, publishTicketEvents } from './hub';
import { deliveryWorker, registerRealtime } from './index';
import { realtimeAccess } from './realtime.access';
import { realtimeMessages } from './realtime.messages';

export const realtimeModule = defineModule({
  name: 'realtime',
  access: realtimeAccess,
  routes: registerRealtime,
  consumers: [
    // Every kind ('*'): a client watching a ticket is told of every event on it (the web app refreshes the ticket on any
    // change), so this consumer cannot list kinds without dropping some pushes — including kinds added later.
    { name: 'realtime', kinds: '*', handle: publishTicketEvent, batch: publishTicketEvents },
  ],
  workers: [deliveryWorker],
  messages: realtimeMessages,
});
