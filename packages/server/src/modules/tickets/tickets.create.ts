/**
 * Ticket creation, written in batches ("group commit").
 *
 * Every create — from the API, the portal, a chat webhook or the demo — goes through one queue per database. While
 * a batch is being written, new creates wait; the next batch takes all of them (up to CHIDU_CREATE_BATCH, default
 * 64) into one transaction: their numbers in one reservation, the customers, categories and named owners in one
 * query each, dispatch with the rules and each team's load read once, the tickets in one INSERT, their events and
 * audit rows in one, the consumers (clocks, measures, realtime, loops) once for all events, the owners' notifications
 * in one, and the clocks for the responses in one. A lone create is a batch of one, so nothing waits for company.
 *
 * Each ticket's outcome is its own: one that fails validation (no such customer, category or owner) is answered
 * with its error and leaves nothing behind, while the rest commit; if the batch's transaction fails for any other
 * reason, each create is retried alone so an error reaches only the request that caused it. Idempotency keys are
 * claimed in the batch's transaction, so a failed create leaves no key, and a repeat is replayed.
 */
import type { SQL } from 'drizzle-orm';
import type { Config } from '../../config';
import type { Database, Tx } from '../../db/client';
import { diff } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { deferWrites } from '../../lib/deferred';
import { classifyDbFault, RETRY_AFTER_SECONDS } from '../../lib/db-faults';
import { AppError, invalid } from '../../lib/errors';
import { healthCounters, setCreateQueueAge, setCreateQueueDepth } from '../../lib/health';
import { uuidv7 } from '../../lib/ids';
import { claimKeys, keyedRequest, replayKey, settleKeys, usedKeys, type Created, type KeyedRequest } from '../../lib/idempotency';
import { notifyMany, type NotificationInput } from '../../lib/notify';
import { orgTimeZone } from '../../lib/timezone';
import { internalCustomerInTx } from '../customers/customers.commands';
import { authorize, can } from '../identity/policy';
import { DispatchPlanner, type DispatchDecision } from './dispatch';
import { readStandardsMany, recordTicketEventGroups, type StandardStateOut, type TicketEventGroup, type TicketSnapshot } from './ticket-events';
import { createRepo, type TicketInsertRow } from './tickets.create.repo';
import { renderText, text, type Text } from './tickets.messages';
import { primeCustomer, ticketsRepo } from './tickets.repo';
import type { TicketStatus } from './tickets.schema';

/** The create queue's limits (CHIDU_CREATE_QUEUE_MAX, CHIDU_CREATE_MAX_WAIT_MS), per database; set by the module's routes. */
type QueueLimits = Pick<Config, 'CHIDU_CREATE_QUEUE_MAX' | 'CHIDU_CREATE_MAX_WAIT_MS'>;
const DEFAULT_LIMITS: QueueLimits = { CHIDU_CREATE_QUEUE_MAX: 512, CHIDU_CREATE_MAX_WAIT_MS: 2000 };
const limitsOf = new WeakMap<Database, QueueLimits>();
export function configureTicketCreates(database: Database, config: QueueLimits): void {
  limitsOf.set(database, { CHIDU_CREATE_QUEUE_MAX: config.CHIDU_CREATE_QUEUE_MAX, CHIDU_CREATE_MAX_WAIT_MS: config.CHIDU_CREATE_MAX_WAIT_MS });
}

/** Local calendar day of the organisation (its configured time zone) for ticket numbers. */
const dayFormats = new Map<string, Intl.DateTimeFormat>();
export function orgDay(at: Date, timeZone = orgTimeZone()): string {
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, f);
  }
  return f.format(at).replaceAll('-', '');
}

export interface TicketCreateInput {
  customerId: string;
  type: string;
  channel: string;
  priority: string;
  subject: string;
  description: string;
  categoryId?: string | null | undefined;
  tags?: string[] | undefined;
  site?: string | null | undefined;
  siteId?: string | null | undefined;
  takeOwnership?: boolean | undefined;
  ownerId?: string | undefined;
  teamId?: string | undefined;
  callDurationSeconds?: number | undefined;
  ringCount?: number | undefined;
  externalRef?: string | undefined;
  orderLines?: { item: string; spec: string; quantity: number }[] | undefined;
  attachmentIds?: string[] | undefined;
}

