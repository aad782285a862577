import { readSheet, type SheetData } from 'read-excel-file/node';
import type { Database } from '../../db/client';
import { writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { authorize } from '../identity/policy';
import { newNonce } from './field.code';
import { pathOf } from './field.present';
import { fieldRepo, type SiteRow } from './field.repo';
import { SITE_KINDS } from './field.schema';

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

const invalid = (path: string, message: string) => new AppError('validation_failed', `${path}: ${message}`, { errors: [{ path, message }] });

/** A cell of the sheet as text: a date as YYYY-MM-DD, a number or boolean as written, empty as "". */
function cellText(v: unknown): string {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}

/**
 * The first sheet of an .xlsx workbook (base64) as rows of text, blank rows dropped like the CSV's. A file that is
 * not an .xlsx (a legacy .xls, a CSV renamed, a broken zip) is a 400 naming `xlsx`.
 */
export async function parseXlsx(base64: string): Promise<string[][]> {
  const buf = Buffer.from(base64, 'base64');
  if (buf.length === 0) throw invalid('xlsx', 'the file is empty');
  let data: SheetData;
  try {
    data = await readSheet(buf);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw invalid('xlsx', code === 'XLS_FILE_NOT_SUPPORTED' ? 'a legacy .xls file: save it as .xlsx' : 'not a readable .xlsx workbook');
  }
  return data.map((r) => r.map(cellText)).filter((r) => r.some((f) => f.trim() !== ''));
}

/**
 * Import sites from CSV or an .xlsx workbook's first sheet, columns `path,kind,address` (path: names from the root
 * joined by "/"). Missing ancestors are created; existing paths are left as they are. A dry run reports what would
 * happen and names every bad row (row 1 = header; in a workbook, rows are counted without the blank ones, like CSV).
 */
export async function importSites(database: Database, ctx: Ctx, input: { csv?: string | undefined; xlsx?: string | undefined; dryRun: boolean }) {
  authorize(ctx.actor, 'field.manage');
  if ((input.csv === undefined) === (input.xlsx === undefined)) throw invalid('csv', 'give exactly one of csv and xlsx');
  const rows = input.xlsx !== undefined ? await parseXlsx(input.xlsx) : parseCsv(input.csv!);
  const errors: { row: number; message: string }[] = [];
  const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  if (col('path') < 0)
    return { dryRun: input.dryRun, rows: 0, created: 0, existing: 0, errors: [{ row: 1, message: 'header must name a "path" column (path,kind,address)' }] };
  const plan: { row: number; names: string[]; kind: string; address: string | null }[] = [];
  rows.slice(1).forEach((r, k) => {
    const rowNo = k + 2;
    const names = (r[col('path')] ?? '')
      .split('/')
      .map((x) => x.trim())
      .filter(Boolean);
    const kind = col('kind') >= 0 ? (r[col('kind')] ?? '').trim() || 'site' : 'site';
    const address = col('address') >= 0 ? (r[col('address')] ?? '').trim() || null : null;
    if (names.length === 0) errors.push({ row: rowNo, message: 'path is empty' });
    else if (names.some((n) => n.length > 100)) errors.push({ row: rowNo, message: 'a name is longer than 100 characters' });
    else if (!(SITE_KINDS as readonly string[]).includes(kind)) errors.push({ row: rowNo, message: `unknown kind "${kind}" (${SITE_KINDS.join(', ')})` });
    else if (address && address.length > 300) errors.push({ row: rowNo, message: 'address is longer than 300 characters' });
    else plan.push({ row: rowNo, names, kind, address });
  });
  return database.transaction(async (tx) => {
    const all = await fieldRepo.allSites(tx);
    const map = new Map(all.map((s) => [s.id, s]));
    const byPath = new Map<string, SiteRow | { id: string }>(all.map((s) => [pathOf(s, map).join('/'), s]));
    let created = 0;
    let existing = 0;
    for (const p of plan) {
      let parentId: string | null = null;
      for (let i = 0; i < p.names.length; i++) {
        const key = p.names.slice(0, i + 1).join('/');
        const last = i === p.names.length - 1;
        let node = byPath.get(key);
        if (!node) {
          const id = uuidv7();
          if (!input.dryRun)
            await fieldRepo.insertSite(tx, {
              id,
              parentId,
              kind: last ? p.kind : 'site',
              name: p.names[i]!,
              address: last ? p.address : null,
              codeNonce: newNonce(),
            });
          node = { id };
          byPath.set(key, node);
          created++;
        } else if (last) existing++;
        parentId = node.id;
      }
    }
    if (!input.dryRun)
      await writeAudit(tx, ctx, { action: 'field.sites_imported', targetType: 'field_site', changes: { created: { before: null, after: created } } });
    return { dryRun: input.dryRun, rows: rows.length - 1, created, existing, errors };
  });
}
