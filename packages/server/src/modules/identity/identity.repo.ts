import { and, asc, count, eq, gt, ilike, isNull, or, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { loginAttempts, roleSettings, sessions, staff, teams } from '../../db/schema';

export type StaffRow = typeof staff.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type TeamRow = typeof teams.$inferSelect;

export const identityRepo = {
  async staffByEmployeeNo(ex: Executor, employeeNo: string): Promise<StaffRow | undefined> {
    const [row] = await ex.select().from(staff).where(eq(staff.employeeNo, employeeNo));
    return row;
  },
  async staffById(ex: Executor, id: string, forUpdate = false): Promise<StaffRow | undefined> {
    const q = ex.select().from(staff).where(eq(staff.id, id));
    const [row] = forUpdate ? await q.for('update') : await q;
    return row;
  },
  async staffCount(ex: Executor): Promise<number> {
    const [row] = await ex.select({ n: count() }).from(staff);
    return row?.n ?? 0;
  },
  async listStaff(
    ex: Executor,
    f: { q?: string | undefined; role?: string | undefined; teamId?: string | undefined; limit: number; after?: string | undefined },
  ) {
    const conds = [];
    if (f.q) {
      const like = `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      conds.push(or(ilike(staff.employeeNo, like), ilike(staff.name, like)));
    }
    if (f.role) conds.push(sql`${f.role} = ANY(${staff.roles})`);
    if (f.teamId) conds.push(eq(staff.teamId, f.teamId));
    if (f.after) conds.push(gt(staff.employeeNo, f.after));
    return ex
      .select({ s: staff, teamName: teams.name })
      .from(staff)
      .leftJoin(teams, eq(teams.id, staff.teamId))
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(asc(staff.employeeNo))
      .limit(f.limit + 1);
  },
  async teamName(ex: Executor, teamId: string | null): Promise<string | null> {
    if (!teamId) return null;
    const [row] = await ex.select({ name: teams.name }).from(teams).where(eq(teams.id, teamId));
    return row?.name ?? null;
  },
  async teamById(ex: Executor, id: string) {
    const [row] = await ex.select().from(teams).where(eq(teams.id, id));
    return row;
  },
  async teamByName(ex: Executor, name: string) {
    const [row] = await ex.select().from(teams).where(eq(teams.name, name));
    return row;
  },
  async listTeams(ex: Executor) {
    // Qualified explicitly: inside the subquery an unqualified "id" would bind to the staff row.
    const sup = sql<string | null>`(SELECT s.name FROM staff s WHERE s.id = "teams"."supervisor_id")`;
    const members = sql<number>`(SELECT count(*)::int FROM staff s WHERE s.team_id = "teams"."id" AND s.active)`;
    return ex.select({ t: teams, supervisorName: sup, memberCount: members }).from(teams).orderBy(asc(teams.name));
  },
  async roleSettings(ex: Executor) {
    return ex.select().from(roleSettings);
  },
  async requiresTotp(ex: Executor, roles: readonly string[]): Promise<boolean> {
    if (roles.length === 0) return false;
    const rows = await ex
      .select({ r: roleSettings.role })
      .from(roleSettings)
      .where(and(eq(roleSettings.requireTotp, true), sql`${roleSettings.role} = ANY(${sql.param([...roles])}::text[])`));
    return rows.length > 0;
  },
  async sessionByTokenHash(ex: Executor, tokenHash: string): Promise<SessionRow | undefined> {
    const [row] = await ex.select().from(sessions).where(eq(sessions.tokenHash, tokenHash));
    return row;
  },
  async revokeSessions(ex: Executor, principalKind: string, principalId: string) {
    await ex
      .update(sessions)
      .set({ revokedAt: new Date() })
      .where(and(eq(sessions.principalKind, principalKind), eq(sessions.principalId, principalId), isNull(sessions.revokedAt)));
  },
  async recordAttempt(ex: Executor, account: string, ip: string, success: boolean, reason: string | null) {
    await ex.insert(loginAttempts).values({ account, ip, success, reason });
  },
  /** Inserts a staff member; undefined when the employee number is taken. */
  async insertStaff(ex: Executor, row: typeof staff.$inferInsert): Promise<StaffRow | undefined> {
    const [out] = await ex.insert(staff).values(row).onConflictDoNothing().returning();
    return out;
  },
  async updateStaff(ex: Executor, id: string, set: Partial<StaffRow>): Promise<StaffRow | undefined> {
    const [row] = await ex.update(staff).set(set).where(eq(staff.id, id)).returning();
    return row;
  },
  /** Compare-and-set of the last used TOTP step: false when a concurrent sign-in used this step (or a later one). */
  async advanceTotpStep(ex: Executor, id: string, step: number): Promise<boolean> {
    const res = await ex
      .update(staff)
      .set({ totpLastStep: step })
      .where(sql`${staff.id} = ${id} AND (${staff.totpLastStep} IS NULL OR ${staff.totpLastStep} < ${step})`)
      .returning({ id: staff.id });
    return res.length > 0;
  },
  /** Uses up one recovery code: false when it was already used (concurrently). */
  async useRecoveryCode(ex: Executor, id: string, hash: string): Promise<boolean> {
    const res = await ex
      .update(staff)
      .set({ recoveryCodeHashes: sql`array_remove(${staff.recoveryCodeHashes}, ${hash})` })
      .where(sql`${staff.id} = ${id} AND ${hash} = ANY(${staff.recoveryCodeHashes})`)
      .returning({ id: staff.id });
    return res.length > 0;
  },
  async insertSession(ex: Executor, row: typeof sessions.$inferInsert) {
    await ex.insert(sessions).values(row);
  },
  async revokeSession(ex: Executor, sessionId: string) {
    await ex.update(sessions).set({ revokedAt: new Date() }).where(eq(sessions.id, sessionId));
  },
  /** Every live session of a staff member except `keepSessionId`. */
  async revokeOtherStaffSessions(ex: Executor, staffId: string, keepSessionId: string | null) {
    const keep = keepSessionId ?? '00000000-0000-0000-0000-000000000000';
    await ex
      .update(sessions)
      .set({ revokedAt: new Date() })
      .where(sql`${sessions.principalKind} = 'staff' AND ${sessions.principalId} = ${staffId} AND ${sessions.revokedAt} IS NULL AND ${sessions.id} <> ${keep}`);
  },
  async setSessionScope(ex: Executor, sessionId: string, scope: 'full' | 'enrol') {
    await ex.update(sessions).set({ scope }).where(eq(sessions.id, sessionId));
  },
  /** Inserts a team; undefined when the name is taken. */
  async insertTeam(ex: Executor, row: typeof teams.$inferInsert): Promise<TeamRow | undefined> {
    const [out] = await ex.insert(teams).values(row).onConflictDoNothing().returning();
    return out;
  },
  async roleSetting(ex: Executor, role: string) {
    const [row] = await ex.select().from(roleSettings).where(eq(roleSettings.role, role));
    return row;
  },
  async upsertRoleSetting(ex: Executor, role: string, requireTotp: boolean) {
    await ex
      .insert(roleSettings)
      .values({ role, requireTotp })
      .onConflictDoUpdate({ target: roleSettings.role, set: { requireTotp, updatedAt: new Date() } });
  },
  /** Serialises the first-admin bootstrap between processes (transaction-scoped advisory lock). */
  async lockBootstrap(ex: Executor) {
    await ex.execute(sql`SELECT pg_advisory_xact_lock(727275)`);
  },
};
