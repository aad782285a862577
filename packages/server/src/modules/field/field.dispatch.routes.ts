import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { syncPlugin } from '../../http/plugin';
import { IdParam } from '../identity/identity.schema';
import * as boardCmd from './field.board.commands';
import * as cmd from './field.dispatch.commands';
import * as s from './field.dispatch.schema';
import { compiledSerializerCompiler } from '../../http/serialize';

/** Appointments, dispatch proposals and the dispatch board (issue #16 items 2, 3, 8). */
export function registerFieldDispatchRoutes(api: FastifyInstance, deps: AppDeps) {
  void api.register(
    syncPlugin((scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      const tags = ['field'];
      const db = deps.database;
      const dispatch = { permission: 'field.dispatch' } as const;

      app.get(
        '/tickets/:id/slots',
        {
          config: dispatch,
          schema: {
            tags,
            summary: 'Free appointment windows (预约时段) for a ticket, inside technicians’ calendars',
            params: IdParam,
            querystring: s.SlotQuery,
            response: { 200: s.SlotList },
          },
        },
        async (req) => cmd.ticketSlots(db, ctxOf(req), req.params.id, req.query),
      );
      app.post(
        '/tickets/:id/bookings',
        {
          config: dispatch,
          schema: {
            tags,
            summary: 'Book a window for a ticket: dispatch picks the best free technician (409 slot_taken when none is left)',
            params: IdParam,
            body: s.BookingCreate,
            response: { 201: s.Booked },
          },
        },
        async (req, reply) => reply.status(201).send(await cmd.bookTicketSlot(db, ctxOf(req), req.params.id, req.body)),
      );
      app.get(
        '/portal/tickets/:id/slots',
        {
          config: { audience: 'customer' },
          schema: {
            tags: ['portal'],
            summary: 'Free appointment windows for the customer’s own repair request',
            params: IdParam,
            querystring: s.SlotQuery.omit({ skill: true }),
            response: { 200: s.SlotList },
          },
        },
        async (req) => cmd.portalSlots(db, ctxOf(req), req.params.id, req.query),
      );
      app.post(
        '/portal/tickets/:id/bookings',
        {
          config: { audience: 'customer' },
          schema: {
            tags: ['portal'],
            summary: 'The customer books a window for their repair request (409 slot_taken when it is gone)',
            params: IdParam,
            body: s.PortalBookingCreate,
            response: { 201: s.Booked },
          },
        },
        async (req, reply) => reply.status(201).send(await cmd.bookPortalSlot(db, ctxOf(req), req.params.id, req.body)),
      );
      app.get(
        '/visits/:id/proposals',
        {
          config: dispatch,
          schema: { tags, summary: 'Technicians proposed for a visit, ranked, with reasons', params: IdParam, response: { 200: s.ProposalList } },
        },
        async (req) => cmd.visitProposals(db, ctxOf(req), req.params.id),
      );
      app.post(
        '/visits/:id/dispatch',
        {
          config: dispatch,
          schema: {
            tags,
            summary: 'Send a visit to a technician (the one named or the best proposal); dryRun shows the choice only',
            params: IdParam,
            body: s.DispatchBody,
            response: { 200: s.DispatchResult },
          },
        },
        async (req) => cmd.dispatchVisit(db, ctxOf(req), req.params.id, req.body),
      );
      app.post(
        '/visits/:id/confirm',
        {
          config: dispatch,
          schema: {
            tags,
            summary: 'Record the phone confirmation with the customer (before the visit)',
            params: IdParam,
            body: s.ConfirmBody,
            response: { 200: s.BookingOut },
          },
        },
        async (req) => boardCmd.confirmVisit(db, ctxOf(req), req.params.id, req.body.note),
      );
      app.post(
        '/visits/:id/reschedule',
        {
          config: dispatch,
          schema: { tags, summary: 'Move a visit to another window, with a reason', params: IdParam, body: s.RescheduleBody, response: { 200: s.BookingOut } },
        },
        async (req) => boardCmd.rescheduleVisit(db, ctxOf(req), req.params.id, req.body),
      );
      app.post(
        '/visits/:id/cancel',
        { config: dispatch, schema: { tags, summary: 'Cancel a visit, with a reason', params: IdParam, body: s.CancelBody, response: { 200: s.BookingOut } } },
        async (req) => boardCmd.cancelVisit(db, ctxOf(req), req.params.id, req.body.reason),
      );
      app.get(
        '/field/technicians',
        {
          config: dispatch,
          schema: { tags, summary: 'Technicians with their calendar, skills and areas', response: { 200: z.object({ items: z.array(s.Technician) }) } },
        },
        async (req) => boardCmd.listTechnicians(db, ctxOf(req)),
      );
      app.put(
        '/field/technicians',
        {
          config: { permission: 'field.manage' },
          schema: { tags, summary: 'Set a technician’s working calendar, skills and areas', body: s.TechnicianPut, response: { 200: s.Technician } },
        },
        async (req) => boardCmd.putTechnician(db, ctxOf(req), req.body),
      );
      app.get(
        '/field/board',
        {
          config: dispatch,
          schema: {
            tags,
            summary: 'The dispatch board: technicians × the day’s visits, late / at-risk flags, unassigned visits',
            querystring: s.BoardQuery,
            response: { 200: s.Board },
          },
          // A page of 50 technicians carries up to 2,000 visits: a compiled serializer (src/http/serialize.ts).
          serializerCompiler: compiledSerializerCompiler,
        },
        async (req) => boardCmd.board(db, ctxOf(req), req.query),
      );
    }),
  );
}
