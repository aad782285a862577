/**
 * Exports: CSV (UTF-8 with BOM so Excel shows Chinese) and .xlsx written directly as OOXML (a small ZIP writer with
 * deflate from node:zlib; inline strings, numbers as numbers) — no dependency.
 */
import { deflateRawSync } from 'node:zlib';
import { t, type Locale } from '../../i18n/index';

export type Cell = string | number | null | undefined;
export interface Table {
  title: string;
  headers: string[];
  rows: Cell[][];
}

const csvCell = (v: Cell) => {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? String(v) : v;
  // Formula injection guard: a text cell starting with = + - @ is prefixed with a quote.
  const safe = typeof v === 'string' && /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function toCsv(t: Table): Buffer {
  const lines = [t.headers.map(csvCell).join(','), ...t.rows.map((r) => r.map(csvCell).join(','))];
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8')]);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
export function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A ZIP archive (deflate) of the given files. */
export function zip(files: { name: string; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const dosTime = 0;
  const dosDate = ((2026 - 1980) << 9) | (1 << 5) | 1;
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    const comp = deflateRawSync(f.data);
    const crc = crc32(f.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(comp.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    parts.push(local, name, comp);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt16LE(dosTime, 12);
    cd.writeUInt16LE(dosDate, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(comp.length, 20);
    cd.writeUInt32LE(f.data.length, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    offset += local.length + name.length + comp.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBuf, end]);
}

const xml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
const colName = (i: number) => {
  let s = '';
  let n = i + 1;
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
};

/** Number format of a column or cell: rates as percentages, durations as day fractions shown [h]:mm:ss (Excel can sum them). */
export type Fmt = 'text' | 'int' | 'pct' | 'dur' | 'dec1' | 'dec2';
/** A cell with its own format (e.g. a summary sheet whose rows mix rates and durations); durations given in seconds. */
export interface FmtCell {
  v: number | null;
  f: Fmt;
}
export type XCell = Cell | FmtCell;
export interface XSheet {
  name: string;
  columns: { header: string; fmt?: Fmt }[];
  rows: XCell[][];
}
/** A report workbook: every sheet starts with the title and the meta lines (organisation, period, filters, time). */
export interface Workbook {
  title: string;
  meta: string[];
  sheets: XSheet[];
}

/** Style ids (cellXfs order below). */
const XF = { text: 0, header: 1, pct: 2, dur: 3, title: 4, meta: 5, int: 6, dec1: 7, dec2: 8 } as const;
const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="4"><numFmt numFmtId="164" formatCode="0.0%"/><numFmt numFmtId="165" formatCode="[h]:mm:ss"/><numFmt numFmtId="166" formatCode="0.0"/><numFmt numFmtId="167" formatCode="0.00"/></numFmts><fonts count="4"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="14"/><name val="Calibri"/></font><font><sz val="10"/><color rgb="FF595959"/><name val="Calibri"/></font></fonts><fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFE6F0FF"/><bgColor indexed="64"/></patternFill></fill></fills><borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left/><right/><top/><bottom style="thin"><color rgb="FF8C8C8C"/></bottom><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="9"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`;

const isFmtCell = (v: XCell): v is FmtCell => typeof v === 'object' && v !== null;
/** Width in characters as Excel counts them (a CJK character is about two). */
const textWidth = (s: string) => s.replace(/[^\x00-\xff]/g, 'xx').length;
const shownWidth: Record<Fmt, number> = { text: 0, int: 8, pct: 8, dur: 10, dec1: 7, dec2: 7 };

function sheetXml(wb: Workbook, sh: XSheet): string {
  const top = [wb.title, ...wb.meta];
  const headerRow = top.length + 2; // a blank row between the title block and the table
  const cell = (ref: string, v: XCell, colFmt: Fmt | undefined): string => {
    const fmt = isFmtCell(v) ? v.f : (colFmt ?? 'text');
    const raw = isFmtCell(v) ? v.v : v;
    if (raw === null || raw === undefined || raw === '') return `<c r="${ref}"/>`;
    if (typeof raw === 'number' && Number.isFinite(raw)) {
      const value = fmt === 'dur' ? raw / 86_400 : raw;
      return `<c r="${ref}"${fmt === 'text' ? '' : ` s="${XF[fmt]}"`}><v>${value}</v></c>`;
    }
    return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${xml(String(raw))}</t></is></c>`;
  };
  const text = (ref: string, v: string, style: number) => `<c r="${ref}" t="inlineStr" s="${style}"><is><t xml:space="preserve">${xml(v)}</t></is></c>`;
  const rows: string[] = top.map((line, i) => `<row r="${i + 1}">${text(`A${i + 1}`, line, i === 0 ? XF.title : XF.meta)}</row>`);
  rows.push(`<row r="${headerRow}">${sh.columns.map((c, ci) => text(`${colName(ci)}${headerRow}`, c.header, XF.header)).join('')}</row>`);
  sh.rows.forEach((r, ri) => {
    const n = headerRow + 1 + ri;
    rows.push(`<row r="${n}">${r.map((v, ci) => cell(`${colName(ci)}${n}`, v, sh.columns[ci]?.fmt)).join('')}</row>`);
  });
  const widths = sh.columns.map((c, i) => {
    const fmt = c.fmt ?? 'text';
    const values = sh.rows.map((r) => {
      const v = r[i];
      if (isFmtCell(v)) return shownWidth[v.f] || 8;
      return typeof v === 'number' ? shownWidth[fmt] || String(v).length : textWidth(String(v ?? ''));
    });
    return Math.min(50, Math.max(8, textWidth(c.header) + 2, ...values.map((w) => w + 2)));
  });
  const last = `${colName(Math.max(0, sh.columns.length - 1))}${headerRow + sh.rows.length}`;
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:${last}"/><sheetViews><sheetView workbookViewId="0"><pane ySplit="${headerRow}" topLeftCell="A${headerRow + 1}" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A${headerRow + 1}" sqref="A${headerRow + 1}"/></sheetView></sheetViews><cols>${widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join('')}</cols><sheetData>${rows.join('')}</sheetData></worksheet>`;
}

/** Sheet names: no \\ / ? * [ ] :, at most 31 characters, unique (case-insensitive). */
function sheetNames(sheets: XSheet[]): string[] {
  const seen = new Set<string>();
  return sheets.map((s, i) => {
    const base =
      s.name
        .replace(/[\\/?*[\]:]/g, ' ')
        .trim()
        .slice(0, 31) || `Sheet${i + 1}`;
    let name = base;
    for (let n = 2; seen.has(name.toLowerCase()); n++) name = `${base.slice(0, 28)} ${n}`;
    seen.add(name.toLowerCase());
    return name;
  });
}

/** An .xlsx workbook (OOXML written directly): one sheet per table, title block, frozen header, number formats. */
export function toWorkbook(wb: Workbook): Buffer {
  const names = sheetNames(wb.sheets);
  const sheetParts = wb.sheets.map((sh, i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data: Buffer.from(sheetXml(wb, sh)) }));
  const overrides = wb.sheets
    .map(
      (_, i) =>
        `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
    )
    .join('');
  return zip([
    {
      name: '[Content_Types].xml',
      data: Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${overrides}<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`),
    },
    {
      name: '_rels/.rels',
      data: Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`),
    },
    {
      name: 'xl/workbook.xml',
      data: Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>${names
        .map((n, i) => `<sheet name="${xml(n)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
        .join('')}</sheets></workbook>`),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${wb.sheets
        .map(
          (_, i) =>
            `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
        )
        .join(
          '',
        )}<Relationship Id="rId${wb.sheets.length + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`),
    },
    { name: 'xl/styles.xml', data: Buffer.from(STYLES) },
    ...sheetParts,
  ]);
}

