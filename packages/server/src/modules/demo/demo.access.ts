import { publicRoute, type AccessTable } from '../../http/access';

export const demoAccess: AccessTable = {
  'GET /demo/accounts': publicRoute({
    why: 'the sign-in page lists the demo logins before anyone is signed in; 404 unless CHIDU_DEMO=1 (the password is the published demo one)',
  }),
};
