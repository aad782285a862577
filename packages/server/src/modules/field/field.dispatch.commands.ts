import { detectRecurring } from './field.maintenance.commands';
import type { Database, Executor, Tx } from '../../db/client';
import { render } from '../../i18n/index';
import { writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { calendarOf, loadCalendarRows } from '../calendars/calendar-cache';
import { authorize, permissionsOf } from '../identity/policy';
import { recordTicketEvent } from '../tickets/ticket-events';
import { ticketsRepo } from '../tickets/tickets.repo';
import { rankTechnicians, type Candidate, type Proposal } from './field.dispatch';
import { fieldDispatchRepo, OPEN_STATES } from './field.dispatch.repo';
import { REPEAT_WINDOW_DAYS } from './field.policy';
import { fieldRepo, type VisitRow } from './field.repo';
import { fieldWorkRepo } from './field.work.repo';
import { freeWindows, MAX_SLOT_DAYS, nextDate, offeredSlots, SLOT_MINUTES, type Window } from './field.slots';
import { dayBounds, localDate } from './field.time';
import type { VISIT_STATES } from './field.schema';

type VisitState = (typeof VISIT_STATES)[number];

const invalid = (path: string, message: string) => new AppError('validation_failed', `${path}: ${message}`, { errors: [{ path, message }] });
const slotTaken = () => new AppError('slot_taken', 'No technician is free for this window any more', { reason: 'slot_taken' });

/** Technicians (active staff whose roles grant field.work) with their calendar, busy windows in [from, to) and open load. */
export async function loadCandidates(ex: Executor, from: Date, to: Date, now = new Date(), exceptVisitId?: string): Promise<Candidate[]> {
  const people = (await fieldDispatchRepo.staffWithProfiles(ex)).filter((p) => permissionsOf(p.roles).has('field.work'));
  const ids = people.map((p) => p.id);
  const [cals, busyRows, load] = await Promise.all([
    loadCalendarRows(
      ex,
      people.map((p) => p.profile?.calendarId),
    ),
    fieldDispatchRepo.busy(ex, ids, from, to),
    fieldDispatchRepo.openLoad(ex, ids, now),
  ]);
  const busy = new Map<string, Window[]>();
  for (const b of busyRows) {
    if (b.id === exceptVisitId) continue;
    const list = busy.get(b.technicianId!) ?? [];
    list.push([b.startsAt.getTime(), b.endsAt.getTime()]);
    busy.set(b.technicianId!, list);
  }
  return people.map((p) => {
    const row = p.profile?.calendarId ? cals.get(p.profile.calendarId) : undefined;
    return {
      id: p.id,
      name: p.name,
      skills: (p.profile?.skills as string[] | undefined) ?? [],
      areaSiteIds: (p.profile?.areaSiteIds as string[] | undefined) ?? [],
      calendar: row ? calendarOf(row) : null,
      busy: busy.get(p.id) ?? [],
      openLoad: load.get(p.id) ?? 0,
    };
  });
}

const present = (ctx: Ctx, p: Proposal) => ({ ...p, reasons: p.reasons.map((r) => render(ctx.locale, r)) });

/** Free appointment windows for a ticket's site: the union of eligible technicians' free windows (2 hours each). */
async function slotsFor(ex: Executor, siteId: string | null, q: { from?: string | undefined; days: number; skill?: string | undefined }) {
  const now = Date.now();
  const firstDay = q.from ?? localDate(new Date(now));
  let lastDay = firstDay;
  for (let i = 1; i < Math.min(q.days, MAX_SLOT_DAYS); i++) lastDay = nextDate(lastDay);
  const from = Math.max(now, dayBounds(firstDay).from.getTime());
  const to = dayBounds(lastDay).to.getTime();
  if (to <= from) return { slotMinutes: SLOT_MINUTES, items: [] };
  const ancestors = siteId ? await fieldDispatchRepo.siteAncestors(ex, siteId) : new Set<string>();
  const cands = await loadCandidates(ex, new Date(from), new Date(to));
  const ranked = rankTechnicians(cands, [from, from + 1], q.skill ?? null, ancestors);
  const fit = new Set(ranked.filter((p) => p.area !== 'outside' && p.skillMatch).map((p) => p.technicianId));
  const per = cands.filter((c) => fit.has(c.id) && c.calendar).map((c) => freeWindows(c.calendar!, c.busy, from, to, SLOT_MINUTES * 60_000));
  return {
    slotMinutes: SLOT_MINUTES,
    items: offeredSlots(per).map((s) => ({ start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString(), free: s.free })),
  };
}

export async function ticketSlots(database: Database, ctx: Ctx, ticketId: string, q: { from?: string | undefined; days: number; skill?: string | undefined }) {
  authorize(ctx.actor, 'field.dispatch');
  const ticket = await ticketsRepo.byId(database.db, ticketId);
  if (!ticket) throw notFound('Ticket');
  return slotsFor(database.db, ticket.siteId ?? null, q);
}

/** The customer's own repair ticket (others: 404). */
async function ownTicket(ex: Executor, ctx: Ctx, ticketId: string) {
  const ticket = await ticketsRepo.byId(ex, ticketId);
  if (ctx.actor.kind !== 'customer' || !ticket || ticket.customerId !== ctx.actor.customerId) throw notFound('Ticket');
  if (ticket.type !== 'repair' && ticket.type !== 'after_sales')
    throw new AppError('conflict', 'Only repair requests take an appointment', { reason: 'not_a_repair' });
  return ticket;
}

/**
 * What the customer may book on the portal: nothing while a visit is open (they see it), nothing on a resolved or
 * closed request, and after a completed visit only once the request was reopened since (the problem came back);
 * otherwise they see the completed visit and its 服务回执.
 */
async function portalBooking(ex: Executor, ticket: { id: string; status: string }) {
  const visits = await fieldRepo.visitsOfTicket(ex, ticket.id);
  const open = visits.find((v) => v.state !== 'cancelled' && v.state !== 'completed');
  const done = visits.filter((v) => v.state === 'completed' && v.completedAt).sort((a, b) => b.completedAt!.getTime() - a.completedAt!.getTime())[0];
  let bookable = !open && ticket.status !== 'resolved' && ticket.status !== 'closed';
  if (bookable && done) {
    const reopened = await fieldDispatchRepo.lastReopenedAt(ex, ticket.id);
    bookable = reopened !== null && reopened.getTime() > done.completedAt!.getTime();
  }
  return { open, done, bookable };
}

export async function portalSlots(database: Database, ctx: Ctx, ticketId: string, q: { from?: string | undefined; days: number }) {
  const ticket = await ownTicket(database.db, ctx, ticketId);
  const { open, done, bookable } = await portalBooking(database.db, ticket);
  const techIds = [open?.technicianId, done?.technicianId].filter((x): x is string => !!x);
  const names = await fieldRepo.staffNames(database.db, techIds);
  const nameOf = (id: string | null) => (id && names.get(id)) || null;
  const booked = open
    ? { start: open.startsAt.toISOString(), end: open.endsAt.toISOString(), state: open.state as VisitState, technicianName: nameOf(open.technicianId) }
    : null;
  const signoff = done ? await fieldWorkRepo.signoff(database.db, done.id) : undefined;
  const completed = done
    ? {
        visitId: done.id,
        start: done.startsAt.toISOString(),
        end: done.endsAt.toISOString(),
        completedAt: done.completedAt!.toISOString(),
        technicianName: nameOf(done.technicianId),
        reportAttachmentId: signoff?.reportAttachmentId ?? null,
      }
    : null;
  if (!bookable) return { slotMinutes: SLOT_MINUTES, items: [], booked, bookable, completed };
  const siteId = ticket.siteId ?? (await fieldDispatchRepo.customerHomeSite(database.db, ticket.customerId));
  return { ...(await slotsFor(database.db, siteId, q)), booked, bookable, completed };
}

/**
 * Book an appointment window: dispatch ranks the technicians and the first eligible one whose slot is still free
 * under a lock on their staff row gets the visit (state scheduled, to accept or decline). Two bookings of the last
 * free slot: the second waits for the lock, sees the first's visit and gets 409 slot_taken.
 */
async function book(database: Database, ctx: Ctx, ticketId: string, w: { start: string; end: string; skill?: string | undefined }, by: 'agent' | 'customer') {
  const start = new Date(w.start);
  const end = new Date(w.end);
  if (end.getTime() - start.getTime() > 12 * 3_600_000) throw invalid('end', 'a window is at most 12 hours');
  if (start.getTime() < Date.now() - 60_000) throw invalid('start', 'the window has begun');
  return database.transaction(async (tx) => {
    const ticket = by === 'customer' ? await ownTicket(tx, ctx, ticketId) : await ticketsRepo.byId(tx, ticketId);
    if (!ticket) throw notFound('Ticket');
    if (by === 'customer') {
      const { open, bookable } = await portalBooking(tx, ticket);
      if (open) throw new AppError('conflict', 'This request already has an appointment', { reason: 'visit_booked' });
      if (!bookable) throw new AppError('conflict', 'This request takes no new appointment', { reason: 'visit_not_bookable' });
    }
    // A portal request names no site: the visit goes to the customer's home (their unit's room site), when known.
    const siteId = ticket.siteId ?? (by === 'customer' ? await fieldDispatchRepo.customerHomeSite(tx, ticket.customerId) : null);
    const ancestors = siteId ? await fieldDispatchRepo.siteAncestors(tx, siteId) : new Set<string>();
    const ranked = rankTechnicians(await loadCandidates(tx, start, end), [start.getTime(), end.getTime()], w.skill ?? null, ancestors);
    for (const p of ranked.filter((x) => x.eligible && x.skillMatch)) {
      await fieldRepo.lockTechnician(tx, p.technicianId);
      if (await fieldRepo.overlapping(tx, p.technicianId, start, end)) continue;
      const row = await insertVisit(tx, ctx, ticket, siteId, p.technicianId, start, end);
      await fieldDispatchRepo.putBooking(tx, row.id, { skill: w.skill ?? null, bookedBy: by, proposal: { chosen: p.technicianId, reasons: p.reasons } });
      return {
        id: row.id,
        state: 'scheduled' as const,
        technicianId: p.technicianId,
        technicianName: p.name,
        start: start.toISOString(),
        end: end.toISOString(),
      };
    }
    throw slotTaken();
  });
}

async function insertVisit(
  tx: Tx,
  ctx: Ctx,
  ticket: NonNullable<Awaited<ReturnType<typeof ticketsRepo.byId>>>,
  siteId: string | null,
  technicianId: string,
  start: Date,
  end: Date,
) {
  const since = new Date(Date.now() - REPEAT_WINDOW_DAYS * 86_400_000);
  const repeatOf = siteId ? await fieldRepo.lastCompletedAt(tx, siteId, since) : undefined;
  const row = await fieldRepo.insertVisit(tx, {
    id: uuidv7(),
    ticketId: ticket.id,
    siteId,
    technicianId,
    startsAt: start,
    endsAt: end,
    state: 'scheduled',
    repeatOfId: repeatOf?.id ?? null,
  });
  await recordTicketEvent(tx, ctx, await ticketsRepo.snapshot(tx, ticket), 'field.visit_scheduled', {
    visitId: row.id,
    technicianId,
    start: row.startsAt.toISOString(),
    end: row.endsAt.toISOString(),
    repeatOfId: row.repeatOfId,
  });
  await writeAudit(tx, ctx, { action: 'field.visit_booked', targetType: 'field_visit', targetId: row.id });
  await detectRecurring(tx, ctx, ticket.type, [{ kind: 'site', id: siteId }]);
  return row;
}

export function bookTicketSlot(database: Database, ctx: Ctx, ticketId: string, w: { start: string; end: string; skill?: string | undefined }) {
  authorize(ctx.actor, 'field.dispatch');
  return book(database, ctx, ticketId, w, 'agent');
}

export function bookPortalSlot(database: Database, ctx: Ctx, ticketId: string, w: { start: string; end: string }) {
  if (ctx.actor.kind !== 'customer') throw new AppError('forbidden', 'Customer portal only');
  return book(database, ctx, ticketId, w, 'customer');
}

async function rankFor(ex: Executor, v: VisitRow): Promise<Proposal[]> {
  const booking = await fieldDispatchRepo.booking(ex, v.id);
  const ancestors = v.siteId ? await fieldDispatchRepo.siteAncestors(ex, v.siteId) : new Set<string>();
  const open = (OPEN_STATES as readonly string[]).includes(v.state) && v.endsAt.getTime() > Date.now();
  // The visit itself neither blocks nor loads its own technician.
  const cands = (await loadCandidates(ex, v.startsAt, v.endsAt, new Date(), v.id)).map((c) =>
    open && c.id === v.technicianId ? { ...c, openLoad: Math.max(0, c.openLoad - 1) } : c,
  );
  return rankTechnicians(cands, [v.startsAt.getTime(), v.endsAt.getTime()], booking?.skill ?? null, ancestors);
}

/** Technicians proposed for a visit, ranked, each with its reasons. */
export async function visitProposals(database: Database, ctx: Ctx, visitId: string) {
  authorize(ctx.actor, 'field.dispatch');
  const v = await fieldRepo.visitById(database.db, visitId);
  if (!v) throw notFound('Visit');
  return { visitId, items: (await rankFor(database.db, v)).map((p) => present(ctx, p)) };
}

const DISPATCHABLE = ['scheduled', 'accepted', 'declined'];

/**
 * Send a visit to a technician (the one named, or the best proposal). Dry run: the choice and the ranking, nothing
 * written. The technician then accepts or declines with a reason (visits routes).
 */
export async function dispatchVisit(database: Database, ctx: Ctx, visitId: string, input: { technicianId?: string | undefined; dryRun: boolean }) {
  authorize(ctx.actor, 'field.dispatch');
  return database.transaction(async (tx) => {
    const v = await fieldRepo.visitById(tx, visitId, true);
    if (!v) throw notFound('Visit');
    if (!DISPATCHABLE.includes(v.state))
      throw new AppError('conflict', `A ${v.state} visit cannot be dispatched`, { reason: 'visit_state', params: { state: v.state } });
    const ranked = await rankFor(tx, v);
    const chosen = input.technicianId ? ranked.find((p) => p.technicianId === input.technicianId) : ranked.find((p) => p.eligible);
    if (input.technicianId && !chosen) throw invalid('technicianId', 'not an active technician');
    const out = { dryRun: input.dryRun, chosen: chosen ? present(ctx, chosen) : null, proposals: ranked.map((p) => present(ctx, p)) };
    if (input.dryRun) return { ...out, state: v.state as VisitState };
    if (!chosen) throw slotTaken();
    await fieldRepo.lockTechnician(tx, chosen.technicianId);
    if (!chosen.free) throw slotTaken();
    if (await fieldRepo.overlapping(tx, chosen.technicianId, v.startsAt, v.endsAt, v.id)) throw slotTaken();
    const row = await fieldRepo.updateVisit(tx, v.id, { technicianId: chosen.technicianId, state: 'scheduled', declineReason: null });
    await fieldDispatchRepo.putBooking(tx, v.id, { proposal: { chosen: chosen.technicianId, reasons: chosen.reasons } });
    await writeAudit(tx, ctx, {
      action: 'field.visit_dispatched',
      targetType: 'field_visit',
      targetId: v.id,
      changes: { technicianId: { before: v.technicianId, after: chosen.technicianId } },
    });
    return { ...out, state: row.state as VisitState };
  });
}
