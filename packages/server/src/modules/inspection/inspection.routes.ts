import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import * as cmd from './inspection.commands';
import {
  CheckBody,
  CheckResult,
  HitStats,
  HitsPage,
  HitsQuery,
  IdParam,
  Rule,
  RuleCreate,
  RuleList,
  RulePatch,
  StatsQuery,
  TicketHits,
} from './inspection.schema';

/** Automatic inspection (全量质检): the dry run, hits on a ticket, hit lists and rates, and the rules. */
export function registerInspectionRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['quality'];
  const { database } = deps;

  app.post(
    '/qa/check',
    {
      schema: {
        tags,
        summary: 'Inspect one staff message with the enabled rules (a dry run: stores nothing)',
        body: CheckBody,
        response: { 200: CheckResult },
      },
    },
    async (req) => cmd.check(database, ctxOf(req), req.body),
  );
  app.get(
    '/tickets/:id/qa-hits',
    {
      schema: { tags, summary: "Automatic inspection hits on a ticket's staff messages (agents: their own)", params: IdParam, response: { 200: TicketHits } },
    },
    async (req) => cmd.ticketHits(database, ctxOf(req), req.params.id),
  );
  app.get(
    '/qa/hits',
    {
      schema: { tags, summary: 'Automatic inspection hits, newest first (agents: their own)', querystring: HitsQuery, response: { 200: HitsPage } },
    },
    async (req) => cmd.listHits(database, ctxOf(req), req.query),
  );
  app.get(
    '/qa/hits/stats',
    {
      config: { permission: 'qa.view' },
      schema: { tags, summary: 'Automatic-hit rates per rule over a period (default: the last 30 days)', querystring: StatsQuery, response: { 200: HitStats } },
    },
    async (req) => cmd.hitStats(database, ctxOf(req), req.query),
  );
  app.get('/qa/rules', { schema: { tags, summary: 'Inspection rules', response: { 200: RuleList } } }, async (req) => cmd.listRules(database, ctxOf(req)));
  app.post(
    '/qa/rules',
    {
      config: { permission: 'qa.manage' },
      schema: { tags, summary: 'Add an inspection rule (a bad regular expression is refused naming `pattern`)', body: RuleCreate, response: { 201: Rule } },
    },
    async (req, reply) => reply.status(201).send(await cmd.createRule(database, ctxOf(req), req.body)),
  );
  app.get('/qa/rules/:id', { schema: { tags, summary: 'One inspection rule', params: IdParam, response: { 200: Rule } } }, async (req) =>
    cmd.getRule(database, ctxOf(req), req.params.id),
  );
  app.put(
    '/qa/rules/:id',
    {
      config: { permission: 'qa.manage' },
      schema: {
        tags,
        summary: 'Change an inspection rule (the fields given; version + 1, audited)',
        params: IdParam,
        body: RulePatch,
        response: { 200: Rule },
      },
    },
    async (req) => cmd.updateRule(database, ctxOf(req), req.params.id, req.body),
  );
  app.delete(
    '/qa/rules/:id',
    {
      config: { permission: 'qa.manage' },
      schema: { tags, summary: 'Delete an inspection rule (audited; its stored hits stay)', params: IdParam, response: { 204: z.null() } },
    },
    async (req, reply) => {
      await cmd.deleteRule(database, ctxOf(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
}
