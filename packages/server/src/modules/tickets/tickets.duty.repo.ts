import { and, asc, eq } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client';
import { savedFilters, staff, teams } from '../../db/schema';

/** The SQL of duty (签入/签出), the team-load view and saved filters: the staff member's own settings. */
export const dutyRepo = {
  async onDuty(ex: Executor, staffId: string): Promise<boolean | undefined> {
    const [row] = await ex.select({ onDuty: staff.onDuty }).from(staff).where(eq(staff.id, staffId));
    return row?.onDuty;
  },
  async setOnDuty(tx: Tx, staffId: string, onDuty: boolean): Promise<void> {
    await tx.update(staff).set({ onDuty }).where(eq(staff.id, staffId));
  },
  /** Active staff (of one team, or all), with their team's name, by employee number. */
  async activeMembers(ex: Executor, teamId: string | undefined) {
    return ex
      .select({ s: staff, teamName: teams.name })
      .from(staff)
      .leftJoin(teams, eq(teams.id, staff.teamId))
      .where(and(eq(staff.active, true), teamId ? eq(staff.teamId, teamId) : undefined))
      .orderBy(asc(staff.employeeNo));
  },
  async filters(ex: Executor, staffId: string) {
    return ex.select().from(savedFilters).where(eq(savedFilters.staffId, staffId)).orderBy(asc(savedFilters.id));
  },
  async insertFilter(tx: Tx, f: typeof savedFilters.$inferInsert): Promise<void> {
    await tx.insert(savedFilters).values(f);
  },
  async deleteFilter(tx: Tx, id: string, staffId: string): Promise<boolean> {
    const gone = await tx
      .delete(savedFilters)
      .where(and(eq(savedFilters.id, id), eq(savedFilters.staffId, staffId)))
      .returning();
    return gone.length > 0;
  },
};
