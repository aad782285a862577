import { staffOnly, type AccessTable } from '../../http/access';

/** Who may call the environment-check routes (environment.routes.ts). See src/http/access.ts. */
export const environmentAccess: AccessTable = {
  'GET /env/templates': staffOnly('qa.view'),
  'PUT /env/templates/{id}': staffOnly('qa.manage'),
  'GET /env/sites': staffOnly('qa.view'),
  'POST /env/checks': staffOnly('qa.inspect'),
  'GET /env/checks': staffOnly('qa.view'),
  'GET /env/checks/{id}': staffOnly('qa.view'),
  'GET /env/tasks': staffOnly('qa.view'),
  // Supervisors, directors and admins run the sites (field.manage) and close corrective tasks.
  'POST /env/tasks/{id}/close': staffOnly('field.manage'),
  'GET /env/sites/{id}/history': staffOnly('qa.view'),
  'GET /env/out-of-range': staffOnly('qa.view'),
};