export interface TicketCreatedBody {
  id: string;
  number: string;
  status: TicketStatus;
  ownerId: string | null;
  teamId: string | null;
  /** The reason, rendered in the creator's language. */
  dispatch: { ruleId: string | null; reason: string } | null;
  standards: StandardStateOut[];
}

type Result = Created<TicketCreatedBody> & { replayed: boolean };

/** A create as asked: `customerId` may be left out for an internal ticket (内部工单). */
export type TicketCreateRequest = Omit<TicketCreateInput, 'customerId'> & { customerId?: string | undefined };

export async function createTicket(database: Database, ctx: Ctx, request: TicketCreateRequest, idempotencyKey?: string): Promise<Result> {
  const actor = ctx.actor;
  if (actor.kind === 'staff') authorize(actor, 'tickets.create');
  if (actor.kind === 'customer') {
    if (request.type === 'internal') throw invalid('type', 'customers cannot open internal tickets');
    request = { ...request, customerId: actor.customerId, channel: 'portal', ownerId: undefined, teamId: undefined, takeOwnership: false };
  } else if (request.type === 'internal' && !request.customerId) {
    // Whoever may create tickets may create internal ones; they belong to the internal customer (made on first use).
    request = { ...request, customerId: await database.transaction((tx) => internalCustomerInTx(tx)) };
  }
  if (!request.customerId) throw invalid('customerId', 'required (only an internal ticket has no customer)');
  const input: TicketCreateInput = { ...request, customerId: request.customerId };
  if ((input.ownerId || input.teamId) && actor.kind === 'staff' && !can(actor, 'tickets.assign_any') && input.ownerId !== actor.id) {
    throw new AppError('forbidden', 'Only supervisors assign new tickets to others; leave ownerId empty to use dispatch', {
      reason: 'assign_needs_supervisor',
    });
  }
  const keyed = idempotencyKey === undefined ? null : keyedRequest(ctx, idempotencyKey, 'POST /tickets', input);
  return batcherOf(database).submit({ ctx, input, keyed });
}

/** Attach files the actor uploaded beforehand to a ticket (and reply). */
export async function attachToInTx(tx: Tx, ctx: Ctx, ticketId: string, replyId: string | null, ids: string[]) {
  const n = await ticketsRepo.attach(tx, ctx.actor.id, ticketId, replyId, ids);
  if (n !== new Set(ids).size) throw invalid('attachmentIds', 'unknown attachment, or uploaded by someone else');
}

// ───────────────────────────── the queue ─────────────────────────────

interface Pending {
  ctx: Ctx;
  input: TicketCreateInput;
  keyed: KeyedRequest | null;
  resolve: (r: Result) => void;
  reject: (e: unknown) => void;
  /** When it joined the queue (ms since the epoch): the age of the queue's head is how long a new create would wait. */
  at: number;
}

const MAX_BATCH = Math.max(1, Number(process.env.CHIDU_CREATE_BATCH ?? 64) || 64);
const batchers = new WeakMap<Database, CreateBatcher>();
/** Creates waiting in this process's queues (a gauge for metrics; the queues of closed databases drain to 0). */
const queued = { depth: 0 };
setCreateQueueDepth(() => queued.depth);
setCreateQueueAge((database) => batchers.get(database)?.headAgeMs() ?? 0);
function batcherOf(database: Database): CreateBatcher {
  let b = batchers.get(database);
  if (!b) {
    b = new CreateBatcher(database);
    batchers.set(database, b);
  }
  return b;
}

/** What the last batches looked like (for diagnostics and the benchmark). */
export const createStats = { batches: 0, tickets: 0, largest: 0, retriedAlone: 0 };

class CreateBatcher {
  private queue: Pending[] = [];
  /** One batch at a time per process: its dispatch turns then follow the previous batch's exactly. */
  private running = false;
  /** How long a batch waits for company under load (CHIDU_CREATE_WINDOW_MS, default 2 ms). */
  private readonly windowMs: number;
  private lastSize = 0;
  constructor(private readonly database: Database) {
    const env = process.env.CHIDU_CREATE_WINDOW_MS;
    this.windowMs = env !== undefined && env !== '' ? Math.max(0, Number(env) || 0) : 2;
  }

