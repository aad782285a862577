import type { Database } from '../../db/client';
import { writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, notFound } from '../../lib/errors';
import { loadCalendarRows } from '../calendars/calendar-cache';
import { authorize, permissionsOf, ROLE_PERMISSIONS, type Role } from '../identity/policy';
import { loadCandidates } from './field.dispatch.commands';
import { fieldDispatchRepo, type BoardVisitRow, type BookingRow } from './field.dispatch.repo';
import { fieldRepo, type VisitRow } from './field.repo';
import { isFree } from './field.slots';
import { dayBounds, localDate } from './field.time';

const AT_RISK_MS = 30 * 60_000;
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const conflict = (v: VisitRow, what: string) =>
  new AppError('conflict', `A ${v.state} visit cannot be ${what}`, { reason: 'visit_state', params: { state: v.state } });

/** late: the window began without arrival (or the arrival came after its end); at_risk: starts within 30 minutes, nobody set out. */
export function visitFlag(v: Pick<VisitRow, 'state' | 'startsAt' | 'endsAt' | 'arrivedAt'>, now: number): 'late' | 'at_risk' | null {
  return flagAt(v.state, v.startsAt.getTime(), v.endsAt.getTime(), v.arrivedAt?.getTime() ?? null, now);
}

/** visitFlag on epoch ms (the board reads its visits that way). */
export function flagAt(state: string, startsAt: number, endsAt: number, arrivedAt: number | null, now: number): 'late' | 'at_risk' | null {
  if (arrivedAt !== null) return arrivedAt >= endsAt ? 'late' : null;
  if (state !== 'scheduled' && state !== 'accepted' && state !== 'en_route' && state !== 'declined') return null;
  if (now >= startsAt) return 'late';
  if (state !== 'en_route' && startsAt - now <= AT_RISK_MS) return 'at_risk';
  return null;
}

function presentBooking(v: VisitRow, b: BookingRow | undefined) {
  return {
    visitId: v.id,
    state: v.state as 'scheduled',
    start: v.startsAt.toISOString(),
    end: v.endsAt.toISOString(),
    technicianId: v.technicianId,
    bookedBy: (b?.bookedBy ?? 'agent') as 'agent' | 'customer',
    confirmedAt: iso(b?.confirmedAt),
    confirmNote: b?.confirmNote ?? null,
    rescheduleReason: b?.rescheduleReason ?? null,
    reschedules: b?.reschedules ?? 0,
    cancelReason: b?.cancelReason ?? null,
  };
}

/** Phone confirmation with the customer (电话确认), recorded before the visit: refused once the technician has arrived. */
export async function confirmVisit(database: Database, ctx: Ctx, id: string, note?: string) {
  authorize(ctx.actor, 'field.dispatch');
  return database.transaction(async (tx) => {
    const v = await fieldRepo.visitById(tx, id, true);
    if (!v) throw notFound('Visit');
    if (!['scheduled', 'accepted', 'en_route'].includes(v.state)) throw conflict(v, 'confirmed');
    const b = await fieldDispatchRepo.putBooking(tx, id, { confirmedAt: new Date(), confirmedBy: ctx.actor.id, confirmNote: note ?? null });
    await writeAudit(tx, ctx, { action: 'field.visit_confirmed', targetType: 'field_visit', targetId: id });
    return presentBooking(v, b);
  });
}

/** Move a visit to another window with a reason: the technician's calendar and other visits are checked again (409 slot_taken). */
export async function rescheduleVisit(database: Database, ctx: Ctx, id: string, input: { start: string; end: string; reason: string }) {
  authorize(ctx.actor, 'field.dispatch');
  const start = new Date(input.start);
  const end = new Date(input.end);
  return database.transaction(async (tx) => {
    const v = await fieldRepo.visitById(tx, id, true);
    if (!v) throw notFound('Visit');
    if (!['scheduled', 'accepted', 'declined'].includes(v.state)) throw conflict(v, 'rescheduled');
    const tech = v.state === 'declined' ? null : v.technicianId;
    if (tech) {
      await fieldRepo.lockTechnician(tx, tech);
      const cand = (await loadCandidates(tx, start, end, new Date(), v.id)).find((c) => c.id === tech);
      if (!cand || !isFree(cand.calendar, cand.busy, [start.getTime(), end.getTime()]))
        throw new AppError('slot_taken', 'The technician is not free in this window', { reason: 'slot_taken' });
    }
    const row = await fieldRepo.updateVisit(tx, id, { startsAt: start, endsAt: end, state: tech ? 'scheduled' : v.state });
    const before = await fieldDispatchRepo.booking(tx, id);
    const b = await fieldDispatchRepo.putBooking(tx, id, {
      rescheduleReason: input.reason,
      reschedules: (before?.reschedules ?? 0) + 1,
      confirmedAt: null,
      rescheduledAt: new Date(),
    });
    await writeAudit(tx, ctx, {
      action: 'field.visit_rescheduled',
      targetType: 'field_visit',
      targetId: id,
      changes: { start: { before: v.startsAt.toISOString(), after: input.start }, end: { before: v.endsAt.toISOString(), after: input.end } },
    });
    return presentBooking(row, b);
  });
}

