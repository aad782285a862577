/**
 * "The instances behind a number": the clocks (standard_instances) that make up a compliance figure, with their
 * ticket. Same window and filters as compliance (encounters whose clock started in [from, to)); only tickets the
 * actor may see (tickets/visibility.ts ticketVisibilityScope) are listed.
 */
import { and, desc, eq, gte, inArray, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { staff, standardInstances, standardVersions, teams, tickets } from '../../db/schema';
import type { Ctx } from '../../lib/context';
import { notFound } from '../../lib/errors';
import { authorize } from '../identity/policy';
import { ticketVisibilityScope } from '../tickets/visibility';
import { parseRange } from './compliance';
import { standardsRepo } from './standards.repo';

export const INSTANCE_STATES = ['met', 'breached', 'running', 'cancelled'] as const;

export const InstanceQuery = z.object({
  from: z.string().max(40).optional().describe('ISO instant, or YYYY-MM-DD (start of that local day); default 30 days ago'),
  to: z.string().max(40).optional().describe('ISO instant (exclusive), or YYYY-MM-DD (inclusive); default now'),
  tz: z.string().max(64).optional(),
  state: z.enum(INSTANCE_STATES).optional().describe('running includes paused clocks (as in compliance)'),
  teamId: z.uuid().optional(),
  agentId: z.uuid().optional(),
  channel: z.string().max(20).optional(),
  tier: z.string().max(20).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.uuid().optional(),
});
export type InstanceQueryInput = z.infer<typeof InstanceQuery>;

export const Instance = z.object({
  id: z.string(),
  ticketId: z.string(),
  ticketNumber: z.string(),
  ticketSubject: z.string(),
  state: z.string(),
  paused: z.boolean(),
  cycle: z.number().int(),
  version: z.number().int(),
  startedAt: z.string(),
  dueAt: z.string().nullable(),
  metAt: z.string().nullable(),
  breachedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  endReason: z.string().nullable(),
  late: z.boolean(),
  escalationsSent: z.number().int(),
  ownerId: z.string().nullable(),
  ownerName: z.string().nullable(),
  teamId: z.string().nullable(),
  teamName: z.string().nullable(),
  channel: z.string().nullable(),
  tier: z.string().nullable(),
});
export const InstancePage = z.object({ items: z.array(Instance), nextCursor: z.string().nullable() });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function listInstances(database: Database, ctx: Ctx, standardId: string, q: InstanceQueryInput) {
  authorize(ctx.actor, 'standards.compliance');
  if (!(await standardsRepo.byId(database.db, standardId))) throw notFound('Standard');
  const { from, to } = parseRange(q);
  const i = standardInstances;
  const conds: (SQL | undefined)[] = [eq(i.standardId, standardId), gte(i.startedAt, from), lt(i.startedAt, to), ticketVisibilityScope(ctx.actor)];
  if (q.state === 'running') conds.push(inArray(i.state, ['running', 'paused']));
  else if (q.state) conds.push(eq(i.state, q.state));
  if (q.teamId) conds.push(eq(i.teamId, q.teamId));
  if (q.agentId) conds.push(eq(i.ownerId, q.agentId));
  if (q.channel) conds.push(eq(i.channel, q.channel));
  if (q.tier) conds.push(eq(i.tier, q.tier));
  if (q.cursor) conds.push(lt(i.id, q.cursor));
  const rows = await database.db
    .select({ i, number: tickets.number, subject: tickets.subject, ownerName: staff.name, teamName: teams.name, version: standardVersions.version })
    .from(i)
    .innerJoin(tickets, eq(tickets.id, i.ticketId))
    .leftJoin(staff, eq(staff.id, i.ownerId))
    .leftJoin(teams, eq(teams.id, i.teamId))
    .leftJoin(standardVersions, eq(standardVersions.id, i.versionId))
    .where(and(...conds))
    .orderBy(desc(i.id))
    .limit(q.limit + 1);
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  return {
    items: page.map((r) => ({
      id: r.i.id, ticketId: r.i.ticketId, ticketNumber: r.number, ticketSubject: r.subject,
      state: r.i.state, paused: r.i.state === 'paused', cycle: r.i.cycle, version: r.version ?? 1,
      startedAt: r.i.startedAt.toISOString(), dueAt: iso(r.i.dueAt), metAt: iso(r.i.metAt), breachedAt: iso(r.i.breachedAt), endedAt: iso(r.i.endedAt),
      endReason: r.i.endReason, late: r.i.late, escalationsSent: r.i.escalationsSent,
      ownerId: r.i.ownerId, ownerName: r.ownerName, teamId: r.i.teamId, teamName: r.teamName, channel: r.i.channel, tier: r.i.tier,
    })),
    nextCursor: more ? page[page.length - 1]!.i.id : null,
  };
}
