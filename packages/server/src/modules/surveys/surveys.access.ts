import { publicRoute, staffOnly, type AccessTable } from '../../http/access';

/** Who may call the survey routes (surveys.routes.ts). See src/http/access.ts. */
export const surveysAccess: AccessTable = {
  'GET /survey-templates': staffOnly('surveys.view'),
  'POST /survey-templates': staffOnly('surveys.manage'),
  'GET /survey-templates/{id}': staffOnly('surveys.view'),
  'PATCH /survey-templates/{id}': staffOnly('surveys.manage'),
  'GET /tickets/{id}/surveys': staffOnly('tickets.work', { ticket: 'id' }),
  'POST /tickets/{id}/surveys': staffOnly('tickets.work', { ticket: 'id' }),
  'GET /tickets/{id}/survey': staffOnly('tickets.work', { ticket: 'id' }),
  'POST /tickets/{id}/survey/resend': staffOnly('tickets.work', { ticket: 'id' }),
  // Answers on tickets the caller may not see are left out (tickets/visibility.ts).
  'GET /surveys/responses': staffOnly('surveys.view'),
  'GET /public/surveys/{token}': publicRoute(),
  'POST /public/surveys/{token}': publicRoute(),
  'GET /surveys/soft-compliance': staffOnly('surveys.view'),
  // The answers of tickets the caller may not see are left out (tickets/visibility.ts).
  'GET /customers/{id}/surveys': staffOnly('surveys.view', { also: ['customers.read'] }),
};
