import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import * as cmd from './process.commands';
import { IdParam, SolutionChoice, SolutionOfferState, SolutionOffersPut } from './process.schema';

/** Routes of the process requirements: a complaint's solution options and the customer's choice. */
export function registerProcessRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['tickets'];
  const { database } = deps;

  app.get(
    '/tickets/:id/solution-options',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags,
        summary: "A complaint's solution options offered to the customer and the customer's choice",
        params: IdParam,
        response: { 200: SolutionOfferState },
      },
    },
    async (req) => cmd.getSolutionOffer(database, ctxOf(req), req.params.id),
  );
  app.post(
    '/tickets/:id/solution-options',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags,
        summary: 'Record the 2–3 solutions offered on a complaint (again: replaces the earlier offer), with the choice if known',
        params: IdParam,
        body: SolutionOffersPut,
        response: { 200: SolutionOfferState },
      },
    },
    async (req) => cmd.offerSolutions(database, ctxOf(req), req.params.id, req.body),
  );
  app.post(
    '/tickets/:id/solution-options/choice',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags,
        summary: 'Record which offered solution the customer chose',
        params: IdParam,
        body: SolutionChoice,
        response: { 200: SolutionOfferState },
      },
    },
    async (req) => cmd.chooseSolution(database, ctxOf(req), req.params.id, req.body.chosen),
  );
}
