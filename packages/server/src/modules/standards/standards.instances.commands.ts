/**
 * "The instances behind a number": the clocks (standard_instances) that make up a compliance figure, with their
 * ticket. Same window and filters as compliance (encounters whose clock started in [from, to)); only tickets the
 * actor may see (tickets/visibility.ts ticketVisibilityScope) are listed.
 */
import type { Database } from '../../db/client';
import type { Ctx } from '../../lib/context';
import { notFound } from '../../lib/errors';
import { authorize } from '../identity/policy';
import { complianceRepo } from './standards.compliance.repo';
import { parseRange } from './standards.period';
import { presentInstance } from './standards.present';
import type { InstanceQueryInput } from './standards.schema';
import { standardsRepo } from './standards.repo';

export async function listInstances(database: Database, ctx: Ctx, standardId: string, q: InstanceQueryInput) {
  authorize(ctx.actor, 'standards.compliance');
  if (!(await standardsRepo.byId(database.db, standardId))) throw notFound('Standard');
  const { from, to } = parseRange(q);
  const rows = await complianceRepo.instances(database.db, ctx.actor, standardId, { ...q, from, to });
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  return {
    items: page.map(presentInstance),
    nextCursor: more ? page[page.length - 1]!.i.id : null,
  };
}
