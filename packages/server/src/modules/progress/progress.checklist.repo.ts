/** SQL of the checklist of repair and order tickets (issue #13 item 7): the recorded steps, and whether work started. */
import { and, eq, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client';
import { staff, ticketChecklist } from '../../db/schema';

export type ChecklistRow = typeof ticketChecklist.$inferSelect;

export const checklistRepo = {
  /** The recorded steps of a ticket, with the recorder's name. */
  async ofTicket(ex: Executor, ticketId: string) {
    return ex
      .select({ c: ticketChecklist, name: staff.name })
      .from(ticketChecklist)
      .leftJoin(staff, eq(staff.id, ticketChecklist.recordedBy))
      .where(eq(ticketChecklist.ticketId, ticketId));
  },
  async find(tx: Tx, ticketId: string, step: string): Promise<ChecklistRow | undefined> {
    const [row] = await tx
      .select()
      .from(ticketChecklist)
      .where(and(eq(ticketChecklist.ticketId, ticketId), eq(ticketChecklist.step, step)));
    return row;
  },
  async insert(tx: Tx, row: typeof ticketChecklist.$inferInsert): Promise<ChecklistRow> {
    const [out] = await tx.insert(ticketChecklist).values(row).returning();
    return out!;
  },
  /** Has work on the ticket started: did it ever go in_progress, or did a field visit start (the technician arrived)? */
  async workStarted(ex: Executor, ticketId: string): Promise<boolean> {
    const res = (await ex.execute(sql`SELECT EXISTS (SELECT 1 FROM events e WHERE e.aggregate_type = 'ticket' AND e.aggregate_id = ${ticketId}
      AND (e.kind = 'field.visit_arrived' OR (e.kind = 'ticket.status_changed' AND e.data->>'to' = 'in_progress'))) AS started`)) as {
      rows: { started: boolean }[];
    };
    return Boolean(res.rows[0]?.started);
  },
};
