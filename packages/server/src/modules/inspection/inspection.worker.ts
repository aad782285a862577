/**
 * Every staff message is inspected within seconds of being written, without slowing the command that writes it:
 * the ticket-event consumer only appends the reply to `qa_queue` (one deferred statement in the reply's
 * transaction, which also NOTIFYs the worker); the worker claims queued rows with FOR UPDATE SKIP LOCKED (any
 * number of processes), runs the enabled rules and stores the hits, then deletes the rows — one transaction.
 * Public replies, internal notes and phone logs (notes on phone tickets) are inspected as written; when a ticket
 * resolves, its last public staff reply is inspected again as the conversation's last (the required closing).
 */
import { inspect } from '@chidu/core/inspection/index';
import type { Database, Tx } from '../../db/client';
import { writeSoon } from '../../lib/deferred';
import { PollingWorker, type PassResult } from '../../lib/worker';
import type { WorkerFactory } from '../module';
import type { TicketEventItem } from '../tickets/ticket-events';
import { inspectionRepo, type HitInsert } from './inspection.repo';
import { toEngineRule } from './inspection.present';

export const INSPECTION_WAKE = 'chidu_inspection_wake';

/** The ticket events that put a message in the queue. */
export const INSPECTED_KINDS = ['ticket.public_reply', 'ticket.internal_note', 'ticket.resolved'] as const;

/** Ticket-event consumer (the events of one command at once): queue the messages, wake the worker at commit. */
export async function queueForInspection(tx: Tx, items: TicketEventItem[]): Promise<void> {
  const ticketIds: string[] = [];
  const replyIds: (string | null)[] = [];
  for (const { ticket, event } of items) {
    if (event.kind === 'ticket.resolved') {
      ticketIds.push(ticket.id);
      replyIds.push(null);
    } else if (event.actorKind === 'staff' && typeof event.data.replyId === 'string') {
      ticketIds.push(ticket.id);
      replyIds.push(event.data.replyId);
    }
  }
  if (ticketIds.length === 0) return;
  await writeSoon(tx, inspectionRepo.enqueue(ticketIds, replyIds, INSPECTION_WAKE));
}

/** One transaction: claim up to `limit` queued messages, inspect them, store the hits, delete the rows. */
export async function inspectBatch(database: Database, limit: number): Promise<number> {
  return database.transaction(
    async (tx) => {
      const queued = await inspectionRepo.claim(tx, limit);
      if (queued.length === 0) return 0;
      const replyIds = [...new Set(queued.flatMap((q) => (q.reply_id ? [q.reply_id] : [])))];
      const resolved = [...new Set(queued.flatMap((q) => (q.reply_id ? [] : [q.ticket_id])))];
      const [messages, ruleRows] = await Promise.all([inspectionRepo.messages(tx, replyIds, resolved), inspectionRepo.enabledRules(tx)]);
      const rules = ruleRows.map(toEngineRule);
      const versions = new Map(ruleRows.map((r) => [r.code, r.version]));
      const hits: HitInsert[] = [];
      for (const m of messages) {
        const found = inspect(rules, {
          text: m.body,
          channel: m.channel,
          ticketType: m.type,
          audience: m.visibility === 'public' ? 'customer' : 'internal',
          first: m.first,
          last: m.last,
        });
        for (const h of found) {
          hits.push({
            ticket_id: m.ticket_id,
            reply_id: m.reply_id,
            author_id: m.author_id,
            rule: h.rule,
            rule_version: versions.get(h.rule) ?? 1,
            severity: h.severity,
            start_offset: h.start,
            end_offset: h.end,
            excerpt: h.excerpt,
            suggestion: h.suggestion ?? null,
          });
        }
      }
      await inspectionRepo.insertHits(tx, hits);
      await inspectionRepo.removeQueued(
        tx,
        queued.map((q) => q.id),
      );
      return queued.length;
    },
    { worker: true },
  );
}

/** Drain the queue in this process (tests, bench). */
export async function drainInspection(database: Database, batchSize = 200): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await inspectBatch(database, batchSize);
    total += n;
    if (n < batchSize) return total;
  }
}

/** The inspection worker; null when CHIDU_INSPECTION_WORKER=0 (messages still queue). */
export const inspectionWorker: WorkerFactory = (deps, log) => {
  if (process.env.CHIDU_INSPECTION_WORKER === '0') return null;
  const batchSize = deps.database.kind === 'pglite' ? 100 : 500;
  return new PollingWorker({
    name: 'inspection',
    database: deps.database,
    pollMs: Number(process.env.CHIDU_INSPECTION_POLL_MS ?? 1000),
    wakeChannel: INSPECTION_WAKE,
    wakeDelayMs: 10,
    coalesceMs: 100,
    log,
    batch: async (): Promise<PassResult> => {
      let handled = 0;
      for (;;) {
        const n = await inspectBatch(deps.database, batchSize);
        handled += n;
        if (n < batchSize) return { handled };
      }
    },
  });
};
