import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { IdParam, page } from '../identity/identity.schema';
import * as co from './standards.compliance.commands';
import * as inst from './standards.instances.commands';
import * as cmd from './standards.commands';
import * as cp from './standards.checkpoints.commands';
import * as s from './standards.schema';
import { TargetItem } from '../measures/measures.schema';
import * as pv from './standards.preview.commands';
import { Preview, PreviewBody } from './standards.preview.schema';

export function registerStandardsRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['standards'];
  const db = deps.database;

  app.get(
    '/standards/templates',
    {
      config: { permission: 'standards.view' },
      schema: {
        tags,
        summary: 'Default standards from the source decks (Chinese templates, grouped, with their seed source) and the adoptable measure targets',
        response: { 200: s.Templates },
      },
    },
    (req) => cmd.listTemplates(db, ctxOf(req)),
  );

  app.post(
    '/standards/target-templates/:key/adopt',
    {
      config: { permission: 'measures.manage' },
      schema: {
        tags,
        summary: "Adopt a target template: set its measure's target (body: optional target override, same scale as the template)",
        params: s.TemplateKeyParam,
        body: z.object({ target: z.number().optional() }).strict().nullable().optional(),
        response: { 200: TargetItem },
      },
    },
    (req) => cmd.adoptTargetTemplate(db, ctxOf(req), req.params.key, req.body ?? {}),
  );

  app.post(
    '/standards/templates/:key/adopt',
    {
      config: { permission: 'standards.manage' },
      schema: {
        tags,
        summary: 'Create a standard from a template (body: optional overrides, e.g. code, calendarId, limitSeconds)',
        params: s.TemplateKeyParam,
        body: s.Adopt,
        response: { 201: s.Standard },
      },
    },
    async (req, reply) => reply.status(201).send(await cmd.adoptTemplate(db, ctxOf(req), req.params.key, req.body ?? {})),
  );

  app.post(
    '/standards',
    {
      config: { permission: 'standards.manage' },
      schema: { tags, summary: 'Create a service standard (服务标准); accepts Idempotency-Key', body: s.StandardCreate, response: { 201: s.Standard } },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      const out = await cmd.createStandard(db, ctxOf(req), req.body, typeof key === 'string' ? key : undefined);
      if (out.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(out.body);
    },
  );

  app.post(
    '/standards/preview',
    {
      config: { permission: 'standards.manage' },
      schema: {
        tags,
        summary: 'Replay the last N days of ticket events under a standard that does not exist yet (stores nothing)',
        body: PreviewBody,
        response: { 200: Preview },
      },
    },
    (req) => pv.previewStandard(db, ctxOf(req), req.body),
  );

  app.get(
    '/standards/checkpoints',
    {
      config: { permission: 'standards.view' },
      schema: { tags, summary: 'Which standard is the checkpoint (服务质量监控点) of each key node', response: { 200: s.CheckpointStandards } },
    },
    (req) => cp.listCheckpointStandards(db, ctxOf(req)),
  );

  app.get(
    '/tickets/:id/checkpoints',
    {
      config: { permission: 'standards.view' },
      schema: {
        tags,
        summary: "A ticket's quality checkpoints (服务质量监控点): first response, solution confirmed, resolution confirmed",
        params: IdParam,
        response: { 200: s.TicketCheckpoints },
      },
    },
    (req) => cp.ticketCheckpoints(db, ctxOf(req), req.params.id),
  );

  app.get(
    '/standards',
    {
      config: { permission: 'standards.view' },
      schema: { tags, summary: 'Service standards (current versions), newest first', querystring: s.StandardListQuery, response: { 200: page(s.Standard) } },
    },
    async (req) => cmd.listStandards(db, ctxOf(req), req.query),
  );

  app.get(
    '/standards/compliance',
    {
      config: { permission: 'standards.compliance' },
      schema: { tags, summary: 'Execution rate of every standard and overall (标准执行率)', querystring: s.SummaryQuery, response: { 200: s.Summary } },
    },
    async (req) => co.summary(db, ctxOf(req), req.query),
  );

  app.get(
    '/standards/sqi',
    {
      config: { permission: 'standards.compliance' },
      schema: { tags, summary: 'Weighted failure index per day (SQI style)', querystring: s.SqiQuery, response: { 200: s.Sqi } },
    },
    async (req) => co.sqi(db, ctxOf(req), req.query),
  );

  app.patch(
    '/standards/improvements/:improvementId',
    {
      config: { permission: 'standards.improve' },
      schema: {
        tags,
        summary: 'Update an improvement action (state done = took effect today)',
        params: s.ImprovementParam,
        body: s.ImprovementPatch,
        response: { 200: s.Improvement },
      },
    },
    async (req) => co.updateImprovement(db, ctxOf(req), req.params.improvementId, req.body),
  );

  app.get(
    '/standards/:id',
    {
      config: { permission: 'standards.view' },
      schema: { tags, summary: 'A service standard (its current version)', params: IdParam, response: { 200: s.Standard } },
    },
    async (req) => cmd.getStandard(db, ctxOf(req), req.params.id),
  );

  app.patch(
    '/standards/:id',
    {
      config: { permission: 'standards.manage' },
      schema: {
        tags,
        summary: 'Change a standard: a new version (running clocks keep theirs)',
        params: IdParam,
        body: s.StandardPatch,
        response: { 200: s.Standard },
      },
    },
    async (req) => cmd.updateStandard(db, ctxOf(req), req.params.id, req.body),
  );

  app.get(
    '/standards/:id/versions',
    {
      config: { permission: 'standards.view' },
      schema: {
        tags,
        summary: 'Every version of a standard, newest first',
        params: IdParam,
        response: { 200: z.object({ items: z.array(s.StandardVersion) }) },
      },
    },
    async (req) => cmd.listVersions(db, ctxOf(req), req.params.id),
  );

  app.get(
    '/standards/:id/compliance',
    {
      config: { permission: 'standards.compliance' },
      schema: {
        tags,
        summary: 'Met / breached / running and rate against the target (encounters started in [from, to))',
        params: IdParam,
        querystring: s.ComplianceQuery,
        response: { 200: s.Compliance },
      },
    },
    async (req) => co.compliance(db, ctxOf(req), req.params.id, req.query),
  );

  app.get(
    '/standards/:id/compliance/breakdown',
    {
      config: { permission: 'standards.compliance' },
      schema: {
        tags,
        summary: 'Compliance by team, agent, channel, tier, day, type, priority or version',
        params: IdParam,
        querystring: s.BreakdownQuery,
        response: { 200: s.Breakdown },
      },
    },
    async (req) => co.breakdown(db, ctxOf(req), req.params.id, req.query),
  );

  app.get(
    '/standards/:id/instances',
    {
      config: { permission: 'standards.compliance' },
      schema: {
        tags,
        summary: 'The clocks behind a compliance number (encounters started in [from, to), tickets the actor may see), newest first',
        params: IdParam,
        querystring: s.InstanceQuery,
        response: { 200: s.InstancePage },
      },
    },
    async (req) => inst.listInstances(db, ctxOf(req), req.params.id, req.query),
  );

  app.post(
    '/standards/:id/improvements',
    {
      config: { permission: 'standards.improve' },
      schema: { tags, summary: 'Record an improvement action (一次性修正)', params: IdParam, body: s.ImprovementCreate, response: { 201: s.Improvement } },
    },
    async (req, reply) => reply.status(201).send(await co.createImprovement(db, ctxOf(req), req.params.id, req.body)),
  );

  app.get(
    '/standards/:id/improvements',
    {
      config: { permission: 'standards.compliance' },
      schema: {
        tags,
        summary: "Improvement actions with the standard's rate before vs after each took effect",
        params: IdParam,
        querystring: s.ImprovementQuery,
        response: { 200: z.object({ items: z.array(s.Improvement) }) },
      },
    },
    async (req) => co.listImprovements(db, ctxOf(req), req.params.id, req.query),
  );
}
