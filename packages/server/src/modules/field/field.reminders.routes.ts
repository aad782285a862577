import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { syncPlugin } from '../../http/plugin';
import * as cmd from './field.reminders.commands';
import * as s from './field.reminders.schema';

/** The settings of the reminders to the customer before a visit (上门提醒, issue #16 item 2). */
export function registerFieldReminderRoutes(api: FastifyInstance, deps: AppDeps) {
  void api.register(
    syncPlugin((scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      const tags = ['field'];
      const db = deps.database;

      app.get(
        '/field/reminder-settings',
        {
          schema: {
            tags,
            summary: 'The visit reminder rule: eveningHour on the evening before, else leadHours before the window (field.dispatch or field.manage)',
            response: { 200: s.ReminderSettingsBody },
          },
        },
        async (req) => cmd.getReminderSettings(db, ctxOf(req)),
      );
      app.put(
        '/field/reminder-settings',
        {
          config: { permission: 'field.manage' },
          schema: {
            tags,
            summary: 'Change the visit reminder rule (used by the next reminder pass)',
            body: s.ReminderSettingsBody,
            response: { 200: s.ReminderSettingsBody },
          },
        },
        async (req) => cmd.putReminderSettings(db, ctxOf(req), req.body),
      );
    }),
  );
}
