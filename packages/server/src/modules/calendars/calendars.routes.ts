import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { syncPlugin } from '../../http/plugin';
import { IdParam, page } from '../identity/identity.schema';
import * as cmd from './calendars.commands';
import * as s from './calendars.schema';

export function registerCalendarRoutes(api: FastifyInstance, deps: AppDeps) {
  void api.register(
    syncPlugin((scope) => {
      // iCalendar uploads: `Content-Type: text/calendar` with the file as the body.
      scope.addContentTypeParser('text/calendar', { parseAs: 'string' }, (_req, body, done) => done(null, body));
      const app = scope.withTypeProvider<ZodTypeProvider>();
      const tags = ['calendars'];
      const db = deps.database;

      app.post(
        '/calendars',
        {
          config: { permission: 'calendars.manage' },
          schema: { tags, summary: 'Create a business calendar (营业日历)', body: s.CalendarCreate, response: { 201: s.Calendar } },
        },
        async (req, reply) => reply.status(201).send(await cmd.createCalendar(db, ctxOf(req), req.body)),
      );

      app.get(
        '/calendars',
        {
          config: { permission: 'calendars.view' },
          schema: { tags, summary: 'Business calendars, newest first', querystring: s.CalendarListQuery, response: { 200: page(s.Calendar) } },
        },
        async (req) => cmd.listCalendars(db, ctxOf(req), req.query),
      );

      app.get(
        '/calendars/assignments',
        {
          config: { permission: 'calendars.view' },
          schema: {
            tags,
            summary: 'Which calendar tickets run on, by scope (customer > tier > site > team > default)',
            response: { 200: z.object({ items: z.array(s.Assignment) }) },
          },
        },
        async (req) => cmd.listAssignments(db, ctxOf(req)),
      );

      app.put(
        '/calendars/assignments',
        {
          config: { permission: 'calendars.manage' },
          schema: {
            tags,
            summary: 'Attach a calendar to a team, site, customer tier, customer or the default (calendarId null detaches)',
            body: s.AssignmentPut,
            response: { 200: z.object({ items: z.array(s.Assignment) }) },
          },
        },
        async (req) => cmd.putAssignment(db, ctxOf(req), req.body),
      );

      app.get(
        '/calendars/resolve',
        {
          config: { permission: 'calendars.view' },
          schema: { tags, summary: 'The calendar a ticket with these keys runs on', querystring: s.ResolveQuery, response: { 200: s.Resolved } },
        },
        async (req) => cmd.resolveCalendar(db, ctxOf(req), req.query),
      );

      app.get(
        '/calendars/:id',
        {
          config: { permission: 'calendars.view' },
          schema: { tags, summary: 'A business calendar, with the years its holiday set covers', params: IdParam, response: { 200: s.Calendar } },
        },
        async (req) => cmd.getCalendar(db, ctxOf(req), req.params.id),
      );

      app.patch(
        '/calendars/:id',
        {
          config: { permission: 'calendars.manage' },
          schema: {
            tags,
            summary: 'Change a calendar (new version; running clocks on it get new deadlines)',
            params: IdParam,
            body: s.CalendarPatch,
            response: { 200: s.Calendar },
          },
        },
        async (req) => cmd.updateCalendar(db, ctxOf(req), req.params.id, req.body),
      );

      app.get(
        '/calendars/:id/add',
        {
          config: { permission: 'calendars.view' },
          schema: {
            tags,
            summary: 'Earliest instant at which N business seconds have elapsed since from',
            params: IdParam,
            querystring: s.AddQuery,
            response: { 200: z.object({ dueAt: z.string() }) },
          },
        },
        async (req) => cmd.addBusinessSeconds(db, ctxOf(req), req.params.id, req.query.from, req.query.seconds),
      );

      app.get(
        '/calendars/:id/elapsed',
        {
          config: { permission: 'calendars.view' },
          schema: {
            tags,
            summary: 'Business seconds between two instants',
            params: IdParam,
            querystring: s.ElapsedQuery,
            response: { 200: z.object({ seconds: z.number().int() }) },
          },
        },
        async (req) => cmd.elapsedBusinessSeconds(db, ctxOf(req), req.params.id, req.query.from, req.query.to),
      );

      app.get(
        '/calendars/:id/days',
        {
          config: { permission: 'calendars.view' },
          schema: {
            tags,
            summary: 'What the calendar does on each local date (month view): kind, festival name, hours',
            params: IdParam,
            querystring: s.DaysQuery,
            response: { 200: z.object({ timeZone: z.string(), items: z.array(s.DayInfo) }) },
          },
        },
        async (req) => cmd.calendarDays(db, ctxOf(req), req.params.id, req.query.from, req.query.to),
      );

      app.post(
        '/calendars/:id/import-ics',
        {
          config: { permission: 'calendars.manage' },
          schema: {
            tags,
            summary: 'Import holidays and make-up workdays from an iCalendar file as overrides (body: text/calendar, or JSON {ics, replace?})',
            params: IdParam,
            body: z.union([z.string().min(1).max(2_000_000), s.IcsJson]),
            response: { 200: s.IcsResult },
          },
        },
        async (req) => {
          const body = req.body;
          const ics = typeof body === 'string' ? body : body.ics;
          const replace = typeof body === 'string' ? false : Boolean(body.replace);
          return cmd.importIcs(db, ctxOf(req), req.params.id, ics, replace);
        },
      );
    }),
  );
}
