/** Dispatch rules (administration) and the dry run: "who would get this ticket and why". */
import type { Database, Tx } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { invalid, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { authorize, requireStaff } from '../identity/policy';
import { decideDispatch, presentDispatchDecision } from './dispatch';
import { dispatchRepo } from './tickets.dispatch.repo';
import { presentRule } from './tickets.present';
import { ticketsRepo } from './tickets.repo';

export interface RuleInput {
  name: string;
  active: boolean;
  position?: number | undefined;
  conditions: Record<string, unknown>;
  teamId: string;
  requiredSkills: string[];
  maxOpenPerAgent: number | null;
}

export async function listRules(database: Database, ctx: Ctx) {
  requireStaff(ctx.actor);
  authorize(ctx.actor, 'tickets.work');
  return { items: (await dispatchRepo.listRules(database.db)).map((x) => presentRule(x.r, x.teamName)) };
}

export async function createRuleInTx(tx: Tx, ctx: Ctx, input: RuleInput) {
  const team = await dispatchRepo.team(tx, input.teamId);
  if (!team) throw invalid('teamId', 'no such team');
  const position = input.position ?? (await dispatchRepo.nextPosition(tx));
  const id = uuidv7();
  const r = await dispatchRepo.insertRule(tx, {
    id,
    name: input.name,
    active: input.active,
    position,
    conditions: input.conditions,
    teamId: input.teamId,
    requiredSkills: input.requiredSkills,
    maxOpenPerAgent: input.maxOpenPerAgent,
  });
  await writeAudit(tx, ctx, {
    action: 'dispatch_rule.created',
    targetType: 'dispatch_rule',
    targetId: id,
    changes: diff(null, { name: r.name, conditions: r.conditions, teamId: r.teamId }),
  });
  return presentRule(r, team.name);
}

export async function createRule(database: Database, ctx: Ctx, input: RuleInput) {
  authorize(ctx.actor, 'dispatch.manage');
  return database.transaction((tx) => createRuleInTx(tx, ctx, input));
}

export async function updateRule(database: Database, ctx: Ctx, id: string, input: RuleInput) {
  authorize(ctx.actor, 'dispatch.manage');
  return database.transaction(async (tx) => {
    const before = await dispatchRepo.lockRule(tx, id);
    if (!before) throw notFound('Dispatch rule');
    const team = await dispatchRepo.team(tx, input.teamId);
    if (!team) throw invalid('teamId', 'no such team');
    const r = await dispatchRepo.updateRule(tx, id, {
      name: input.name,
      active: input.active,
      position: input.position ?? before.position,
      conditions: input.conditions,
      teamId: input.teamId,
      requiredSkills: input.requiredSkills,
      maxOpenPerAgent: input.maxOpenPerAgent,
      updatedAt: new Date(),
    });
    const fields = (x: typeof r) => ({
      name: x.name,
      active: x.active,
      position: x.position,
      conditions: x.conditions,
      teamId: x.teamId,
      requiredSkills: x.requiredSkills,
      maxOpenPerAgent: x.maxOpenPerAgent,
    });
    await writeAudit(tx, ctx, { action: 'dispatch_rule.updated', targetType: 'dispatch_rule', targetId: id, changes: diff(fields(before), fields(r)) });
    return presentRule(r, team.name);
  });
}

export async function deleteRule(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'dispatch.manage');
  await database.transaction(async (tx) => {
    const gone = await dispatchRepo.deleteRule(tx, id);
    if (!gone) throw notFound('Dispatch rule');
    await writeAudit(tx, ctx, { action: 'dispatch_rule.deleted', targetType: 'dispatch_rule', targetId: id, changes: diff({ name: gone.name }, null) });
  });
}

export interface DryRunInput {
  ticketId?: string | undefined;
  type?: string | undefined;
  channel?: string | undefined;
  priority?: string | undefined;
  categoryId?: string | null | undefined;
  customerId?: string | undefined;
  tier?: string | undefined;
  vip?: boolean | undefined;
}

/** "Who would get this ticket and why" — no write; the texts in the reader's language. */
export async function dryRun(database: Database, ctx: Ctx, input: DryRunInput) {
  requireStaff(ctx.actor);
  authorize(ctx.actor, 'tickets.work');
  const ex = database.db;
  let base = {
    type: input.type ?? 'inquiry',
    channel: input.channel ?? 'portal',
    priority: input.priority ?? 'normal',
    categoryId: input.categoryId ?? null,
    tier: input.tier ?? 'regular',
    vip: input.vip ?? false,
  };
  if (input.ticketId) {
    const t = await ticketsRepo.visibleById(ex, ctx.actor, input.ticketId);
    if (!t) throw invalid('ticketId', 'no such ticket');
    const snap = await ticketsRepo.snapshot(ex, t);
    base = { type: t.type, channel: t.channel, priority: t.priority, categoryId: t.categoryId, tier: snap.customerTier, vip: snap.customerVip };
  } else if (input.customerId) {
    const c = await ticketsRepo.customerTierVip(ex, input.customerId);
    if (!c) throw invalid('customerId', 'no such customer');
    base = { ...base, tier: input.tier ?? c.tier, vip: input.vip ?? c.vip };
  }
  return presentDispatchDecision(ctx.locale, await decideDispatch(ex, base));
}
