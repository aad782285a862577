/** Knowledge categories, their experts and the search vocabulary (admin-maintained). */
import type { Database, Tx } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, invalid, notFound } from '../../lib/errors';
import { UUID_RE, uuidv7 } from '../../lib/ids';
import { authorize } from '../identity/policy';
import { presentCategory, presentVocab } from './kb.present';
import { kbRepo, type CategoryRow } from './kb.repo';
import { categoriesChanged, categoryMap } from './kb.shared';
import { subtreeOf } from './kb.tree';
import { kbSearchOf } from './search-service';

const nameTaken = (detail: string) =>
  new AppError('conflict', detail, { reason: 'kb_category_exists', errors: [{ path: 'name', message: 'already used at this level' }] });
const uniq = (xs: readonly string[] | undefined) => [...new Set((xs ?? []).map((x) => x.trim()).filter(Boolean))];

/** A category by id, or by name (an unknown name creates a top-level category). */
export async function resolveCategoryInTx(tx: Tx, ctx: Ctx, ref: string): Promise<string> {
  if (UUID_RE.test(ref)) {
    const id = await kbRepo.categoryIdById(tx, ref);
    if (!id) throw invalid('category', 'no such category');
    return id;
  }
  return (await kbRepo.categoryIdByName(tx, ref)) ?? (await createCategoryInTx(tx, ctx, { name: ref })).id;
}

export async function createCategoryInTx(tx: Tx, ctx: Ctx, input: { name: string; parentId?: string | null | undefined; position?: number | undefined }) {
  if (input.parentId && !(await kbRepo.categoryIdById(tx, input.parentId))) throw invalid('parentId', 'no such category');
  if (await kbRepo.categoryNameTaken(tx, input.name, input.parentId)) throw nameTaken(`Category ${input.name} already exists here`);
  const row = await kbRepo.insertCategory(tx, { id: uuidv7(), name: input.name, parentId: input.parentId ?? null, position: input.position ?? 0 });
  await writeAudit(tx, ctx, {
    action: 'kb.category.created',
    targetType: 'kb_category',
    targetId: row.id,
    changes: diff(null, { name: row.name, parentId: row.parentId }),
  });
  return row;
}

export async function listCategories(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'kb.view');
  const [cats, experts, counts] = await Promise.all([
    kbRepo.categories(database.db, true),
    kbRepo.expertsWithNames(database.db),
    kbRepo.categoryCounts(database),
  ]);
  const byCat = new Map(counts.map((c) => [c.category_id, c]));
  return {
    items: cats.map((c) =>
      presentCategory(
        c,
        experts.filter((e) => e.categoryId === c.id).map((e) => ({ id: e.id, name: e.name, employeeNo: e.employeeNo })),
        byCat.get(c.id),
      ),
    ),
  };
}

export async function createCategory(
  database: Database,
  ctx: Ctx,
  input: { name: string; parentId?: string | null | undefined; position?: number | undefined },
) {
  authorize(ctx.actor, 'kb.manage');
  const row = await database.transaction(async (tx) => {
    const r = await createCategoryInTx(tx, ctx, input);
    await categoriesChanged(database, tx);
    return r;
  });
  return presentCategory(row, [], undefined);
}

export async function updateCategory(
  database: Database,
  ctx: Ctx,
  id: string,
  input: { name?: string | undefined; parentId?: string | null | undefined; position?: number | undefined },
) {
  authorize(ctx.actor, 'kb.manage');
  await database.transaction(async (tx) => {
    const cats = await categoryMap(tx);
    const cur = cats.get(id);
    if (!cur) throw notFound('Category');
    if (input.parentId !== undefined && input.parentId !== null) {
      if (!cats.has(input.parentId)) throw invalid('parentId', 'no such category');
      if (subtreeOf(cats, id).has(input.parentId)) throw invalid('parentId', 'cannot move a category under itself');
    }
    const set: Partial<CategoryRow> = {};
    if (input.name !== undefined) set.name = input.name;
    if (input.parentId !== undefined) set.parentId = input.parentId;
    if (input.position !== undefined) set.position = input.position;
    try {
      await kbRepo.updateCategory(tx, id, set);
    } catch {
      throw nameTaken('A category with this name already exists at that level');
    }
    await categoriesChanged(database, tx);
    await writeAudit(tx, ctx, {
      action: 'kb.category.updated',
      targetType: 'kb_category',
      targetId: id,
      changes: diff(
        { name: cur.name, parentId: cur.parentId, position: cur.position },
        { name: set.name ?? cur.name, parentId: set.parentId === undefined ? cur.parentId : set.parentId, position: set.position ?? cur.position },
      ),
    });
  });
  const s = kbSearchOf(database);
  if (s) s.categories = null;
  return (await listCategories(database, ctx)).items.find((c) => c.id === id)!;
}

