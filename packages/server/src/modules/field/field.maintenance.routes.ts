import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { syncPlugin } from '../../http/plugin';
import { IdParam } from '../identity/identity.schema';
import { acceptProposal } from './field.maintenance.accept.commands';
import * as cmd from './field.maintenance.commands';
import * as s from './field.maintenance.schema';

/** Preventive maintenance (预防性维护, issue #16 item 7): recurring-fault proposals, plans, the rule. */
export function registerFieldMaintenanceRoutes(api: FastifyInstance, deps: AppDeps) {
  void api.register(
    syncPlugin((scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      const tags = ['field'];
      const db = deps.database;
      const manage = { permission: 'field.manage' } as const;

      app.get(
        '/field/maintenance/proposals',
        {
          schema: {
            tags,
            summary: 'Recurring-fault maintenance proposals with their repair history (field.manage or field.dispatch)',
            querystring: s.ProposalsQuery,
            response: { 200: s.ProposalList },
          },
        },
        async (req) => cmd.listProposals(db, ctxOf(req), req.query.state),
      );
      app.post(
        '/field/maintenance/proposals/:id/accept',
        {
          config: manage,
          schema: {
            tags,
            summary: 'Accept a proposal as a maintenance plan of its asset or site, or as a one-off inspection visit (409 proposal_state when decided)',
            params: IdParam,
            body: s.ProposalAccept,
            response: { 200: s.Proposal },
          },
        },
        async (req) => acceptProposal(db, ctxOf(req), req.params.id, req.body),
      );
      app.post(
        '/field/maintenance/proposals/:id/dismiss',
        {
          config: manage,
          schema: { tags, summary: 'Dismiss a proposal with a reason', params: IdParam, body: s.ProposalDismiss, response: { 200: s.Proposal } },
        },
        async (req) => cmd.dismissProposal(db, ctxOf(req), req.params.id, req.body.reason),
      );
      app.get(
        '/field/maintenance/plans',
        { schema: { tags, summary: 'Maintenance plans with their next due date', response: { 200: s.PlanList } } },
        async (req) => cmd.listPlans(db, ctxOf(req)),
      );
      app.post(
        '/field/maintenance/plans',
        {
          config: manage,
          schema: { tags, summary: 'Create a maintenance plan of an asset or a site', body: s.PlanCreate, response: { 201: s.Plan } },
        },
        async (req, reply) => reply.status(201).send(await cmd.createPlan(db, ctxOf(req), req.body)),
      );
      app.patch(
        '/field/maintenance/plans/:id',
        {
          config: manage,
          schema: { tags, summary: 'Pause or resume a maintenance plan', params: IdParam, body: s.PlanPatch, response: { 200: s.Plan } },
        },
        async (req) => cmd.patchPlan(db, ctxOf(req), req.params.id, req.body),
      );
      app.get(
        '/field/maintenance/settings',
        { schema: { tags, summary: 'The recurring-fault rule (threshold repairs within windowDays)', response: { 200: s.RecurringSettings } } },
        async (req) => cmd.getRecurringRule(db, ctxOf(req)),
      );
      app.put(
        '/field/maintenance/settings',
        {
          config: manage,
          schema: { tags, summary: 'Change the recurring-fault rule', body: s.RecurringSettings, response: { 200: s.RecurringSettings } },
        },
        async (req) => cmd.putRecurringRule(db, ctxOf(req), req.body),
      );
    }),
  );
}
