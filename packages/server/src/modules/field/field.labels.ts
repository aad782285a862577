/**
 * The QR label sheet of a site as a PDF (issue #16 item 1, "printable label sheet as PDF, zh-CN"): A4, a grid of
 * 3 × 5 labels per page with cut lines, each with the QR code of the signed site or asset code (drawn as vector
 * squares from the code's module matrix, so it prints sharp at any size), the kind (站点码 / 设备码), and the site
 * path (阳光花园 › 3栋 › 1单元 › 1201) or the asset's name, model and serial, set in the CJK font of the service report.
 * Pure: the caller gives the labels with their codes.
 */
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { t, type Locale } from '../../i18n/index';
import { reportFont } from './field.work.report';

export interface Label {
  kind: 'site' | 'asset';
  /** The signed code the QR encodes (`s.<nonce>.<mac>` or `a.<nonce>.<mac>`). */
  code: string;
  /** The site path joined, or the asset's name. */
  title: string;
  /** Under the title: the asset's model and serial, and its site path (empty for a site). */
  lines: string[];
}

const MM = 72 / 25.4;
/** The grid geometry (points), exported so a test can cut one label out of the rendered page. */
export const LABEL_GRID = {
  margin: 10 * MM,
  cols: 3,
  rows: 5,
  qr: 34 * MM,
  pageWidth: 595.28,
  pageHeight: 841.89,
  get cellWidth() {
    return (this.pageWidth - 2 * this.margin) / this.cols;
  },
  get cellHeight() {
    return (this.pageHeight - 2 * this.margin) / this.rows;
  },
};

/** Draw the QR code of `text` as filled squares: a quiet zone of 2 modules inside `size`. */
function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number) {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const unit = size / (n + 4);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.modules.get(r, c)) doc.rect(x + (c + 2) * unit, y + (r + 2) * unit, unit + 0.05, unit + 0.05);
  doc.fillColor('#000000').fill();
}

export async function buildLabelSheet(labels: Label[], locale: Locale, title: string): Promise<Buffer> {
  const g = LABEL_GRID;
  const font = reportFont();
  const doc = new PDFDocument({ size: 'A4', margin: 0, autoFirstPage: false, info: { Title: title } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', font.path, font.family);
  const perPage = g.cols * g.rows;
  const w = g.cellWidth;
  const h = g.cellHeight;
  if (labels.length === 0) {
    doc.addPage().font('cjk').fontSize(12).text(t(locale, 'field.labels.empty'), g.margin, g.margin);
  }
  labels.forEach((label, i) => {
    if (i % perPage === 0) doc.addPage().font('cjk');
    const k = i % perPage;
    const x = g.margin + (k % g.cols) * w;
    const y = g.margin + Math.floor(k / g.cols) * h;
    doc.save().rect(x, y, w, h).lineWidth(0.5).dash(3, { space: 3 }).strokeColor('#999999').stroke().restore();
    drawQr(doc, label.code, x + (w - g.qr) / 2, y + 4, g.qr);
    const inner = w - 12;
    let ty = y + 4 + g.qr + 2;
    doc
      .fontSize(7)
      .fillColor('#555555')
      .text(t(locale, `field.labels.${label.kind}`), x + 6, ty, { width: inner, align: 'center', lineBreak: false });
    ty += 10;
    doc
      .fontSize(9)
      .fillColor('#000000')
      .text(label.title, x + 6, ty, { width: inner, align: 'center', height: 24, ellipsis: true });
    ty = Math.min(doc.y, ty + 24) + 1;
    for (const line of label.lines) {
      if (ty > y + h - 10) break;
      doc
        .fontSize(7)
        .fillColor('#555555')
        .text(line, x + 6, ty, { width: inner, align: 'center', height: 9, ellipsis: true, lineBreak: false });
      ty += 9;
    }
  });
  doc.end();
  return done;
}
