import { staffOnly, type AccessTable } from '../../http/access';

/** Who may call the recovery / complaint / care routes (loops.routes.ts). See src/http/access.ts. */
export const loopsAccess: AccessTable = {
  'GET /tickets/{id}/recovery': staffOnly('tickets.work', { ticket: 'id' }),
  'GET /recovery-cases': staffOnly('loops.recover'),
  'POST /recovery-cases/{id}/contact': staffOnly('loops.recover'),
  'POST /recovery-cases/{id}/solution': staffOnly('loops.recover'),
  'POST /recovery-cases/{id}/revisit': staffOnly('loops.recover'),
  'POST /recovery-cases/{id}/close': staffOnly('loops.recover'),
  'GET /complaints': staffOnly('loops.work'),
  'GET /tickets/{id}/complaint': staffOnly('loops.work', { ticket: 'id' }),
  'PATCH /tickets/{id}/complaint': staffOnly('loops.work', { ticket: 'id' }),
  'POST /tickets/{id}/complaint/steps': staffOnly('loops.work', { ticket: 'id' }),
  'GET /care-tasks': staffOnly('loops.work'),
  'POST /care-tasks/{id}/complete': staffOnly('loops.work', {
    except: { agentTeammate: 403, agentOther: 403, frontdesk: 403, technicianA: 403, technicianB: 403 },
    why: 'a care task is completed by its owner (agentOwner) or a supervisor (tickets.assign_any)',
  }),
  'GET /customers/{id}/reactivation': staffOnly('loops.work'),
  'POST /loops/reactivation/scan': staffOnly('surveys.manage'),
  'GET /loops/settings': staffOnly('surveys.view'),
  'PUT /loops/settings': staffOnly('surveys.manage'),
};
