/**
 * The measures module's statements (targets, drill-down, distributions, team board, complaint analysis, TV-wall
 * tokens, scheduled reports). The rollup engine (facts.ts: facts from the sources and cube deltas) and the query
 * planner over cubes and facts (query.ts) are the module's other two SQL files.
 */
import { sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor, Tx } from '../../db/client';
import { tickets } from '../../db/schema';
import type { Actor } from '../../lib/context';
import { ticketVisibilityScope, ticketVisibilitySql } from '../tickets/visibility';

type Rows<T> = { rows: T[] };
const rowsOf = async <T>(ex: Executor, q: SQL) => ((await ex.execute(q)) as Rows<T>).rows;

export interface TargetRow {
  measure: string;
  target: number | null;
  direction: string;
  window_days: number;
  min_count: number;
  below: boolean;
  last_value: number | null;
  alerted_at: Date | string | null;
}
export interface DrillRow {
  ticket_id: string;
  number: string;
  subject: string | null;
  type: string;
  channel: string;
  status: string;
  team_id: string | null;
  owner_id: string | null;
  team_name: string | null;
  owner_name: string | null;
  created_at: Date | string;
  resolved_at: Date | string | null;
  value: number | string | null;
}
export interface ParetoRow {
  key: string | null;
  label: string | null;
  n: number | string;
}
export interface RepeatRow {
  site: string;
  category_id: string | null;
  category: string | null;
  n: number | string;
  tickets: string[] | string;
  types: string[] | string;
}
export interface WallTokenRow {
  id: string;
  name: string;
  team_id: string | null;
  expires_at: Date | string;
  revoked_at: Date | string | null;
  last_used_at: Date | string | null;
  created_at: Date | string;
}
export interface ReportRow {
  id: string;
  name: string;
  frequency: 'daily' | 'weekly';
  hour: number;
  weekday: number | null;
  time_zone: string;
  channel: 'email' | 'webhook';
  target: string;
  filters: Record<string, string>;
  locale: string;
  active: boolean;
  next_run_at: Date | string;
  last_run_at: Date | string | null;
  last_status: string | null;
  last_error: string | null;
  created_at: Date | string;
  created_by?: string | null;
}

export type DrillMeasure =
  | 'tickets'
  | 'csat'
  | 'nps'
  | 'ces'
  | 'fcr'
  | 'standardExecutionRate'
  | 'complaintRate'
  | 'complaintResolutionRate'
  | 'recoveryRate'
  | 'knowledgeApplicationRate'
  | 'firstResponse'
  | 'resolution';
export interface DrillSpec {
  measure: DrillMeasure;
  part: 'numerator' | 'denominator' | 'detractors';
  from: Date;
  to: Date;
  facts: SQL;
  actor: Actor;
  limit: number;
  offset: number;
}

const OPEN = sql`t.status NOT IN ('resolved', 'closed') AND t.merged_into_id IS NULL AND t.type <> 'internal'`;

