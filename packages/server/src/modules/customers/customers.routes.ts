import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { IdParam, page } from '../identity/identity.schema';
import * as cmd from './customers.commands';
import { customerMessages } from './customers.conversation';
import * as s from './customers.schema';

export function registerCustomerRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['customers'];
  const { database } = deps;

  app.post(
    '/customers',
    {
      config: { permission: 'customers.write' },
      schema: { tags, summary: 'Create a customer (accepts Idempotency-Key)', body: s.CustomerCreate, response: { 201: s.Customer } },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      const out = await cmd.createCustomer(database, ctxOf(req), req.body, typeof key === 'string' ? key : undefined);
      if (out.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(out.status as 201).send(out.body);
    },
  );

  app.get(
    '/customers',
    {
      config: { permission: 'customers.read' },
      schema: { tags, summary: 'Customers, newest first (contact details masked)', querystring: s.CustomerQuery, response: { 200: page(s.Customer) } },
    },
    async (req) => cmd.listCustomers(database, ctxOf(req), req.query),
  );

  app.get(
    '/customers/:id',
    {
      config: { permission: 'customers.read' },
      schema: {
        tags,
        summary: 'One customer (?reveal=contact unmasks, logged)',
        params: IdParam,
        querystring: s.CustomerGetQuery,
        response: { 200: s.Customer },
      },
    },
    async (req) => cmd.getCustomer(database, ctxOf(req), req.params.id, req.query.reveal === 'contact'),
  );

  app.patch(
    '/customers/:id',
    {
      config: { permission: 'customers.write' },
      schema: {
        tags,
        summary: 'Edit CRM fields (a merged customer cannot be edited)',
        params: s.CustomerIdParam,
        body: s.CustomerPatch,
        response: { 200: s.CustomerProfile },
      },
    },
    async (req) => cmd.updateCustomer(database, ctxOf(req), req.params.id, req.body),
  );

  app.get(
    '/customers/:id/messages',
    {
      config: { permission: 'customers.read' },
      schema: {
        tags,
        summary: "Every channel's messages of a customer in one timeline, newest first (only on tickets the caller may see; 404 when none)",
        params: s.CustomerIdParam,
        querystring: s.CustomerMessagesQuery,
        response: { 200: page(s.CustomerMessage) },
      },
    },
    async (req) => customerMessages(database, ctxOf(req), req.params.id, req.query),
  );

  app.get(
    '/customers/:id/360',
    {
      config: { permission: 'customers.read' },
      schema: {
        tags,
        summary: 'Customer 360: profile, tickets, compensation, timeline, possible duplicates',
        params: s.CustomerIdParam,
        querystring: s.Customer360Query,
        response: { 200: s.Customer360 },
      },
    },
    async (req) => cmd.customer360(database, ctxOf(req), req.params.id, req.query.reveal === 'contact'),
  );

  app.post(
    '/customers/duplicates',
    {
      config: { permission: 'customers.read' },
      schema: { tags, summary: 'Customers with this phone or e-mail (check before creating)', body: s.DuplicatesBody, response: { 200: s.DuplicatesResponse } },
    },
    async (req) => ({ items: await cmd.findDuplicates(database.db, req.body.phone, req.body.email) }),
  );

  app.post(
    '/customers/:id/merge',
    {
      config: { permission: 'customers.merge' },
      schema: {
        tags,
        summary: 'Merge this customer into another; history is kept',
        params: s.CustomerIdParam,
        body: s.MergeBody,
        response: { 200: s.MergeResponse },
      },
    },
    async (req) => cmd.mergeCustomer(database, ctxOf(req), req.params.id, req.body.intoId),
  );
}