// ───────────────────────────── tables of the views ─────────────────────────────

/** Column headings are message keys (`measures.col.<key>`, measures.messages.ts), in the requester's language. */
const h = (k: string, lang: Locale) => t(lang, `measures.col.${k}`);
const r4 = (v: number | null) => (v === null ? null : Math.round(v * 10_000) / 10_000);

interface PresentedRow {
  key?: Record<string, string | null>;
  labels?: Record<string, string | null>;
  tickets: number;
  csat: { value: number | null; numerator: number; denominator: number };
  nps: { value: number | null; count: number };
  ces: { value: number | null; count: number };
  fcr: { value: number | null; numerator: number; denominator: number };
  standardExecutionRate: { value: number | null; numerator: number; denominator: number };
  complaintRate: { value: number | null; numerator: number; denominator: number };
  complaintResolutionRate: { value: number | null; numerator: number; denominator: number };
  recoveryRate: { value: number | null };
  knowledgeApplicationRate: { value: number | null };
  firstResponseSeconds: { p50: number | null; p90: number | null };
  resolutionSeconds: { p50: number | null; p90: number | null };
}

export function measuresTable(
  res: { groupBy: string[]; rows: PresentedRow[]; total: PresentedRow },
  lang: Locale,
  title = t(lang, 'measures.export.measures.title'),
): Table {
  const headers = [
    ...res.groupBy.map((g) => h(g, lang)),
    ...[
      'tickets',
      'csat',
      'csatN',
      'csatD',
      'nps',
      'npsD',
      'ces',
      'cesD',
      'fcr',
      'fcrN',
      'fcrD',
      'std',
      'stdN',
      'stdD',
      'cr',
      'crN',
      'crr',
      'crrN',
      'rec',
      'kb',
      'fr50',
      'fr90',
      'rs50',
      'rs90',
    ].map((k) => h(k, lang)),
  ];
  const line = (r: PresentedRow, keys: Cell[]): Cell[] => [
    ...keys,
    r.tickets,
    r4(r.csat.value),
    r.csat.numerator,
    r.csat.denominator,
    r.nps.value === null ? null : Math.round(r.nps.value * 10) / 10,
    r.nps.count,
    r.ces.value === null ? null : Math.round(r.ces.value * 100) / 100,
    r.ces.count,
    r4(r.fcr.value),
    r.fcr.numerator,
    r.fcr.denominator,
    r4(r.standardExecutionRate.value),
    r.standardExecutionRate.numerator,
    r.standardExecutionRate.denominator,
    r4(r.complaintRate.value),
    r.complaintRate.numerator,
    r4(r.complaintResolutionRate.value),
    r.complaintResolutionRate.numerator,
    r4(r.recoveryRate.value),
    r4(r.knowledgeApplicationRate.value),
    r.firstResponseSeconds.p50,
    r.firstResponseSeconds.p90,
    r.resolutionSeconds.p50,
    r.resolutionSeconds.p90,
  ];
  const rows = res.rows.map((r) =>
    line(
      r,
      res.groupBy.map((g) => r.labels?.[g] ?? r.key?.[g] ?? ''),
    ),
  );
  if (res.groupBy.length) rows.push(line(res.total, [t(lang, 'measures.export.total'), ...res.groupBy.slice(1).map(() => '')]));
  else rows.push(line(res.total, []));
  return { title, headers, rows };
}

