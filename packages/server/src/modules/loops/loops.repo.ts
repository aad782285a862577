/** Every query of the closed loops (recovery cases, complaint cases and steps, care plans and tasks, reactivation, settings). */
import { and, asc, desc, eq, gte, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client';
import {
  carePlans,
  channelOutbox,
  careTasks,
  complaintCases,
  complaintSteps,
  customers,
  improvementActions,
  reactivationRuns,
  recoveryCases,
  settings,
  staff,
  standards,
  standardVersions,
  teams,
  tickets,
} from '../../db/schema';
import type { Actor } from '../../lib/context';
import { ticketVisibilityScope } from '../tickets/visibility';

export type RecoveryRow = typeof recoveryCases.$inferSelect;
export type ComplaintCaseRow = typeof complaintCases.$inferSelect;
export type CareTaskRow = typeof careTasks.$inferSelect;
export type TicketRow = typeof tickets.$inferSelect;

const OPEN_TICKET_STATUSES = ['new', 'assigned', 'in_progress', 'pending_customer', 'pending_internal', 'resolved'];

export const loopsRepo = {
  // ── shared ──
  async lockTicket(tx: Tx, id: string): Promise<TicketRow | undefined> {
    const [t] = await tx.select().from(tickets).where(eq(tickets.id, id)).for('update');
    return t;
  },
  async updateTicket(tx: Tx, id: string, set: Partial<TicketRow>): Promise<TicketRow> {
    const [t] = await tx.update(tickets).set(set).where(eq(tickets.id, id)).returning();
    return t!;
  },
  /** Active staff with one of these roles. */
  async activeStaffWithRole(ex: Executor, role: string, teamId?: string): Promise<string[]> {
    const conds = [eq(staff.active, true), sql`${staff.roles} @> ARRAY[${role}]::text[]`, ...(teamId ? [eq(staff.teamId, teamId)] : [])];
    return (
      await ex
        .select({ id: staff.id })
        .from(staff)
        .where(and(...conds))
    ).map((s) => s.id);
  },
  async teamSupervisor(ex: Executor, teamId: string): Promise<string | null> {
    const [t] = await ex.select({ supervisorId: teams.supervisorId }).from(teams).where(eq(teams.id, teamId));
    return t?.supervisorId ?? null;
  },
  async activeStaff(ex: Executor, id: string): Promise<{ id: string; active: boolean } | undefined> {
    const [s] = await ex.select({ id: staff.id, active: staff.active }).from(staff).where(eq(staff.id, id));
    return s;
  },
  async standardExists(ex: Executor, id: string): Promise<boolean> {
    const [s] = await ex.select({ id: standards.id }).from(standards).where(eq(standards.id, id));
    return !!s;
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

  // ── recovery ──
  async standardCodes(ex: Executor, codes: string[]): Promise<string[]> {
    return (await ex.select({ code: standards.code }).from(standards).where(inArray(standards.code, codes))).map((r) => r.code);
  },
  /** Adopt a standard from a template unless its code exists; returns whether it was created. */
  async insertStandardIfAbsent(tx: Tx, s: typeof standards.$inferInsert, v: typeof standardVersions.$inferInsert): Promise<boolean> {
    const ins = await tx.insert(standards).values(s).onConflictDoNothing().returning({ id: standards.id });
    if (!ins.length) return false;
    await tx.insert(standardVersions).values(v);
    return true;
  },
  /** Ids of the standards whose current version starts on `recovery.opened`. */
  async recoveryStandardIds(ex: Executor): Promise<Set<string>> {
    const rows = await ex
      .select({ id: standards.id, def: standardVersions.definition })
      .from(standards)
      .innerJoin(standardVersions, eq(standardVersions.id, standards.currentVersionId));
    return new Set(rows.filter((r) => ((r.def as { start?: string[] }).start ?? []).includes('recovery.opened')).map((r) => r.id));
  },
  async lockOpenRecovery(tx: Tx, ticketId: string): Promise<string | null> {
    const [open] = await tx
      .select({ id: recoveryCases.id })
      .from(recoveryCases)
      .where(and(eq(recoveryCases.ticketId, ticketId), isNull(recoveryCases.closedAt)))
      .for('update');
    return open?.id ?? null;
  },
  async insertRecovery(tx: Tx, values: typeof recoveryCases.$inferInsert): Promise<void> {
    await tx.insert(recoveryCases).values(values);
  },
  async lockRecovery(tx: Tx, id: string): Promise<RecoveryRow | undefined> {
    const [c] = await tx.select().from(recoveryCases).where(eq(recoveryCases.id, id)).for('update');
    return c;
  },
  async updateRecovery(tx: Tx, id: string, set: Partial<RecoveryRow>): Promise<RecoveryRow> {
    const [c] = await tx.update(recoveryCases).set(set).where(eq(recoveryCases.id, id)).returning();
    return c!;
  },
  async latestRecoveryOfTicket(ex: Executor, ticketId: string): Promise<RecoveryRow | undefined> {
    const [c] = await ex.select().from(recoveryCases).where(eq(recoveryCases.ticketId, ticketId)).orderBy(desc(recoveryCases.openedAt)).limit(1);
    return c;
  },
  /** The recovery board: cases on tickets the actor may see, newest first (limit + 1 rows, for the cursor). */
  async recoveryBoard(ex: Executor, actor: Actor, q: { state?: 'open' | 'closed' | 'all' | undefined; limit: number; cursor?: string | undefined }) {
    const v = ticketVisibilityScope(actor);
    const cond = q.state === 'closed' ? sql`${recoveryCases.closedAt} IS NOT NULL` : q.state === 'all' ? sql`true` : isNull(recoveryCases.closedAt);
    const conds = [cond, ...(v ? [v] : []), ...(q.cursor ? [lt(recoveryCases.id, q.cursor)] : [])];
    return ex
      .select({ c: recoveryCases, t: tickets, customerName: customers.name, supervisorName: staff.name })
      .from(recoveryCases)
      .innerJoin(tickets, eq(tickets.id, recoveryCases.ticketId))
      .leftJoin(customers, eq(customers.id, recoveryCases.customerId))
      .leftJoin(staff, eq(staff.id, recoveryCases.supervisorId))
      .where(and(...conds))
      .orderBy(desc(recoveryCases.id))
      .limit(q.limit + 1);
  },

  // ── complaints ──
  async ensureComplaintCase(tx: Tx, id: string, ticketId: string): Promise<ComplaintCaseRow> {
    await tx.insert(complaintCases).values({ id, ticketId }).onConflictDoNothing();
    const [c] = await tx.select().from(complaintCases).where(eq(complaintCases.ticketId, ticketId));
    return c!;
  },
  async complaintCaseOfTicket(ex: Executor, ticketId: string): Promise<ComplaintCaseRow | undefined> {
    const [c] = await ex.select().from(complaintCases).where(eq(complaintCases.ticketId, ticketId));
    return c;
  },
  async complaintCase(ex: Executor, id: string): Promise<ComplaintCaseRow | undefined> {
    const [c] = await ex.select().from(complaintCases).where(eq(complaintCases.id, id));
    return c;
  },
  async updateComplaintCase(ex: Executor, id: string, set: Partial<ComplaintCaseRow>): Promise<ComplaintCaseRow> {
    const [c] = await ex.update(complaintCases).set(set).where(eq(complaintCases.id, id)).returning();
    return c!;
  },
  async doneSteps(ex: Executor, caseId: string): Promise<Set<string>> {
    return new Set((await ex.select({ step: complaintSteps.step }).from(complaintSteps).where(eq(complaintSteps.caseId, caseId))).map((r) => r.step));
  },
  async stepsOf(ex: Executor, caseId: string) {
    return ex
      .select({ s: complaintSteps, byName: staff.name })
      .from(complaintSteps)
      .leftJoin(staff, eq(staff.id, complaintSteps.recordedBy))
      .where(eq(complaintSteps.caseId, caseId))
      .orderBy(asc(complaintSteps.recordedAt));
  },
  /** Record a step, or correct it (one row per case and step). */
  async upsertStep(tx: Tx, caseId: string, step: string, evidence: string, data: Record<string, unknown>, by: string | null): Promise<void> {
    await tx
      .insert(complaintSteps)
      .values({ caseId, step, evidence, data, recordedBy: by })
      .onConflictDoUpdate({ target: [complaintSteps.caseId, complaintSteps.step], set: { evidence, data, recordedBy: by, recordedAt: new Date() } });
  },
  async insertImprovement(tx: Tx, values: typeof improvementActions.$inferInsert): Promise<void> {
    await tx.insert(improvementActions).values(values);
  },
  async directors(ex: Executor): Promise<string[]> {
    return (
      await ex
        .select({ id: staff.id })
        .from(staff)
        .where(and(eq(staff.active, true), sql`${staff.roles} && ARRAY['director']::text[]`))
    ).map((m) => m.id);
  },
  /** The complaint board: complaint tickets the actor may see (open ones unless `all`), newest first, limit + 1 rows. */
  async complaintBoard(ex: Executor, actor: Actor, q: { state?: 'open' | 'all' | undefined; limit: number; cursor?: string | undefined }) {
    const v = ticketVisibilityScope(actor);
    const conds = [
      eq(tickets.type, 'complaint'),
      ...(q.state === 'all' ? [] : [inArray(tickets.status, OPEN_TICKET_STATUSES)]),
      ...(v ? [v] : []),
      ...(q.cursor ? [lt(tickets.id, q.cursor)] : []),
    ];
    return ex
      .select({ t: tickets, c: complaintCases, customerName: customers.name, ownerName: staff.name })
      .from(tickets)
      .leftJoin(complaintCases, eq(complaintCases.ticketId, tickets.id))
      .leftJoin(customers, eq(customers.id, tickets.customerId))
      .leftJoin(staff, eq(staff.id, tickets.ownerId))
      .where(and(...conds))
      .orderBy(desc(tickets.id))
      .limit(q.limit + 1);
  },

  // ── care ──
  async upsertCarePlan(tx: Tx, v: { ticketId: string; customerId: string; guaranteeUntil: Date }): Promise<void> {
    await tx
      .insert(carePlans)
      .values({ ...v, state: 'active' })
      .onConflictDoUpdate({ target: carePlans.ticketId, set: { guaranteeUntil: v.guaranteeUntil, state: 'active', reopenedByTicketId: null } });
  },
  /** Cancel a ticket's pending tasks (care only, or every kind). */
  async cancelPendingTasksOfTicket(ex: Executor, ticketId: string, kind?: 'care'): Promise<void> {
    await ex
      .update(careTasks)
      .set({ state: 'cancelled' })
      .where(and(eq(careTasks.ticketId, ticketId), eq(careTasks.state, 'pending'), ...(kind ? [eq(careTasks.kind, kind)] : [])));
  },
  async insertTasks(ex: Executor, rows: (typeof careTasks.$inferInsert)[]): Promise<void> {
    if (rows.length) await ex.insert(careTasks).values(rows);
  },
  async endCarePlan(ex: Executor, ticketId: string): Promise<void> {
    await ex
      .update(carePlans)
      .set({ state: 'ended' })
      .where(and(eq(carePlans.ticketId, ticketId), eq(carePlans.state, 'active')));
  },
  /** The customer's active guarantee window (latest first) covering `at`, other than this ticket's, locked. */
  async lockGuaranteePlan(tx: Tx, customerId: string, at: Date, exceptTicketId: string) {
    const [plan] = await tx
      .select()
      .from(carePlans)
      .where(
        and(
          eq(carePlans.customerId, customerId),
          eq(carePlans.state, 'active'),
          gte(carePlans.guaranteeUntil, at),
          sql`${carePlans.ticketId} <> ${exceptTicketId}`,
        ),
      )
      .orderBy(sql`${carePlans.guaranteeUntil} DESC`)
      .limit(1)
      .for('update');
    return plan;
  },
  async markPlanReopened(tx: Tx, ticketId: string, byTicketId: string): Promise<void> {
    await tx.update(carePlans).set({ state: 'reopened', reopenedByTicketId: byTicketId }).where(eq(carePlans.ticketId, ticketId));
  },
  /** The care calendar: tasks in [from, to]; the ticket's number and subject only when the actor may see the ticket. */
  async tasks(
    ex: Executor,
    actor: Actor,
    f: {
      from: Date;
      to: Date;
      kind?: string | undefined;
      state?: string | undefined;
      ownerId?: string | undefined;
      scopeTeamOf?: { id: string; teamId: string | null } | undefined;
      limit: number;
    },
  ) {
    const conds: SQL[] = [gte(careTasks.dueAt, f.from), lte(careTasks.dueAt, f.to)];
    if (f.kind) conds.push(eq(careTasks.kind, f.kind));
    if (f.state) conds.push(eq(careTasks.state, f.state));
    if (f.ownerId) conds.push(eq(careTasks.ownerId, f.ownerId));
    else if (f.scopeTeamOf) {
      const me = f.scopeTeamOf;
      conds.push(me.teamId ? or(eq(careTasks.ownerId, me.id), and(isNull(careTasks.ownerId), eq(careTasks.teamId, me.teamId)))! : eq(careTasks.ownerId, me.id));
    }
    return ex
      .select({ r: careTasks, number: tickets.number, subject: tickets.subject, customerName: customers.name, ownerName: staff.name })
      .from(careTasks)
      .leftJoin(tickets, and(eq(tickets.id, careTasks.ticketId), ticketVisibilityScope(actor)))
      .leftJoin(customers, eq(customers.id, careTasks.customerId))
      .leftJoin(staff, eq(staff.id, careTasks.ownerId))
      .where(and(...conds))
      .orderBy(asc(careTasks.dueAt))
      .limit(f.limit);
  },
  async lockTask(tx: Tx, id: string): Promise<CareTaskRow | undefined> {
    const [r] = await tx.select().from(careTasks).where(eq(careTasks.id, id)).for('update');
    return r;
  },
  async updateTask(tx: Tx, id: string, set: Partial<CareTaskRow>): Promise<CareTaskRow> {
    const [r] = await tx.update(careTasks).set(set).where(eq(careTasks.id, id)).returning();
    return r!;
  },

  // ── automatic touches (migration 0046) ──
  /** Due automatic touches, claimed FOR UPDATE SKIP LOCKED (two schedulers at once send each once). */
  async claimDueTouches(tx: Tx, now: Date, limit: number): Promise<CareTaskRow[]> {
    return tx
      .select()
      .from(careTasks)
      .where(and(eq(careTasks.state, 'pending'), eq(careTasks.mode, 'message'), isNull(careTasks.autoState), lte(careTasks.dueAt, now)))
      .orderBy(asc(careTasks.dueAt))
      .limit(limit)
      .for('update', { skipLocked: true });
  },
  /** What a touch's text and channel order need: the customer (name, consent) and the ticket (or their last one). */
  async touchContext(ex: Executor, r: CareTaskRow) {
    const [c] = await ex.select({ name: customers.name, consent: customers.consent }).from(customers).where(eq(customers.id, r.customerId)).limit(1);
    const [t] = await ex
      .select({ id: tickets.id, number: tickets.number, subject: tickets.subject, channel: tickets.channel })
      .from(tickets)
      .where(r.ticketId ? eq(tickets.id, r.ticketId) : eq(tickets.customerId, r.customerId))
      .orderBy(sql`${tickets.createdAt} DESC`)
      .limit(1);
    return { customer: c, ticket: t };
  },
  /** The delivery status of automatic touches' outbox rows (sent, delivered by receipt, dead…). */
  async touchDeliveries(ex: Executor, outboxIds: string[]): Promise<Map<string, { status: string; receipt: string | null; sentAt: Date | null }>> {
    if (!outboxIds.length) return new Map();
    const rows = await ex
      .select({ id: channelOutbox.id, status: channelOutbox.status, receipt: channelOutbox.receipt, sentAt: channelOutbox.sentAt })
      .from(channelOutbox)
      .where(inArray(channelOutbox.id, outboxIds));
    return new Map(rows.map((r) => [r.id, { status: r.status, receipt: r.receipt, sentAt: r.sentAt }]));
  },

  // ── reactivation ──
  async pendingTasksOfRun(ex: Executor, runId: string): Promise<number> {
    const [left] = await ex
      .select({ n: sql<number>`count(*)::int` })
      .from(careTasks)
      .where(and(eq(careTasks.runId, runId), eq(careTasks.state, 'pending')));
    return Number(left?.n ?? 0);
  },
  async completeRun(ex: Executor, runId: string, at: Date): Promise<void> {
    await ex
      .update(reactivationRuns)
      .set({ state: 'completed', endedAt: at })
      .where(and(eq(reactivationRuns.id, runId), eq(reactivationRuns.state, 'active')));
  },
  /** Stop an active run and cancel its pending tasks; false when it was not active. */
  async stopRun(ex: Executor, runId: string, reason: string): Promise<boolean> {
    const stopped = await ex
      .update(reactivationRuns)
      .set({ state: 'stopped', stoppedReason: reason, endedAt: new Date() })
      .where(and(eq(reactivationRuns.id, runId), eq(reactivationRuns.state, 'active')))
      .returning({ id: reactivationRuns.id });
    if (!stopped.length) return false;
    await ex
      .update(careTasks)
      .set({ state: 'cancelled' })
      .where(and(eq(careTasks.runId, runId), eq(careTasks.state, 'pending')));
    return true;
  },
  async activeRunOf(ex: Executor, customerId: string): Promise<string | null> {
    const [run] = await ex
      .select({ id: reactivationRuns.id })
      .from(reactivationRuns)
      .where(and(eq(reactivationRuns.customerId, customerId), eq(reactivationRuns.state, 'active')));
    return run?.id ?? null;
  },
  /**
   * Silent customers (no ticket activity or survey answer since `cutoff`, marketing consent, no run active or started
   * since then; never the internal customer), claimed FOR UPDATE SKIP LOCKED.
   */
  async claimSilentCustomers(tx: Tx, cutoff: Date, limit: number): Promise<{ id: string; last_at: string | Date }[]> {
    const res = (await tx.execute(sql`
      SELECT c.id, lc.last_at
        FROM customers c
        JOIN LATERAL (
          SELECT greatest(max(t.created_at), max(t.updated_at), (SELECT max(r.answered_at) FROM survey_responses r WHERE r.customer_id = c.id)) AS last_at
            FROM tickets t WHERE t.customer_id = c.id) lc ON true
       WHERE c.merged_into_id IS NULL AND NOT c.internal AND lc.last_at IS NOT NULL AND lc.last_at < ${cutoff}
         AND coalesce((c.consent->>'marketing')::boolean, true)
         AND NOT EXISTS (SELECT 1 FROM reactivation_runs rr WHERE rr.customer_id = c.id AND (rr.state = 'active' OR rr.started_at >= ${cutoff}))
       ORDER BY lc.last_at LIMIT ${limit}
       FOR UPDATE OF c SKIP LOCKED`)) as { rows: { id: string; last_at: string | Date }[] };
    return res.rows;
  },
  async insertRunIfAbsent(tx: Tx, values: typeof reactivationRuns.$inferInsert): Promise<boolean> {
    return (await tx.insert(reactivationRuns).values(values).onConflictDoNothing().returning({ id: reactivationRuns.id })).length > 0;
  },
  async lastTicketOwner(ex: Executor, customerId: string): Promise<{ ownerId: string | null; teamId: string | null } | undefined> {
    const [last] = await ex
      .select({ ownerId: tickets.ownerId, teamId: tickets.teamId })
      .from(tickets)
      .where(eq(tickets.customerId, customerId))
      .orderBy(sql`${tickets.createdAt} DESC`)
      .limit(1);
    return last;
  },
  async runsOf(ex: Executor, customerId: string) {
    const runs = await ex
      .select()
      .from(reactivationRuns)
      .where(eq(reactivationRuns.customerId, customerId))
      .orderBy(sql`${reactivationRuns.startedAt} DESC`)
      .limit(10);
    const tasks = runs.length
      ? await ex
          .select()
          .from(careTasks)
          .where(
            inArray(
              careTasks.runId,
              runs.map((r) => r.id),
            ),
          )
          .orderBy(asc(careTasks.seq))
      : [];
    return { runs, tasks };
  },

  // ── the consumer's batch path ──
  /** Which of these customers have a guarantee window or a reactivation sequence running (one query). */
  async customerLoopFlags(tx: Tx, customerIds: string[]): Promise<{ id: string; plan: boolean; run: boolean }[]> {
    const res = (await tx.execute(sql`SELECT c::text AS id,
      EXISTS (SELECT 1 FROM care_plans p WHERE p.customer_id = c AND p.state = 'active') AS plan,
      EXISTS (SELECT 1 FROM reactivation_runs r WHERE r.customer_id = c AND r.state = 'active') AS run
    FROM unnest(${`{${customerIds.join(',')}}`}::uuid[]) AS c`)) as { rows: { id: string; plan: boolean; run: boolean }[] };
    return res.rows;
  },
  /** The statement that creates the complaint cases of new complaint tickets (written with the batch, see lib/deferred). */
  complaintCasesInsert(rows: { id: string; t: string }[]): SQL {
    return sql`INSERT INTO complaint_cases (id, ticket_id) SELECT id, t FROM json_to_recordset(${JSON.stringify(rows)}::json) AS x(id uuid, t uuid) ON CONFLICT DO NOTHING`;
  },
};