export async function setExperts(database: Database, ctx: Ctx, id: string, staffIds: string[]) {
  authorize(ctx.actor, 'kb.manage');
  await database.transaction(async (tx) => {
    if (!(await kbRepo.categoryById(tx, id))) throw notFound('Category');
    const ids = [...new Set(staffIds)];
    if (ids.length) {
      const ok = await kbRepo.activeStaffIds(tx, ids);
      const bad = ids.findIndex((s) => !ok.has(s));
      if (bad >= 0) throw invalid(`staffIds.${bad}`, 'no such active staff member');
    }
    const before = (await kbRepo.expertsOf(tx, id)).sort();
    await kbRepo.replaceExperts(tx, id, ids);
    await writeAudit(tx, ctx, {
      action: 'kb.category.experts',
      targetType: 'kb_category',
      targetId: id,
      changes: diff({ experts: before }, { experts: [...ids].sort() }),
    });
  });
  return (await listCategories(database, ctx)).items.find((c) => c.id === id)!;
}

// ───────────────────────────── vocabulary ─────────────────────────────

export async function listVocabulary(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'kb.view');
  return { items: (await kbRepo.vocabulary(database.db)).map(presentVocab) };
}

export async function addVocabulary(
  database: Database,
  ctx: Ctx,
  input: { kind: 'word' | 'synonyms' | 'rule'; term?: string | undefined; expansions: string[] },
) {
  authorize(ctx.actor, 'kb.manage');
  const expansions = uniq(input.expansions);
  let term = (input.term ?? '').trim();
  if (input.kind === 'word') {
    if (!term || /\s/.test(term)) throw invalid('term', 'one word without spaces');
  } else if (input.kind === 'synonyms') {
    if (expansions.length < 2) throw invalid('expansions', 'a synonym group needs at least two members');
    term = expansions[0]!;
  } else {
    if (!term) throw invalid('term', 'the phrase to rewrite');
    if (!expansions.length) throw invalid('expansions', 'what the phrase means');
  }
  const row = await database.transaction(async (tx) => {
    const r = await kbRepo.insertVocabulary(tx, {
      id: uuidv7(),
      kind: input.kind,
      term,
      expansions: input.kind === 'word' ? [] : expansions,
      createdBy: ctx.actor.id,
    });
    if (!r)
      throw new AppError('conflict', `${term} is already in the list`, {
        reason: 'kb_vocabulary_exists',
        params: { term },
        errors: [{ path: 'term', message: 'already in the list' }],
      });
    await writeAudit(tx, ctx, {
      action: 'kb.vocabulary.added',
      targetType: 'kb_vocabulary',
      targetId: r.id,
      changes: diff(null, { kind: r.kind, term: r.term, expansions: r.expansions }),
    });
    await kbSearchOf(database)?.announce(tx, { vocabulary: true });
    return r;
  });
  await kbSearchOf(database)?.reloadAll();
  return presentVocab(row);
}

export async function removeVocabulary(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'kb.manage');
  await database.transaction(async (tx) => {
    const r = await kbRepo.deleteVocabulary(tx, id);
    if (!r) throw notFound('Vocabulary entry');
    await writeAudit(tx, ctx, {
      action: 'kb.vocabulary.removed',
      targetType: 'kb_vocabulary',
      targetId: id,
      changes: diff({ kind: r.kind, term: r.term, expansions: r.expansions }, null),
    });
    await kbSearchOf(database)?.announce(tx, { vocabulary: true });
  });
  await kbSearchOf(database)?.reloadAll();
}