export const measuresRepo = {
  /** Names of teams, staff or categories by id. */
  async names(ex: Executor, table: 'teams' | 'staff' | 'categories', ids: string[]): Promise<{ id: string; name: string }[]> {
    const list = sql`ARRAY[${sql.join(
      ids.map((i) => sql`${i}`),
      sql`, `,
    )}]::uuid[]`;
    return rowsOf<{ id: string; name: string }>(ex, sql`SELECT id::text, name FROM ${sql.raw(table)} WHERE id = ANY(${list})`);
  },

  // ─── targets ───
  targets(ex: Executor) {
    return rowsOf<TargetRow>(ex, sql`SELECT * FROM measure_targets`);
  },
  async putTarget(
    tx: Tx,
    t: { measure: string; target: number | null; direction: string; windowDays: number; minCount: number; by: string | null },
  ): Promise<void> {
    await tx.execute(sql`INSERT INTO measure_targets (measure, target, direction, window_days, min_count, updated_by, updated_at)
      VALUES (${t.measure}, ${t.target}, ${t.direction}, ${t.windowDays}, ${t.minCount}, ${t.by}, now())
      ON CONFLICT (measure) DO UPDATE SET target = excluded.target, window_days = excluded.window_days, min_count = excluded.min_count, below = false, updated_by = excluded.updated_by, updated_at = now()`);
  },
  /** The target's row (created with these values when missing), locked by the upsert; returns its `below` flag. */
  async ensureTarget(tx: Tx, t: { measure: string; target: number | null; direction: string; windowDays: number; minCount: number }): Promise<boolean> {
    const [row] = await rowsOf<{ below: boolean }>(
      tx,
      sql`INSERT INTO measure_targets (measure, target, direction, window_days, min_count) VALUES (${t.measure}, ${t.target}, ${t.direction}, ${t.windowDays}, ${t.minCount})
        ON CONFLICT (measure) DO UPDATE SET measure = excluded.measure RETURNING below`,
    );
    return Boolean(row?.below);
  },
  async setTargetValue(tx: Tx, measure: string, value: number | null): Promise<void> {
    await tx.execute(sql`UPDATE measure_targets SET last_value = ${value} WHERE measure = ${measure}`);
  },
  async setTargetState(tx: Tx, measure: string, below: boolean, value: number | null, alerted: boolean): Promise<void> {
    await tx.execute(
      sql`UPDATE measure_targets SET below = ${below}, last_value = ${value}${alerted ? sql`, alerted_at = now()` : sql``} WHERE measure = ${measure}`,
    );
  },
  /** Who hears of a measure below target: active admins and directors, with their language. */
  alertRecipients(tx: Tx) {
    return rowsOf<{ id: string; locale: string | null }>(tx, sql`SELECT id, locale FROM staff WHERE active AND (roles && ARRAY['admin', 'director']::text[])`);
  },

  // ─── freshness ───
  async version(ex: Executor): Promise<number> {
    const [r] = await rowsOf<{ value: number | string }>(ex, sql`SELECT value FROM measure_state WHERE key = 'version'`);
    return Number(r?.value ?? 0);
  },
  async versionProbe(ex: Executor) {
    const [r] = await rowsOf<{ value: number | string; updated_at: Date | string; pending: number | string }>(
      ex,
      sql`SELECT s.value, s.updated_at, (SELECT count(*) FROM measure_queue) AS pending FROM measure_state s WHERE s.key = 'version'`,
    );
    return r;
  },

  // ─── drill-down and distributions ───
  /** The tickets behind a number: `part` of the measure in [from, to), the facts filter, only tickets the actor may see. */
  async drill(ex: Executor, q: DrillSpec): Promise<{ total: number; items: DrillRow[] }> {
    const range = (col: string) => sql`${sql.raw(col)} >= ${q.from} AND ${sql.raw(col)} < ${q.to}`;
    const num = q.part === 'numerator';
    const f = q.facts;
    let from: SQL;
    let where: SQL;
    let value = sql`NULL::bigint`;
    let order = sql`f.created_at DESC`;
    switch (q.measure) {
      case 'tickets':
      case 'complaintRate':
        from = sql`measure_ticket_facts f`;
        where = sql`${range('f.created_at')}${q.measure === 'complaintRate' && num ? sql` AND f.type = 'complaint'` : sql``}`;
        break;
      case 'complaintResolutionRate':
        from = sql`measure_ticket_facts f`;
        where = sql`${range('f.created_at')} AND f.type = 'complaint'${num ? sql` AND f.resolved_at IS NOT NULL AND f.reopen_count = 0` : sql``}`;
        break;
      case 'fcr':
        from = sql`measure_ticket_facts f`;
        where = sql`${range('f.resolved_at')}${num ? sql` AND f.fcr` : sql``}`;
        order = sql`f.resolved_at DESC`;
        break;
      case 'knowledgeApplicationRate':
        from = sql`measure_ticket_facts f`;
        where = sql`${range('f.resolved_at')}${num ? sql` AND EXISTS (SELECT 1 FROM kb_usage u WHERE u.ticket_id = f.ticket_id AND u.kind = 'used')` : sql``}`;
        order = sql`f.resolved_at DESC`;
        break;
      case 'firstResponse':
        from = sql`measure_ticket_facts f`;
        where = sql`${range('f.created_at')} AND f.first_response_seconds IS NOT NULL`;
        value = sql`f.first_response_seconds`;
        order = sql`f.first_response_seconds DESC, f.created_at DESC`;
        break;
      case 'resolution':
        from = sql`measure_ticket_facts f`;
        where = sql`${range('f.resolved_at')} AND f.resolution_seconds IS NOT NULL`;
        value = sql`f.resolution_seconds`;
        order = sql`f.resolution_seconds DESC, f.resolved_at DESC`;
        break;
      case 'csat':
      case 'nps':
      case 'ces': {
        const col = q.measure;
        const cond =
          q.measure === 'csat'
            ? num
              ? sql` AND a.csat >= 4`
              : sql``
            : q.measure === 'nps'
              ? num
                ? sql` AND a.nps >= 9`
                : q.part === 'detractors'
                  ? sql` AND a.nps <= 6`
                  : sql``
              : sql``;
        from = sql`measure_answer_facts a JOIN measure_ticket_facts f ON f.ticket_id = a.ticket_id`;
        where = sql`${range('a.at')} AND ${sql.raw(`a.${col}`)} IS NOT NULL${cond}`;
        value = sql.raw(`a.${col}::bigint`);
        order = sql`a.at DESC`;
        break;
      }
      case 'standardExecutionRate':
        from = sql`measure_outcome_facts a JOIN measure_ticket_facts f ON f.ticket_id = a.ticket_id`;
        where = sql`${range('a.ended_at')}${num ? sql` AND a.met` : sql``}`;
        order = sql`a.ended_at DESC`;
        break;
      case 'recoveryRate':
        from = sql`measure_recovery_facts a JOIN measure_ticket_facts f ON f.ticket_id = a.ticket_id`;
        where = sql`${range('a.closed_at')}${num ? sql` AND a.recovered` : sql``}`;
        order = sql`a.closed_at DESC`;
        break;
      default: {
        const never: never = q.measure;
        throw new Error(`unknown drill measure ${String(never)}`);
      }
    }
    // Only tickets the caller may see (the one visibility rule; facts may lag behind a reassignment).
    const scope = ticketVisibilityScope(q.actor, alias(tickets, 'vt'));
    if (scope) where = sql`${where} AND EXISTS (SELECT 1 FROM tickets vt WHERE vt.id = f.ticket_id AND ${scope})`;
    const [cnt] = await rowsOf<{ n: number | string }>(ex, sql`SELECT count(*) AS n FROM ${from} WHERE ${where}${f}`);
    const items = await rowsOf<DrillRow>(
      ex,
      sql`
    SELECT f.ticket_id, f.number, t.subject, f.type, f.channel, f.status, f.team_id, f.owner_id, tm.name AS team_name, s.name AS owner_name, f.created_at, f.resolved_at, ${value} AS value
    FROM ${from} LEFT JOIN tickets t ON t.id = f.ticket_id LEFT JOIN teams tm ON tm.id = f.team_id LEFT JOIN staff s ON s.id = f.owner_id
    WHERE ${where}${f} ORDER BY ${order}, f.ticket_id LIMIT ${q.limit} OFFSET ${q.offset}`,
    );
    return { total: Number(cnt?.n ?? 0), items };
  },
  /** Counts per bucket (index into `edges`) of first-response or resolution seconds in [from, to). */
  async distribution(
    ex: Executor,
    q: { measure: 'firstResponse' | 'resolution'; edges: readonly number[]; from: Date; to: Date; facts: SQL },
  ): Promise<Map<number, number>> {
    const { edges } = q;
    const col = q.measure === 'firstResponse' ? 'first_response_seconds' : 'resolution_seconds';
    const timeCol = q.measure === 'firstResponse' ? 'created_at' : 'resolved_at';
    const cases = edges.map((e, i) => (i + 1 < edges.length ? `WHEN f.${col} < ${edges[i + 1]} THEN ${i}` : '')).join(' ');
    const rows = await rowsOf<{ b: number; n: number | string }>(
      ex,
      sql`SELECT CASE ${sql.raw(cases)} ELSE ${edges.length - 1} END AS b, count(*) AS n
    FROM measure_ticket_facts f WHERE ${sql.raw(`f.${timeCol}`)} >= ${q.from} AND ${sql.raw(`f.${timeCol}`)} < ${q.to} AND ${sql.raw(`f.${col}`)} IS NOT NULL${q.facts} GROUP BY 1`,
    );
    return new Map(rows.map((r) => [Number(r.b), Number(r.n)]));
  },

  // ─── team board ───
  backlog(ex: Executor, teamId: string | undefined) {
    const tf = teamId ? sql` AND t.team_id = ${teamId}` : sql``;
    return rowsOf<{ status: string; n: number | string; oldest: Date | string | null }>(
      ex,
      sql`SELECT t.status, count(*) AS n, min(t.created_at) AS oldest FROM tickets t WHERE ${OPEN}${tf} GROUP BY 1 ORDER BY 2 DESC`,
    );
  },
  agentLoads(ex: Executor, teamId: string | undefined) {
    return rowsOf<{ id: string; name: string; on_duty: boolean; open: number | string; urgent: number | string }>(
      ex,
      sql`
    SELECT s.id, s.name, s.on_duty, count(t.id) AS open, count(t.id) FILTER (WHERE t.priority IN ('urgent', 'high')) AS urgent
    FROM staff s LEFT JOIN tickets t ON t.owner_id = s.id AND ${OPEN}
    WHERE s.active ${teamId ? sql`AND s.team_id = ${teamId}` : sql`AND s.team_id IS NOT NULL`} AND (s.roles && ARRAY['agent', 'supervisor', 'technician', 'frontdesk']::text[])
    GROUP BY s.id, s.name, s.on_duty ORDER BY count(t.id) DESC, s.name LIMIT 200`,
    );
  },
  /** Clocks due within `withinMinutes` and open breaches, on tickets the actor may see. */
  urgentClocks(ex: Executor, actor: Actor, teamId: string | undefined, withinMinutes: number) {
    const tf = teamId ? sql` AND t.team_id = ${teamId}` : sql``;
    return rowsOf<{
      id: string;
      code: string;
      state: string;
      due_at: Date | string | null;
      ticket_id: string;
      number: string;
      subject: string;
      owner_name: string | null;
    }>(
      ex,
      sql`
    SELECT i.id, i.code, i.state, i.due_at, t.id AS ticket_id, t.number, t.subject, s.name AS owner_name
    FROM standard_instances i JOIN tickets t ON t.id = i.ticket_id AND ${ticketVisibilitySql(actor, alias(tickets, 't'))} LEFT JOIN staff s ON s.id = t.owner_id
    WHERE i.ended_at IS NULL AND ((i.state = 'running' AND i.due_at IS NOT NULL AND i.due_at < now() + ${`${withinMinutes} minutes`}::interval) OR i.state = 'breached')${tf}
    ORDER BY (i.state = 'breached') DESC, i.due_at LIMIT 100`,
    );
  },

  // ─── complaint analysis ───
  complaintsByCategory(ex: Executor, from: Date, to: Date, facts: SQL) {
    return rowsOf<ParetoRow>(
      ex,
      sql`
    SELECT f.category_id::text AS key, max(c.name) AS label, count(*) AS n FROM measure_ticket_facts f LEFT JOIN categories c ON c.id = f.category_id
    WHERE f.type = 'complaint' AND f.created_at >= ${from} AND f.created_at < ${to}${facts} GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT 50`,
    );
  },
  complaintsByCause(ex: Executor, from: Date, to: Date, facts: SQL) {
    return rowsOf<ParetoRow>(
      ex,
      sql`
    SELECT tag AS key, tag AS label, count(*) AS n FROM measure_ticket_facts f JOIN tickets t ON t.id = f.ticket_id, unnest(t.tags) AS tag
    WHERE f.type = 'complaint' AND f.created_at >= ${from} AND f.created_at < ${to}${facts} GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT 50`,
    );
  },
  repeatsBySite(ex: Executor, from: Date, to: Date, facts: SQL, minRepeat: number) {
    return rowsOf<RepeatRow>(
      ex,
      sql`
    SELECT f.site, f.category_id::text AS category_id, max(c.name) AS category, count(*) AS n,
      (array_agg(f.ticket_id::text ORDER BY f.created_at DESC))[1:20] AS tickets, array_agg(DISTINCT f.type) AS types
    FROM measure_ticket_facts f LEFT JOIN categories c ON c.id = f.category_id
    WHERE f.site IS NOT NULL AND f.type IN ('complaint', 'repair') AND f.created_at >= ${from} AND f.created_at < ${to}${facts}
    GROUP BY f.site, f.category_id HAVING count(*) >= ${minRepeat} ORDER BY 4 DESC, 1 LIMIT 50`,
    );
  },

  // ─── TV-wall tokens ───
  async teamExists(tx: Tx, id: string): Promise<boolean> {
    return (await rowsOf<{ id: string }>(tx, sql`SELECT id FROM teams WHERE id = ${id}`)).length > 0;
  },
  async insertWallToken(tx: Tx, t: { id: string; name: string; tokenHash: string; teamId: string | null; expiresAt: Date; createdBy: string }): Promise<void> {
    await tx.execute(
      sql`INSERT INTO measure_display_tokens (id, name, token_hash, team_id, expires_at, created_by) VALUES (${t.id}, ${t.name}, ${t.tokenHash}, ${t.teamId}, ${t.expiresAt}, ${t.createdBy})`,
    );
  },
  wallTokens(ex: Executor) {
    return rowsOf<WallTokenRow>(ex, sql`SELECT * FROM measure_display_tokens ORDER BY created_at DESC LIMIT 200`);
  },
  async revokeWallToken(tx: Tx, id: string): Promise<boolean> {
    return (
      (await rowsOf<{ id: string }>(tx, sql`UPDATE measure_display_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = ${id} RETURNING id`)).length >
      0
    );
  },
  async wallTokenByHash(ex: Executor, tokenHash: string) {
    const [row] = await rowsOf<WallTokenRow & { team_name: string | null }>(
      ex,
      sql`
    SELECT d.*, t.name AS team_name FROM measure_display_tokens d LEFT JOIN teams t ON t.id = d.team_id WHERE d.token_hash = ${tokenHash}`,
    );
    return row;
  },
  /** Note the token's use (at most once a minute). */
  async touchWallToken(ex: Executor, id: string): Promise<void> {
    await ex.execute(
      sql`UPDATE measure_display_tokens SET last_used_at = now() WHERE id = ${id} AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
    );
  },

  // ─── scheduled reports ───
  async insertReport(
    tx: Tx,
    r: {
      id: string;
      name: string;
      frequency: string;
      hour: number;
      weekday: number | null;
      timeZone: string;
      channel: string;
      target: string;
      filters: Record<string, string>;
      locale: string;
      nextRunAt: Date;
      createdBy: string;
    },
  ): Promise<void> {
    await tx.execute(sql`INSERT INTO measure_reports (id, name, frequency, hour, weekday, time_zone, channel, target, filters, locale, next_run_at, created_by)
      VALUES (${r.id}, ${r.name}, ${r.frequency}, ${r.hour}, ${r.weekday}, ${r.timeZone}, ${r.channel}, ${r.target}, ${JSON.stringify(r.filters)}::jsonb, ${r.locale}, ${r.nextRunAt}, ${r.createdBy})`);
  },
  async reportById(ex: Executor, id: string): Promise<ReportRow | undefined> {
    const [r] = await rowsOf<ReportRow>(ex, sql`SELECT * FROM measure_reports WHERE id = ${id}`);
    return r;
  },
  reports(ex: Executor) {
    return rowsOf<ReportRow>(ex, sql`SELECT * FROM measure_reports ORDER BY created_at DESC LIMIT 200`);
  },
  async deleteReport(tx: Tx, id: string): Promise<boolean> {
    return (await rowsOf<{ id: string }>(tx, sql`DELETE FROM measure_reports WHERE id = ${id} RETURNING id`)).length > 0;
  },
  /** Due reports, locked (SKIP LOCKED: each slot runs in one process). */
  dueReports(tx: Tx, now: Date) {
    return rowsOf<ReportRow>(
      tx,
      sql`SELECT * FROM measure_reports WHERE active AND next_run_at <= ${now} ORDER BY next_run_at LIMIT 10 FOR UPDATE SKIP LOCKED`,
    );
  },
  async markReportSending(tx: Tx, id: string, nextRunAt: Date, now: Date): Promise<void> {
    await tx.execute(sql`UPDATE measure_reports SET next_run_at = ${nextRunAt}, last_run_at = ${now}, last_status = 'sending' WHERE id = ${id}`);
  },
  async setReportOutcome(ex: Executor, id: string, status: string, error: string | null, ranNow = false): Promise<void> {
    await ex.execute(
      sql`UPDATE measure_reports SET ${ranNow ? sql`last_run_at = now(), ` : sql``}last_status = ${status}, last_error = ${error} WHERE id = ${id}`,
    );
  },
};
