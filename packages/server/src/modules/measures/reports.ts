/**
 * Scheduled reports (daily / weekly) by email or webhook: the period's measures against their targets and a PNG of
 * the daily trend chart, rendered server-side (ECharts SSR → SVG, then sharp → PNG). Due reports are claimed with
 * FOR UPDATE SKIP LOCKED by the measures worker's periodic pass, so each run happens in one process.
 */
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database, Executor } from '../../db/client';
import { ctxOf } from '../../http/auth';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { invalid, notFound, outboundRefused } from '../../lib/errors';
import { checkOutboundUrl, displayUrl, outbound, OutboundRefusedError } from '../../lib/outbound';
import { openSecret, sealSecret } from '../../lib/secretbox';
import { uuidv7 } from '../../lib/ids';
import { getEmailSender } from '../../realtime/delivery';
import { authorize } from '../identity/policy';
import { allDayCalendar } from '../calendars/calendar-cache';
import { present, runQuery } from './query';
import { targetsMap } from './commands';
import { IdParam } from '../identity/identity.schema';

const DAY = 86_400_000;
const rowsOf = async <T>(ex: Executor, q: ReturnType<typeof sql>) => ((await ex.execute(q)) as unknown as { rows: T[] }).rows;

export interface ReportRow { id: string; name: string; frequency: 'daily' | 'weekly'; hour: number; weekday: number | null; time_zone: string; channel: 'email' | 'webhook'; target: string; filters: Record<string, string>; locale: string; active: boolean; next_run_at: Date | string; last_run_at: Date | string | null; last_status: string | null; last_error: string | null; created_at: Date | string }

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

const ReportBody = z.object({
  name: z.string().trim().min(1).max(100), frequency: z.enum(['daily', 'weekly']), hour: z.number().int().min(0).max(23).default(8),
  weekday: z.number().int().min(1).max(7).nullable().optional(), timeZone: z.string().max(60).default('Asia/Shanghai'),
  channel: z.enum(['email', 'webhook']), target: z.string().trim().min(3).max(500),
  filters: z.object({ teamId: z.uuid().optional(), channel: z.string().max(40).optional(), type: z.string().max(40).optional() }).default({}),
  locale: z.enum(['zh-CN', 'en']).default('zh-CN'),
});

function presentReport(r: ReportRow) {
  const iso = (v: Date | string | null) => (v ? new Date(v).toISOString() : null);
  return { id: r.id, name: r.name, frequency: r.frequency, hour: r.hour, weekday: r.weekday, timeZone: r.time_zone, channel: r.channel, target: r.channel === 'email' ? r.target.replace(/^(.).*(@.*)$/, '$1***$2') : displayUrl(openSecret(r.target, 'webhook_url')),
    filters: r.filters, locale: r.locale, active: r.active, nextRunAt: iso(r.next_run_at), lastRunAt: iso(r.last_run_at), lastStatus: r.last_status, lastError: r.last_error, createdAt: iso(r.created_at) };
}

