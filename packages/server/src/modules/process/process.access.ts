import { customerOnly, staffOnly, type AccessTable } from '../../http/access';

/** Who may call the process-requirement routes (process.routes.ts). See src/http/access.ts. */
export const processAccess: AccessTable = {
  'GET /tickets/{id}/solution-options': staffOnly('tickets.work', { ticket: 'id' }),
  'POST /tickets/{id}/solution-options': staffOnly('tickets.work', { ticket: 'id' }),
  'POST /tickets/{id}/solution-options/choice': staffOnly('tickets.work', { ticket: 'id' }),
  'POST /tickets/{id}/compensation-acceptances': staffOnly('tickets.work', { ticket: 'id' }),
  'GET /portal/tickets/{id}/compensations': customerOnly({ ticket: 'id' }),
  'POST /portal/tickets/{id}/compensation-acceptances': customerOnly({ ticket: 'id' }),
  'GET /settings/front-desk-gifts': staffOnly(),
  'PUT /settings/front-desk-gifts': staffOnly('roles.manage'),
};
