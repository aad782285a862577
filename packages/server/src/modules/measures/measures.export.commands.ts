/**
 * GET /measures/export: the table behind a page as CSV (one table, as before) or the page as an .xlsx report
 * (measures.report.ts). The numbers come from the same commands as the JSON endpoints, under the same scope.
 */
import type { Database } from '../../db/client';
import type { Locale } from '../../i18n/index';
import type { Ctx } from '../../lib/context';
import { orgTimeZone } from '../../lib/timezone';
import { board, complaints } from './measures.board.commands';
import * as cmd from './measures.commands';
import { boardTable, complaintsTable, measuresTable, toCsv, toWorkbook } from './measures.export';
import { fieldMeasures, fieldMeasuresTable } from './measures.field.commands';
import { boardWorkbook, complaintsWorkbook, measuresWorkbook, metaLines, type ReportMeta } from './measures.report';
import { reportRepo } from './measures.report.repo';
import { measuresRepo } from './measures.repo';

export interface ExportQuery extends cmd.MeasuresQueryInput {
  format: 'csv' | 'xlsx';
  view?: 'measures' | 'complaints' | 'board' | 'field' | undefined;
}

/** The applied (scoped) filters as plain strings. */
const words = (f: object): Record<string, string> =>
  Object.fromEntries(Object.entries(f).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));

const DAY_MS = 86_400_000;
/** The overview's trend granularity for a period (the same rule as the page's chart). */
export function trendGroupOf(fromIso: string, toIso: string): 'day' | 'week' | 'month' {
  const days = Math.round((new Date(toIso).getTime() - new Date(fromIso).getTime()) / DAY_MS);
  return days <= 45 ? 'day' : days <= 120 ? 'week' : 'month';
}

async function metaOf(
  database: Database,
  org: string | undefined,
  res: { from: string | null; to: string | null; tz: string; filters: Record<string, string> },
): Promise<ReportMeta> {
  const names = new Map<string, string>();
  const ids: ['teams' | 'staff' | 'categories', string | undefined][] = [
    ['teams', res.filters.teamId],
    ['staff', res.filters.agentId],
    ['categories', res.filters.categoryId],
  ];
  for (const [table, id] of ids) if (id) for (const r of await measuresRepo.names(database.db, table, [id])) names.set(r.id, r.name);
  return { org: org || (await reportRepo.orgName(database.db)), from: res.from, to: res.to, tz: res.tz, filters: res.filters, names, at: new Date() };
}

export async function exportView(
  database: Database,
  ctx: Ctx,
  q: ExportQuery,
  lang: Locale,
  org: string | undefined,
): Promise<{ filename: string; type: string; body: Buffer }> {
  const view = q.view ?? 'measures';
  const stamp = new Date().toISOString().slice(0, 10);
  const filename = `${view}-${stamp}.${q.format}`;
  if (view === 'field') {
    const res = await fieldMeasures(database, ctx, { from: q.from, to: q.to, tz: q.tz, technicianId: q.agentId });
    const table = fieldMeasuresTable(res, lang);
    if (q.format === 'csv') return { filename, type: 'text/csv; charset=utf-8', body: toCsv(table) };
    const meta = await metaOf(database, org, { from: res.from, to: res.to, tz: res.timeZone, filters: res.technicianId ? { agentId: res.technicianId } : {} });
    const sheet = {
      name: table.title,
      columns: table.headers.map((header, i) => ({ header, fmt: i < 2 ? ('text' as const) : i === 4 ? ('int' as const) : ('dec2' as const) })),
      rows: table.rows,
    };
    return {
      filename,
      type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      body: toWorkbook({ title: table.title, meta: metaLines(lang, meta), sheets: [sheet] }),
    };
  }
  if (q.format === 'csv') {
    const table =
      view === 'complaints'
        ? complaintsTable(await complaints(database, ctx, q), lang)
        : view === 'board'
          ? boardTable(await board(database, ctx, q), lang)
          : measuresTable(await cmd.measures(database, ctx, q), lang);
    return { filename, type: 'text/csv; charset=utf-8', body: toCsv(table) };
  }
  const type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  if (view === 'board') {
    const b = await board(database, ctx, q);
    const meta = await metaOf(database, org, { from: null, to: null, tz: orgTimeZone(), filters: b.teamId ? { teamId: b.teamId } : {} });
    return { filename, type, body: toWorkbook(boardWorkbook(lang, meta, b)) };
  }
  if (view === 'complaints') {
    const [c, totals] = await Promise.all([complaints(database, ctx, q), cmd.measures(database, ctx, { ...q, groupBy: undefined })]);
    const meta = await metaOf(database, org, { from: totals.from, to: totals.to, tz: totals.timeZone, filters: words(totals.filters) });
    return { filename, type, body: toWorkbook(complaintsWorkbook(lang, meta, c, totals)) };
  }
  const main = await cmd.measures(database, ctx, q);
  const hasTime = main.groupBy.some((g) => g === 'day' || g === 'week' || g === 'month');
  const [trend, firstResponse, resolution] = await Promise.all([
    hasTime ? undefined : cmd.measures(database, ctx, { ...q, groupBy: trendGroupOf(main.from, main.to) }),
    cmd.distribution(database, ctx, { ...q, groupBy: undefined, measure: 'firstResponse' }),
    cmd.distribution(database, ctx, { ...q, groupBy: undefined, measure: 'resolution' }),
  ]);
  const meta = await metaOf(database, org, { from: main.from, to: main.to, tz: main.timeZone, filters: words(main.filters) });
  return { filename, type, body: toWorkbook(measuresWorkbook(lang, meta, { main, trend, firstResponse, resolution })) };
}
