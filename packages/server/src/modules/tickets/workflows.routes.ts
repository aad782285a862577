import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { AppError } from '../../lib/errors';
import * as w from './workflows.commands';
import * as s from './tickets.schema';

export function registerWorkflowRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['tickets'];

  app.post('/tickets/:id/handovers', { config: { permission: 'tickets.work' }, schema: { tags, summary: 'Structured handover (服务交接); ownership moves only when the receiver confirms', params: s.IdParam, body: s.HandoverCreate, response: { 201: s.Handover } } },
    async (req, reply) => reply.status(201).send(await w.requestHandover(deps, ctxOf(req), req.params.id, req.body)));
  app.post('/handovers/:id/confirm', { config: { permission: 'tickets.work' }, schema: { tags, params: s.IdParam, body: s.Decision, response: { 200: s.Handover } } },
    async (req) => w.decideHandover(deps, ctxOf(req), req.params.id, 'confirm', req.body?.note));
  app.post('/handovers/:id/decline', { config: { permission: 'tickets.work' }, schema: { tags, params: s.IdParam, body: s.Decision, response: { 200: s.Handover } } },
    async (req) => w.decideHandover(deps, ctxOf(req), req.params.id, 'decline', req.body?.note));
  app.get('/handovers', { config: { permission: 'tickets.work' }, schema: { tags, querystring: z.object({ state: z.enum(['pending', 'confirmed', 'declined', 'cancelled']).optional() }), response: { 200: z.object({ items: z.array(s.Handover) }) } } },
    async (req) => w.listHandovers(deps, ctxOf(req), req.query));

  app.post('/tickets/:id/compensations', {
    config: { permission: 'tickets.work' },
    schema: { tags, summary: 'Grant within your limit, else 403 approval_required with the approvalId filed', params: s.IdParam, body: s.CompensationCreate, response: { 201: s.Compensation } },
  }, async (req, reply) => {
    const out = await w.requestCompensation(deps, ctxOf(req), req.params.id, req.body);
    if (out.kind === 'approval_required') {
      throw new AppError('approval_required', `The amount exceeds your limit of ${out.limitFen} fen; approval request ${out.approvalId} was filed`, {
        extra: { approvalId: out.approvalId, compensationId: out.compensationId, limitFen: out.limitFen },
      });
    }
    return reply.status(201).send(out.body);
  });
  app.get('/approvals', { config: { permission: 'tickets.work' }, schema: { tags, querystring: z.object({ state: z.enum(['pending', 'approved', 'rejected']).optional() }), response: { 200: z.object({ items: z.array(s.Approval) }) } } },
    async (req) => w.listApprovals(deps, ctxOf(req), req.query));
  app.post('/approvals/:id/approve', { config: { permission: 'tickets.work' }, schema: { tags, params: s.IdParam, body: s.ApprovalDecision, response: { 200: s.Approval } } },
    async (req) => w.decideApproval(deps, ctxOf(req), req.params.id, 'approve', req.body.comment));
  app.post('/approvals/:id/reject', { config: { permission: 'tickets.work' }, schema: { tags, params: s.IdParam, body: s.ApprovalDecision, response: { 200: s.Approval } } },
    async (req) => w.decideApproval(deps, ctxOf(req), req.params.id, 'reject', req.body.comment));

  app.put('/tickets/:id/order-lines', { config: { permission: 'tickets.work' }, schema: { tags, params: s.IdParam, body: s.OrderLinesPut } },
    async (req) => w.putOrderLines(deps, ctxOf(req), req.params.id, req.body.lines));
  app.post('/tickets/:id/order/confirm', { config: { permission: 'tickets.work' }, schema: { tags, summary: 'Spec and quantity verified with the customer', params: s.IdParam } },
    async (req) => w.confirmOrder(deps, ctxOf(req), req.params.id));
  app.post('/tickets/:id/order/changes', { config: { permission: 'tickets.work' }, schema: { tags, summary: 'Change a confirmed order: takes effect after a supervisor approves', params: s.IdParam, body: s.OrderChangeCreate } },
    async (req, reply) => reply.status(201).send(await w.requestOrderChange(deps, ctxOf(req), req.params.id, req.body)));

  app.post('/tickets/:id/links', { config: { permission: 'tickets.work' }, schema: { tags, params: s.IdParam, body: s.LinkCreate } },
    async (req) => w.linkTickets(deps, ctxOf(req), req.params.id, req.body.otherId, req.body.kind));
  app.post('/tickets/:id/merge', { config: { permission: 'tickets.work' }, schema: { tags, summary: 'Merge a duplicate into another ticket of the same customer', params: s.IdParam, body: s.MergeBody } },
    async (req) => w.mergeTicket(deps, ctxOf(req), req.params.id, req.body.intoId));
  app.post('/tickets/bulk', { config: { permission: 'tickets.bulk' }, schema: { tags, summary: 'Bulk action on up to 200 tickets; per-ticket results', body: s.BulkBody } },
    async (req) => w.bulkAction(deps, ctxOf(req), req.body));

  app.get('/categories', { schema: { tags: ['categories'], response: { 200: z.object({ items: z.array(s.Category) }) } } },
    async (req) => w.listCategories(deps, ctxOf(req)));
  app.post('/categories', { config: { permission: 'categories.manage' }, schema: { tags: ['categories'], body: s.CategoryCreate, response: { 201: s.Category } } },
    async (req, reply) => reply.status(201).send(await w.createCategory(deps, ctxOf(req), req.body)));

  app.get('/dispatch/rules', { config: { permission: 'tickets.work' }, schema: { tags: ['dispatch'], response: { 200: z.object({ items: z.array(s.DispatchRule) }) } } },
    async (req) => w.listRules(deps, ctxOf(req)));
  app.post('/dispatch/rules', { config: { permission: 'dispatch.manage' }, schema: { tags: ['dispatch'], body: s.DispatchRuleInput, response: { 201: s.DispatchRule } } },
    async (req, reply) => reply.status(201).send(await w.createRule(deps, ctxOf(req), req.body)));
  app.put('/dispatch/rules/:id', { config: { permission: 'dispatch.manage' }, schema: { tags: ['dispatch'], params: s.IdParam, body: s.DispatchRuleInput, response: { 200: s.DispatchRule } } },
    async (req) => w.updateRule(deps, ctxOf(req), req.params.id, req.body));
  app.delete('/dispatch/rules/:id', { config: { permission: 'dispatch.manage' }, schema: { tags: ['dispatch'], params: s.IdParam } },
    async (req, reply) => { await w.deleteRule(deps, ctxOf(req), req.params.id); return reply.status(204).send(); });
  app.post('/dispatch/dry-run', { config: { permission: 'tickets.work' }, schema: { tags: ['dispatch'], summary: 'Who would get this ticket and why', body: s.DryRunBody, response: { 200: s.DispatchDecision } } },
    async (req) => w.dryRun(deps, ctxOf(req), req.body));

  app.get('/me/filters', { schema: { tags: ['tickets'], response: { 200: z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), query: z.record(z.string(), z.string()) })) }) } } },
    async (req) => w.listSavedFilters(deps, ctxOf(req)));
  app.post('/me/filters', { schema: { tags: ['tickets'], body: s.SavedFilterCreate } },
    async (req, reply) => reply.status(201).send(await w.createSavedFilter(deps, ctxOf(req), req.body)));
  app.delete('/me/filters/:id', { schema: { tags: ['tickets'], params: s.IdParam } },
    async (req, reply) => { await w.deleteSavedFilter(deps, ctxOf(req), req.params.id); return reply.status(204).send(); });
  app.post('/me/duty', { schema: { tags: ['tickets'], summary: '签入/签出: dispatch assigns only to staff on duty', body: z.object({ onDuty: z.boolean() }) } },
    async (req) => w.setDuty(deps, ctxOf(req), req.body.onDuty));
  app.get('/teams/load', { config: { permission: 'tickets.work' }, schema: { tags: ['tickets'], summary: 'Open load per member (supervisor view)', querystring: z.object({ teamId: z.uuid().optional() }) } },
    async (req) => w.teamLoad(deps, ctxOf(req), req.query.teamId));
}
