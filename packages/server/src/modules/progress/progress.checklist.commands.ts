/**
 * The checklist of repair and order tickets (issue #13 item 7, seed 003): 报价已告知客户 (`cost_quoted`) must be
 * recorded before work starts — before the ticket first goes in_progress or a field visit starts — and 已说明作业、
 * 保修范围和收费 (`work_explained`) before the ticket is resolved. Each step is recorded once, with who and when, as a
 * `ticket.checklist_recorded` event; recorded later it is kept but counts as late. The audit standards
 * QUOTE-BEFORE-WORK and CAR-EXPLAIN are judged from these rows (standards.compliance.judge.ts).
 */
import type { Database } from '../../db/client';
import { writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, conflict, invalid, notFound } from '../../lib/errors';
import { authorize } from '../identity/policy';
import { CHECKLIST_STEPS, CHECKLIST_TICKET_TYPES, type ChecklistStep } from '../standards/definition';
import { emitInTx, lockVisibleInTx } from '../tickets/tickets.commands';
import { ticketsRepo } from '../tickets/tickets.repo';
import { checklistRepo, type ChecklistRow } from './progress.checklist.repo';

const DONE = new Set(['resolved', 'closed']);
const applies = (type: string) => (CHECKLIST_TICKET_TYPES as readonly string[]).includes(type);

function present(step: ChecklistStep, row: ChecklistRow | undefined, name: string | null) {
  return {
    step,
    done: Boolean(row),
    recordedAt: row ? row.recordedAt.toISOString() : null,
    recordedBy: row?.recordedBy ?? null,
    recordedByName: row ? name : null,
    inTime: row ? row.inTime : null,
  };
}

/** The checklist of a ticket: both steps, done or not (empty for tickets that carry none). */
export async function checklistOf(database: Database, ctx: Ctx, ticketId: string) {
  if (ctx.actor.kind !== 'staff') throw new AppError('forbidden');
  const t = await ticketsRepo.visibleById(database.db, ctx.actor, ticketId);
  if (!t) throw notFound('Ticket');
  if (!applies(t.type)) return { ticketId, applicable: false, items: [] };
  const rows = await checklistRepo.ofTicket(database.db, ticketId);
  const by = new Map(rows.map((r) => [r.c.step, r]));
  return {
    ticketId,
    applicable: true,
    items: CHECKLIST_STEPS.map((s) => present(s, by.get(s)?.c, by.get(s)?.name ?? null)),
  };
}

/** Record a checklist step (tickets.work). In time: cost_quoted before work started, work_explained before resolve. */
export async function recordChecklistStep(database: Database, ctx: Ctx, ticketId: string, input: { step: ChecklistStep }) {
  authorize(ctx.actor, 'tickets.work');
  if (ctx.actor.kind !== 'staff') throw new AppError('forbidden');
  const staffId = ctx.actor.id;
  return database.transaction(async (tx) => {
    const t = await lockVisibleInTx(tx, ctx.actor, ticketId);
    if (!applies(t.type)) throw invalid('step', 'only repair and order tickets carry the checklist');
    if (t.status === 'closed') throw conflict('ticket_closed', 'The request is closed');
    if (await checklistRepo.find(tx, ticketId, input.step)) throw conflict('checklist_step_recorded', 'This checklist step is already recorded');
    const inTime =
      input.step === 'cost_quoted'
        ? !DONE.has(t.status) && t.status !== 'in_progress' && !(await checklistRepo.workStarted(tx, ticketId))
        : !DONE.has(t.status);
    const ev = await emitInTx(tx, ctx, t, 'ticket.checklist_recorded', { step: input.step, inTime });
    const row = await checklistRepo.insert(tx, { ticketId, step: input.step, recordedAt: ev.at, recordedBy: staffId, inTime });
    await writeAudit(tx, ctx, {
      action: 'ticket.checklist_recorded',
      targetType: 'ticket',
      targetId: ticketId,
      changes: { [input.step]: { before: null, after: inTime ? 'in_time' : 'late' } },
    });
    return present(input.step, row, ctx.actor.kind === 'staff' ? ctx.actor.name : null);
  });
}
