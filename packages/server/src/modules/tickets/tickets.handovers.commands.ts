/** Structured handover (服务交接): ownership moves only when the receiver confirms they understood the case. */
import type { Database } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, conflict, invalid, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { notify } from '../../lib/notify';
import { authorize, can, requireStaff, ROLE_PERMISSIONS, type Role } from '../identity/policy';
import { emitInTx, lockVisibleInTx, notificationText } from './tickets.commands';
import { handoversRepo } from './tickets.handovers.repo';
import { text } from './tickets.messages';
import { assertTicket, isOpenStatus, notOpen } from './tickets.policy';
import { presentHandover } from './tickets.present';
import { ticketsRepo } from './tickets.repo';
import { transferReasonText, type TransferReason } from '../process/process.reasons';

export interface HandoverInput {
  toStaffId: string;
  situation: string;
  need: string;
  done: string;
  pending: string;
  expectation: string;
  cautions: string;
  /** Why it is handed over (process.reasons.ts): 交接班 unless said otherwise. */
  reasonKind: TransferReason;
  reasonNote?: string | undefined;
}

function permissionsFor(role: string): readonly string[] {
  return ROLE_PERMISSIONS[role as Role] ?? [];
}

export async function requestHandover(database: Database, ctx: Ctx, ticketId: string, input: HandoverInput) {
  authorize(ctx.actor, 'tickets.work');
  const actor = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const t = await lockVisibleInTx(tx, actor, ticketId);
    // The same rule as the ticket's `allowed.handover` (tickets.policy.ts), with the pending handover known.
    const pendingId = await ticketsRepo.pendingHandoverId(tx, ticketId);
    try {
      assertTicket(actor, { status: t.status, ownerId: t.ownerId, pendingHandover: pendingId !== undefined }, 'handover');
    } catch (err) {
      if (err instanceof AppError && err.reason === 'handover_pending') {
        throw new AppError('conflict', err.message, { reason: 'handover_pending', extra: { handoverId: pendingId } });
      }
      throw err;
    }
    if (input.toStaffId === t.ownerId) throw invalid('toStaffId', 'is already the owner');
    const to = await ticketsRepo.staffById(tx, input.toStaffId);
    if (!to || !to.active || !to.roles.some((r) => permissionsFor(r).includes('tickets.work')))
      throw invalid('toStaffId', 'no such active staff member who works tickets');
    const id = uuidv7();
    if (input.reasonKind === 'other' && !input.reasonNote) throw invalid('reasonNote', "say why (free text) when the reason is 'other'");
    const reason = transferReasonText(input.reasonKind, input.reasonNote);
    const h = await handoversRepo.insert(tx, {
      ...input,
      reasonNote: input.reasonNote ?? null,
      id,
      ticketId,
      fromStaffId: t.ownerId ?? actor.id,
      toStaffId: to.id,
      state: 'pending',
    });
    await emitInTx(tx, ctx, t, 'ticket.handover_requested', { handoverId: id, toStaffId: to.id, reasonKind: input.reasonKind, reason });
    const n = notificationText(text('tickets.notify.handover_to_confirm', { number: t.number, subject: t.subject }));
    await notify(tx, { recipientId: to.id, kind: 'handover.requested', ticketId, title: n.title, data: { handoverId: id, message: n.message } });
    const supervisorId = t.teamId ? await handoversRepo.teamSupervisor(tx, t.teamId) : null;
    if (supervisorId && supervisorId !== actor.id && supervisorId !== to.id) {
      const w = notificationText(text('tickets.notify.handover_to_watch', { number: t.number, from: actor.name, to: to.name }));
      await notify(tx, { recipientId: supervisorId, kind: 'handover.requested', ticketId, title: w.title, data: { handoverId: id, message: w.message } });
    }
    await writeAudit(tx, ctx, { action: 'handover.requested', targetType: 'ticket', targetId: ticketId, changes: diff(null, { toStaffId: to.id }) });
    return presentHandover(h, actor.name, to.name, {}, ctx.locale);
  });
}

