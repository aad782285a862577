import { defineModule } from '../module';
import { auditAccess } from './audit.access';
import { auditMessages } from './audit.messages';
import { registerAuditRoutes } from './audit.routes';

export const auditModule = defineModule({ name: 'audit', access: auditAccess, routes: registerAuditRoutes, messages: auditMessages });
