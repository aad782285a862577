import type { Executor } from '../../db/client';
import type { Locale } from '../../i18n/index';
import { dispatchRepo, type DispatchRuleRow, type RuleWithTeam } from './tickets.dispatch.repo';
import { renderText, text, type Text } from './tickets.messages';

export interface DispatchInput {
  type: string;
  channel: string;
  priority: string;
  categoryId: string | null;
  tier: string;
  vip: boolean;
}
export interface Conditions {
  types?: string[];
  categoryIds?: string[];
  priorities?: string[];
  channels?: string[];
  tiers?: string[];
  vip?: boolean;
}

const label = (k: keyof Conditions): Text => text(`tickets.dispatch.label.${k}`);
/** An enum value as a stored text, rendered as its label in the reader's language (类型=报修, not repair). */
const value = (kind: 'type' | 'priority' | 'channel' | 'tier' | 'vip', v: string): Text => text(`tickets.dispatch.value.${kind}.${v}`);

/**
 * Does a rule's conditions match the ticket, and why (a stored text, rendered in the reader's language). Values are
 * stored as texts (translated labels), categories by name (`categoryNames`: the rule's categories, id → name).
 */
export function matchRule(c: Conditions, t: DispatchInput, categoryNames: Record<string, string> | null = null): { matched: boolean; why: Text } {
  const checks: [keyof Conditions, boolean, Text | string][] = [];
  if (c.types?.length) checks.push(['types', c.types.includes(t.type), value('type', t.type)]);
  if (c.categoryIds?.length) {
    const name =
      t.categoryId === null ? text('tickets.dispatch.value.no_category') : (categoryNames?.[t.categoryId] ?? text('tickets.dispatch.value.other_category'));
    checks.push(['categoryIds', t.categoryId !== null && c.categoryIds.includes(t.categoryId), name]);
  }
  if (c.priorities?.length) checks.push(['priorities', c.priorities.includes(t.priority), value('priority', t.priority)]);
  if (c.channels?.length) checks.push(['channels', c.channels.includes(t.channel), value('channel', t.channel)]);
  if (c.tiers?.length) checks.push(['tiers', c.tiers.includes(t.tier), value('tier', t.tier)]);
  if (c.vip !== undefined) checks.push(['vip', c.vip === t.vip, value('vip', String(t.vip))]);
  const failed = checks.find(([, ok]) => !ok);
  if (failed) return { matched: false, why: text('tickets.dispatch.why.mismatch', { label: label(failed[0]), value: failed[2] }) };
  if (checks.length === 0) return { matched: true, why: text('tickets.dispatch.why.fallback') };
  return {
    matched: true,
    why: text('tickets.dispatch.why.conditions', { list: checks.map(([k, , v]) => text('tickets.dispatch.why.condition', { label: label(k), value: v })) }),
  };
}

/** A dispatch decision; `reason` and every `why` are stored texts (see `presentDispatchDecision`). */
export interface DispatchDecision {
  ruleId: string | null;
  ruleName: string | null;
  teamId: string | null;
  staffId: string | null;
  staffName: string | null;
  reason: Text;
  rules: { ruleId: string; name: string; matched: boolean; why: Text }[];
  candidates: { staffId: string; name: string; openLoad: number; onDuty: boolean; eligible: boolean; why: Text }[];
}

/** A decision as the API shows it: every text rendered in the reader's language. */
export function presentDispatchDecision(locale: Locale | undefined, d: DispatchDecision) {
  return {
    ...d,
    reason: renderText(locale, d.reason),
    rules: d.rules.map((r) => ({ ...r, why: renderText(locale, r.why) })),
    candidates: d.candidates.map((c) => ({ ...c, why: renderText(locale, c.why) })),
  };
}

const SERVICE_ROLES = new Set(['agent', 'supervisor', 'technician', 'frontdesk']);
const SKILL_SEP = '、';

type Member = { id: string; name: string; roles: string[]; skills: string[]; onDuty: boolean; openLoad: number };

async function loadMembers(ex: Executor, teamId: string): Promise<Member[]> {
  return byTeam((await dispatchRepo.members(ex, { teamId }))!).get(teamId) ?? [];
}

/** Members of every active rule's team in one query, unless there are many (then each team is read when needed). */
async function loadActiveRuleMembers(ex: Executor): Promise<Map<string, Member[]> | null> {
  const rows = await dispatchRepo.members(ex, 'active_rule_teams', 300);
  return rows ? byTeam(rows) : null;
}

/** Staff with a service role, by team. */
function byTeam(rows: { id: string; teamId: string | null; name: string; roles: string[]; skills: string[]; onDuty: boolean; openLoad: number }[]) {
  const out = new Map<string, Member[]>();
  for (const s of rows) {
    if (!s.teamId || !s.roles.some((r) => SERVICE_ROLES.has(r))) continue;
    let ms = out.get(s.teamId);
    if (!ms) {
      ms = [];
      out.set(s.teamId, ms);
    }
    ms.push({ id: s.id, name: s.name, roles: s.roles, skills: s.skills, onDuty: s.onDuty, openLoad: s.openLoad });
  }
  return out;
}

