/** The QA dashboard's queries: inspections submitted in a period with their scorecard versions, appeals filed in it, and the ruling clock of an appeal. */
import { and, desc, eq, gte, inArray, isNotNull, lt, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import type { QaScope } from './quality.policy';
import { qaAgentScopeSql } from './quality.repo';
import { qaAppeals, qaInspections, qaScorecardVersions, staff, standardInstances, standardVersions, teams } from '../../db/schema';

export const qualityStatsRepo = {
  /** Inspections submitted in [from, to) of the agents in the actor's scope, optionally of one team's agents, newest first, each with its scorecard version's items. */
  async submitted(ex: Executor, from: SQL, to: SQL, scope: QaScope, teamId?: string) {
    return ex
      .select({
        id: qaInspections.id,
        ticketId: qaInspections.ticketId,
        agentId: qaInspections.agentId,
        teamId: staff.teamId,
        score: qaInspections.score,
        passed: qaInspections.passed,
        scores: qaInspections.scores,
        submittedAt: qaInspections.submittedAt,
        items: qaScorecardVersions.items,
      })
      .from(qaInspections)
      .innerJoin(staff, eq(staff.id, qaInspections.agentId))
      .innerJoin(
        qaScorecardVersions,
        and(eq(qaScorecardVersions.scorecardId, qaInspections.scorecardId), eq(qaScorecardVersions.version, qaInspections.scorecardVersion)),
      )
      .where(
        and(
          isNotNull(qaInspections.submittedAt),
          gte(qaInspections.submittedAt, from),
          lt(qaInspections.submittedAt, to),
          ...(teamId ? [eq(staff.teamId, teamId)] : []),
          qaAgentScopeSql(scope, qaInspections.agentId),
        ),
      )
      .orderBy(desc(qaInspections.submittedAt), desc(qaInspections.id));
  },
  /** The appeals of the given inspections. */
  async appealsOf(ex: Executor, inspectionIds: string[]) {
    if (!inspectionIds.length) return [];
    return ex
      .select({ inspectionId: qaAppeals.inspectionId, state: qaAppeals.state, scoreBefore: qaAppeals.scoreBefore, scoreAfter: qaAppeals.scoreAfter })
      .from(qaAppeals)
      .where(inArray(qaAppeals.inspectionId, inspectionIds));
  },
  async people(ex: Executor, ids: string[]) {
    if (!ids.length) return [];
    return ex.select({ id: staff.id, name: staff.name, employeeNo: staff.employeeNo }).from(staff).where(inArray(staff.id, ids));
  },
  async teamNames(ex: Executor, ids: string[]) {
    if (!ids.length) return [];
    return ex.select({ id: teams.id, name: teams.name }).from(teams).where(inArray(teams.id, ids));
  },
  /** The ruling clocks on the tickets (instances of standards started by qa.appeal_filed, e.g. QA-APPEAL), newest first. */
  async rulingClocks(ex: Executor, ticketIds: string[]) {
    if (!ticketIds.length) return [];
    return ex
      .select({
        ticketId: standardInstances.ticketId,
        state: standardInstances.state,
        startedAt: standardInstances.startedAt,
        dueAt: standardInstances.dueAt,
        breachedAt: standardInstances.breachedAt,
      })
      .from(standardInstances)
      .innerJoin(standardVersions, eq(standardVersions.id, standardInstances.versionId))
      .where(and(inArray(standardInstances.ticketId, ticketIds), sql`${standardVersions.definition}->'start' @> '["qa.appeal_filed"]'::jsonb`))
      .orderBy(desc(standardInstances.startedAt));
  },
};
