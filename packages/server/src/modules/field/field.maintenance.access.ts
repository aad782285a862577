import { staffOnly, type AccessTable } from '../../http/access';

/** Who may call the preventive-maintenance routes (field.maintenance.routes.ts). */
export const fieldMaintenanceAccess: AccessTable = {
  'GET /field/maintenance/proposals': staffOnly(['field.manage', 'field.dispatch']),
  'POST /field/maintenance/proposals/{id}/accept': staffOnly('field.manage'),
  'POST /field/maintenance/proposals/{id}/dismiss': staffOnly('field.manage'),
  'GET /field/maintenance/plans': staffOnly(['field.manage', 'field.dispatch']),
  'POST /field/maintenance/plans': staffOnly('field.manage'),
  'PATCH /field/maintenance/plans/{id}': staffOnly('field.manage'),
  'GET /field/maintenance/settings': staffOnly(['field.manage', 'field.dispatch']),
  'PUT /field/maintenance/settings': staffOnly('field.manage'),
};
