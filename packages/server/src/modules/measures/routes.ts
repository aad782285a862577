import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { MEASURE_KEYS } from '@chidu/core/measures/index';
import { IdParam } from '../identity/identity.schema';
import * as cmd from './commands';
import { measuresTable, toCsv, toXlsx, type Table } from './export';
import * as rep from './reports';

const ratio = z.object({ value: z.number().nullable(), numerator: z.number(), denominator: z.number() });
const kbRatio = z.object({ value: z.number().nullable(), numerator: z.number().nullable(), denominator: z.number() });
const pct = z.object({ p50: z.number().nullable(), p90: z.number().nullable(), count: z.number() });
const npsOut = z.object({ value: z.number().nullable(), promoters: z.number(), detractors: z.number(), passives: z.number(), count: z.number() });
const meanOut = z.object({ value: z.number().nullable(), sum: z.number(), count: z.number() });
const Presented = z.object({
  csat: ratio, nps: npsOut, ces: meanOut, fcr: ratio, standardExecutionRate: ratio, complaintRate: ratio, complaintResolutionRate: ratio, recoveryRate: ratio,
  knowledgeApplicationRate: kbRatio, firstResponseSeconds: pct, resolutionSeconds: pct, tickets: z.number(), resolved: z.number(),
});
const Target = z.object({ target: z.number().nullable(), direction: z.enum(['min', 'max']), windowDays: z.number(), minCount: z.number(), below: z.boolean(), lastValue: z.number().nullable(), alertedAt: z.string().nullable() });

const Period = {
  from: z.string().optional().describe('YYYY-MM-DD (local day start) or ISO instant; default 30 days before `to`'),
  to: z.string().optional().describe('YYYY-MM-DD (inclusive local day) or ISO instant; default now'),
  tz: z.string().optional().describe('IANA time zone for dates and day/week/month groups (default Asia/Shanghai)'),
};
const FilterQ = {
  teamId: z.uuid().optional(), agentId: z.uuid().optional(), channel: z.string().max(40).optional(), type: z.string().max(40).optional(),
  tier: z.string().max(40).optional(), categoryId: z.uuid().optional(), site: z.string().max(200).optional(),
};
const MeasuresQ = z.object({
  ...Period, ...FilterQ,
  groupBy: z.string().max(40).optional().describe('up to two of day, week, month, team, agent, channel, type, tier, category, site (e.g. month,team)'),
  source: z.enum(['auto', 'rollup', 'facts']).optional().describe('auto (default): a rollup cube when one covers the query, else the facts tables'),
  percentiles: z.enum(['true', 'false']).optional().describe('false: skip P50/P90 (exact percentiles read the facts of the whole period; long trends are faster without)'),
  knowledge: z.enum(['true', 'false']).optional().describe('false: skip the knowledge application rate (it reads the facts and kb_usage)'),
});

