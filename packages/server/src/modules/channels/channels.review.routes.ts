import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { ctxOf } from '../../http/auth';
import { IdParam } from '../identity/identity.schema';
import * as review from './channels.review';
import * as s from './channels.schema';

/** 待审核邮件: the review queue of inbound mail for staff with channels.work. */
export function registerReviewRoutes(app: FastifyInstance, db: Database) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['channels'];
  const config = { permission: 'channels.work' as const };
  r.get(
    '/channels/review',
    {
      config,
      schema: {
        tags,
        summary: 'Inbound mail waiting for review (unknown sender, suspected spam, another customer’s ticket number), oldest first',
        querystring: s.ReviewQuery,
        response: { 200: z.object({ items: z.array(s.ReviewEntry) }) },
      },
    },
    async (req) => review.listReview(db, ctxOf(req), req.query),
  );
  r.post(
    '/channels/review/:id/ticket',
    {
      config,
      schema: {
        tags,
        summary: 'Make a ticket of a waiting mail (customer: the given one, the one with the sender address, or a new one)',
        params: IdParam,
        body: s.ReviewTicket,
        response: { 201: s.ReviewHandled },
      },
    },
    async (req, reply) => reply.status(201).send(await review.reviewToTicket(db, ctxOf(req), req.params.id, req.body)),
  );
  r.post(
    '/channels/review/:id/attach',
    {
      config,
      schema: {
        tags,
        summary: 'Attach a waiting mail to a ticket: the ticket customer’s own mail becomes their reply, anyone else’s an internal note',
        params: IdParam,
        body: s.ReviewAttach,
        response: { 200: s.ReviewHandled },
      },
    },
    async (req) => review.reviewAttach(db, ctxOf(req), req.params.id, req.body),
  );
  r.post(
    '/channels/review/:id/discard',
    {
      config,
      schema: { tags, summary: 'Discard a waiting mail with a reason (audited)', params: IdParam, body: s.ReviewDiscard, response: { 200: s.ReviewHandled } },
    },
    async (req) => review.reviewDiscard(db, ctxOf(req), req.params.id, req.body),
  );
}
