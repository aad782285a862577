import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { Compensation } from '../tickets/tickets.schema';
import * as cmd from './process.compensation.commands';
import { IdParam } from './process.schema';
import { GiftLimit, GiftLimitPut, PortalAcceptanceBody, PortalCompensations, StaffAcceptanceBody } from './process.rules.schema';

/** Routes of the process rules: the customer's answer to a compensation (staff, portal), the front-desk gift limit. */
export function registerRulesRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const { database } = deps;

  app.post(
    '/tickets/:id/compensation-acceptances',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags: ['tickets'],
        summary: "Record the customer's answer to a compensation offered (accepted counts as granted; refused does not)",
        params: IdParam,
        body: StaffAcceptanceBody,
        response: { 200: Compensation },
      },
    },
    async (req) => cmd.answerCompensation(database, ctxOf(req), req.params.id, req.body),
  );
  app.get(
    '/portal/tickets/:id/compensations',
    {
      config: { audience: 'customer' },
      schema: {
        tags: ['portal'],
        summary: 'The compensations offered on my request and my answer to each',
        params: IdParam,
        response: { 200: PortalCompensations },
      },
    },
    async (req) => cmd.portalCompensations(database, ctxOf(req), req.params.id),
  );
  app.post(
    '/portal/tickets/:id/compensation-acceptances',
    {
      config: { audience: 'customer' },
      schema: {
        tags: ['portal'],
        summary: 'Accept or refuse a compensation offered on my request',
        params: IdParam,
        body: PortalAcceptanceBody,
        response: { 200: Compensation },
      },
    },
    async (req) => cmd.answerCompensation(database, ctxOf(req), req.params.id, req.body),
  );
  app.get(
    '/settings/front-desk-gifts',
    {
      schema: {
        tags: ['tickets'],
        summary: 'The per-item limit of a routine gift the front desk grants without approval',
        response: { 200: GiftLimit },
      },
    },
    async (req) => cmd.getGiftLimit(database, ctxOf(req)),
  );
  app.put(
    '/settings/front-desk-gifts',
    {
      config: { permission: 'roles.manage' },
      schema: {
        tags: ['tickets'],
        summary: 'Set the front-desk gift limit (admin)',
        body: GiftLimitPut,
        response: { 200: GiftLimit },
      },
    },
    async (req) => cmd.putGiftLimit(database, ctxOf(req), req.body.limitFen),
  );
}
