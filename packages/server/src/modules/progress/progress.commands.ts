/**
 * The customer asks how their request stands (客户询问进度) and accepts the proposed solution (客户确认方案): each is a
 * ticket event (`ticket.status_requested`, `ticket.solution_confirmed`) on the timeline, audited, that a standard can
 * start or stop on ("status within 1 minute of asking": start on status_requested, stop on the next public reply —
 * every request after the previous one was answered is a new cycle). Staff record them on the ticket page; the
 * customer from the portal, where asking is rate-limited per ticket (1 a minute, 10 a day → 429 with Retry-After).
 */
import type { Database } from '../../db/client';
import { writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, conflict } from '../../lib/errors';
import { countAttempt } from '../../lib/throttle';
import { authorize } from '../identity/policy';
import { requireCustomer } from '../portal/portal.commands';
import { emitInTx, lockVisibleInTx } from '../tickets/tickets.commands';

/** Portal limits per ticket: one request a minute, ten a day. */
export const PORTAL_STATUS_LIMITS = [
  { scope: 'status_request_minute', max: 1, windowMs: 60_000 },
  { scope: 'status_request_day', max: 10, windowMs: 86_400_000 },
] as const;

const CLOSED = new Set(['resolved', 'closed']);

function who(ctx: Ctx): { by: 'staff' | 'customer'; byId: string } {
  if (ctx.actor.kind === 'customer') return { by: 'customer', byId: ctx.actor.customerId };
  if (ctx.actor.kind === 'staff') return { by: 'staff', byId: ctx.actor.id };
  throw new AppError('forbidden');
}

/** Record that the customer asked for progress. Staff: tickets.work; the customer: their own ticket, rate-limited. */
export async function recordStatusRequest(database: Database, ctx: Ctx, ticketId: string, input: { channel?: string | undefined } | null | undefined) {
  if (ctx.actor.kind === 'customer') requireCustomer(ctx);
  else authorize(ctx.actor, 'tickets.work');
  const { by, byId } = who(ctx);
  const channel = by === 'customer' ? 'portal' : (input?.channel ?? 'phone');
  return database.transaction(async (tx) => {
    const t = await lockVisibleInTx(tx, ctx.actor, ticketId);
    if (CLOSED.has(t.status)) throw conflict('ticket_closed', 'The request is already resolved or closed');
    if (by === 'customer')
      for (const l of PORTAL_STATUS_LIMITS)
        await countAttempt(tx, { scope: l.scope, key: `${ticketId}:${byId}` }, l.max, l.windowMs, 'Progress was asked for this request very recently');
    const ev = await emitInTx(tx, ctx, t, 'ticket.status_requested', { by, byId, channel });
    await writeAudit(tx, ctx, {
      action: 'ticket.status_requested',
      targetType: 'ticket',
      targetId: ticketId,
      changes: { channel: { before: null, after: channel } },
    });
    return { ticketId, kind: 'ticket.status_requested' as const, eventId: ev.id, at: ev.at.toISOString(), by, channel };
  });
}

/** Record that the customer accepted the proposed solution (the checkpoint 方案确认). Once per ticket until reopened. */
export async function recordSolutionConfirmed(
  database: Database,
  ctx: Ctx,
  ticketId: string,
  input: { channel?: string | undefined; note?: string | null | undefined } | null | undefined,
) {
  if (ctx.actor.kind === 'customer') requireCustomer(ctx);
  else authorize(ctx.actor, 'tickets.work');
  const { by, byId } = who(ctx);
  const channel = by === 'customer' ? 'portal' : (input?.channel ?? 'phone');
  return database.transaction(async (tx) => {
    const t = await lockVisibleInTx(tx, ctx.actor, ticketId);
    if (t.status === 'closed') throw conflict('ticket_closed', 'The request is closed');
    const ev = await emitInTx(tx, ctx, t, 'ticket.solution_confirmed', { by, byId, channel, note: input?.note ?? null });
    await writeAudit(tx, ctx, {
      action: 'ticket.solution_confirmed',
      targetType: 'ticket',
      targetId: ticketId,
      changes: { channel: { before: null, after: channel } },
    });
    return { ticketId, kind: 'ticket.solution_confirmed' as const, eventId: ev.id, at: ev.at.toISOString(), by, channel };
  });
}
