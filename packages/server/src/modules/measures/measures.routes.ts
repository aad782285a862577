import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { MEASURE_KEYS } from '@chidu/core/measures/index';
import { IdParam } from '../identity/identity.schema';
import { board, complaints } from './measures.board.commands';
import * as cmd from './measures.commands';
import { exportView } from './measures.export.commands';
import * as rep from './measures.reports.commands';
import * as s from './measures.schema';
import { createWallToken, listWallTokens, revokeWallToken, wallData } from './measures.wall.commands';
import { listTargets, putTarget } from './measures.targets.commands';

export function registerMeasuresRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['measures'];
  const db = deps.database;

  app.get(
    '/metrics/summary',
    {
      config: { permission: 'measures.view' },
      schema: {
        tags,
        summary: 'Service measures over a period (contract): CSAT, NPS, CES, FCR, standard execution, complaint rates, P50s; with the counts behind each',
        querystring: z.object(s.Period),
        response: { 200: s.Summary },
      },
    },
    async (req) => cmd.summary(db, ctxOf(req), req.query),
  );

  app.get(
    '/measures',
    {
      config: { permission: 'measures.own' },
      schema: {
        tags,
        summary: 'Measures with filters and group-by; every rate with numerator and denominator (agents: only their own numbers and their team totals)',
        querystring: s.MeasuresQ,
        response: { 200: s.MeasuresResult },
      },
    },
    (req) => cmd.measures(db, ctxOf(req), req.query) as never,
  );

  app.get(
    '/measures/version',
    {
      config: { permission: 'measures.own' },
      schema: {
        tags,
        summary: 'Freshness probe: grows with every applied batch of events (dashboards poll it every second)',
        response: { 200: s.VersionProbe },
      },
    },
    async (req) => cmd.version(db, ctxOf(req)),
  );

  app.get(
    '/measures/tickets',
    {
      config: { permission: 'measures.own' },
      schema: {
        tags,
        summary: 'The tickets behind a number (numerator or denominator of a measure, same period and filters)',
        querystring: s.DrillQuery,
        response: { 200: s.DrillPage },
      },
    },
    async (req) => cmd.drill(db, ctxOf(req), req.query),
  );

  app.get(
    '/measures/distribution',
    {
      config: { permission: 'measures.own' },
      schema: {
        tags,
        summary: 'Distribution of first-response or resolution business seconds (histogram buckets, P50, P90)',
        querystring: s.MeasuresQ.omit({ groupBy: true, source: true }).extend({ measure: z.enum(['firstResponse', 'resolution']) }),
        response: { 200: s.Distribution },
      },
    },
    async (req) => cmd.distribution(db, ctxOf(req), req.query),
  );

  app.get(
    '/measures/targets',
    {
      config: { permission: 'measures.own' },
      schema: {
        tags,
        summary: 'Target per measure (defaults from the domain spec) and the state of its rolling-rate alert',
        response: { 200: z.object({ items: z.array(s.TargetItem) }) },
      },
    },
    async (req) => listTargets(db, ctxOf(req)),
  );

  app.put(
    '/measures/targets/:measure',
    {
      config: { permission: 'measures.manage' },
      schema: {
        tags,
        summary: "Set a measure's target (rates as fractions 0..1, NPS −100..100, CES 1..7, times in seconds; null = none)",
        params: z.object({ measure: z.enum(MEASURE_KEYS) }),
        body: z.object({
          target: z.number().nullable(),
          windowDays: z.number().int().min(1).max(90).optional(),
          minCount: z.number().int().min(1).max(100_000).optional(),
        }),
        response: { 200: s.TargetItem },
      },
    },
    async (req) => putTarget(db, ctxOf(req), req.params.measure, req.body),
  );

  app.get(
    '/measures/board',
    {
      config: { permission: 'measures.own' },
      schema: {
        tags,
        summary: "Team board (live): backlog, agents' open load, clocks about to breach, open breaches",
        querystring: z.object({
          teamId: z.uuid().optional(),
          overload: z.coerce.number().int().min(1).max(500).optional(),
          withinMinutes: z.coerce.number().int().min(1).max(1440).optional(),
        }),
        response: { 200: s.Board },
      },
    },
    async (req) => board(db, ctxOf(req), req.query),
  );

  app.get(
    '/measures/complaints',
    {
      config: { permission: 'measures.own' },
      schema: {
        tags,
        summary: 'Complaint analysis: Pareto of categories and root-cause tags; repeated problems by site',
        querystring: s.MeasuresQ.omit({ groupBy: true, source: true }).extend({ minRepeat: z.coerce.number().int().min(2).max(100).optional() }),
        response: { 200: s.Complaints },
      },
    },
    async (req) => complaints(db, ctxOf(req), req.query),
  );

  app.get(
    '/measures/export',
    {
      config: { permission: 'measures.own' },
      schema: {
        tags,
        summary:
          'Export a dashboard: .xlsx report (title, organisation, period, filters; one sheet per table and chart; rates as percentages beside numerator and denominator; durations [h]:mm:ss) or the table as .csv (UTF-8 with BOM)',
        querystring: s.MeasuresQ.extend({
          format: z.enum(['csv', 'xlsx']),
          view: z.enum(['measures', 'complaints', 'board', 'field']).optional(),
          lang: z.enum(['zh-CN', 'en']).optional().describe("language of the headings (default: the requester's language)"),
        }),
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req);
      const file = await exportView(db, ctx, req.query, req.query.lang ?? ctx.locale ?? 'zh-CN', deps.config.CHIDU_ORG_NAME);
      reply.header('content-disposition', `attachment; filename="${file.filename}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
      return reply.type(file.type).send(file.body);
    },
  );

  // ─── TV wall ───
  app.post(
    '/measures/wall-tokens',
    {
      config: { permission: 'measures.manage' },
      schema: {
        tags,
        summary: 'Create a read-only display token for the TV wall (/wall?token=…); shown once',
        body: s.WallTokenCreate,
        response: { 201: s.WallTokenCreated },
      },
    },
    async (req, reply) => reply.status(201).send(await createWallToken(db, ctxOf(req), req.body)),
  );
  app.get(
    '/measures/wall-tokens',
    { config: { permission: 'measures.manage' }, schema: { tags, summary: 'Display tokens', response: { 200: z.object({ items: z.array(s.WallToken) }) } } },
    async (req) => listWallTokens(db, ctxOf(req)),
  );
  app.delete(
    '/measures/wall-tokens/:id',
    { config: { permission: 'measures.manage' }, schema: { tags, summary: 'Revoke a display token', params: IdParam, response: { 204: z.null() } } },
    async (req, reply) => {
      await revokeWallToken(db, ctxOf(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/public/wall',
    {
      config: { public: true },
      schema: {
        tags,
        summary: "TV wall data for a display token (header X-Display-Token, or ?token=); read-only, only the wall's own data",
        querystring: z.object({ token: z.string().max(200).optional() }),
        response: { 200: s.Wall },
      },
    },
    async (req) => {
      const h = req.headers['x-display-token'];
      return wallData(db, typeof h === 'string' && h ? h : req.query.token);
    },
  );

  // ─── scheduled reports ───
  app.get(
    '/measures/reports',
    { config: { permission: 'measures.manage' }, schema: { tags, summary: 'Scheduled reports', response: { 200: z.object({ items: z.array(s.Report) }) } } },
    async (req) => rep.listReports(db, ctxOf(req)),
  );
  app.post(
    '/measures/reports',
    {
      config: { permission: 'measures.manage' },
      schema: {
        tags,
        summary: 'Schedule a daily/weekly report by email or webhook (with a PNG of the trend chart)',
        body: s.ReportBody,
        response: { 201: s.Report },
      },
    },
    async (req, reply) => reply.status(201).send(await rep.createReport(db, ctxOf(req), req.body)),
  );
  app.delete(
    '/measures/reports/:id',
    { config: { permission: 'measures.manage' }, schema: { tags, summary: 'Delete a scheduled report', params: IdParam, response: { 204: z.null() } } },
    async (req, reply) => {
      await rep.deleteReport(db, ctxOf(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/measures/reports/:id/send',
    { config: { permission: 'measures.manage' }, schema: { tags, summary: 'Send a report now', params: IdParam, response: { 200: s.ReportSent } } },
    async (req) => rep.sendReportNow(db, ctxOf(req), req.params.id),
  );
  app.get(
    '/measures/reports/:id/chart.png',
    {
      config: { permission: 'measures.manage' },
      schema: { tags, summary: "The report's chart as PNG (as it would be sent now)", params: IdParam },
    },
    async (req, reply) => reply.type('image/png').send(await rep.reportChart(db, ctxOf(req), req.params.id)),
  );
}
