import { staffOnly, type AccessTable } from '../../http/access';

/** Who may call the automatic-inspection routes (inspection.routes.ts). See src/http/access.ts. */
export const inspectionAccess: AccessTable = {
  'POST /qa/check': staffOnly(['tickets.work', 'qa.view']),
  // Agents (qa.own) see the hits on their own replies, on tickets they can read.
  'GET /tickets/{id}/qa-hits': staffOnly(['qa.view', 'qa.own'], { ticket: 'id' }),
  'GET /qa/hits': staffOnly(['qa.view', 'qa.own']),
  'GET /qa/hits/stats': staffOnly('qa.view'),
  'GET /qa/rules': staffOnly(['qa.manage', 'qa.view']),
  'POST /qa/rules': staffOnly('qa.manage'),
  'GET /qa/rules/{id}': staffOnly(['qa.manage', 'qa.view']),
  'PUT /qa/rules/{id}': staffOnly('qa.manage'),
  'DELETE /qa/rules/{id}': staffOnly('qa.manage'),
};
