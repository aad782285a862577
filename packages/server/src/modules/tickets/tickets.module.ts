import { defineModule } from '../module';
import { ticketsAccess } from './tickets.access';
import { configureTicketCreates } from './tickets.create';
import { ticketsMessages } from './tickets.messages';
import { registerTicketRoutes } from './tickets.routes';
import { registerWorkflowRoutes } from './tickets.workflows.routes';

/**
 * The tickets domain: tickets and their work (tickets.routes.ts), and the workflows around them — handovers,
 * compensations and approvals, orders, links, bulk, categories, dispatch rules, saved filters, duty
 * (tickets.workflows.routes.ts). Its event kinds: ticket-event-kinds.ts. It owns no consumers, guards or workers.
 */
export const ticketsModule = defineModule({
  name: 'tickets',
  access: ticketsAccess,
  messages: ticketsMessages,
  routes(api, deps) {
    configureTicketCreates(deps.database, deps.config);
    registerTicketRoutes(api, deps);
    registerWorkflowRoutes(api, deps);
  },
});