interface ParetoOut {
  items: { key: string | null; label: string | null; count: number; share: number; cumulative: number }[];
}

/** The complaint analysis as one table: categories, root causes, then repeated problems by site. */
export function complaintsTable(
  c: { byCategory: ParetoOut; byCause: ParetoOut; repeats: { site: string; category: string | null; count: number }[] },
  lang: Locale,
): Table {
  const m = (k: string) => t(lang, `measures.export.complaints.${k}`);
  return {
    title: m('title'),
    headers: [m('kind'), m('key'), m('count'), m('share'), m('cumulative')],
    rows: [
      ...c.byCategory.items.map((i) => [m('category'), i.label ?? m('uncategorised'), i.count, i.share, i.cumulative]),
      ...c.byCause.items.map((i) => [m('cause'), i.label, i.count, i.share, i.cumulative]),
      ...c.repeats.map((r) => [m('repeat'), `${r.site} · ${r.category ?? ''}`, r.count, null, null]),
    ],
  };
}

/** The team board's agents. */
export function boardTable(b: { agents: { name: string; onDuty: boolean; open: number; urgent: number; overloaded: boolean }[] }, lang: Locale): Table {
  const m = (k: string) => t(lang, `measures.export.board.${k}`);
  const yes = t(lang, 'measures.export.yes');
  return {
    title: m('title'),
    headers: [m('agent'), m('onDuty'), m('open'), m('urgent'), m('overloaded')],
    rows: b.agents.map((a) => [a.name, a.onDuty ? yes : t(lang, 'measures.export.no'), a.open, a.urgent, a.overloaded ? yes : '']),
  };
}
