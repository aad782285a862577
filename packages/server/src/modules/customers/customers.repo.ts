import { and, asc, desc, eq, ilike, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import {
  channelMessages,
  channels,
  compensationAcceptances,
  compensations,
  customerAccounts,
  customerIdentities,
  customers,
  events,
  settings,
  staff,
  tickets,
} from '../../db/schema';

/** The settings row naming the internal customer (the key predates internal tickets: the environment module made it first). */
const INTERNAL_KEY = 'environment.customer';

export type CustomerRow = typeof customers.$inferSelect;

/** Phone as stored: digits (and a leading +) without spaces or dashes. */
export const normalisePhone = (phone: string) => phone.replace(/[\s-]/g, '');

/** The ticket events a customer's timeline shows (besides the customer's own events). */
const TIMELINE_TICKET_KINDS = [
  'ticket.created',
  'ticket.resolved',
  'ticket.reopened',
  'ticket.closed',
  'ticket.compensation_granted',
  'ticket.compensation_accepted',
  'ticket.compensation_refused',
  'ticket.customer_confirmed',
  'survey.answered',
  'recovery.opened',
];

/**
 * The flat (楼栋 / 单元 / 房号) as a search: "3栋 1201", "3栋1201", "3-2-1201" — every part of the query must match one
 * of the three fields.
 */
function flatMatch(q: string): SQL[] {
  const parts = q
    .replace(/(栋|幢|号楼|单元)/g, '$1 ')
    .split(/[\s\-/]+/)
    .map((p) => p.trim())
    .filter(Boolean)
    .slice(0, 4);
  if (parts.length === 0) return [];
  const esc = (p: string) => `%${p.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  const one = (p: string) => or(ilike(customers.building, esc(p)), ilike(customers.unit, esc(p)), ilike(customers.room, esc(p)))!;
  return [and(...parts.map(one))!];
}

export const customersRepo = {
  async insert(ex: Executor, row: typeof customers.$inferInsert): Promise<CustomerRow> {
    const [out] = await ex.insert(customers).values(row).returning();
    return out!;
  },
  async byId(ex: Executor, id: string, forUpdate = false): Promise<CustomerRow | undefined> {
    const q = ex.select().from(customers).where(eq(customers.id, id));
    const [row] = forUpdate ? await q.for('update') : await q;
    return row;
  },
  /** A staff member's name and whether they are active (the designated helper of one-to-one help). */
  async staffMember(ex: Executor, id: string): Promise<{ name: string; active: boolean } | undefined> {
    const [row] = await ex.select({ name: staff.name, active: staff.active }).from(staff).where(eq(staff.id, id));
    return row;
  },
  async byIdsForUpdate(ex: Executor, ids: string[]): Promise<CustomerRow[]> {
    return ex.select().from(customers).where(inArray(customers.id, ids)).for('update');
  },
  async update(ex: Executor, id: string, set: Partial<CustomerRow>): Promise<CustomerRow | undefined> {
    const [row] = await ex.update(customers).set(set).where(eq(customers.id, id)).returning();
    return row;
  },
  async list(ex: Executor, f: { q?: string | undefined; tier?: string | undefined; limit: number; before?: string | undefined }) {
    const conds = [];
    if (f.q) {
      const like = `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      const digits = f.q.replace(/\D/g, '');
      conds.push(
        or(
          ilike(customers.name, like),
          ilike(customers.email, like),
          ...(digits.length >= 4 ? [ilike(customers.phone, `%${digits}%`)] : []),
          ...flatMatch(f.q),
        ),
      );
    }
    if (f.tier) conds.push(eq(customers.tier, f.tier));
    // The internal customer (owner of internal tickets) is nobody to pick, search or export.
    conds.push(eq(customers.internal, false));
    if (f.before) conds.push(lt(customers.id, f.before));
    return ex
      .select()
      .from(customers)
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(desc(customers.id))
      .limit(f.limit + 1);
  },
  /**
   * The internal customer (the organisation itself, owner of internal tickets), created from `fresh` on first use in
   * the caller's transaction. The settings row is the claim: of two first uses at once, the second waits for the
   * first's insert and then reads its customer.
   */
  async internalCustomer(ex: Executor, fresh: { id: string; name: string; building: string; room: string }): Promise<string> {
    const [found] = await ex.select({ id: customers.id }).from(customers).where(eq(customers.internal, true)).orderBy(asc(customers.id)).limit(1);
    if (found) return found.id;
    const claimed = await ex
      .insert(settings)
      .values({ key: INTERNAL_KEY, value: { customerId: fresh.id } })
      .onConflictDoNothing()
      .returning({ key: settings.key });
    if (claimed.length) {
      await ex.insert(customers).values({ ...fresh, internal: true });
      return fresh.id;
    }
    const [row] = await ex.select().from(settings).where(eq(settings.key, INTERNAL_KEY));
    const id = String((row!.value as { customerId: string }).customerId);
    await ex.update(customers).set({ internal: true }).where(eq(customers.id, id));
    return id;
  },
  /** Active (not merged) customers with this phone or e-mail, at most 20. */
  async byContact(ex: Executor, phone: string | null | undefined, email: string | null | undefined, limit = 20): Promise<CustomerRow[]> {
    const conds = [];
    if (phone) conds.push(eq(customers.phone, normalisePhone(phone)));
    if (email) conds.push(eq(customers.email, email.toLowerCase()));
    if (!conds.length) return [];
    return ex
      .select()
      .from(customers)
      .where(and(or(...conds), isNull(customers.mergedIntoId), eq(customers.internal, false)))
      .limit(limit);
  },
  /** The oldest active customer with this phone (portal sign-in). */
  async firstByPhone(ex: Executor, phone: string): Promise<CustomerRow | undefined> {
    const [row] = await ex
      .select()
      .from(customers)
      .where(and(eq(customers.phone, phone), isNull(customers.mergedIntoId), eq(customers.internal, false)))
      .orderBy(customers.id)
      .limit(1);
    return row;
  },
  /**
   * Moves tickets, compensations, portal accounts, channel identities (WeChat openid …: the next message finds the
   * surviving customer) and the channel messages recorded for `fromId` to `intoId`; returns the number of tickets moved.
   */
  async moveBelongings(ex: Executor, fromId: string, intoId: string): Promise<number> {
    const moved = await ex.update(tickets).set({ customerId: intoId }).where(eq(tickets.customerId, fromId)).returning({ id: tickets.id });
    await ex.update(compensations).set({ customerId: intoId }).where(eq(compensations.customerId, fromId));
    await ex.update(customerAccounts).set({ customerId: intoId }).where(eq(customerAccounts.customerId, fromId));
    // An identity both records hold (e.g. the same phone claimed on both) is unique per (kind, value): the survivor's stays.
    await ex
      .delete(customerIdentities)
      .where(
        and(
          eq(customerIdentities.customerId, fromId),
          sql`(${customerIdentities.kind}, ${customerIdentities.value}) IN (SELECT kind, value FROM customer_identities WHERE customer_id = ${intoId})`,
        ),
      );
    await ex.update(customerIdentities).set({ customerId: intoId }).where(eq(customerIdentities.customerId, fromId));
    await ex.update(channelMessages).set({ customerId: intoId }).where(eq(channelMessages.customerId, fromId));
    return moved.length;
  },
  /** A customer's channel identities (openid, a phone or e-mail given in a message …) with the channel they came by, oldest first. */
  async identitiesOf(ex: Executor, customerId: string) {
    return ex
      .select({ i: customerIdentities, channelName: channels.name, channelKind: channels.kind })
      .from(customerIdentities)
      .leftJoin(channels, eq(channels.id, customerIdentities.channelId))
      .where(eq(customerIdentities.customerId, customerId))
      .orderBy(asc(customerIdentities.createdAt));
  },
  /** Per channel: the first and last message received from this customer (e-mail, WeChat …). */
  async inboundSeen(ex: Executor, customerId: string) {
    return ex
      .select({
        channelId: channelMessages.channelId,
        channelName: channels.name,
        channelKind: channels.kind,
        first: sql<Date>`min(${channelMessages.createdAt})`.mapWith(channelMessages.createdAt),
        last: sql<Date>`max(${channelMessages.createdAt})`.mapWith(channelMessages.createdAt),
      })
      .from(channelMessages)
      .innerJoin(channels, eq(channels.id, channelMessages.channelId))
      .where(and(eq(channelMessages.customerId, customerId), eq(channelMessages.direction, 'in')))
      .groupBy(channelMessages.channelId, channels.name, channels.kind);
  },
  /**
   * Active customers sharing a phone or e-mail — on their record or as a channel identity (a phone a WeChat user wrote
   * in a message) — with any of the given values, at most `limit`.
   */
  async sharingContact(ex: Executor, phones: string[], emails: string[], limit = 20): Promise<CustomerRow[]> {
    if (!phones.length && !emails.length) return [];
    const byIdentity = [
      ...(phones.length ? [and(eq(customerIdentities.kind, 'phone'), inArray(customerIdentities.value, phones))!] : []),
      ...(emails.length ? [and(eq(customerIdentities.kind, 'email'), inArray(customerIdentities.value, emails))!] : []),
    ];
    const claimed = ex
      .select({ id: customerIdentities.customerId })
      .from(customerIdentities)
      .where(or(...byIdentity));
    return ex
      .select()
      .from(customers)
      .where(
        and(
          or(
            ...(phones.length ? [inArray(customers.phone, phones)] : []),
            ...(emails.length ? [inArray(customers.email, emails)] : []),
            inArray(customers.id, claimed),
          ),
          isNull(customers.mergedIntoId),
          eq(customers.internal, false),
        ),
      )
      .orderBy(asc(customers.id))
      .limit(limit);
  },
  /** The phone and e-mail identities of these customers (what they gave on a channel besides their record). */
  async contactIdentities(ex: Executor, customerIds: string[]) {
    if (!customerIds.length) return [];
    return ex
      .select({ customerId: customerIdentities.customerId, kind: customerIdentities.kind, value: customerIdentities.value })
      .from(customerIdentities)
      .where(and(inArray(customerIdentities.customerId, customerIds), inArray(customerIdentities.kind, ['phone', 'email'])));
  },
  /** A customer's tickets within a visibility scope (tickets/visibility.ts), newest first. */
  async ticketsOf(ex: Executor, customerId: string, scope: SQL | undefined, limit = 100) {
    return ex
      .select()
      .from(tickets)
      .where(and(eq(tickets.customerId, customerId), scope))
      .orderBy(desc(tickets.id))
      .limit(limit);
  },
  /** A customer's compensations on tickets within the visibility scope, newest first. */
  async compensationsOf(ex: Executor, customerId: string, scope: SQL | undefined, limit = 100) {
    const rows = await ex
      .select({ x: compensations, acceptance: compensationAcceptances.decision })
      .from(compensations)
      .innerJoin(tickets, eq(tickets.id, compensations.ticketId))
      .leftJoin(compensationAcceptances, eq(compensationAcceptances.compensationId, compensations.id))
      .where(and(eq(compensations.customerId, customerId), scope))
      .orderBy(desc(compensations.id))
      .limit(limit);
    return rows.map((r) => ({ ...r.x, acceptance: r.x.state === 'granted' ? (r.acceptance ?? 'offered') : null }));
  },
  /** The customer's own events and the headline events of the given tickets, newest first, with the acting staff member's name. */
  async timeline(ex: Executor, customerId: string, ticketIds: string[], limit = 200) {
    return ex
      .select({ e: events, staffName: staff.name })
      .from(events)
      .leftJoin(staff, and(eq(events.actorKind, 'staff'), eq(staff.id, events.actorId)))
      .where(
        or(
          and(eq(events.aggregateType, 'customer'), eq(events.aggregateId, customerId)),
          ticketIds.length
            ? and(eq(events.aggregateType, 'ticket'), inArray(events.aggregateId, ticketIds), inArray(events.kind, TIMELINE_TICKET_KINDS))
            : sql`false`,
        ),
      )
      .orderBy(desc(events.id))
      .limit(limit);
  },
};
