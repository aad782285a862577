/** The SQL of calibration sessions (校准). */
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { qaCalibrationReferences, qaCalibrations, qaCalibrationScores } from '../../db/schema';

export type CalibrationRow = typeof qaCalibrations.$inferSelect;
export type CalibrationScoreRow = typeof qaCalibrationScores.$inferSelect;
export type CalibrationReferenceRow = typeof qaCalibrationReferences.$inferSelect;

export const calibrationRepo = {
  async insert(ex: Executor, row: typeof qaCalibrations.$inferInsert): Promise<CalibrationRow> {
    const [out] = await ex.insert(qaCalibrations).values(row).returning();
    return out!;
  },
  async byId(ex: Executor, id: string, forUpdate = false): Promise<CalibrationRow | undefined> {
    const q = ex.select().from(qaCalibrations).where(eq(qaCalibrations.id, id));
    const [row] = forUpdate ? await q.for('update') : await q;
    return row;
  },
  /** Newest first. */
  list(ex: Executor, f: { state?: string | undefined; limit: number }): Promise<CalibrationRow[]> {
    return ex
      .select()
      .from(qaCalibrations)
      .where(f.state ? eq(qaCalibrations.state, f.state) : undefined)
      .orderBy(desc(qaCalibrations.createdAt), desc(qaCalibrations.id))
      .limit(f.limit);
  },
  /** Closed sessions, oldest first (agreement over time). */
  closed(ex: Executor, limit: number): Promise<CalibrationRow[]> {
    return ex
      .select()
      .from(qaCalibrations)
      .where(eq(qaCalibrations.state, 'closed'))
      .orderBy(desc(qaCalibrations.closedAt), desc(qaCalibrations.id))
      .limit(limit);
  },
  scores(ex: Executor, calibrationId: string, inspectorId?: string): Promise<CalibrationScoreRow[]> {
    return ex
      .select()
      .from(qaCalibrationScores)
      .where(and(eq(qaCalibrationScores.calibrationId, calibrationId), inspectorId ? eq(qaCalibrationScores.inspectorId, inspectorId) : undefined));
  },
  /** How many tickets each inspector has scored, per session. */
  async progress(ex: Executor, calibrationIds: string[]): Promise<Map<string, Map<string, number>>> {
    const out = new Map<string, Map<string, number>>();
    if (!calibrationIds.length) return out;
    const rows = await ex
      .select({ c: qaCalibrationScores.calibrationId, i: qaCalibrationScores.inspectorId, n: sql<number>`count(*)::int` })
      .from(qaCalibrationScores)
      .where(inArray(qaCalibrationScores.calibrationId, calibrationIds))
      .groupBy(qaCalibrationScores.calibrationId, qaCalibrationScores.inspectorId);
    for (const r of rows) {
      if (!out.has(r.c)) out.set(r.c, new Map());
      out.get(r.c)!.set(r.i, Number(r.n));
    }
    return out;
  },
  async upsertScore(ex: Executor, row: { calibrationId: string; ticketId: string; inspectorId: string; scores: unknown; submittedAt: Date }): Promise<void> {
    await ex
      .insert(qaCalibrationScores)
      .values(row)
      .onConflictDoUpdate({
        target: [qaCalibrationScores.calibrationId, qaCalibrationScores.ticketId, qaCalibrationScores.inspectorId],
        set: { scores: row.scores, submittedAt: row.submittedAt },
      });
  },
  async countScores(ex: Executor, calibrationId: string): Promise<number> {
    const [row] = await ex
      .select({ n: sql<number>`count(*)::int` })
      .from(qaCalibrationScores)
      .where(eq(qaCalibrationScores.calibrationId, calibrationId));
    return Number(row?.n ?? 0);
  },
  references(ex: Executor, calibrationId: string): Promise<CalibrationReferenceRow[]> {
    return ex.select().from(qaCalibrationReferences).where(eq(qaCalibrationReferences.calibrationId, calibrationId));
  },
  async upsertReference(ex: Executor, row: { calibrationId: string; ticketId: string; scores: unknown; setBy: string; setAt: Date }): Promise<void> {
    await ex
      .insert(qaCalibrationReferences)
      .values(row)
      .onConflictDoUpdate({
        target: [qaCalibrationReferences.calibrationId, qaCalibrationReferences.ticketId],
        set: { scores: row.scores, setBy: row.setBy, setAt: row.setAt },
      });
  },
  async deleteReference(ex: Executor, calibrationId: string, ticketId: string): Promise<void> {
    await ex
      .delete(qaCalibrationReferences)
      .where(and(eq(qaCalibrationReferences.calibrationId, calibrationId), eq(qaCalibrationReferences.ticketId, ticketId)));
  },
  async update(ex: Executor, id: string, set: Partial<typeof qaCalibrations.$inferInsert>): Promise<CalibrationRow> {
    const [row] = await ex.update(qaCalibrations).set(set).where(eq(qaCalibrations.id, id)).returning();
    return row!;
  },
};
