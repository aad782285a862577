/**
 * The measures worker drains `measure_queue` (one row per ticket event, appended in the event's transaction):
 * it claims rows with FOR UPDATE SKIP LOCKED, recomputes the tickets' facts from the sources, applies
 * (new − old) to the rollups, deletes the rows and bumps `measure_state.version` — all in one transaction.
 * Any number of processes can run it; per-ticket advisory locks (taken in id order) serialise two workers that
 * claimed rows of the same ticket. Woken by NOTIFY `chidu_measures_wake` (sent by the event handler) and a poll.
 */
import { hostname } from 'node:os';
import { sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client';
import type { Ctx } from '../../lib/context';
import type { TicketEvent, TicketEventItem, TicketSnapshot } from '../tickets/ticket-events';
import { writeSoon } from '../../lib/deferred';
import { refreshTickets } from './facts';
import { classifyDbFault } from '../../lib/db-faults';
import { healthCounters } from '../../lib/health';
import { faultBackoffMs } from '../../engine/worker';

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
  await writeSoon(tx, (id) => ({
    ctes: [[`${id}_q`, sql`INSERT INTO measure_queue (ticket_id, event_id) SELECT * FROM unnest(${ids}::uuid[], ${evs}::bigint[]) RETURNING 1`]],
    tail: sql`SELECT pg_notify(${MEASURES_WAKE}, '') WHERE EXISTS (SELECT 1 FROM ${sql.raw(`${id}_q`)})`,
  }));
}

export interface MeasuresWorkerOptions { batchSize?: number; pollMs?: number; /** pause before a pass that follows a busy one (events gather) */ coalesceMs?: number; name?: string; log?: { error(o: unknown, m?: string): void; warn(o: unknown, m?: string): void }; onBatch?: (version: number) => Promise<void> | void; periodic?: () => Promise<void>; periodicMs?: number }

export class MeasuresWorker {
  readonly name: string;
  readonly stats = { passes: 0, claimed: 0, tickets: 0, failures: 0 };
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly coalesceMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private busy: Promise<void> | null = null;
  private again = false;
  private unlisten: (() => Promise<void>) | null = null;
  private lastPeriodic = 0;
  private lastPassEnd = 0;
  private timerAt = 0;
  private faultsInARow = 0;

  constructor(private readonly database: Database, private readonly opts: MeasuresWorkerOptions = {}) {
    this.batchSize = opts.batchSize ?? (database.kind === 'pglite' ? 100 : 200);
    this.pollMs = opts.pollMs ?? 1000;
    this.coalesceMs = opts.coalesceMs ?? 200;
    this.name = opts.name ?? `${hostname()}:${process.pid}`;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    if (this.database.listen) {
      try { this.unlisten = await this.database.listen(MEASURES_WAKE, () => this.wake()); } catch (err) { this.opts.log?.warn({ err }, 'measures worker: LISTEN failed; polling only'); }
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.busy?.catch(() => undefined);
    const u = this.unlisten; this.unlisten = null;
    await u?.().catch(() => undefined);
  }

  wake(): void {
    if (!this.running) return;
    if (this.busy) { this.again = true; return; }
    // Soon (10 ms) after a quiet spell; under a steady stream, no sooner than coalesceMs after the last pass.
    const delay = Math.max(10, this.lastPassEnd + this.coalesceMs - Date.now());
    if (this.timer && this.timerAt <= Date.now() + delay) return;
    this.schedule(delay);
  }

  private schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = Date.now() + delay;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.busy = this.pass().finally(() => { this.busy = null; });
    }, delay);
  }

  private async pass(): Promise<void> {
    this.again = false;
    try {
      await this.drain();
      if (this.opts.periodic && Date.now() - this.lastPeriodic >= (this.opts.periodicMs ?? 60_000)) {
        this.lastPeriodic = Date.now();
        await this.opts.periodic();
      }
      this.faultsInARow = 0;
    } catch (err) {
      this.stats.failures++;
      if (classifyDbFault(err)) {
        healthCounters.workerBackoffs++;
        if (this.faultsInARow++ === 0) this.opts.log?.warn({ err: { message: (err as Error).message } }, 'measures worker: database unavailable; backing off');
      } else this.opts.log?.error({ err }, 'measures worker pass failed');
    }
    this.lastPassEnd = Date.now();
    // Under a steady stream of events, let them gather for a moment: one pass then refreshes many tickets at once.
    // After a database fault: back off (the queue rows are still there) and resume.
    if (this.running) this.schedule(this.faultsInARow ? faultBackoffMs(this.faultsInARow, this.pollMs) : this.again ? this.coalesceMs : this.pollMs);
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
    const n = await this.database.transaction(async (tx) => {
      const rows = (await tx.execute(sql`SELECT id, ticket_id FROM measure_queue ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED`)) as unknown as { rows: { id: number | string; ticket_id: string }[] };
      if (rows.rows.length === 0) return 0;
      const tickets = [...new Set(rows.rows.map((r) => r.ticket_id))];
      await refreshTickets(tx, tickets);
      await tx.execute(sql`DELETE FROM measure_queue WHERE id = ANY(${`{${rows.rows.map((r) => Number(r.id)).join(',')}}`}::bigint[])`);
      const v = (await tx.execute(sql`UPDATE measure_state SET value = value + 1, updated_at = now() WHERE key = 'version' RETURNING value`)) as unknown as { rows: { value: number | string }[] };
      version = Number(v.rows[0]?.value ?? 0);
      await tx.execute(sql`SELECT pg_notify(${MEASURES_CHANNEL}, ${String(version)})`);
      this.stats.tickets += tickets.length;
      return rows.rows.length;
    }, { worker: true });
    this.stats.claimed += n;
    if (n > 0 && this.opts.onBatch) await this.opts.onBatch(version);
    return n;
  }
}

/** Drain the queue in this process (tests, rebuild, bench). */
export async function drainMeasures(database: Database, batchSize = 200): Promise<number> {
  const w = new MeasuresWorker(database, { batchSize });
  let total = 0;
  for (;;) { const n = await w.claimAndApply(batchSize); total += n; if (n === 0) break; }
  return total;
}

/** Full rebuild: empty facts and rollups and queue every ticket again (one transaction), then drain. */
export async function rebuildMeasures(database: Database): Promise<number> {
  await database.transaction(async (tx) => {
    await tx.execute(sql`LOCK TABLE measure_rollup IN EXCLUSIVE MODE`);
    for (const t of ['measure_rollup', 'measure_ticket_facts', 'measure_answer_facts', 'measure_outcome_facts', 'measure_recovery_facts', 'measure_queue']) await tx.execute(sql.raw(`DELETE FROM ${t}`));
    await tx.execute(sql`INSERT INTO measure_queue (ticket_id) SELECT id FROM tickets ORDER BY id`);
  });
  return drainMeasures(database);
}
