/** GET /qa/stats and /qa/stats/export: the QA dashboard over a range of months, and the same figures as .csv or .xlsx. */
import type { Database } from '../../db/client';
import { t, type Locale } from '../../i18n/index';
import type { Ctx } from '../../lib/context';
import { AppError } from '../../lib/errors';
import { orgTimeZone } from '../../lib/timezone';
import { authorize } from '../identity/policy';
import { toCsv, toWorkbook, type Table, type XSheet } from '../measures/measures.export';
import { monthBounds } from './quality.repo';
import { qaScope } from './quality.policy';
import { drillDown, qaStats, type DrillFilter } from './quality.stats';
import { qualityStatsRepo } from './quality.stats.repo';
import type { ScorecardItem } from './scorecard';

export interface StatsQueryInput {
  from?: string | undefined;
  to?: string | undefined;
  teamId?: string | undefined;
}

const monthOf = (d: Date, tz: string) => {
  const p = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit' }).formatToParts(d);
  return `${p.find((x) => x.type === 'year')!.value}-${p.find((x) => x.type === 'month')!.value}`;
};
const shift = (month: string, by: number) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const k = y * 12 + (m - 1) + by;
  return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
};

/** The submitted inspections of the period in the actor's scope (qaScope), with their appeals. */
async function load(database: Database, ctx: Ctx, q: StatsQueryInput) {
  authorize(ctx.actor, 'qa.view');
  const tz = orgTimeZone();
  const to = q.to ?? monthOf(new Date(), tz);
  const from = q.from ?? shift(to, -2);
  if (from > to) throw new AppError('validation_failed', 'from: must not be after to', { errors: [{ path: 'from', message: 'must not be after to' }] });
  const found = await qualityStatsRepo.submitted(database.db, monthBounds(from, tz).from, monthBounds(to, tz).to, qaScope(ctx.actor), q.teamId);
  const appeals = await qualityStatsRepo.appealsOf(
    database.db,
    found.map((r) => r.id),
  );
  const rows = found.map((r) => ({
    id: r.id,
    ticketId: r.ticketId,
    agentId: r.agentId,
    teamId: r.teamId,
    score: r.score,
    passed: r.passed,
    submittedAt: r.submittedAt!,
    scores: r.scores as { item: string; score: number | null }[],
    items: r.items as ScorecardItem[],
    month: monthOf(r.submittedAt!, tz),
  }));
  return { from, to, rows, appeals };
}

export async function getStats(database: Database, ctx: Ctx, q: StatsQueryInput) {
  const { from, to, rows, appeals } = await load(database, ctx, q);
  const stats = qaStats(rows, appeals);
  const people = new Map(
    (
      await qualityStatsRepo.people(
        database.db,
        stats.agents.map((a) => a.agentId),
      )
    ).map((p) => [p.id, p]),
  );
  const teamNames = new Map(
    (
      await qualityStatsRepo.teamNames(
        database.db,
        stats.teams.flatMap((x) => (x.teamId ? [x.teamId] : [])),
      )
    ).map((x) => [x.id, x.name]),
  );
  return {
    from,
    to,
    teamId: q.teamId ?? null,
    ...stats,
    agents: stats.agents.map(({ agentId, ...a }) => ({ agent: people.get(agentId) ?? { id: agentId, name: '', employeeNo: '' }, ...a })),
    teams: stats.teams.map((x) => ({ ...x, name: x.teamId ? (teamNames.get(x.teamId) ?? '') : '' })),
  };
}

type Stats = Awaited<ReturnType<typeof getStats>>;
export type StatsTable = 'agents' | 'items' | 'teams' | 'dimensions' | 'months';

export const DRILL_LIMIT = 500;

/** GET /qa/stats/inspections: the inspections behind a dashboard figure (drill-down), newest first; `total` counts them all. */
export async function drillStats(database: Database, ctx: Ctx, q: StatsQueryInput & DrillFilter) {
  const { from, to, rows, appeals } = await load(database, ctx, q);
  const found = drillDown(rows, appeals, q);
  const shown = found.slice(0, DRILL_LIMIT);
  const people = new Map((await qualityStatsRepo.people(database.db, [...new Set(shown.map((r) => r.agentId))])).map((p) => [p.id, p]));
  const teamNames = new Map(
    (
      await qualityStatsRepo.teamNames(
        database.db,
        shown.flatMap((x) => (x.teamId ? [x.teamId] : [])),
      )
    ).map((x) => [x.id, x.name]),
  );
  const appealOf = new Map(appeals.map((a) => [a.inspectionId, a.state]));
  return {
    from,
    to,
    total: found.length,
    items: shown.map((r) => ({
      id: r.id,
      ticketId: r.ticketId,
      agent: people.get(r.agentId) ?? { id: r.agentId, name: '', employeeNo: '' },
      team: r.teamId ? { id: r.teamId, name: teamNames.get(r.teamId) ?? '' } : null,
      month: r.month,
      submittedAt: r.submittedAt.toISOString(),
      score: r.score,
      passed: r.passed,
      appeal: (appealOf.get(r.id) ?? null) as 'open' | 'upheld' | 'revised' | null,
    })),
  };
}

