import type { Database } from '../../db/client';
import { writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { authorize, can } from '../identity/policy';
import { reminderSettings, type ReminderSettings } from './field.reminders';
import { fieldRemindersRepo as repo, REMINDERS_KEY } from './field.reminders.repo';
import type { ReminderSettingsInput } from './field.reminders.schema';

/** The reminder rule as the next pass reads it (defaults 18:00 and 2 h when the row is missing). */
export async function getReminderSettings(database: Database, ctx: Ctx): Promise<ReminderSettings> {
  if (!can(ctx.actor, 'field.dispatch')) authorize(ctx.actor, 'field.manage');
  return reminderSettings(await repo.settings(database.db));
}

/** Change the reminder rule; the next reminder pass uses it (reminders already sent stay as they are). */
export async function putReminderSettings(database: Database, ctx: Ctx, input: ReminderSettingsInput): Promise<ReminderSettings> {
  authorize(ctx.actor, 'field.manage');
  return database.transaction(async (tx) => {
    const before = reminderSettings(await repo.settings(tx));
    const after: ReminderSettings = { eveningHour: input.eveningHour, leadHours: input.leadHours };
    await repo.putSettings(tx, after);
    await writeAudit(tx, ctx, {
      action: 'field.reminder_settings',
      targetType: 'setting',
      targetId: REMINDERS_KEY,
      changes: { rule: { before, after } },
    });
    return after;
  });
}
