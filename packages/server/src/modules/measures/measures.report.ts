/**
 * The .xlsx report of a dashboard (GET /measures/export?format=xlsx): what the page shows, one sheet per table or
 * chart, every sheet opened by the title, organisation, period (local dates and time zone) and the filters in words;
 * rates as percentage cells beside their numerator and denominator, durations as day fractions formatted [h]:mm:ss.
 * Only the layout lives here; the numbers are the JSON endpoints' own (measures, distribution, complaints, board).
 */
import { t, type Locale } from '../../i18n/index';
import type { FmtCell, Fmt, Workbook, XCell, XSheet } from './measures.export';

const m = (lang: Locale, k: string, p?: Record<string, string>) => t(lang, `measures.xlsx.${k}`, p);

// ───────────────────────────── title block ─────────────────────────────

export interface ReportMeta {
  org: string | null;
  /** ISO instants of the half-open period; null for live views (the board). */
  from: string | null;
  to: string | null;
  tz: string;
  /** Filters applied (after scoping), ids resolved through `names`. */
  filters: Record<string, string>;
  names: Map<string, string>;
  at: Date;
}

function localParts(d: Date, tz: string) {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .formatToParts(d)
    .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

/** `YYYY-MM-DD` to `YYYY-MM-DD` (inclusive end) when both ends are local midnights, else with `HH:mm`. */
export function periodText(fromIso: string, toIso: string, tz: string): { from: string; to: string } {
  const from = localParts(new Date(fromIso), tz);
  const to = localParts(new Date(toIso), tz);
  if (from.time === '00:00' && to.time === '00:00') return { from: from.date, to: localParts(new Date(new Date(toIso).getTime() - 1), tz).date };
  return { from: `${from.date} ${from.time}`, to: `${to.date} ${to.time}` };
}

/** A filter value in words: names for ids, channel/type/tier words. */
function filterWord(lang: Locale, key: string, value: string, names: Map<string, string>): string {
  if (key === 'teamId' || key === 'agentId' || key === 'categoryId') return names.get(value) ?? value;
  if (key === 'channel' || key === 'type' || key === 'tier') {
    const k = `measures.xlsx.${key}.${value}`;
    const w = t(lang, k);
    return w === k ? value : w;
  }
  return value;
}

export function metaLines(lang: Locale, meta: ReportMeta): string[] {
  const lines: string[] = [];
  if (meta.org) lines.push(m(lang, 'org', { org: meta.org }));
  const at = localParts(meta.at, meta.tz);
  if (meta.from && meta.to) lines.push(m(lang, 'period', { ...periodText(meta.from, meta.to, meta.tz), tz: meta.tz }));
  else lines.push(m(lang, 'asOf', { at: `${at.date} ${at.time}`, tz: meta.tz }));
  const words = Object.entries(meta.filters)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${m(lang, `filter.${k}`)}：${filterWord(lang, k, v, meta.names)}`);
  lines.push(m(lang, 'filters', { filters: words.length ? words.join(lang === 'en' ? '; ' : '；') : m(lang, 'filters.none') }));
  lines.push(m(lang, 'generated', { at: `${at.date} ${at.time}` }));
  return lines;
}

// ───────────────────────────── measures ─────────────────────────────

interface Ratio {
  value: number | null;
  numerator: number | null;
  denominator: number;
}
export interface ReportRow {
  key: Record<string, string | null>;
  labels: Record<string, string | null>;
}
export interface ReportValues {
  tickets: number;
  csat: Ratio;
  nps: { value: number | null; promoters: number; detractors: number; count: number };
  ces: { value: number | null; sum: number; count: number };
  fcr: Ratio;
  standardExecutionRate: Ratio;
  complaintRate: Ratio;
  complaintResolutionRate: Ratio;
  recoveryRate: Ratio;
  knowledgeApplicationRate: Ratio;
  firstResponseSeconds: { p50: number | null; p90: number | null; count: number };
  resolutionSeconds: { p50: number | null; p90: number | null; count: number };
}
export interface MeasuresOut {
  from: string;
  to: string;
  timeZone: string;
  groupBy: string[];
  total: ReportValues;
  rows: (ReportValues & ReportRow)[];
  targets: Record<string, { target: number | null; direction: 'min' | 'max' }>;
}
export interface DistributionOut {
  p50: number | null;
  p90: number | null;
  count: number;
  buckets: { fromSeconds: number; toSeconds: number | null; count: number }[];
}

const col = (lang: Locale, k: string, fmt?: Fmt) => ({ header: t(lang, `measures.col.${k}`), ...(fmt ? { fmt } : {}) });
const xcol = (lang: Locale, k: string, fmt?: Fmt) => ({ header: m(lang, `col.${k}`), ...(fmt ? { fmt } : {}) });

/** The columns of a measures table: every rate with its numerator and denominator beside it. */
function valueColumns(lang: Locale): XSheet['columns'] {
  return [
    col(lang, 'tickets', 'int'),
    col(lang, 'csat', 'pct'),
    col(lang, 'csatN', 'int'),
    col(lang, 'csatD', 'int'),
    col(lang, 'nps', 'dec1'),
    xcol(lang, 'npsPromoters', 'int'),
    xcol(lang, 'npsDetractors', 'int'),
    col(lang, 'npsD', 'int'),
    col(lang, 'ces', 'dec2'),
    xcol(lang, 'cesSum', 'int'),
    col(lang, 'cesD', 'int'),
    col(lang, 'fcr', 'pct'),
    col(lang, 'fcrN', 'int'),
    col(lang, 'fcrD', 'int'),
    col(lang, 'std', 'pct'),
    col(lang, 'stdN', 'int'),
    col(lang, 'stdD', 'int'),
    col(lang, 'cr', 'pct'),
    col(lang, 'crN', 'int'),
    xcol(lang, 'crD', 'int'),
    col(lang, 'crr', 'pct'),
    col(lang, 'crrN', 'int'),
    xcol(lang, 'crrD', 'int'),
    col(lang, 'rec', 'pct'),
    xcol(lang, 'recN', 'int'),
    xcol(lang, 'recD', 'int'),
    col(lang, 'kb', 'pct'),
    xcol(lang, 'kbN', 'int'),
    xcol(lang, 'kbD', 'int'),
    xcol(lang, 'fr50', 'dur'),
    xcol(lang, 'fr90', 'dur'),
    xcol(lang, 'rs50', 'dur'),
    xcol(lang, 'rs90', 'dur'),
  ];
}

const ratio = (r: Ratio): XCell[] => [r.value, r.numerator, r.denominator];
function valueCells(v: ReportValues): XCell[] {
  return [
    v.tickets,
    ...ratio(v.csat),
    v.nps.value,
    v.nps.promoters,
    v.nps.detractors,
    v.nps.count,
    v.ces.value,
    v.ces.sum,
    v.ces.count,
    ...ratio(v.fcr),
    ...ratio(v.standardExecutionRate),
    ...ratio(v.complaintRate),
    ...ratio(v.complaintResolutionRate),
    ...ratio(v.recoveryRate),
    ...ratio(v.knowledgeApplicationRate),
    v.firstResponseSeconds.p50,
    v.firstResponseSeconds.p90,
    v.resolutionSeconds.p50,
    v.resolutionSeconds.p90,
  ];
}

/** A group's label in words (team/agent/category names, channel/type/tier words, dates as they are). */
function groupLabel(lang: Locale, g: string, r: ReportRow): string {
  const key = r.key[g] ?? null;
  if (key === null) return g === 'team' ? m(lang, 'noTeam') : m(lang, 'none');
  if (g === 'channel' || g === 'type' || g === 'tier') return filterWord(lang, g, key, new Map());
  return r.labels[g] ?? key;
}

/** One sheet of a grouped query (rows, then the total); `groupBy` has at least one group. */
export function groupedSheet(lang: Locale, res: MeasuresOut, name?: string): XSheet {
  const rows: XCell[][] = res.rows.map((r) => [...res.groupBy.map((g) => groupLabel(lang, g, r)), ...valueCells(r)]);
  rows.push([t(lang, 'measures.export.total'), ...res.groupBy.slice(1).map(() => ''), ...valueCells(res.total)]);
  return {
    name: name ?? (res.groupBy.length === 1 ? m(lang, `sheet.by.${res.groupBy[0]}`) : m(lang, 'sheet.rows')),
    columns: [...res.groupBy.map((g) => col(lang, g)), ...valueColumns(lang)],
    rows,
  };
}

const SUMMARY: { key: string; name: string; fmt: Fmt; pick: (v: ReportValues) => [number | null, number | null, number | null] }[] = [
  { key: 'tickets', name: 'measures.xlsx.name.tickets', fmt: 'int', pick: (v) => [v.tickets, null, null] },
  { key: 'csat', name: 'measures.name.csat', fmt: 'pct', pick: (v) => [v.csat.value, v.csat.numerator, v.csat.denominator] },
  { key: 'nps', name: 'measures.name.nps', fmt: 'dec1', pick: (v) => [v.nps.value, null, v.nps.count] },
  { key: 'ces', name: 'measures.name.ces', fmt: 'dec2', pick: (v) => [v.ces.value, v.ces.sum, v.ces.count] },
  { key: 'fcr', name: 'measures.name.fcr', fmt: 'pct', pick: (v) => [v.fcr.value, v.fcr.numerator, v.fcr.denominator] },
  ...(['standardExecutionRate', 'complaintRate', 'complaintResolutionRate', 'recoveryRate', 'knowledgeApplicationRate'] as const).map((k) => ({
    key: k,
    name: `measures.name.${k}`,
    fmt: 'pct' as const,
    pick: (v: ReportValues): [number | null, number | null, number | null] => [v[k].value, v[k].numerator, v[k].denominator],
  })),
  {
    key: 'firstResponseSecondsP50',
    name: 'measures.xlsx.name.frP50',
    fmt: 'dur',
    pick: (v) => [v.firstResponseSeconds.p50, null, v.firstResponseSeconds.count],
  },
  {
    key: 'firstResponseSecondsP90',
    name: 'measures.xlsx.name.frP90',
    fmt: 'dur',
    pick: (v) => [v.firstResponseSeconds.p90, null, v.firstResponseSeconds.count],
  },
  { key: 'resolutionSecondsP50', name: 'measures.xlsx.name.rsP50', fmt: 'dur', pick: (v) => [v.resolutionSeconds.p50, null, v.resolutionSeconds.count] },
  { key: 'resolutionSecondsP90', name: 'measures.xlsx.name.rsP90', fmt: 'dur', pick: (v) => [v.resolutionSeconds.p90, null, v.resolutionSeconds.count] },
];

/** 概览: one row per measure — value, numerator, denominator, target and whether it is met. */
export function summarySheet(lang: Locale, total: ReportValues, targets: MeasuresOut['targets'], keys?: string[]): XSheet {
  const rows = SUMMARY.filter((s) => !keys || keys.includes(s.key)).map((s): XCell[] => {
    const [value, num, den] = s.pick(total);
    const tgt = targets[s.key];
    const met =
      tgt?.target === null || tgt?.target === undefined || value === null
        ? ''
        : (tgt.direction === 'min' ? value >= tgt.target : value <= tgt.target)
          ? 'met'
          : 'missed';
    const cell = (v: number | null): FmtCell => ({ v, f: s.fmt });
    return [t(lang, s.name), cell(value), num, den, tgt?.target === undefined ? null : cell(tgt.target), met ? m(lang, met) : ''];
  });
  return {
    name: m(lang, 'sheet.summary'),
    columns: [
      xcol(lang, 'measure'),
      xcol(lang, 'value'),
      xcol(lang, 'numerator', 'int'),
      xcol(lang, 'denominator', 'int'),
      xcol(lang, 'target'),
      xcol(lang, 'met'),
    ],
    rows,
  };
}

/** A distribution chart's data: bucket bounds as durations, ticket count, share. */
export function distributionSheet(lang: Locale, name: string, d: DistributionOut): XSheet {
  const total = d.buckets.reduce((a, b) => a + b.count, 0);
  return {
    name,
    columns: [xcol(lang, 'from', 'dur'), xcol(lang, 'to', 'dur'), xcol(lang, 'count', 'int'), xcol(lang, 'share', 'pct')],
    rows: d.buckets.map((b) => [b.fromSeconds, b.toSeconds, b.count, total ? b.count / total : null]),
  };
}

export function measuresWorkbook(
  lang: Locale,
  meta: ReportMeta,
  parts: { main: MeasuresOut; trend?: MeasuresOut | undefined; firstResponse?: DistributionOut | undefined; resolution?: DistributionOut | undefined },
): Workbook {
  const sheets: XSheet[] = [summarySheet(lang, parts.main.total, parts.main.targets)];
  if (parts.main.groupBy.length) sheets.push(groupedSheet(lang, parts.main));
  if (parts.trend) sheets.push(groupedSheet(lang, parts.trend, m(lang, `sheet.trend.${parts.trend.groupBy[0]}`)));
  if (parts.firstResponse) sheets.push(distributionSheet(lang, m(lang, 'sheet.frDist'), parts.firstResponse));
  if (parts.resolution) sheets.push(distributionSheet(lang, m(lang, 'sheet.rsDist'), parts.resolution));
  return { title: m(lang, 'title.measures'), meta: metaLines(lang, meta), sheets };
}

// ───────────────────────────── complaints and board ─────────────────────────────

interface ParetoOut {
  items: { key: string | null; label: string | null; count: number; share: number; cumulative: number }[];
}

export function complaintsWorkbook(
  lang: Locale,
  meta: ReportMeta,
  c: { byCategory: ParetoOut; byCause: ParetoOut; repeats: { site: string; category: string | null; count: number }[] },
  totals: MeasuresOut,
): Workbook {
  const pareto = (name: string, p: ParetoOut): XSheet => ({
    name,
    columns: [xcol(lang, 'name'), xcol(lang, 'count', 'int'), xcol(lang, 'share', 'pct'), xcol(lang, 'cumulative', 'pct')],
    rows: p.items.map((i) => [i.label ?? i.key ?? m(lang, 'none'), i.count, i.share, i.cumulative]),
  });
  return {
    title: m(lang, 'title.complaints'),
    meta: metaLines(lang, meta),
    sheets: [
      summarySheet(lang, totals.total, totals.targets, ['tickets', 'complaintRate', 'complaintResolutionRate', 'recoveryRate']),
      pareto(m(lang, 'sheet.categories'), c.byCategory),
      pareto(m(lang, 'sheet.causes'), c.byCause),
      {
        name: m(lang, 'sheet.repeats'),
        columns: [xcol(lang, 'site'), xcol(lang, 'category'), xcol(lang, 'count', 'int')],
        rows: c.repeats.map((r) => [r.site, r.category ?? m(lang, 'none'), r.count]),
      },
    ],
  };
}

export function boardWorkbook(
  lang: Locale,
  meta: ReportMeta,
  b: {
    backlog: { byStatus: { status: string; count: number; oldestCreatedAt: string | null }[] };
    agents: { name: string; onDuty: boolean; open: number; urgent: number; overloaded: boolean }[];
  },
): Workbook {
  const yesNo = (v: boolean) => m(lang, v ? 'yes' : 'no');
  const when = (iso: string | null) => {
    if (!iso) return '';
    const p = localParts(new Date(iso), meta.tz);
    return `${p.date} ${p.time}`;
  };
  return {
    title: m(lang, 'title.board'),
    meta: metaLines(lang, meta),
    sheets: [
      {
        name: m(lang, 'sheet.agents'),
        columns: [xcol(lang, 'agent'), xcol(lang, 'onDuty'), xcol(lang, 'open', 'int'), xcol(lang, 'urgent', 'int'), xcol(lang, 'overloaded')],
        rows: b.agents.map((a) => [a.name, yesNo(a.onDuty), a.open, a.urgent, a.overloaded ? m(lang, 'yes') : '']),
      },
      {
        name: m(lang, 'sheet.backlog'),
        columns: [xcol(lang, 'status'), xcol(lang, 'count', 'int'), xcol(lang, 'oldest')],
        rows: b.backlog.byStatus.map((s) => [m(lang, `status.${s.status}`), s.count, when(s.oldestCreatedAt)]),
      },
    ],
  };
}
