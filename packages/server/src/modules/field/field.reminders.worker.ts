/**
 * The visit reminder pass (issue #16 item 2). Booked visits (scheduled / accepted, with a technician) of the next two
 * days whose reminder is due (field.reminders.ts `reminderDue`) get one reminder per visit and start: the row
 * (visit, start) is inserted first under a lock on the visit — two processes at once send once; a reschedule (a new
 * start) re-arms; a cancelled visit is no longer booked and is never reminded. The text goes out on every channel
 * the channels module registered that takes it (consent and reachability are the sender's check), and the ticket's
 * timeline says so (`field.visit_reminded`, or `field.visit_reminder_unreachable` when no channel could).
 */
import type { Database } from '../../db/client';
import { writeAudit } from '../../lib/audit';
import { systemCtx } from '../../lib/context';
import { orgTimeZone } from '../../lib/timezone';
import { PollingWorker } from '../../lib/worker';
import type { WorkerFactory } from '../module';
import { recordTicketEvent } from '../tickets/ticket-events';
import { ticketsRepo } from '../tickets/tickets.repo';
import { portalRequestUrl, reminderDue, reminderSenders, reminderSettings, reminderText, type ReminderChannel } from './field.reminders';
import { fieldRemindersRepo as repo, REMINDED_STATES, type ReminderCandidate } from './field.reminders.repo';
import { fieldRepo } from './field.repo';

const HORIZON_MS = 2 * 86_400_000;

/** Send the reminder of one visit (one transaction); false when it was not this call's to send. */
async function remind(database: Database, c: ReminderCandidate, due: Date, now: Date): Promise<boolean> {
  return database.transaction(async (tx) => {
    const v = await fieldRepo.visitById(tx, c.visitId, true);
    if (!v || !(REMINDED_STATES as readonly string[]).includes(v.state) || v.startsAt.getTime() !== c.startsAt.getTime()) return false;
    if (!(await repo.claim(tx, v.id, v.startsAt, due))) return false;
    const text = reminderText('zh-CN', {
      customerName: c.customerName,
      ticketNumber: c.ticketNumber,
      start: v.startsAt,
      end: v.endsAt,
      technicianName: c.technicianName,
      url: portalRequestUrl(c.ticketId),
    });
    const msg = { visitId: v.id, ticketId: c.ticketId, ticketNumber: c.ticketNumber, customerId: c.customerId, start: v.startsAt, ...text, at: now };
    const channels: ReminderChannel[] = [];
    const skipped: { channel: ReminderChannel; why: string }[] = [];
    for (const [channel, sender] of reminderSenders()) {
      const outcome = await sender.enqueue(tx, msg);
      if (outcome === 'queued') channels.push(channel);
      else skipped.push({ channel, why: outcome });
    }
    const state = channels.length > 0 ? 'sent' : 'unreachable';
    await repo.finish(tx, v.id, v.startsAt, { state, channels, skipped });
    const ctx = systemCtx('field-reminders');
    const ticket = await ticketsRepo.byId(tx, c.ticketId);
    if (ticket) {
      const data = { visitId: v.id, start: v.startsAt.toISOString(), end: v.endsAt.toISOString(), channels, skipped };
      await recordTicketEvent(
        tx,
        ctx,
        await ticketsRepo.snapshot(tx, ticket),
        state === 'sent' ? 'field.visit_reminded' : 'field.visit_reminder_unreachable',
        data,
      );
    }
    await writeAudit(tx, ctx, {
      action: `field.visit_reminder_${state}`,
      targetType: 'field_visit',
      targetId: v.id,
      changes: { channels: { before: null, after: channels } },
    });
    return true;
  });
}

/** One pass (the worker's; tests call it directly): reminders sent, and when the next one is due. */
export async function runReminderPass(database: Database, now = new Date()): Promise<{ handled: number; nextAt: number | null }> {
  const settings = reminderSettings(await repo.settings(database.db));
  const tz = orgTimeZone();
  let handled = 0;
  let nextAt: number | null = null;
  for (const c of await repo.candidates(database.db, now, new Date(now.getTime() + HORIZON_MS), 500)) {
    const armedAt = c.rescheduledAt && c.rescheduledAt > c.createdAt ? c.rescheduledAt : c.createdAt;
    const due = reminderDue(c.startsAt, armedAt, settings, tz);
    if (!due) continue;
    if (due.getTime() > now.getTime()) {
      nextAt = Math.min(nextAt ?? Infinity, due.getTime());
      continue;
    }
    if (await remind(database, c, due, now)) handled++;
  }
  return { handled, nextAt };
}

/** Every 5 minutes (CHIDU_FIELD_REMINDERS_POLL_MS), or at the next due reminder; null when CHIDU_FIELD_REMINDERS_WORKER=0. */
export const reminderWorker: WorkerFactory = (deps, log) => {
  if (process.env.CHIDU_FIELD_REMINDERS_WORKER === '0') return null;
  return new PollingWorker({
    name: 'field-reminders',
    database: deps.database,
    pollMs: Number(process.env.CHIDU_FIELD_REMINDERS_POLL_MS ?? 300_000),
    firstPassMs: 60_000,
    unref: true,
    log,
    batch: async () => runReminderPass(deps.database),
  });
};
