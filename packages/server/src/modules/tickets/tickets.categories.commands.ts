/** Ticket categories (a tree, by position). */
import type { Database, Tx } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, invalid } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { authorize, requireStaff } from '../identity/policy';
import { categoriesRepo } from './tickets.categories.repo';
import { presentCategory } from './tickets.present';
import { ticketsRepo } from './tickets.repo';

export interface CategoryInput {
  name: string;
  parentId?: string | null | undefined;
  position?: number | undefined;
}

function requireAny(ctx: Ctx) {
  if (ctx.actor.kind === 'system') return;
  if (ctx.actor.kind === 'customer') return;
  requireStaff(ctx.actor);
}

export async function listCategories(database: Database, ctx: Ctx) {
  requireAny(ctx);
  return { items: (await categoriesRepo.list(database.db)).map(presentCategory) };
}

export async function createCategory(database: Database, ctx: Ctx, input: CategoryInput) {
  authorize(ctx.actor, 'categories.manage');
  return database.transaction(async (tx) => createCategoryInTx(tx, ctx, input));
}

export async function createCategoryInTx(tx: Tx, ctx: Ctx, input: CategoryInput) {
  if (input.parentId && !(await ticketsRepo.categoryExists(tx, input.parentId))) throw invalid('parentId', 'no such category');
  const id = uuidv7();
  const c = await categoriesRepo.insert(tx, { id, name: input.name, parentId: input.parentId ?? null, position: input.position ?? 0 });
  if (!c) {
    throw new AppError('conflict', 'A category with this name exists here', {
      reason: 'category_exists',
      errors: [{ path: 'name', message: 'already exists' }],
    });
  }
  await writeAudit(tx, ctx, { action: 'category.created', targetType: 'category', targetId: id, changes: diff(null, { name: c.name, parentId: c.parentId }) });
  return presentCategory(c);
}
