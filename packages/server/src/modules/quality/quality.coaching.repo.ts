/** The SQL of coaching tasks (辅导任务). */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { qaCoachingTasks, staff } from '../../db/schema';
import type { QaScope } from './quality.policy';
import { qaAgentScopeSql } from './quality.repo';

export type CoachingTaskRow = typeof qaCoachingTasks.$inferSelect;

export const coachingRepo = {
  /** One task per inspection: null when the inspection already has one. */
  async insert(ex: Executor, row: typeof qaCoachingTasks.$inferInsert): Promise<CoachingTaskRow | null> {
    const [out] = await ex.insert(qaCoachingTasks).values(row).onConflictDoNothing().returning();
    return out ?? null;
  },
  /** Active supervisors of the agent's team (none when the agent has no team). */
  async teamSupervisors(ex: Executor, agentId: string): Promise<string[]> {
    const rows = await ex
      .select({ id: staff.id })
      .from(staff)
      .where(
        and(
          eq(staff.active, true),
          sql`${staff.teamId} IS NOT NULL AND ${staff.teamId} = (SELECT team_id FROM ${staff} WHERE id = ${agentId})`,
          sql`'supervisor' = ANY(${staff.roles})`,
        ),
      );
    return rows.map((r) => r.id);
  },
  list(ex: Executor, f: { state?: string | undefined; agentId?: string | undefined; scope?: QaScope | undefined; limit: number }): Promise<CoachingTaskRow[]> {
    return ex
      .select()
      .from(qaCoachingTasks)
      .where(
        and(
          f.state ? eq(qaCoachingTasks.state, f.state) : undefined,
          f.agentId ? eq(qaCoachingTasks.agentId, f.agentId) : undefined,
          f.scope ? qaAgentScopeSql(f.scope, qaCoachingTasks.agentId) : undefined,
        ),
      )
      .orderBy(desc(qaCoachingTasks.createdAt), desc(qaCoachingTasks.id))
      .limit(f.limit);
  },
  async lock(ex: Executor, id: string): Promise<CoachingTaskRow | undefined> {
    const [row] = await ex.select().from(qaCoachingTasks).where(eq(qaCoachingTasks.id, id)).for('update');
    return row;
  },
  async markDone(ex: Executor, id: string, set: { note: string; doneBy: string; doneAt: Date }): Promise<CoachingTaskRow> {
    const [row] = await ex
      .update(qaCoachingTasks)
      .set({ state: 'done', ...set })
      .where(eq(qaCoachingTasks.id, id))
      .returning();
    return row!;
  },
};
