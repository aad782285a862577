import { and, asc, desc, eq, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor, Tx } from '../../db/client';
import { approvals, compensations, customers, orderChanges, staff, teams, tickets } from '../../db/schema';
import { actorFromRow, effectiveLimitFen } from '../identity/identity.commands';
import type { StaffRow } from '../identity/identity.repo';
import { can } from '../identity/policy';
import { ticketVisibilityScope } from './tickets.visibility.repo';

export type ApprovalRow = typeof approvals.$inferSelect;
export type CompensationRow = typeof compensations.$inferSelect;

// Who decides an approval (compensation above the requester's limit, change of a confirmed order). One rule, written
// once as SQL over approvals ⋈ tickets ⋈ requester ⋈ requester's team and used by the list, the decision and the
// notification of approvers:
//   • not one's own request;
//   • the approver can see the ticket — the one visibility rule, `ticketVisibilityScope` (tickets/visibility.ts);
//   • the approver covers it — an effective compensation limit ≥ the amount, or `orders.approve` for an order change;
//   • the approver is above the requester — a director or an admin, or a supervisor of the requester's team (the
//     team's designated supervisor, or a supervisor who is a member of that team) when the requester is not
//     themselves a supervisor, director or admin.
const requesterRow = alias(staff, 'requester');
const requesterTeam = alias(teams, 'requester_team');
export const ABOVE_ANY = ['director', 'admin'];
const SUPERVISING = ['supervisor', 'director', 'admin'];

function approverRule(me: StaffRow) {
  const actor = actorFromRow(me, null);
  const v = ticketVisibilityScope(actor);
  const visible = sql<boolean>`COALESCE((${v ?? sql.raw('true')}), false)`;
  const orders = sql.raw(can(actor, 'orders.approve') ? 'true' : 'false');
  const covers = sql<boolean>`COALESCE(CASE WHEN ${approvals.kind} = 'compensation' THEN ${approvals.amountFen} <= ${effectiveLimitFen(me)}::int ELSE ${orders} END, false)`;
  const above: SQL<boolean> = !me.active
    ? sql`false`
    : me.roles.some((r) => ABOVE_ANY.includes(r))
      ? sql`true`
      : me.roles.includes('supervisor')
        ? sql`COALESCE(NOT (${requesterRow.roles} && ${sql.param(SUPERVISING)}::text[]) AND (${requesterTeam.supervisorId} = ${me.id}::uuid OR ${requesterRow.teamId} = ${me.teamId}::uuid), false)`
        : sql`false`;
  const notOwn = sql<boolean>`(${approvals.requestedById} <> ${me.id}::uuid)`;
  return { visible, covers, above, notOwn, all: sql<boolean>`(${notOwn} AND ${visible} AND ${covers} AND ${above})` };
}

/** approvals joined with what the rule reads. */
function approvalsWithRequester<T extends Record<string, unknown>>(ex: Executor, fields: T) {
  return ex
    .select(fields as never)
    .from(approvals)
    .innerJoin(tickets, eq(tickets.id, approvals.ticketId))
    .innerJoin(requesterRow, eq(requesterRow.id, approvals.requestedById))
    .leftJoin(requesterTeam, eq(requesterTeam.id, requesterRow.teamId));
}

// What an approver needs to decide: the request (number, kind, reason), the ticket, the customer and their history
// of the last 12 months (compensation granted, approvals filed — this one excluded), the requester and their limit.
const approvalDetailFields = {
  a: approvals,
  number: tickets.number,
  ticketSubject: tickets.subject,
  customerId: tickets.customerId,
  customerName: customers.name,
  customerTier: customers.tier,
  requesterName: requesterRow.name,
  requesterEmployeeNo: requesterRow.employeeNo,
  requesterRoles: requesterRow.roles,
  requesterLimitFen: requesterRow.compensationLimitFen,
  compensationKind: compensations.kind,
  reason: sql<string | null>`COALESCE(${compensations.reason}, ${orderChanges.reason})`,
  historyCompensations: sql<number>`(SELECT count(*)::int FROM compensations hc WHERE hc.customer_id = ${tickets.customerId} AND hc.state = 'granted' AND EXISTS (SELECT 1 FROM compensation_acceptances ca WHERE ca.compensation_id = hc.id AND ca.decision = 'accepted')
    AND hc.id <> ${approvals.subjectId} AND hc.created_at > ${approvals.createdAt} - interval '12 months')`,
  historyCompensationFen: sql<number>`(SELECT COALESCE(sum(hc.amount_fen), 0)::int FROM compensations hc WHERE hc.customer_id = ${tickets.customerId}
    AND hc.state = 'granted' AND EXISTS (SELECT 1 FROM compensation_acceptances ca WHERE ca.compensation_id = hc.id AND ca.decision = 'accepted') AND hc.id <> ${approvals.subjectId} AND hc.created_at > ${approvals.createdAt} - interval '12 months')`,
  historyApprovals: sql<number>`(SELECT count(*)::int FROM approvals ha JOIN tickets ht ON ht.id = ha.ticket_id WHERE ht.customer_id = ${tickets.customerId}
    AND ha.id <> ${approvals.id} AND ha.created_at > ${approvals.createdAt} - interval '12 months')`,
};
export interface ApprovalListRow {
  a: ApprovalRow;
  number: string;
  ticketSubject: string;
  customerId: string;
  customerName: string | null;
  customerTier: string | null;
  requesterName: string;
  requesterEmployeeNo: string;
  requesterRoles: string[];
  requesterLimitFen: number | null;
  compensationKind: string | null;
  reason: string | null;
  historyCompensations: number;
  historyCompensationFen: number;
  historyApprovals: number;
  mayDecide: boolean;
}