export async function decideHandover(database: Database, ctx: Ctx, handoverId: string, decision: 'confirm' | 'decline', note?: string) {
  const actor = requireStaff(ctx.actor);
  authorize(actor, 'tickets.work');
  return database.transaction(async (tx) => {
    const h = await handoversRepo.lock(tx, handoverId);
    if (!h) throw notFound('Handover');
    // Only the receiver confirms: ownership moves only when they say they understood the case.
    if (h.toStaffId !== actor.id) {
      if (h.fromStaffId === actor.id || can(actor, 'tickets.read_all')) {
        throw new AppError('forbidden', 'Only the receiver can confirm or decline a handover', { reason: 'handover_receiver_only' });
      }
      throw notFound('Handover');
    }
    if (h.state !== 'pending') throw conflict('handover_decided', `This handover is already ${h.state}`, { state: h.state });
    const t = (await ticketsRepo.byId(tx, h.ticketId, true))!;
    const state = decision === 'confirm' ? 'confirmed' : 'declined';
    const after = await handoversRepo.decide(tx, handoverId, { state, decisionNote: note ?? null, decidedAt: new Date() });
    if (decision === 'confirm') {
      if (!isOpenStatus(t.status)) throw notOpen(t, 'The ticket is no longer open');
      const transferred = t.teamId !== null && actor.teamId !== null && actor.teamId !== t.teamId;
      const moved = await ticketsRepo.setFields(tx, t.id, {
        ownerId: actor.id,
        teamId: actor.teamId ?? t.teamId,
        handoverCount: t.handoverCount + 1,
        teamTransferCount: t.teamTransferCount + (transferred ? 1 : 0),
        status: t.status === 'new' ? 'assigned' : t.status,
      });
      await emitInTx(tx, ctx, moved, 'ticket.handover_confirmed', {
        handoverId,
        fromStaffId: h.fromStaffId,
        toStaffId: actor.id,
        reasonKind: h.reasonKind,
        reason: transferReasonText(h.reasonKind as TransferReason, h.reasonNote),
      });
      await emitInTx(tx, ctx, moved, 'ticket.assigned', {
        ownerId: actor.id,
        teamId: moved.teamId,
        previousOwnerId: t.ownerId,
        reason: text('tickets.reason.handover_confirmed'),
        auto: false,
      });
      if (transferred) await emitInTx(tx, ctx, moved, 'ticket.team_transferred', { from: t.teamId, to: moved.teamId });
      const n = notificationText(text('tickets.notify.handover_confirmed', { number: t.number, name: actor.name }));
      await notify(tx, { recipientId: h.fromStaffId, kind: 'handover.confirmed', ticketId: t.id, title: n.title, data: { handoverId, message: n.message } });
    } else {
      await emitInTx(tx, ctx, t, 'ticket.handover_declined', { handoverId, note: note ?? null });
      const n = notificationText(text('tickets.notify.handover_declined', { number: t.number, name: actor.name }));
      await notify(tx, {
        recipientId: h.fromStaffId,
        kind: 'handover.declined',
        ticketId: t.id,
        title: n.title,
        data: { handoverId, note: note ?? null, message: n.message },
      });
    }
    await writeAudit(tx, ctx, {
      action: `handover.${state}`,
      targetType: 'ticket',
      targetId: t.id,
      changes: decision === 'confirm' ? diff({ ownerId: t.ownerId }, { ownerId: actor.id }) : null,
    });
    return presentHandover(after, null, actor.name, {}, ctx.locale);
  });
}

/** Unconfirmed handovers visible to the sender, the receiver and their supervisors. */
export async function listHandovers(database: Database, ctx: Ctx, q: { state?: string | undefined }) {
  const actor = requireStaff(ctx.actor);
  authorize(actor, 'tickets.work');
  const rows = await handoversRepo.list(database.db, actor, can(actor, 'tickets.read_all') ? null : actor.id, q.state);
  return { items: rows.map((r) => presentHandover(r.h, r.fromName, r.toName, { ticketNumber: r.number, ticketSubject: r.subject }, ctx.locale)) };
}
