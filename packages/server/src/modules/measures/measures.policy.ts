/**
 * Whose numbers an actor may see (decided once, used by every measures command): org-wide with measures.view;
 * otherwise (measures.own) their own numbers and their team's totals, and only their own team's board.
 */
import type { Ctx, StaffActor } from '../../lib/context';
import { AppError } from '../../lib/errors';
import { authorize, can } from '../identity/policy';
import type { Filters, Group } from './query';

const refuse = (detail: string, reason: string) => new AppError('forbidden', detail, { reason });

/** Filters the actor may use: org-wide with measures.view; otherwise their own numbers (and their team's totals). */
export function scopeFilters(ctx: Ctx, f: Filters, o: { drill?: boolean; groupBy?: Group[] } = {}): Filters {
  if (can(ctx.actor, 'measures.view')) return f;
  authorize(ctx.actor, 'measures.own');
  const me = ctx.actor as StaffActor;
  if (o.groupBy?.includes('agent')) throw refuse('Only your own numbers: group by agent needs measures.view', 'measures_own_numbers_only');
  if (f.agentId && f.agentId !== me.id) throw refuse('Only your own numbers', 'measures_own_numbers_only');
  if (f.teamId && f.teamId !== me.teamId) throw refuse('Only your own team', 'measures_own_team_only');
  if (o.drill && f.agentId !== me.id) return { ...f, agentId: me.id };
  if (!f.agentId && !f.teamId) return { ...f, agentId: me.id };
  return f;
}

/** The team whose board the actor sees: any (or all) with measures.view; otherwise only their own team. */
export function boardTeam(ctx: Ctx, teamId: string | undefined): string | undefined {
  if (can(ctx.actor, 'measures.view')) return teamId;
  authorize(ctx.actor, 'measures.own');
  const me = ctx.actor as StaffActor;
  if (!me.teamId || (teamId && teamId !== me.teamId)) throw refuse('Only your own team', 'measures_own_team_only');
  return me.teamId;
}
