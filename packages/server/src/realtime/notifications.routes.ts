import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/client';
import { ctxOf } from '../http/auth';
import * as cmd from './notifications.commands';
import * as s from './notifications.schema';

export { notificationTicketVisible } from './notifications.repo';

export function registerNotificationRoutes(base: FastifyInstance, database: Database) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['notifications'];

  app.get(
    '/notifications',
    { schema: { tags, summary: 'My notifications, newest first', querystring: s.ListQuery, response: { 200: s.NotificationList } } },
    async (req) => cmd.listNotifications(database, ctxOf(req), req.query),
  );

  app.post(
    '/notifications/:id/read',
    {
      schema: { tags, summary: 'Mark one of my notifications read', params: s.NumId, response: { 204: z.null().describe('Marked read') } },
    },
    async (req, reply) => {
      await cmd.markRead(database, ctxOf(req), Number(req.params.id));
      return reply.status(204).send(null);
    },
  );

  app.post('/notifications/read-all', { schema: { tags, summary: 'Mark all my notifications read', response: { 200: s.ReadAll } } }, async (req) =>
    cmd.markAllRead(database, ctxOf(req)),
  );

  app.get(
    '/notifications/preferences',
    {
      schema: { tags, summary: 'My delivery channels (in-app, email, webhook) and quiet hours', response: { 200: s.Prefs } },
    },
    async (req) => cmd.getPrefs(database, ctxOf(req)),
  );

  app.put(
    '/notifications/preferences',
    {
      schema: { tags, summary: 'Change my delivery channels and quiet hours (fields left out stay)', body: s.PrefsPut, response: { 200: s.Prefs } },
    },
    async (req) => cmd.putPrefs(database, ctxOf(req), req.body),
  );

  app.post(
    '/notifications/test',
    {
      schema: { tags, summary: 'Send myself a test notification through my channels', response: { 201: s.TestSent } },
    },
    async (req, reply) => reply.status(201).send(await cmd.sendTest(database, ctxOf(req))),
  );

  app.get(
    '/notifications/deliveries',
    {
      schema: { tags, summary: 'Email / webhook deliveries of my notifications (newest first)', response: { 200: s.DeliveryList } },
    },
    async (req) => cmd.listDeliveries(database, ctxOf(req)),
  );
}
