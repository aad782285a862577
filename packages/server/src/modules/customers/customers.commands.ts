import type { Database, Tx } from '../../db/client';
import { diff, emitEvent, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { idempotent } from '../../lib/idempotency';
import { maskEmail, maskPhone } from '../../lib/mask';
import { authorize, can } from '../identity/policy';
import { customersRepo, type CustomerRow } from './customers.repo';
import { findDuplicates } from './crm';

type Tier = 'diamond' | 'gold' | 'silver' | 'regular';

export function presentCustomer(row: CustomerRow, reveal: boolean) {
  return {
    id: row.id,
    name: row.name,
    phone: reveal ? row.phone : maskPhone(row.phone),
    email: reveal ? row.email : maskEmail(row.email),
    tier: row.tier as Tier,
    vip: row.vip,
    tags: row.tags,
    masked: !reveal && Boolean(row.phone || row.email),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export interface CustomerInput { name: string; phone?: string | undefined; email?: string | undefined; tier: Tier; vip: boolean; tags: string[] }

export async function createCustomerInTx(tx: Tx, ctx: Ctx, input: CustomerInput) {
  const id = uuidv7();
  const phone = input.phone ? input.phone.replace(/[\s-]/g, '') : null;
  const row = await customersRepo.insert(tx, {
    id, name: input.name, phone, email: input.email?.toLowerCase() ?? null, tier: input.tier, vip: input.vip,
    tags: [...new Set(input.tags)], createdBy: ctx.actor.id,
  });
  const shown = { name: row.name, phone: row.phone, email: row.email, tier: row.tier, vip: row.vip, tags: row.tags };
  await writeAudit(tx, ctx, { action: 'customer.created', targetType: 'customer', targetId: id, changes: diff(null, shown) });
  await emitEvent(tx, ctx, { kind: 'customer.created', aggregateType: 'customer', aggregateId: id, data: { tier: row.tier, vip: row.vip } });
  return row;
}

export async function createCustomer(database: Database, ctx: Ctx, input: CustomerInput, idempotencyKey: string | undefined) {
  authorize(ctx.actor, 'customers.write');
  // The creator just typed the contact details: the 201 answer shows them unmasked.
  return idempotent(database, ctx, idempotencyKey, 'POST /customers', input, async (tx) => {
    const row = await createCustomerInTx(tx, ctx, input);
    // Duplicate detection: the record is created (contract), and possible duplicates are offered for merging.
    const duplicates = (await findDuplicates(tx as never, row.phone, row.email, row.id));
    return { status: 201, body: { ...presentCustomer(row, true), duplicates } };
  });
}

export async function getCustomer(database: Database, ctx: Ctx, id: string, reveal: boolean) {
  authorize(ctx.actor, 'customers.read');
  if (reveal) authorize(ctx.actor, 'customers.unmask');
  const row = await customersRepo.byId(database.db, id);
  if (!row) throw notFound('Customer');
  if (reveal) {
    // Unmasking personal data is itself a recorded action.
    await database.transaction((tx) => writeAudit(tx, ctx, { action: 'customer.contact_revealed', targetType: 'customer', targetId: id }));
  }
  return presentCustomer(row, reveal);
}

export async function listCustomers(database: Database, ctx: Ctx, q: { q?: string | undefined; tier?: string | undefined; limit: number; cursor?: string | undefined }) {
  authorize(ctx.actor, 'customers.read');
  const rows = await customersRepo.list(database.db, { ...q, before: q.cursor });
  const more = rows.length > q.limit;
  const items = rows.slice(0, q.limit).map((r) => presentCustomer(r, false));
  return { items, nextCursor: more ? items[items.length - 1]!.id : null };
}

export const canReveal = (ctx: Ctx) => can(ctx.actor, 'customers.unmask');
