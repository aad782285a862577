/**
 * The preventive-maintenance pass (issue #16 item 7): for each active plan whose next due date is within its lead
 * days, one repair ticket "预防性维护：<asset or site>" of the internal customer per subject (the plan's asset or site,
 * or every asset of the plan's model) with a visit in the first window of the business calendar from the due day on —
 * dispatched to the best-ranked free technician, else left unassigned. The run row (plan, due date, subject) is
 * inserted first with ON CONFLICT DO NOTHING: two passes at once (two processes) generate one ticket per due date and
 * subject; the loser waits for the winner's row and does nothing. `generateVisit` also makes a proposal's inspection.
 */
import type { Database, Tx } from '../../db/client';
import { render } from '../../i18n/index';
import { writeAudit } from '../../lib/audit';
import { systemCtx, type Ctx } from '../../lib/context';
import { uuidv7 } from '../../lib/ids';
import { orgTimeZone } from '../../lib/timezone';
import { PollingWorker } from '../../lib/worker';
import { calendarOf, loadCalendarRows } from '../calendars/calendar-cache';
import { internalCustomerInTx } from '../customers/customers.commands';
import type { WorkerFactory } from '../module';
import { recordTicketEvent } from '../tickets/ticket-events';
import { orgDay } from '../tickets/tickets.create';
import { ticketsRepo } from '../tickets/tickets.repo';
import { loadCandidates } from './field.dispatch.commands';
import { rankTechnicians } from './field.dispatch';
import { fieldDispatchRepo } from './field.dispatch.repo';
import { dueWithinLead, maintenanceWindow } from './field.maintenance';
import { fieldMaintenanceRepo as repo, INSPECTION_TAG, MAINTENANCE_TAG, type PlanRow } from './field.maintenance.repo';
import { freeWindows, MAX_SLOT_DAYS, SLOT_MINUTES, type Window } from './field.slots';
import { fieldRepo } from './field.repo';
import { dayBounds, localDate } from './field.time';

const LEN_MS = SLOT_MINUTES * 60_000;

/** The window and technician of a generated visit (technician null: unassigned; window null: no calendar has one). */
async function placeVisit(tx: Tx, calendarId: string | null, siteId: string, due: string): Promise<{ window: Window | null; technicianId: string | null }> {
  const tz = orgTimeZone();
  const from = Math.max(Date.now(), dayBounds(due, tz).from.getTime());
  const to = from + MAX_SLOT_DAYS * 86_400_000;
  const ancestors = await fieldDispatchRepo.siteAncestors(tx, siteId);
  const cands = await loadCandidates(tx, new Date(from), new Date(to));
  const covering = new Set(
    rankTechnicians(cands, [from, from + 1], null, ancestors)
      .filter((p) => p.area !== 'outside')
      .map((p) => p.technicianId),
  );
  if (calendarId) {
    // The plan's own calendar fixes the window; the first covering technician free in it takes the visit.
    const row = (await loadCalendarRows(tx, [calendarId])).get(calendarId);
    const window = row ? maintenanceWindow(calendarOf(row), tz, due, LEN_MS) : null;
    if (!window) return { window: null, technicianId: null };
    const ranked = rankTechnicians(cands, window, null, ancestors).filter((p) => p.eligible && covering.has(p.technicianId));
    for (const p of ranked) {
      await fieldRepo.lockTechnician(tx, p.technicianId);
      if (!(await fieldRepo.overlapping(tx, p.technicianId, new Date(window[0]), new Date(window[1])))) return { window, technicianId: p.technicianId };
    }
    return { window, technicianId: null };
  }
  // The technicians' calendars: the earliest free window of a covering technician (fewest open visits on a tie).
  const options = cands
    .filter((c) => c.calendar && covering.has(c.id))
    .flatMap((c) => {
      const w = freeWindows(c.calendar!, c.busy, from, to, LEN_MS)[0];
      return w ? [{ id: c.id, w, load: c.openLoad }] : [];
    })
    .sort((a, b) => a.w[0] - b.w[0] || a.load - b.load);
  for (const o of options) {
    await fieldRepo.lockTechnician(tx, o.id);
    if (!(await fieldRepo.overlapping(tx, o.id, new Date(o.w[0]), new Date(o.w[1])))) return { window: o.w, technicianId: o.id };
  }
  return { window: null, technicianId: null };
}

/** Where a generated visit goes: an asset (at its site) or a site. */
export interface VisitTarget {
  assetId: string | null;
  siteId: string;
}

/**
 * One ticket of the internal customer for a maintenance due date or an inspection (巡检) of `target`, with a visit in
 * the first window from `due` on (the calendar's, else the covering technicians'), dispatched to the best free
 * technician or left unassigned; no visit when no window exists. Tagged 预防性维护 (not counted as a fault). Inside
 * the caller's transaction; `number` is reserved by the caller before it.
 */
