/**
 * A visit's work (issue #16 items 4–5): photos before / after, the quote accepted before work starts, the customer's
 * sign-off (on the technician's phone or through a one-time link) with the service report PDF. Every technician action
 * checks the caller first (only the visit's technician; anyone else 404) and accepts an Idempotency-Key, so the
 * phone's offline queue can replay it: the same key and body answer the first result and change nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database, Executor, Tx } from '../../db/client';
import { writeAudit } from '../../lib/audit';
import { systemCtx, type Actor, type Ctx } from '../../lib/context';
import { AppError, notFound } from '../../lib/errors';
import { idempotent } from '../../lib/idempotency';
import { uuidv7 } from '../../lib/ids';
import { thumbnail } from '../attachments/attachments.files';
import { attachmentsRepo } from '../attachments/attachments.repo';
import { authorize, can } from '../identity/policy';
import { reportRepo } from '../measures/measures.report.repo';
import { recordTicketEvent } from '../tickets/ticket-events';
import { ticketsRepo } from '../tickets/tickets.repo';
import { t, type Locale } from '../../i18n/index';
import { isVisitTechnician } from './field.policy';
import { fieldRepo, type VisitRow } from './field.repo';
import { gpsTags } from './field.work.exif';
import { buildReport, reportParts } from './field.work.report';
import { fieldWorkRepo, siteTrail, type QuoteRow } from './field.work.repo';
import { MAX_SIGNATURE_BYTES, PHOTO_PHASES, type PublicSignoffInput, type QuoteCreateInput, type SignoffInput } from './field.work.schema';

const invalid = (path: string, message: string) => new AppError('validation_failed', `${path}: ${message}`, { errors: [{ path, message }] });
const visitState = (v: VisitRow, action: string) =>
  new AppError('conflict', `A ${v.state} visit cannot take ${action}`, { reason: 'visit_state', params: { state: v.state } });

/** Photos are taken once the technician has arrived, until the customer signs off. */
const PHOTO_STATES = ['arrived', 'started', 'completed'];
/** A quote is made and accepted before the work starts. */
const QUOTE_STATES = ['scheduled', 'accepted', 'en_route', 'arrived'];
const LINK_HOURS = 24;
const REPORT_LOCALE: Locale = 'zh-CN';

/** The visit for a technician action (locked), only for its technician: anyone else gets 404. */
async function ownVisit(ex: Executor, actor: Actor, id: string, lock = false): Promise<VisitRow> {
  const v = await fieldRepo.visitById(ex, id, lock);
  if (!v || !isVisitTechnician(actor, v)) throw notFound('Visit');
  return v;
}

/**
 * Who may read a visit's work and report: its technician, or staff who can see the ticket (tickets/visibility) and
 * dispatch or view field service (a technician who is not the visit's gets 404, whatever tickets they can see).
 */
async function readableVisit(ex: Executor, actor: Actor, id: string): Promise<VisitRow> {
  const v = await fieldRepo.visitById(ex, id);
  if (!v) throw notFound('Visit');
  if (isVisitTechnician(actor, v)) return v;
  if (actor.kind !== 'staff' || !['field.view', 'field.dispatch', 'tickets.read_all'].some((p) => can(actor, p as 'field.view'))) throw notFound('Visit');
  if (!(await attachmentsRepo.ticketVisible(ex, actor, v.ticketId))) throw notFound('Visit');
  return v;
}

// ── photos ──

export interface PhotoUpload {
  data: Buffer | null;
  phase: string | undefined;
  keepLocation: string | undefined;
}

