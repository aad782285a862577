import { and, asc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { dispatchRules, staff, teams } from '../../db/schema';

export interface DispatchInput {
  type: string; channel: string; priority: string; categoryId: string | null; tier: string; vip: boolean;
}
export interface Conditions {
  types?: string[]; categoryIds?: string[]; priorities?: string[]; channels?: string[]; tiers?: string[]; vip?: boolean;
}

const LABEL: Record<keyof Conditions, string> = { types: '类型', categoryIds: '分类', priorities: '优先级', channels: '渠道', tiers: '客户等级', vip: 'VIP' };

export function matchRule(c: Conditions, t: DispatchInput): { matched: boolean; why: string } {
  const checks: [keyof Conditions, boolean, string][] = [];
  if (c.types?.length) checks.push(['types', c.types.includes(t.type), t.type]);
  if (c.categoryIds?.length) checks.push(['categoryIds', t.categoryId !== null && c.categoryIds.includes(t.categoryId), t.categoryId ?? '—']);
  if (c.priorities?.length) checks.push(['priorities', c.priorities.includes(t.priority), t.priority]);
  if (c.channels?.length) checks.push(['channels', c.channels.includes(t.channel), t.channel]);
  if (c.tiers?.length) checks.push(['tiers', c.tiers.includes(t.tier), t.tier]);
  if (c.vip !== undefined) checks.push(['vip', c.vip === t.vip, String(t.vip)]);
  const failed = checks.find(([, ok]) => !ok);
  if (failed) return { matched: false, why: `${LABEL[failed[0]]}不符（${failed[2]}）` };
  return { matched: true, why: checks.length ? checks.map(([k, , v]) => `${LABEL[k]}=${v}`).join('，') : '无条件（兜底规则）' };
}

export interface DispatchDecision {
  ruleId: string | null; ruleName: string | null; teamId: string | null; staffId: string | null; staffName: string | null; reason: string;
  rules: { ruleId: string; name: string; matched: boolean; why: string }[];
  candidates: { staffId: string; name: string; openLoad: number; onDuty: boolean; eligible: boolean; why: string }[];
}

const SERVICE_ROLES = new Set(['agent', 'supervisor', 'technician', 'frontdesk']);

/**
 * Smart dispatch: the first active rule (by position) whose conditions all match picks the team; within it, staff who
 * are active, on duty, have every required skill and are under the load cap are eligible; round-robin after the
 * member the rule assigned last. Pure read: `commitDispatch` records the turn.
 */
export async function decideDispatch(ex: Executor, input: DispatchInput): Promise<DispatchDecision> {
  const rules = await ex.select({ rule: dispatchRules, teamName: teams.name }).from(dispatchRules).leftJoin(teams, eq(teams.id, dispatchRules.teamId))
    .where(eq(dispatchRules.active, true)).orderBy(asc(dispatchRules.position), asc(dispatchRules.id));
  const trace: DispatchDecision['rules'] = [];
  for (const { rule, teamName } of rules) {
    const m = matchRule(rule.conditions as Conditions, input);
    trace.push({ ruleId: rule.id, name: rule.name, matched: m.matched, why: m.why });
    if (!m.matched) continue;
    const team = { name: teamName };
    // Members with their open load in one query (the open-ticket partial index keeps the count cheap).
    const members = (await ex.select({
      id: staff.id, name: staff.name, roles: staff.roles, skills: staff.skills, onDuty: staff.onDuty,
      openLoad: sql<number>`(SELECT count(*)::int FROM tickets t WHERE t.owner_id = ${staff.id} AND t.status IN ('new','assigned','in_progress','pending_customer','pending_internal'))`,
    }).from(staff).where(and(eq(staff.teamId, rule.teamId), eq(staff.active, true))).orderBy(asc(staff.id)))
      .filter((s) => s.roles.some((r) => SERVICE_ROLES.has(r)));
    const candidates = members.map((s) => {
      const openLoad = Number(s.openLoad);
      const missing = rule.requiredSkills.filter((k) => !s.skills.includes(k));
      let why = '可分派';
      if (!s.onDuty) why = '未签入（不在班）';
      else if (missing.length) why = `缺少技能：${missing.join('、')}`;
      else if (rule.maxOpenPerAgent !== null && openLoad >= rule.maxOpenPerAgent) why = `待办已满（${openLoad}/${rule.maxOpenPerAgent}）`;
      return { staffId: s.id, name: s.name, openLoad, onDuty: s.onDuty, eligible: why === '可分派', why };
    });
    const eligible = candidates.filter((c) => c.eligible);
    const head = `规则「${rule.name}」（${m.why}）→ ${team?.name ?? '团队'}`;
    if (eligible.length === 0) {
      return { ruleId: rule.id, ruleName: rule.name, teamId: rule.teamId, staffId: null, staffName: null, reason: `${head}；无可分派人员，进入团队队列`, rules: trace, candidates };
    }
    const lastIdx = rule.lastAssignedId ? eligible.findIndex((c) => c.staffId > rule.lastAssignedId!) : 0;
    const pick = eligible[lastIdx === -1 ? 0 : lastIdx]!;
    return {
      ruleId: rule.id, ruleName: rule.name, teamId: rule.teamId, staffId: pick.staffId, staffName: pick.name,
      reason: `${head}；轮询选中 ${pick.name}（当前待办 ${pick.openLoad}）`, rules: trace, candidates,
    };
  }
  return { ruleId: null, ruleName: null, teamId: null, staffId: null, staffName: null, reason: '没有匹配的分派规则，进入待分派队列', rules: trace, candidates: [] };
}

/**
 * Take the rule's round-robin turn atomically: one autocommit statement moves `last_assigned_id` to the next eligible
 * member after it (wrapping) and returns who that is, so concurrent creates each get the next member and no ticket
 * transaction holds the rule's row lock (which would serialise every create under the same rule).
 * Run it outside the ticket's transaction; a turn taken by a create that then fails is simply skipped, like a sequence.
 */
export async function claimTurn(ex: Executor, d: DispatchDecision): Promise<DispatchDecision> {
  if (!d.ruleId || !d.staffId) return d;
  const eligible = d.candidates.filter((c) => c.eligible);
  const ids = `{${eligible.map((c) => c.staffId).join(',')}}`;
  const res = (await ex.execute(sql`UPDATE dispatch_rules SET last_assigned_id = COALESCE(
      (SELECT x FROM unnest(${ids}::uuid[]) x WHERE x > dispatch_rules.last_assigned_id ORDER BY x LIMIT 1),
      (SELECT x FROM unnest(${ids}::uuid[]) x ORDER BY x LIMIT 1))
    WHERE id = ${d.ruleId} RETURNING last_assigned_id`)) as unknown as { rows: { last_assigned_id: string | null }[] };
  const picked = eligible.find((c) => c.staffId === res.rows[0]?.last_assigned_id);
  if (!picked || picked.staffId === d.staffId) return d;
  return { ...d, staffId: picked.staffId, staffName: picked.name, reason: d.reason.replace(/轮询选中 .*$/, `轮询选中 ${picked.name}（当前待办 ${picked.openLoad}）`) };
}
