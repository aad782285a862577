import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { compiledSerializerCompiler } from '../../http/serialize';
import * as cmd from './tickets.commands';
import { ticketCounts } from './tickets.counts.commands';
import * as s from './tickets.schema';

export function registerTicketRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const { database } = deps;
  const tags = ['tickets'];
  const key = (h: unknown) => (typeof h === 'string' ? h : undefined);

  app.post(
    '/tickets',
    {
      config: { permission: 'tickets.create' },
      schema: { tags, summary: 'Create a ticket (工单); runs dispatch; accepts Idempotency-Key', body: s.TicketCreate, response: { 201: s.TicketCreated } },
    },
    async (req, reply) => {
      const out = await cmd.createTicket(database, ctxOf(req), req.body, key(req.headers['idempotency-key']));
      if (out.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(out.body);
    },
  );

  app.get(
    '/tickets',
    {
      config: { audience: 'any' },
      schema: {
        tags,
        summary: 'Queue: only tickets the caller may see (staff rows carry their clocks)',
        querystring: s.TicketListQuery,
        response: { 200: s.TicketPage },
      },
      // The queue's hot path: a compiled serializer, not a zod parse of every row (src/http/serialize.ts).
      serializerCompiler: compiledSerializerCompiler,
    },
    async (req) => cmd.listTickets(database, ctxOf(req), req.query),
  );

  app.get(
    '/tickets/counts',
    {
      schema: {
        tags,
        summary:
          'Home counters: open tickets the caller answers for (own, their team for supervisors, all for directors), due soon, breached, awaiting customer',
        response: { 200: s.TicketCounts },
      },
    },
    async (req) => ticketCounts(database, ctxOf(req)),
  );

  app.get(
    '/tickets/:id',
    {
      config: { audience: 'any' },
      schema: {
        tags,
        summary: 'A ticket with its timeline, replies, files, clocks and what the caller may do (allowed)',
        params: s.IdParam,
        response: { 200: s.TicketDetail },
      },
    },
    async (req) => cmd.getTicket(database, ctxOf(req), req.params.id),
  );

  app.patch(
    '/tickets/:id',
    {
      config: { permission: 'tickets.work' },
      schema: { tags, summary: 'Change priority, category, tags, subject or type', params: s.IdParam, body: s.TicketPatch, response: { 200: s.TicketId } },
    },
    async (req) => cmd.patchTicket(database, ctxOf(req), req.params.id, req.body),
  );

  app.post(
    '/tickets/:id/replies',
    {
      config: { audience: 'any' },
      schema: { tags, summary: 'Public reply or internal note', params: s.IdParam, body: s.ReplyCreate, response: { 201: s.ReplyCreated } },
    },
    async (req, reply) => reply.status(201).send(await cmd.addReply(database, ctxOf(req), req.params.id, req.body)),
  );

  app.post(
    '/tickets/:id/resolve',
    {
      config: { permission: 'tickets.work' },
      schema: { tags, summary: 'Resolve an open ticket with its resolution', params: s.IdParam, body: s.Resolve, response: { 200: s.TicketResolved } },
    },
    async (req) => cmd.resolveTicket(database, ctxOf(req), req.params.id, req.body.resolution),
  );

  app.post(
    '/tickets/:id/reopen',
    {
      config: { audience: 'any' },
      schema: { tags, summary: 'Reopen a resolved or closed ticket', params: s.IdParam, body: s.Reopen, response: { 200: s.TicketStatusResult } },
    },
    async (req) => cmd.reopenTicket(database, ctxOf(req), req.params.id, req.body?.reason),
  );

  app.post(
    '/tickets/:id/close',
    {
      config: { permission: 'tickets.work' },
      schema: { tags, summary: 'Close a resolved ticket', params: s.IdParam, response: { 200: s.TicketStatusResult } },
    },
    async (req) => cmd.closeTicket(database, ctxOf(req), req.params.id),
  );

  app.post(
    '/tickets/:id/status',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags,
        summary: 'Move an open ticket to in progress or pending (customer / internal)',
        params: s.IdParam,
        body: s.StatusChange,
        response: { 200: s.TicketStatusResult },
      },
    },
    async (req) => cmd.changeTicketStatus(database, ctxOf(req), req.params.id, req.body),
  );

  app.post(
    '/tickets/:id/assign',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags,
        summary: 'Assign to a staff member and/or team (an owned ticket: supervisors only)',
        params: s.IdParam,
        body: s.Assign,
        response: { 200: s.TicketAssigned },
      },
    },
    async (req) => cmd.assignTicket(database, ctxOf(req), req.params.id, req.body),
  );

  app.post(
    '/tickets/:id/take',
    {
      config: { permission: 'tickets.work' },
      schema: { tags, summary: 'Take an unowned ticket (首问负责)', params: s.IdParam, response: { 200: s.TicketTaken } },
    },
    async (req) => cmd.takeTicket(database, ctxOf(req), req.params.id),
  );
}