/** Sniff (JPEG, PNG or WebP by content), auto-rotate, shrink to ≤ 1600 px, re-encode as JPEG without metadata (GPS kept on request). */
export async function processPhoto(data: Buffer, keepLocation: boolean) {
  const { fileTypeFromBuffer } = await import('file-type');
  const ft = await fileTypeFromBuffer(data);
  if (!ft || !['image/jpeg', 'image/png', 'image/webp'].includes(ft.mime)) throw invalid('file', 'is not a JPEG, PNG or WebP image');
  const { default: sharp } = await import('sharp');
  try {
    const meta = await sharp(data, { failOn: 'error', limitInputPixels: 50_000_000 }).metadata();
    const gps = keepLocation ? gpsTags(meta.exif) : {};
    let img = sharp(data, { failOn: 'error', limitInputPixels: 50_000_000 })
      .rotate()
      .resize({ width: 1600, height: 1600, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 82, mozjpeg: true });
    if (Object.keys(gps).length) img = img.withExif({ IFD3: gps });
    const { data: out, info } = await img.toBuffer({ resolveWithObject: true });
    return { data: out, width: info.width, height: info.height, hasLocation: Object.keys(gps).length > 0 };
  } catch {
    throw invalid('file', 'the image could not be read');
  }
}

/** The caller check of a photo upload, made before its body is read. */
export async function photoVisit(database: Database, ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'field.work');
  await ownVisit(database.db, ctx.actor, id);
}

export async function uploadPhoto(database: Database, ctx: Ctx, id: string, up: PhotoUpload, key: string | undefined) {
  await photoVisit(database, ctx, id);
  const errors: { path: string; message: string }[] = [];
  if (!up.data || up.data.length === 0) errors.push({ path: 'file', message: 'missing' });
  if (!up.phase || !(PHOTO_PHASES as readonly string[]).includes(up.phase)) errors.push({ path: 'phase', message: 'must be before or after' });
  if (up.keepLocation !== undefined && up.keepLocation !== 'true' && up.keepLocation !== 'false')
    errors.push({ path: 'keepLocation', message: 'must be true or false' });
  if (errors.length) throw new AppError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
  const phase = up.phase as 'before' | 'after';
  const keep = up.keepLocation === 'true';
  const original = up.data!;
  const sha = createHash('sha256').update(original).digest('hex');
  const photo = await processPhoto(original, keep);
  const thumb = await thumbnail(photo.data, 'image/jpeg');
  return idempotent(database, ctx, key, `POST /visits/${id}/photos`, { phase, keepLocation: keep, sha256: sha }, async (tx) => {
    const v = await ownVisit(tx, ctx.actor, id, true);
    if (!PHOTO_STATES.includes(v.state) || (await fieldWorkRepo.signoff(tx, id))) throw visitState(v, 'photos');
    const attachmentId = uuidv7();
    await fieldWorkRepo.insertAttachment(tx, {
      id: attachmentId,
      ticketId: v.ticketId,
      uploadedByKind: ctx.actor.kind,
      uploadedById: ctx.actor.id,
      filename: `现场照片-${phase === 'before' ? '维修前' : '维修后'}-${attachmentId.slice(-8)}.jpg`,
      mime: 'image/jpeg',
      size: photo.data.length,
      sha256: createHash('sha256').update(photo.data).digest('hex'),
      data: photo.data,
      thumbnail: thumb,
    });
    const row = await fieldWorkRepo.insertPhoto(tx, {
      id: uuidv7(),
      visitId: id,
      phase,
      attachmentId,
      width: photo.width,
      height: photo.height,
      hasLocation: photo.hasLocation,
      createdBy: ctx.actor.id,
    });
    await writeAudit(tx, ctx, {
      action: 'field.visit_photo',
      targetType: 'field_visit',
      targetId: id,
      changes: { photo: { before: null, after: { phase, attachmentId, hasLocation: photo.hasLocation } } },
    });
    return {
      status: 201,
      body: { id: row.id, phase, attachmentId, width: row.width, height: row.height, hasLocation: row.hasLocation },
    };
  });
}

// ── quote ──

const presentQuote = (q: QuoteRow) => ({
  id: q.id,
  items: q.items as { description: string; amountFen: number }[],
  totalFen: q.totalFen,
  state: q.state as 'pending' | 'accepted',
  createdAt: q.createdAt.toISOString(),
  acceptedAt: q.acceptedAt ? q.acceptedAt.toISOString() : null,
});

