import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { attachments, ticketReplies, tickets } from '../../db/schema';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { visibleTicketById } from '../tickets/visibility';

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/** What we accept, by sniffed content (never by the name or the client's Content-Type). */
const ALLOWED = new Map<string, string>([
  ['image/jpeg', 'jpg'], ['image/png', 'png'], ['image/gif', 'gif'], ['image/webp', 'webp'], ['image/heic', 'heic'],
  ['application/pdf', 'pdf'],
  ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'],
  ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx'],
  ['application/vnd.openxmlformats-officedocument.presentationml.presentation', 'pptx'],
  ['application/x-cfb', 'doc'], ['audio/mpeg', 'mp3'], ['audio/wav', 'wav'], ['video/mp4', 'mp4'],
]);
const THUMBABLE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

export async function sniff(data: Buffer, filename: string): Promise<string | null> {
  const { fileTypeFromBuffer } = await import('file-type');
  const ft = await fileTypeFromBuffer(data);
  if (ft) return ALLOWED.has(ft.mime) ? ft.mime : null;
  // Plain text has no magic bytes: accept .txt/.csv that decode as UTF-8 without NULs.
  if (/\.(txt|csv|log)$/i.test(filename) && !data.includes(0)) {
    try { new TextDecoder('utf-8', { fatal: true }).decode(data); return 'text/plain'; } catch { return null; }
  }
  return null;
}

export function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? 'file';
  const cleaned = base.replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '_').trim().slice(-120);
  return cleaned || 'file';
}

async function thumbnail(data: Buffer, mime: string): Promise<Buffer | null> {
  if (!THUMBABLE.has(mime)) return null;
  try {
    const { default: sharp } = await import('sharp');
    return await sharp(data, { failOn: 'error', limitInputPixels: 50_000_000 }).rotate().resize({ width: 320, height: 320, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 72 }).toBuffer();
  } catch {
    throw new AppError('validation_failed', 'file: the image could not be read', { errors: [{ path: 'file', message: 'is not a readable image' }] });
  }
}

export async function storeUpload(database: Database, ctx: Ctx, filename: string, data: Buffer) {
  if (ctx.actor.kind === 'system') throw new AppError('forbidden');
  if (data.length === 0) throw new AppError('validation_failed', 'file: is empty', { errors: [{ path: 'file', message: 'is empty' }] });
  const mime = await sniff(data, filename);
  if (!mime) throw new AppError('unsupported_media_type', 'Only photos (JPEG, PNG, GIF, WebP, HEIC), PDF, Office documents, audio/video and plain text are accepted', { errors: [{ path: 'file', message: 'type not accepted' }] });
  const thumb = await thumbnail(data, mime);
  const id = uuidv7();
  const name = safeFilename(filename);
  await database.transaction(async (tx) => {
    await tx.insert(attachments).values({
      id, uploadedByKind: ctx.actor.kind, uploadedById: ctx.actor.id, filename: name, mime, size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'), data, thumbnail: thumb,
    });
    await writeAudit(tx, ctx, { action: 'attachment.uploaded', targetType: 'attachment', targetId: id, changes: { file: { before: null, after: { name, mime, size: data.length } } } });
  });
  return { id, filename: name, mime, size: data.length, hasThumbnail: thumb !== null };
}

/** The uploader, or anyone who may see the ticket (customers: only files on their ticket or on public replies). */
async function loadVisible(database: Database, ctx: Ctx, id: string, withData: 'data' | 'thumbnail') {
  const [a] = await database.db.select({
    id: attachments.id, ticketId: attachments.ticketId, replyId: attachments.replyId, uploadedById: attachments.uploadedById, filename: attachments.filename,
    mime: attachments.mime, size: attachments.size, body: withData === 'data' ? attachments.data : attachments.thumbnail,
  }).from(attachments).where(eq(attachments.id, id));
  if (!a) throw notFound('Attachment');
  if (a.uploadedById && a.uploadedById === ctx.actor.id) return a;
  if (!a.ticketId) throw notFound('Attachment');
  const [t] = await database.db.select({ id: tickets.id }).from(tickets).where(visibleTicketById(ctx.actor, a.ticketId));
  if (!t) throw notFound('Attachment');
  if (ctx.actor.kind === 'customer' && a.replyId) {
    const [r] = await database.db.select({ v: ticketReplies.visibility }).from(ticketReplies).where(eq(ticketReplies.id, a.replyId));
    if (r?.v !== 'public') throw notFound('Attachment');
  }
  if (ctx.actor.kind === 'staff' && !ctx.actor.permissions.has('tickets.work') && !ctx.actor.permissions.has('tickets.read_all') && !ctx.actor.permissions.has('tickets.create')) throw notFound('Attachment');
  return a;
}

export function registerAttachmentRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['attachments'];
  void app.register(async (scoped) => {
    await scoped.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5, parts: 6 } });
    const s = scoped.withTypeProvider<ZodTypeProvider>();
    s.post('/attachments', {
      config: { audience: 'any' },
      bodyLimit: MAX_UPLOAD_BYTES + 64 * 1024,
      schema: { tags, summary: 'Upload one file (multipart field "file", ≤ 10 MB); type is sniffed from the content', consumes: ['multipart/form-data'], response: { 201: z.object({ id: z.string(), filename: z.string(), mime: z.string(), size: z.number(), hasThumbnail: z.boolean() }) } },
    }, async (req, reply) => {
      if (!req.isMultipart()) throw new AppError('unsupported_media_type', 'Send multipart/form-data with a "file" field', { errors: [{ path: 'file', message: 'missing' }] });
      const file = await req.file();
      if (!file) throw new AppError('validation_failed', 'file: missing', { errors: [{ path: 'file', message: 'missing' }] });
      let data: Buffer;
      try { data = await file.toBuffer(); } catch (err) {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError('payload_too_large', `file: larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`, { errors: [{ path: 'file', message: 'too large' }] });
        throw err;
      }
      return reply.status(201).send(await storeUpload(deps.database, ctxOf(req), file.filename, data));
    });
  });

  app.get('/attachments/:id', { config: { audience: 'any' }, schema: { tags, summary: 'Download (always as an attachment, nosniff)', params: z.object({ id: z.uuid() }) } }, async (req, reply) => {
    const a = await loadVisible(deps.database, ctxOf(req), req.params.id, 'data');
    const ascii = a.filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
    return reply
      .header('content-type', a.mime)
      .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(a.filename)}`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cache-control', 'private, max-age=3600')
      .send(a.body);
  });

  app.get('/attachments/:id/thumbnail', { config: { audience: 'any' }, schema: { tags, summary: 'JPEG thumbnail of a photo (generated by the server)', params: z.object({ id: z.uuid() }) } }, async (req, reply) => {
    const a = await loadVisible(deps.database, ctxOf(req), req.params.id, 'thumbnail');
    if (!a.body) throw notFound('Thumbnail');
    return reply.header('content-type', 'image/jpeg').header('x-content-type-options', 'nosniff').header('cache-control', 'private, max-age=3600').send(a.body);
  });
  void sql;
}
