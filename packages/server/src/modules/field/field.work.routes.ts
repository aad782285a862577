import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { idempotencyKey, sendKeyed } from '../../http/keyed';
import { syncPlugin } from '../../http/plugin';
import { AppError } from '../../lib/errors';
import { contentDisposition } from '../attachments/attachments.present';
import { IdParam } from '../identity/identity.schema';
import * as cmd from './field.work.commands';
import * as s from './field.work.schema';

/** The multipart photo upload: the file and the text fields (`phase`, `keepLocation`), whatever their order. */
async function readPhoto(req: FastifyRequest): Promise<cmd.PhotoUpload> {
  if (!req.isMultipart())
    throw new AppError('unsupported_media_type', 'Send multipart/form-data with a "file" field', { errors: [{ path: 'file', message: 'missing' }] });
  const out: cmd.PhotoUpload = { data: null, phase: undefined, keepLocation: undefined };
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        if (part.fieldname === 'file' && out.data === null) out.data = await part.toBuffer();
        else await part.toBuffer();
      } else if (part.fieldname === 'phase') out.phase = String(part.value);
      else if (part.fieldname === 'keepLocation') out.keepLocation = String(part.value);
    }
  } catch (err) {
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
      throw new AppError('payload_too_large', 'file: larger than 10 MB', { errors: [{ path: 'file', message: 'too large' }] });
    throw err;
  }
  return out;
}

/** Photos, quote, sign-off and the service report of a visit (api.md "engineer A"). */
export function registerFieldWorkRoutes(api: FastifyInstance, deps: AppDeps) {
  const db = deps.database;
  const tags = ['field'];

  void api.register(async (scoped) => {
    await scoped.register(multipart, { limits: { fileSize: s.MAX_PHOTO_BYTES, files: 1, fields: 5, parts: 6 } });
    const app = scoped.withTypeProvider<ZodTypeProvider>();
    app.post(
      '/visits/:id/photos',
      {
        config: { permission: 'field.work' },
        bodyLimit: s.MAX_PHOTO_BYTES + 64 * 1024,
        schema: {
          tags,
          summary:
            'A before / after photo (multipart: file, phase, keepLocation): re-encoded, ≤ 1600 px, metadata stripped (GPS kept on request); accepts Idempotency-Key',
          consumes: ['multipart/form-data'],
          params: IdParam,
          response: { 201: s.PhotoCreated },
        },
      },
      async (req, reply) => {
        const ctx = ctxOf(req);
        await cmd.photoVisit(db, ctx, req.params.id); // the caller first (anyone but the technician: 404), then the body
        const photo = await readPhoto(req);
        return sendKeyed(reply, 201, await cmd.uploadPhoto(db, ctx, req.params.id, photo, idempotencyKey(req)));
      },
    );
  });

  void api.register(
    syncPlugin((scoped) => {
      const app = scoped.withTypeProvider<ZodTypeProvider>();
      app.post(
        '/visits/:id/quote',
        {
          config: { permission: 'field.work' },
          schema: {
            tags,
            summary: 'Quote (报价) before the work; start is refused (409 quote_pending) until accepted; accepts Idempotency-Key',
            params: IdParam,
            body: s.QuoteCreate,
            response: { 201: s.QuoteCreated },
          },
        },
        async (req, reply) => {
          return sendKeyed(reply, 201, await cmd.createQuote(db, ctxOf(req), req.params.id, req.body, idempotencyKey(req)));
        },
      );
      app.post(
        '/visits/:id/quote/accept',
        {
          config: { permission: 'field.work' },
          schema: {
            tags,
            summary: "The customer accepts the quote on the technician's phone; accepts Idempotency-Key",
            params: IdParam,
            body: s.Empty.optional(),
            response: { 200: s.QuoteAccepted },
          },
        },
        async (req, reply) => {
          return sendKeyed(reply, 200, await cmd.acceptQuote(db, ctxOf(req), req.params.id, idempotencyKey(req)));
        },
      );
      app.post(
        '/visits/:id/signoff',
        {
          config: { permission: 'field.work' },
          bodyLimit: 512 * 1024,
          schema: {
            tags,
            summary: "The customer signs off on the technician's phone (signature PNG, rating 1–5): builds the service report PDF; accepts Idempotency-Key",
            params: IdParam,
            body: s.SignoffCreate,
            response: { 201: s.SignedOff },
          },
        },
        async (req, reply) => {
          return sendKeyed(reply, 201, await cmd.signoffOnDevice(db, ctxOf(req), req.params.id, req.body, idempotencyKey(req)));
        },
      );
      app.post(
        '/visits/:id/signoff-link',
        {
          config: {},
          schema: {
            tags,
            summary: "A one-time sign-off link (24 h) for the customer's own phone; accepts Idempotency-Key",
            params: IdParam,
            response: { 201: s.SignoffLink },
          },
        },
        async (req, reply) => {
          return sendKeyed(reply, 201, await cmd.createSignoffLink(db, ctxOf(req), req.params.id, idempotencyKey(req)));
        },
      );
      app.get(
        '/visits/:id/work',
        {
          config: {},
          schema: {
            tags,
            summary: "A visit's photos, quote, sign-off and report (its technician, or staff who can see the ticket)",
            params: IdParam,
            response: { 200: s.VisitWork },
          },
        },
        async (req) => cmd.visitWork(db, ctxOf(req), req.params.id),
      );
      const pdf = (reply: import('fastify').FastifyReply, r: { filename: string; data: Buffer }) =>
        reply
          .header('content-type', 'application/pdf')
          .header('content-disposition', contentDisposition(r.filename))
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'private, max-age=3600')
          .send(r.data);
      app.get(
        '/visits/:id/report.pdf',
        {
          config: {},
          schema: { tags, summary: 'The service report (服务回执) PDF of a signed-off visit', params: IdParam },
        },
        async (req, reply) => pdf(reply, await cmd.staffReport(db, ctxOf(req), req.params.id)),
      );
      app.get(
        '/portal/visits/:id/report.pdf',
        {
          config: { audience: 'customer' },
          schema: { tags: ['portal'], summary: 'The service report (服务回执) PDF of a visit of my request', params: IdParam },
        },
        async (req, reply) => pdf(reply, await cmd.portalReport(db, ctxOf(req), req.params.id)),
      );
      app.get(
        '/portal/tickets/:id/visit-reports',
        {
          config: { audience: 'customer' },
          schema: {
            tags: ['portal'],
            summary: 'The service reports of my request (one per signed-off visit)',
            params: IdParam,
            response: { 200: s.VisitReports },
          },
        },
        async (req) => cmd.portalTicketReports(db, ctxOf(req), req.params.id),
      );
      app.get(
        '/public/visit-signoff/:token',
        {
          config: { public: true },
          schema: {
            tags,
            summary: 'Public: the visit behind a one-time sign-off link (no phone numbers); 410 token_expired when used or expired',
            params: s.TokenParam,
            security: [],
            response: { 200: s.PublicVisitSummary },
          },
        },
        async (req) => cmd.publicSignoffSummary(db, req.params.token),
      );
      app.post(
        '/public/visit-signoff/:token',
        {
          config: { public: true },
          bodyLimit: 512 * 1024,
          schema: {
            tags,
            summary: 'Public: the customer signs off through the link (once; 410 token_expired after)',
            params: s.TokenParam,
            body: s.PublicSignoffCreate,
            security: [],
            response: { 201: s.SignedOff },
          },
        },
        async (req, reply) => reply.status(201).send(await cmd.publicSignoff(db, req.params.token, req.body, { ip: req.ip, requestId: req.id })),
      );
    }),
  );
}
