/** Every query of the quality module (scorecards, inspections, appeals, proposals, sampling, the composite's inputs). */
import { and, asc, desc, eq, gte, inArray, isNotNull, lt, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/client';
import {
  events,
  qaAppeals,
  qaInspections,
  qaMysteryVisits,
  qaProposals,
  qaSamples,
  qaSamplingPlans,
  qaScorecards,
  qaScorecardVersions,
  settings,
  staff,
  standardInstances,
  surveyResponses,
  ticketReplies,
  tickets,
} from '../../db/schema';
import type { QaScope } from './quality.policy';

export type ScorecardRow = typeof qaScorecards.$inferSelect;
export type ScorecardVersionRow = typeof qaScorecardVersions.$inferSelect;
export type InspectionRow = typeof qaInspections.$inferSelect;
export type AppealRow = typeof qaAppeals.$inferSelect;
export type ProposalRow = typeof qaProposals.$inferSelect;
export type PlanRow = typeof qaSamplingPlans.$inferSelect;
export type SampleRow = typeof qaSamples.$inferSelect;

/** The SQL side of `qaScope` (quality.policy.ts): the agents whose inspections, appeals and figures the actor sees; `undefined` = all. */
export function qaAgentScopeSql(scope: QaScope, agentId: AnyPgColumn | SQL): SQL | undefined {
  if (scope.kind === 'all') return undefined;
  if (scope.kind === 'self') return sql`${agentId} = ${scope.id}::uuid`;
  return sql`${agentId} IN (SELECT s.id FROM staff s LEFT JOIN teams tm ON tm.id = s.team_id WHERE tm.supervisor_id = ${scope.supervisorId}::uuid${
    scope.teamId ? sql` OR s.team_id = ${scope.teamId}::uuid` : sql``
  })`;
}
/** The teams of `qaScope` (peer rounds): every team, the supervised ones and one's own, or only one's own. */
export function qaTeamScopeSql(scope: QaScope, teamId: AnyPgColumn): SQL | undefined {
  if (scope.kind === 'all') return undefined;
  if (scope.kind === 'self') return sql`${teamId} = (SELECT team_id FROM staff WHERE id = ${scope.id}::uuid)`;
  return sql`(${teamId} IN (SELECT id FROM teams WHERE supervisor_id = ${scope.supervisorId}::uuid)${scope.teamId ? sql` OR ${teamId} = ${scope.teamId}::uuid` : sql``})`;
}

/** [from, to) of a month YYYY-MM in a time zone, as SQL timestamps. */
export function monthBounds(month: string, tz: string): { from: SQL; to: SQL } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const ny = m === 12 ? y + 1 : y;
  const nm = m === 12 ? 1 : m + 1;
  return { from: sql`make_timestamptz(${y}, ${m}, 1, 0, 0, 0, ${tz})`, to: sql`make_timestamptz(${ny}, ${nm}, 1, 0, 0, 0, ${tz})` };
}

/** [from, to) of the seven local days from YYYY-MM-DD in a time zone, as SQL timestamps. */
export function weekBounds(start: string, tz: string): { from: SQL; to: SQL } {
  return { from: sql`(${start}::date)::timestamp AT TIME ZONE ${tz}`, to: sql`((${start}::date + 7)::timestamp) AT TIME ZONE ${tz}` };
}

