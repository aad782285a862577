import { anyPrincipal, each, publicRoute, staffOnly, type AccessTable } from '../../http/access';

// Fixture: items written by an admin (category without experts). Editing needs the author, the owner, an expert of the
// category or kb.manage; a draft / an item in review is seen by its author, experts and managers only.
const NOT_EDITORS = ['supervisor', 'agentOwner', 'agentTeammate', 'agentOther', 'frontdesk', 'qa'] as const;
const CANNOT_SEE_UNPUBLISHED = ['supervisor', 'agentOwner', 'agentTeammate', 'agentOther', 'frontdesk', 'technicianA', 'technicianB', 'qa'] as const;

/** Who may call the knowledge-base routes (kb.routes.ts). See src/http/access.ts. */
export const kbAccess: AccessTable = {
  'POST /kb/articles': staffOnly('kb.write'),
  'GET /kb/articles': staffOnly('kb.view'),
  'GET /kb/articles/{id}': staffOnly('kb.view'),
  'PATCH /kb/articles/{id}': staffOnly('kb.write', { except: each(NOT_EDITORS, 403), why: 'author, owner, category expert or kb.manage' }),
  'POST /kb/articles/{id}/submit': staffOnly('kb.write', { except: each(NOT_EDITORS, 404), why: 'a draft is seen by its author, experts and kb.manage' }),
  'POST /kb/articles/{id}/review': staffOnly('kb.view', {
    except: { ...each(CANNOT_SEE_UNPUBLISHED, 404), director: 403, trainer: 403 },
    why: 'an item in review is seen by its author, experts and kb.manage; only an expert of the category or an admin decides',
  }),
  'POST /kb/articles/{id}/flag': staffOnly('kb.view'),
  'POST /kb/articles/{id}/retire': staffOnly('kb.write', { except: each(NOT_EDITORS, 403), why: 'owner, category expert or kb.manage' }),
  'GET /kb/articles/{id}/versions': staffOnly('kb.view'),
  'GET /kb/articles/{id}/versions/{version}/diff': staffOnly('kb.view'),
  'POST /kb/articles/{id}/versions/{version}/restore': staffOnly('kb.write', { except: each(NOT_EDITORS, 403), why: 'as editing' }),
  'GET /kb/reviews': staffOnly('kb.review'),
  'GET /kb/search': anyPrincipal(),
  'GET /kb/categories': staffOnly('kb.view'),
  'POST /kb/categories': staffOnly('kb.manage'),
  'PATCH /kb/categories/{id}': staffOnly('kb.manage'),
  'PUT /kb/categories/{id}/experts': staffOnly('kb.manage'),
  'GET /kb/vocabulary': staffOnly('kb.view'),
  'POST /kb/vocabulary': staffOnly('kb.manage'),
  'DELETE /kb/vocabulary/{id}': staffOnly('kb.manage'),
  'GET /kb/starter-pack': staffOnly('kb.manage'),
  'POST /kb/starter-pack/import': staffOnly('kb.manage'),
  'GET /kb/application-rate': staffOnly('kb.view'),
  'GET /kb/contributions': staffOnly('kb.view'),
  'GET /kb/contributions/{id}': staffOnly('kb.view'),
  // Knowledge inside a ticket: the ticket must be visible; working the ticket is required too.
  'GET /tickets/{id}/kb-suggestions': staffOnly('kb.view', { also: ['tickets.work'], ticket: 'id' }),
  'POST /tickets/{id}/kb-render': staffOnly('kb.view', { also: ['tickets.work'], ticket: 'id' }),
  'POST /tickets/{id}/kb-usage': staffOnly('kb.view', { also: ['tickets.work'], ticket: 'id' }),
  'GET /tickets/{id}/kb-usage': staffOnly('kb.view', { also: ['tickets.work'], ticket: 'id' }),
  'GET /public/kb/categories': publicRoute(),
  'GET /public/kb/articles': publicRoute(),
  'GET /public/kb/articles/{id}': publicRoute(),
  'GET /public/kb/search': publicRoute(),
  'POST /public/kb/articles/{id}/feedback': publicRoute(),
};
