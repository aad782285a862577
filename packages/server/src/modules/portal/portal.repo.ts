import { and, count, desc, eq, gt, isNull } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { customerAccounts, customerOtps, customers, sessions } from '../../db/schema';

export type CustomerOtpRow = typeof customerOtps.$inferSelect;
export type CustomerAccountRow = typeof customerAccounts.$inferSelect;

export const portalRepo = {
  /** Codes sent to this phone since `since`. */
  async codesSentSince(ex: Executor, phone: string, since: Date): Promise<number> {
    const [row] = await ex
      .select({ n: count() })
      .from(customerOtps)
      .where(and(eq(customerOtps.phone, phone), gt(customerOtps.createdAt, since)));
    return Number(row?.n ?? 0);
  },
  async insertCode(ex: Executor, row: typeof customerOtps.$inferInsert) {
    await ex.insert(customerOtps).values(row);
  },
  /** The newest unused code of a phone, locked. */
  async latestOpenCodeForUpdate(ex: Executor, phone: string): Promise<CustomerOtpRow | undefined> {
    const [row] = await ex
      .select()
      .from(customerOtps)
      .where(and(eq(customerOtps.phone, phone), isNull(customerOtps.usedAt)))
      .orderBy(desc(customerOtps.createdAt))
      .limit(1)
      .for('update');
    return row;
  },
  async countWrongCode(ex: Executor, otp: CustomerOtpRow) {
    await ex
      .update(customerOtps)
      .set({ attempts: otp.attempts + 1 })
      .where(eq(customerOtps.id, otp.id));
  },
  async markCodeUsed(ex: Executor, id: string) {
    await ex.update(customerOtps).set({ usedAt: new Date() }).where(eq(customerOtps.id, id));
  },
  async accountByPhone(ex: Executor, phone: string): Promise<CustomerAccountRow | undefined> {
    const [row] = await ex.select().from(customerAccounts).where(eq(customerAccounts.phone, phone));
    return row;
  },
  async account(ex: Executor, id: string): Promise<CustomerAccountRow | undefined> {
    const [row] = await ex.select().from(customerAccounts).where(eq(customerAccounts.id, id));
    return row;
  },
  async insertAccount(ex: Executor, row: typeof customerAccounts.$inferInsert): Promise<CustomerAccountRow> {
    const [out] = await ex.insert(customerAccounts).values(row).returning();
    return out!;
  },
  async touchAccount(ex: Executor, id: string) {
    await ex.update(customerAccounts).set({ lastLoginAt: new Date() }).where(eq(customerAccounts.id, id));
  },
  async customerBrief(ex: Executor, customerId: string) {
    const [row] = await ex
      .select({ id: customers.id, name: customers.name, phone: customers.phone, tier: customers.tier })
      .from(customers)
      .where(eq(customers.id, customerId));
    return row;
  },
  async insertSession(ex: Executor, row: typeof sessions.$inferInsert) {
    await ex.insert(sessions).values(row);
  },
  /** Revokes every live session of a customer account. */
  async revokeAccountSessions(ex: Executor, accountId: string) {
    await ex
      .update(sessions)
      .set({ revokedAt: new Date() })
      .where(and(eq(sessions.principalKind, 'customer'), eq(sessions.principalId, accountId), isNull(sessions.revokedAt)));
  },
  async revokeSession(ex: Executor, sessionId: string) {
    await ex.update(sessions).set({ revokedAt: new Date() }).where(eq(sessions.id, sessionId));
  },
};
