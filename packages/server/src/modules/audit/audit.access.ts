import { staffOnly, type AccessTable } from '../../http/access';

/** Who may call the audit routes (audit.routes.ts). See src/http/access.ts. */
export const auditAccess: AccessTable = {
  'GET /audit/facets': staffOnly('audit.view'),
  'GET /audit': staffOnly('audit.view'),
};
