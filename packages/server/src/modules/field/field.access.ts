import { each, staffOnly, type AccessTable } from '../../http/access';
import { fieldDispatchAccess } from './field.dispatch.access';

const ownVisit = {
  except: each(['admin', 'technicianB'], 404),
  why: 'a visit is seen and worked only by its technician (the fixture visit is technicianA’s); anyone else gets 404',
} as const;

/** Who may call the field-service routes (field.routes.ts). See src/http/access.ts. */
export const fieldAccess: AccessTable = {
  'POST /sites': staffOnly('field.manage'),
  'GET /sites': staffOnly('field.view'),
  'POST /sites/import': staffOnly('field.manage'),
  'GET /sites/{id}': staffOnly('field.view'),
  'GET /sites/{id}/qr': staffOnly('field.manage'),
  'GET /sites/{id}/labels': staffOnly('field.manage'),
  'GET /sites/{id}/labels.pdf': staffOnly('field.manage'),
  'POST /assets': staffOnly('field.manage'),
  'GET /assets/{id}/qr': staffOnly('field.manage'),
  'POST /tickets/{id}/visits': staffOnly('field.dispatch', { ticket: 'id' }),
  'GET /tickets/{id}/visits': staffOnly('tickets.work', { ticket: 'id' }),
  'GET /visits/mine': staffOnly('field.work'),
  'GET /visits/{id}': staffOnly('field.work', ownVisit),
  'POST /visits/{id}/accept': staffOnly('field.work', ownVisit),
  'POST /visits/{id}/decline': staffOnly('field.work', ownVisit),
  'POST /visits/{id}/depart': staffOnly('field.work', ownVisit),
  'POST /visits/{id}/arrive': staffOnly('field.work', ownVisit),
  'POST /visits/{id}/start': staffOnly('field.work', ownVisit),
  'PUT /visits/{id}/checklist': staffOnly('field.work', ownVisit),
  'POST /visits/{id}/complete': staffOnly('field.work', ownVisit),
  ...fieldDispatchAccess,
};