/** The technician's quote (报价) before the work: items and total; a new quote replaces a pending one. */
export async function createQuote(database: Database, ctx: Ctx, id: string, input: QuoteCreateInput, key: string | undefined) {
  authorize(ctx.actor, 'field.work');
  const totalFen = input.items.reduce((s, i) => s + i.amountFen, 0);
  if (totalFen > 100_000_000) throw invalid('items', 'the total is at most ¥1,000,000');
  return idempotent(database, ctx, key, `POST /visits/${id}/quote`, input, async (tx) => {
    const v = await ownVisit(tx, ctx.actor, id, true);
    if (!QUOTE_STATES.includes(v.state)) throw visitState(v, 'a quote');
    const prior = await fieldWorkRepo.quote(tx, id);
    if (prior?.state === 'accepted') throw new AppError('conflict', 'The customer has accepted the quote already', { reason: 'quote_accepted' });
    const row = await fieldWorkRepo.putQuote(tx, { id: uuidv7(), visitId: id, items: input.items, totalFen, state: 'pending', createdBy: ctx.actor.id });
    await writeAudit(tx, ctx, {
      action: 'field.visit_quote',
      targetType: 'field_visit',
      targetId: id,
      changes: { quote: { before: prior ? { totalFen: prior.totalFen } : null, after: { totalFen, items: input.items.length } } },
    });
    return { status: 201, body: { id: row.id, totalFen: row.totalFen, state: 'pending' as const } };
  });
}

/** The customer accepts the quote on the technician's phone; then the work may start. */
export async function acceptQuote(database: Database, ctx: Ctx, id: string, key: string | undefined) {
  authorize(ctx.actor, 'field.work');
  return idempotent(database, ctx, key, `POST /visits/${id}/quote/accept`, {}, async (tx) => {
    const v = await ownVisit(tx, ctx.actor, id, true);
    const q = await fieldWorkRepo.quote(tx, id);
    if (!q) throw new AppError('conflict', 'The visit has no quote', { reason: 'no_quote' });
    if (q.state === 'accepted') return { status: 200, body: { state: 'accepted' as const } };
    if (!QUOTE_STATES.includes(v.state)) throw visitState(v, 'a quote');
    await fieldWorkRepo.acceptQuote(tx, id);
    await writeAudit(tx, ctx, {
      action: 'field.visit_quote_accepted',
      targetType: 'field_visit',
      targetId: id,
      changes: { quote: { before: 'pending', after: 'accepted' } },
    });
    return { status: 200, body: { state: 'accepted' as const } };
  });
}

/** The start guard (field.visits.commands.ts startVisit): a pending quote must be accepted first (409 quote_pending). */
export async function refuseIfQuotePending(ex: Executor, visitId: string): Promise<void> {
  const q = await fieldWorkRepo.quote(ex, visitId);
  if (q?.state === 'pending')
    throw new AppError('conflict', 'The customer has not accepted the quote yet', { reason: 'quote_pending', params: { totalFen: q.totalFen } });
}

// ── sign-off ──

/** A signature data URL → PNG bytes; really a PNG (by content and by decoding), at most 300 KB; else 400 naming the field. */
export async function signaturePng(dataUrl: string, path = 'signature'): Promise<Buffer> {
  const m = /^data:image\/png;base64,([A-Za-z0-9+/]+={0,2})$/.exec(dataUrl);
  if (!m) throw invalid(path, 'must be a data:image/png;base64 URL');
  const png = Buffer.from(m[1]!, 'base64');
  if (png.length === 0) throw invalid(path, 'is empty');
  if (png.length > MAX_SIGNATURE_BYTES) throw invalid(path, 'at most 300 KB');
  const { fileTypeFromBuffer } = await import('file-type');
  if ((await fileTypeFromBuffer(png))?.mime !== 'image/png') throw invalid(path, 'is not a PNG image');
  const { default: sharp } = await import('sharp');
  try {
    const meta = await sharp(png, { failOn: 'error', limitInputPixels: 10_000_000 }).metadata();
    if (meta.format !== 'png' || !meta.width || !meta.height) throw new Error('not png');
    await sharp(png, { failOn: 'error' }).stats();
  } catch {
    throw invalid(path, 'is not a readable PNG image');
  }
  return png;
}

