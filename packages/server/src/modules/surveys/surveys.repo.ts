/** Every query of the surveys module (templates, invitations, responses, soft-standard answers). */
import { and, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client';
import {
  customers,
  settings,
  softStandardAnswers,
  staff,
  standards,
  standardVersions,
  surveyInvitations,
  surveyResponses,
  surveyTemplates,
  teams,
  tickets,
} from '../../db/schema';
import type { Actor } from '../../lib/context';
import { ticketVisibilityScope } from '../tickets/visibility';

export type TemplateRow = typeof surveyTemplates.$inferSelect;
export type InvitationRow = typeof surveyInvitations.$inferSelect;
export type ResponseRow = typeof surveyResponses.$inferSelect;
type TicketRow = typeof tickets.$inferSelect;
/** One group of soft-standard answers: the group key (team, agent, day or 'all'), agreeing and all answers. */
export interface AgreeCount {
  key: string | null;
  agree: number;
  total: number;
}
export type SoftGroupBy = 'team' | 'agent' | 'day' | undefined;
export interface SoftFilter {
  from: Date;
  to: Date;
  tz: string;
  by: SoftGroupBy;
  teamId?: string | undefined;
  agentId?: string | undefined;
}

function groupExpr(by: SoftGroupBy, tz: string): SQL {
  return by === 'team'
    ? sql`team_id::text`
    : by === 'agent'
      ? sql`owner_id::text`
      : by === 'day'
        ? sql`to_char(answered_at AT TIME ZONE ${tz}, 'YYYY-MM-DD')`
        : sql`'all'`;
}
const softFilters = (f: SoftFilter) => sql`${f.teamId ? sql` AND team_id = ${f.teamId}` : sql``}${f.agentId ? sql` AND owner_id = ${f.agentId}` : sql``}`;

export const surveysRepo = {
  // ── templates ──
  async listTemplates(ex: Executor): Promise<TemplateRow[]> {
    return ex.select().from(surveyTemplates).orderBy(surveyTemplates.createdAt);
  },
  async templateById(ex: Executor, id: string): Promise<TemplateRow | undefined> {
    const [t] = await ex.select().from(surveyTemplates).where(eq(surveyTemplates.id, id));
    return t;
  },
  async lockTemplate(tx: Tx, id: string): Promise<TemplateRow | undefined> {
    const [t] = await tx.select().from(surveyTemplates).where(eq(surveyTemplates.id, id)).for('update');
    return t;
  },
  async insertTemplate(ex: Executor, values: typeof surveyTemplates.$inferInsert): Promise<TemplateRow> {
    const [row] = await ex.insert(surveyTemplates).values(values).returning();
    return row!;
  },
  async updateTemplate(ex: Executor, id: string, set: Partial<TemplateRow>): Promise<TemplateRow> {
    const [row] = await ex.update(surveyTemplates).set(set).where(eq(surveyTemplates.id, id)).returning();
    return row!;
  },
  async hasAnyTemplate(ex: Executor): Promise<boolean> {
    const [any] = await ex.select({ id: surveyTemplates.id }).from(surveyTemplates).limit(1);
    return !!any;
  },
  async insertTemplateIfAbsent(ex: Executor, values: typeof surveyTemplates.$inferInsert): Promise<void> {
    await ex.insert(surveyTemplates).values(values).onConflictDoNothing();
  },
  /** Active templates, oldest first (the first is the default for a manual or follow-up survey). */
  async activeTemplates(ex: Executor, limit?: number): Promise<TemplateRow[]> {
    const q = ex.select().from(surveyTemplates).where(eq(surveyTemplates.active, true)).orderBy(surveyTemplates.createdAt);
    return limit ? q.limit(limit) : q;
  },
  /** The current definitions of standards by id (to check that a question measures a soft standard). */
  async standardDefinitions(ex: Executor, ids?: string[]): Promise<{ id: string; code: string; active: boolean; def: unknown }[]> {
    const q = ex
      .select({ id: standards.id, code: standards.code, active: standards.active, def: standardVersions.definition })
      .from(standards)
      .innerJoin(standardVersions, eq(standardVersions.id, standards.currentVersionId));
    return ids ? q.where(inArray(standards.id, ids)) : q;
  },

  // ── invitations ──
  async customerConsent(ex: Executor, customerId: string): Promise<{ surveys?: boolean } | undefined> {
    const [c] = await ex.select({ consent: customers.consent }).from(customers).where(eq(customers.id, customerId));
    return c?.consent as { surveys?: boolean } | undefined;
  },
  async invitedSince(ex: Executor, customerId: string, templateId: string, since: Date): Promise<boolean> {
    const [recent] = await ex
      .select({ id: surveyInvitations.id })
      .from(surveyInvitations)
      .where(and(eq(surveyInvitations.customerId, customerId), eq(surveyInvitations.templateId, templateId), gte(surveyInvitations.createdAt, since)))
      .limit(1);
    return !!recent;
  },
  async insertInvitation(ex: Executor, values: typeof surveyInvitations.$inferInsert): Promise<InvitationRow> {
    const [inv] = await ex.insert(surveyInvitations).values(values).returning();
    return inv!;
  },
  /** Scheduled invitations whose time came, claimed with SKIP LOCKED (each is sent by one process). */
  async claimDueInvitations(tx: Tx, now: Date, limit: number): Promise<InvitationRow[]> {
    return tx
      .select()
      .from(surveyInvitations)
      .where(and(eq(surveyInvitations.state, 'scheduled'), sql`${surveyInvitations.sendAt} <= ${now}`))
      .orderBy(surveyInvitations.sendAt)
      .limit(limit)
      .for('update', { skipLocked: true });
  },
  async markSent(ex: Executor, id: string, now: Date): Promise<void> {
    await ex.update(surveyInvitations).set({ state: 'sent', sentAt: now }).where(eq(surveyInvitations.id, id));
  },
  async expireInvitations(ex: Executor, now: Date): Promise<void> {
    await ex
      .update(surveyInvitations)
      .set({ state: 'expired' })
      .where(and(eq(surveyInvitations.state, 'sent'), lt(surveyInvitations.expiresAt, now)));
  },
  async ticketById(ex: Executor, id: string, lock = false): Promise<TicketRow | undefined> {
    const q = ex.select().from(tickets).where(eq(tickets.id, id));
    const [t] = lock ? await q.for('update') : await q;
    return t;
  },
  async invitationsOfTicket(ex: Executor, ticketId: string): Promise<InvitationRow[]> {
    return ex.select().from(surveyInvitations).where(eq(surveyInvitations.ticketId, ticketId)).orderBy(desc(surveyInvitations.id));
  },
  async responsesOfInvitations(ex: Executor, ids: string[]): Promise<ResponseRow[]> {
    return ids.length ? ex.select().from(surveyResponses).where(inArray(surveyResponses.invitationId, ids)) : [];
  },
  async lockInvitation(tx: Tx, id: string): Promise<InvitationRow | undefined> {
    const [inv] = await tx.select().from(surveyInvitations).where(eq(surveyInvitations.id, id)).for('update');
    return inv;
  },
  /** What the public survey page needs: the invitation, its template and the ticket's number and subject. */
  async publicSurvey(ex: Executor, id: string) {
    const [row] = await ex
      .select({ inv: surveyInvitations, tpl: surveyTemplates, number: tickets.number, subject: tickets.subject })
      .from(surveyInvitations)
      .innerJoin(surveyTemplates, eq(surveyTemplates.id, surveyInvitations.templateId))
      .innerJoin(tickets, eq(tickets.id, surveyInvitations.ticketId))
      .where(eq(surveyInvitations.id, id));
    return row;
  },

  // ── answers ──
  async insertResponse(ex: Executor, values: typeof surveyResponses.$inferInsert): Promise<void> {
    await ex.insert(surveyResponses).values(values);
  },
  async markAnswered(ex: Executor, id: string, at: Date): Promise<void> {
    await ex.update(surveyInvitations).set({ state: 'answered', answeredAt: at }).where(eq(surveyInvitations.id, id));
  },
  async insertSoftAnswers(ex: Executor, rows: (typeof softStandardAnswers.$inferInsert)[]): Promise<void> {
    if (rows.length) await ex.insert(softStandardAnswers).values(rows);
  },
  /** A customer's answers on tickets the actor may see, newest first. */
  async customerResponses(ex: Executor, actor: Actor, customerId: string) {
    return ex
      .select({ r: surveyResponses, number: tickets.number, subject: tickets.subject })
      .from(surveyResponses)
      .innerJoin(tickets, eq(tickets.id, surveyResponses.ticketId))
      .where(and(eq(surveyResponses.customerId, customerId), ticketVisibilityScope(actor)))
      .orderBy(desc(surveyResponses.answeredAt))
      .limit(100);
  },
  async customerPendingInvitations(ex: Executor, actor: Actor, customerId: string): Promise<InvitationRow[]> {
    return (
      await ex
        .select({ p: surveyInvitations })
        .from(surveyInvitations)
        .innerJoin(tickets, eq(tickets.id, surveyInvitations.ticketId))
        .where(and(eq(surveyInvitations.customerId, customerId), inArray(surveyInvitations.state, ['scheduled', 'sent']), ticketVisibilityScope(actor)))
        .orderBy(desc(surveyInvitations.id))
        .limit(20)
    ).map((r) => r.p);
  },

  // ── soft-standard compliance ──
  /** Answers to questions linked to a standard, grouped. */
  async linkedAgreeCounts(ex: Executor, standardId: string, f: SoftFilter): Promise<AgreeCount[]> {
    const res = (await ex.execute(sql`SELECT ${groupExpr(f.by, f.tz)} AS key, count(*) FILTER (WHERE agree)::int AS agree, count(*)::int AS total
      FROM soft_standard_answers WHERE standard_id = ${standardId} AND answered_at >= ${f.from} AND answered_at < ${f.to}${softFilters(f)} GROUP BY 1`)) as {
      rows: AgreeCount[];
    };
    return res.rows;
  },
  /** Survey scores against a threshold (csat/nps ≥ threshold, ces ≤ threshold), grouped. */
  async measuredAgreeCounts(ex: Executor, measure: 'csat' | 'nps' | 'ces', threshold: number, f: SoftFilter): Promise<AgreeCount[]> {
    const col = sql.raw(measure);
    const cmp = measure === 'ces' ? sql`${col} <= ${threshold}` : sql`${col} >= ${threshold}`;
    const res = (await ex.execute(sql`SELECT ${groupExpr(f.by, f.tz)} AS key, count(*) FILTER (WHERE ${cmp})::int AS agree, count(*)::int AS total
      FROM survey_responses WHERE ${col} IS NOT NULL AND answered_at >= ${f.from} AND answered_at < ${f.to}${softFilters(f)} GROUP BY 1`)) as {
      rows: AgreeCount[];
    };
    return res.rows;
  },
  async staffNames(ex: Executor, ids: string[]): Promise<{ id: string; name: string }[]> {
    return ids.length ? ex.select({ id: staff.id, name: staff.name }).from(staff).where(inArray(staff.id, ids)) : [];
  },
  async teamNames(ex: Executor, ids: string[]): Promise<{ id: string; name: string }[]> {
    return ids.length ? ex.select({ id: teams.id, name: teams.name }).from(teams).where(inArray(teams.id, ids)) : [];
  },

  // ── public link: secret and rate limits ──
  /** The stored survey secret, created once (the first process to ask wins). */
  async surveySecret(ex: Executor, fresh: string): Promise<string> {
    await ex
      .insert(settings)
      .values({ key: 'surveys.secret', value: { secret: fresh } })
      .onConflictDoNothing();
    const [row] = await ex.select().from(settings).where(eq(settings.key, 'surveys.secret'));
    return String((row!.value as { secret: string }).secret);
  },
  /** Count one request in each key's window; returns the counts after it. */
  async countRequests(ex: Executor, keys: string[], windowStart: number): Promise<{ key: string; count: number }[]> {
    const values = sql.join(
      keys.map((k) => sql`(${k}, ${windowStart}, 1)`),
      sql`, `,
    );
    const res = (await ex.execute(sql`INSERT INTO survey_rate_limits (key, window_start, count) VALUES ${values}
    ON CONFLICT (key, window_start) DO UPDATE SET count = survey_rate_limits.count + 1 RETURNING key, count`)) as { rows: { key: string; count: number }[] };
    return res.rows;
  },
  async pruneRateWindows(ex: Executor, before: number): Promise<void> {
    await ex.execute(sql`DELETE FROM survey_rate_limits WHERE window_start < ${before}`);
  },
};