export function registerMeasuresRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['measures'];
  const db = deps.database;

  app.get('/metrics/summary', {
    config: { permission: 'measures.view' },
    schema: {
      tags, summary: 'Service measures over a period (contract): CSAT, NPS, CES, FCR, standard execution, complaint rates, P50s; with the counts behind each',
      querystring: z.object(Period),
      response: { 200: z.object({
        csat: z.number().nullable(), nps: z.number().nullable(), ces: z.number().nullable(), fcr: z.number().nullable(), standardExecutionRate: z.number().nullable(),
        complaintRate: z.number().nullable(), complaintResolutionRate: z.number().nullable(), firstResponseSecondsP50: z.number().nullable(), resolutionSecondsP50: z.number().nullable(),
        tickets: z.number(), firstResponseSecondsP90: z.number().nullable(), resolutionSecondsP90: z.number().nullable(), knowledgeApplicationRate: z.number().nullable(), recoveryRate: z.number().nullable(),
        from: z.string(), to: z.string(), timeZone: z.string(), source: z.enum(['rollup', 'facts']),
        counts: z.object({ csat: ratio, nps: npsOut, ces: meanOut, fcr: ratio, standardExecutionRate: ratio, complaintRate: ratio, complaintResolutionRate: ratio, recoveryRate: ratio, knowledgeApplicationRate: kbRatio, firstResponse: pct, resolution: pct, resolved: z.number() }),
      }) },
    },
  }, async (req) => cmd.summary(db, ctxOf(req), req.query));

  app.get('/measures', {
    config: { permission: 'measures.own' },
    schema: {
      tags, summary: 'Measures with filters and group-by; every rate with numerator and denominator (agents: only their own numbers and their team totals)',
      querystring: MeasuresQ,
      response: { 200: z.object({
        from: z.string(), to: z.string(), timeZone: z.string(), groupBy: z.array(z.string()), filters: z.record(z.string(), z.string()), source: z.enum(['rollup', 'facts']), cube: z.number().nullable(), version: z.number(),
        total: Presented, rows: z.array(Presented.extend({ key: z.record(z.string(), z.string().nullable()), labels: z.record(z.string(), z.string().nullable()) })),
        targets: z.record(z.string(), Target),
      }) },
    },
  }, async (req) => cmd.measures(db, ctxOf(req), req.query) as never);

  app.get('/measures/version', {
    config: { permission: 'measures.own' },
    schema: { tags, summary: 'Freshness probe: grows with every applied batch of events (dashboards poll it every second)', response: { 200: z.object({ version: z.number(), updatedAt: z.string().nullable(), pending: z.number() }) } },
  }, async (req) => cmd.version(db, ctxOf(req)));

  app.get('/measures/tickets', {
    config: { permission: 'measures.own' },
    schema: {
      tags, summary: 'The tickets behind a number (numerator or denominator of a measure, same period and filters)',
      querystring: MeasuresQ.omit({ groupBy: true, source: true, percentiles: true, knowledge: true }).extend({
        measure: z.enum(cmd.DRILL_MEASURES), part: z.enum(['numerator', 'denominator', 'detractors']).optional(),
        limit: z.coerce.number().int().min(1).max(500).optional(), cursor: z.string().max(20).optional(),
      }),
      response: { 200: z.object({ total: z.number(), nextCursor: z.string().nullable(), items: z.array(z.object({
        id: z.string(), number: z.string(), subject: z.string(), type: z.string(), channel: z.string(), status: z.string(), teamId: z.string().nullable(), teamName: z.string().nullable(),
        ownerId: z.string().nullable(), ownerName: z.string().nullable(), createdAt: z.string(), resolvedAt: z.string().nullable(), value: z.number().nullable(),
      })) }) },
    },
  }, async (req) => cmd.drill(db, ctxOf(req), req.query));

  app.get('/measures/distribution', {
    config: { permission: 'measures.own' },
    schema: {
      tags, summary: 'Distribution of first-response or resolution business seconds (histogram buckets, P50, P90)',
      querystring: MeasuresQ.omit({ groupBy: true, source: true }).extend({ measure: z.enum(['firstResponse', 'resolution']) }),
    },
  }, async (req) => cmd.distribution(db, ctxOf(req), req.query));

  app.get('/measures/targets', {
    config: { permission: 'measures.own' },
    schema: { tags, summary: 'Target per measure (defaults from the domain spec) and the state of its rolling-rate alert', response: { 200: z.object({ items: z.array(Target.extend({ measure: z.string() })) }) } },
  }, async (req) => cmd.listTargets(db, ctxOf(req)));

  app.put('/measures/targets/:measure', {
    config: { permission: 'measures.manage' },
    schema: {
      tags, summary: 'Set a measure\'s target (rates as fractions 0..1, NPS −100..100, CES 1..7, times in seconds; null = none)',
      params: z.object({ measure: z.enum(MEASURE_KEYS) }),
      body: z.object({ target: z.number().nullable(), windowDays: z.number().int().min(1).max(90).optional(), minCount: z.number().int().min(1).max(100_000).optional() }),
      response: { 200: Target.extend({ measure: z.string() }) },
    },
  }, async (req) => cmd.putTarget(db, ctxOf(req), req.params.measure, req.body));

  app.get('/measures/board', {
    config: { permission: 'measures.own' },
    schema: {
      tags, summary: 'Team board (live): backlog, agents\' open load, clocks about to breach, open breaches',
      querystring: z.object({ teamId: z.uuid().optional(), overload: z.coerce.number().int().min(1).max(500).optional(), withinMinutes: z.coerce.number().int().min(1).max(1440).optional() }),
    },
  }, async (req) => cmd.board(db, ctxOf(req), req.query));

  app.get('/measures/complaints', {
    config: { permission: 'measures.own' },
    schema: { tags, summary: 'Complaint analysis: Pareto of categories and root-cause tags; repeated problems by site', querystring: MeasuresQ.omit({ groupBy: true, source: true }).extend({ minRepeat: z.coerce.number().int().min(2).max(100).optional() }) },
  }, async (req) => cmd.complaints(db, ctxOf(req), req.query));

  app.get('/measures/export', {
    config: { permission: 'measures.own' },
    schema: {
      tags, summary: 'Export a measures table, the complaint analysis or the team board as .xlsx or .csv (UTF-8 with BOM)',
      querystring: MeasuresQ.extend({ format: z.enum(['csv', 'xlsx']), view: z.enum(['measures', 'complaints', 'board']).optional(), lang: z.enum(['zh-CN', 'en']).optional() }),
    },
  }, async (req, reply) => {
    const q = req.query;
    const lang = q.lang ?? 'zh-CN';
    const ctx = ctxOf(req);
    let table: Table;
    const view = q.view ?? 'measures';
    if (view === 'complaints') {
      const c = await cmd.complaints(db, ctx, q);
      const en = lang === 'en';
      table = { title: en ? 'Complaints' : '投诉分析', headers: en ? ['Kind', 'Key', 'Count', 'Share', 'Cumulative'] : ['维度', '名称', '数量', '占比', '累计占比'],
        rows: [...c.byCategory.items.map((i) => [en ? 'Category' : '分类', i.label ?? (en ? '(none)' : '（未分类）'), i.count, i.share, i.cumulative]),
          ...c.byCause.items.map((i) => [en ? 'Root cause' : '根因', i.label, i.count, i.share, i.cumulative]),
          ...c.repeats.map((r) => [en ? 'Repeated at site' : '重复问题地点', `${r.site} · ${r.category ?? ''}`, r.count, null, null])] };
    } else if (view === 'board') {
      const b = await cmd.board(db, ctx, q);
      const en = lang === 'en';
      table = { title: en ? 'Team board' : '团队看板', headers: en ? ['Agent', 'On duty', 'Open', 'Urgent/high', 'Overloaded'] : ['坐席', '在岗', '未结工单', '紧急/高', '超负荷'],
        rows: b.agents.map((a) => [a.name, a.onDuty ? (en ? 'yes' : '是') : (en ? 'no' : '否'), a.open, a.urgent, a.overloaded ? (en ? 'yes' : '是') : '']) };
    } else {
      const m = await cmd.measures(db, ctx, q);
      table = measuresTable(m as never, lang, lang === 'en' ? 'Measures' : '服务指标');
    }
    const stamp = new Date().toISOString().slice(0, 10);
    const name = `${view}-${stamp}.${q.format}`;
    reply.header('content-disposition', `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`);
    if (q.format === 'csv') return reply.type('text/csv; charset=utf-8').send(toCsv(table));
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(toXlsx(table));
  });

  // ─── TV wall ───
  app.post('/measures/wall-tokens', {
    config: { permission: 'measures.manage' },
    schema: { tags, summary: 'Create a read-only display token for the TV wall (/wall?token=…); shown once', body: z.object({ name: z.string().trim().min(1).max(100), teamId: z.uuid().nullable().optional(), expiresInDays: z.number().int().min(1).max(366).optional() }) },
  }, async (req, reply) => reply.status(201).send(await cmd.createWallToken(db, ctxOf(req), req.body)));
  app.get('/measures/wall-tokens', { config: { permission: 'measures.manage' }, schema: { tags, summary: 'Display tokens' } }, async (req) => cmd.listWallTokens(db, ctxOf(req)));
  app.delete('/measures/wall-tokens/:id', { config: { permission: 'measures.manage' }, schema: { tags, summary: 'Revoke a display token', params: IdParam } },
    async (req, reply) => { await cmd.revokeWallToken(db, ctxOf(req), req.params.id); return reply.status(204).send(); });
  app.get('/public/wall', {
    config: { public: true },
    schema: { tags, summary: 'TV wall data for a display token (header X-Display-Token, or ?token=); read-only, only the wall\'s own data', querystring: z.object({ token: z.string().max(200).optional() }) },
  }, async (req) => {
    const h = req.headers['x-display-token'];
    return cmd.wallData(db, typeof h === 'string' && h ? h : req.query.token);
  });

  // ─── scheduled reports ───
  rep.registerReportRoutes(app, db, tags);
}
