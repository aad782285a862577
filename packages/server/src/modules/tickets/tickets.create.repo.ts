import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client';
import { categories, customers, orderLines, staff } from '../../db/schema';

/** One ticket row of a batch INSERT (snake_case: the JSON record the statement reads). */
export interface TicketInsertRow {
  id: string;
  number: string;
  customer_id: string;
  type: string;
  channel: string;
  priority: string;
  status: string;
  subject: string;
  description: string;
  category_id: string | null;
  tags: string[];
  site: string | null;
  site_id: string | null;
  call_duration_seconds: number | null;
  ring_count: number | null;
  external_ref: string | null;
  created_by_kind: string;
  created_by_id: string | null;
  owner_id: string | null;
  team_id: string | null;
}

/** The SQL of batched ticket creation (tickets.create.ts): the batch's reads, and its tickets as one INSERT. */
export const createRepo = {
  async customers(ex: Executor, ids: string[]) {
    if (ids.length === 0) return [];
    // With the designated helper of a customer needing one-to-one help (issue #13 item 7): who, and whether active.
    return ex
      .select({
        id: customers.id,
        tier: customers.tier,
        vip: customers.vip,
        mergedIntoId: customers.mergedIntoId,
        internal: customers.internal,
        assistance: customers.assistance,
        helperId: staff.id,
        helperName: staff.name,
        helperTeamId: staff.teamId,
        helperActive: staff.active,
      })
      .from(customers)
      .leftJoin(staff, and(eq(staff.id, customers.assistStaffId), sql`${customers.assistance} <> 'none'`))
      .where(inArray(customers.id, ids));
  },

  async categoryIds(ex: Executor, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    return new Set((await ex.select({ id: categories.id }).from(categories).where(inArray(categories.id, ids))).map((c) => c.id));
  },

  async owners(ex: Executor, ids: string[]): Promise<Map<string, { id: string; teamId: string | null; active: boolean }>> {
    if (ids.length === 0) return new Map();
    return new Map(
      (await ex.select({ id: staff.id, teamId: staff.teamId, active: staff.active }).from(staff).where(inArray(staff.id, ids))).map((o) => [o.id, o]),
    );
  },

  /** The batch's tickets as one INSERT, a CTE (`tk AS (…)`) sent with their events; rows passed as one JSON parameter. */
  insertTicketsCte(rows: TicketInsertRow[]): SQL {
    return sql`tk AS (INSERT INTO tickets (id, number, customer_id, type, channel, priority, status, subject, description, category_id, tags, site, site_id,
      call_duration_seconds, ring_count, external_ref, created_by_kind, created_by_id, owner_id, team_id)
    SELECT id, number, customer_id, type, channel, priority, status, subject, description, category_id, tags, site, site_id,
      call_duration_seconds, ring_count, external_ref, created_by_kind, created_by_id, owner_id, team_id
    FROM json_to_recordset(${JSON.stringify(rows)}::json) AS x(id uuid, number text, customer_id uuid, type text, channel text, priority text, status text,
      subject text, description text, category_id uuid, tags text[], site text, site_id uuid, call_duration_seconds int, ring_count int, external_ref text,
      created_by_kind text, created_by_id uuid, owner_id uuid, team_id uuid))`;
  },

  async insertOrderLines(tx: Tx, lines: (typeof orderLines.$inferInsert)[]): Promise<void> {
    if (lines.length) await tx.insert(orderLines).values(lines);
  },
};
