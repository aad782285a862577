import { and, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { compensations, customerAccounts, customers, events, staff, tickets } from '../../db/schema';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { diff, emitEvent, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, invalid, notFound } from '../../lib/errors';
import { maskEmail, maskIdNumber, maskPhone } from '../../lib/mask';
import { authorize, can } from '../identity/policy';
import type { Database } from '../../db/client';
import { TIERS } from './customers.schema';
import { ticketVisibilityScope } from '../tickets/visibility';

const Address = z.object({ label: z.string().trim().max(32).default(''), text: z.string().trim().min(1).max(300) });
export const CustomerPatch = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  phone: z.string().trim().regex(/^\+?[0-9][0-9 -]{5,19}$/, 'must be a phone number').nullable().optional(),
  email: z.email().max(200).nullable().optional(),
  wechatId: z.string().trim().max(64).nullable().optional(),
  idNumber: z.string().trim().regex(/^[0-9]{17}[0-9Xx]$/, 'must be an 18-character id number').nullable().optional(),
  tier: z.enum(TIERS).optional(),
  vip: z.boolean().optional(),
  tags: z.array(z.string().trim().min(1).max(32)).max(50).optional(),
  addresses: z.array(Address).max(10).optional(),
  demandType: z.string().trim().max(64).nullable().optional(),
  notes: z.string().trim().max(5000).nullable().optional(),
  consent: z.object({ marketing: z.boolean().optional(), surveys: z.boolean().optional(), dataSharing: z.boolean().optional() }).optional(),
});

type Row = typeof customers.$inferSelect;
const AUDITED = ['name', 'phone', 'email', 'wechatId', 'idNumber', 'tier', 'vip', 'tags', 'addresses', 'demandType', 'notes', 'consent', 'mergedIntoId'] as const;
const pick = (r: Row) => Object.fromEntries(AUDITED.map((k) => [k, r[k]]));

export function presentProfile(r: Row, reveal: boolean) {
  return {
    id: r.id, name: r.name,
    phone: reveal ? r.phone : maskPhone(r.phone), email: reveal ? r.email : maskEmail(r.email),
    wechatId: r.wechatId, idNumber: reveal ? r.idNumber : maskIdNumber(r.idNumber),
    tier: r.tier, vip: r.vip, tags: r.tags, addresses: r.addresses as { label: string; text: string }[], demandType: r.demandType, notes: r.notes,
    consent: r.consent as Record<string, boolean>, mergedIntoId: r.mergedIntoId, masked: !reveal,
    createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString(),
  };
}

/** Phone/email duplicates among active customers (for "offer to merge"). */
export async function findDuplicates(ex: Database['db'], phone: string | null | undefined, email: string | null | undefined, exceptId?: string) {
  const conds = [];
  if (phone) conds.push(eq(customers.phone, phone.replace(/[\s-]/g, '')));
  if (email) conds.push(eq(customers.email, email.toLowerCase()));
  if (!conds.length) return [];
  const rows = await ex.select().from(customers).where(and(or(...conds), isNull(customers.mergedIntoId))).limit(20);
  return rows.filter((r) => r.id !== exceptId).map((r) => ({
    id: r.id, name: r.name, phone: maskPhone(r.phone), email: maskEmail(r.email), tier: r.tier,
    matchedOn: [phone && r.phone === phone.replace(/[\s-]/g, '') ? 'phone' : null, email && r.email === email.toLowerCase() ? 'email' : null].filter(Boolean) as string[],
  }));
}

async function updateCustomer(database: Database, ctx: Ctx, id: string, patch: z.infer<typeof CustomerPatch>) {
  authorize(ctx.actor, 'customers.write');
  return database.transaction(async (tx) => {
    const [before] = await tx.select().from(customers).where(eq(customers.id, id)).for('update');
    if (!before) throw notFound('Customer');
    if (before.mergedIntoId) throw new AppError('conflict', 'This customer was merged; edit the surviving record');
    const set: Partial<Row> = { updatedAt: new Date() };
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) (set as Record<string, unknown>)[k] = k === 'phone' && typeof v === 'string' ? v.replace(/[\s-]/g, '') : k === 'email' && typeof v === 'string' ? v.toLowerCase() : v;
    if (patch.consent) set.consent = { ...(before.consent as object), ...patch.consent };
    const [after] = await tx.update(customers).set(set).where(eq(customers.id, id)).returning();
    await writeAudit(tx, ctx, { action: 'customer.updated', targetType: 'customer', targetId: id, changes: diff(pick(before), pick(after!)) });
    await emitEvent(tx, ctx, { kind: 'customer.updated', aggregateType: 'customer', aggregateId: id, data: { fields: Object.keys(patch) } });
    return presentProfile(after!, true);
  });
}

