import { createHash } from 'node:crypto';
import type { Database } from '../../db/client';
import { writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { safeFilename, sniff, thumbnail } from './attachments.files';
import { canReadAttachment } from './attachments.policy';
import { presentUpload } from './attachments.present';
import { attachmentsRepo } from './attachments.repo';

export { MAX_UPLOAD_BYTES, safeFilename, sniff } from './attachments.files';

export async function storeUpload(database: Database, ctx: Ctx, filename: string, data: Buffer) {
  if (ctx.actor.kind === 'system') throw new AppError('forbidden');
  if (data.length === 0) throw new AppError('validation_failed', 'file: is empty', { errors: [{ path: 'file', message: 'is empty' }] });
  const mime = await sniff(data, filename);
  if (!mime) {
    throw new AppError('unsupported_media_type', 'Only photos (JPEG, PNG, GIF, WebP, HEIC), PDF, Office documents, audio/video and plain text are accepted', {
      errors: [{ path: 'file', message: 'type not accepted' }],
    });
  }
  const thumb = await thumbnail(data, mime);
  const id = uuidv7();
  const name = safeFilename(filename);
  await database.transaction(async (tx) => {
    await attachmentsRepo.insert(tx, {
      id,
      uploadedByKind: ctx.actor.kind,
      uploadedById: ctx.actor.id,
      filename: name,
      mime,
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      data,
      thumbnail: thumb,
    });
    await writeAudit(tx, ctx, {
      action: 'attachment.uploaded',
      targetType: 'attachment',
      targetId: id,
      changes: { file: { before: null, after: { name, mime, size: data.length } } },
    });
  });
  return presentUpload({ id, filename: name, mime, size: data.length, thumbnail: thumb });
}

/** An attachment (its bytes or its thumbnail) the actor may read (attachments.policy.ts); otherwise "not found". */
export async function readAttachment(database: Database, ctx: Ctx, id: string, which: 'data' | 'thumbnail') {
  const ex = database.db;
  const a = await attachmentsRepo.withBody(ex, id, which);
  if (!a) throw notFound('Attachment');
  const own = Boolean(a.uploadedById && a.uploadedById === ctx.actor.id);
  const ticketVisible = own || !a.ticketId ? null : await attachmentsRepo.ticketVisible(ex, ctx.actor, a.ticketId);
  const replyVisibility = !own && ticketVisible && ctx.actor.kind === 'customer' && a.replyId ? await attachmentsRepo.replyVisibility(ex, a.replyId) : null;
  const facts = { uploadedById: a.uploadedById, ticketId: a.ticketId, ticketVisible, replyVisibility, onReply: Boolean(a.replyId) };
  if (!canReadAttachment(ctx.actor, facts)) throw notFound('Attachment');
  return a;
}
