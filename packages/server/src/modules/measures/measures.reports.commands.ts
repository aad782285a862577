/**
 * Scheduled reports (daily / weekly) by email or webhook: the period's measures against their targets and a PNG of
 * the daily trend chart, rendered server-side (ECharts SSR → SVG, then sharp → PNG). Due reports are claimed with
 * FOR UPDATE SKIP LOCKED by the measures worker's periodic pass, so each run happens in one process.
 */
import type { z } from 'zod';
import type { Database } from '../../db/client';
import { asLocale, DEFAULT_LOCALE, t as text } from '../../i18n/index';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { invalid, notFound, outboundRefused } from '../../lib/errors';
import { checkOutboundUrl, outbound, OutboundRefusedError } from '../../lib/outbound';
import { openSecret, sealSecret } from '../../lib/secretbox';
import { uuidv7 } from '../../lib/ids';
import { orgTimeZone } from '../../lib/timezone';
import { getEmailSender } from '../../realtime/delivery';
import { authorize } from '../identity/policy';
import { allDayCalendar } from '../calendars/calendar-cache';
import { presentReport } from './measures.present';
import { measuresRepo, type ReportRow } from './measures.repo';
import type { ReportBody } from './measures.schema';
import { targetsMap } from './measures.targets.commands';
import { present, runQuery } from './query';

export type { ReportRow } from './measures.repo';

const DAY = 86_400_000;

/** Next local `hour:00` (on `weekday` 1..7 for weekly) strictly after `after`. */
export function nextRun(r: { frequency: string; hour: number; weekday: number | null; timeZone: string }, after: number): number {
  const cal = allDayCalendar(r.timeZone);
  let date = cal.localDate(after);
  for (let i = 0; i < 9; i++) {
    const start = cal.dayInfo(date).intervals[0]![0];
    const at = cal.addSeconds(start, r.hour * 3600)!;
    const wd = ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
    if (at > after && (r.frequency === 'daily' || wd === r.weekday)) return at;
    date = cal.localDate(start + DAY + 3_600_000);
  }
  return after + 7 * DAY;
}

export async function createReport(database: Database, ctx: Ctx, input: z.output<typeof ReportBody>) {
  authorize(ctx.actor, 'measures.manage');
  const timeZone = input.timeZone ?? orgTimeZone();
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw invalid('timeZone', 'must be an IANA time zone');
  }
  if (input.frequency === 'weekly' && !input.weekday) throw invalid('weekday', 'required for weekly reports (1 = Monday … 7 = Sunday)');
  if (input.channel === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(input.target)) throw invalid('target', 'must be an email address');
  if (input.channel === 'webhook') {
    const bad = await checkOutboundUrl(input.target);
    if (bad) throw outboundRefused('target', bad);
  }
  const id = uuidv7();
  const next = nextRun({ frequency: input.frequency, hour: input.hour, weekday: input.weekday ?? null, timeZone }, Date.now());
  return database.transaction(async (tx) => {
    await measuresRepo.insertReport(tx, {
      id,
      name: input.name,
      frequency: input.frequency,
      hour: input.hour,
      weekday: input.weekday ?? null,
      timeZone,
      channel: input.channel,
      target: input.channel === 'webhook' ? sealSecret(input.target, 'webhook_url') : input.target,
      filters: input.filters,
      locale: input.locale,
      nextRunAt: new Date(next),
      createdBy: ctx.actor.id!,
    });
    await writeAudit(tx, ctx, {
      action: 'measure.report_created',
      targetType: 'measure_report',
      targetId: id,
      changes: diff(null, { name: input.name, frequency: input.frequency, channel: input.channel }),
    });
    return presentReport((await measuresRepo.reportById(tx, id))!);
  });
}

