import { customerOnly, staffOnly, type AccessTable } from '../../http/access';

/** Who may record a status request / a solution confirmation (progress.routes.ts). See src/http/access.ts. */
export const progressAccess: AccessTable = {
  'POST /tickets/{id}/status-requests': staffOnly('tickets.work', { ticket: 'id' }),
  'POST /tickets/{id}/solution-confirmations': staffOnly('tickets.work', { ticket: 'id' }),
  'GET /tickets/{id}/checklist': staffOnly('tickets.work', { ticket: 'id' }),
  'POST /tickets/{id}/checklist': staffOnly('tickets.work', { ticket: 'id' }),
  'POST /portal/tickets/{id}/status-requests': customerOnly({ ticket: 'id' }),
  'POST /portal/tickets/{id}/solution-confirmations': customerOnly({ ticket: 'id' }),
};