  /** How long the oldest waiting create has waited (ms; 0 when none waits). */
  headAgeMs(): number {
    const head = this.queue[0];
    return head ? Date.now() - head.at : 0;
  }

  submit(p: Omit<Pending, 'resolve' | 'reject' | 'at'>, admitted = false): Promise<Result> {
    // Load shedding: beyond CHIDU_CREATE_QUEUE_MAX waiting creates, a new one would only wait longer than its
    // client does; refuse it at once (a replay of an admitted one is never refused).
    const limits = limitsOf.get(this.database) ?? DEFAULT_LIMITS;
    const max = limits.CHIDU_CREATE_QUEUE_MAX;
    if (!admitted && max > 0 && this.queue.length >= max) {
      healthCounters.shedCreateQueue++;
      return Promise.reject(
        new AppError('overloaded', `${this.queue.length} ticket creates are waiting; retry shortly`, {
          headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
        }),
      );
    }
    // …and when the oldest waiting create has already waited CHIDU_CREATE_MAX_WAIT_MS, the queue is not draining as
    // fast as creates arrive (sustained overload): a new one is refused at once, so the admitted ones keep a bounded
    // wait whatever the count (a count alone cannot know how fast this database writes).
    const maxWait = limits.CHIDU_CREATE_MAX_WAIT_MS;
    const head = this.queue[0];
    if (!admitted && maxWait > 0 && head && Date.now() - head.at >= maxWait) {
      healthCounters.shedCreateQueue++;
      return Promise.reject(
        new AppError('overloaded', `ticket creates are waiting ${Date.now() - head.at} ms; retry shortly`, {
          headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
        }),
      );
    }
    return new Promise<Result>((resolve, reject) => {
      queued.depth++;
      this.queue.push({ ...p, resolve, reject, at: Date.now() });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length) {
        // Let the requests already read off the sockets in this turn of the event loop join the batch (with the
        // embedded database a write finishes without ever yielding to I/O, so without this every batch is one).
        // Under load (the previous batch had company) wait a moment longer: the clients answered by that batch are
        // sending their next requests, and one batch for all of them costs less than two. A lone create never waits.
        if (this.windowMs > 0 && this.lastSize > 1 && this.queue.length < MAX_BATCH) await new Promise<void>((resolve) => setTimeout(resolve, this.windowMs));
        else await new Promise<void>((resolve) => setImmediate(resolve));
        const batch = this.queue.splice(0, MAX_BATCH);
        queued.depth -= batch.length;
        this.lastSize = batch.length;
        await this.run(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async run(batch: Pending[], alone = false): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await writeBatch(this.database, batch);
    } catch (err) {
      // The database failed, not a ticket (a dropped connection, a timeout, a full disk): every create of the batch
      // gets that retryable error. Retrying them one by one would only meet it again — and after a connection lost
      // during COMMIT the batch may have committed, where a retry without an Idempotency-Key would duplicate it.
      if (batch.length === 1 || alone || classifyDbFault(err)) {
        for (const p of batch) p.reject(err);
        return;
      }
      // Something in the batch failed the transaction: retry each alone, so only its own request sees the error.
      createStats.retriedAlone += batch.length;
      for (const p of batch) await this.run([p], true);
      return;
    }
    createStats.batches++;
    createStats.tickets += batch.length;
    createStats.largest = Math.max(createStats.largest, batch.length);
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i]!;
      const o = outcomes[i]!;
      if (o.kind === 'ok') p.resolve({ status: 201, body: o.body, replayed: false });
      else if (o.kind === 'error') p.reject(o.error);
      else {
        // The key was taken by an earlier request: replay it — or, if that one failed meanwhile, run this one.
        replayKey<TicketCreatedBody>(this.database, p.keyed!).then((r) => {
          if (r) p.resolve(r);
          else this.submit({ ctx: p.ctx, input: p.input, keyed: p.keyed }, true).then(p.resolve, p.reject);
        }, p.reject);
      }
    }
  }
}

