import { staffOnly, type AccessTable } from '../../http/access';

/** Who may call the calendar routes (calendars.routes.ts). See src/http/access.ts. */
export const calendarsAccess: AccessTable = {
  'POST /calendars': staffOnly('calendars.manage'),
  'GET /calendars': staffOnly('calendars.view'),
  'GET /calendars/assignments': staffOnly('calendars.view'),
  'PUT /calendars/assignments': staffOnly('calendars.manage'),
  'GET /calendars/resolve': staffOnly('calendars.view'),
  'GET /calendars/{id}': staffOnly('calendars.view'),
  'PATCH /calendars/{id}': staffOnly('calendars.manage'),
  'GET /calendars/{id}/add': staffOnly('calendars.view'),
  'GET /calendars/{id}/elapsed': staffOnly('calendars.view'),
  'GET /calendars/{id}/days': staffOnly('calendars.view'),
  'POST /calendars/{id}/import-ics': staffOnly('calendars.manage'),
  'GET /calendars/holiday-status': staffOnly('calendars.view'),
  'GET /calendars/holiday-feeds': staffOnly('calendars.view'),
  'PUT /calendars/holiday-feeds': staffOnly('calendars.manage'),
  'POST /calendars/{id}/holiday-imports': staffOnly('calendars.manage'),
  'GET /calendars/holiday-imports/{id}': staffOnly('calendars.view'),
  'POST /calendars/holiday-imports/{id}/confirm': staffOnly('calendars.manage'),
  'POST /calendars/holiday-imports/{id}/discard': staffOnly('calendars.manage'),
};
