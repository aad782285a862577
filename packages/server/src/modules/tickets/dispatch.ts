import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { dispatchRules, staff, teams } from '../../db/schema';
import { writeSoon } from '../../lib/deferred';

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

type RuleWithTeam = { rule: typeof dispatchRules.$inferSelect; teamName: string | null };
type Member = { id: string; name: string; roles: string[]; skills: string[]; onDuty: boolean; openLoad: number };

async function loadRules(ex: Executor, lock = false): Promise<RuleWithTeam[]> {
  const q = ex.select({ rule: dispatchRules, teamName: teams.name }).from(dispatchRules).leftJoin(teams, eq(teams.id, dispatchRules.teamId))
    .where(eq(dispatchRules.active, true)).orderBy(asc(dispatchRules.position), asc(dispatchRules.id));
  return lock ? q.for('update', { of: dispatchRules }) : q;
}

async function loadMembers(ex: Executor, teamId: string): Promise<Member[]> {
  return (await membersByTeam(ex, eq(staff.teamId, teamId)))!.get(teamId) ?? [];
}

/** Members of every active rule's team in one query, unless there are many (then each team is read when needed). */
async function loadActiveRuleMembers(ex: Executor): Promise<Map<string, Member[]> | null> {
  return membersByTeam(ex, sql`${staff.teamId} IN (SELECT team_id FROM dispatch_rules WHERE active)`, 300);
}

/**
 * Active staff with a service role in the teams `teams` selects, by team, with their open load (the open-ticket
 * index keeps the count cheap). With `limit`, null when more rows than that would come back.
 */
async function membersByTeam(ex: Executor, teams: SQL, limit?: number): Promise<Map<string, Member[]> | null> {
  const q = ex.select({
    id: staff.id, teamId: staff.teamId, name: staff.name, roles: staff.roles, skills: staff.skills, onDuty: staff.onDuty,
    openLoad: sql<number>`(SELECT count(*)::int FROM tickets t WHERE t.owner_id = ${staff.id} AND t.status IN ('new','assigned','in_progress','pending_customer','pending_internal'))`,
  }).from(staff).where(and(eq(staff.active, true), teams)).orderBy(asc(staff.id));
  const rows = limit === undefined ? await q : await q.limit(limit + 1);
  if (limit !== undefined && rows.length > limit) return null;
  const out = new Map<string, Member[]>();
  for (const s of rows) {
    if (!s.teamId || !s.roles.some((r) => SERVICE_ROLES.has(r))) continue;
    let ms = out.get(s.teamId);
    if (!ms) { ms = []; out.set(s.teamId, ms); }
    ms.push({ id: s.id, name: s.name, roles: s.roles, skills: s.skills, onDuty: s.onDuty, openLoad: Number(s.openLoad) });
  }
  return out;
}

/**
 * Smart dispatch: the first active rule (by position) whose conditions all match picks the team; within it, staff who
 * are active, on duty, have every required skill and are under the load cap are eligible; round-robin after the
 * member the rule assigned last. Pure read (the dry-run); creates use `DispatchPlanner`, which records the turns.
 */
export async function decideDispatch(ex: Executor, input: DispatchInput): Promise<DispatchDecision> {
  return decide(await loadRules(ex), (teamId) => loadMembers(ex, teamId), input, (r) => r.lastAssignedId);
}

