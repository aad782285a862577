import { everyone, publicRoute, staffOnly, type AccessTable } from '../../http/access';

/** Who may call the measures routes (routes.ts, reports.ts). Own-scope callers (measures.own) see their own numbers. */
export const measuresAccess: AccessTable = {
  'GET /metrics/summary': staffOnly('measures.view'),
  'GET /measures': staffOnly(['measures.view', 'measures.own']),
  'GET /measures/version': staffOnly(['measures.view', 'measures.own']),
  'GET /measures/tickets': staffOnly(['measures.view', 'measures.own']),
  'GET /measures/distribution': staffOnly(['measures.view', 'measures.own']),
  'GET /measures/targets': staffOnly(['measures.view', 'measures.own']),
  'PUT /measures/targets/{measure}': staffOnly('measures.manage'),
  'GET /measures/board': staffOnly(['measures.view', 'measures.own']),
  'GET /measures/complaints': staffOnly(['measures.view', 'measures.own']),
  'GET /measures/export': staffOnly(['measures.view', 'measures.own']),
  'GET /measures/field': staffOnly(['measures.view', 'measures.own']),
  'POST /measures/wall-tokens': staffOnly('measures.manage'),
  'GET /measures/wall-tokens': staffOnly('measures.manage'),
  'DELETE /measures/wall-tokens/{id}': staffOnly('measures.manage'),
  'GET /public/wall': publicRoute({
    except: everyone(401),
    why: 'authenticated by a wall display token (?token=), not a session: without one every caller gets 401',
  }),
  'GET /measures/reports': staffOnly('measures.manage'),
  'POST /measures/reports': staffOnly('measures.manage'),
  'DELETE /measures/reports/{id}': staffOnly('measures.manage'),
  'POST /measures/reports/{id}/send': staffOnly('measures.manage'),
  'GET /measures/reports/{id}/chart.png': staffOnly('measures.manage'),
};
