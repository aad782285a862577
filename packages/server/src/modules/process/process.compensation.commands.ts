/**
 * Compensation accepted by the customer before it counts as granted (seed 001: 补偿方案须经客户确认接受). A compensation
 * granted within a limit or approved is `offered`; staff record the customer's answer (accepted / refused, with the
 * channel), or the customer answers on their request page in the portal. Only an accepted one counts as granted
 * (customer 360, approval history, timeline `ticket.compensation_accepted`). Front-desk gift limit: process.gifts.ts.
 */
import type { Database } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { conflict, invalid, notFound } from '../../lib/errors';
import { authorize, requireStaff } from '../identity/policy';
import { requireCustomer } from '../portal/portal.commands';
import { emitInTx, lockVisibleInTx } from '../tickets/tickets.commands';
import { assertTicket } from '../tickets/tickets.policy';
import { presentCompensation } from '../tickets/tickets.present';
import { ticketsRepo } from '../tickets/tickets.repo';
import { DEFAULT_FRONT_DESK_GIFT_LIMIT_FEN, FRONT_DESK_GIFT_KEY, frontDeskGiftLimitFen } from './process.gifts';
import { rulesRepo } from './process.rules.repo';

type Answer = { compensationId: string; decision: 'accepted' | 'refused'; channel?: string | undefined; note?: string | undefined };

/** Record the customer's answer to a compensation offered on the ticket: staff (with the channel) or the customer. */
export async function answerCompensation(database: Database, ctx: Ctx, ticketId: string, input: Answer) {
  const byCustomer = ctx.actor.kind === 'customer';
  if (byCustomer) requireCustomer(ctx);
  else authorize(ctx.actor, 'tickets.work');
  return database.transaction(async (tx) => {
    const t = await lockVisibleInTx(tx, ctx.actor, ticketId);
    if (!byCustomer) assertTicket(requireStaff(ctx.actor), t, 'reply');
    const c = await rulesRepo.compensationOf(tx, input.compensationId);
    if (!c || c.ticketId !== t.id) throw invalid('compensationId', 'no compensation of this ticket has this id');
    if (c.state !== 'granted') throw conflict('compensation_not_offered', 'Only a granted (or approved) compensation is offered to the customer');
    const prev = await rulesRepo.acceptanceOf(tx, c.id);
    if (prev) throw conflict('compensation_answered', `The customer already ${prev.decision} this compensation`, { decision: prev.decision });
    const by = byCustomer ? ('customer' as const) : ('staff' as const);
    const channel = byCustomer ? 'portal' : (input.channel ?? 'phone');
    const byId = ctx.actor.kind === 'customer' ? ctx.actor.customerId : ctx.actor.kind === 'staff' ? ctx.actor.id : null;
    await rulesRepo.insertAcceptance(tx, {
      compensationId: c.id,
      ticketId: t.id,
      decision: input.decision,
      channel,
      byKind: by,
      byId,
      note: input.note ?? null,
      at: new Date(),
    });
    const kind = input.decision === 'accepted' ? 'ticket.compensation_accepted' : 'ticket.compensation_refused';
    await emitInTx(tx, ctx, t, kind, { compensationId: c.id, kind: c.kind, amountFen: c.amountFen, channel, by });
    await writeAudit(tx, ctx, {
      action: `compensation.${input.decision}`,
      targetType: 'ticket',
      targetId: t.id,
      changes: diff({ acceptance: 'offered' }, { acceptance: input.decision, channel }),
    });
    const rows = await ticketsRepo.compensationsOf(tx, t.id);
    return presentCompensation(rows.find((r) => r.id === c.id)!);
  });
}

/** The compensations offered on the customer's own request, with their answer (the portal request page). */
export async function portalCompensations(database: Database, ctx: Ctx, ticketId: string) {
  requireCustomer(ctx);
  const t = await ticketsRepo.visibleById(database.db, ctx.actor, ticketId);
  if (!t) throw notFound('Ticket');
  const rows = await rulesRepo.grantedOf(database.db, t.id);
  return {
    items: rows.map((r) => ({
      id: r.c.id,
      kind: r.c.kind as 'gift',
      amountFen: r.c.amountFen,
      acceptance: (r.a?.decision ?? 'offered') as 'offered' | 'accepted' | 'refused',
      answeredAt: r.a ? r.a.at.toISOString() : null,
      createdAt: r.c.createdAt.toISOString(),
    })),
  };
}

export async function getGiftLimit(database: Database, ctx: Ctx) {
  requireStaff(ctx.actor);
  return { limitFen: await frontDeskGiftLimitFen(database.db), defaultFen: DEFAULT_FRONT_DESK_GIFT_LIMIT_FEN };
}

export async function putGiftLimit(database: Database, ctx: Ctx, limitFen: number) {
  authorize(ctx.actor, 'roles.manage');
  return database.transaction(async (tx) => {
    const before = await frontDeskGiftLimitFen(tx);
    await rulesRepo.putSetting(tx, FRONT_DESK_GIFT_KEY, limitFen);
    await writeAudit(tx, ctx, {
      action: 'settings.front_desk_gift_limit',
      targetType: 'settings',
      targetId: FRONT_DESK_GIFT_KEY,
      changes: diff({ limitFen: before }, { limitFen }),
    });
    return { limitFen, defaultFen: DEFAULT_FRONT_DESK_GIFT_LIMIT_FEN };
  });
}