async function decide(
  rules: RuleWithTeam[], membersOf: (teamId: string) => Promise<Member[]>, input: DispatchInput,
  lastOf: (rule: RuleWithTeam['rule']) => string | null,
): Promise<DispatchDecision> {
  const trace: DispatchDecision['rules'] = [];
  for (const { rule, teamName } of rules) {
    const m = matchRule(rule.conditions as Conditions, input);
    trace.push({ ruleId: rule.id, name: rule.name, matched: m.matched, why: m.why });
    if (!m.matched) continue;
    const members = await membersOf(rule.teamId);
    const candidates = members.map((s) => {
      const openLoad = s.openLoad;
      const missing = rule.requiredSkills.filter((k) => !s.skills.includes(k));
      let why = '可分派';
      if (!s.onDuty) why = '未签入（不在班）';
      else if (missing.length) why = `缺少技能：${missing.join('、')}`;
      else if (rule.maxOpenPerAgent !== null && openLoad >= rule.maxOpenPerAgent) why = `待办已满（${openLoad}/${rule.maxOpenPerAgent}）`;
      return { staffId: s.id, name: s.name, openLoad, onDuty: s.onDuty, eligible: why === '可分派', why };
    });
    const eligible = candidates.filter((c) => c.eligible);
    const head = `规则「${rule.name}」（${m.why}）→ ${teamName ?? '团队'}`;
    if (eligible.length === 0) {
      return { ruleId: rule.id, ruleName: rule.name, teamId: rule.teamId, staffId: null, staffName: null, reason: `${head}；无可分派人员，进入团队队列`, rules: trace, candidates };
    }
    const last = lastOf(rule);
    const lastIdx = last ? eligible.findIndex((c) => c.staffId > last) : 0;
    const pick = eligible[lastIdx === -1 ? 0 : lastIdx]!;
    return {
      ruleId: rule.id, ruleName: rule.name, teamId: rule.teamId, staffId: pick.staffId, staffName: pick.name,
      reason: `${head}；轮询选中 ${pick.name}（当前待办 ${pick.openLoad}）`, rules: trace, candidates,
    };
  }
  return { ruleId: null, ruleName: null, teamId: null, staffId: null, staffName: null, reason: '没有匹配的分派规则，进入待分派队列', rules: trace, candidates: [] };
}

/**
 * Dispatch for a batch of creates: the active rules and the members of their teams (with open load) are read once,
 * together; every decision then counts the tickets assigned before it in the batch (load and turn), exactly as if
 * they had been created one after another, and `finish` records each rule's last turn in the batch's transaction.
 * One process writes one batch at a time, so its turns follow each other exactly; several processes writing at the
 * same instant may each start from the same turn (a member can get two in a row), never lose a ticket.
 */
export class DispatchPlanner {
  private readonly members = new Map<string, Member[]>();
  private readonly turns = new Map<string, string>();
  private constructor(private readonly ex: Executor, private readonly rules: RuleWithTeam[]) {}

  static async open(ex: Executor): Promise<DispatchPlanner> {
    const [rules, members] = await Promise.all([loadRules(ex), loadActiveRuleMembers(ex)]);
    const planner = new DispatchPlanner(ex, rules);
    if (members) for (const [teamId, ms] of members) planner.members.set(teamId, ms);
    return planner;
  }

  async decide(input: DispatchInput): Promise<DispatchDecision> {
    const d = await decide(this.rules, (teamId) => this.membersOf(teamId), input, (r) => this.turns.get(r.id) ?? r.lastAssignedId);
    if (d.ruleId && d.staffId) {
      this.turns.set(d.ruleId, d.staffId);
      for (const ms of this.members.values()) for (const m of ms) if (m.id === d.staffId) m.openLoad++;
    }
    return d;
  }

  /** Record the rules' last turns (deferred with the batch's other writes). */
  async finish(tx: Executor): Promise<void> {
    if (this.turns.size === 0) return;
    const turns = JSON.stringify([...this.turns].map(([r, s]) => ({ r, s })));
    await writeSoon(tx, (id) => ({ ctes: [[`${id}_d`, sql`UPDATE dispatch_rules d SET last_assigned_id = x.s FROM json_to_recordset(${turns}::json) AS x(r uuid, s uuid) WHERE d.id = x.r`]] }));
  }

  private async membersOf(teamId: string): Promise<Member[]> {
    let ms = this.members.get(teamId);
    if (!ms) { ms = await loadMembers(this.ex, teamId); this.members.set(teamId, ms); }
    return ms;
  }
}
