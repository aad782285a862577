import { sql, type SQL } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client';
import { events } from '../../db/schema';

/** One event row as `insertMany` writes it (the rows are passed as one JSON parameter). */
export interface EventRowInput {
  kind: string;
  aggregateId: string;
  actorKind: string;
  actorId: string | null;
  data: Record<string, unknown>;
}
/** One audit row written in the same statement. */
export interface AuditRowInput {
  actorKind: string;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  changes: Record<string, unknown> | null;
  requestId: string | null;
  ip: string | null;
}

/** The SQL of ticket events (the outbox and timeline): see ticket-events.ts for who calls it. */
export const ticketEventsRepo = {
  async insertOne(tx: Tx, e: EventRowInput, at?: Date) {
    const [row] = await tx
      .insert(events)
      .values({
        kind: e.kind,
        aggregateType: 'ticket',
        aggregateId: e.aggregateId,
        actorKind: e.actorKind,
        actorId: e.actorId,
        data: e.data,
        ...(at ? { at } : {}),
      })
      .returning();
    return row!;
  },

  /**
   * Every event (and audit row) in one statement; `with`: a CTE (`name AS (INSERT …)`) sent in the same statement.
   * Returns the events' ids and times in insertion order, which is the order of the rows passed.
   */
  async insertMany(ex: Executor, rows: EventRowInput[], audits: AuditRowInput[], opts: { with?: SQL } = {}) {
    const evJson = JSON.stringify(rows.map((r) => ({ k: r.kind, a: r.aggregateId, ak: r.actorKind, ai: r.actorId, d: r.data })));
    const ctes: SQL[] = opts.with ? [opts.with] : [];
    if (audits.length) {
      const auJson = JSON.stringify(
        audits.map((a) => ({
          ak: a.actorKind,
          ai: a.actorId,
          ac: a.action,
          tt: a.targetType,
          ti: a.targetId,
          ch: a.changes,
          r: a.requestId,
          ip: a.ip,
        })),
      );
      ctes.push(sql`a AS (INSERT INTO audit_log (actor_kind, actor_id, action, target_type, target_id, changes, request_id, ip)
        SELECT ak, ai, ac, tt, ti, ch, r, ip FROM json_to_recordset(${auJson}::json) AS x(ak text, ai uuid, ac text, tt text, ti text, ch jsonb, r text, ip text))`);
    }
    const withSql = ctes.length ? sql`WITH ${sql.join(ctes, sql`, `)} ` : sql``;
    const res = (await ex.execute(sql`${withSql}INSERT INTO events (kind, aggregate_type, aggregate_id, actor_kind, actor_id, data)
    SELECT k, 'ticket', a, ak, ai, d FROM json_to_recordset(${evJson}::json) AS x(k text, a uuid, ak text, ai uuid, d jsonb) RETURNING id, at`)) as {
      rows: { id: number | string; at: string | Date }[];
    };
    res.rows.sort((x, y) => Number(x.id) - Number(y.id));
    return res.rows.map((r) => ({ id: Number(r.id), at: r.at instanceof Date ? r.at : new Date(r.at) }));
  },
};
