import { and, desc, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { auditLog, staff } from '../../db/schema';
import type { Actor } from '../../lib/context';
import { seesAllTickets, ticketVisibilitySql } from '../tickets/visibility';
import type { AuditQueryInput } from './audit.schema';

export type AuditRow = typeof auditLog.$inferSelect;

export const auditRepo = {
  /**
   * Newest first, `limit + 1` rows (to tell whether there is a next page). Rows about a ticket follow the one ticket
   * visibility rule for actors who do not see every ticket. The target's label parts come along: the name (staff,
   * customer, team), the ticket number or the role, plus the employee number of a staff target.
   */
  async search(ex: Executor, actor: Actor, q: AuditQueryInput) {
    const conds: SQL[] = [];
    if (q.actorId) conds.push(eq(auditLog.actorId, q.actorId));
    if (q.action) conds.push(eq(auditLog.action, q.action));
    if (q.targetType) conds.push(eq(auditLog.targetType, q.targetType));
    if (q.targetId) conds.push(eq(auditLog.targetId, q.targetId));
    if (q.from) conds.push(gte(auditLog.at, new Date(q.from)));
    if (q.to) conds.push(lte(auditLog.at, new Date(q.to)));
    if (q.cursor) conds.push(lt(auditLog.id, Number(q.cursor)));
    if (!seesAllTickets(actor)) {
      conds.push(
        sql`(${auditLog.targetType} <> 'ticket' OR EXISTS (SELECT 1 FROM tickets WHERE tickets.id::text = ${auditLog.targetId} AND ${ticketVisibilitySql(actor)}))`,
      );
    }
    const id = auditLog.targetId;
    // A readable name for every kind of target (tickets' satellites by the ticket number); null when it is gone.
    const targetName = sql<string | null>`CASE ${auditLog.targetType}
      WHEN 'staff' THEN (SELECT s2.name FROM staff s2 WHERE s2.id::text = ${id})
      WHEN 'customer' THEN (SELECT c.name FROM customers c WHERE c.id::text = ${id})
      WHEN 'ticket' THEN (SELECT t.number FROM tickets t WHERE t.id::text = ${id})
      WHEN 'team' THEN (SELECT tm.name FROM teams tm WHERE tm.id::text = ${id})
      WHEN 'role' THEN ${id}
      WHEN 'approval' THEN (SELECT ap.number FROM approvals ap WHERE ap.id::text = ${id})
      WHEN 'attachment' THEN (SELECT at.filename FROM attachments at WHERE at.id::text = ${id})
      WHEN 'calendar' THEN (SELECT cal.name FROM calendars cal WHERE cal.id::text = ${id})
      WHEN 'calendar_assignment' THEN (SELECT COALESCE(
        (SELECT tm2.name FROM teams tm2 WHERE split_part(${id}, ':', 1) = 'team' AND tm2.id::text = split_part(${id}, ':', 2)),
        (SELECT cu2.name FROM customers cu2 WHERE split_part(${id}, ':', 1) = 'customer' AND cu2.id::text = split_part(${id}, ':', 2)),
        NULLIF(split_part(${id}, ':', 2), '')))
      WHEN 'category' THEN (SELECT cat.name FROM categories cat WHERE cat.id::text = ${id})
      WHEN 'dispatch_rule' THEN (SELECT dr.name FROM dispatch_rules dr WHERE dr.id::text = ${id})
      WHEN 'saved_filter' THEN (SELECT sf.name FROM saved_filters sf WHERE sf.id::text = ${id})
      WHEN 'standard' THEN (SELECT sv.definition->>'name' FROM standards st JOIN standard_versions sv ON sv.id = st.current_version_id WHERE st.id::text = ${id})
      WHEN 'improvement_action' THEN (SELECT sv2.definition->>'name' FROM improvement_actions ia JOIN standards st2 ON st2.id = ia.standard_id
        JOIN standard_versions sv2 ON sv2.id = st2.current_version_id WHERE ia.id::text = ${id})
      WHEN 'kb_category' THEN (SELECT kc.name FROM kb_categories kc WHERE kc.id::text = ${id})
      WHEN 'kb_item' THEN (SELECT ki.title FROM kb_items ki WHERE ki.id::text = ${id})
      WHEN 'kb_vocabulary' THEN (SELECT kv.term FROM kb_vocabulary kv WHERE kv.id::text = ${id})
      WHEN 'measure_display_token' THEN (SELECT md.name FROM measure_display_tokens md WHERE md.id::text = ${id})
      WHEN 'measure_report' THEN (SELECT mr.name FROM measure_reports mr WHERE mr.id::text = ${id})
      WHEN 'survey_template' THEN (SELECT stp.name FROM survey_templates stp WHERE stp.id::text = ${id})
      WHEN 'survey' THEN (SELECT t2.number FROM survey_invitations si JOIN tickets t2 ON t2.id = si.ticket_id WHERE si.id::text = ${id})
      WHEN 'recovery_case' THEN (SELECT t3.number FROM recovery_cases rc JOIN tickets t3 ON t3.id = rc.ticket_id WHERE rc.id::text = ${id})
      WHEN 'complaint_case' THEN (SELECT t4.number FROM complaint_cases cc JOIN tickets t4 ON t4.id = cc.ticket_id WHERE cc.id::text = ${id})
      WHEN 'care_task' THEN (SELECT COALESCE(t5.number, cu.name) FROM care_tasks ct LEFT JOIN tickets t5 ON t5.id = ct.ticket_id
        LEFT JOIN customers cu ON cu.id = ct.customer_id WHERE ct.id::text = ${id})
      WHEN 'measure' THEN ${id}
      ELSE NULL END`;
    const targetEmployeeNo = sql<string | null>`CASE WHEN ${auditLog.targetType} = 'staff'
      THEN (SELECT s3.employee_no FROM staff s3 WHERE s3.id::text = ${auditLog.targetId}) ELSE NULL END`;
    return ex
      .select({ a: auditLog, name: staff.name, employeeNo: staff.employeeNo, targetName, targetEmployeeNo })
      .from(auditLog)
      .leftJoin(staff, eq(staff.id, auditLog.actorId))
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(desc(auditLog.id))
      .limit(q.limit + 1);
  },
  async distinctActions(ex: Executor): Promise<string[]> {
    const rows = await ex.selectDistinct({ v: auditLog.action }).from(auditLog).orderBy(auditLog.action);
    return rows.map((r) => r.v);
  },
  async distinctTargetTypes(ex: Executor): Promise<string[]> {
    const rows = await ex.selectDistinct({ v: auditLog.targetType }).from(auditLog).orderBy(auditLog.targetType);
    return rows.map((r) => r.v);
  },
};