/** The SQL of compensations, approvals and the approver rule. */
export const approvalsRepo = {
  /** Active supervisors, directors and admins (at most 500), by employee number: the candidates to decide. */
  async supervisingStaff(ex: Executor): Promise<StaffRow[]> {
    return ex
      .select()
      .from(staff)
      .where(and(eq(staff.active, true), sql`${staff.roles} && ${sql.param(SUPERVISING)}::text[]`))
      .orderBy(asc(staff.employeeNo))
      .limit(500);
  },
  /** Which of `candidates` the rule lets decide an approval. */
  async mayDecide(ex: Executor, approvalId: string, candidates: StaffRow[]): Promise<boolean[]> {
    const fields = Object.fromEntries(candidates.map((c, i) => [`c${i}`, approverRule(c).all]));
    const [row] = (await approvalsWithRequester(ex, fields).where(eq(approvals.id, approvalId))) as Record<string, boolean>[];
    return candidates.map((_, i) => row?.[`c${i}`] === true);
  },
  /** The parts of the rule for one approver and one approval. */
  async check(ex: Executor, approvalId: string, me: StaffRow): Promise<{ visible: boolean; covers: boolean; above: boolean } | undefined> {
    const rule = approverRule(me);
    const [chk] = (await approvalsWithRequester(ex, { visible: rule.visible, covers: rule.covers, above: rule.above }).where(eq(approvals.id, approvalId))) as {
      visible: boolean;
      covers: boolean;
      above: boolean;
    }[];
    return chk;
  },
  /** The approvals `me` may decide, requested, or decided (with `mayDecide` and what the approver needs to see). */
  async listFor(ex: Executor, me: StaffRow, state: string | undefined): Promise<ApprovalListRow[]> {
    const rule = approverRule(me);
    return await approvalsWithRequester(ex, { ...approvalDetailFields, mayDecide: rule.all })
      .leftJoin(customers, eq(customers.id, tickets.customerId))
      .leftJoin(compensations, and(eq(approvals.kind, 'compensation'), eq(compensations.id, approvals.subjectId)))
      .leftJoin(orderChanges, and(eq(approvals.kind, 'order_change'), eq(orderChanges.id, approvals.subjectId)))
      .where(and(state ? eq(approvals.state, state) : undefined, or(eq(approvals.requestedById, me.id), eq(approvals.decidedById, me.id), rule.all)))
      .orderBy(desc(approvals.id))
      .limit(200);
  },
  /** One approval with the same details as the list (after a decision). */
  async detail(ex: Executor, id: string): Promise<Omit<ApprovalListRow, 'mayDecide'> | undefined> {
    const [row] = (await approvalsWithRequester(ex, approvalDetailFields)
      .leftJoin(customers, eq(customers.id, tickets.customerId))
      .leftJoin(compensations, and(eq(approvals.kind, 'compensation'), eq(compensations.id, approvals.subjectId)))
      .leftJoin(orderChanges, and(eq(approvals.kind, 'order_change'), eq(orderChanges.id, approvals.subjectId)))
      .where(eq(approvals.id, id))) as Omit<ApprovalListRow, 'mayDecide'>[];
    return row;
  },
  /** The next readable approval number of a local day (SP20261205-0012); the counter row is locked until commit. */
  async nextNumber(tx: Tx, day: string): Promise<string> {
    const res = (await tx.execute(sql`INSERT INTO approval_counters (day, value) VALUES (${day}, 1)
      ON CONFLICT (day) DO UPDATE SET value = approval_counters.value + 1 RETURNING value`)) as { rows: { value: number }[] };
    return `SP${day}-${String(res.rows[0]!.value).padStart(4, '0')}`;
  },
  async lock(tx: Tx, id: string): Promise<ApprovalRow | undefined> {
    const [a] = await tx.select().from(approvals).where(eq(approvals.id, id)).for('update');
    return a;
  },
  /** Files an approval with the next number of `day` (the organisation's local day, `orgDay`). */
  async insert(tx: Tx, day: string, a: Omit<typeof approvals.$inferInsert, 'number'>): Promise<string> {
    const number = await this.nextNumber(tx, day);
    await tx.insert(approvals).values({ ...a, number });
    return number;
  },
  async decide(tx: Tx, id: string, set: { state: string; decidedById: string; comment: string; decidedAt: Date }): Promise<ApprovalRow> {
    const [row] = await tx.update(approvals).set(set).where(eq(approvals.id, id)).returning();
    return row!;
  },
  async insertCompensation(tx: Tx, c: typeof compensations.$inferInsert): Promise<CompensationRow> {
    const [row] = await tx.insert(compensations).values(c).returning();
    return row!;
  },
  async setCompensationState(tx: Tx, id: string, state: string): Promise<void> {
    await tx.update(compensations).set({ state, decidedAt: new Date() }).where(eq(compensations.id, id));
  },
  async lockOrderChange(tx: Tx, id: string) {
    const [change] = await tx.select().from(orderChanges).where(eq(orderChanges.id, id)).for('update');
    return change;
  },
  async setOrderChangeState(tx: Tx, id: string, state: string): Promise<void> {
    await tx.update(orderChanges).set({ state }).where(eq(orderChanges.id, id));
  },
  async insertOrderChange(tx: Tx, c: typeof orderChanges.$inferInsert): Promise<void> {
    await tx.insert(orderChanges).values(c);
  },
};
