import { customerOnly, publicRoute, type AccessTable } from '../../http/access';

/** Who may call the customer portal routes (portal.routes.ts). See src/http/access.ts. */
export const portalAccess: AccessTable = {
  'POST /portal/auth/code': publicRoute(),
  'POST /portal/auth/verify': publicRoute(),
  'POST /portal/auth/logout': customerOnly(),
  'POST /portal/auth/logout-all': customerOnly(),
  'GET /portal/me': customerOnly(),
  'GET /portal/tickets': customerOnly(),
  'POST /portal/tickets': customerOnly(),
  'GET /portal/tickets/{id}/survey': customerOnly({ ticket: 'id' }),
  'POST /portal/tickets/{id}/survey': customerOnly({ ticket: 'id' }),
  'POST /portal/tickets/{id}/confirm': customerOnly({ ticket: 'id' }),
};
