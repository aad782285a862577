import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { syncPlugin } from '../../http/plugin';
import { IdParam } from '../identity/identity.schema';
import * as cmd from './holidays.commands';
import * as s from './holidays.schema';

/** Next year's holidays: feeds, previewed imports and the coverage status the banner shows (docs/calendars.md). */
export function registerHolidayRoutes(api: FastifyInstance, deps: AppDeps) {
  void api.register(
    syncPlugin((scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      const tags = ['calendars'];
      const db = deps.database;

      app.get(
        '/calendars/holiday-status',
        {
          config: { permission: 'calendars.view' },
          schema: {
            tags,
            summary: "Whether this year's (and from 1 November next year's) holidays are missing on calendars in use; pending feed updates",
            querystring: s.HolidayStatusQuery,
            response: { 200: s.HolidayStatus },
          },
        },
        async (req) => cmd.holidayStatus(db, ctxOf(req), req.query.date),
      );

      app.get(
        '/calendars/holiday-feeds',
        {
          config: { permission: 'calendars.view' },
          schema: { tags, summary: 'Configured holiday feeds and their last daily check', response: { 200: z.object({ items: z.array(s.HolidayFeed) }) } },
        },
        async (req) => cmd.listHolidayFeeds(db, ctxOf(req)),
      );

      app.put(
        '/calendars/holiday-feeds',
        {
          config: { permission: 'calendars.manage' },
          schema: {
            tags,
            summary: 'Set (or remove, url null) the holiday feed of a calendar or of the organisation',
            body: s.HolidayFeedPut,
            response: { 200: z.object({ items: z.array(s.HolidayFeed) }) },
          },
        },
        async (req) => cmd.putHolidayFeed(db, ctxOf(req), req.body),
      );

      app.post(
        '/calendars/:id/holiday-imports',
        {
          config: { permission: 'calendars.manage' },
          schema: {
            tags,
            summary: 'Preview a holiday import from a file (holiday-cn JSON or .ics) or a feed URL: what changes per year (nothing applied yet)',
            params: IdParam,
            body: s.HolidayImportInput,
            response: { 201: s.HolidayImport },
          },
        },
        async (req, reply) => reply.status(201).send(await cmd.previewHolidayImport(db, ctxOf(req), req.params.id, req.body)),
      );

      app.get(
        '/calendars/holiday-imports/:id',
        {
          config: { permission: 'calendars.view' },
          schema: { tags, summary: 'A previewed holiday import', params: IdParam, response: { 200: s.HolidayImport } },
        },
        async (req) => cmd.getHolidayImport(db, ctxOf(req), req.params.id),
      );

      app.post(
        '/calendars/holiday-imports/:id/confirm',
        {
          config: { permission: 'calendars.manage' },
          schema: {
            tags,
            summary: 'Apply exactly what was previewed (new calendar version; running clocks recomputed)',
            params: IdParam,
            response: { 200: s.HolidayImportConfirmed },
          },
        },
        async (req) => cmd.confirmHolidayImport(db, ctxOf(req), req.params.id),
      );

      app.post(
        '/calendars/holiday-imports/:id/discard',
        {
          config: { permission: 'calendars.manage' },
          schema: { tags, summary: 'Discard a previewed or offered holiday import', params: IdParam, response: { 200: s.HolidayImport } },
        },
        async (req) => cmd.discardHolidayImport(db, ctxOf(req), req.params.id),
      );
    }),
  );
}
