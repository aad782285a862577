/**
 * Process requirements (issue #13 item 7) — complaint solution options (seed 001: 提供 2–3 个解决方案供客户选择):
 * the solution step records the options offered and the customer's choice; a complaint is not resolved (nor closed)
 * before both (the resolve guard below, reason `complaint_options_missing`).
 * Transfer / handover reasons: process.reasons.ts (used by the tickets commands).
 */
import type { Database, Executor, Tx } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, invalid, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { authorize, requireStaff } from '../identity/policy';
import { emitInTx, lockVisibleInTx } from '../tickets/tickets.commands';
import { assertTicket } from '../tickets/tickets.policy';
import { ticketsRepo } from '../tickets/tickets.repo';
import { processRepo } from './process.repo';

type OfferRow = NonNullable<Awaited<ReturnType<typeof processRepo.offerOf>>>;

function present(type: string, r: OfferRow | undefined) {
  const offer = r
    ? {
        options: r.o.options,
        chosen: r.o.chosen,
        offeredAt: r.o.offeredAt.toISOString(),
        offeredByName: r.offeredByName,
        chosenAt: r.o.chosenAt ? r.o.chosenAt.toISOString() : null,
        chosenByName: r.chosenByName,
      }
    : null;
  return { required: type === 'complaint', complete: offer !== null && offer.chosen !== null, offer };
}

async function state(ex: Executor, ticketId: string, type: string) {
  return present(type, await processRepo.offerOf(ex, ticketId));
}

export async function getSolutionOffer(database: Database, ctx: Ctx, ticketId: string) {
  authorize(ctx.actor, 'tickets.work');
  const t = await ticketsRepo.visibleById(database.db, ctx.actor, ticketId);
  if (!t) throw notFound('Ticket');
  return state(database.db, t.id, t.type);
}

/** Record the 2–3 options offered (again: replaces the earlier offer), with the choice when already known. */
export async function offerSolutions(database: Database, ctx: Ctx, ticketId: string, input: { options: string[]; chosen?: number | undefined }) {
  authorize(ctx.actor, 'tickets.work');
  const actor = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const t = await lockVisibleInTx(tx, actor, ticketId);
    assertTicket(actor, t, 'reply');
    if (t.type !== 'complaint') throw invalid('id', 'solution options are recorded on complaint tickets');
    const now = new Date();
    const chosen = input.chosen ?? null;
    await processRepo.putOffer(tx, {
      id: uuidv7(),
      ticketId: t.id,
      options: input.options,
      chosen,
      offeredById: actor.id,
      offeredAt: now,
      chosenById: chosen === null ? null : actor.id,
      chosenAt: chosen === null ? null : now,
    });
    await emitInTx(tx, ctx, t, 'ticket.solution_options_offered', { options: input.options, chosen });
    if (chosen !== null) await emitInTx(tx, ctx, t, 'ticket.solution_chosen', { chosen, option: input.options[chosen]!, via: 'staff' });
    await writeAudit(tx, ctx, {
      action: 'ticket.solution_options_offered',
      targetType: 'ticket',
      targetId: t.id,
      changes: diff(null, { options: input.options, chosen }),
    });
    return state(tx, t.id, t.type);
  });
}

/** Record which of the offered options the customer chose. */
export async function chooseSolution(database: Database, ctx: Ctx, ticketId: string, chosen: number) {
  authorize(ctx.actor, 'tickets.work');
  const actor = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const t = await lockVisibleInTx(tx, actor, ticketId);
    assertTicket(actor, t, 'reply');
    const cur = await processRepo.offerOf(tx, t.id);
    if (!cur) throw new AppError('conflict', 'Offer the options before recording a choice', { reason: 'solution_options_not_offered' });
    const option = cur.o.options[chosen];
    if (option === undefined) throw invalid('chosen', 'must point at one of the offered options');
    await processRepo.choose(tx, t.id, chosen, actor.id, new Date());
    await emitInTx(tx, ctx, t, 'ticket.solution_chosen', { chosen, option, via: 'staff' });
    await writeAudit(tx, ctx, { action: 'ticket.solution_chosen', targetType: 'ticket', targetId: t.id, changes: diff({ chosen: cur.o.chosen }, { chosen }) });
    return state(tx, t.id, t.type);
  });
}

/**
 * Resolve/close guard: a complaint needs its solution options offered and one chosen (seed 001). Closing a complaint
 * already resolved is not checked again (complaints resolved before this rule existed can still be closed).
 */
export async function solutionOptionsGuard(tx: Tx, _ctx: Ctx, t: { id: string; type: string; status: string }, to: 'resolved' | 'closed'): Promise<void> {
  if (t.type !== 'complaint' || (to === 'closed' && t.status === 'resolved')) return;
  const cur = await processRepo.offerOf(tx, t.id);
  if (cur && cur.o.chosen !== null) return;
  throw new AppError('conflict', 'Offer the customer 2–3 solutions and record the one they chose before resolving the complaint', {
    reason: 'complaint_options_missing',
    extra: { offered: cur !== undefined },
  });
}
