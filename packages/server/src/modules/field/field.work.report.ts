/**
 * The service report (服务回执) PDF of a signed-off visit: pdfkit with a CJK font, built once at sign-off and stored as an
 * attachment of the ticket (never rebuilt: an immutable record of what the customer signed).
 *
 * Font: Noto Sans SC (思源黑体 Simplified Chinese, SIL OFL 1.1) from the npm package `@embedpdf/fonts-sc`
 * (NotoSansHans-Regular.otf); else the system's Noto Sans CJK collection (Debian fonts-noto-cjk); `CHIDU_PDF_FONT` (a
 * TTF/OTF path) overrides both. pdfkit embeds only the glyphs used, so a report stays a few hundred KB at most.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';
import type { Executor } from '../../db/client';
import { t, type Locale } from '../../i18n/index';
import { AppError } from '../../lib/errors';
import { orgTimeZone } from '../../lib/timezone';
import { listVisitParts } from './field.parts.repo';

export interface ReportPart {
  code: string;
  name: string;
  qty: number;
  unitCostFen: number;
}

/** The parts used on the visit (taken from the technician's van), with the unit cost at the time of use. */
export function reportParts(ex: Executor, visitId: string): Promise<ReportPart[]> {
  return listVisitParts(ex, visitId);
}

export interface ReportFacts {
  locale: Locale;
  company: string;
  ticketNumber: string;
  subject: string;
  customerName: string | null;
  sitePath: string[];
  address: string | null;
  technicianName: string | null;
  windowStart: Date;
  windowEnd: Date;
  departedAt: Date | null;
  arrivedAt: Date | null;
  startedAt: Date | null;
  completedAt: Date | null;
  arrivalMethod: string | null;
  checklist: string[];
  notes: string | null;
  labourMinutes: number | null;
  quote: { items: { description: string; amountFen: number }[]; totalFen: number; state: string } | null;
  parts: ReportPart[];
  photos: { phase: 'before' | 'after'; image: Buffer }[];
  rating: number;
  comment: string | null;
  signature: Buffer | null;
  signedAt: Date;
  method: 'on_device' | 'link';
}

const SYSTEM_CJK = { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' };

/** The font file (and the face inside a collection) the report is set in. */
export function reportFont(): { path: string; family?: string } {
  const own = process.env.CHIDU_PDF_FONT;
  if (own && existsSync(own)) return { path: own };
  try {
    const main = createRequire(import.meta.url).resolve('@embedpdf/fonts-sc');
    const file = join(dirname(main), '..', 'fonts', 'NotoSansHans-Regular.otf');
    if (existsSync(file)) return { path: file };
  } catch {
    // not installed: the system font below
  }
  if (existsSync(SYSTEM_CJK.path)) return SYSTEM_CJK;
  throw new AppError('unavailable', 'No CJK font for the service report (install @embedpdf/fonts-sc or set CHIDU_PDF_FONT)');
}

/** 2026年12月6日 14:05 (zh-CN) or 2026-12-06 14:05 (en), in the organisation's time zone (Asia/Shanghai by default). */
export function reportTime(d: Date, locale: Locale, tz = orgTimeZone()): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  const hm = `${parts.hour}:${parts.minute}`;
  return locale === 'zh-CN'
    ? `${parts.year}年${parts.month}月${parts.day}日 ${hm}`
    : `${parts.year}-${parts.month!.padStart(2, '0')}-${parts.day!.padStart(2, '0')} ${hm}`;
}

/** Integer fen as yuan with two decimals: 12345 → "¥123.45". */
export const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

const THUMB_W = 150;
const THUMB_H = 112;

/** Photos shrunk for the report (JPEG, ≤ 480 px) so a report with several photos stays small. */
async function thumbs(photos: ReportFacts['photos']) {
  const { default: sharp } = await import('sharp');
  return Promise.all(
    photos.map(async (p) => ({
      phase: p.phase,
      image: await sharp(p.image).resize({ width: 480, height: 480, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 70 }).toBuffer(),
    })),
  );
}