export const qualityRepo = {
  // ── scorecards ──
  async scorecardById(ex: Executor, id: string, forUpdate = false): Promise<ScorecardRow | undefined> {
    const q = ex.select().from(qaScorecards).where(eq(qaScorecards.id, id));
    const [row] = forUpdate ? await q.for('update') : await q;
    return row;
  },
  listScorecards(ex: Executor): Promise<ScorecardRow[]> {
    return ex.select().from(qaScorecards).orderBy(desc(qaScorecards.active), asc(qaScorecards.createdAt));
  },
  async insertScorecard(ex: Executor, row: typeof qaScorecards.$inferInsert): Promise<ScorecardRow> {
    const [out] = await ex.insert(qaScorecards).values(row).returning();
    await ex.insert(qaScorecardVersions).values({ scorecardId: out!.id, version: out!.version, name: out!.name, passMark: out!.passMark, items: out!.items });
    return out!;
  },
  async updateScorecard(ex: Executor, id: string, set: Partial<typeof qaScorecards.$inferInsert>): Promise<ScorecardRow> {
    const [out] = await ex
      .update(qaScorecards)
      .set({ ...set, version: sql`${qaScorecards.version} + 1`, updatedAt: new Date() })
      .where(eq(qaScorecards.id, id))
      .returning();
    await ex.insert(qaScorecardVersions).values({ scorecardId: out!.id, version: out!.version, name: out!.name, passMark: out!.passMark, items: out!.items });
    return out!;
  },
  async scorecardVersion(ex: Executor, id: string, version: number): Promise<ScorecardVersionRow | undefined> {
    const [row] = await ex
      .select()
      .from(qaScorecardVersions)
      .where(and(eq(qaScorecardVersions.scorecardId, id), eq(qaScorecardVersions.version, version)));
    return row;
  },
  async templateKeysAdopted(ex: Executor): Promise<string[]> {
    const rows = await ex.select({ k: qaScorecards.templateKey }).from(qaScorecards).where(isNotNull(qaScorecards.templateKey));
    return rows.map((r) => r.k!);
  },

  // ── inspections ──
  async inspectionById(ex: Executor, id: string, forUpdate = false): Promise<InspectionRow | undefined> {
    const q = ex.select().from(qaInspections).where(eq(qaInspections.id, id));
    const [row] = forUpdate ? await q.for('update') : await q;
    return row;
  },
  async insertInspection(ex: Executor, row: typeof qaInspections.$inferInsert): Promise<InspectionRow> {
    const [out] = await ex.insert(qaInspections).values(row).returning();
    return out!;
  },
  async updateInspection(ex: Executor, id: string, set: Partial<typeof qaInspections.$inferInsert>): Promise<InspectionRow> {
    const [out] = await ex.update(qaInspections).set(set).where(eq(qaInspections.id, id)).returning();
    return out!;
  },
  /** Whether the agent is one the scope sees (qaScope). */
  async agentInScope(ex: Executor, scope: QaScope, agentId: string): Promise<boolean> {
    const cond = qaAgentScopeSql(scope, staff.id);
    if (!cond) return true;
    const [row] = await ex
      .select({ id: staff.id })
      .from(staff)
      .where(and(eq(staff.id, agentId), cond));
    return row !== undefined;
  },
  /** Inspections, newest first; `agentId` restricts to one agent's, `inspectorId` to one inspector's. */
  listInspections(
    ex: Executor,
    f: { agentId?: string | undefined; inspectorId?: string | undefined; ticketId?: string | undefined; scope?: QaScope | undefined; limit: number },
  ) {
    const conds = [
      ...(f.scope ? [qaAgentScopeSql(f.scope, qaInspections.agentId)] : []),
      ...(f.agentId ? [eq(qaInspections.agentId, f.agentId)] : []),
      ...(f.inspectorId ? [eq(qaInspections.inspectorId, f.inspectorId)] : []),
      ...(f.ticketId ? [eq(qaInspections.ticketId, f.ticketId)] : []),
    ];
    return ex
      .select()
      .from(qaInspections)
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(desc(qaInspections.id))
      .limit(f.limit);
  },
  /** Staff who wrote a reply or note on the ticket. */
  async ticketWorkers(ex: Executor, ticketId: string): Promise<string[]> {
    const rows = await ex
      .selectDistinct({ id: ticketReplies.authorId })
      .from(ticketReplies)
      .where(and(eq(ticketReplies.ticketId, ticketId), eq(ticketReplies.authorKind, 'staff'), isNotNull(ticketReplies.authorId)));
    return rows.map((r) => r.id!);
  },
  async ticketReplyIds(ex: Executor, ticketId: string): Promise<{ id: string; body: string }[]> {
    return ex.select({ id: ticketReplies.id, body: ticketReplies.body }).from(ticketReplies).where(eq(ticketReplies.ticketId, ticketId));
  },
  async ticketEventIds(ex: Executor, ticketId: string, ids: number[]): Promise<number[]> {
    if (!ids.length) return [];
    const rows = await ex
      .select({ id: events.id })
      .from(events)
      .where(and(eq(events.aggregateId, ticketId), inArray(events.id, ids)));
    return rows.map((r) => Number(r.id));
  },
  async staffNames(ex: Executor, ids: string[]): Promise<Map<string, { name: string; employeeNo: string; teamId: string | null }>> {
    if (!ids.length) return new Map();
    const rows = await ex
      .select({ id: staff.id, name: staff.name, employeeNo: staff.employeeNo, teamId: staff.teamId })
      .from(staff)
      .where(inArray(staff.id, ids));
    return new Map(rows.map((r) => [r.id, r]));
  },
  async ticketNumbers(ex: Executor, ids: string[]): Promise<Map<string, { number: string; subject: string }>> {
    if (!ids.length) return new Map();
    const rows = await ex.select({ id: tickets.id, number: tickets.number, subject: tickets.subject }).from(tickets).where(inArray(tickets.id, ids));
    return new Map(rows.map((r) => [r.id, r]));
  },

  // ── appeals ──
  async appealById(ex: Executor, id: string, forUpdate = false): Promise<AppealRow | undefined> {
    const q = ex.select().from(qaAppeals).where(eq(qaAppeals.id, id));
    const [row] = forUpdate ? await q.for('update') : await q;
    return row;
  },
  async appealOf(ex: Executor, inspectionId: string): Promise<AppealRow | undefined> {
    const [row] = await ex.select().from(qaAppeals).where(eq(qaAppeals.inspectionId, inspectionId));
    return row;
  },
  async appealsOf(ex: Executor, inspectionIds: string[]): Promise<AppealRow[]> {
    if (!inspectionIds.length) return [];
    return ex.select().from(qaAppeals).where(inArray(qaAppeals.inspectionId, inspectionIds));
  },
  listAppeals(ex: Executor, f: { state?: string | undefined; agentId?: string | undefined; scope?: QaScope | undefined; limit: number }) {
    const conds = [
      ...(f.scope ? [qaAgentScopeSql(f.scope, qaAppeals.agentId)] : []),
      ...(f.state ? [eq(qaAppeals.state, f.state)] : []),
      ...(f.agentId ? [eq(qaAppeals.agentId, f.agentId)] : []),
    ];
    return ex
      .select()
      .from(qaAppeals)
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(desc(qaAppeals.id))
      .limit(f.limit);
  },
  async insertAppeal(ex: Executor, row: typeof qaAppeals.$inferInsert): Promise<AppealRow> {
    const [out] = await ex.insert(qaAppeals).values(row).returning();
    return out!;
  },
  async updateAppeal(ex: Executor, id: string, set: Partial<typeof qaAppeals.$inferInsert>): Promise<AppealRow> {
    const [out] = await ex.update(qaAppeals).set(set).where(eq(qaAppeals.id, id)).returning();
    return out!;
  },

  // ── proposals ──
  async proposalById(ex: Executor, id: string, forUpdate = false): Promise<ProposalRow | undefined> {
    const q = ex.select().from(qaProposals).where(eq(qaProposals.id, id));
    const [row] = forUpdate ? await q.for('update') : await q;
    return row;
  },
  async insertProposal(ex: Executor, row: typeof qaProposals.$inferInsert): Promise<ProposalRow> {
    const [out] = await ex.insert(qaProposals).values(row).returning();
    return out!;
  },
  async updateProposal(ex: Executor, id: string, set: Partial<typeof qaProposals.$inferInsert>): Promise<ProposalRow> {
    const [out] = await ex.update(qaProposals).set(set).where(eq(qaProposals.id, id)).returning();
    return out!;
  },
  listProposals(ex: Executor, f: { authorId?: string | undefined; state?: string | undefined; limit: number }) {
    const conds = [...(f.authorId ? [eq(qaProposals.authorId, f.authorId)] : []), ...(f.state ? [eq(qaProposals.state, f.state)] : [])];
    return ex
      .select()
      .from(qaProposals)
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(desc(qaProposals.id))
      .limit(f.limit);
  },

  // ── settings ──
  async setting(ex: Executor, key: string): Promise<unknown> {
    const [row] = await ex.select().from(settings).where(eq(settings.key, key));
    return row?.value;
  },
  async saveSetting(ex: Executor, key: string, value: unknown): Promise<void> {
    await ex
      .insert(settings)
      .values({ key, value })
      .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: new Date() } });
  },

  // ── the composite's inputs (one month, one or many agents) ──
  /** Σ final score and count of the agents' inspections submitted in the month. */
  /**
   * The month's QA scores per agent: submitted inspections, plus submitted mystery-shopper visits (神秘顾客) that name
   * the agent among the staff served — each such visit counts as one inspection with its score.
   */
  async qaTotals(ex: Executor, agentIds: string[], from: SQL, to: SQL) {
    const inspections = await ex
      .select({ agentId: qaInspections.agentId, sum: sql<number>`coalesce(sum(${qaInspections.score}), 0)::float8`, n: sql<number>`count(*)::int` })
      .from(qaInspections)
      .where(
        and(
          inArray(qaInspections.agentId, agentIds),
          isNotNull(qaInspections.submittedAt),
          gte(qaInspections.submittedAt, from),
          lt(qaInspections.submittedAt, to),
        ),
      )
      .groupBy(qaInspections.agentId);
    if (!agentIds.length) return inspections;
    const visits = (await ex.execute(sql`
      SELECT a.agent_id, coalesce(sum(v.score), 0)::float8 AS sum, count(*)::int AS n
      FROM ${qaMysteryVisits} v CROSS JOIN LATERAL unnest(v.served_ids) AS a(agent_id)
      WHERE v.state = 'submitted' AND v.score IS NOT NULL AND v.submitted_at >= ${from} AND v.submitted_at < ${to}
        AND a.agent_id IN (${sql.join(
          agentIds.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})
      GROUP BY a.agent_id`)) as { rows: { agent_id: string; sum: number; n: number }[] };
    const out = new Map(inspections.map((r) => [r.agentId, { agentId: r.agentId, sum: Number(r.sum), n: Number(r.n) }]));
    for (const r of visits.rows) {
      const cur = out.get(r.agent_id) ?? { agentId: r.agent_id, sum: 0, n: 0 };
      out.set(r.agent_id, { agentId: r.agent_id, sum: cur.sum + Number(r.sum), n: cur.n + Number(r.n) });
    }
    return [...out.values()];
  },
  /** CSAT answers on the agents' tickets answered in the month: satisfied (4–5) and answered. */
  async csatTotals(ex: Executor, agentIds: string[], from: SQL, to: SQL) {
    return ex
      .select({
        agentId: tickets.ownerId,
        satisfied: sql<number>`count(*) FILTER (WHERE ${surveyResponses.csat} >= 4)::int`,
        n: sql<number>`count(*)::int`,
      })
      .from(surveyResponses)
      .innerJoin(tickets, eq(tickets.id, surveyResponses.ticketId))
      .where(
        and(inArray(tickets.ownerId, agentIds), isNotNull(surveyResponses.csat), gte(surveyResponses.answeredAt, from), lt(surveyResponses.answeredAt, to)),
      )
      .groupBy(tickets.ownerId);
  },
  /** The agents' tickets created in the month: handled, complaints, resolved complaints. */
  async complaintTotals(ex: Executor, agentIds: string[], from: SQL, to: SQL) {
    return ex
      .select({
        agentId: tickets.ownerId,
        handled: sql<number>`count(*)::int`,
        complaints: sql<number>`count(*) FILTER (WHERE ${tickets.type} = 'complaint')::int`,
        resolved: sql<number>`count(*) FILTER (WHERE ${tickets.type} = 'complaint' AND ${tickets.resolvedAt} IS NOT NULL)::int`,
      })
      .from(tickets)
      .where(and(inArray(tickets.ownerId, agentIds), gte(tickets.createdAt, from), lt(tickets.createdAt, to)))
      .groupBy(tickets.ownerId);
  },
  /** Proposals adopted in the month, per author. */
  async adoptedTotals(ex: Executor, agentIds: string[], from: SQL, to: SQL) {
    return ex
      .select({ agentId: qaProposals.authorId, n: sql<number>`count(*)::int` })
      .from(qaProposals)
      .where(and(inArray(qaProposals.authorId, agentIds), eq(qaProposals.state, 'adopted'), gte(qaProposals.reviewedAt, from), lt(qaProposals.reviewedAt, to)))
      .groupBy(qaProposals.authorId);
  },
  /** Active staff with one of the roles (optionally of one team). */
  async staffWithRoles(ex: Executor, roles: string[], teamId?: string | null, scope?: QaScope) {
    return ex
      .select({ id: staff.id, name: staff.name, employeeNo: staff.employeeNo, teamId: staff.teamId })
      .from(staff)
      .where(
        and(
          eq(staff.active, true),
          scope ? qaAgentScopeSql(scope, staff.id) : undefined,
          sql`${staff.roles} && ARRAY[${sql.join(
            roles.map((r) => sql`${r}`),
            sql`, `,
          )}]::text[]`,
          ...(teamId ? [eq(staff.teamId, teamId)] : []),
        ),
      )
      .orderBy(asc(staff.employeeNo));
  },

  // ── sampling ──
  async planById(ex: Executor, id: string): Promise<PlanRow | undefined> {
    const [row] = await ex.select().from(qaSamplingPlans).where(eq(qaSamplingPlans.id, id));
    return row;
  },
  listPlans(ex: Executor): Promise<PlanRow[]> {
    return ex.select().from(qaSamplingPlans).orderBy(desc(qaSamplingPlans.id));
  },
  async insertPlan(ex: Executor, row: typeof qaSamplingPlans.$inferInsert): Promise<PlanRow> {
    const [out] = await ex.insert(qaSamplingPlans).values(row).returning();
    return out!;
  },
  /** The candidate tickets of a plan's period: owner, ISO week, complaint, worst CSAT, breached, who worked them. */
  async candidates(ex: Executor, f: { teamId: string | null; channel: string | null; from: SQL; to: SQL; tz: string }) {
    const rows = await ex
      .select({
        id: tickets.id,
        agentId: tickets.ownerId,
        week: sql<string>`to_char(${tickets.createdAt} AT TIME ZONE ${f.tz}, 'IYYY-"W"IW')`,
        complaint: sql<boolean>`${tickets.type} = 'complaint'`,
        csat: sql<number | null>`(SELECT min(r.csat)::int FROM survey_responses r WHERE r.ticket_id = ${tickets.id})`,
        breached: sql<boolean>`EXISTS (SELECT 1 FROM ${standardInstances} i WHERE i.ticket_id = ${tickets.id} AND i.breached_at IS NOT NULL)`,
        workedBy: sql<
          string[]
        >`coalesce((SELECT array_agg(DISTINCT rp.author_id::text) FROM ticket_replies rp WHERE rp.ticket_id = ${tickets.id} AND rp.author_kind = 'staff' AND rp.author_id IS NOT NULL), '{}'::text[])`,
      })
      .from(tickets)
      .where(
        and(
          isNotNull(tickets.ownerId),
          gte(tickets.createdAt, f.from),
          lt(tickets.createdAt, f.to),
          ...(f.teamId ? [eq(tickets.teamId, f.teamId)] : []),
          ...(f.channel ? [eq(tickets.channel, f.channel)] : []),
        ),
      )
      .orderBy(asc(tickets.id));
    return rows.map((r) => ({ ...r, agentId: r.agentId!, csat: r.csat === null ? null : Number(r.csat), workedBy: r.workedBy ?? [] }));
  },
  /** Open samples per inspector (their current queue), for workload balance. */
  async inspectorLoads(ex: Executor, ids: string[]): Promise<Map<string, number>> {
    if (!ids.length) return new Map();
    const rows = await ex
      .select({ id: qaSamples.inspectorId, n: sql<number>`count(*)::int` })
      .from(qaSamples)
      .where(and(inArray(qaSamples.inspectorId, ids), eq(qaSamples.state, 'queued')))
      .groupBy(qaSamples.inspectorId);
    return new Map(rows.map((r) => [r.id!, Number(r.n)]));
  },
  async insertSamples(ex: Executor, rows: (typeof qaSamples.$inferInsert)[]): Promise<SampleRow[]> {
    if (!rows.length) return [];
    return ex.insert(qaSamples).values(rows).onConflictDoNothing().returning();
  },
  queue(ex: Executor, inspectorId: string | null, limit: number): Promise<SampleRow[]> {
    return ex
      .select()
      .from(qaSamples)
      .where(and(eq(qaSamples.state, 'queued'), ...(inspectorId ? [eq(qaSamples.inspectorId, inspectorId)] : [])))
      .orderBy(asc(qaSamples.id))
      .limit(limit);
  },
  async completeSample(ex: Executor, ticketId: string, inspectorId: string, inspectionId: string): Promise<void> {
    await ex
      .update(qaSamples)
      .set({ state: 'done', inspectionId })
      .where(and(eq(qaSamples.ticketId, ticketId), eq(qaSamples.state, 'queued'), eq(qaSamples.inspectorId, inspectorId)));
  },
};