/** Render the report: text lines, and a PNG of the daily trend (CSAT, FCR, standard execution) of the period. */
export async function renderReport(database: Database, r: Pick<ReportRow, 'name' | 'frequency' | 'filters' | 'locale' | 'time_zone'>, now = Date.now()) {
  const span = r.frequency === 'weekly' ? 7 : 1;
  const cal = allDayCalendar(r.time_zone);
  const to = cal.dayInfo(cal.localDate(now)).intervals[0]![0];
  const from = cal.dayInfo(cal.localDate(to - span * DAY + 3_600_000)).intervals[0]![0];
  const filters = r.filters ?? {};
  const total = present((await runQuery(database.db, { from: new Date(from), to: new Date(to), tz: r.time_zone, filters, groupBy: [] })).total);
  const trendFrom = to - 14 * DAY;
  const trend = await runQuery(database.db, { from: new Date(trendFrom), to: new Date(to), tz: r.time_zone, filters, groupBy: ['day'], percentiles: false });
  const targets = await targetsMap(database.db);
  const locale = asLocale(r.locale) ?? DEFAULT_LOCALE;
  const m = (key: string) => text(locale, `measures.report.${key}`);
  const pctS = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
  const lines = [
    `${r.name} · ${cal.localDate(from)} – ${cal.localDate(to - 1)}`,
    `${m('tickets')}: ${total.tickets}`,
    `CSAT: ${pctS(total.csat.value)} (${total.csat.numerator}/${total.csat.denominator}, ${m('target')} ${pctS(targets.csat.target)})`,
    `NPS: ${total.nps.value === null ? '—' : total.nps.value.toFixed(1)} (${total.nps.count})`,
    `FCR: ${pctS(total.fcr.value)} (${total.fcr.numerator}/${total.fcr.denominator}, ${m('target')} ${pctS(targets.fcr.target)})`,
    `${m('standardExecution')}: ${pctS(total.standardExecutionRate.value)} (${total.standardExecutionRate.numerator}/${total.standardExecutionRate.denominator})`,
    `${m('complaintRate')}: ${pctS(total.complaintRate.value)} (${total.complaintRate.numerator}/${total.complaintRate.denominator})`,
  ];
  // Every day of the 14 on the axis, also the days without data.
  const days: string[] = [];
  for (let d = trendFrom + 3_600_000; d < to; d += DAY) days.push(cal.localDate(d));
  const byDay = new Map(trend.rows.map((x) => [x.key.day ?? '', x]));
  const series = (f: (p: ReturnType<typeof present>) => number | null) =>
    days.map((day) => {
      const x = byDay.get(day);
      const v = x ? f(present(x)) : null;
      return v === null ? null : Math.round(v * 1000) / 10;
    });
  const echarts = await import('echarts');
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 900, height: 420 });
  chart.setOption({
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: 'Noto Sans CJK SC, Noto Serif CJK SC, sans-serif' },
    title: { text: r.name, left: 16, top: 10, textStyle: { fontSize: 16 } },
    legend: { top: 12, right: 16 },
    grid: { left: 56, right: 24, top: 56, bottom: 40 },
    xAxis: { type: 'category', data: days.map((d) => d.slice(5)) },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [
      { name: 'CSAT', type: 'line', data: series((p) => p.csat.value), connectNulls: true },
      { name: 'FCR', type: 'line', data: series((p) => p.fcr.value), connectNulls: true },
      { name: m('standardExecution'), type: 'line', data: series((p) => p.standardExecutionRate.value), connectNulls: true },
    ],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  const sharp = (await import('sharp')).default;
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
  return { subject: `${r.name} (${cal.localDate(from)})`, text: lines.join('\n'), svg, png, summary: total };
}

/**
 * Send one report now (also used by the scheduler). Returns the delivery status; with `throwRefused` (the API's
 * "send now") a target the outbound policy refuses throws instead, so the caller answers 422 outbound_refused.
 */
export async function sendReport(
  database: Database,
  r: ReportRow,
  opts: { throwRefused?: boolean } = {},
): Promise<{ status: 'sent' | 'failed'; error: string | null; bytes: number }> {
  if (opts.throwRefused && r.channel === 'webhook') {
    const bad = await checkOutboundUrl(openSecret(r.target, 'webhook_url'));
    if (bad) throw outboundRefused('target', bad);
  }
  try {
    const out = await renderReport(database, r);
    if (r.channel === 'email') {
      const msg = { to: r.target, subject: out.subject, text: out.text, attachments: [{ filename: 'chart.png', contentType: 'image/png', content: out.png }] };
      await getEmailSender().send(msg);
    } else {
      const res = await outbound(openSecret(r.target, 'webhook_url'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: 'measures.report',
          title: out.subject,
          text: out.text,
          summary: out.summary,
          chart: { contentType: 'image/png', base64: out.png.toString('base64') },
        }),
      });
      if (res.status < 200 || res.status >= 300) throw new Error(`webhook answered ${res.status}`);
    }
    return { status: 'sent', error: null, bytes: out.png.length };
  } catch (err) {
    const msg = err instanceof OutboundRefusedError ? `webhook target refused: ${err.message}` : (err as Error).message;
    return { status: 'failed', error: msg.slice(0, 500), bytes: 0 };
  }
}

/**
 * Claim due reports (SKIP LOCKED) and move their next run in one short transaction — so each slot runs once, in
 * one process — then render and send outside any transaction, and store the outcome.
 */
export async function runDueReports(database: Database, now = Date.now()): Promise<number> {
  const due = await database.transaction(async (tx) => {
    const rows = await measuresRepo.dueReports(tx, new Date(now));
    for (const r of rows) {
      const next = nextRun({ frequency: r.frequency, hour: r.hour, weekday: r.weekday, timeZone: r.time_zone }, now);
      await measuresRepo.markReportSending(tx, r.id, new Date(next), new Date(now));
    }
    return rows;
  });
  for (const r of due) {
    const res = await sendReport(database, r);
    await measuresRepo.setReportOutcome(database.db, r.id, res.status, res.error);
  }
  return due.length;
}

export async function listReports(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'measures.manage');
  return { items: (await measuresRepo.reports(database.db)).map(presentReport) };
}

export async function deleteReport(database: Database, ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'measures.manage');
  await database.transaction(async (tx) => {
    if (!(await measuresRepo.deleteReport(tx, id))) throw notFound('Report');
    await writeAudit(tx, ctx, { action: 'measure.report_deleted', targetType: 'measure_report', targetId: id });
  });
}

/** "Send now": a target the outbound policy refuses answers 422; the outcome is stored as the last run. */
export async function sendReportNow(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'measures.manage');
  const r = await measuresRepo.reportById(database.db, id);
  if (!r) throw notFound('Report');
  const res = await sendReport(database, r, { throwRefused: true });
  await measuresRepo.setReportOutcome(database.db, r.id, res.status, res.error, true);
  return res;
}

/** The report's chart as PNG, as it would be sent now. */
export async function reportChart(database: Database, ctx: Ctx, id: string): Promise<Buffer> {
  authorize(ctx.actor, 'measures.manage');
  const r = await measuresRepo.reportById(database.db, id);
  if (!r) throw notFound('Report');
  return (await renderReport(database, r)).png;
}