/**
 * Record the sign-off of a completed visit (locked by the caller): build the service report from the visit as it is
 * now, store it as an attachment of the ticket, insert the sign-off and tell the ticket (`field.visit_signed`), all in
 * the caller's transaction.
 */
async function signVisit(tx: Tx, ctx: Ctx, v: VisitRow, s: { rating: number; comment: string | null; signature: Buffer | null; method: 'on_device' | 'link' }) {
  if (v.state !== 'completed') throw visitState(v, 'a sign-off');
  if (await fieldWorkRepo.signoff(tx, v.id)) throw new AppError('conflict', 'The visit is signed off already', { reason: 'already_signed' });
  const c = await fieldWorkRepo.visitContext(tx, v.id);
  if (!c) throw notFound('Visit');
  const site = await siteTrail(tx, v.siteId);
  const photos = await fieldWorkRepo.photos(tx, v.id);
  const images = await fieldWorkRepo.photoImages(
    tx,
    photos.map((p) => p.attachmentId),
  );
  const quote = await fieldWorkRepo.quote(tx, v.id);
  const signedAt = new Date();
  const pdf = await buildReport({
    locale: REPORT_LOCALE,
    company: (await reportRepo.orgName(tx)) ?? t(REPORT_LOCALE, 'field.report.company_default'),
    ticketNumber: c.ticketNumber,
    subject: c.ticketSubject,
    customerName: c.customerName,
    sitePath: site.path,
    address: site.address,
    technicianName: c.technicianName,
    windowStart: v.startsAt,
    windowEnd: v.endsAt,
    departedAt: v.departedAt,
    arrivedAt: v.arrivedAt,
    startedAt: v.startedAt,
    completedAt: v.completedAt,
    arrivalMethod: v.arrivalMethod,
    checklist: Array.isArray(v.checklist) ? (v.checklist as string[]) : [],
    notes: v.notes,
    labourMinutes: v.labourMinutes,
    quote: quote ? { items: quote.items as { description: string; amountFen: number }[], totalFen: quote.totalFen, state: quote.state } : null,
    parts: await reportParts(tx, v.id),
    photos: photos.flatMap((p) => {
      const image = images.get(p.attachmentId);
      return image ? [{ phase: p.phase as 'before' | 'after', image }] : [];
    }),
    rating: s.rating,
    comment: s.comment,
    signature: s.signature,
    signedAt,
    method: s.method,
  });
  const reportAttachmentId = uuidv7();
  await fieldWorkRepo.insertAttachment(tx, {
    id: reportAttachmentId,
    ticketId: v.ticketId,
    uploadedByKind: ctx.actor.kind,
    uploadedById: ctx.actor.id,
    filename: `服务回执-${c.ticketNumber}.pdf`,
    mime: 'application/pdf',
    size: pdf.length,
    sha256: createHash('sha256').update(pdf).digest('hex'),
    data: pdf,
    thumbnail: null,
  });
  if (
    !(await fieldWorkRepo.insertSignoff(tx, {
      visitId: v.id,
      method: s.method,
      rating: s.rating,
      comment: s.comment,
      signature: s.signature,
      reportAttachmentId,
      signedAt,
    }))
  )
    throw new AppError('conflict', 'The visit is signed off already', { reason: 'already_signed' });
  const ticket = await ticketsRepo.byId(tx, v.ticketId);
  if (ticket)
    await recordTicketEvent(tx, ctx, await ticketsRepo.snapshot(tx, ticket), 'field.visit_signed', {
      visitId: v.id,
      rating: s.rating,
      method: s.method,
      reportAttachmentId,
    });
  await writeAudit(tx, ctx, {
    action: 'field.visit_signed',
    targetType: 'field_visit',
    targetId: v.id,
    changes: { signoff: { before: null, after: { method: s.method, rating: s.rating, reportAttachmentId } } },
  });
  return reportAttachmentId;
}

