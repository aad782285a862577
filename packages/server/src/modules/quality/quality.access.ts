import { each, staffOnly, type AccessTable } from '../../http/access';

// Fixture: an inspection of ticket T (owned by agentOwner) by the qa account, with agentOwner's open appeal.
const NOT_THE_AGENT = ['agentTeammate', 'agentOther', 'frontdesk', 'technicianA', 'technicianB'] as const;

/** Who may call the quality routes (quality.routes.ts). See src/http/access.ts. */
export const qualityAccess: AccessTable = {
  'GET /qa/scorecards': staffOnly('qa.view'),
  'POST /qa/scorecards': staffOnly('qa.manage'),
  'GET /qa/scorecard-templates': staffOnly('qa.manage'),
  'POST /qa/scorecard-templates/{key}/adopt': staffOnly('qa.manage'),
  'GET /qa/scorecards/{id}': staffOnly('qa.view'),
  'PATCH /qa/scorecards/{id}': staffOnly('qa.manage'),
  'POST /qa/inspections': staffOnly('qa.inspect'),
  'GET /qa/inspections': staffOnly('qa.own'),
  'GET /qa/inspections/{id}': staffOnly('qa.own', {
    except: each([...NOT_THE_AGENT, 'supervisor'], 404),
    why: 'agents see only inspections of their own work; the supervisor (team B) only those of their teams’ agents',
  }),
  'POST /qa/inspections/{id}/submit': staffOnly('qa.inspect'),
  'POST /qa/inspections/{id}/acknowledge': staffOnly('qa.own', { except: each(NOT_THE_AGENT, 404), why: 'agents see only inspections of their own work' }),
  'POST /qa/inspections/{id}/appeal': staffOnly('qa.own', { except: each(NOT_THE_AGENT, 404), why: 'agents see only inspections of their own work' }),
  'GET /qa/appeals': staffOnly('qa.own'),
  'POST /qa/appeals/{id}/rule': staffOnly('qa.rule_appeals', {
    except: { supervisor: 404 },
    why: 'a supervisor rules on the appeals of their teams’ agents only (the supervisor is of team B, T’s agent of team A)',
  }),
  'GET /qa/coaching': staffOnly('qa.own'),
  'POST /qa/coaching/{id}/complete': staffOnly('qa.rule_appeals', {
    except: { supervisor: 404 },
    why: 'a supervisor closes the coaching tasks of their teams’ agents only (the supervisor is of team B, T’s agent of team A)',
  }),
  'GET /qa/calibrations': staffOnly('qa.view'),
  'POST /qa/calibrations': staffOnly('qa.manage'),
  'GET /qa/calibrations/agreement': staffOnly('qa.view'),
  'GET /qa/calibrations/{id}': staffOnly('qa.view'),
  // Fixture: a session of the qa account and the supervisor on T.
  'POST /qa/calibrations/{id}/scores': staffOnly('qa.view', { except: each(['admin', 'director'], 403), why: 'only the inspectors of the session score it' }),
  'POST /qa/calibrations/{id}/close': staffOnly('qa.manage'),
  'PUT /qa/calibrations/{id}/reference': staffOnly('qa.manage', { except: { qa: 403 }, why: 'an inspector of an open session sets no reference (blind)' }),
  'GET /qa/peer-rounds': staffOnly('qa.rule_appeals'),
  'POST /qa/peer-rounds': staffOnly('qa.rule_appeals'),
  'POST /qa/peer-rounds/{id}/close': staffOnly('qa.rule_appeals'),
  'GET /qa/peer-reviews': staffOnly('qa.own'),
  // Fixture: agentTeammate's review of T in a round of team A.
  'POST /qa/peer-reviews/{id}': staffOnly('qa.own', {
    except: each(['admin', 'director', 'supervisor', 'agentOwner', 'agentOther', 'frontdesk', 'technicianA', 'technicianB', 'qa'], 404),
    why: 'only the reviewer given the ticket scores it',
  }),
  'GET /qa/stats': staffOnly('qa.view'),
  'GET /qa/stats/inspections': staffOnly('qa.view'),
  'GET /qa/stats/export': staffOnly('qa.view'),
  'GET /qa/hits/export': staffOnly('qa.view'),
  'GET /env/checks/export': staffOnly('qa.view'),
  'GET /performance': staffOnly('qa.own'),
  'GET /performance/ranking': staffOnly('performance.view'),
  'GET /performance/weights': staffOnly('qa.own'),
  'PUT /performance/weights': staffOnly('measures.manage'),
  'POST /proposals': staffOnly('qa.own'),
  'GET /proposals': staffOnly('qa.own'),
  'POST /proposals/{id}/review': staffOnly('proposals.review'),
  'GET /qa/sampling-plans': staffOnly('qa.view'),
  'POST /qa/sampling-plans': staffOnly('qa.manage'),
  'POST /qa/sampling-plans/{id}/draw': staffOnly('qa.manage'),
  'GET /qa/queue': staffOnly('qa.inspect'),
};
