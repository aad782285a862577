import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { idempotencyKey, sendKeyed } from '../../http/keyed';
import { syncPlugin } from '../../http/plugin';
import { contentDisposition } from '../attachments/attachments.present';
import { IdParam } from '../identity/identity.schema';
import * as cmd from './field.commands';
import { importSites } from './field.import.commands';
import * as s from './field.schema';
import * as visits from './field.visits.commands';

/** The `Idempotency-Key` header of a technician move (the phone's offline queue sends one with every action). */

/** Send a move's answer, marking a replay. */
const sendMove = (reply: FastifyReply, out: visits.MoveResult) => sendKeyed(reply, 200, out);

export function registerFieldRoutes(api: FastifyInstance, deps: AppDeps) {
  void api.register(
    syncPlugin((scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      const tags = ['field'];
      const db = deps.database;

      app.post(
        '/sites',
        {
          config: { permission: 'field.manage' },
          schema: { tags, summary: 'Create a site (站点: 小区 / 楼栋 / 单元 / 房号, 门店 / 网点)', body: s.SiteCreate, response: { 201: s.Created } },
        },
        async (req, reply) => reply.status(201).send(await cmd.createSite(db, ctxOf(req), req.body)),
      );
      app.get(
        '/sites',
        {
          config: { permission: 'field.view' },
          schema: {
            tags,
            summary: 'Every site, with its path of names (the tree is built from parentId)',
            response: { 200: z.object({ items: z.array(s.Site) }) },
          },
        },
        async (req) => cmd.listSites(db, ctxOf(req)),
      );
      app.post(
        '/sites/import',
        {
          config: { permission: 'field.manage' },
          bodyLimit: 12 * 1024 * 1024,
          schema: {
            tags,
            summary: 'Import sites from CSV or .xlsx (base64; dry run by default, naming bad rows)',
            body: s.ImportBody,
            response: { 200: s.ImportResult },
          },
        },
        async (req) => importSites(db, ctxOf(req), req.body),
      );
      app.get(
        '/sites/:id',
        {
          config: { permission: 'field.view' },
          schema: { tags, summary: 'A site with its assets, child sites and linked customers', params: IdParam, response: { 200: s.SiteDetail } },
        },
        async (req) => cmd.getSite(db, ctxOf(req), req.params.id),
      );
      app.get(
        '/sites/:id/qr',
        {
          config: { permission: 'field.manage' },
          schema: { tags, summary: "The site's signed QR code (code and SVG)", params: IdParam, response: { 200: s.Qr } },
        },
        async (req) => cmd.siteQr(db, ctxOf(req), req.params.id),
      );
      app.get(
        '/sites/:id/labels',
        {
          config: { permission: 'field.manage' },
          schema: {
            tags,
            summary: 'Printable QR label sheet (HTML, A4) of a site, its descendants and their assets',
            params: IdParam,
            response: { 200: z.string() },
          },
        },
        async (req, reply) =>
          reply
            .type('text/html; charset=utf-8')
            .header('X-Content-Type-Options', 'nosniff')
            .header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
            .send(await cmd.labelSheet(db, ctxOf(req), req.params.id)),
      );
      app.get(
        '/sites/:id/labels.pdf',
        {
          config: { permission: 'field.manage' },
          schema: {
            tags,
            summary: 'The QR label sheet of a site, its descendants and their assets as a PDF (A4, 3 × 5 labels a page, zh-CN)',
            params: IdParam,
          },
        },
        async (req, reply) => {
          const r = await cmd.labelSheetPdf(db, ctxOf(req), req.params.id);
          return reply
            .header('content-type', 'application/pdf')
            .header('content-disposition', contentDisposition(r.filename))
            .header('x-content-type-options', 'nosniff')
            .header('cache-control', 'private, no-store')
            .send(r.data);
        },
      );
      app.post(
        '/assets',
        {
          config: { permission: 'field.manage' },
          schema: { tags, summary: 'Register equipment at a site (设备)', body: s.AssetCreate, response: { 201: s.Created } },
        },
        async (req, reply) => reply.status(201).send(await cmd.createAsset(db, ctxOf(req), req.body)),
      );
      app.get(
        '/assets/:id/qr',
        {
          config: { permission: 'field.manage' },
          schema: { tags, summary: "The asset's signed QR code (code and SVG)", params: IdParam, response: { 200: s.Qr } },
        },
        async (req) => cmd.assetQr(db, ctxOf(req), req.params.id),
      );

      app.post(
        '/tickets/:id/visits',
        {
          config: { permission: 'field.dispatch' },
          schema: {
            tags,
            summary: "Book a visit (上门) of a ticket; 409 slot_taken when the technician's window overlaps another visit",
            params: IdParam,
            body: s.VisitCreate,
            response: { 201: z.object({ id: z.uuid(), state: z.enum(s.VISIT_STATES), repeatOfId: z.uuid().nullable() }) },
          },
        },
        async (req, reply) => reply.status(201).send(await visits.createVisit(db, ctxOf(req), req.params.id, req.body)),
      );
      app.get(
        '/tickets/:id/visits',
        {
          config: { permission: 'tickets.work' },
          schema: { tags, summary: "A ticket's visits", params: IdParam, response: { 200: z.object({ items: z.array(s.Visit) }) } },
        },
        async (req) => visits.listTicketVisits(db, ctxOf(req), req.params.id),
      );
      app.get(
        '/visits/mine',
        {
          config: { permission: 'field.work' },
          schema: {
            tags,
            summary: "The caller's visits of a day (default today), in order",
            querystring: s.DayQuery,
            response: { 200: z.object({ date: z.string(), items: z.array(s.DayVisit) }) },
          },
        },
        async (req) => visits.myDay(db, ctxOf(req), req.query.date),
      );
      app.get(
        '/visits/:id',
        { config: { permission: 'field.work' }, schema: { tags, summary: 'A visit (its technician only)', params: IdParam, response: { 200: s.Visit } } },
        async (req) => visits.getVisit(db, ctxOf(req), req.params.id),
      );
      const simple = [
        ['accept', 'Accept a visit', visits.acceptVisit],
        ['depart', 'Set out for the visit (出发)', visits.departVisit],
        ['start', 'Start the work (开始)', visits.startVisit],
      ] as const;
      for (const [name, summary, fn] of simple)
        app.post(
          `/visits/:id/${name}`,
          {
            config: { permission: 'field.work' },
            schema: { tags, summary: `${summary}; accepts Idempotency-Key`, params: IdParam, response: { 200: s.Visit } },
          },
          async (req, reply) => sendMove(reply, await fn(db, ctxOf(req), req.params.id, idempotencyKey(req))),
        );
      app.post(
        '/visits/:id/decline',
        {
          config: { permission: 'field.work' },
          schema: {
            tags,
            summary: 'Decline a visit with a reason; accepts Idempotency-Key',
            params: IdParam,

            body: s.Decline,
            response: { 200: s.Visit },
          },
        },
        async (req, reply) => sendMove(reply, await visits.declineVisit(db, ctxOf(req), req.params.id, req.body.reason, idempotencyKey(req))),
      );
      app.post(
        '/visits/:id/arrive',
        {
          config: { permission: 'field.work' },
          schema: {
            tags,
            summary: "Check in on arrival with the site's or an asset's QR code (422 wrong_site otherwise; manual entry flagged); accepts Idempotency-Key",
            params: IdParam,

            body: s.Arrive,
            response: { 200: s.Visit },
          },
        },
        async (req, reply) =>
          sendMove(reply, await visits.arriveVisit(db, ctxOf(req), req.params.id, req.body.code, req.body.manual ?? false, idempotencyKey(req))),
      );
      app.put(
        '/visits/:id/checklist',
        {
          config: { permission: 'field.work' },
          schema: {
            tags,
            summary: 'The visit checklist steps done so far; accepts Idempotency-Key',
            params: IdParam,

            body: s.ChecklistPut,
            response: { 200: s.Visit },
          },
        },
        async (req, reply) => sendMove(reply, await visits.putChecklist(db, ctxOf(req), req.params.id, req.body.steps, idempotencyKey(req))),
      );
      app.post(
        '/visits/:id/complete',
        {
          config: { permission: 'field.work' },
          schema: {
            tags,
            summary: 'Complete the visit (完成): every checklist step required; accepts Idempotency-Key',
            params: IdParam,

            body: s.Complete,
            response: { 200: s.Visit },
          },
        },
        async (req, reply) => sendMove(reply, await visits.completeVisit(db, ctxOf(req), req.params.id, req.body, idempotencyKey(req))),
      );
    }),
  );
}