/** The customer signs on the technician's phone (visit completed). */
export async function signoffOnDevice(database: Database, ctx: Ctx, id: string, input: SignoffInput, key: string | undefined) {
  authorize(ctx.actor, 'field.work');
  await ownVisit(database.db, ctx.actor, id);
  const png = await signaturePng(input.signature);
  return idempotent(database, ctx, key, `POST /visits/${id}/signoff`, input, async (tx) => {
    const v = await ownVisit(tx, ctx.actor, id, true);
    const reportAttachmentId = await signVisit(tx, ctx, v, { rating: input.rating, comment: input.comment || null, signature: png, method: 'on_device' });
    return { status: 201, body: { reportAttachmentId } };
  });
}

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export function signoffUrl(token: string): string {
  const base = (process.env.CHIDU_PUBLIC_URL ?? '').replace(/\/+$/, '');
  return `${base}/signoff/${token}`;
}

/**
 * A one-time sign-off link for the customer's own phone (24 h, single use): 32 random bytes base64url, only its
 * SHA-256 stored. The visit's technician or a dispatcher (field.dispatch) makes it once the visit is completed.
 */
export async function createSignoffLink(database: Database, ctx: Ctx, id: string, key: string | undefined) {
  if (ctx.actor.kind !== 'staff') throw new AppError('forbidden');
  const dispatcher = can(ctx.actor, 'field.dispatch');
  if (!dispatcher) authorize(ctx.actor, 'field.work');
  const pick = async (ex: Executor, lock: boolean) => {
    const v = await fieldRepo.visitById(ex, id, lock);
    if (!v || (!isVisitTechnician(ctx.actor, v) && !dispatcher)) throw notFound('Visit');
    return v;
  };
  await pick(database.db, false);
  return idempotent(database, ctx, key, `POST /visits/${id}/signoff-link`, {}, async (tx) => {
    const v = await pick(tx, true);
    if (v.state !== 'completed') throw visitState(v, 'a sign-off');
    if (await fieldWorkRepo.signoff(tx, id)) throw new AppError('conflict', 'The visit is signed off already', { reason: 'already_signed' });
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + LINK_HOURS * 3_600_000);
    await fieldWorkRepo.insertLink(tx, { id: uuidv7(), visitId: id, tokenHash: tokenHash(token), expiresAt, createdBy: ctx.actor.id });
    await writeAudit(tx, ctx, { action: 'field.signoff_link', targetType: 'field_visit', targetId: id });
    return { status: 201, body: { url: signoffUrl(token), token, expiresAt: expiresAt.toISOString() } };
  });
}

const expired = () => new AppError('gone', 'This sign-off link has been used or has expired', { reason: 'token_expired' });

/** A usable link (unknown → 404; used, expired, or the visit signed meanwhile → 410 token_expired). */
async function usableLink(ex: Executor, token: string, lock: boolean) {
  const link = await fieldWorkRepo.linkByHash(ex, tokenHash(token), lock);
  if (!link) throw notFound('Sign-off link');
  if (link.usedAt || link.expiresAt.getTime() <= Date.now()) throw expired();
  return link;
}

/** What the customer sees behind the link: the visit's summary, without any phone number. */
export async function publicSignoffSummary(database: Database, token: string) {
  const ex = database.db;
  const link = await usableLink(ex, token, false);
  if (await fieldWorkRepo.signoff(ex, link.visitId)) throw expired();
  const c = await fieldWorkRepo.visitContext(ex, link.visitId);
  if (!c) throw notFound('Sign-off link');
  const v = c.visit;
  const quote = await fieldWorkRepo.quote(ex, v.id);
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    visitId: v.id,
    ticketId: v.ticketId,
    ticketNumber: c.ticketNumber,
    subject: c.ticketSubject,
    sitePath: (await siteTrail(ex, v.siteId)).path,
    technicianName: c.technicianName,
    start: v.startsAt.toISOString(),
    end: v.endsAt.toISOString(),
    arrivedAt: iso(v.arrivedAt),
    startedAt: iso(v.startedAt),
    completedAt: iso(v.completedAt),
    notes: v.notes,
    labourMinutes: v.labourMinutes,
    parts: await reportParts(ex, v.id),
    quote: quote ? presentQuote(quote) : null,
    photos: (await fieldWorkRepo.photos(ex, v.id)).length,
    expiresAt: link.expiresAt.toISOString(),
  };
}