export async function createReport(database: Database, ctx: Ctx, input: z.infer<typeof ReportBody>) {
  authorize(ctx.actor, 'measures.manage');
  try { new Intl.DateTimeFormat('en', { timeZone: input.timeZone }); } catch { throw invalid('timeZone', 'must be an IANA time zone'); }
  if (input.frequency === 'weekly' && !input.weekday) throw invalid('weekday', 'required for weekly reports (1 = Monday … 7 = Sunday)');
  if (input.channel === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(input.target)) throw invalid('target', 'must be an email address');
  if (input.channel === 'webhook') { const bad = await checkOutboundUrl(input.target); if (bad) throw outboundRefused('target', bad); }
  const id = uuidv7();
  const next = nextRun({ frequency: input.frequency, hour: input.hour, weekday: input.weekday ?? null, timeZone: input.timeZone }, Date.now());
  return database.transaction(async (tx) => {
    await tx.execute(sql`INSERT INTO measure_reports (id, name, frequency, hour, weekday, time_zone, channel, target, filters, locale, next_run_at, created_by)
      VALUES (${id}, ${input.name}, ${input.frequency}, ${input.hour}, ${input.weekday ?? null}, ${input.timeZone}, ${input.channel}, ${input.channel === 'webhook' ? sealSecret(input.target, 'webhook_url') : input.target}, ${JSON.stringify(input.filters)}::jsonb, ${input.locale}, ${new Date(next)}, ${ctx.actor.id!})`);
    await writeAudit(tx, ctx, { action: 'measure.report_created', targetType: 'measure_report', targetId: id, changes: diff(null, { name: input.name, frequency: input.frequency, channel: input.channel }) });
    const [r] = await rowsOf<ReportRow>(tx, sql`SELECT * FROM measure_reports WHERE id = ${id}`);
    return presentReport(r!);
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
  const en = r.locale === 'en';
  const pctS = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
  const lines = [
    `${r.name} · ${cal.localDate(from)} – ${cal.localDate(to - 1)}`,
    `${en ? 'Tickets' : '工单'}: ${total.tickets}`,
    `CSAT: ${pctS(total.csat.value)} (${total.csat.numerator}/${total.csat.denominator}, ${en ? 'target' : '目标'} ${pctS(targets.csat.target)})`,
    `NPS: ${total.nps.value === null ? '—' : total.nps.value.toFixed(1)} (${total.nps.count})`,
    `FCR: ${pctS(total.fcr.value)} (${total.fcr.numerator}/${total.fcr.denominator}, ${en ? 'target' : '目标'} ${pctS(targets.fcr.target)})`,
    `${en ? 'Standard execution' : '标准执行率'}: ${pctS(total.standardExecutionRate.value)} (${total.standardExecutionRate.numerator}/${total.standardExecutionRate.denominator})`,
    `${en ? 'Complaint rate' : '投诉率'}: ${pctS(total.complaintRate.value)} (${total.complaintRate.numerator}/${total.complaintRate.denominator})`,
  ];
  // Every day of the 14 on the axis, also the days without data.
  const days: string[] = [];
  for (let d = trendFrom + 3_600_000; d < to; d += DAY) days.push(cal.localDate(d));
  const byDay = new Map(trend.rows.map((x) => [x.key.day ?? '', x]));
  const series = (f: (p: ReturnType<typeof present>) => number | null) => days.map((day) => { const x = byDay.get(day); const v = x ? f(present(x)) : null; return v === null ? null : Math.round(v * 1000) / 10; });
  const echarts = await import('echarts');
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 900, height: 420 });
  chart.setOption({
    animation: false, backgroundColor: '#ffffff',
    textStyle: { fontFamily: 'Noto Sans CJK SC, Noto Serif CJK SC, sans-serif' },
    title: { text: r.name, left: 16, top: 10, textStyle: { fontSize: 16 } },
    legend: { top: 12, right: 16 },
    grid: { left: 56, right: 24, top: 56, bottom: 40 },
    xAxis: { type: 'category', data: days.map((d) => d.slice(5)) },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [
      { name: 'CSAT', type: 'line', data: series((p) => p.csat.value), connectNulls: true },
      { name: 'FCR', type: 'line', data: series((p) => p.fcr.value), connectNulls: true },
      { name: en ? 'Standard execution' : '标准执行率', type: 'line', data: series((p) => p.standardExecutionRate.value), connectNulls: true },
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
export async function sendReport(database: Database, r: ReportRow, opts: { throwRefused?: boolean } = {}): Promise<{ status: 'sent' | 'failed'; error: string | null; bytes: number }> {
  if (opts.throwRefused && r.channel === 'webhook') { const bad = await checkOutboundUrl(openSecret(r.target, 'webhook_url')); if (bad) throw outboundRefused('target', bad); }
  try {
    const out = await renderReport(database, r);
    if (r.channel === 'email') {
      const msg = { to: r.target, subject: out.subject, text: out.text, attachments: [{ filename: 'chart.png', contentType: 'image/png', content: out.png }] };
      await getEmailSender().send(msg);
    } else {
      const res = await outbound(openSecret(r.target, 'webhook_url'), {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'measures.report', title: out.subject, text: out.text, summary: out.summary, chart: { contentType: 'image/png', base64: out.png.toString('base64') } }),
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
    const rows = await rowsOf<ReportRow>(tx, sql`SELECT * FROM measure_reports WHERE active AND next_run_at <= ${new Date(now)} ORDER BY next_run_at LIMIT 10 FOR UPDATE SKIP LOCKED`);
    for (const r of rows) {
      const next = nextRun({ frequency: r.frequency, hour: r.hour, weekday: r.weekday, timeZone: r.time_zone }, now);
      await tx.execute(sql`UPDATE measure_reports SET next_run_at = ${new Date(next)}, last_run_at = ${new Date(now)}, last_status = 'sending' WHERE id = ${r.id}`);
    }
    return rows;
  });
  for (const r of due) {
    const res = await sendReport(database, r);
    await database.db.execute(sql`UPDATE measure_reports SET last_status = ${res.status}, last_error = ${res.error} WHERE id = ${r.id}`);
  }
  return due.length;
}

export function registerReportRoutes(app: ReturnType<FastifyInstance['withTypeProvider']> & FastifyInstance, db: Database, tags: string[]) {
  const a = app.withTypeProvider<ZodTypeProvider>();
  a.get('/measures/reports', { config: { permission: 'measures.manage' }, schema: { tags, summary: 'Scheduled reports' } }, async (req) => {
    authorize(ctxOf(req).actor, 'measures.manage');
    const rows = await rowsOf<ReportRow>(db.db, sql`SELECT * FROM measure_reports ORDER BY created_at DESC LIMIT 200`);
    return { items: rows.map(presentReport) };
  });
  a.post('/measures/reports', { config: { permission: 'measures.manage' }, schema: { tags, summary: 'Schedule a daily/weekly report by email or webhook (with a PNG of the trend chart)', body: ReportBody } },
    async (req, reply) => reply.status(201).send(await createReport(db, ctxOf(req), req.body)));
  a.delete('/measures/reports/:id', { config: { permission: 'measures.manage' }, schema: { tags, summary: 'Delete a scheduled report', params: IdParam } }, async (req, reply) => {
    const ctx = ctxOf(req);
    authorize(ctx.actor, 'measures.manage');
    await db.transaction(async (tx) => {
      const [r] = await rowsOf<{ id: string }>(tx, sql`DELETE FROM measure_reports WHERE id = ${req.params.id} RETURNING id`);
      if (!r) throw notFound('Report');
      await writeAudit(tx, ctx, { action: 'measure.report_deleted', targetType: 'measure_report', targetId: req.params.id });
    });
    return reply.status(204).send();
  });
  a.post('/measures/reports/:id/send', { config: { permission: 'measures.manage' }, schema: { tags, summary: 'Send a report now', params: IdParam } }, async (req) => {
    const ctx = ctxOf(req);
    authorize(ctx.actor, 'measures.manage');
    const [r] = await rowsOf<ReportRow>(db.db, sql`SELECT * FROM measure_reports WHERE id = ${req.params.id}`);
    if (!r) throw notFound('Report');
    const res = await sendReport(db, r, { throwRefused: true });
    await db.db.execute(sql`UPDATE measure_reports SET last_run_at = now(), last_status = ${res.status}, last_error = ${res.error} WHERE id = ${r.id}`);
    return res;
  });
  a.get('/measures/reports/:id/chart.png', { config: { permission: 'measures.manage' }, schema: { tags, summary: 'The report\'s chart as PNG (as it would be sent now)', params: IdParam } }, async (req, reply) => {
    authorize(ctxOf(req).actor, 'measures.manage');
    const [r] = await rowsOf<ReportRow>(db.db, sql`SELECT * FROM measure_reports WHERE id = ${req.params.id}`);
    if (!r) throw notFound('Report');
    const out = await renderReport(db, r);
    return reply.type('image/png').send(out.png);
  });
}
