/**
 * The statements of automatic inspection: rules, the inspection queue (qa_queue) and the hits (qa_hits).
 */
import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client';
import { qaRules, tickets } from '../../db/schema';
import type { SoonWrite } from '../../lib/deferred';
import type { QaScope } from '../quality/quality.policy';
import { qaAgentScopeSql } from '../quality/quality.repo';

export type RuleRow = typeof qaRules.$inferSelect;
export type RuleInsert = typeof qaRules.$inferInsert;

/** A staff message the worker inspects. */
export interface MessageRow {
  reply_id: string;
  ticket_id: string;
  author_id: string | null;
  visibility: string;
  body: string;
  type: string;
  channel: string;
  first: boolean;
  last: boolean;
}

export interface HitInsert {
  ticket_id: string;
  reply_id: string;
  author_id: string | null;
  rule: string;
  rule_version: number;
  severity: string;
  start_offset: number;
  end_offset: number;
  excerpt: string;
  suggestion: string | null;
}

export interface HitRow {
  id: number | string;
  ticket_id: string;
  reply_id: string;
  author_id: string | null;
  rule: string;
  severity: string;
  start_offset: number;
  end_offset: number;
  excerpt: string;
  suggestion: string | null;
  created_at: Date | string;
}

const rowsOf = <T>(r: unknown): T[] => (r as { rows: T[] }).rows;

