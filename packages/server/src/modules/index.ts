import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../http/app';
import { registerStandardsEngine } from '../engine/index';
import { registerRealtime } from '../realtime/index';
import { registerAuditRoutes } from './audit/audit.routes';
import { registerCalendarRoutes } from './calendars/calendars.routes';
import { registerCustomerRoutes } from './customers/customers.routes';
import { registerCrmRoutes } from './customers/crm';
import { registerIdentityRoutes } from './identity/identity.routes';
import { registerStandardsRoutes } from './standards/standards.routes';
import { registerAttachmentRoutes } from './attachments/attachments';
import { registerChannelRoutes } from './channels/channels';
import { registerPortalRoutes } from './portal/portal';
import { registerTicketRoutes } from './tickets/tickets.routes';
import { registerWorkflowRoutes } from './tickets/workflows.routes';
import { registerKbRoutes } from './kb/kb.routes';
import { registerSurveyRoutes } from './surveys/surveys.routes';
import { registerMeasures } from './measures/index';

/**
 * Every domain registers its routes (under /api/v1) here. A module that runs background work
 * (workers, LISTEN) uses `api.addHook('onReady' | 'onClose', …)` inside its register function.
 * Add one line per module.
 */
export function registerModules(api: FastifyInstance, deps: AppDeps): void {
  registerIdentityRoutes(api, deps);
  registerCustomerRoutes(api, deps);
  registerCrmRoutes(api, deps);
  registerAuditRoutes(api, deps);
  registerTicketRoutes(api, deps);
  registerWorkflowRoutes(api, deps);
  registerAttachmentRoutes(api, deps);
  registerPortalRoutes(api, deps);
  registerChannelRoutes(api, deps);
  registerCalendarRoutes(api, deps);
  registerStandardsRoutes(api, deps);
  registerStandardsEngine(api, deps);
  registerRealtime(api, deps);
  registerKbRoutes(api, deps);
  registerSurveyRoutes(api, deps);
  registerMeasures(api, deps);
}
