import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { page } from '../identity/identity.schema';
import * as cmd from './tickets.commands';
import * as s from './tickets.schema';

const Ok = z.object({ id: z.string(), status: z.string().optional() }).loose();

export function registerTicketRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['tickets'];
  const key = (h: unknown) => (typeof h === 'string' ? h : undefined);

  app.post('/tickets', {
    config: { permission: 'tickets.create' },
    schema: { tags, summary: 'Create a ticket (工单); runs dispatch; accepts Idempotency-Key', body: s.TicketCreate, response: { 201: s.TicketCreated } },
  }, async (req, reply) => {
    const out = await cmd.createTicket(deps, ctxOf(req), req.body, key(req.headers['idempotency-key']));
    if (out.replayed) reply.header('idempotent-replayed', 'true');
    return reply.status(201).send(out.body);
  });

  app.get('/tickets', { config: { audience: 'any' }, schema: { tags, summary: 'Queue: only tickets the caller may see', querystring: s.TicketListQuery, response: { 200: page(s.TicketSummary) } } },
    async (req) => cmd.listTickets(deps, ctxOf(req), req.query));

  app.get('/tickets/:id', { config: { audience: 'any' }, schema: { tags, params: s.IdParam, response: { 200: s.TicketDetail } } },
    async (req) => cmd.getTicket(deps, ctxOf(req), req.params.id));

  app.patch('/tickets/:id', { config: { permission: 'tickets.work' }, schema: { tags, params: s.IdParam, body: s.TicketPatch, response: { 200: Ok } } },
    async (req) => cmd.patchTicket(deps, ctxOf(req), req.params.id, req.body));

  app.post('/tickets/:id/replies', { config: { audience: 'any' }, schema: { tags, summary: 'Public reply or internal note', params: s.IdParam, body: s.ReplyCreate, response: { 201: z.object({ id: z.string(), ticketId: z.string(), status: z.string() }) } } },
    async (req, reply) => reply.status(201).send(await cmd.addReply(deps, ctxOf(req), req.params.id, req.body)));

  app.post('/tickets/:id/resolve', { config: { permission: 'tickets.work' }, schema: { tags, params: s.IdParam, body: s.Resolve, response: { 200: Ok } } },
    async (req) => cmd.resolveTicket(deps, ctxOf(req), req.params.id, req.body.resolution));

  app.post('/tickets/:id/reopen', { config: { audience: 'any' }, schema: { tags, params: s.IdParam, body: s.Reopen, response: { 200: Ok } } },
    async (req) => cmd.reopenTicket(deps, ctxOf(req), req.params.id, req.body?.reason));

  app.post('/tickets/:id/close', { config: { permission: 'tickets.work' }, schema: { tags, params: s.IdParam, response: { 200: Ok } } },
    async (req) => cmd.closeTicket(deps, ctxOf(req), req.params.id));

  app.post('/tickets/:id/status', { config: { permission: 'tickets.work' }, schema: { tags, params: s.IdParam, body: s.StatusChange, response: { 200: Ok } } },
    async (req) => cmd.changeTicketStatus(deps, ctxOf(req), req.params.id, req.body));

  app.post('/tickets/:id/assign', { config: { permission: 'tickets.work' }, schema: { tags, params: s.IdParam, body: s.Assign, response: { 200: Ok } } },
    async (req) => cmd.assignTicket(deps, ctxOf(req), req.params.id, req.body));

  app.post('/tickets/:id/take', { config: { permission: 'tickets.work' }, schema: { tags, summary: 'Take an unowned ticket (首问负责)', params: s.IdParam, response: { 200: Ok } } },
    async (req) => cmd.takeTicket(deps, ctxOf(req), req.params.id));
}
