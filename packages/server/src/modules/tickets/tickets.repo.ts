import { and, asc, desc, eq, ilike, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/client';
import {
  approvals,
  attachments,
  categories,
  compensationAcceptances,
  compensations,
  customers,
  events,
  handovers,
  orderLines,
  staff,
  teams,
  ticketLinks,
  ticketReplies,
  tickets,
} from '../../db/schema';
import type { Tx } from '../../db/client';
import type { Actor } from '../../lib/context';
import { OPEN_STATUSES } from './tickets.schema';
import type { TicketSnapshot } from './ticket-events';
import { ticketVisibilityScope, visibleTicketById } from './tickets.visibility.repo';

export type TicketRow = typeof tickets.$inferSelect;

const ownerAlias = alias(staff, 'owner');
const NUMBER_BLOCK = 10;
const numberBlocks = new WeakMap<object, Map<string, { next: number; end: number }>>();
type CachedCustomer = { tier: string; vip: boolean; assistance: string };
const customerCache = new WeakMap<object, Map<string, CachedCustomer>>();
export function primeCustomer(ex: Executor, id: string, c: CachedCustomer) {
  let cache = customerCache.get(ex);
  if (!cache) {
    cache = new Map();
    customerCache.set(ex, cache);
  }
  cache.set(id, c);
}

/** The 即将超时 window when a risk filter names none (the web app's due-soon tab uses the same hour). */
export const DEFAULT_AT_RISK_SECONDS = 3600;
/** A ticket with a breached standard: a clock marked breached, or still running past its deadline (the worker may lag). */
const breachedSql = sql`EXISTS (SELECT 1 FROM standard_instances si WHERE si.ticket_id = ${tickets.id}
  AND (si.state = 'breached' OR (si.state = 'running' AND si.due_at IS NOT NULL AND si.due_at <= now())))`;

export const ticketsRepo = {
  /**
   * Readable per-day numbers (GD20261123-0042). Each process reserves a small block of numbers per day from the
   * counter row, outside the create transaction, so concurrent creates neither queue on that row nor pay a round
   * trip each. A restart may leave a gap of at most NUMBER_BLOCK - 1; numbers from two processes interleave.
   */
  async nextNumber(ex: Executor, day: string): Promise<string> {
    return (await this.nextNumbers(ex, day, 1))[0]!;
  },

  /** `count` numbers in a row for a batch of creates (one reservation when the block runs out). */
  async nextNumbers(ex: Executor, day: string, count: number): Promise<string[]> {
    let perDb = numberBlocks.get(ex);
    if (!perDb) {
      perDb = new Map();
      numberBlocks.set(ex, perDb);
    }
    const out: string[] = [];
    while (out.length < count) {
      let b = perDb.get(day);
      if (!b || b.next > b.end) {
        // A batch reserves for itself and the next one like it (a restart may skip at most the unused part).
        const size = Math.max(NUMBER_BLOCK, 2 * (count - out.length));
        const res = (await ex.execute(sql`INSERT INTO ticket_counters (day, value) VALUES (${day}, ${size})
          ON CONFLICT (day) DO UPDATE SET value = ticket_counters.value + ${size} RETURNING value`)) as { rows: { value: number }[] };
        const end = Number(res.rows[0]!.value);
        b = { next: end - size + 1, end };
        perDb.set(day, b);
      }
      while (out.length < count && b.next <= b.end) out.push(`GD${day}-${String(b.next++).padStart(4, '0')}`);
    }
    return out;
  },

  async byId(ex: Executor, id: string, forUpdate = false): Promise<TicketRow | undefined> {
    const q = ex.select().from(tickets).where(eq(tickets.id, id));
    const [row] = forUpdate ? await q.for('update') : await q;
    return row;
  },

  async visibleById(ex: Executor, actor: Actor, id: string): Promise<TicketRow | undefined> {
    const [row] = await ex.select().from(tickets).where(visibleTicketById(actor, id));
    return row;
  },

  /** Lock a ticket the actor may see (undefined when there is none or it is invisible to them). */
  async lockVisible(tx: Tx, actor: Actor, id: string): Promise<TicketRow | undefined> {
    const [row] = await tx.select().from(tickets).where(visibleTicketById(actor, id)).for('update');
    return row;
  },

  /** Change a ticket (bumps its version and updated_at). */
  async update(tx: Tx, id: string, set: Partial<TicketRow>): Promise<TicketRow> {
    const [row] = await tx
      .update(tickets)
      .set({ ...set, updatedAt: new Date(), version: sql`${tickets.version} + 1` })
      .where(eq(tickets.id, id))
      .returning();
    return row!;
  },

  /** Change a ticket without bumping its version (updated_at only, as handovers, orders and merges always have). */
  async setFields(tx: Tx, id: string, set: Partial<TicketRow>): Promise<TicketRow> {
    const [row] = await tx
      .update(tickets)
      .set({ ...set, updatedAt: set.updatedAt ?? new Date() })
      .where(eq(tickets.id, id))
      .returning();
    return row!;
  },

  async staffById(ex: Executor, id: string) {
    const [s] = await ex.select().from(staff).where(eq(staff.id, id));
    return s;
  },

  async teamExists(ex: Executor, id: string): Promise<boolean> {
    const [team] = await ex.execute(sql`SELECT 1 FROM teams WHERE id = ${id}`).then((r) => (r as { rows: unknown[] }).rows);
    return Boolean(team);
  },

  async customerName(ex: Executor, id: string): Promise<string | null> {
    const [cust] = await ex.select({ name: customers.name }).from(customers).where(eq(customers.id, id));
    return cust?.name ?? null;
  },

  /** The customer's name and one-to-one help (需一对一帮办) with the designated helper's name (the ticket page's tag). */
  async customerCard(ex: Executor, id: string) {
    const [row] = await ex
      .select({
        name: customers.name,
        assistance: customers.assistance,
        note: customers.assistanceNote,
        helperId: customers.assistStaffId,
        helperName: staff.name,
      })
      .from(customers)
      .leftJoin(staff, eq(staff.id, customers.assistStaffId))
      .where(eq(customers.id, id));
    return row;
  },

  async customerTierVip(ex: Executor, id: string): Promise<{ tier: string; vip: boolean } | undefined> {
    const rows = (await ex.execute(sql`SELECT tier, vip FROM customers WHERE id = ${id}`)) as { rows: { tier: string; vip: boolean }[] };
    return rows.rows[0];
  },

  /** Attach files the uploader put up beforehand (unattached, or already on this ticket); returns how many. */
  async attach(tx: Tx, uploaderId: string | null, ticketId: string, replyId: string | null, ids: string[]): Promise<number> {
    const rows = await tx
      .update(attachments)
      .set({ ticketId, replyId })
      .where(
        and(
          inArray(attachments.id, ids),
          eq(attachments.uploadedById, uploaderId ?? '00000000-0000-0000-0000-000000000000'),
          or(isNull(attachments.ticketId), eq(attachments.ticketId, ticketId)),
        ),
      )
      .returning({ id: attachments.id });
    return rows.length;
  },

  async insertReply(tx: Tx, r: typeof ticketReplies.$inferInsert): Promise<void> {
    await tx.insert(ticketReplies).values(r);
  },

  /** The pending handover of a ticket, if one waits for confirmation. */
  async pendingHandoverId(ex: Executor, ticketId: string): Promise<string | undefined> {
    const [pending] = await ex
      .select({ id: handovers.id })
      .from(handovers)
      .where(and(eq(handovers.ticketId, ticketId), eq(handovers.state, 'pending')));
    return pending?.id;
  },

  /** The customer's tier/VIP are read once per transaction (a command emits several events). */
  async snapshot(ex: Executor, t: TicketRow, previousStatus?: string): Promise<TicketSnapshot> {
    let cache = customerCache.get(ex);
    if (!cache) {
      cache = new Map();
      customerCache.set(ex, cache);
    }
    let c = cache.get(t.customerId);
    if (!c) {
      [c] = await ex
        .select({ tier: customers.tier, vip: customers.vip, assistance: customers.assistance })
        .from(customers)
        .where(eq(customers.id, t.customerId));
      if (c) cache.set(t.customerId, c);
    }
    return {
      id: t.id,
      number: t.number,
      customerId: t.customerId,
      customerTier: c?.tier ?? 'regular',
      customerVip: c?.vip ?? false,
      customerAssistance: (c?.assistance ?? 'none') !== 'none',
      type: t.type,
      channel: t.channel,
      priority: t.priority,
      status: t.status,
      previousStatus: previousStatus ?? t.status,
      ownerId: t.ownerId,
      teamId: t.teamId,
      categoryId: t.categoryId,
      site: t.site,
      createdAt: t.createdAt,
    };
  },

  async list(
    ex: Executor,
    actor: Actor,
    f: {
      statuses?: string[] | undefined;
      ownerId?: string | undefined;
      teamId?: string | undefined;
      unassigned?: boolean | undefined;
      customerId?: string | undefined;
      type?: string | undefined;
      channel?: string | undefined;
      priority?: string | undefined;
      q?: string | undefined;
      limit: number;
      before?: string | undefined;
      dueWithinSeconds?: number | undefined;
      risk?: 'breached' | 'at_risk' | 'attention' | undefined;
      sort?: 'newest' | 'due' | undefined;
      offset?: number | undefined;
      /** An extra JSON column per ticket (the live clocks: ticket-events `liveClocksColumn`), returned as `extra`. */
      extra?: ((ticketId: SQL) => SQL) | undefined;
    },
  ) {
    // A filter on the caller's own tickets or own team already implies visibility: skip the OR (it defeats the indexes).
    const implied = actor.kind === 'staff' && (f.ownerId === actor.id || (f.teamId !== undefined && f.teamId === actor.teamId));
    const conds: (SQL | undefined)[] = [implied ? undefined : ticketVisibilityScope(actor)];
    if (f.statuses?.length) conds.push(inArray(tickets.status, f.statuses));
    if (f.ownerId) conds.push(eq(tickets.ownerId, f.ownerId));
    if (f.teamId) conds.push(eq(tickets.teamId, f.teamId));
    if (f.unassigned) conds.push(isNull(tickets.ownerId));
    if (f.customerId) conds.push(eq(tickets.customerId, f.customerId));
    if (f.type) conds.push(eq(tickets.type, f.type));
    if (f.channel) conds.push(eq(tickets.channel, f.channel));
    if (f.priority) conds.push(eq(tickets.priority, f.priority));
    if (f.q) {
      const like = `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      conds.push(or(ilike(tickets.number, like), ilike(tickets.subject, like)));
    }
    if (f.before) conds.push(lt(tickets.id, f.before));
    // Due soon: a running clock, not yet breached, whose deadline falls within the window.
    const atRisk = sql`EXISTS (SELECT 1 FROM standard_instances si WHERE si.ticket_id = ${tickets.id} AND si.state = 'running' AND si.due_at IS NOT NULL
        AND si.due_at > now() AND si.due_at <= now() + ${f.dueWithinSeconds ?? DEFAULT_AT_RISK_SECONDS}::int * interval '1 second')`;
    if (f.dueWithinSeconds !== undefined && f.risk === undefined) conds.push(atRisk);
    if (f.risk === 'breached') conds.push(breachedSql);
    if (f.risk === 'at_risk') conds.push(atRisk);
    if (f.risk === 'attention') conds.push(or(breachedSql, atRisk));
    // Nearest deadline first: the earliest due running (or overdue) clock; tickets without one last, newest first.
    const order =
      f.sort === 'due'
        ? sql`(SELECT min(si.due_at) FROM standard_instances si WHERE si.ticket_id = tickets.id AND si.state IN ('running', 'breached') AND si.ended_at IS NULL) ASC NULLS LAST, tickets.id DESC`
        : sql`tickets.id DESC`;
    // Only what a queue row shows (not the description, which can be long, nor the counters), mapped by hand: for
    // a page of 50 the ORM's per-column mapping cost more than the query.
    const res = (await ex.execute(sql`SELECT tickets.id, tickets.number, tickets.customer_id, tickets.type, tickets.channel, tickets.priority, tickets.status,
        tickets.subject, tickets.owner_id, tickets.team_id, tickets.category_id, tickets.tags, tickets.created_at, tickets.updated_at, tickets.resolved_at,
        c.name AS customer_name, c.tier AS customer_tier, o.name AS owner_name, tm.name AS team_name${f.extra ? sql`, ${f.extra(sql`tickets.id`)} AS extra` : sql``}
      FROM tickets
      LEFT JOIN customers c ON c.id = tickets.customer_id
      LEFT JOIN staff o ON o.id = tickets.owner_id
      LEFT JOIN teams tm ON tm.id = tickets.team_id
      WHERE ${and(...conds.filter(Boolean)) ?? sql`true`}
      ORDER BY ${order}
      LIMIT ${f.limit + 1} OFFSET ${f.sort === 'due' ? (f.offset ?? 0) : 0}`)) as { rows: Record<string, unknown>[] };
    const d = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(v as string));
    return res.rows.map((r) => ({
      t: {
        id: r.id as string,
        number: r.number as string,
        customerId: r.customer_id as string,
        type: r.type as string,
        channel: r.channel as string,
        priority: r.priority as string,
        status: r.status as string,
        subject: r.subject as string,
        ownerId: (r.owner_id as string | null) ?? null,
        teamId: (r.team_id as string | null) ?? null,
        categoryId: (r.category_id as string | null) ?? null,
        tags: (r.tags as string[] | null) ?? [],
        createdAt: d(r.created_at)!,
        updatedAt: d(r.updated_at)!,
        resolvedAt: d(r.resolved_at),
      },
      customerName: (r.customer_name as string | null) ?? null,
      customerTier: (r.customer_tier as string | null) ?? null,
      ownerName: (r.owner_name as string | null) ?? null,
      teamName: (r.team_name as string | null) ?? null,
      extra: r.extra,
    }));
  },

  /**
   * The home counters over open tickets: all of them, or one owner's, or one team's (the caller has checked who may
   * count what) — open, due within the window, breached, waiting for the customer.
   */
  async counts(ex: Executor, scope: { ownerId?: string | undefined; teamId?: string | undefined }, dueWithinSeconds: number) {
    const conds: SQL[] = [inArray(tickets.status, [...OPEN_STATUSES])];
    if (scope.ownerId) conds.push(eq(tickets.ownerId, scope.ownerId));
    if (scope.teamId) conds.push(eq(tickets.teamId, scope.teamId));
    const res = (await ex.execute(sql`SELECT count(*)::int AS open,
        count(*) FILTER (WHERE EXISTS (SELECT 1 FROM standard_instances si WHERE si.ticket_id = tickets.id AND si.state = 'running' AND si.due_at IS NOT NULL
          AND si.due_at > now() AND si.due_at <= now() + ${dueWithinSeconds}::int * interval '1 second'))::int AS due_soon,
        count(*) FILTER (WHERE ${breachedSql})::int AS breached,
        count(*) FILTER (WHERE tickets.status = 'pending_customer')::int AS awaiting_customer
      FROM tickets WHERE ${and(...conds)}`)) as { rows: { open: number; due_soon: number; breached: number; awaiting_customer: number }[] };
    const r = res.rows[0]!;
    return { open: Number(r.open), dueSoon: Number(r.due_soon), breached: Number(r.breached), awaitingCustomer: Number(r.awaiting_customer) };
  },

  async names(ex: Executor, t: TicketRow) {
    const [row] = await ex
      .select({ customerName: customers.name, customerTier: customers.tier, ownerName: ownerAlias.name, teamName: teams.name })
      .from(tickets)
      .leftJoin(customers, eq(customers.id, tickets.customerId))
      .leftJoin(ownerAlias, eq(ownerAlias.id, tickets.ownerId))
      .leftJoin(teams, eq(teams.id, tickets.teamId))
      .where(eq(tickets.id, t.id));
    return row ?? { customerName: null, customerTier: null, ownerName: null, teamName: null };
  },

  async timeline(ex: Executor, ticketId: string, includeInternal: boolean) {
    const rows = await ex
      .select({ e: events, staffName: staff.name })
      .from(events)
      .leftJoin(staff, and(eq(events.actorKind, 'staff'), eq(staff.id, events.actorId)))
      .where(and(eq(events.aggregateType, 'ticket'), eq(events.aggregateId, ticketId)))
      .orderBy(asc(events.id));
    const hidden = new Set([
      'ticket.internal_note',
      'ticket.compensation_requested',
      'ticket.compensation_rejected',
      'ticket.handover_requested',
      'ticket.handover_declined',
      'ticket.escalated',
      'standard.warning',
      'standard.breached',
    ]);
    return rows.filter((r) => includeInternal || !hidden.has(r.e.kind));
  },

  async replies(ex: Executor, ticketId: string, includeInternal: boolean) {
    return ex
      .select({ r: ticketReplies, staffName: staff.name })
      .from(ticketReplies)
      .leftJoin(staff, and(eq(ticketReplies.authorKind, 'staff'), eq(staff.id, ticketReplies.authorId)))
      .where(includeInternal ? eq(ticketReplies.ticketId, ticketId) : and(eq(ticketReplies.ticketId, ticketId), eq(ticketReplies.visibility, 'public')))
      .orderBy(asc(ticketReplies.id));
  },

  async attachmentsOf(ex: Executor, ticketId: string) {
    return ex
      .select({
        id: attachments.id,
        filename: attachments.filename,
        mime: attachments.mime,
        size: attachments.size,
        replyId: attachments.replyId,
        hasThumbnail: sql<boolean>`${attachments.thumbnail} IS NOT NULL`,
      })
      .from(attachments)
      .where(eq(attachments.ticketId, ticketId))
      .orderBy(asc(attachments.id));
  },

  async orderLinesOf(ex: Executor, ticketId: string) {
    return ex.select().from(orderLines).where(eq(orderLines.ticketId, ticketId)).orderBy(asc(orderLines.position));
  },

  async handoversOf(ex: Executor, ticketId: string) {
    const from = alias(staff, 'hfrom');
    const to = alias(staff, 'hto');
    return ex
      .select({ h: handovers, fromName: from.name, toName: to.name })
      .from(handovers)
      .leftJoin(from, eq(from.id, handovers.fromStaffId))
      .leftJoin(to, eq(to.id, handovers.toStaffId))
      .where(eq(handovers.ticketId, ticketId))
      .orderBy(asc(handovers.id));
  },

  /** A ticket's compensations with the customer's answer (process rule: only an accepted one counts as granted). */
  async compensationsOf(ex: Executor, ticketId: string) {
    const rows = await ex
      .select({ c: compensations, a: compensationAcceptances })
      .from(compensations)
      .leftJoin(compensationAcceptances, eq(compensationAcceptances.compensationId, compensations.id))
      .where(eq(compensations.ticketId, ticketId))
      .orderBy(asc(compensations.id));
    return rows.map((r) => ({ ...r.c, answer: r.a }));
  },

  async linksOf(ex: Executor, ticketId: string) {
    const other = alias(tickets, 'other');
    return ex
      .select({ otherId: ticketLinks.otherId, kind: ticketLinks.kind, number: other.number })
      .from(ticketLinks)
      .leftJoin(other, eq(other.id, ticketLinks.otherId))
      .where(eq(ticketLinks.ticketId, ticketId));
  },

  /** Open tickets per owner, for dispatch and the supervisor's load view. */
  async openLoad(ex: Executor, staffIds: string[]): Promise<Map<string, number>> {
    if (staffIds.length === 0) return new Map();
    const rows = await ex
      .select({ ownerId: tickets.ownerId, n: sql<number>`count(*)::int` })
      .from(tickets)
      .where(and(inArray(tickets.ownerId, staffIds), inArray(tickets.status, [...OPEN_STATUSES])))
      .groupBy(tickets.ownerId);
    return new Map(rows.map((r) => [r.ownerId!, Number(r.n)]));
  },

  async categoryExists(ex: Executor, id: string) {
    const [row] = await ex.select({ id: categories.id }).from(categories).where(eq(categories.id, id));
    return Boolean(row);
  },

  async pendingApprovals(ex: Executor) {
    return ex.select().from(approvals).where(eq(approvals.state, 'pending')).orderBy(desc(approvals.id));
  },
};
