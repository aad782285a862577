import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import * as checklist from './progress.checklist.commands';
import * as cmd from './progress.commands';
import * as s from './progress.schema';

/** Status requests (客户询问进度) and solution confirmations (客户确认方案), by staff and from the portal. */
export function registerProgressRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const { database } = deps;
  app.post(
    '/tickets/:id/status-requests',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags: ['tickets'],
        summary: 'Record that the customer asked how their request stands (客户询问进度): starts status standards',
        params: s.IdParam,
        body: s.StatusRequestBody,
        response: { 201: s.ProgressEvent },
      },
    },
    async (req, reply) => reply.status(201).send(await cmd.recordStatusRequest(database, ctxOf(req), req.params.id, req.body)),
  );
  app.post(
    '/tickets/:id/solution-confirmations',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags: ['tickets'],
        summary: 'Record that the customer accepted the proposed solution (客户确认方案): the solution_confirmed checkpoint',
        params: s.IdParam,
        body: s.SolutionConfirmationBody,
        response: { 201: s.ProgressEvent },
      },
    },
    async (req, reply) => reply.status(201).send(await cmd.recordSolutionConfirmed(database, ctxOf(req), req.params.id, req.body)),
  );
  app.get(
    '/tickets/:id/checklist',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags: ['tickets'],
        summary: 'The checklist of a repair or order ticket: 报价已告知客户, 已说明作业、保修范围和收费 — who recorded each, when, in time or late',
        params: s.IdParam,
        response: { 200: s.Checklist },
      },
    },
    async (req) => checklist.checklistOf(database, ctxOf(req), req.params.id),
  );
  app.post(
    '/tickets/:id/checklist',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags: ['tickets'],
        summary: 'Record a checklist step (ticket.checklist_recorded); cost_quoted after work started or work_explained after resolve counts as late',
        params: s.IdParam,
        body: s.ChecklistBody,
        response: { 201: s.ChecklistItem },
      },
    },
    async (req, reply) => reply.status(201).send(await checklist.recordChecklistStep(database, ctxOf(req), req.params.id, req.body)),
  );
  app.post(
    '/portal/tickets/:id/status-requests',
    {
      config: { audience: 'customer' },
      schema: {
        tags: ['portal'],
        summary: 'Ask how my request stands (询问进度); at most once a minute and 10 times a day per request (429 + Retry-After)',
        params: s.IdParam,
        response: { 201: s.ProgressEvent },
      },
    },
    async (req, reply) => reply.status(201).send(await cmd.recordStatusRequest(database, ctxOf(req), req.params.id, null)),
  );
  app.post(
    '/portal/tickets/:id/solution-confirmations',
    {
      config: { audience: 'customer' },
      schema: {
        tags: ['portal'],
        summary: 'Accept the solution proposed for my request (确认方案)',
        params: s.IdParam,
        response: { 201: s.ProgressEvent },
      },
    },
    async (req, reply) => reply.status(201).send(await cmd.recordSolutionConfirmed(database, ctxOf(req), req.params.id, null)),
  );
}
