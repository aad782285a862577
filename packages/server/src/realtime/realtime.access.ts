import { staffOnly, type AccessTable } from '../http/access';

/** Who may call the notification routes (notifications.routes.ts): each staff member their own. */
export const realtimeAccess: AccessTable = {
  'GET /notifications': staffOnly(),
  'POST /notifications/{id}/read': staffOnly(undefined, {
    except: {
      admin: 404,
      director: 404,
      supervisor: 404,
      agentTeammate: 404,
      agentOther: 404,
      frontdesk: 404,
      technicianA: 404,
      technicianB: 404,
      qa: 404,
      trainer: 404,
    },
    why: 'a notification belongs to its recipient (agentOwner)',
  }),
  'POST /notifications/read-all': staffOnly(),
  'GET /notifications/preferences': staffOnly(),
  'PUT /notifications/preferences': staffOnly(),
  'POST /notifications/test': staffOnly(),
  'GET /notifications/deliveries': staffOnly(),
};
