import type { Database } from '../../db/client';
import type { Ctx } from '../../lib/context';
import { authorize } from '../identity/policy';
import { presentAuditEntry } from './audit.present';
import { auditRepo } from './audit.repo';
import type { AuditQueryInput } from './audit.schema';

/**
 * Read-only: the audit trail has no update or delete route, and the table refuses both. audit.view can be granted to a
 * role without tickets.read_all (PATCH /roles): rows about a ticket then follow the one ticket visibility rule.
 */
export async function searchAudit(database: Database, ctx: Ctx, q: AuditQueryInput) {
  authorize(ctx.actor, 'audit.view');
  const rows = await auditRepo.search(database.db, ctx.actor, q);
  const more = rows.length > q.limit;
  const items = rows.slice(0, q.limit).map((r) => presentAuditEntry(ctx.locale, r));
  return { items, nextCursor: more ? items[items.length - 1]!.id : null };
}

/** Actions and target types present in the trail (for the filters). */
export async function auditFacets(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'audit.view');
  return { actions: await auditRepo.distinctActions(database.db), targetTypes: await auditRepo.distinctTargetTypes(database.db) };
}