export async function buildReport(f: ReportFacts): Promise<Buffer> {
  const L = f.locale;
  const tr = (key: string, params?: Record<string, string | number>) => t(L, `field.report.${key}`, params);
  const when = (d: Date | null) => (d ? reportTime(d, L) : tr('none'));
  const font = reportFont();
  const photos = await thumbs(f.photos);
  const { default: sharp } = await import('sharp');
  const signature = f.signature ? await sharp(f.signature).flatten({ background: '#ffffff' }).png().toBuffer() : null;

  const doc = new PDFDocument({ size: 'A4', margin: 48, info: { Title: `${tr('title')} ${f.ticketNumber}`, Author: f.company } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', font.path, font.family);
  doc.font('cjk');
  const left = doc.page.margins.left;
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const room = (h: number) => {
    if (doc.y + h > bottom()) doc.addPage();
  };

  doc.fontSize(11).fillColor('#555555').text(f.company, left, doc.y, { width });
  doc.moveDown(0.2).fontSize(20).fillColor('#000000').text(tr('title'), { width });
  doc
    .fontSize(10)
    .fillColor('#555555')
    .text(`${tr('ticket')} ${f.ticketNumber}`, { width });
  doc.moveDown(0.6);

  const row = (label: string, value: string) => {
    room(16);
    const y = doc.y;
    doc.fontSize(10).fillColor('#555555').text(label, left, y, { width: 90 });
    const after = doc.y;
    doc.fillColor('#000000').text(value, left + 96, y, { width: width - 96 });
    doc.y = Math.max(doc.y, after);
    doc.moveDown(0.25);
  };
  const heading = (text: string) => {
    room(40);
    doc.moveDown(0.5).fontSize(12).fillColor('#000000').text(text, left, doc.y, { width });
    const y = doc.y + 2;
    doc
      .moveTo(left, y)
      .lineTo(left + width, y)
      .lineWidth(0.5)
      .strokeColor('#999999')
      .stroke();
    doc.y = y + 6;
  };

  row(tr('subject'), f.subject);
  if (f.customerName) row(tr('customer'), f.customerName);
  row(tr('site'), f.sitePath.length ? f.sitePath.join(' / ') : tr('none'));
  if (f.address) row(tr('address'), f.address);
  row(tr('technician'), f.technicianName ?? tr('none'));
  row(tr('window'), `${reportTime(f.windowStart, L)} – ${reportTime(f.windowEnd, L).split(' ').pop()!}`);

  heading(tr('times'));
  row(tr('departed'), when(f.departedAt));
  row(tr('arrived'), when(f.arrivedAt));
  row(tr('started'), when(f.startedAt));
  row(tr('completed'), when(f.completedAt));
  row(tr('arrival_method'), f.arrivalMethod ? tr(`arrival.${f.arrivalMethod === 'manual' ? 'manual' : 'scan'}`) : tr('none'));
  row(tr('labour'), f.labourMinutes === null ? tr('none') : tr('minutes', { n: f.labourMinutes }));

  heading(tr('checklist'));
  doc.fontSize(10).fillColor('#000000');
  for (const step of f.checklist) {
    room(14);
    doc.text(`✓ ${tr(`step.${step}`)}`, left, doc.y, { width });
  }
  if (f.checklist.length === 0) doc.text(tr('none'), left, doc.y, { width });

  heading(tr('notes'));
  doc.fontSize(10).text(f.notes?.trim() || tr('none'), left, doc.y, { width });

  heading(!f.quote ? tr('charges') : f.quote.state === 'pending' ? tr('quote_pending') : tr('quote'));
  doc.fontSize(10);
  if (!f.quote) doc.text(tr('no_charge'), left, doc.y, { width });
  else {
    for (const it of f.quote.items) row(yuan(it.amountFen), it.description);
    row(tr('total'), yuan(f.quote.totalFen));
  }

  heading(tr('parts'));
  doc.fontSize(10);
  if (f.parts.length === 0) doc.text(tr('no_parts'), left, doc.y, { width });
  for (const p of f.parts) row(p.code, `${p.name} × ${p.qty}（${yuan(p.unitCostFen)}）`);

  for (const phase of ['before', 'after'] as const) {
    const list = photos.filter((p) => p.phase === phase);
    if (list.length === 0) continue;
    room(THUMB_H + 48); // the heading stays with its first row of photos
    heading(tr(phase === 'before' ? 'photos_before' : 'photos_after'));
    const perRow = Math.max(1, Math.floor((width + 8) / (THUMB_W + 8)));
    for (let i = 0; i < list.length; i += perRow) {
      room(THUMB_H + 8);
      const y = doc.y;
      list.slice(i, i + perRow).forEach((p, k) => doc.image(p.image, left + k * (THUMB_W + 8), y, { fit: [THUMB_W, THUMB_H] }));
      doc.y = y + THUMB_H + 8;
    }
  }

  heading(tr('rating'));
  row(tr('rating'), `${'★'.repeat(f.rating)}${'☆'.repeat(5 - f.rating)} ${tr('stars', { n: f.rating })}`);
  if (f.comment) row(tr('comment'), f.comment);
  row(tr('signed_at'), `${reportTime(f.signedAt, L)}（${tr(`method.${f.method}`)}）`);
  if (signature) {
    room(110);
    doc.fontSize(10).fillColor('#555555').text(tr('signature'), left, doc.y, { width });
    const y = doc.y + 4;
    doc.image(signature, left, y, { fit: [220, 90] });
    doc.rect(left, y, 220, 90).lineWidth(0.5).strokeColor('#cccccc').stroke();
    doc.y = y + 96;
  }
  doc.end();
  return done;
}