export const inspectionRepo = {
  // ─────────────── rules
  listRules(ex: Executor): Promise<RuleRow[]> {
    return ex.select().from(qaRules).orderBy(asc(qaRules.code));
  },
  enabledRules(ex: Executor): Promise<RuleRow[]> {
    return ex.select().from(qaRules).where(eq(qaRules.enabled, true)).orderBy(asc(qaRules.code));
  },
  async ruleById(ex: Executor, id: string, lock = false): Promise<RuleRow | undefined> {
    const q = ex.select().from(qaRules).where(eq(qaRules.id, id));
    const [row] = lock ? await q.for('update') : await q;
    return row;
  },
  async ruleByCode(ex: Executor, code: string): Promise<RuleRow | undefined> {
    const [row] = await ex.select().from(qaRules).where(eq(qaRules.code, code));
    return row;
  },
  async insertRule(tx: Tx, row: RuleInsert): Promise<RuleRow> {
    const [r] = await tx.insert(qaRules).values(row).returning();
    return r!;
  },
  async updateRule(tx: Tx, id: string, set: Partial<RuleInsert>): Promise<RuleRow> {
    const [r] = await tx
      .update(qaRules)
      .set({ ...set, version: sql`${qaRules.version} + 1`, updatedAt: new Date() })
      .where(eq(qaRules.id, id))
      .returning();
    return r!;
  },
  async deleteRule(tx: Tx, id: string): Promise<void> {
    await tx.delete(qaRules).where(eq(qaRules.id, id));
  },

  // ─────────────── queue
  /** The consumer's write (deferred with the command's other outbox writes): queue the messages, wake the worker. */
  enqueue(ticketIds: string[], replyIds: (string | null)[], wakeChannel: string): (id: string) => SoonWrite {
    const json = JSON.stringify(ticketIds.map((t, i) => ({ ticket_id: t, reply_id: replyIds[i] ?? null })));
    return (id) => ({
      ctes: [
        [
          `${id}_qa`,
          sql`INSERT INTO qa_queue (ticket_id, reply_id) SELECT ticket_id, reply_id FROM jsonb_to_recordset(${json}::jsonb) AS x(ticket_id uuid, reply_id uuid) RETURNING 1`,
        ],
      ],
      tail: sql`SELECT pg_notify(${wakeChannel}, '') WHERE EXISTS (SELECT 1 FROM ${sql.raw(`${id}_qa`)})`,
    });
  },
  async claim(tx: Tx, limit: number): Promise<{ id: number | string; ticket_id: string; reply_id: string | null }[]> {
    return rowsOf(await tx.execute(sql`SELECT id, ticket_id, reply_id FROM qa_queue ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED`));
  },
  async removeQueued(tx: Tx, ids: (number | string)[]): Promise<void> {
    await tx.execute(sql`DELETE FROM qa_queue WHERE id = ANY(${`{${ids.join(',')}}`}::bigint[])`);
  },
  async queueLength(ex: Executor): Promise<number> {
    const [r] = rowsOf<{ n: number | string }>(await ex.execute(sql`SELECT count(*) AS n FROM qa_queue`));
    return Number(r?.n ?? 0);
  },

  /**
   * The staff messages to inspect: the queued replies (first = no earlier public staff reply on the ticket), and for
   * each resolved ticket its last public staff reply (last = true).
   */
  async messages(ex: Executor, replyIds: string[], resolvedTickets: string[]): Promise<MessageRow[]> {
    const out: MessageRow[] = [];
    if (replyIds.length) {
      out.push(
        ...rowsOf<MessageRow>(
          await ex.execute(sql`
            SELECT r.id AS reply_id, r.ticket_id, r.author_id, r.visibility, r.body, t.type, t.channel,
              (r.visibility = 'public' AND NOT EXISTS (SELECT 1 FROM ticket_replies p WHERE p.ticket_id = r.ticket_id
                AND p.author_kind = 'staff' AND p.visibility = 'public' AND p.id < r.id)) AS first,
              false AS last
            FROM ticket_replies r JOIN tickets t ON t.id = r.ticket_id
            WHERE r.id = ANY(${`{${replyIds.join(',')}}`}::uuid[]) AND r.author_kind = 'staff'`),
        ),
      );
    }
    if (resolvedTickets.length) {
      out.push(
        ...rowsOf<MessageRow>(
          await ex.execute(sql`
            SELECT DISTINCT ON (r.ticket_id) r.id AS reply_id, r.ticket_id, r.author_id, r.visibility, r.body, t.type, t.channel,
              (NOT EXISTS (SELECT 1 FROM ticket_replies p WHERE p.ticket_id = r.ticket_id
                AND p.author_kind = 'staff' AND p.visibility = 'public' AND p.id < r.id)) AS first,
              true AS last
            FROM ticket_replies r JOIN tickets t ON t.id = r.ticket_id
            WHERE r.ticket_id = ANY(${`{${resolvedTickets.join(',')}}`}::uuid[]) AND r.author_kind = 'staff' AND r.visibility = 'public'
            ORDER BY r.ticket_id, r.id DESC`),
        ),
      );
    }
    return out;
  },

  // ─────────────── hits
  /** Store hits; a hit already stored for the same reply, rule and offset is kept as it is. */
  async insertHits(tx: Tx, hits: HitInsert[]): Promise<void> {
    if (hits.length === 0) return;
    await tx.execute(sql`
      INSERT INTO qa_hits (ticket_id, reply_id, author_id, rule, rule_version, severity, start_offset, end_offset, excerpt, suggestion)
      SELECT ticket_id, reply_id, author_id, rule, rule_version, severity, start_offset, end_offset, excerpt, suggestion
      FROM jsonb_to_recordset(${JSON.stringify(hits)}::jsonb) AS x(ticket_id uuid, reply_id uuid, author_id uuid, rule text,
        rule_version integer, severity text, start_offset integer, end_offset integer, excerpt text, suggestion text)
      ON CONFLICT (reply_id, rule, start_offset) DO NOTHING`);
  },
  /** Hits on one ticket (optionally only on replies by `authorId`), in reply and text order. */
  async ticketHits(ex: Executor, ticketId: string, authorId: string | null): Promise<HitRow[]> {
    return rowsOf<HitRow>(
      await ex.execute(sql`SELECT id, ticket_id, reply_id, author_id, rule, severity, start_offset, end_offset, excerpt, suggestion, created_at
        FROM qa_hits WHERE ticket_id = ${ticketId} ${authorId ? sql`AND author_id = ${authorId}` : sql``}
        ORDER BY reply_id, start_offset, rule`),
    );
  },
  /** A page of hits (newest first) on tickets matching `visible` (the caller's visibility scope over `tickets`). */
  async listHits(
    ex: Executor,
    f: {
      visible: SQL;
      /** whose hits (quality's team scope) */
      scope?: QaScope | undefined;
      rule?: string | undefined;
      severity?: string | undefined;
      authorId?: string | undefined;
      from?: Date | undefined;
      to?: Date | undefined;
      before?: number | undefined;
      limit: number;
    },
  ): Promise<(HitRow & { ticket_number: string; author_name: string | null })[]> {
    const conds: SQL[] = [f.visible];
    const scope = f.scope ? qaAgentScopeSql(f.scope, sql`h.author_id`) : undefined;
    if (scope) conds.push(scope);
    if (f.rule) conds.push(sql`h.rule = ${f.rule}`);
    if (f.severity) conds.push(sql`h.severity = ${f.severity}`);
    if (f.authorId) conds.push(sql`h.author_id = ${f.authorId}`);
    if (f.from) conds.push(sql`h.created_at >= ${f.from.toISOString()}`);
    if (f.to) conds.push(sql`h.created_at < ${f.to.toISOString()}`);
    if (f.before) conds.push(sql`h.id < ${f.before}`);
    return rowsOf(
      await ex.execute(sql`SELECT h.id, h.ticket_id, h.reply_id, h.author_id, h.rule, h.severity, h.start_offset, h.end_offset, h.excerpt,
          h.suggestion, h.created_at, tickets.number AS ticket_number, s.name AS author_name
        FROM qa_hits h JOIN tickets ON tickets.id = h.ticket_id LEFT JOIN staff s ON s.id = h.author_id
        WHERE ${sql.join(conds, sql` AND `)} ORDER BY h.id DESC LIMIT ${f.limit}`),
    );
  },
  /** Per rule: hits and replies with a hit; and how many staff messages were written, in [from, to) on visible tickets. */
  async stats(
    ex: Executor,
    visible: SQL,
    scope: QaScope,
    from: Date,
    to: Date,
  ): Promise<{ messages: number; rules: { rule: string; hits: number; replies: number }[] }> {
    const ofReply = qaAgentScopeSql(scope, sql`r.author_id`) ?? sql`true`;
    const ofHit = qaAgentScopeSql(scope, sql`h.author_id`) ?? sql`true`;
    const [m] = rowsOf<{ n: number | string }>(
      await ex.execute(sql`SELECT count(*) AS n FROM ticket_replies r JOIN tickets ON tickets.id = r.ticket_id
        WHERE r.author_kind = 'staff' AND r.created_at >= ${from.toISOString()} AND r.created_at < ${to.toISOString()} AND ${visible} AND ${ofReply}`),
    );
    const rules = rowsOf<{ rule: string; hits: number | string; replies: number | string }>(
      await ex.execute(sql`SELECT h.rule, count(*) AS hits, count(DISTINCT h.reply_id) AS replies
        FROM qa_hits h JOIN tickets ON tickets.id = h.ticket_id
        WHERE h.created_at >= ${from.toISOString()} AND h.created_at < ${to.toISOString()} AND ${visible} AND ${ofHit}
        GROUP BY h.rule ORDER BY count(*) DESC, h.rule`),
    );
    return { messages: Number(m?.n ?? 0), rules: rules.map((r) => ({ rule: r.rule, hits: Number(r.hits), replies: Number(r.replies) })) };
  },
  /** Whether the ticket exists and the actor may see it (the caller passes the scope). */
  async ticketVisible(ex: Executor, where: SQL): Promise<boolean> {
    const [r] = await ex.select({ id: tickets.id }).from(tickets).where(and(where));
    return r !== undefined;
  },
};

/**
 * Tickets with at least one critical automatic hit written in [from, to): every one of them is included in the
 * sampling plans of manual inspection (quality module, wired at merge).
 */
export async function criticalHitTicketIds(ex: Executor, from: Date, to: Date): Promise<string[]> {
  const rows = rowsOf<{ ticket_id: string }>(
    await ex.execute(sql`SELECT DISTINCT ticket_id FROM qa_hits WHERE severity = 'critical'
      AND created_at >= ${from.toISOString()} AND created_at < ${to.toISOString()} ORDER BY ticket_id`),
  );
  return rows.map((r) => r.ticket_id);
}