export async function generateVisit(
  tx: Tx,
  ctx: Ctx,
  opts: { number: string; target: VisitTarget; due: string; calendarId: string | null; kind: 'maintenance' | 'inspection' },
): Promise<{ ticketId: string; visitId: string | null }> {
  const { target, due, kind } = opts;
  const asset = target.assetId ? await repo.assetById(tx, target.assetId) : undefined;
  const site = await repo.siteById(tx, target.siteId);
  const name = asset?.name ?? site?.name ?? '';
  const ticket = await repo.insertTicket(tx, {
    id: uuidv7(),
    number: opts.number,
    customerId: await internalCustomerInTx(tx),
    type: 'repair',
    channel: 'walk_in',
    priority: 'normal',
    status: 'new',
    subject: render('zh-CN', { key: `field.maintenance.${kind}_subject`, params: { name } }).slice(0, 200),
    description: render('zh-CN', { key: `field.maintenance.${kind}_description`, params: { name, due } }),
    site: site?.name ?? null,
    siteId: target.siteId,
    tags: kind === 'inspection' ? [MAINTENANCE_TAG, INSPECTION_TAG] : [MAINTENANCE_TAG],
    createdByKind: 'system',
    createdById: null,
  });
  const place = await placeVisit(tx, opts.calendarId, target.siteId, due);
  if (!place.window) return { ticketId: ticket.id, visitId: null };
  const visit = await fieldRepo.insertVisit(tx, {
    id: uuidv7(),
    ticketId: ticket.id,
    siteId: target.siteId,
    technicianId: place.technicianId,
    startsAt: new Date(place.window[0]),
    endsAt: new Date(place.window[1]),
    state: 'scheduled',
    repeatOfId: null,
  });
  await recordTicketEvent(tx, ctx, await ticketsRepo.snapshot(tx, ticket), 'field.visit_scheduled', {
    visitId: visit.id,
    technicianId: place.technicianId,
    start: visit.startsAt.toISOString(),
    end: visit.endsAt.toISOString(),
    repeatOfId: null,
  });
  return { ticketId: ticket.id, visitId: visit.id };
}

/** The subjects a plan visits: its asset, its site, or every asset of its model (each with its own run). */
async function targetsOf(database: Database, plan: PlanRow): Promise<(VisitTarget & { subjectId: string })[]> {
  if (plan.assetModel !== null)
    return (await repo.assetsOfModel(database.db, plan.assetModel)).map((a) => ({ assetId: a.id, siteId: a.siteId, subjectId: a.id }));
  if (plan.assetId) {
    const asset = await repo.assetById(database.db, plan.assetId);
    return asset ? [{ assetId: asset.id, siteId: asset.siteId, subjectId: asset.id }] : [];
  }
  return [{ assetId: null, siteId: plan.siteId!, subjectId: plan.siteId! }];
}

/** Generate the due maintenance of one plan, if any, one transaction per subject; how many subjects this call generated. */
async function generatePlan(database: Database, plan: PlanRow, today: string): Promise<number> {
  const due = dueWithinLead(plan.startDate, { n: plan.everyN, unit: plan.unit as 'day' | 'month' }, plan.leadDays, today);
  if (!due) return 0;
  const done = await repo.runSubjects(database.db, plan.id, due);
  let n = 0;
  for (const target of await targetsOf(database, plan)) {
    if (done.has(target.subjectId)) continue;
    const number = await ticketsRepo.nextNumber(database.db, orgDay(new Date()));
    const made = await database.transaction(async (tx) => {
      if (!(await repo.claimRun(tx, plan.id, due, target.subjectId))) return false;
      const ctx = systemCtx('maintenance');
      const out = await generateVisit(tx, ctx, { number, target, due, calendarId: plan.calendarId, kind: 'maintenance' });
      await repo.finishRun(tx, plan.id, due, target.subjectId, out.ticketId, out.visitId);
      await writeAudit(tx, ctx, {
        action: 'field.maintenance_generated',
        targetType: 'field_maintenance_plan',
        targetId: plan.id,
        changes: { due: { before: null, after: due }, subjectId: { before: null, after: target.subjectId } },
      });
      return true;
    });
    if (made) n++;
  }
  return n;
}

/** One pass over the active plans (the worker's, and tests call it directly): how many visits (subject × due date) it generated. */
export async function runMaintenancePass(database: Database, now = new Date()): Promise<number> {
  const today = localDate(now);
  let n = 0;
  for (const plan of await repo.plans(database.db, true)) n += await generatePlan(database, plan, today);
  return n;
}

/** Every 10 minutes (CHIDU_MAINTENANCE_POLL_MS); null when CHIDU_MAINTENANCE_WORKER=0. */
export const maintenanceWorker: WorkerFactory = (deps, log) => {
  if (process.env.CHIDU_MAINTENANCE_WORKER === '0') return null;
  return new PollingWorker({
    name: 'maintenance',
    database: deps.database,
    pollMs: Number(process.env.CHIDU_MAINTENANCE_POLL_MS ?? 600_000),
    firstPassMs: 30_000,
    unref: true,
    log,
    batch: async () => ({ handled: await runMaintenancePass(deps.database) }),
  });
};