/** The drill-down list as a table (csv / xlsx). */
function drillTable(d: Awaited<ReturnType<typeof drillStats>>, lang: Locale): Table {
  const m = (k: string) => t(lang, `quality.export.${k}`);
  return {
    title: m('inspections'),
    headers: [m('submittedAt'), m('employeeNo'), m('agent'), m('team'), m('score'), m('passed'), m('appeal')],
    rows: d.items.map((r) => [
      r.submittedAt.slice(0, 10),
      r.agent.employeeNo,
      r.agent.name,
      r.team?.name ?? '',
      r.score,
      r.passed === null ? '' : m(r.passed ? 'yes' : 'no'),
      r.appeal ? t(lang, `quality.export.appealState.${r.appeal}`) : '',
    ]),
  };
}

function tables(s: Stats, lang: Locale): Record<StatsTable, Table> {
  const m = (k: string) => t(lang, `quality.export.${k}`);
  const head = [m('n'), m('average'), m('passRate')];
  return {
    agents: {
      title: m('agents'),
      headers: [m('employeeNo'), m('agent'), ...head],
      rows: s.agents.map((a) => [a.agent.employeeNo, a.agent.name, a.n, a.average, a.passRate]),
    },
    teams: { title: m('teams'), headers: [m('team'), ...head], rows: s.teams.map((x) => [x.name, x.n, x.average, x.passRate]) },
    months: { title: m('months'), headers: [m('month'), ...head], rows: s.months.map((x) => [x.month, x.n, x.average, x.passRate]) },
    dimensions: {
      title: m('dimensions'),
      headers: [m('dimension'), m('n'), m('average')],
      rows: s.dimensions.map((d) => [t(lang, `quality.dimension.${d.dimension}`), d.n, d.average]),
    },
    items: {
      title: m('items'),
      headers: [m('item'), m('dimension'), m('n'), m('average'), m('failed'), m('failRate')],
      rows: s.items.map((i) => [i.label, t(lang, `quality.dimension.${i.dimension}`), i.n, i.average, i.failed, i.failRate]),
    },
  };
}

export async function exportStats(
  database: Database,
  ctx: Ctx,
  q: StatsQueryInput & DrillFilter & { format: 'csv' | 'xlsx'; table?: StatsTable | 'inspections' | undefined },
  lang: Locale,
): Promise<{ filename: string; type: string; body: Buffer }> {
  if (q.table === 'inspections') {
    const d = await drillStats(database, ctx, q);
    const table = drillTable(d, lang);
    const name = `qa-${d.from}-${d.to}-inspections`;
    if (q.format === 'csv') return { filename: `${name}.csv`, type: 'text/csv; charset=utf-8', body: toCsv(table) };
    const body = toWorkbook({
      title: t(lang, 'quality.export.title'),
      meta: [`${d.from} – ${d.to}`],
      sheets: [{ name: table.title, columns: table.headers.map((h) => ({ header: h })), rows: table.rows }],
    });
    return { filename: `${name}.xlsx`, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body };
  }
  const s = await getStats(database, ctx, q);
  const all = tables(s, lang);
  const base = `qa-${s.from}-${s.to}`;
  if (q.format === 'csv') {
    const table = q.table ?? 'agents';
    return { filename: `${base}-${table}.csv`, type: 'text/csv; charset=utf-8', body: toCsv(all[table]) };
  }
  const a = s.appeals;
  const summary: XSheet = {
    name: t(lang, 'quality.export.summary'),
    columns: [{ header: t(lang, 'quality.export.figure') }, { header: t(lang, 'quality.export.value'), fmt: 'dec1' }],
    rows: [
      [t(lang, 'quality.export.n'), s.n],
      [t(lang, 'quality.export.average'), s.average],
      [t(lang, 'quality.export.passRate'), s.passRate],
      [t(lang, 'quality.export.appealsFiled'), a.filed],
      [t(lang, 'quality.export.appealRate'), a.rate],
      [t(lang, 'quality.export.appealsUpheld'), a.upheld],
      [t(lang, 'quality.export.appealsRevised'), a.revised],
      [t(lang, 'quality.export.appealsOpen'), a.open],
    ],
  };
  const sheets: XSheet[] = [
    summary,
    ...(['dimensions', 'items', 'agents', 'teams', 'months'] as const).map((k) => ({
      name: all[k].title,
      columns: all[k].headers.map((h) => ({ header: h })),
      rows: all[k].rows,
    })),
  ];
  const title = t(lang, 'quality.export.title');
  const body = toWorkbook({ title, meta: [`${s.from} – ${s.to}`], sheets });
  return { filename: `${base}.xlsx`, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body };
}
