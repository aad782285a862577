/** Statements behind compliance, breakdowns, the SQI, improvement actions and the instances behind a number. */
import { and, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client';
import { improvementActions, staff, standardInstances, standards, standardVersions, teams, tickets } from '../../db/schema';
import type { Actor } from '../../lib/context';
import { ticketVisibilityScope } from '../tickets/visibility';

export interface CountRow {
  met: number;
  breached: number;
  running: number;
  cancelled: number;
}
export interface Filters {
  teamId?: string | undefined;
  agentId?: string | undefined;
  channel?: string | undefined;
  tier?: string | undefined;
}
export type ImprovementRow = typeof improvementActions.$inferSelect;
export type BreakdownBy = 'team' | 'agent' | 'channel' | 'tier' | 'day' | 'type' | 'priority' | 'version';

/**
 * How a clock counts, in SQL — the mirror of `standardOutcome` (`@chidu/core`, measures/outcomes.ts), used by
 * compliance, the SQI, the instances behind a number and the measures facts (a consistency test holds them together):
 * - `counted`: the clock is a success (met) or a failure (breached, ended or not); running, paused and cancelled
 *   clocks are not counted;
 * - `at`: the instant that places a counted clock in a period — the breach for a failure, the stop for a success;
 * - `instant`: the same, extended to the clocks shown but not counted (running: its start; cancelled: its end), so
 *   every clock of a compliance window is placed once.
 */
export const outcomeSql = {
  counted: (a: string) =>
    sql.raw(`((${a}.state = 'met' AND coalesce(${a}.met_at, ${a}.ended_at) IS NOT NULL) OR (${a}.state = 'breached' AND ${a}.breached_at IS NOT NULL))`),
  at: (a: string) => sql.raw(`(CASE WHEN ${a}.state = 'breached' THEN ${a}.breached_at ELSE coalesce(${a}.met_at, ${a}.ended_at) END)`),
  instant: (a: string) => sql.raw(outcomeInstant(a)),
};
/** The expression of migration 0015's index `standard_instances_outcome_idx` (keep both identical). */
const outcomeInstant = (a: string) =>
  `(CASE ${a}.state WHEN 'met' THEN coalesce(${a}.met_at, ${a}.ended_at) WHEN 'breached' THEN coalesce(${a}.breached_at, ${a}.started_at) WHEN 'cancelled' THEN coalesce(${a}.ended_at, ${a}.started_at) ELSE ${a}.started_at END)`;

const countCols = sql`count(*) FILTER (WHERE i.state = 'met')::int AS met,
  count(*) FILTER (WHERE i.state = 'breached')::int AS breached,
  count(*) FILTER (WHERE i.state IN ('running', 'paused'))::int AS running,
  count(*) FILTER (WHERE i.state = 'cancelled')::int AS cancelled`;

/** Clocks placed in [from, to): met at their stop, breached at their breach, running at their start, cancelled at their end. */
function where(standardId: string | null, from: Date, to: Date, f: Filters = {}): SQL {
  const at = outcomeSql.instant('i');
  const parts: SQL[] = [sql`${at} >= ${from}`, sql`${at} < ${to}`];
  if (standardId) parts.push(sql`i.standard_id = ${standardId}`);
  if (f.teamId) parts.push(sql`i.team_id = ${f.teamId}`);
  if (f.agentId) parts.push(sql`i.owner_id = ${f.agentId}`);
  if (f.channel) parts.push(sql`i.channel = ${f.channel}`);
  if (f.tier) parts.push(sql`i.tier = ${f.tier}`);
  return sql.join(parts, sql` AND `);
}

export const complianceRepo = {
  /** Clocks of a standard (or all) placed in [from, to) (see `where`), by outcome. */
  async counts(ex: Executor, standardId: string | null, from: Date, to: Date, f: Filters = {}): Promise<CountRow | undefined> {
    const res = (await ex.execute(sql`SELECT ${countCols} FROM standard_instances i WHERE ${where(standardId, from, to, f)}`)) as { rows: CountRow[] };
    return res.rows[0];
  },
  async breakdown(ex: Executor, standardId: string, by: BreakdownBy, from: Date, to: Date, tz: string) {
    const key: Record<BreakdownBy, SQL> = {
      team: sql`i.team_id::text`,
      agent: sql`i.owner_id::text`,
      channel: sql`i.channel`,
      tier: sql`i.tier`,
      type: sql`i.ticket_type`,
      priority: sql`i.priority`,
      day: sql`to_char(${outcomeSql.instant('i')} AT TIME ZONE ${tz}, 'YYYY-MM-DD')`,
      version: sql`v.version::text`,
    };
    const label: Partial<Record<BreakdownBy, SQL>> = {
      team: sql`max(t.name)`,
      agent: sql`max(s.name)`,
      version: sql`'v' || max(v.version)::text`,
    };
    const res = (await ex.execute(sql`
    SELECT ${key[by]} AS key, ${label[by] ?? sql`NULL`} AS label,
      count(*) FILTER (WHERE i.state = 'met')::int AS met, count(*) FILTER (WHERE i.state = 'breached')::int AS breached,
      count(*) FILTER (WHERE i.state IN ('running', 'paused'))::int AS running, count(*) FILTER (WHERE i.state = 'cancelled')::int AS cancelled
    FROM standard_instances i
      LEFT JOIN teams t ON t.id = i.team_id
      LEFT JOIN staff s ON s.id = i.owner_id
      LEFT JOIN standard_versions v ON v.id = i.version_id
    WHERE ${where(standardId, from, to)}
    GROUP BY 1 ORDER BY 1`)) as { rows: (CountRow & { key: string | null; label: string | null })[] };
    return res.rows;
  },
  /** Outcome counts per standard (with its code) of clocks placed in [from, to). */
  async countsByStandard(ex: Executor, from: Date, to: Date) {
    const res = (await ex.execute(sql`
    SELECT i.standard_id, max(st.code) AS code, ${countCols}
    FROM standard_instances i JOIN standards st ON st.id = i.standard_id
    WHERE ${where(null, from, to)}
    GROUP BY i.standard_id ORDER BY max(st.code)`)) as { rows: (CountRow & { standard_id: string; code: string })[] };
    return res.rows;
  },
  /**
   * Soft standards: survey answers given in [from, to) (the measures engine's answer facts), filtered by the ticket's
   * current team / owner / channel / tier: how many, their sum and how many reached the threshold.
   */
  async answerStats(ex: Executor, measure: 'csat' | 'nps' | 'ces', threshold: number, from: Date, to: Date, f: Filters = {}) {
    const col = sql.raw(`a.${measure}`);
    const parts: SQL[] = [sql`a.at >= ${from}`, sql`a.at < ${to}`, sql`${col} IS NOT NULL`];
    if (f.teamId) parts.push(sql`f.team_id = ${f.teamId}`);
    if (f.agentId) parts.push(sql`f.owner_id = ${f.agentId}`);
    if (f.channel) parts.push(sql`f.channel = ${f.channel}`);
    if (f.tier) parts.push(sql`f.tier = ${f.tier}`);
    const res = (await ex.execute(sql`
    SELECT count(*)::int AS count, coalesce(sum(${col}), 0)::float8 AS sum, count(*) FILTER (WHERE ${col} >= ${threshold}::float8)::int AS at_least
    FROM measure_answer_facts a JOIN measure_ticket_facts f ON f.ticket_id = a.ticket_id
    WHERE ${sql.join(parts, sql` AND `)}`)) as { rows: { count: number; sum: number; at_least: number }[] };
    const r = res.rows[0];
    return { count: Number(r?.count ?? 0), sum: Number(r?.sum ?? 0), atLeast: Number(r?.at_least ?? 0) };
  },
  /** First-time fix over the measures engine's ticket facts: tickets resolved in [from, to) (still resolved) never reopened. */
  async firstTimeFix(ex: Executor, from: Date, to: Date, f: Filters = {}) {
    const parts: SQL[] = [sql`f.resolved_at >= ${from}`, sql`f.resolved_at < ${to}`, sql`f.status IN ('resolved', 'closed')`];
    if (f.teamId) parts.push(sql`f.team_id = ${f.teamId}`);
    if (f.agentId) parts.push(sql`f.owner_id = ${f.agentId}`);
    if (f.channel) parts.push(sql`f.channel = ${f.channel}`);
    if (f.tier) parts.push(sql`f.tier = ${f.tier}`);
    const res = (await ex.execute(
      sql`SELECT count(*) FILTER (WHERE f.reopen_count = 0)::int AS num, count(*)::int AS den FROM measure_ticket_facts f WHERE ${sql.join(parts, sql` AND `)}`,
    )) as { rows: { num: number; den: number }[] };
    return { numerator: Number(res.rows[0]?.num ?? 0), denominator: Number(res.rows[0]?.den ?? 0) };
  },
  /**
   * A checklist audit (issue #13 item 7): resolved repair/order tickets in [from, to) whose step was recorded in time
   * (numerator) ÷ all of them (denominator); a step missing or recorded late fails.
   */
  async checklistRate(ex: Executor, step: string, from: Date, to: Date, f: Filters = {}) {
    const parts: SQL[] = [
      sql`t.type IN ('repair', 'order')`,
      sql`t.status IN ('resolved', 'closed')`,
      sql`t.resolved_at >= ${from}`,
      sql`t.resolved_at < ${to}`,
    ];
    if (f.teamId) parts.push(sql`t.team_id = ${f.teamId}`);
    if (f.agentId) parts.push(sql`t.owner_id = ${f.agentId}`);
    if (f.channel) parts.push(sql`t.channel = ${f.channel}`);
    if (f.tier) parts.push(sql`cu.tier = ${f.tier}`);
    const res = (await ex.execute(
      sql`SELECT count(*) FILTER (WHERE c.in_time)::int AS num, count(*)::int AS den
        FROM tickets t JOIN customers cu ON cu.id = t.customer_id
        LEFT JOIN ticket_checklist c ON c.ticket_id = t.id AND c.step = ${step}
        WHERE ${sql.join(parts, sql` AND `)}`,
    )) as { rows: { num: number; den: number }[] };
    return { numerator: Number(res.rows[0]?.num ?? 0), denominator: Number(res.rows[0]?.den ?? 0) };
  },
  /** Active standards (id, code), by code. */
  activeCodes(ex: Executor) {
    return ex.select({ id: standards.id, code: standards.code }).from(standards).where(eq(standards.active, true)).orderBy(standards.code);
  },
  /** The current definition of every standard. */
  currentDefinitions(ex: Executor) {
    return ex
      .select({ id: standards.id, definition: standardVersions.definition })
      .from(standards)
      .innerJoin(standardVersions, eq(standardVersions.id, standards.currentVersionId));
  },
  /**
   * Breaches per local day of the breach and standard (counted from the breach instant, open or not): completed that
   * day or later (still open counts as later once the day is over), and escalation steps fired.
   */
  async breachesByDay(ex: Executor, from: Date, to: Date, tz: string, standardId: string | undefined) {
    const at = outcomeSql.at('i');
    const res = (await ex.execute(sql`
    SELECT to_char(${at} AT TIME ZONE ${tz}, 'YYYY-MM-DD') AS day, i.standard_id,
      count(*) FILTER (WHERE to_char(coalesce(i.ended_at, now()) AT TIME ZONE ${tz}, 'YYYY-MM-DD') = to_char(${at} AT TIME ZONE ${tz}, 'YYYY-MM-DD'))::int AS same_day,
      count(*) FILTER (WHERE to_char(coalesce(i.ended_at, now()) AT TIME ZONE ${tz}, 'YYYY-MM-DD') <> to_char(${at} AT TIME ZONE ${tz}, 'YYYY-MM-DD'))::int AS later_day,
      coalesce(sum(i.escalations_sent), 0)::int AS escalations
    FROM standard_instances i
    WHERE ${outcomeSql.counted('i')} AND i.state = 'breached' AND ${at} >= ${from} AND ${at} < ${to} ${standardId ? sql`AND i.standard_id = ${standardId}` : sql``}
    GROUP BY 1, 2`)) as { rows: { day: string; standard_id: string; same_day: number; later_day: number; escalations: number }[] };
    return res.rows;
  },

  // ─── improvement actions ───
  async staffMember(ex: Executor, id: string) {
    const [s] = await ex.select({ id: staff.id, name: staff.name, active: staff.active }).from(staff).where(eq(staff.id, id));
    return s;
  },
  async insertImprovement(tx: Tx, row: typeof improvementActions.$inferInsert): Promise<ImprovementRow> {
    const [out] = await tx.insert(improvementActions).values(row).returning();
    return out!;
  },
  improvementsOf(ex: Executor, standardId: string) {
    return ex
      .select({ r: improvementActions, ownerName: staff.name })
      .from(improvementActions)
      .leftJoin(staff, eq(staff.id, improvementActions.ownerId))
      .where(eq(improvementActions.standardId, standardId))
      .orderBy(desc(improvementActions.id));
  },
  async improvementForUpdate(tx: Tx, id: string): Promise<ImprovementRow | undefined> {
    const [row] = await tx.select().from(improvementActions).where(eq(improvementActions.id, id)).for('update');
    return row;
  },
  async updateImprovement(tx: Tx, id: string, set: Partial<ImprovementRow>): Promise<ImprovementRow> {
    const [row] = await tx
      .update(improvementActions)
      .set(set)
      .where(and(eq(improvementActions.id, id)))
      .returning();
    return row!;
  },

  // ─── the instances behind a number ───
  async instances(
    ex: Executor,
    actor: Actor,
    standardId: string,
    q: Filters & { from: Date; to: Date; state?: string | undefined; cursor?: string | undefined; limit: number },
  ) {
    const i = standardInstances;
    const at = outcomeSql.instant('standard_instances');
    const conds: (SQL | undefined)[] = [eq(i.standardId, standardId), sql`${at} >= ${q.from}`, sql`${at} < ${q.to}`, ticketVisibilityScope(actor)];
    if (q.state === 'running') conds.push(inArray(i.state, ['running', 'paused']));
    else if (q.state) conds.push(eq(i.state, q.state));
    if (q.teamId) conds.push(eq(i.teamId, q.teamId));
    if (q.agentId) conds.push(eq(i.ownerId, q.agentId));
    if (q.channel) conds.push(eq(i.channel, q.channel));
    if (q.tier) conds.push(eq(i.tier, q.tier));
    if (q.cursor) conds.push(lt(i.id, q.cursor));
    return ex
      .select({ i, number: tickets.number, subject: tickets.subject, ownerName: staff.name, teamName: teams.name, version: standardVersions.version })
      .from(i)
      .innerJoin(tickets, eq(tickets.id, i.ticketId))
      .leftJoin(staff, eq(staff.id, i.ownerId))
      .leftJoin(teams, eq(teams.id, i.teamId))
      .leftJoin(standardVersions, eq(standardVersions.id, i.versionId))
      .where(and(...conds))
      .orderBy(desc(i.id))
      .limit(q.limit + 1);
  },
};
