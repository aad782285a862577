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
import { setAccessTables } from '../http/access';
import { attachmentsAccess } from './attachments/attachments.access';
import { auditAccess } from './audit/audit.access';
import { calendarsAccess } from './calendars/calendars.access';
import { channelsAccess } from './channels/channels.access';
import { customersAccess } from './customers/customers.access';
import { identityAccess } from './identity/identity.access';
import { kbAccess } from './kb/kb.access';
import { loopsAccess } from './loops/loops.access';
import { measuresAccess } from './measures/measures.access';
import { portalAccess } from './portal/portal.access';
import { standardsAccess } from './standards/standards.access';
import { surveysAccess } from './surveys/surveys.access';
import { ticketsAccess } from './tickets/tickets.access';
import { realtimeAccess } from '../realtime/realtime.access';

/**
 * Every module's access table (who may call each route; src/http/access.ts). One entry per module; a route
 * without a declaration fails the access matrix test.
 */
export const ACCESS_TABLES = [
  identityAccess, customersAccess, auditAccess, ticketsAccess, attachmentsAccess, portalAccess, channelsAccess, calendarsAccess,
  standardsAccess, realtimeAccess, kbAccess, surveysAccess, loopsAccess, measuresAccess,
];

/**
 * Every domain registers its routes (under /api/v1) here. A module that runs background work
 * (workers, LISTEN) uses `api.addHook('onReady' | 'onClose', …)` inside its register function.
 * Add one line per module.
 */
export function registerModules(api: FastifyInstance, deps: AppDeps): void {
  setAccessTables(ACCESS_TABLES);
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
