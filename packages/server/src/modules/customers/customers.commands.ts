import type { Database, Executor, Tx } from '../../db/client';
import { diff, emitEvent, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { invalid, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { idempotent } from '../../lib/idempotency';
import { authorize } from '../identity/policy';
import { ticketVisibilityScope } from '../tickets/visibility';
import { assertCanReveal, assertCustomerEditable, assertMergeable, customerAbilities } from './customers.policy';
import {
  present360Compensation,
  present360Ticket,
  presentCustomer,
  presentDuplicate,
  presentIdentities,
  presentProfile,
  presentTimelineEntry,
} from './customers.present';
import { customersRepo, normalisePhone, type CustomerRow } from './customers.repo';
import { customersMessages } from './customers.messages';
import type { CustomerPatchInput, Tier } from './customers.schema';

export { canReveal } from './customers.policy';
export { presentCustomer, presentProfile } from './customers.present';

const AUDITED = [
  'name',
  'phone',
  'email',
  'wechatId',
  'idNumber',
  'tier',
  'vip',
  'tags',
  'addresses',
  'demandType',
  'notes',
  'building',
  'unit',
  'room',
  'assistance',
  'assistanceNote',
  'assistStaffId',
  'consent',
  'mergedIntoId',
] as const;
/**
 * The internal customer's id (owner of internal tickets, 内部工单: environment corrective tasks, tasks staff open
 * for the organisation), created on first use in this transaction. Its name is stored in zh-CN, the organisation's
 * language.
 */
export function internalCustomerInTx(ex: Executor): Promise<string> {
  const t = customersMessages['zh-CN'];
  return customersRepo.internalCustomer(ex, {
    id: uuidv7(),
    name: t['customers.internal.name']!,
    building: t['customers.internal.building']!,
    room: t['customers.internal.room']!,
  });
}

const pick = (r: CustomerRow) => Object.fromEntries(AUDITED.map((k) => [k, r[k]]));

export interface CustomerInput {
  name: string;
  phone?: string | undefined;
  email?: string | undefined;
  tier: Tier;
  vip: boolean;
  tags: string[];
  building?: string | undefined;
  unit?: string | undefined;
  room?: string | undefined;
}

export async function createCustomerInTx(tx: Tx, ctx: Ctx, input: CustomerInput) {
  const id = uuidv7();
  const phone = input.phone ? normalisePhone(input.phone) : null;
  const row = await customersRepo.insert(tx, {
    id,
    name: input.name,
    phone,
    email: input.email?.toLowerCase() ?? null,
    tier: input.tier,
    vip: input.vip,
    tags: [...new Set(input.tags)],
    building: input.building ?? null,
    unit: input.unit ?? null,
    room: input.room ?? null,
    createdBy: ctx.actor.id,
  });
  const shown = {
    name: row.name,
    phone: row.phone,
    email: row.email,
    tier: row.tier,
    vip: row.vip,
    tags: row.tags,
    building: row.building,
    unit: row.unit,
    room: row.room,
  };
  await writeAudit(tx, ctx, { action: 'customer.created', targetType: 'customer', targetId: id, changes: diff(null, shown) });
  await emitEvent(tx, ctx, { kind: 'customer.created', aggregateType: 'customer', aggregateId: id, data: { tier: row.tier, vip: row.vip } });
  return row;
}

/**
 * Possible duplicates among active customers (for "offer to merge"), masked: customers sharing one of these phones or
 * e-mails, on their record or as a channel identity (a phone a WeChat user wrote in a message).
 */
export async function findDuplicates(
  ex: Executor,
  phone: string | null | undefined | string[],
  email: string | null | undefined | string[],
  exceptId?: string,
) {
  const list = (v: string | null | undefined | string[]) => (Array.isArray(v) ? v : v ? [v] : []);
  const phones = [...new Set(list(phone).map(normalisePhone).filter(Boolean))];
  const emails = [...new Set(list(email).map((e) => e.toLowerCase()))];
  const rows = (await customersRepo.sharingContact(ex, phones, emails)).filter((r) => r.id !== exceptId);
  const claimed = await customersRepo.contactIdentities(
    ex,
    rows.map((r) => r.id),
  );
  return rows.map((r) =>
    presentDuplicate(
      r,
      claimed.filter((c) => c.customerId === r.id),
      phones,
      emails,
    ),
  );
}

export async function createCustomer(database: Database, ctx: Ctx, input: CustomerInput, idempotencyKey: string | undefined) {
  authorize(ctx.actor, 'customers.write');
  // The creator just typed the contact details: the 201 answer shows them unmasked.
  return idempotent(database, ctx, idempotencyKey, 'POST /customers', input, async (tx) => {
    const row = await createCustomerInTx(tx, ctx, input);
    // Duplicate detection: the record is created (contract), and possible duplicates are offered for merging.
    const duplicates = await findDuplicates(tx, row.phone, row.email, row.id);
    return { status: 201, body: { ...presentCustomer(row, true), duplicates } };
  });
}

/** Unmasking personal data is itself a recorded action. */
async function auditReveal(database: Database, ctx: Ctx, id: string) {
  await database.transaction((tx) => writeAudit(tx, ctx, { action: 'customer.contact_revealed', targetType: 'customer', targetId: id }));
}

export async function getCustomer(database: Database, ctx: Ctx, id: string, reveal: boolean) {
  authorize(ctx.actor, 'customers.read');
  if (reveal) assertCanReveal(ctx.actor);
  const row = await customersRepo.byId(database.db, id);
  if (!row) throw notFound('Customer');
  if (reveal) await auditReveal(database, ctx, id);
  return presentCustomer(row, reveal);
}

export async function listCustomers(
  database: Database,
  ctx: Ctx,
  q: { q?: string | undefined; tier?: string | undefined; limit: number; cursor?: string | undefined },
) {
  authorize(ctx.actor, 'customers.read');
  const rows = await customersRepo.list(database.db, { ...q, before: q.cursor });
  const more = rows.length > q.limit;
  const items = rows.slice(0, q.limit).map((r) => presentCustomer(r, false));
  return { items, nextCursor: more ? items[items.length - 1]!.id : null };
}

export async function updateCustomer(database: Database, ctx: Ctx, id: string, patch: CustomerPatchInput) {
  authorize(ctx.actor, 'customers.write');
  return database.transaction(async (tx) => {
    const before = await customersRepo.byId(tx, id, true);
    if (!before) throw notFound('Customer');
    assertCustomerEditable(before);
    const set: Partial<CustomerRow> = { updatedAt: new Date() };
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue;
      (set as Record<string, unknown>)[k] =
        k === 'phone' && typeof v === 'string' ? normalisePhone(v) : k === 'email' && typeof v === 'string' ? v.toLowerCase() : v;
    }
    if (patch.consent) set.consent = { ...(before.consent as object), ...patch.consent };
    const helper = patch.assistStaffId ? await customersRepo.staffMember(tx, patch.assistStaffId) : undefined;
    if (patch.assistStaffId && !helper?.active) throw invalid('assistStaffId', 'no such active staff member');
    const after = (await customersRepo.update(tx, id, set))!;
    await writeAudit(tx, ctx, { action: 'customer.updated', targetType: 'customer', targetId: id, changes: diff(pick(before), pick(after)) });
    await emitEvent(tx, ctx, { kind: 'customer.updated', aggregateType: 'customer', aggregateId: id, data: { fields: Object.keys(patch) } });
    const helperName = after.assistStaffId ? (helper ?? (await customersRepo.staffMember(tx, after.assistStaffId)))?.name : null;
    return presentProfile(after, true, helperName ?? null);
  });
}

/** Merge `id` into `intoId`: tickets, compensations and portal accounts move; the merged record stays (history kept). */
export async function mergeCustomer(database: Database, ctx: Ctx, id: string, intoId: string) {
  authorize(ctx.actor, 'customers.merge');
  if (id === intoId) throw invalid('intoId', 'cannot merge a customer into itself');
  return database.transaction(async (tx) => mergeCustomerInTx(tx, ctx, id, intoId));
}

/**
 * The merge itself, in the caller's transaction (the caller checked who may merge): also used when a web chat visitor
 * proves a phone that belongs to a known customer (the anonymous visitor customer is merged into them).
 */
export async function mergeCustomerInTx(tx: Tx, ctx: Ctx, id: string, intoId: string) {
  const rows = await customersRepo.byIdsForUpdate(tx, [id, intoId]);
  const from = rows.find((r) => r.id === id);
  const into = rows.find((r) => r.id === intoId);
  if (!from) throw notFound('Customer');
  if (!into) throw invalid('intoId', 'no such customer');
  assertMergeable(from, into);
  const moved = await customersRepo.moveBelongings(tx, id, intoId);
  const mergedTags = [...new Set([...into.tags, ...from.tags])];
  await customersRepo.update(tx, intoId, {
    tags: mergedTags,
    phone: into.phone ?? from.phone,
    email: into.email ?? from.email,
    wechatId: into.wechatId ?? from.wechatId,
    updatedAt: new Date(),
  });
  await customersRepo.update(tx, id, { mergedIntoId: intoId, updatedAt: new Date() });
  await writeAudit(tx, ctx, {
    action: 'customer.merged',
    targetType: 'customer',
    targetId: id,
    changes: { mergedIntoId: { before: null, after: intoId }, ticketsMoved: { before: null, after: moved } },
  });
  await emitEvent(tx, ctx, { kind: 'customer.merged', aggregateType: 'customer', aggregateId: intoId, data: { fromId: id, tickets: moved } });
  return { id, mergedIntoId: intoId, ticketsMoved: moved };
}

/** Customer 360: profile, tickets, compensation, timeline (surveys join when the survey module lands). */
export async function customer360(database: Database, ctx: Ctx, id: string, reveal: boolean) {
  authorize(ctx.actor, 'customers.read');
  if (reveal) assertCanReveal(ctx.actor);
  const ex = database.db;
  const c = await customersRepo.byId(ex, id);
  if (!c) throw notFound('Customer');
  if (reveal) await auditReveal(database, ctx, id);
  // Tickets, their compensations and their events: only those of tickets the caller may see (the one visibility rule).
  const may = customerAbilities(ctx.actor, c);
  const { seeTickets } = may;
  const scope = ticketVisibilityScope(ctx.actor);
  const ts = seeTickets ? await customersRepo.ticketsOf(ex, id, scope) : [];
  const comps = seeTickets ? await customersRepo.compensationsOf(ex, id, scope) : [];
  const timeline = await customersRepo.timeline(
    ex,
    id,
    ts.map((t) => t.id),
  );
  // Identities: what the customer is known by on each channel; their phones and e-mails also find duplicates.
  const idRows = await customersRepo.identitiesOf(ex, id);
  const seen = await customersRepo.inboundSeen(ex, id);
  const claimedPhones = idRows.filter((r) => r.i.kind === 'phone').map((r) => r.i.value);
  const claimedEmails = idRows.filter((r) => r.i.kind === 'email').map((r) => r.i.value);
  const dups = await findDuplicates(ex, [...(c.phone ? [c.phone] : []), ...claimedPhones], [...(c.email ? [c.email] : []), ...claimedEmails], c.id);
  return {
    profile: presentProfile(c, reveal, c.assistStaffId ? ((await customersRepo.staffMember(ex, c.assistStaffId))?.name ?? null) : null),
    stats: {
      tickets: ts.length,
      open: ts.filter((t) => !['resolved', 'closed'].includes(t.status)).length,
      complaints: ts.filter((t) => t.type === 'complaint').length,
      // only what the customer accepted counts as granted (process rule, seed 001)
      compensationFen: comps.filter((x) => x.state === 'granted' && x.acceptance === 'accepted').reduce((s, x) => s + x.amountFen, 0),
    },
    tickets: ts.map(present360Ticket),
    compensations: comps.map(present360Compensation),
    timeline: timeline.map(presentTimelineEntry),
    identities: presentIdentities(c, idRows, seen, reveal),
    duplicates: dups,
    allowed: { reveal: may.reveal, edit: may.edit, merge: may.merge },
  };
}
