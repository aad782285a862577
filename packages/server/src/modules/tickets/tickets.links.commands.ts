/** Links between tickets, and merging a duplicate into another ticket of the same customer. */
import type { Database } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { invalid } from '../../lib/errors';
import { authorize } from '../identity/policy';
import { emitInTx, lockVisibleInTx } from './tickets.commands';
import { linksRepo } from './tickets.links.repo';
import { renderText, text } from './tickets.messages';
import { ticketsRepo } from './tickets.repo';

export async function linkTickets(database: Database, ctx: Ctx, ticketId: string, otherId: string, kind: string) {
  authorize(ctx.actor, 'tickets.work');
  if (ticketId === otherId) throw invalid('otherId', 'a ticket cannot link to itself');
  return database.transaction(async (tx) => {
    const t = await lockVisibleInTx(tx, ctx.actor, ticketId);
    const o = await lockVisibleInTx(tx, ctx.actor, otherId).catch(() => {
      throw invalid('otherId', 'no such ticket');
    });
    const inverse = kind === 'parent' ? 'child' : kind === 'child' ? 'parent' : kind;
    await linksRepo.link(tx, ticketId, otherId, kind, inverse);
    await emitInTx(tx, ctx, t, 'ticket.linked', { otherId, kind, number: o.number });
    await writeAudit(tx, ctx, { action: 'ticket.linked', targetType: 'ticket', targetId: ticketId, changes: diff(null, { otherId, kind }) });
    return { id: ticketId };
  });
}

/** Merge a duplicate into another ticket: the duplicate is closed with a link; its history stays. */
export async function mergeTicket(database: Database, ctx: Ctx, ticketId: string, intoId: string) {
  authorize(ctx.actor, 'tickets.work');
  if (ticketId === intoId) throw invalid('intoId', 'a ticket cannot merge into itself');
  return database.transaction(async (tx) => {
    const dup = await lockVisibleInTx(tx, ctx.actor, ticketId);
    const into = await lockVisibleInTx(tx, ctx.actor, intoId).catch(() => {
      throw invalid('intoId', 'no such ticket');
    });
    if (dup.customerId !== into.customerId) throw invalid('intoId', 'belongs to another customer');
    if (into.mergedIntoId) throw invalid('intoId', 'was itself merged');
    const now = new Date();
    // The resolution is stored text (a column), written in the merging agent's language.
    const resolution = renderText(ctx.locale, text('tickets.resolution.merged', { number: into.number }));
    const after = await ticketsRepo.setFields(tx, ticketId, {
      mergedIntoId: intoId,
      status: 'closed',
      closedAt: now,
      resolvedAt: dup.resolvedAt ?? now,
      resolution,
      updatedAt: now,
    });
    await linksRepo.link(tx, ticketId, intoId, 'duplicate', 'duplicate');
    await emitInTx(tx, ctx, after, 'ticket.status_changed', { from: dup.status, to: 'closed', cause: 'merged' }, dup.status);
    await emitInTx(tx, ctx, after, 'ticket.merged', { intoId, intoNumber: into.number }, dup.status);
    await emitInTx(tx, ctx, into, 'ticket.linked', { otherId: ticketId, kind: 'duplicate', number: dup.number, merged: true });
    await writeAudit(tx, ctx, {
      action: 'ticket.merged',
      targetType: 'ticket',
      targetId: ticketId,
      changes: diff({ mergedIntoId: null }, { mergedIntoId: intoId }),
    });
    return { id: ticketId, status: 'closed' as const, mergedIntoId: intoId };
  });
}
