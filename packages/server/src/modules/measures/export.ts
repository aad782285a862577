/**
 * Exports: CSV (UTF-8 with BOM so Excel shows Chinese) and .xlsx written directly as OOXML (a small ZIP writer with
 * deflate from node:zlib; inline strings, numbers as numbers) — no dependency.
 */
import { deflateRawSync } from 'node:zlib';

export type Cell = string | number | null | undefined;
export interface Table { title: string; headers: string[]; rows: Cell[][] }

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
  for (let n = 0; n < 256; n++) { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; t[n] = c >>> 0; }
  return t;
})();
export function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A ZIP archive (deflate) of the given files. */
export function zip(files: { name: string; data: Buffer }[]): Buffer {
  const parts: Buffer[] = []; const central: Buffer[] = [];
  let offset = 0;
  const dosTime = 0; const dosDate = (2026 - 1980) << 9 | 1 << 5 | 1;
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    const comp = deflateRawSync(f.data);
    const crc = crc32(f.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0x0800, 6); local.writeUInt16LE(8, 8);
    local.writeUInt16LE(dosTime, 10); local.writeUInt16LE(dosDate, 12); local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(comp.length, 18); local.writeUInt32LE(f.data.length, 22); local.writeUInt16LE(name.length, 26); local.writeUInt16LE(0, 28);
    parts.push(local, name, comp);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0); cd.writeUInt16LE(20, 4); cd.writeUInt16LE(20, 6); cd.writeUInt16LE(0x0800, 8); cd.writeUInt16LE(8, 10);
    cd.writeUInt16LE(dosTime, 12); cd.writeUInt16LE(dosDate, 14); cd.writeUInt32LE(crc, 16); cd.writeUInt32LE(comp.length, 20); cd.writeUInt32LE(f.data.length, 24);
    cd.writeUInt16LE(name.length, 28); cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    offset += local.length + name.length + comp.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(files.length, 8); end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cdBuf.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBuf, end]);
}

const xml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
const colName = (i: number) => { let s = ''; let n = i + 1; while (n > 0) { const m = (n - 1) % 26; s = String.fromCharCode(65 + m) + s; n = Math.floor((n - 1) / 26); } return s; };

export function toXlsx(t: Table): Buffer {
  const all: Cell[][] = [t.headers, ...t.rows];
  const rowsXml = all.map((r, ri) => `<row r="${ri + 1}">${r.map((v, ci) => {
    const ref = `${colName(ci)}${ri + 1}`;
    const style = ri === 0 ? ' s="1"' : '';
    if (v === null || v === undefined || v === '') return `<c r="${ref}"${style}/>`;
    if (typeof v === 'number' && Number.isFinite(v)) return `<c r="${ref}"${style}><v>${v}</v></c>`;
    return `<c r="${ref}" t="inlineStr"${style}><is><t xml:space="preserve">${xml(String(v))}</t></is></c>`;
  }).join('')}</row>`).join('');
  const widths = t.headers.map((h, i) => Math.min(60, Math.max(8, ...all.map((r) => String(r[i] ?? '').replace(/[^\x00-\xff]/g, 'xx').length + 2), h.length)));
  const sheet = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><cols>${widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join('')}</cols><sheetData>${rowsXml}</sheetData></worksheet>`;
  const sheetName = xml(t.title.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31) || 'Sheet1');
  return zip([
    { name: '[Content_Types].xml', data: Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`) },
    { name: '_rels/.rels', data: Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`) },
    { name: 'xl/workbook.xml', data: Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${sheetName}" sheetId="1" r:id="rId1"/></sheets></workbook>`) },
    { name: 'xl/_rels/workbook.xml.rels', data: Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`) },
    { name: 'xl/styles.xml', data: Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`) },
    { name: 'xl/worksheets/sheet1.xml', data: Buffer.from(sheet) },
  ]);
}

// ───────────────────────────── tables of the views ─────────────────────────────

