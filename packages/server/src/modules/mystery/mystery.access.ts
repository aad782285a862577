import { each, staffOnly, type AccessTable } from '../../http/access';

// Fixtures (test/access-matrix-mystery.ts): a planned unannounced visit of the qa account as shopper, and a submitted
// one with a photo that names agentOwner among the staff served.
const SITE_STAFF = ['supervisor', 'agentOwner', 'agentTeammate', 'agentOther', 'frontdesk', 'technicianA', 'technicianB'] as const;

/** Who may call the mystery-shopper routes (mystery.routes.ts). See src/http/access.ts. */
export const mysteryAccess: AccessTable = {
  'GET /qa/mystery/scripts': staffOnly('qa.view'),
  'POST /qa/mystery/scripts': staffOnly('qa.manage'),
  'PATCH /qa/mystery/scripts/{id}': staffOnly('qa.manage'),
  'POST /qa/mystery/plans': staffOnly('qa.manage'),
  'GET /qa/mystery/month': staffOnly('qa.view'),
  'GET /qa/mystery/visits': staffOnly('qa.own'),
  'POST /qa/mystery/visits': staffOnly('qa.inspect'),
  'POST /qa/mystery/uploads': staffOnly('qa.inspect'),
  'GET /qa/mystery/visits/{id}': staffOnly('qa.own', {
    except: each(SITE_STAFF, 404),
    why: 'an unannounced visit is invisible to the site’s staff and supervisors until it is submitted',
  }),
  'POST /qa/mystery/visits/{id}/submit': staffOnly('qa.inspect', { except: { admin: 403 }, why: 'only the visit’s shopper records it' }),
  'GET /qa/mystery/visits/{id}/evidence/{attachmentId}': staffOnly('qa.own', {
    except: each(['agentTeammate', 'agentOther', 'frontdesk', 'technicianA', 'technicianB'], 404),
    why: 'after submission a visit is seen by qa.view holders and the staff it served (agentOwner) only',
  }),
};
