import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { page } from '../identity/identity.schema';
import { auditFacets, searchAudit } from './audit.commands';
import * as s from './audit.schema';

export function registerAuditRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['audit'];
  app.get(
    '/audit/facets',
    {
      config: { permission: 'audit.view' },
      schema: { tags, summary: 'Actions and target types present in the trail (for filters)', response: { 200: s.AuditFacets } },
    },
    async (req) => auditFacets(deps.database, ctxOf(req)),
  );
  app.get(
    '/audit',
    {
      config: { permission: 'audit.view' },
      schema: { tags, summary: 'Search the audit trail', querystring: s.AuditQuery, response: { 200: page(s.AuditEntry) } },
    },
    async (req) => searchAudit(deps.database, ctxOf(req), req.query),
  );
}