/** Merge `id` into `intoId`: tickets, compensations and portal accounts move; the merged record stays (history kept). */
async function mergeCustomer(database: Database, ctx: Ctx, id: string, intoId: string) {
  authorize(ctx.actor, 'customers.merge');
  if (id === intoId) throw invalid('intoId', 'cannot merge a customer into itself');
  return database.transaction(async (tx) => {
    const rows = await tx.select().from(customers).where(inArray(customers.id, [id, intoId])).for('update');
    const from = rows.find((r) => r.id === id);
    const into = rows.find((r) => r.id === intoId);
    if (!from) throw notFound('Customer');
    if (!into) throw invalid('intoId', 'no such customer');
    if (from.mergedIntoId || into.mergedIntoId) throw new AppError('conflict', 'One of these customers was already merged');
    const moved = await tx.update(tickets).set({ customerId: intoId }).where(eq(tickets.customerId, id)).returning({ id: tickets.id });
    await tx.update(compensations).set({ customerId: intoId }).where(eq(compensations.customerId, id));
    await tx.update(customerAccounts).set({ customerId: intoId }).where(eq(customerAccounts.customerId, id));
    const mergedTags = [...new Set([...into.tags, ...from.tags])];
    await tx.update(customers).set({
      tags: mergedTags, phone: into.phone ?? from.phone, email: into.email ?? from.email, wechatId: into.wechatId ?? from.wechatId, updatedAt: new Date(),
    }).where(eq(customers.id, intoId));
    await tx.update(customers).set({ mergedIntoId: intoId, updatedAt: new Date() }).where(eq(customers.id, id));
    await writeAudit(tx, ctx, { action: 'customer.merged', targetType: 'customer', targetId: id, changes: { mergedIntoId: { before: null, after: intoId }, ticketsMoved: { before: null, after: moved.length } } });
    await emitEvent(tx, ctx, { kind: 'customer.merged', aggregateType: 'customer', aggregateId: intoId, data: { fromId: id, tickets: moved.length } });
    return { id, mergedIntoId: intoId, ticketsMoved: moved.length };
  });
}

/** Customer 360: profile, tickets, compensation, timeline (surveys join when the survey module lands). */
async function customer360(database: Database, ctx: Ctx, id: string, reveal: boolean) {
  authorize(ctx.actor, 'customers.read');
  if (reveal) authorize(ctx.actor, 'customers.unmask');
  const ex = database.db;
  const [c] = await ex.select().from(customers).where(eq(customers.id, id));
  if (!c) throw notFound('Customer');
  if (reveal) await database.transaction((tx) => writeAudit(tx, ctx, { action: 'customer.contact_revealed', targetType: 'customer', targetId: id }));
  // Tickets, their compensations and their events: only those of tickets the caller may see (the one visibility rule).
  const seeTickets = can(ctx.actor, 'tickets.read_all') || can(ctx.actor, 'tickets.work');
  const scope = ticketVisibilityScope(ctx.actor);
  const ts = seeTickets ? await ex.select().from(tickets).where(and(eq(tickets.customerId, id), scope)).orderBy(desc(tickets.id)).limit(100) : [];
  const comps = seeTickets ? (await ex.select({ x: compensations }).from(compensations).innerJoin(tickets, eq(tickets.id, compensations.ticketId))
    .where(and(eq(compensations.customerId, id), scope)).orderBy(desc(compensations.id)).limit(100)).map((r) => r.x) : [];
  const ticketIds = ts.map((t) => t.id);
  const timeline = await ex.select({ e: events, staffName: staff.name }).from(events).leftJoin(staff, and(eq(events.actorKind, 'staff'), eq(staff.id, events.actorId)))
    .where(or(and(eq(events.aggregateType, 'customer'), eq(events.aggregateId, id)), ticketIds.length ? and(eq(events.aggregateType, 'ticket'), inArray(events.aggregateId, ticketIds), inArray(events.kind, ['ticket.created', 'ticket.resolved', 'ticket.reopened', 'ticket.closed', 'ticket.compensation_granted', 'ticket.customer_confirmed', 'survey.answered', 'recovery.opened'])) : sql`false`))
    .orderBy(desc(events.id)).limit(200);
  const dups = await findDuplicates(ex, c.phone, c.email, c.id);
  return {
    profile: presentProfile(c, reveal),
    stats: {
      tickets: ts.length, open: ts.filter((t) => !['resolved', 'closed'].includes(t.status)).length,
      complaints: ts.filter((t) => t.type === 'complaint').length,
      compensationFen: comps.filter((x) => x.state === 'granted').reduce((s, x) => s + x.amountFen, 0),
    },
    tickets: ts.map((t) => ({ id: t.id, number: t.number, subject: t.subject, type: t.type, status: t.status, priority: t.priority, createdAt: t.createdAt.toISOString() })),
    compensations: comps.map((x) => ({ id: x.id, ticketId: x.ticketId, kind: x.kind, amountFen: x.amountFen, state: x.state, reason: x.reason, createdAt: x.createdAt.toISOString() })),
    timeline: timeline.map((r) => ({ id: String(r.e.id), at: r.e.at.toISOString(), kind: r.e.kind, aggregateType: r.e.aggregateType, aggregateId: r.e.aggregateId, actorName: r.staffName, data: r.e.data as Record<string, unknown> })),
    duplicates: dups,
  };
}

export function registerCrmRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['customers'];
  app.patch('/customers/:id', { config: { permission: 'customers.write' }, schema: { tags, params: z.object({ id: z.uuid() }), body: CustomerPatch } },
    async (req) => updateCustomer(deps.database, ctxOf(req), req.params.id, req.body));
  app.get('/customers/:id/360', { config: { permission: 'customers.read' }, schema: { tags, summary: 'Customer 360: profile, tickets, compensation, timeline, possible duplicates', params: z.object({ id: z.uuid() }), querystring: z.object({ reveal: z.enum(['contact']).optional() }) } },
    async (req) => customer360(deps.database, ctxOf(req), req.params.id, req.query.reveal === 'contact'));
  app.post('/customers/duplicates', { config: { permission: 'customers.read' }, schema: { tags, summary: 'Customers with this phone or e-mail (check before creating)', body: z.object({ phone: z.string().max(32).optional(), email: z.string().max(200).optional() }) } },
    async (req) => ({ items: await findDuplicates(deps.database.db, req.body.phone, req.body.email) }));
  app.post('/customers/:id/merge', { config: { permission: 'customers.merge' }, schema: { tags, summary: 'Merge this customer into another; history is kept', params: z.object({ id: z.uuid() }), body: z.object({ intoId: z.uuid() }) } },
    async (req) => mergeCustomer(deps.database, ctxOf(req), req.params.id, req.body.intoId));
}
