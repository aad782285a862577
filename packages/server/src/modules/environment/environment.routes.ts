import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { syncPlugin } from '../../http/plugin';
import { IdParam, page } from '../identity/identity.schema';
import * as cmd from './environment.commands';
import * as s from './environment.schema';

export function registerEnvironmentRoutes(api: FastifyInstance, deps: AppDeps) {
  void api.register(
    syncPlugin((scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      const tags = ['environment'];
      const db = deps.database;

      app.get(
        '/env/templates',
        {
          config: { permission: 'qa.view' },
          schema: {
            tags,
            summary: 'Environment checklist templates (环境检查表); the zh-CN default is shipped',
            response: { 200: z.object({ items: z.array(s.EnvTemplate) }) },
          },
        },
        async (req) => cmd.listTemplates(db, ctxOf(req)),
      );
      app.put(
        '/env/templates/:id',
        {
          config: { permission: 'qa.manage' },
          schema: {
            tags,
            summary: 'Change a template (a new version; checks keep theirs)',
            params: IdParam,
            body: s.EnvTemplatePut,
            response: { 200: s.EnvTemplate },
          },
        },
        async (req) => cmd.putTemplate(db, ctxOf(req), req.params.id, req.body),
      );
      app.get(
        '/env/sites',
        {
          config: { permission: 'qa.view' },
          schema: {
            tags,
            summary: 'The sites an inspector may check (the field service site tree)',
            response: { 200: z.object({ items: z.array(s.EnvSite) }) },
          },
        },
        async (req) => cmd.listSites(db, ctxOf(req)),
      );
      app.post(
        '/env/checks',
        {
          config: { permission: 'qa.inspect' },
          schema: {
            tags,
            summary: 'Record an environment check; each failed item opens a corrective task timed by a standard',
            body: s.EnvCheckCreate,
            response: { 201: s.EnvCheck },
          },
        },
        async (req, reply) => reply.status(201).send(await cmd.createCheck(db, ctxOf(req), req.body)),
      );
      app.get(
        '/env/checks',
        {
          config: { permission: 'qa.view' },
          schema: { tags, summary: 'Environment checks, newest first', querystring: s.EnvCheckList, response: { 200: page(s.EnvCheck) } },
        },
        async (req) => cmd.listChecks(db, ctxOf(req), req.query),
      );
      app.get(
        '/env/checks/:id',
        {
          config: { permission: 'qa.view' },
          schema: { tags, summary: 'An environment check with its corrective tasks', params: IdParam, response: { 200: s.EnvCheck } },
        },
        async (req) => cmd.getCheck(db, ctxOf(req), req.params.id),
      );
      app.get(
        '/env/tasks',
        {
          config: { permission: 'qa.view' },
          schema: {
            tags,
            summary: 'Corrective tasks (整改任务), newest first',
            querystring: s.EnvTaskList,
            response: { 200: z.object({ items: z.array(s.EnvTask) }) },
          },
        },
        async (req) => cmd.listTasks(db, ctxOf(req), req.query),
      );
      app.post(
        '/env/tasks/:id/close',
        {
          config: { permission: 'field.manage' },
          schema: {
            tags,
            summary: 'Close a corrective task with a note (stops its standard clock)',
            params: IdParam,
            body: s.EnvTaskClose,
            response: { 200: s.EnvTask },
          },
        },
        async (req) => cmd.closeTask(db, ctxOf(req), req.params.id, req.body),
      );
      app.get(
        '/env/sites/:id/history',
        {
          config: { permission: 'qa.view' },
          schema: {
            tags,
            summary: "A site's environment history: checks, out-of-range count over a period, open corrective tasks",
            params: IdParam,
            querystring: s.EnvPeriod.omit({ siteId: true }),
            response: { 200: s.EnvSiteHistory },
          },
        },
        async (req) => cmd.siteHistory(db, ctxOf(req), req.params.id, req.query),
      );
      app.get(
        '/env/out-of-range',
        {
          config: { permission: 'qa.view' },
          schema: { tags, summary: 'Out-of-range count per site over a period (for dashboards)', querystring: s.EnvPeriod, response: { 200: s.EnvOutOfRange } },
        },
        async (req) => cmd.outOfRange(db, ctxOf(req), req.query),
      );
    }),
  );
}
