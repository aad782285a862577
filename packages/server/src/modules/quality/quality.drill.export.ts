/**
 * Exports of the QA dashboard's other drill-downs (issue #15 item 10), like the inspection list's
 * (`GET /qa/stats/export?table=inspections`): the automatic hits behind a rule's rate (`GET /qa/hits/export`, quality's
 * team scope and ticket visibility as `GET /qa/hits`) and the environment checks behind the out-of-range figures
 * (`GET /env/checks/export`, per site: environment checks belong to sites, not teams). Both page through the list
 * commands, so an export holds exactly the rows the drawer lists (up to EXPORT_LIMIT).
 */
import type { Database } from '../../db/client';
import { t, type Locale } from '../../i18n/index';
import type { Ctx } from '../../lib/context';
import { listChecks } from '../environment/environment.commands';
import { listHits } from '../inspection/inspection.commands';
import { toCsv, toWorkbook, type Table } from '../measures/measures.export';

export const EXPORT_LIMIT = 5000;
type File = { filename: string; type: string; body: Buffer };
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function write(table: Table, name: string, format: 'csv' | 'xlsx', lang: Locale, meta: string[]): File {
  if (format === 'csv') return { filename: `${name}.csv`, type: 'text/csv; charset=utf-8', body: toCsv(table) };
  const body = toWorkbook({
    title: t(lang, 'quality.export.title'),
    meta,
    sheets: [{ name: table.title, columns: table.headers.map((h) => ({ header: h })), rows: table.rows }],
  });
  return { filename: `${name}.xlsx`, type: XLSX, body };
}

const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : '');

export interface HitsExportInput {
  rule?: string | undefined;
  severity?: string | undefined;
  authorId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  format: 'csv' | 'xlsx';
}

/** The automatic hits of a rule (the dashboard's hit-rate drill-down) as .csv or .xlsx. */
export async function exportHits(database: Database, ctx: Ctx, q: HitsExportInput, lang: Locale): Promise<File> {
  const m = (k: string) => t(lang, `quality.export.${k}`);
  const items: Awaited<ReturnType<typeof listHits>>['items'] = [];
  let cursor: string | undefined;
  do {
    const page = await listHits(database, ctx, { ...q, limit: 200, cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && items.length < EXPORT_LIMIT);
  const table: Table = {
    title: m('hits'),
    headers: [m('at'), m('ticket'), m('agent'), m('rule'), m('severity'), m('excerpt'), m('suggestion')],
    rows: items
      .slice(0, EXPORT_LIMIT)
      .map((h) => [
        h.at.slice(0, 16).replace('T', ' '),
        h.ticketNumber,
        h.authorName ?? '',
        h.rule,
        m(`severityOf.${h.severity}`),
        h.excerpt,
        h.suggestion ?? '',
      ]),
  };
  const name = `qa-hits${q.rule ? `-${q.rule.replace(/[^a-z0-9._-]/gi, '_')}` : ''}${q.from ? `-${day(q.from)}` : ''}`;
  return write(table, name, q.format, lang, [[q.rule ?? '', day(q.from), day(q.to)].filter(Boolean).join(' · ')]);
}

export interface ChecksExportInput {
  siteId?: string | undefined;
  failed?: 'true' | 'false' | undefined;
  from?: string | undefined;
  to?: string | undefined;
  format: 'csv' | 'xlsx';
}

/** The environment checks of a period (the dashboard's out-of-range drill-down) as .csv or .xlsx. */
export async function exportChecks(database: Database, ctx: Ctx, q: ChecksExportInput, lang: Locale): Promise<File> {
  const m = (k: string) => t(lang, `quality.export.${k}`);
  const items: Awaited<ReturnType<typeof listChecks>>['items'] = [];
  let cursor: string | undefined;
  do {
    const page = await listChecks(database, ctx, { ...q, limit: 100, cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && items.length < EXPORT_LIMIT);
  const shown = (v: number | boolean) => (typeof v === 'boolean' ? m(v ? 'yes' : 'no') : String(v));
  const table: Table = {
    title: m('checks'),
    headers: [m('checkedAt'), m('site'), m('inspector'), m('outOfRange'), m('failedItems'), m('tasks')],
    rows: items.slice(0, EXPORT_LIMIT).map((c) => [
      c.createdAt.slice(0, 10),
      c.site.name,
      c.inspector.name,
      c.outOfRange,
      c.results
        .filter((r) => !r.ok)
        .map((r) => `${r.label} ${shown(r.value)}${r.unit ? ` ${r.unit}` : ''}（${r.expected}）`)
        .join('；'),
      c.tasks.length,
    ]),
  };
  return write(table, `env-checks${q.from ? `-${q.from}` : ''}${q.to ? `-${q.to}` : ''}`, q.format, lang, [[q.from, q.to].filter(Boolean).join(' – ')]);
}