type Outcome = { kind: 'ok'; body: TicketCreatedBody } | { kind: 'error'; error: unknown } | { kind: 'replay' };

// ───────────────────────────── one batch ─────────────────────────────

interface Plan {
  p: Pending;
  idx: number;
  customerId: string;
  tier: string;
  vip: boolean;
  assistance: string;
  ownerId: string | null;
  teamId: string | null;
  reason: Text | null;
  dispatch: DispatchDecision | null;
  takes: boolean;
}

const takesOwnership = (p: Pending) =>
  p.ctx.actor.kind === 'staff' && (p.input.takeOwnership ?? (p.input.channel === 'phone' || p.input.channel === 'walk_in')) && can(p.ctx.actor, 'tickets.work');

async function writeBatch(database: Database, batch: Pending[]): Promise<Outcome[]> {
  const db = database.db;
  const outcomes: (Outcome | null)[] = batch.map(() => null);
  const fail = (i: number, error: unknown) => {
    outcomes[i] = { kind: 'error', error };
  };
  const live = () => batch.map((_, i) => i).filter((i) => outcomes[i] === null);
  const keyedIdx = batch.map((p, i) => (p.keyed ? i : -1)).filter((i) => i >= 0);

  // 1. Everything the batch reads, at once and before its transaction (each on its own pooled connection): numbers
  //    (a failed batch leaves a gap, like a sequence), keys already used, customers, categories, named owners, and
  //    — when a ticket needs dispatch — the rules with their teams' members and open load.
  const ids = <T>(f: (p: Pending) => T | null | undefined) => [...new Set(batch.map(f).filter((x): x is NonNullable<T> => Boolean(x)))];
  const custIds = ids((p) => p.input.customerId);
  const catIds = ids((p) => p.input.categoryId);
  const ownerIds = ids((p) => p.input.ownerId);
  const dispatching = batch.some((p) => !p.input.ownerId && !p.input.teamId && !takesOwnership(p));
  const [numbers, used, custRows, cats, owners, planner] = await Promise.all([
    ticketsRepo.nextNumbers(db, orgDay(new Date()), batch.length),
    usedKeys(
      db,
      keyedIdx.map((i) => batch[i]!.keyed!),
    ),
    createRepo.customers(db, custIds),
    createRepo.categoryIds(db, catIds),
    createRepo.owners(db, ownerIds),
    dispatching ? DispatchPlanner.open(db) : null,
  ]);
  // A request whose key was used is replayed (after this batch), whatever its body says now.
  keyedIdx.forEach((i, k) => {
    if (used.has(k)) outcomes[i] = { kind: 'replay' };
  });
  const byCust = new Map(custRows.map((c) => [c.id, c]));
  const mergedIds = [...new Set(custRows.map((c) => c.mergedIntoId).filter((x): x is string => Boolean(x)))].filter((id) => !byCust.has(id));
  if (mergedIds.length) for (const c of await createRepo.customers(db, mergedIds)) byCust.set(c.id, c);

  // 2. Who owns each ticket, decided before the rows are written so each is inserted once, in its final state.
  const plans: Plan[] = [];
  for (const i of live()) {
    const p = batch[i]!;
    const { input, ctx } = p;
    const actor = ctx.actor;
    const c0 = byCust.get(input.customerId);
    if (!c0) {
      fail(i, invalid('customerId', 'no such customer'));
      continue;
    }
    const c = c0.mergedIntoId ? (byCust.get(c0.mergedIntoId) ?? c0) : c0;
    const customerId = c0.mergedIntoId ?? c0.id;
    // The internal customer owns internal tickets and only those.
    if (c.internal !== (input.type === 'internal')) {
      fail(
        i,
        invalid(
          'customerId',
          c.internal ? 'the internal customer has only internal tickets' : 'an internal ticket belongs to no customer; leave customerId out',
        ),
      );
      continue;
    }
    if (input.categoryId && !cats.has(input.categoryId)) {
      fail(i, invalid('categoryId', 'no such category'));
      continue;
    }
    // First-contact ownership: staff logging a phone call or a walk-in own it; otherwise dispatch decides.
    const takes = takesOwnership(p);
    let ownerId: string | null;
    let teamId: string | null;
    let reason: Text | null;
    let dispatch: DispatchDecision | null = null;
    if (input.ownerId || input.teamId) {
      ownerId = input.ownerId ?? null;
      if (ownerId) {
        const o = owners.get(ownerId);
        if (!o || !o.active) {
          fail(i, invalid('ownerId', 'no such active staff member'));
          continue;
        }
        teamId = input.teamId ?? o.teamId;
      } else teamId = input.teamId ?? null;
      reason = text('tickets.reason.assigned_on_create');
    } else if (c.helperId && c.helperActive && p.input.takeOwnership !== true) {
      // 一对一帮办 (issue #13 item 7): the designated staff member owns the ticket, before the dispatch rules.
      ownerId = c.helperId;
      teamId = c.helperTeamId;
      reason = text('tickets.reason.one_to_one', { name: c.helperName ?? '' });
    } else if (takes && actor.kind === 'staff') {
      ownerId = actor.id;
      teamId = actor.teamId;
      reason = text('tickets.reason.first_contact');
    } else {
      dispatch = await planner!.decide({
        type: input.type,
        channel: input.channel,
        priority: input.priority,
        categoryId: input.categoryId ?? null,
        tier: c.tier,
        vip: c.vip,
      });
      ownerId = dispatch.staffId;
      teamId = dispatch.teamId;
      reason = dispatch.reason;
    }
    plans.push({ p, idx: i, customerId, tier: c.tier, vip: c.vip, assistance: c.assistance, ownerId, teamId, reason, dispatch, takes });
  }

  // 3. One transaction: keys, then tickets + events + audit rows in one statement, the consumers once for the batch,
  //    and the writes nobody reads back (outbox, notifications, NOTIFYs, dispatch turns) together in one more.
  await database.transaction((tx) =>
    deferWrites(tx, async () => {
      const keyed = plans.filter((pl) => pl.p.keyed);
      const claimed = await claimKeys(
        tx,
        keyed.map((pl) => pl.p.keyed!),
      );
      keyed.forEach((pl, k) => {
        if (!claimed.has(k)) outcomes[pl.idx] = { kind: 'replay' };
      });
      const writing = plans.filter((pl) => outcomes[pl.idx] === null);
      if (planner) await planner.finish(tx);
      if (writing.length) {
        const { rows, insert } = ticketRows(writing, numbers);
        const groups: TicketEventGroup[] = [];
        for (let k = 0; k < writing.length; k++) {
          const pl = writing[k]!;
          const t = rows[k]!;
          primeCustomer(tx, pl.customerId, { tier: pl.tier, vip: pl.vip, assistance: pl.assistance });
          const items: TicketEventGroup['items'] = [
            {
              kind: 'ticket.created',
              // ringCount: the phone log's ring count feeds counted standards (engine/counted.ts)
              data: {
                type: t.type,
                channel: t.channel,
                priority: t.priority,
                subject: t.subject,
                ...(pl.p.input.ringCount !== undefined ? { ringCount: pl.p.input.ringCount } : {}),
              },
              previousStatus: 'new',
            },
          ];
          if (pl.ownerId || pl.teamId)
            items.push({
              kind: 'ticket.assigned',
              data: { ownerId: pl.ownerId, teamId: pl.teamId, reason: pl.reason ?? '', auto: pl.dispatch !== null, ruleId: pl.dispatch?.ruleId ?? null },
              previousStatus: 'new',
            });
          if (t.status !== 'new') items.push({ kind: 'ticket.status_changed', data: { from: 'new', to: t.status }, previousStatus: 'new' });
          groups.push({
            ctx: pl.p.ctx,
            ticket: t,
            items,
            fresh: true,
            audit: {
              action: 'ticket.created',
              targetType: 'ticket',
              targetId: t.id,
              changes: diff(null, { number: t.number, type: t.type, channel: t.channel, priority: t.priority, ownerId: pl.ownerId, teamId: pl.teamId }),
            },
          });
        }
        await recordTicketEventGroups(tx, groups, { with: insert });
        const lines = writing.flatMap((pl, k) =>
          (pl.p.input.orderLines ?? []).map((l, pos) => ({
            id: uuidv7(),
            ticketId: rows[k]!.id,
            position: pos,
            item: l.item,
            spec: l.spec,
            quantity: l.quantity,
          })),
        );
        await createRepo.insertOrderLines(tx, lines);
        for (let k = 0; k < writing.length; k++) {
          const att = writing[k]!.p.input.attachmentIds;
          if (att?.length) await attachToInTx(tx, writing[k]!.p.ctx, rows[k]!.id, null, att);
        }
        const notes: NotificationInput[] = [];
        writing.forEach((pl, k) => {
          const t = rows[k]!;
          if (pl.ownerId && pl.ownerId !== pl.p.ctx.actor.id) {
            const title = text('tickets.notify.new_assigned_to_you', { number: t.number, subject: t.subject });
            notes.push({
              recipientId: pl.ownerId,
              kind: 'ticket.assigned',
              ticketId: t.id,
              title: renderText(undefined, title),
              data: { reason: pl.reason ? renderText(undefined, pl.reason) : '', message: title },
            });
          }
        });
        await notifyMany(tx, notes);
        const clocks = await readStandardsMany(
          tx,
          rows.map((r) => r.id),
        );
        writing.forEach((pl, k) => {
          const t = rows[k]!;
          outcomes[pl.idx] = {
            kind: 'ok',
            body: {
              id: t.id,
              number: t.number,
              status: t.status as TicketStatus,
              ownerId: pl.ownerId,
              teamId: pl.teamId,
              dispatch: pl.dispatch
                ? { ruleId: pl.dispatch.ruleId, reason: renderText(pl.p.ctx.locale, pl.dispatch.reason) }
                : pl.reason
                  ? { ruleId: null, reason: renderText(pl.p.ctx.locale, pl.reason) }
                  : null,
              standards: clocks.get(t.id) ?? [],
            },
          };
        });
      }
      // 4. Keys: store the results of the created tickets.
      const done = keyed
        .filter((pl, k) => claimed.has(k))
        .map((pl) => ({ req: pl.p.keyed!, status: 201, body: (outcomes[pl.idx] as { body: TicketCreatedBody }).body }));
      await settleKeys(tx, done);
    }),
  );
  return outcomes.map((o) => o ?? { kind: 'error', error: new Error('ticket create: no outcome') });
}

