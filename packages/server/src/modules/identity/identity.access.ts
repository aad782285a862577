import { publicRoute, staffOnly, type AccessTable } from '../../http/access';

/** Who may call the identity routes (identity.routes.ts). See src/http/access.ts. */
export const identityAccess: AccessTable = {
  'POST /auth/login': publicRoute(),
  'POST /auth/logout': staffOnly(),
  'POST /auth/logout-all': staffOnly(),
  'GET /me': staffOnly(),
  'PATCH /me': staffOnly(),
  'POST /me/password': staffOnly(),
  'POST /me/totp/setup': staffOnly(),
  'POST /me/totp/confirm': staffOnly(),
  'GET /staff': staffOnly('staff.view'),
  'POST /staff': staffOnly('staff.manage'),
  'GET /staff/{id}': staffOnly('staff.view'),
  'PATCH /staff/{id}': staffOnly('staff.manage'),
  'POST /staff/{id}/reset-password': staffOnly('staff.manage'),
  'POST /staff/{id}/reset-totp': staffOnly('staff.manage'),
  'GET /teams': staffOnly(),
  'POST /teams': staffOnly('teams.manage'),
  'GET /roles': staffOnly('roles.view'),
  'PATCH /roles/{role}': staffOnly('roles.manage'),
};
