import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { idempotencyKey, sendKeyed } from '../../http/keyed';
import { syncPlugin } from '../../http/plugin';
import { IdParam } from '../identity/identity.schema';
import * as cmd from './field.parts.commands';
import * as s from './field.parts.schema';

/** Spare parts (备件, issue #16 item 6): the catalogue, stock per warehouse and van, parts used on visits. */
export function registerFieldPartsRoutes(api: FastifyInstance, deps: AppDeps) {
  void api.register(
    syncPlugin((scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      const tags = ['field'];
      const db = deps.database;
      const manage = { permission: 'field.manage' } as const;

      app.get(
        '/field/parts',
        {
          schema: {
            tags,
            summary: 'The spare-parts catalogue with the caller’s van stock (vanQty; 0 when none)',
            querystring: s.PartsQuery,
            response: { 200: s.PartList },
          },
        },
        async (req) => cmd.searchParts(db, ctxOf(req), req.query.q),
      );
      app.post(
        '/field/parts',
        { config: manage, schema: { tags, summary: 'Add a part to the catalogue', body: s.PartCreate, response: { 201: s.Part } } },
        async (req, reply) => reply.status(201).send(await cmd.createPart(db, ctxOf(req), req.body)),
      );
      app.get(
        '/field/stock',
        { config: manage, schema: { tags, summary: 'Stock per location, low stock, latest movements', response: { 200: s.StockOverview } } },
        async (req) => cmd.stockOverview(db, ctxOf(req)),
      );
      app.post(
        '/field/stock/locations',
        {
          config: manage,
          schema: { tags, summary: 'Add a warehouse, or a technician’s van (one per technician)', body: s.LocationCreate, response: { 201: s.Location } },
        },
        async (req, reply) => reply.status(201).send(await cmd.createLocation(db, ctxOf(req), req.body)),
      );
      app.post(
        '/field/stock/receive',
        {
          config: manage,
          schema: { tags, summary: 'Receive parts into a warehouse (入库)', body: s.ReceiveBody, response: { 201: s.MovementResult } },
        },
        async (req, reply) => reply.status(201).send(await cmd.stockMovement(db, ctxOf(req), 'receive', req.body)),
      );
      app.post(
        '/field/stock/issue',
        {
          config: manage,
          schema: { tags, summary: 'Issue parts from a warehouse to a van (领用)', body: s.TransferBody, response: { 201: s.MovementResult } },
        },
        async (req, reply) => reply.status(201).send(await cmd.stockMovement(db, ctxOf(req), 'issue', req.body)),
      );
      app.post(
        '/field/stock/return',
        {
          config: manage,
          schema: { tags, summary: 'Return parts from a van to a warehouse (退库)', body: s.TransferBody, response: { 201: s.MovementResult } },
        },
        async (req, reply) => reply.status(201).send(await cmd.stockMovement(db, ctxOf(req), 'return', req.body)),
      );
      app.get(
        '/visits/:id/parts',
        {
          schema: { tags, summary: 'Parts used on a visit and their cost', params: IdParam, response: { 200: s.UsageList } },
        },
        async (req) => cmd.visitParts(db, ctxOf(req), req.params.id),
      );
      app.post(
        '/visits/:id/parts',
        {
          config: { permission: 'field.work' },
          schema: {
            tags,
            summary: 'Record a part used on the visit, taken from the technician’s van (409 insufficient_stock); accepts Idempotency-Key',
            params: IdParam,
            body: s.UsageCreate,
            response: { 201: s.Usage },
          },
        },
        async (req, reply) => {
          return sendKeyed(reply, 201, await cmd.addVisitPart(db, ctxOf(req), req.params.id, req.body, idempotencyKey(req)));
        },
      );
      app.delete(
        '/visits/:id/parts/:usageId',
        {
          config: { permission: 'field.work' },
          schema: {
            tags,
            summary: 'Take a recorded part off the visit; it goes back to the van; accepts Idempotency-Key',
            params: s.UsageParams,
            response: { 200: s.Usage },
          },
        },
        async (req, reply) => {
          return sendKeyed(reply, 200, await cmd.removeVisitPart(db, ctxOf(req), req.params.id, req.params.usageId, idempotencyKey(req)));
        },
      );
    }),
  );
}
