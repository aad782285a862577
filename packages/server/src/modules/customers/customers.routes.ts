import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { IdParam, page } from '../identity/identity.schema';
import * as cmd from './customers.commands';
import * as s from './customers.schema';

export function registerCustomerRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['customers'];

  app.post('/customers', {
    config: { permission: 'customers.write' },
    schema: { tags, summary: 'Create a customer (accepts Idempotency-Key)', body: s.CustomerCreate, response: { 201: s.Customer } },
  }, async (req, reply) => {
    const key = req.headers['idempotency-key'];
    const out = await cmd.createCustomer(deps.database, ctxOf(req), req.body, typeof key === 'string' ? key : undefined);
    if (out.replayed) reply.header('idempotent-replayed', 'true');
    return reply.status(out.status as 201).send(out.body);
  });

  app.get('/customers', { config: { permission: 'customers.read' }, schema: { tags, querystring: s.CustomerQuery, response: { 200: page(s.Customer) } } },
    async (req) => cmd.listCustomers(deps.database, ctxOf(req), req.query));

  app.get('/customers/:id', { config: { permission: 'customers.read' }, schema: { tags, params: IdParam, querystring: s.CustomerGetQuery, response: { 200: s.Customer } } },
    async (req) => cmd.getCustomer(deps.database, ctxOf(req), req.params.id, req.query.reveal === 'contact'));
}
