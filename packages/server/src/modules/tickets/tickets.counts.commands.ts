/** Home counters: the open tickets the caller is responsible for, counted on the server by role. */
import type { Database } from '../../db/client';
import type { Ctx } from '../../lib/context';
import { identityRepo } from '../identity/identity.repo';
import { authorize, can, requireStaff } from '../identity/policy';
import { DEFAULT_AT_RISK_SECONDS, ticketsRepo } from './tickets.repo';

export type CountScope = 'mine' | 'team' | 'all';

/**
 * Whose tickets a role answers for: directors and admins — every team; QA (reads all, works none) — every team;
 * supervisors — their team; everyone else — their own. A supervisor without a team counts their own.
 */
export function countScope(roles: readonly string[], readsAll: boolean, works: boolean, teamId: string | null): CountScope {
  if (roles.includes('director') || roles.includes('admin')) return 'all';
  if (roles.includes('supervisor') && teamId) return 'team';
  if (readsAll && !works) return 'all';
  return 'mine';
}

export async function ticketCounts(database: Database, ctx: Ctx) {
  const actor = requireStaff(ctx.actor);
  if (!can(actor, 'tickets.read_all')) authorize(actor, 'tickets.work');
  const scope = countScope(actor.roles, can(actor, 'tickets.read_all'), can(actor, 'tickets.work'), actor.teamId);
  const teamId = scope === 'team' ? actor.teamId : null;
  const counts = await ticketsRepo.counts(
    database.db,
    scope === 'mine' ? { ownerId: actor.id } : scope === 'team' ? { teamId: teamId! } : {},
    DEFAULT_AT_RISK_SECONDS,
  );
  const teamName = teamId ? await identityRepo.teamName(database.db, teamId) : null;
  return { scope, teamId, teamName, ...counts, dueSoonSeconds: DEFAULT_AT_RISK_SECONDS };
}