/**
 * Smart dispatch: the first active rule (by position) whose conditions all match picks the team; within it, staff who
 * are active, on duty, have every required skill and are under the load cap are eligible; round-robin after the
 * member the rule assigned last. Pure read (the dry-run); creates use `DispatchPlanner`, which records the turns.
 */
export async function decideDispatch(ex: Executor, input: DispatchInput): Promise<DispatchDecision> {
  return decide(
    await dispatchRepo.activeRules(ex),
    (teamId) => loadMembers(ex, teamId),
    input,
    (r) => r.lastAssignedId,
  );
}

async function decide(
  rules: RuleWithTeam[],
  membersOf: (teamId: string) => Promise<Member[]>,
  input: DispatchInput,
  lastOf: (rule: DispatchRuleRow) => string | null,
): Promise<DispatchDecision> {
  const trace: DispatchDecision['rules'] = [];
  for (const { rule, teamName, categoryNames } of rules) {
    const m = matchRule(rule.conditions as Conditions, input, categoryNames);
    trace.push({ ruleId: rule.id, name: rule.name, matched: m.matched, why: m.why });
    if (!m.matched) continue;
    const members = await membersOf(rule.teamId);
    const candidates = members.map((s) => {
      const openLoad = s.openLoad;
      const missing = rule.requiredSkills.filter((k) => !s.skills.includes(k));
      let why: Text | null = null;
      if (!s.onDuty) why = text('tickets.dispatch.candidate.off_duty');
      else if (missing.length) why = text('tickets.dispatch.candidate.missing_skills', { skills: missing.join(SKILL_SEP) });
      else if (rule.maxOpenPerAgent !== null && openLoad >= rule.maxOpenPerAgent)
        why = text('tickets.dispatch.candidate.full', { load: openLoad, max: rule.maxOpenPerAgent });
      return { staffId: s.id, name: s.name, openLoad, onDuty: s.onDuty, eligible: why === null, why: why ?? text('tickets.dispatch.candidate.eligible') };
    });
    const eligible = candidates.filter((c) => c.eligible);
    const head = { rule: rule.name, why: m.why, team: teamName ?? text('tickets.dispatch.team') };
    if (eligible.length === 0) {
      return {
        ruleId: rule.id,
        ruleName: rule.name,
        teamId: rule.teamId,
        staffId: null,
        staffName: null,
        reason: text('tickets.dispatch.reason.team_queue', head),
        rules: trace,
        candidates,
      };
    }
    const last = lastOf(rule);
    const lastIdx = last ? eligible.findIndex((c) => c.staffId > last) : 0;
    const pick = eligible[lastIdx === -1 ? 0 : lastIdx]!;
    return {
      ruleId: rule.id,
      ruleName: rule.name,
      teamId: rule.teamId,
      staffId: pick.staffId,
      staffName: pick.name,
      reason: text('tickets.dispatch.reason.picked', { ...head, name: pick.name, load: pick.openLoad }),
      rules: trace,
      candidates,
    };
  }
  return {
    ruleId: null,
    ruleName: null,
    teamId: null,
    staffId: null,
    staffName: null,
    reason: text('tickets.dispatch.reason.no_rule'),
    rules: trace,
    candidates: [],
  };
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
  private constructor(
    private readonly ex: Executor,
    private readonly rules: RuleWithTeam[],
  ) {}

  static async open(ex: Executor): Promise<DispatchPlanner> {
    const [rules, members] = await Promise.all([dispatchRepo.activeRules(ex), loadActiveRuleMembers(ex)]);
    const planner = new DispatchPlanner(ex, rules);
    if (members) for (const [teamId, ms] of members) planner.members.set(teamId, ms);
    return planner;
  }

  async decide(input: DispatchInput): Promise<DispatchDecision> {
    const d = await decide(
      this.rules,
      (teamId) => this.membersOf(teamId),
      input,
      (r) => this.turns.get(r.id) ?? r.lastAssignedId,
    );
    if (d.ruleId && d.staffId) {
      this.turns.set(d.ruleId, d.staffId);
      for (const ms of this.members.values()) for (const m of ms) if (m.id === d.staffId) m.openLoad++;
    }
    return d;
  }

  /** Record the rules' last turns (deferred with the batch's other writes). */
  async finish(tx: Executor): Promise<void> {
    if (this.turns.size === 0) return;
    await dispatchRepo.writeTurns(tx, [...this.turns]);
  }

  private async membersOf(teamId: string): Promise<Member[]> {
    let ms = this.members.get(teamId);
    if (!ms) {
      ms = await loadMembers(this.ex, teamId);
      this.members.set(teamId, ms);
    }
    return ms;
  }
}
