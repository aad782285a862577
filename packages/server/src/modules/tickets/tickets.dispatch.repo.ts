import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client';
import { dispatchRules, staff, teams } from '../../db/schema';
import { writeSoon } from '../../lib/deferred';

export type DispatchRuleRow = typeof dispatchRules.$inferSelect;
/** A rule with its team's name and the names of the categories its conditions name (for readable reasons). */
export type RuleWithTeam = { rule: DispatchRuleRow; teamName: string | null; categoryNames: Record<string, string> | null };
export interface MemberRow {
  id: string;
  teamId: string | null;
  name: string;
  roles: string[];
  skills: string[];
  onDuty: boolean;
  openLoad: number;
}

/** The SQL of dispatch: active rules with their teams, the teams' members with their open load, the rules' turns. */
export const dispatchRepo = {
  async activeRules(ex: Executor, lock = false): Promise<RuleWithTeam[]> {
    const q = ex
      .select({
        rule: dispatchRules,
        teamName: teams.name,
        categoryNames: sql<Record<string, string> | null>`(SELECT jsonb_object_agg(c.id::text, c.name) FROM categories c
          WHERE jsonb_typeof(${dispatchRules.conditions} -> 'categoryIds') = 'array'
            AND c.id::text IN (SELECT jsonb_array_elements_text(${dispatchRules.conditions} -> 'categoryIds')))`,
      })
      .from(dispatchRules)
      .leftJoin(teams, eq(teams.id, dispatchRules.teamId))
      .where(eq(dispatchRules.active, true))
      .orderBy(asc(dispatchRules.position), asc(dispatchRules.id));
    return lock ? q.for('update', { of: dispatchRules }) : q;
  },

  /**
   * Active staff of one team (`teamId`) or of every active rule's team, with their open load (the open-ticket index
   * keeps the count cheap). With `limit`, null when more rows than that would come back.
   */
  async members(ex: Executor, which: { teamId: string } | 'active_rule_teams', limit?: number): Promise<MemberRow[] | null> {
    const inTeams: SQL =
      which === 'active_rule_teams' ? sql`${staff.teamId} IN (SELECT team_id FROM dispatch_rules WHERE active)` : eq(staff.teamId, which.teamId);
    const q = ex
      .select({
        id: staff.id,
        teamId: staff.teamId,
        name: staff.name,
        roles: staff.roles,
        skills: staff.skills,
        onDuty: staff.onDuty,
        openLoad: sql<number>`(SELECT count(*)::int FROM tickets t WHERE t.owner_id = ${staff.id} AND t.status IN ('new','assigned','in_progress','pending_customer','pending_internal'))`,
      })
      .from(staff)
      .where(and(eq(staff.active, true), inTeams))
      .orderBy(asc(staff.id));
    const rows = limit === undefined ? await q : await q.limit(limit + 1);
    if (limit !== undefined && rows.length > limit) return null;
    return rows.map((r) => ({ ...r, openLoad: Number(r.openLoad) }));
  },

  /** Record the rules' last turns (deferred with the batch's other writes). */
  async writeTurns(tx: Executor, turns: [ruleId: string, staffId: string][]): Promise<void> {
    const json = JSON.stringify(turns.map(([r, s]) => ({ r, s })));
    await writeSoon(tx, (id) => ({
      ctes: [[`${id}_d`, sql`UPDATE dispatch_rules d SET last_assigned_id = x.s FROM json_to_recordset(${json}::json) AS x(r uuid, s uuid) WHERE d.id = x.r`]],
    }));
  },

  // ── rule administration ──
  async listRules(ex: Executor) {
    return ex
      .select({ r: dispatchRules, teamName: teams.name })
      .from(dispatchRules)
      .leftJoin(teams, eq(teams.id, dispatchRules.teamId))
      .orderBy(asc(dispatchRules.position), asc(dispatchRules.id));
  },
  async team(ex: Executor, id: string) {
    const [team] = await ex.select({ id: teams.id, name: teams.name }).from(teams).where(eq(teams.id, id));
    return team;
  },
  async nextPosition(tx: Tx): Promise<number> {
    return Number(((await tx.execute(sql`SELECT coalesce(max(position), 0) + 10 AS p FROM dispatch_rules`)) as { rows: { p: number }[] }).rows[0]!.p);
  },
  async insertRule(tx: Tx, r: typeof dispatchRules.$inferInsert): Promise<DispatchRuleRow> {
    const [row] = await tx.insert(dispatchRules).values(r).returning();
    return row!;
  },
  async lockRule(tx: Tx, id: string): Promise<DispatchRuleRow | undefined> {
    const [row] = await tx.select().from(dispatchRules).where(eq(dispatchRules.id, id)).for('update');
    return row;
  },
  async updateRule(tx: Tx, id: string, set: Partial<DispatchRuleRow>): Promise<DispatchRuleRow> {
    const [row] = await tx.update(dispatchRules).set(set).where(eq(dispatchRules.id, id)).returning();
    return row!;
  },
  async deleteRule(tx: Tx, id: string): Promise<DispatchRuleRow | undefined> {
    const [gone] = await tx.delete(dispatchRules).where(eq(dispatchRules.id, id)).returning();
    return gone;
  },
};