/** The batch's tickets as one INSERT (a CTE sent with their events; rows passed as one JSON parameter), and their snapshots. */
function ticketRows(plans: Plan[], numbers: string[]): { rows: (TicketSnapshot & { subject: string })[]; insert: SQL } {
  const rows = plans.map((pl): TicketInsertRow => {
    const { input, ctx } = pl.p;
    return {
      id: uuidv7(),
      number: numbers[pl.idx]!,
      customer_id: pl.customerId,
      type: input.type,
      channel: input.channel,
      priority: input.priority,
      status: pl.ownerId ? 'assigned' : 'new',
      subject: input.subject,
      description: input.description,
      category_id: input.categoryId ?? null,
      tags: [...new Set(input.tags ?? [])],
      site: input.site ?? null,
      site_id: input.siteId ?? null,
      call_duration_seconds: input.callDurationSeconds ?? null,
      ring_count: input.ringCount ?? null,
      external_ref: input.externalRef ?? null,
      created_by_kind: ctx.actor.kind,
      created_by_id: ctx.actor.id,
      owner_id: pl.ownerId,
      team_id: pl.teamId,
    };
  });
  const insert = createRepo.insertTicketsCte(rows);
  return {
    insert,
    rows: rows.map((r, k) => ({
      id: r.id,
      number: r.number,
      customerId: r.customer_id,
      customerTier: plans[k]!.tier,
      customerVip: plans[k]!.vip,
      customerAssistance: plans[k]!.assistance !== 'none',
      type: r.type,
      channel: r.channel,
      priority: r.priority,
      status: r.status,
      previousStatus: r.status,
      // created_at is the transaction's now(): recordTicketEventGroups sets it from the events' `at` (the same now()).
      ownerId: r.owner_id,
      teamId: r.team_id,
      categoryId: r.category_id,
      site: r.site,
      createdAt: new Date(0),
      subject: r.subject,
    })),
  };
}
