/** SQL of the progress module: the active measured / soft standards, their alert state per period, the people told. */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client';
import { staff, standardAlerts, standards, standardVersions } from '../../db/schema';

export const progressRepo = {
  /** Active standards judged per period (measured by a rate, or soft by a survey), with their current definition. */
  async periodStandards(ex: Executor) {
    return ex
      .select({ id: standards.id, code: standards.code, definition: standardVersions.definition })
      .from(standards)
      .innerJoin(standardVersions, eq(standardVersions.id, standards.currentVersionId))
      .where(and(eq(standards.active, true), sql`${standardVersions.definition}->>'measure' IN ('operating_data', 'survey')`));
  },
  /** The alert state of a standard in a period, locked (one process decides whether to tell). */
  async stateForUpdate(tx: Tx, standardId: string, periodStart: Date) {
    await tx.insert(standardAlerts).values({ standardId, periodStart }).onConflictDoNothing();
    const [row] = await tx
      .select()
      .from(standardAlerts)
      .where(and(eq(standardAlerts.standardId, standardId), eq(standardAlerts.periodStart, periodStart)))
      .for('update');
    return row!;
  },
  async setState(tx: Tx, standardId: string, periodStart: Date, set: { below: boolean; value: number | null; alertedAt?: Date; recoveredAt?: Date }) {
    await tx
      .update(standardAlerts)
      .set({ ...set, updatedAt: new Date() })
      .where(and(eq(standardAlerts.standardId, standardId), eq(standardAlerts.periodStart, periodStart)));
  },
  /** Supervisors and directors (active): the owners of the standards' results. */
  async owners(ex: Executor): Promise<string[]> {
    const rows = await ex
      .select({ id: staff.id, roles: staff.roles })
      .from(staff)
      .where(and(eq(staff.active, true), sql`${staff.roles} && ARRAY['supervisor', 'director']::text[]`));
    return rows.map((r) => r.id);
  },
  async byIds(ex: Executor, ids: string[]) {
    return ids.length ? ex.select().from(standardAlerts).where(inArray(standardAlerts.standardId, ids)) : [];
  },
};
