import { z } from 'zod';

/** The visit reminder rule (settings row `field.reminders`): the evening hour before the visit day, or hours before the window. */
export const ReminderSettingsBody = z
  .object({
    eveningHour: z.number().int().min(0).max(23).describe('Local hour (0–23) on the evening before the visit day when the reminder goes out'),
    leadHours: z.number().int().min(1).max(48).describe('Booked (or moved) after that evening: this many hours (1–48) before the window'),
  })
  .meta({ id: 'FieldReminderSettings' });
export type ReminderSettingsInput = z.infer<typeof ReminderSettingsBody>;
