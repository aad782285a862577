import { defineModule } from '../module';
import { complaintGuard } from './complaints';
import { LOOPS_EVENT_KINDS, onTicketEventForLoops, onTicketEventsForLoops } from './handlers';
import { loopsAccess } from './loops.access';
import { loopsWorker } from './worker';
import { loopsMessages } from './loops.messages';
import { registerLoopRoutes } from './loops.routes';

/**
 * The closed loops (low-score recovery, complaint loop, after-sales care, reactivation): routes, the ticket-event
 * consumer (named 'surveys-loops' since it also sends the surveys a trigger asks for; registered right after the
 * surveys module, so it keeps its place after 'standards' and 'realtime' and before 'measures') and the
 * resolve/close guard of the complaint loop. The periodic worker (loops/worker.ts: sends due
 * surveys and care contacts, scans for reactivation; CHIDU_LOOPS_WORKER=0 disables it, CHIDU_LOOPS_POLL_MS,
 * CHIDU_REACTIVATION_SCAN_MS) runs on the worker base.
 */
export const loopsModule = defineModule({
  name: 'loops',
  access: loopsAccess,
  routes: registerLoopRoutes,
  consumers: [{ name: 'surveys-loops', kinds: LOOPS_EVENT_KINDS, handle: onTicketEventForLoops, batch: onTicketEventsForLoops }],
  guards: [{ name: 'complaint-loop', fn: complaintGuard }],
  workers: [loopsWorker],
  messages: loopsMessages,
});
