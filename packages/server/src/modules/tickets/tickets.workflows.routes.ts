import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { AppError } from '../../lib/errors';
import * as approvals from './tickets.approvals.commands';
import * as bulk from './tickets.bulk.commands';
import * as categories from './tickets.categories.commands';
import * as dispatch from './tickets.dispatch.commands';
import * as duty from './tickets.duty.commands';
import * as handovers from './tickets.handovers.commands';
import * as links from './tickets.links.commands';
import * as orders from './tickets.orders.commands';
import * as s from './tickets.schema';

/** Handovers, compensations and approvals, orders, links and merge, bulk, categories, dispatch rules, saved filters, duty. */
export function registerWorkflowRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const { database } = deps;
  const tags = ['tickets'];

  // ── handovers (服务交接) ──
  app.post(
    '/tickets/:id/handovers',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags,
        summary: 'Structured handover (服务交接); ownership moves only when the receiver confirms',
        params: s.IdParam,
        body: s.HandoverCreate,
        response: { 201: s.Handover },
      },
    },
    async (req, reply) => reply.status(201).send(await handovers.requestHandover(database, ctxOf(req), req.params.id, req.body)),
  );
  app.post(
    '/handovers/:id/confirm',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags,
        summary: 'The receiver confirms a handover: the ticket becomes theirs',
        params: s.IdParam,
        body: s.Decision,
        response: { 200: s.Handover },
      },
    },
    async (req) => handovers.decideHandover(database, ctxOf(req), req.params.id, 'confirm', req.body?.note),
  );
  app.post(
    '/handovers/:id/decline',
    {
      config: { permission: 'tickets.work' },
      schema: { tags, summary: 'The receiver declines a handover', params: s.IdParam, body: s.Decision, response: { 200: s.Handover } },
    },
    async (req) => handovers.decideHandover(database, ctxOf(req), req.params.id, 'decline', req.body?.note),
  );
  app.get(
    '/handovers',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags,
        summary: 'Handovers sent or received (supervisors: all)',
        querystring: z.object({ state: z.enum(['pending', 'confirmed', 'declined', 'cancelled']).optional() }),
        response: { 200: z.object({ items: z.array(s.Handover) }) },
      },
    },
    async (req) => handovers.listHandovers(database, ctxOf(req), req.query),
  );

  // ── compensation and approvals ──
  app.post(
    '/tickets/:id/compensations',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags,
        summary: 'Grant within your limit, else 403 approval_required with the approvalId filed',
        params: s.IdParam,
        body: s.CompensationCreate,
        response: { 201: s.Compensation },
      },
    },
    async (req, reply) => {
      const out = await approvals.requestCompensation(database, ctxOf(req), req.params.id, req.body);
      if (out.kind === 'approval_required') {
        throw new AppError('approval_required', `The amount exceeds your limit of ${out.limitFen} fen; approval request ${out.approvalId} was filed`, {
          extra: { approvalId: out.approvalId, compensationId: out.compensationId, limitFen: out.limitFen },
        });
      }
      return reply.status(201).send(out.body);
    },
  );
  app.get(
    '/approvals',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags,
        summary: 'Approvals the caller may decide, requested or decided',
        querystring: z.object({ state: z.enum(['pending', 'approved', 'rejected']).optional() }),
        response: { 200: z.object({ items: z.array(s.Approval) }) },
      },
    },
    async (req) => approvals.listApprovals(database, ctxOf(req), req.query),
  );
  app.post(
    '/approvals/:id/approve',
    {
      config: { permission: 'tickets.work' },
      schema: { tags, summary: 'Approve a compensation or order change', params: s.IdParam, body: s.ApprovalDecision, response: { 200: s.Approval } },
    },
    async (req) => approvals.decideApproval(database, ctxOf(req), req.params.id, 'approve', req.body.comment),
  );
  app.post(
    '/approvals/:id/reject',
    {
      config: { permission: 'tickets.work' },
      schema: { tags, summary: 'Reject a compensation or order change', params: s.IdParam, body: s.ApprovalDecision, response: { 200: s.Approval } },
    },
    async (req) => approvals.decideApproval(database, ctxOf(req), req.params.id, 'reject', req.body.comment),
  );

  // ── orders ──
  app.put(
    '/tickets/:id/order-lines',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags,
        summary: 'Set the lines of an order ticket (before it is confirmed)',
        params: s.IdParam,
        body: s.OrderLinesPut,
        response: { 200: s.OrderLinesSet },
      },
    },
    async (req) => orders.putOrderLines(database, ctxOf(req), req.params.id, req.body.lines),
  );
  app.post(
    '/tickets/:id/order/confirm',
    {
      config: { permission: 'tickets.work' },
      schema: { tags, summary: 'Spec and quantity verified with the customer', params: s.IdParam, response: { 200: s.OrderConfirmed } },
    },
    async (req) => orders.confirmOrder(database, ctxOf(req), req.params.id),
  );
  app.post(
    '/tickets/:id/order/changes',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags,
        summary: 'Change a confirmed order: takes effect after a supervisor approves',
        params: s.IdParam,
        body: s.OrderChangeCreate,
        response: { 201: s.OrderChangeRequested },
      },
    },
    async (req, reply) => reply.status(201).send(await orders.requestOrderChange(database, ctxOf(req), req.params.id, req.body)),
  );

  // ── links, merge, bulk ──
  app.post(
    '/tickets/:id/links',
    {
      config: { permission: 'tickets.work' },
      schema: { tags, summary: 'Link two tickets (related, duplicate, parent/child)', params: s.IdParam, body: s.LinkCreate, response: { 200: s.TicketId } },
    },
    async (req) => links.linkTickets(database, ctxOf(req), req.params.id, req.body.otherId, req.body.kind),
  );
  app.post(
    '/tickets/:id/merge',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags,
        summary: 'Merge a duplicate into another ticket of the same customer',
        params: s.IdParam,
        body: s.MergeBody,
        response: { 200: s.TicketMerged },
      },
    },
    async (req) => links.mergeTicket(database, ctxOf(req), req.params.id, req.body.intoId),
  );
  app.post(
    '/tickets/bulk',
    {
      config: { permission: 'tickets.bulk' },
      schema: { tags, summary: 'Bulk action on up to 200 tickets; per-ticket results', body: s.BulkBody, response: { 200: s.BulkResult } },
    },
    async (req) => bulk.bulkAction(database, ctxOf(req), req.body),
  );

  // ── categories ──
  app.get(
    '/categories',
    {
      schema: { tags: ['categories'], summary: 'Ticket categories', response: { 200: z.object({ items: z.array(s.Category) }) } },
    },
    async (req) => categories.listCategories(database, ctxOf(req)),
  );
  app.post(
    '/categories',
    {
      config: { permission: 'categories.manage' },
      schema: { tags: ['categories'], summary: 'Create a category', body: s.CategoryCreate, response: { 201: s.Category } },
    },
    async (req, reply) => reply.status(201).send(await categories.createCategory(database, ctxOf(req), req.body)),
  );

  // ── dispatch rules ──
  app.get(
    '/dispatch/rules',
    {
      config: { permission: 'tickets.work' },
      schema: { tags: ['dispatch'], summary: 'Dispatch rules, in order', response: { 200: z.object({ items: z.array(s.DispatchRule) }) } },
    },
    async (req) => dispatch.listRules(database, ctxOf(req)),
  );
  app.post(
    '/dispatch/rules',
    {
      config: { permission: 'dispatch.manage' },
      schema: { tags: ['dispatch'], summary: 'Create a dispatch rule', body: s.DispatchRuleInput, response: { 201: s.DispatchRule } },
    },
    async (req, reply) => reply.status(201).send(await dispatch.createRule(database, ctxOf(req), req.body)),
  );
  app.put(
    '/dispatch/rules/:id',
    {
      config: { permission: 'dispatch.manage' },
      schema: { tags: ['dispatch'], summary: 'Replace a dispatch rule', params: s.IdParam, body: s.DispatchRuleInput, response: { 200: s.DispatchRule } },
    },
    async (req) => dispatch.updateRule(database, ctxOf(req), req.params.id, req.body),
  );
  app.delete(
    '/dispatch/rules/:id',
    {
      config: { permission: 'dispatch.manage' },
      schema: { tags: ['dispatch'], summary: 'Delete a dispatch rule', params: s.IdParam, response: { 204: z.null().describe('Deleted') } },
    },
    async (req, reply) => {
      await dispatch.deleteRule(database, ctxOf(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/dispatch/dry-run',
    {
      config: { permission: 'tickets.work' },
      schema: { tags: ['dispatch'], summary: 'Who would get this ticket and why', body: s.DryRunBody, response: { 200: s.DispatchDecision } },
    },
    async (req) => dispatch.dryRun(database, ctxOf(req), req.body),
  );

  // ── the staff member's own: saved filters, duty; the supervisor's load view ──
  app.get(
    '/me/filters',
    {
      schema: { tags, summary: 'My saved queue filters', response: { 200: z.object({ items: z.array(s.SavedFilter) }) } },
    },
    async (req) => duty.listSavedFilters(database, ctxOf(req)),
  );
  app.post(
    '/me/filters',
    {
      schema: { tags, summary: 'Save a queue filter', body: s.SavedFilterCreate, response: { 201: s.SavedFilter } },
    },
    async (req, reply) => reply.status(201).send(await duty.createSavedFilter(database, ctxOf(req), req.body)),
  );
  app.delete(
    '/me/filters/:id',
    {
      schema: { tags, summary: 'Delete one of my saved filters', params: s.IdParam, response: { 204: z.null().describe('Deleted') } },
    },
    async (req, reply) => {
      await duty.deleteSavedFilter(database, ctxOf(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/me/duty',
    {
      schema: { tags, summary: '签入/签出: dispatch assigns only to staff on duty', body: s.Duty, response: { 200: s.Duty } },
    },
    async (req) => duty.setDuty(database, ctxOf(req), req.body.onDuty),
  );
  app.get(
    '/teams/load',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags,
        summary: 'Open load per member (supervisor view)',
        querystring: z.object({ teamId: z.uuid().optional() }),
        response: { 200: s.TeamLoad },
      },
    },
    async (req) => duty.teamLoad(database, ctxOf(req), req.query.teamId),
  );
}
