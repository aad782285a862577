/**
 * The measures worker drains `measure_queue` (one row per ticket event, appended in the event's transaction):
 * it claims rows with FOR UPDATE SKIP LOCKED, recomputes the tickets' facts from the sources, applies
 * (new − old) to the rollups, deletes the rows and bumps `measure_state.version` — all in one transaction.
 * Any number of processes can run it; per-ticket advisory locks (taken in id order) serialise two workers that
 * claimed rows of the same ticket. Woken by NOTIFY `chidu_measures_wake` (sent by the event handler) and a poll;
 * scheduling, coalescing, back-off, stop and metrics are the worker base's (src/lib/worker.ts).
 */
import { hostname } from 'node:os';
import type { Database, Tx } from '../../db/client';
import type { Ctx } from '../../lib/context';
import type { TicketEvent, TicketEventItem, TicketSnapshot } from '../tickets/ticket-events';
import { writeSoon } from '../../lib/deferred';
import { refreshTickets } from './facts';
import { measuresQueueRepo } from './measures.queue.repo';
import { PollingWorker, type PassResult, type WorkerLog } from '../../lib/worker';

export const MEASURES_WAKE = 'chidu_measures_wake';
export const MEASURES_CHANNEL = 'chidu_measures';

/** Ticket-event consumer (runs in the event's transaction): queue the ticket and wake the workers at commit. */
export async function queueTicketForMeasures(tx: Tx, ctx: Ctx, t: TicketSnapshot, ev: TicketEvent): Promise<void> {
  await queueTicketsForMeasures(tx, [{ ctx, ticket: t, event: ev, fresh: false }]);
}

/** The same for the events of a command or a batch of creates: one INSERT and one wake-up. */
export async function queueTicketsForMeasures(tx: Tx, items: TicketEventItem[]): Promise<void> {
  // The worker refreshes whole tickets: one row per ticket (its latest event) says as much as one per event.
  const last = new Map<string, number>();
  for (const i of items) last.set(i.ticket.id, i.event.id);
  const ids = `{${[...last.keys()].join(',')}}`;
  const evs = `{${[...last.values()].join(',')}}`;
  await writeSoon(tx, measuresQueueRepo.enqueue(ids, evs, MEASURES_WAKE));
}

export interface MeasuresWorkerOptions {
  batchSize?: number;
  pollMs?: number;
  /** pause before a pass that follows a busy one (events gather) */
  coalesceMs?: number;
  /** who runs it (diagnostics; default host:pid) */
  name?: string;
  log?: WorkerLog;
  onBatch?: (version: number) => Promise<void> | void;
  /** alerts and scheduled reports: run on the first pass, then every `periodicMs` (default 60 000) */
  periodic?: () => Promise<void>;
  periodicMs?: number;
}

export class MeasuresWorker extends PollingWorker {
  /** This process (diagnostics). */
  readonly identity: string;
  readonly stats = { passes: 0, claimed: 0, tickets: 0, failures: 0 };
  private readonly batchSize: number;

  constructor(
    private readonly database: Database,
    private readonly opts: MeasuresWorkerOptions = {},
  ) {
    super({
      name: 'measures',
      database,
      pollMs: opts.pollMs ?? 1000,
      log: opts.log,
      wakeChannel: MEASURES_WAKE,
      // Soon (10 ms) after a quiet spell; under a steady stream of events, no sooner than coalesceMs after the last
      // pass: events gather for a moment and one pass then refreshes many tickets at once.
      wakeDelayMs: 10,
      coalesceMs: opts.coalesceMs ?? 200,
      batch: () => this.drainPass(),
      ...(opts.periodic ? { periodic: { everyMs: opts.periodicMs ?? 60_000, run: opts.periodic, atStart: true } } : {}),
    });
    this.batchSize = opts.batchSize ?? (database.kind === 'pglite' ? 100 : 200);
    this.identity = opts.name ?? `${hostname()}:${process.pid}`;
  }

  private async drainPass(): Promise<PassResult> {
    try {
      return { handled: await this.drain() };
    } catch (err) {
      this.stats.failures++;
      throw err; // the base backs off (database fault: the queue rows are still there) or logs the failure
    }
  }

  /** Process the queue until it is empty (or only rows held by other processes remain). Returns rows handled. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.claimAndApply(this.batchSize);
      this.stats.passes++;
      total += n;
      if (n < this.batchSize) break;
    }
    return total;
  }

  /** One transaction: claim up to `limit` queued rows, refresh their tickets, delete the rows. */
  async claimAndApply(limit: number): Promise<number> {
    let version = 0;
    const n = await this.database.transaction(
      async (tx) => {
        const rows = await measuresQueueRepo.claim(tx, limit);
        if (rows.length === 0) return 0;
        const tickets = [...new Set(rows.map((r) => r.ticket_id))];
        await refreshTickets(tx, tickets);
        await measuresQueueRepo.remove(
          tx,
          rows.map((r) => Number(r.id)),
        );
        version = await measuresQueueRepo.bumpVersion(tx, MEASURES_CHANNEL);
        this.stats.tickets += tickets.length;
        return rows.length;
      },
      { worker: true },
    );
    this.stats.claimed += n;
    if (n > 0 && this.opts.onBatch) await this.opts.onBatch(version);
    return n;
  }
}

/** Drain the queue in this process (tests, rebuild, bench). */
export async function drainMeasures(database: Database, batchSize = 200): Promise<number> {
  const w = new MeasuresWorker(database, { batchSize });
  let total = 0;
  for (;;) {
    const n = await w.claimAndApply(batchSize);
    total += n;
    if (n === 0) break;
  }
  return total;
}

/** Full rebuild: empty facts and rollups and queue every ticket again (one transaction), then drain. */
export async function rebuildMeasures(database: Database): Promise<number> {
  await database.transaction((tx) => measuresQueueRepo.resetAll(tx));
  return drainMeasures(database);
}
