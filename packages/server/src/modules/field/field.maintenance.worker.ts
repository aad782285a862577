/**
 * The preventive-maintenance pass (issue #16 item 7): for each active plan whose next due date is within its lead
 * days, one repair ticket "预防性维护：<asset or site>" of the internal customer with a visit in the first window of
 * the business calendar from the due day on — dispatched to the best-ranked free technician, else left unassigned.
 * The run row (plan, due date) is inserted first with ON CONFLICT DO NOTHING: two passes at once (two processes)
 * generate one ticket per due date; the loser waits for the winner's row and does nothing.
 */
import type { Database, Tx } from '../../db/client';
import { render } from '../../i18n/index';
import { writeAudit } from '../../lib/audit';
import { systemCtx } from '../../lib/context';
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
import { fieldMaintenanceRepo as repo, MAINTENANCE_TAG, type PlanRow } from './field.maintenance.repo';
import { freeWindows, MAX_SLOT_DAYS, SLOT_MINUTES, type Window } from './field.slots';
import { fieldRepo } from './field.repo';
import { dayBounds, localDate } from './field.time';

const LEN_MS = SLOT_MINUTES * 60_000;

/** The window and technician of a generated visit (technician null: unassigned; window null: no calendar has one). */
async function placeVisit(tx: Tx, plan: PlanRow, siteId: string, due: string): Promise<{ window: Window | null; technicianId: string | null }> {
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
  if (plan.calendarId) {
    // The plan's own calendar fixes the window; the first covering technician free in it takes the visit.
    const row = (await loadCalendarRows(tx, [plan.calendarId])).get(plan.calendarId);
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

/** Generate the due maintenance of one plan, if any, in one transaction; true when this call generated it. */
async function generatePlan(database: Database, plan: PlanRow, today: string): Promise<boolean> {
  const due = dueWithinLead(plan.startDate, { n: plan.everyN, unit: plan.unit as 'day' | 'month' }, plan.leadDays, today);
  if (!due || (await repo.runExists(database.db, plan.id, due))) return false;
  const number = await ticketsRepo.nextNumber(database.db, orgDay(new Date()));
  return database.transaction(async (tx) => {
    if (!(await repo.claimRun(tx, plan.id, due))) return false;
    const ctx = systemCtx('maintenance');
    const asset = plan.assetId ? await repo.assetById(tx, plan.assetId) : undefined;
    const siteId = asset?.siteId ?? plan.siteId!;
    const site = await repo.siteById(tx, siteId);
    const name = asset?.name ?? site?.name ?? '';
    const ticket = await repo.insertTicket(tx, {
      id: uuidv7(),
      number,
      customerId: await internalCustomerInTx(tx),
      type: 'repair',
      channel: 'walk_in',
      priority: 'normal',
      status: 'new',
      subject: render('zh-CN', { key: 'field.maintenance.ticket_subject', params: { name } }).slice(0, 200),
      description: render('zh-CN', { key: 'field.maintenance.ticket_description', params: { name, due } }),
      site: site?.name ?? null,
      siteId,
      tags: [MAINTENANCE_TAG],
      createdByKind: 'system',
      createdById: null,
    });
    const place = await placeVisit(tx, plan, siteId, due);
    let visitId: string | null = null;
    if (place.window) {
      const visit = await fieldRepo.insertVisit(tx, {
        id: uuidv7(),
        ticketId: ticket.id,
        siteId,
        technicianId: place.technicianId,
        startsAt: new Date(place.window[0]),
        endsAt: new Date(place.window[1]),
        state: 'scheduled',
        repeatOfId: null,
      });
      visitId = visit.id;
      await recordTicketEvent(tx, ctx, await ticketsRepo.snapshot(tx, ticket), 'field.visit_scheduled', {
        visitId: visit.id,
        technicianId: place.technicianId,
        start: visit.startsAt.toISOString(),
        end: visit.endsAt.toISOString(),
        repeatOfId: null,
      });
    }
    await repo.finishRun(tx, plan.id, due, ticket.id, visitId);
    await writeAudit(tx, ctx, {
      action: 'field.maintenance_generated',
      targetType: 'field_maintenance_plan',
      targetId: plan.id,
      changes: { due: { before: null, after: due } },
    });
    return true;
  });
}

/** One pass over the active plans (the worker's, and tests call it directly): how many due dates it generated. */
export async function runMaintenancePass(database: Database, now = new Date()): Promise<number> {
  const today = localDate(now);
  let n = 0;
  for (const plan of await repo.plans(database.db, true)) if (await generatePlan(database, plan, today)) n++;
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
