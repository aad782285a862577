/**
 * The standards engine's statements (the hot path: clocks written in the event's transaction). Moved here unchanged
 * from engine.ts: one multi-row INSERT and one UPDATE … FROM (VALUES …) per transaction, the open clocks of a ticket
 * locked FOR UPDATE, the action log's primary key as the exactly-once guard.
 */
import { and, asc, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Database, Executor, Tx } from '../db/client';
import { customers, events, staff, standardActions, standardInstances, standards, standardVersions, teams, tickets } from '../db/schema';

export type InstanceRow = typeof standardInstances.$inferSelect;

export const clocksRepo = {
  // ── the clock worker's claim (engine/worker.ts) ──
  /** Earliest pending deadline (ms since the epoch), from the partial index on next_action_at. */
  async earliestDeadline(database: Database): Promise<number | null> {
    const [row] = await database.rows<{ m: Date | string | null }>(
      sql`SELECT min(next_action_at) AS m FROM standard_instances WHERE next_action_at IS NOT NULL`,
    );
    return row?.m ? new Date(row.m).getTime() : null;
  },
  /** Claim up to `limit` clocks due at `now`, oldest first, skipping rows another process holds. */
  claimDue(tx: Tx, now: Date, limit: number) {
    return tx
      .select()
      .from(standardInstances)
      .where(lte(standardInstances.nextActionAt, now))
      .orderBy(asc(standardInstances.nextActionAt))
      .limit(limit)
      .for('update', { skipLocked: true });
  },
  /** Claim one clock if it is still due (the row-by-row retry of a failed batch). */
  claimOneDue(tx: Tx, id: string, now: Date) {
    return tx
      .select()
      .from(standardInstances)
      .where(sql`${standardInstances.id} = ${id} AND ${standardInstances.nextActionAt} <= ${now}`)
      .for('update', { skipLocked: true });
  },
  /** A clock whose action failed is retried with backoff (2^attempts s, at most 5 min), its error kept. */
  async recordActionFailure(tx: Tx, id: string, message: string): Promise<void> {
    await tx
      .update(standardInstances)
      .set({
        attempts: sql`${standardInstances.attempts} + 1`,
        lastError: message.slice(0, 500),
        nextActionAt: sql`now() + make_interval(secs => least(300, power(2, ${standardInstances.attempts} + 1)))`,
      })
      .where(eq(standardInstances.id, id));
  },
  /** Standard versions (with the standard's code) by id. */
  versions(ex: Executor, ids: string[]) {
    return ex
      .select({
        id: standardVersions.id,
        standardId: standardVersions.standardId,
        version: standardVersions.version,
        definition: standardVersions.definition,
        code: standards.code,
      })
      .from(standardVersions)
      .innerJoin(standards, eq(standards.id, standardVersions.standardId))
      .where(inArray(standardVersions.id, ids));
  },
  /** Current version ids of the active standards. */
  activeVersionIds(ex: Executor) {
    return ex.select({ versionId: standards.currentVersionId, adoptedAt: standards.createdAt }).from(standards).where(eq(standards.active, true));
  },
  /** NOTIFY every process (delivered on commit). */
  async notify(ex: Executor, channel: string, payload: string): Promise<void> {
    await ex.execute(sql`SELECT pg_notify(${channel}, ${payload})`);
  },
  /** Tickets with their customer's tier and VIP flag. */
  ticketsWithCustomer(ex: Executor, ids: string[]) {
    return ex
      .select({ t: tickets, tier: customers.tier, vip: customers.vip, assistance: customers.assistance })
      .from(tickets)
      .leftJoin(customers, eq(customers.id, tickets.customerId))
      .where(inArray(tickets.id, ids));
  },
  async insertInstances(tx: Tx, rows: InstanceRow[]): Promise<void> {
    await tx.insert(standardInstances).values(rows).onConflictDoNothing();
  },
  /** Every changed clock in one statement. */
  async updateInstances(tx: Tx, rows: InstanceRow[]): Promise<void> {
    const ts = (d: Date | null) => (d ? d.toISOString() : null);
    const values = sql.join(
      rows.map(
        (r) => sql`(${r.id}::uuid, ${r.state}::text, ${r.consumedMs}::bigint, ${ts(r.segmentStartedAt)}::timestamptz, ${ts(r.dueAt)}::timestamptz,
      ${ts(r.pausedAt)}::timestamptz, ${ts(r.metAt)}::timestamptz, ${ts(r.breachedAt)}::timestamptz, ${ts(r.endedAt)}::timestamptz, ${r.endReason}::text,
      ${r.warningsSent}::int, ${r.escalationsSent}::int, ${ts(r.nextActionAt)}::timestamptz, ${r.nextAction}::text, ${r.late}::boolean, ${r.attempts}::int,
      ${r.lastError}::text, ${r.ownerId}::uuid, ${r.teamId}::uuid)`,
      ),
      sql`, `,
    );
    await tx.execute(sql`UPDATE standard_instances AS i SET state = v.state, consumed_ms = v.consumed_ms, segment_started_at = v.segment_started_at,
      due_at = v.due_at, paused_at = v.paused_at, met_at = v.met_at, breached_at = v.breached_at, ended_at = v.ended_at, end_reason = v.end_reason,
      warnings_sent = v.warnings_sent, escalations_sent = v.escalations_sent, next_action_at = v.next_action_at, next_action = v.next_action, late = v.late,
      attempts = v.attempts, last_error = v.last_error, owner_id = v.owner_id, team_id = v.team_id
      FROM (VALUES ${values}) AS v(id, state, consumed_ms, segment_started_at, due_at, paused_at, met_at, breached_at, ended_at, end_reason,
        warnings_sent, escalations_sent, next_action_at, next_action, late, attempts, last_error, owner_id, team_id)
      WHERE i.id = v.id`);
  },
  async staffTeam(tx: Tx, staffId: string): Promise<string | null> {
    return (await tx.select({ teamId: staff.teamId }).from(staff).where(eq(staff.id, staffId)))[0]?.teamId ?? null;
  },
  async teamSupervisor(tx: Tx, teamId: string): Promise<string | null> {
    const [team] = await tx.select({ sup: teams.supervisorId }).from(teams).where(eq(teams.id, teamId));
    return team?.sup ?? null;
  },
  async activeStaff(tx: Tx, id: string): Promise<string | null> {
    const [s] = await tx
      .select({ id: staff.id })
      .from(staff)
      .where(and(eq(staff.id, id), eq(staff.active, true)));
    return s?.id ?? null;
  },
  async teamSupervisors(tx: Tx, teamId: string): Promise<string[]> {
    return (
      await tx
        .select({ id: staff.id })
        .from(staff)
        .where(and(eq(staff.teamId, teamId), eq(staff.active, true), sql`'supervisor' = ANY(${staff.roles})`))
        .limit(10)
    ).map((r) => r.id);
  },
  /** Active staff with a role, by id (at most `limit`). */
  async withRole(tx: Tx, role: string, limit: number): Promise<string[]> {
    return (
      await tx
        .select({ id: staff.id })
        .from(staff)
        .where(and(eq(staff.active, true), sql`${role} = ANY(${staff.roles})`))
        .orderBy(staff.id)
        .limit(limit)
    ).map((r) => r.id);
  },
  /** The action log entry that makes an action happen once; false when it already exists. */
  async claimAction(tx: Tx, row: typeof standardActions.$inferInsert): Promise<boolean> {
    const out = await tx.insert(standardActions).values(row).onConflictDoNothing().returning({ id: standardActions.instanceId });
    return out.length > 0;
  },
  /** Highest cycle per standard of a ticket's clocks (ended ones included). */
  async cycles(tx: Tx, ticketId: string): Promise<Map<string, number>> {
    const rows = await tx
      .select({ standardId: standardInstances.standardId, n: sql<number>`max(${standardInstances.cycle})::int` })
      .from(standardInstances)
      .where(eq(standardInstances.ticketId, ticketId))
      .groupBy(standardInstances.standardId);
    return new Map(rows.map((r) => [r.standardId, Number(r.n)]));
  },
  /** A ticket's running clocks, locked. */
  openForUpdate(tx: Tx, ticketId: string) {
    return tx
      .select()
      .from(standardInstances)
      .where(and(eq(standardInstances.ticketId, ticketId), isNull(standardInstances.endedAt)))
      .orderBy(standardInstances.id)
      .for('update');
  },
  /** How many of these events happened on the ticket up to event `untilId` (counted standards). */
  async countEvents(tx: Tx, ticketId: string, kinds: string[], untilId: number): Promise<number> {
    const [row] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(events)
      .where(and(eq(events.aggregateType, 'ticket'), eq(events.aggregateId, ticketId), inArray(events.kind, kinds), lte(events.id, untilId)));
    return Number(row?.n ?? 0);
  },
  /** Whether one of these events already happened on the ticket. */
  async ticketHadEvent(tx: Tx, ticketId: string, kinds: string[]): Promise<boolean> {
    const [stopped] = await tx
      .select({ id: events.id })
      .from(events)
      .where(and(eq(events.aggregateType, 'ticket'), eq(events.aggregateId, ticketId), inArray(events.kind, kinds)))
      .limit(1);
    return Boolean(stopped);
  },
  /** Running (or breached, not ended) clocks on a calendar, locked. */
  onCalendarForUpdate(tx: Tx, calendarId: string) {
    return tx
      .select()
      .from(standardInstances)
      .where(and(eq(standardInstances.calendarId, calendarId), isNull(standardInstances.endedAt), inArray(standardInstances.state, ['running', 'breached'])))
      .for('update');
  },
};
