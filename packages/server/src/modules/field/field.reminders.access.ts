import { staffOnly, type AccessTable } from '../../http/access';

/** Who may call the visit reminder settings routes (field.reminders.routes.ts). */
export const fieldRemindersAccess: AccessTable = {
  'GET /field/reminder-settings': staffOnly(['field.manage', 'field.dispatch']),
  'PUT /field/reminder-settings': staffOnly('field.manage'),
};
