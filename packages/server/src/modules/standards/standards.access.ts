import { staffOnly, type AccessTable } from '../../http/access';

/** Who may call the service-standard routes (standards.routes.ts). See src/http/access.ts. */
export const standardsAccess: AccessTable = {
  'GET /standards/templates': staffOnly('standards.view'),
  'POST /standards/templates/{key}/adopt': staffOnly('standards.manage'),
  'POST /standards/target-templates/{key}/adopt': staffOnly('measures.manage'),
  'POST /standards': staffOnly('standards.manage'),
  'POST /standards/preview': staffOnly('standards.manage'),
  'GET /standards': staffOnly('standards.view'),
  'GET /standards/compliance': staffOnly('standards.compliance'),
  'GET /standards/checkpoints': staffOnly('standards.view'),
  'GET /tickets/{id}/checkpoints': staffOnly('standards.view', { ticket: 'id' }),
  'GET /standards/sqi': staffOnly('standards.compliance'),
  'PATCH /standards/improvements/{improvementId}': staffOnly('standards.improve'),
  'GET /standards/{id}': staffOnly('standards.view'),
  'PATCH /standards/{id}': staffOnly('standards.manage'),
  'GET /standards/{id}/versions': staffOnly('standards.view'),
  'GET /standards/{id}/compliance': staffOnly('standards.compliance'),
  'GET /standards/{id}/compliance/breakdown': staffOnly('standards.compliance'),
  // Clock instances list tickets: only those the caller may see (tickets/visibility.ts).
  'GET /standards/{id}/instances': staffOnly('standards.compliance'),
  'POST /standards/{id}/improvements': staffOnly('standards.improve'),
  'GET /standards/{id}/improvements': staffOnly('standards.compliance'),
};