type Lang = 'zh-CN' | 'en';
const H: Record<string, [string, string]> = {
  day: ['日期', 'Day'], week: ['周', 'Week'], month: ['月份', 'Month'], team: ['团队', 'Team'], agent: ['坐席', 'Agent'], channel: ['渠道', 'Channel'], type: ['类型', 'Type'], tier: ['客户等级', 'Tier'], category: ['分类', 'Category'], site: ['地点', 'Site'],
  tickets: ['工单数', 'Tickets'], csat: ['CSAT', 'CSAT'], csatN: ['CSAT 分子(4–5分)', 'CSAT numerator (4–5)'], csatD: ['CSAT 分母', 'CSAT denominator'],
  nps: ['NPS', 'NPS'], npsD: ['NPS 答卷数', 'NPS answers'], ces: ['CES', 'CES'], cesD: ['CES 答卷数', 'CES answers'],
  fcr: ['FCR', 'FCR'], fcrN: ['FCR 分子', 'FCR numerator'], fcrD: ['已解决工单', 'Resolved tickets'],
  std: ['标准执行率', 'Standard execution'], stdN: ['达标', 'Met'], stdD: ['达标+超时', 'Met + breached'],
  cr: ['投诉率', 'Complaint rate'], crN: ['投诉数', 'Complaints'], crr: ['投诉解决率', 'Complaint resolution'], crrN: ['已解决未重开投诉', 'Resolved, not reopened'],
  rec: ['挽回率', 'Recovery rate'], kb: ['知识应用率', 'Knowledge application'],
  fr50: ['首次响应 P50(秒)', 'First response P50 (s)'], fr90: ['首次响应 P90(秒)', 'First response P90 (s)'], rs50: ['解决时长 P50(秒)', 'Resolution P50 (s)'], rs90: ['解决时长 P90(秒)', 'Resolution P90 (s)'],
};
const h = (k: string, lang: Lang) => H[k]![lang === 'en' ? 1 : 0];
const r4 = (v: number | null) => (v === null ? null : Math.round(v * 10_000) / 10_000);

interface PresentedRow { key?: Record<string, string | null>; labels?: Record<string, string | null>; tickets: number; csat: { value: number | null; numerator: number; denominator: number }; nps: { value: number | null; count: number }; ces: { value: number | null; count: number }; fcr: { value: number | null; numerator: number; denominator: number }; standardExecutionRate: { value: number | null; numerator: number; denominator: number }; complaintRate: { value: number | null; numerator: number; denominator: number }; complaintResolutionRate: { value: number | null; numerator: number; denominator: number }; recoveryRate: { value: number | null }; knowledgeApplicationRate: { value: number | null }; firstResponseSeconds: { p50: number | null; p90: number | null }; resolutionSeconds: { p50: number | null; p90: number | null } }

export function measuresTable(res: { groupBy: string[]; rows: PresentedRow[]; total: PresentedRow }, lang: Lang, title: string): Table {
  const headers = [...res.groupBy.map((g) => h(g, lang)), ...['tickets', 'csat', 'csatN', 'csatD', 'nps', 'npsD', 'ces', 'cesD', 'fcr', 'fcrN', 'fcrD', 'std', 'stdN', 'stdD', 'cr', 'crN', 'crr', 'crrN', 'rec', 'kb', 'fr50', 'fr90', 'rs50', 'rs90'].map((k) => h(k, lang))];
  const line = (r: PresentedRow, keys: Cell[]): Cell[] => [...keys, r.tickets, r4(r.csat.value), r.csat.numerator, r.csat.denominator, r.nps.value === null ? null : Math.round(r.nps.value * 10) / 10, r.nps.count,
    r.ces.value === null ? null : Math.round(r.ces.value * 100) / 100, r.ces.count, r4(r.fcr.value), r.fcr.numerator, r.fcr.denominator,
    r4(r.standardExecutionRate.value), r.standardExecutionRate.numerator, r.standardExecutionRate.denominator, r4(r.complaintRate.value), r.complaintRate.numerator,
    r4(r.complaintResolutionRate.value), r.complaintResolutionRate.numerator, r4(r.recoveryRate.value), r4(r.knowledgeApplicationRate.value),
    r.firstResponseSeconds.p50, r.firstResponseSeconds.p90, r.resolutionSeconds.p50, r.resolutionSeconds.p90];
  const rows = res.rows.map((r) => line(r, res.groupBy.map((g) => r.labels?.[g] ?? r.key?.[g] ?? '')));
  if (res.groupBy.length) rows.push(line(res.total, [lang === 'en' ? 'Total' : '合计', ...res.groupBy.slice(1).map(() => '')]));
  else rows.push(line(res.total, []));
  return { title, headers, rows };
}