/** The customer signs through the link: single use (a second use → 410 token_expired), in one transaction. */
export async function publicSignoff(database: Database, token: string, input: PublicSignoffInput, meta: { ip: string | null; requestId: string | null }) {
  const png = input.signature ? await signaturePng(input.signature) : null;
  const ctx: Ctx = { ...systemCtx('signoff-link'), ip: meta.ip, requestId: meta.requestId };
  return database.transaction(async (tx) => {
    const link = await usableLink(tx, token, true);
    const v = await fieldRepo.visitById(tx, link.visitId, true);
    if (!v) throw notFound('Sign-off link');
    if (await fieldWorkRepo.signoff(tx, v.id)) throw expired();
    if (!(await fieldWorkRepo.useLink(tx, link.id))) throw expired();
    const reportAttachmentId = await signVisit(tx, ctx, v, { rating: input.rating, comment: input.comment || null, signature: png, method: 'link' });
    return { reportAttachmentId };
  });
}

// ── reads ──

export async function visitWork(database: Database, ctx: Ctx, id: string) {
  const ex = database.db;
  const v = await readableVisit(ex, ctx.actor, id);
  const [photos, quote, signoff] = await Promise.all([fieldWorkRepo.photos(ex, v.id), fieldWorkRepo.quote(ex, v.id), fieldWorkRepo.signoff(ex, v.id)]);
  return {
    photos: photos.map((p) => ({ id: p.id, phase: p.phase as 'before' | 'after', attachmentId: p.attachmentId, createdAt: p.createdAt.toISOString() })),
    quote: quote ? presentQuote(quote) : null,
    signoff: signoff
      ? { rating: signoff.rating, comment: signoff.comment, signedAt: signoff.signedAt.toISOString(), method: signoff.method as 'on_device' | 'link' }
      : null,
    reportAttachmentId: signoff?.reportAttachmentId ?? null,
  };
}

async function reportOf(ex: Executor, v: VisitRow) {
  const s = await fieldWorkRepo.signoff(ex, v.id);
  const a = s ? await fieldWorkRepo.attachmentBody(ex, s.reportAttachmentId) : undefined;
  if (!a) throw notFound('Service report');
  return { filename: a.filename, data: a.data };
}

/** The service report PDF for staff who can see the ticket, or the visit's technician. */
export async function staffReport(database: Database, ctx: Ctx, id: string) {
  return reportOf(database.db, await readableVisit(database.db, ctx.actor, id));
}

/** The service report PDF for the ticket's customer (anyone else: 404). */
export async function portalReport(database: Database, ctx: Ctx, id: string) {
  if (ctx.actor.kind !== 'customer') throw new AppError('forbidden', 'Customer portal only');
  const ex = database.db;
  const v = await fieldRepo.visitById(ex, id);
  if (!v || !(await attachmentsRepo.ticketVisible(ex, ctx.actor, v.ticketId))) throw notFound('Visit');
  return reportOf(ex, v);
}

/** The service reports of the customer's request (the portal shows a 服务回执 link per signed visit). */
export async function portalTicketReports(database: Database, ctx: Ctx, ticketId: string) {
  if (ctx.actor.kind !== 'customer') throw new AppError('forbidden', 'Customer portal only');
  const ex = database.db;
  if (!(await attachmentsRepo.ticketVisible(ex, ctx.actor, ticketId))) throw notFound('Ticket');
  const rows = await fieldWorkRepo.reportsOfTicket(ex, ticketId);
  return { items: rows.map((r) => ({ visitId: r.visitId, reportAttachmentId: r.reportAttachmentId, signedAt: r.signedAt.toISOString() })) };
}