/** Cancel a visit with a reason (before the technician arrives); its slot is free again. */
export async function cancelVisit(database: Database, ctx: Ctx, id: string, reason: string) {
  authorize(ctx.actor, 'field.dispatch');
  return database.transaction(async (tx) => {
    const v = await fieldRepo.visitById(tx, id, true);
    if (!v) throw notFound('Visit');
    if (!['scheduled', 'accepted', 'declined', 'en_route'].includes(v.state)) throw conflict(v, 'cancelled');
    const row = await fieldRepo.updateVisit(tx, id, { state: 'cancelled' });
    const b = await fieldDispatchRepo.putBooking(tx, id, { cancelReason: reason });
    await writeAudit(tx, ctx, {
      action: 'field.visit_cancelled',
      targetType: 'field_visit',
      targetId: id,
      changes: { state: { before: v.state, after: 'cancelled' } },
    });
    return presentBooking(row, b);
  });
}

const isTechnician = (roles: unknown) => permissionsOf(roles as string[]).has('field.work');

export async function listTechnicians(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'field.dispatch');
  const rows = (await fieldDispatchRepo.staffWithProfiles(database.db)).filter((r) => isTechnician(r.roles));
  return {
    items: rows.map((r) => ({
      id: r.id,
      name: r.name,
      calendarId: r.profile?.calendarId ?? null,
      skills: (r.profile?.skills as string[] | undefined) ?? [],
      areaSiteIds: (r.profile?.areaSiteIds as string[] | undefined) ?? [],
    })),
  };
}

/** Set a technician's working calendar, skills and areas (site subtrees). */
export async function putTechnician(
  database: Database,
  ctx: Ctx,
  input: { staffId: string; calendarId: string | null; skills: string[]; areaSiteIds: string[] },
) {
  authorize(ctx.actor, 'field.manage');
  return database.transaction(async (tx) => {
    const [who] = await fieldDispatchRepo.staffWithProfiles(tx, [input.staffId]);
    if (!who || !isTechnician(who.roles))
      throw new AppError('validation_failed', 'staffId: not an active technician', { errors: [{ path: 'staffId', message: 'not an active technician' }] });
    if (input.calendarId && !(await loadCalendarRows(tx, [input.calendarId])).size)
      throw new AppError('validation_failed', 'calendarId: unknown calendar', { errors: [{ path: 'calendarId', message: 'unknown calendar' }] });
    const sites = await fieldRepo.sitesByIds(tx, input.areaSiteIds);
    if (sites.length !== new Set(input.areaSiteIds).size)
      throw new AppError('validation_failed', 'areaSiteIds: unknown site', { errors: [{ path: 'areaSiteIds', message: 'unknown site' }] });
    const skills = [...new Set(input.skills)];
    const areas = [...new Set(input.areaSiteIds)];
    const row = await fieldDispatchRepo.upsertProfile(tx, { staffId: input.staffId, calendarId: input.calendarId, skills, areaSiteIds: areas });
    await writeAudit(tx, ctx, { action: 'field.technician_profile', targetType: 'staff', targetId: input.staffId });
    return { id: who.id, name: who.name, calendarId: row.calendarId, skills, areaSiteIds: areas };
  });
}

const boardVisit = (r: BoardVisitRow, now: number) => ({
  id: r.id,
  ticketId: r.ticketId,
  ticketNumber: r.ticketNumber,
  ticketSubject: r.ticketSubject,
  siteName: r.siteName,
  technicianId: r.technicianId,
  start: new Date(r.startsAt).toISOString(),
  end: new Date(r.endsAt).toISOString(),
  state: r.state as 'scheduled',
  confirmed: r.confirmed,
  flag: flagAt(r.state, r.startsAt, r.endsAt, r.arrivedAt, now),
});

/** The roles that grant field.work (roles are a fixed set), for selecting technicians in SQL. */
const TECHNICIAN_ROLES = (Object.keys(ROLE_PERMISSIONS) as Role[]).filter((r) => ROLE_PERMISSIONS[r].includes('field.work'));

/** The dispatch board (调度看板): a page of technicians × the day's visits, flags computed now, and the unassigned visits. */
export async function board(database: Database, ctx: Ctx, q: { date?: string | undefined; offset: number; limit: number }) {
  authorize(ctx.actor, 'field.dispatch');
  const now = Date.now();
  const date = q.date ?? localDate(new Date(now));
  const { from, to } = dayBounds(date);
  const techs = await fieldDispatchRepo.technicianNames(database.db, TECHNICIAN_ROLES);
  const page = techs.slice(q.offset, q.offset + q.limit);
  const [rows, unassigned] = await Promise.all([
    fieldDispatchRepo.boardVisits(
      database.db,
      page.map((t) => t.id),
      from,
      to,
      page.length * 48,
    ),
    fieldDispatchRepo.boardVisits(database.db, null, from, to, 200),
  ]);
  const by = new Map<string, ReturnType<typeof boardVisit>[]>();
  for (const r of rows) {
    if (r.state === 'declined') continue;
    const list = by.get(r.technicianId!) ?? [];
    list.push(boardVisit(r, now));
    by.set(r.technicianId!, list);
  }
  return {
    date,
    now: new Date(now).toISOString(),
    technicians: page.map((t) => ({ id: t.id, name: t.name, visits: by.get(t.id) ?? [] })),
    totalTechnicians: techs.length,
    unassigned: unassigned.map((r) => boardVisit(r, now)),
  };
}
