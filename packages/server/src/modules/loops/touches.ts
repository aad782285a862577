/**
 * Automatic care contacts and reactivation touches (docs/surveys.md §4/§5). A care / reactivation task whose touch is
 * set to `message` is not a task for a person: when it falls due the loops worker sends its text through the customer's
 * channel the same way survey invitations go (the senders the channels module registers here, tried in
 * `customerChannelOrder` of the ticket's channel — for reactivation, the customer's last ticket's). Consent is the
 * sender's check (the channel's flag); a reactivation touch also needs marketing consent (`consent.marketing`).
 *
 * Queued: the task is done (no result: nobody spoke to the customer), with the channel, the send time and the outbox
 * row (its delivery status is shown with the task); the timeline says `care.contacted` / `reactivation.touched` with
 * `auto: true`. An automatic care contact does not record `ticket.revisited`, so it does not count toward the
 * "7 天内 3 次主动关怀" standard: that standard measures contacts by a person. A reactivation touch does not stop the
 * run (the customer's reply does). No channel could take it: the task stays pending for its owner with the reason.
 *
 * Due touches are claimed FOR UPDATE SKIP LOCKED: two schedulers at once send each one once.
 */
import type { Database, Tx } from '../../db/client';
import { emitEvent, writeAudit } from '../../lib/audit';
import { systemCtx } from '../../lib/context';
import { t as text } from '../../i18n/index';
import { customerChannelOrder } from '../surveys/surveys.delivery';
import { emit } from '../tickets/tickets.commands';
import { loopsRepo, type CareTaskRow } from './loops.repo';
import { loopSettings } from './settings';

export type TouchChannel = 'email' | 'sms' | 'wechat';
export type TouchOutcome = 'queued' | 'no_consent' | 'unreachable' | 'rate_limited';

/** What a channel sender gets: the customer, the ticket (care: the resolved one) and the rendered text. */
export interface TouchMessage {
  taskId: string;
  kind: 'care' | 'reactivation';
  customerId: string;
  customerName: string;
  ticketId: string | null;
  ticketNumber: string;
  subject: string;
  body: string;
  at: Date;
}
export interface TouchSender {
  /** Queues it on the channel outbox in the caller's transaction: the outbox row's id, or why not. */
  enqueue(tx: Tx, msg: TouchMessage): Promise<{ outcome: 'queued'; outboxId: string } | { outcome: Exclude<TouchOutcome, 'queued'> }>;
}

const senders = new Map<TouchChannel, TouchSender>();
/** The channels module registers its senders here (`null` removes one; tests use that). */
export function registerTouchSender(channel: TouchChannel, sender: TouchSender | null): void {
  if (sender) senders.set(channel, sender);
  else senders.delete(channel);
}

/** A touch's text with its placeholders filled ({name} {number} {subject}). */
export function renderTouch(tpl: string, v: { name: string; number: string; subject: string }): string {
  return tpl.replace(/\{(name|number|subject)\}/g, (_, k: 'name' | 'number' | 'subject') => v[k]);
}

const marketingConsent = (consent: unknown) => (consent as Record<string, unknown> | null)?.marketing !== false;

/** Sends one claimed touch (in the claiming transaction). */
async function sendTouch(tx: Tx, r: CareTaskRow, now: Date): Promise<'queued' | 'fallback'> {
  const kind = r.kind === 'reactivation' ? 'reactivation' : 'care';
  const s = (await loopSettings(tx))[kind];
  const { customer, ticket } = await loopsRepo.touchContext(tx, r);
  const tpl = s.touches[r.seq - 1]?.text ?? text(undefined, `loops.touch.${kind}.default`);
  const values = { name: customer?.name ?? '', number: ticket?.number ?? '', subject: ticket?.subject ?? '' };
  const msg: TouchMessage = {
    taskId: r.id,
    kind,
    customerId: r.customerId,
    customerName: values.name,
    ticketId: kind === 'care' ? (r.ticketId ?? null) : null,
    ticketNumber: values.number,
    subject: text(undefined, `loops.touch.${kind}.subject`, { number: values.number }),
    body: renderTouch(tpl, values),
    at: now,
  };
  const ctx = systemCtx(kind === 'care' ? 'care' : 'reactivation');
  const skipped: { channel: TouchChannel; why: string }[] = [];
  let sent: { channel: TouchChannel; outboxId: string } | null = null;
  if (kind === 'reactivation' && !marketingConsent(customer?.consent)) skipped.push({ channel: 'email', why: 'no_marketing_consent' });
  else {
    for (const c of customerChannelOrder(ticket?.channel)) {
      const sender = senders.get(c);
      if (!sender) continue;
      const res = await sender.enqueue(tx, msg);
      if (res.outcome === 'queued') {
        sent = { channel: c, outboxId: res.outboxId };
        break;
      }
      skipped.push({ channel: c, why: res.outcome });
    }
  }
  if (!sent) {
    const reason = skipped.some((x) => x.why === 'no_marketing_consent')
      ? 'no_marketing_consent'
      : skipped.some((x) => x.why === 'no_consent')
        ? 'no_consent'
        : skipped.some((x) => x.why === 'rate_limited')
          ? 'rate_limited'
          : 'unreachable';
    await loopsRepo.updateTask(tx, r.id, { autoState: 'fallback', autoReason: reason });
    await writeAudit(tx, ctx, {
      action: `${kind}_task.auto_fallback`,
      targetType: 'care_task',
      targetId: r.id,
      changes: { reason: { before: null, after: reason } },
    });
    return 'fallback';
  }
  await loopsRepo.updateTask(tx, r.id, {
    state: 'done',
    outcome: msg.body,
    doneAt: now,
    autoState: 'queued',
    autoChannel: sent.channel,
    autoSentAt: now,
    autoOutboxId: sent.outboxId,
  });
  const data = { careTaskId: r.id, taskId: r.id, seq: r.seq, auto: true, channel: sent.channel };
  if (kind === 'care' && r.ticketId) {
    const t = await loopsRepo.lockTicket(tx, r.ticketId);
    if (t) await emit(tx, ctx, t, 'care.contacted', data);
  } else if (kind === 'reactivation') {
    await emitEvent(tx, ctx, { kind: 'reactivation.touched', aggregateType: 'customer', aggregateId: r.customerId, data });
    if (r.runId && (await loopsRepo.pendingTasksOfRun(tx, r.runId)) === 0) {
      await loopsRepo.completeRun(tx, r.runId, now);
      await emitEvent(tx, ctx, { kind: 'reactivation.completed', aggregateType: 'customer', aggregateId: r.customerId, data: { runId: r.runId } });
    }
  }
  await writeAudit(tx, ctx, {
    action: `${kind}_task.auto_sent`,
    targetType: 'care_task',
    targetId: r.id,
    changes: { channel: { before: null, after: sent.channel } },
  });
  return 'queued';
}

/** One pass (the loops worker's; tests call it directly): due automatic touches sent or fallen back. */
export async function sendDueTouches(database: Database, now = new Date(), limit = 100): Promise<{ sent: number; fallback: number }> {
  return database.transaction(async (tx) => {
    let sent = 0;
    let fallback = 0;
    for (const r of await loopsRepo.claimDueTouches(tx, now, limit)) {
      if ((await sendTouch(tx, r, now)) === 'queued') sent++;
      else fallback++;
    }
    return { sent, fallback };
  });
}

/** The mode of each new task, by its position among the sorted days (missing = task). */
export const touchModes = (touches: { mode: 'task' | 'message' }[], n: number) => Array.from({ length: n }, (_, i) => touches[i]?.mode ?? 'task');
