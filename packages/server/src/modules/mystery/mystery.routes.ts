import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { syncPlugin } from '../../http/plugin';
import { AppError } from '../../lib/errors';
import { MAX_UPLOAD_BYTES, storeUpload } from '../attachments/attachments.commands';
import { contentDisposition } from '../attachments/attachments.present';
import * as attachmentSchema from '../attachments/attachments.schema';
import { IdParam } from '../identity/identity.schema';
import * as cmd from './mystery.commands';
import * as s from './mystery.schema';

export function registerMysteryRoutes(api: FastifyInstance, deps: AppDeps) {
  // Evidence uploads: the attachments module's rules (sniffed type, 10 MB, thumbnails), for inspectors (who hold no
  // tickets.work); the file is bound to the visit when the visit is submitted.
  void api.register(async (scoped) => {
    await scoped.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5, parts: 6 } });
    scoped.withTypeProvider<ZodTypeProvider>().post(
      '/qa/mystery/uploads',
      {
        config: { permission: 'qa.inspect' },
        bodyLimit: MAX_UPLOAD_BYTES + 64 * 1024,
        schema: {
          tags: ['quality'],
          summary: 'Upload one evidence file of a visit (multipart field "file": photo, screenshot or recording, ≤ 10 MB)',
          consumes: ['multipart/form-data'],
          response: { 201: attachmentSchema.Upload },
        },
      },
      async (req, reply) => {
        const file = req.isMultipart() ? await req.file() : undefined;
        if (!file) throw new AppError('validation_failed', 'file: missing', { errors: [{ path: 'file', message: 'missing' }] });
        let data: Buffer;
        try {
          data = await file.toBuffer();
        } catch (err) {
          if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
            throw new AppError('payload_too_large', 'file: larger than 10 MB', { errors: [{ path: 'file', message: 'too large' }] });
          throw err;
        }
        return reply.status(201).send(await storeUpload(deps.database, ctxOf(req), file.filename, data));
      },
    );
  });
  void api.register(
    syncPlugin((scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      const tags = ['quality'];
      const db = deps.database;

      app.get(
        '/qa/mystery/scripts',
        {
          config: { permission: 'qa.view' },
          schema: { tags, summary: 'Mystery shopper scenario scripts (情景脚本), active first', response: { 200: z.object({ items: z.array(s.Script) }) } },
        },
        async (req) => cmd.listScripts(db, ctxOf(req)),
      );
      app.post(
        '/qa/mystery/scripts',
        { config: { permission: 'qa.manage' }, schema: { tags, summary: 'Create a scenario script', body: s.ScriptCreate, response: { 201: s.Script } } },
        async (req, reply) => reply.status(201).send(await cmd.createScript(db, ctxOf(req), req.body)),
      );
      app.patch(
        '/qa/mystery/scripts/:id',
        {
          config: { permission: 'qa.manage' },
          schema: { tags, summary: 'Change a script (a new version; visits keep theirs)', params: IdParam, body: s.ScriptPatch, response: { 200: s.Script } },
        },
        async (req) => cmd.patchScript(db, ctxOf(req), req.params.id, req.body),
      );
      app.post(
        '/qa/mystery/plans',
        {
          config: { permission: 'qa.manage' },
          schema: {
            tags,
            summary: 'Plan a month: visits per site, channel mix and kinds, given to shoppers (re-planning replaces visits not yet done)',
            body: s.PlanCreate,
            response: { 201: z.object({ month: z.string(), planned: z.number().int() }) },
          },
        },
        async (req, reply) => reply.status(201).send(await cmd.planMonthCmd(db, ctxOf(req), req.body)),
      );
      app.get(
        '/qa/mystery/month',
        {
          config: { permission: 'qa.view' },
          schema: {
            tags,
            summary: 'The month view: planned vs done and overdue per site, average score per site and channel',
            querystring: s.MonthQuery,
            response: { 200: s.MonthView },
          },
        },
        async (req) => cmd.monthView(db, ctxOf(req), req.query.month),
      );
      app.get(
        '/qa/mystery/visits',
        {
          config: { permission: 'qa.own' },
          schema: {
            tags,
            summary: 'Visits the caller sees (an unannounced visit is hidden from the site’s staff until submitted)',
            querystring: s.VisitList,
            response: { 200: z.object({ items: z.array(s.Visit) }) },
          },
        },
        async (req) => cmd.listVisits(db, ctxOf(req), req.query),
      );
      app.post(
        '/qa/mystery/visits',
        {
          config: { permission: 'qa.inspect' },
          schema: { tags, summary: 'Plan one visit outside the month plan', body: s.VisitCreate, response: { 201: s.Visit } },
        },
        async (req, reply) => reply.status(201).send(await cmd.createVisit(db, ctxOf(req), req.body)),
      );
      app.get(
        '/qa/mystery/visits/:id',
        { config: { permission: 'qa.own' }, schema: { tags, summary: 'A visit', params: IdParam, response: { 200: s.Visit } } },
        async (req) => cmd.getVisit(db, ctxOf(req), req.params.id),
      );
      app.post(
        '/qa/mystery/visits/:id/submit',
        {
          config: { permission: 'qa.inspect' },
          schema: {
            tags,
            summary: 'Record the visit (its shopper): steps, scores item by item, evidence, staff served',
            params: IdParam,
            body: s.VisitSubmit,
            response: { 200: s.Visit },
          },
        },
        async (req) => cmd.submitVisit(db, ctxOf(req), req.params.id, req.body),
      );
      // Downloads answer the file's bytes (its own Content-Type), so they have no JSON response schema.
      app.get(
        '/qa/mystery/visits/:id/evidence/:attachmentId',
        {
          config: { permission: 'qa.own' },
          schema: { tags, summary: 'An evidence file of a visit (always as an attachment, nosniff)', params: s.EvidenceParam },
        },
        async (req, reply) => {
          const a = await cmd.visitEvidence(db, ctxOf(req), req.params.id, req.params.attachmentId);
          return reply
            .header('content-type', a.mime)
            .header('content-disposition', contentDisposition(a.filename))
            .header('x-content-type-options', 'nosniff')
            .header('content-security-policy', "default-src 'none'; sandbox")
            .header('cache-control', 'private, max-age=3600')
            .send(a.body);
        },
      );
    }),
  );
}
