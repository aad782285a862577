import { customerOnly, staffOnly, type AccessTable } from '../../http/access';

/** Who may call the appointment, dispatch and board routes (field.dispatch.routes.ts). */
export const fieldDispatchAccess: AccessTable = {
  'GET /tickets/{id}/slots': staffOnly('field.dispatch', { ticket: 'id' }),
  'POST /tickets/{id}/bookings': staffOnly('field.dispatch', { ticket: 'id' }),
  'GET /portal/tickets/{id}/slots': customerOnly({ ticket: 'id' }),
  'POST /portal/tickets/{id}/bookings': customerOnly({ ticket: 'id' }),
  'GET /visits/{id}/proposals': staffOnly('field.dispatch'),
  'POST /visits/{id}/dispatch': staffOnly('field.dispatch'),
  'POST /visits/{id}/confirm': staffOnly('field.dispatch'),
  'POST /visits/{id}/reschedule': staffOnly('field.dispatch'),
  'POST /visits/{id}/cancel': staffOnly('field.dispatch'),
  'GET /field/technicians': staffOnly('field.dispatch'),
  'PUT /field/technicians': staffOnly('field.manage'),
  'GET /field/board': staffOnly('field.dispatch'),
};
