import { and, desc, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditLog, staff } from '../../db/schema';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import type { Ctx } from '../../lib/context';
import type { Database } from '../../db/client';
import { authorize } from '../identity/policy';
import { page } from '../identity/identity.schema';
import { seesAllTickets, ticketVisibilitySql } from '../tickets/visibility';

const AuditQuery = z.object({
  actorId: z.uuid().optional(),
  action: z.string().max(64).optional(),
  targetType: z.string().max(32).optional(),
  targetId: z.string().max(64).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().regex(/^\d+$/).optional(),
});

const AuditItem = z.object({
  id: z.string(),
  at: z.string(),
  actorKind: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  actorEmployeeNo: z.string().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  targetLabel: z.string().nullable(),
  changes: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })).nullable(),
  requestId: z.string().nullable(),
});

/** Read-only: the audit trail has no update or delete route, and the table refuses both. */
export async function searchAudit(database: Database, ctx: Ctx, q: z.infer<typeof AuditQuery>) {
  authorize(ctx.actor, 'audit.view');
  const conds: SQL[] = [];
  if (q.actorId) conds.push(eq(auditLog.actorId, q.actorId));
  if (q.action) conds.push(eq(auditLog.action, q.action));
  if (q.targetType) conds.push(eq(auditLog.targetType, q.targetType));
  if (q.targetId) conds.push(eq(auditLog.targetId, q.targetId));
  if (q.from) conds.push(gte(auditLog.at, new Date(q.from)));
  if (q.to) conds.push(lte(auditLog.at, new Date(q.to)));
  if (q.cursor) conds.push(lt(auditLog.id, Number(q.cursor)));
  // audit.view can be granted to a role without tickets.read_all (PATCH /roles): rows about a ticket then follow the
  // one ticket visibility rule like every other read of ticket data.
  if (!seesAllTickets(ctx.actor)) {
    conds.push(sql`(${auditLog.targetType} <> 'ticket' OR EXISTS (SELECT 1 FROM tickets WHERE tickets.id::text = ${auditLog.targetId} AND ${ticketVisibilitySql(ctx.actor)}))`);
  }
  // A readable label for the target (staff name + 工号, customer name, ticket number, team name).
  const targetLabel = sql<string | null>`CASE ${auditLog.targetType}
      WHEN 'staff' THEN (SELECT s2.name || '（' || s2.employee_no || '）' FROM staff s2 WHERE s2.id::text = ${auditLog.targetId})
      WHEN 'customer' THEN (SELECT c.name FROM customers c WHERE c.id::text = ${auditLog.targetId})
      WHEN 'ticket' THEN (SELECT t.number FROM tickets t WHERE t.id::text = ${auditLog.targetId})
      WHEN 'team' THEN (SELECT tm.name FROM teams tm WHERE tm.id::text = ${auditLog.targetId})
      WHEN 'role' THEN ${auditLog.targetId}
      ELSE NULL END`;
  const rows = await database.db
    .select({ a: auditLog, name: staff.name, employeeNo: staff.employeeNo, targetLabel })
    .from(auditLog)
    .leftJoin(staff, eq(staff.id, auditLog.actorId))
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(q.limit + 1);
  const more = rows.length > q.limit;
  const items = rows.slice(0, q.limit).map((r) => ({
    id: String(r.a.id), at: r.a.at.toISOString(), actorKind: r.a.actorKind, actorId: r.a.actorId,
    actorName: r.name, actorEmployeeNo: r.employeeNo, action: r.a.action, targetType: r.a.targetType,
    targetId: r.a.targetId, targetLabel: r.targetLabel ?? null, changes: (r.a.changes as Record<string, { before: unknown; after: unknown }> | null) ?? null, requestId: r.a.requestId,
  }));
  return { items, nextCursor: more ? items[items.length - 1]!.id : null };
}

export function registerAuditRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.get('/audit/facets', { config: { permission: 'audit.view' }, schema: { tags: ['audit'], summary: 'Actions and target types present in the trail (for filters)', response: { 200: z.object({ actions: z.array(z.string()), targetTypes: z.array(z.string()) }) } } },
    async (req) => {
      authorize(ctxOf(req).actor, 'audit.view');
      const actions = await deps.database.rows<{ v: string }>(sql`SELECT DISTINCT action AS v FROM audit_log ORDER BY 1`);
      const types = await deps.database.rows<{ v: string }>(sql`SELECT DISTINCT target_type AS v FROM audit_log ORDER BY 1`);
      return { actions: actions.map((r) => r.v), targetTypes: types.map((r) => r.v) };
    });
  app.get('/audit', { config: { permission: 'audit.view' }, schema: { tags: ['audit'], summary: 'Search the audit trail', querystring: AuditQuery, response: { 200: page(AuditItem) } } },
    async (req) => searchAudit(deps.database, ctxOf(req), req.query));
}
