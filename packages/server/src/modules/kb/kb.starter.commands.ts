/**
 * The knowledge starter pack (入门知识包, starter-pack.data.ts): preview what an import would add, and import it in one
 * transaction — categories under 入门知识包, 20 话术 scripts and the common solutions per problem type, each tagged
 * 模板 with a review date a month out, as drafts (default) or published. Items already there (same title in the same
 * category) are skipped, so importing twice adds nothing twice.
 */
import type { Database, Tx } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { uuidv7 } from '../../lib/ids';
import { authorize, requireStaff } from '../identity/policy';
import { addDays, categoriesChanged, localDay } from './kb.shared';
import { kbRepo } from './kb.repo';
import { kbStarterRepo } from './kb.starter.repo';
import { kbSearchOf } from './search-service';
import { sanitizeHtml } from './sanitize';
import { SCRIPTS_CATEGORY, STARTER_PACK_VERSION, STARTER_ROOT, STARTER_SCRIPTS, STARTER_TYPES, TEMPLATE_TAG, type StarterSolution } from './starter-pack.data';

/** Days until an imported template is due for review (the review queue then reminds its owner to adapt it). */
const REVIEW_AFTER_DAYS = 30;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
function solutionHtml(x: StarterSolution): string {
  return sanitizeHtml(
    `<p><strong>常见原因：</strong>${esc(x.cause)}</p><h3>处理步骤</h3><ol>${x.steps.map((st) => `<li>${esc(st)}</li>`).join('')}</ol>` +
      `<p><em>模板：请按本单位的规定、价格和联系人修改后使用。</em></p>`,
  );
}

interface PlannedItem {
  category: string;
  kind: 'script' | 'faq';
  title: string;
  body: string;
  tags: string[];
  scenario: string | null;
  variants: string[];
}

function plan(): PlannedItem[] {
  const out: PlannedItem[] = STARTER_SCRIPTS.map((x) => ({
    category: SCRIPTS_CATEGORY,
    kind: 'script' as const,
    title: x.title,
    body: x.body,
    tags: [TEMPLATE_TAG, ...x.tags],
    scenario: x.scenario,
    variants: [],
  }));
  for (const type of STARTER_TYPES)
    for (const x of type.items)
      out.push({
        category: type.category,
        kind: 'faq',
        title: x.title,
        body: solutionHtml(x),
        tags: [TEMPLATE_TAG, ...type.tags],
        scenario: null,
        variants: x.variants ?? [],
      });
  return out;
}

const CATEGORIES = [SCRIPTS_CATEGORY, ...STARTER_TYPES.map((x) => x.category)];

/** What the pack holds and how much of it this installation already has. */
export async function starterPackPreview(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'kb.manage');
  const ex = database.db;
  const root = await kbStarterRepo.categoryId(ex, STARTER_ROOT, null);
  const ids = new Map<string, string | null>();
  for (const name of CATEGORIES) ids.set(name, root ? await kbStarterRepo.categoryId(ex, name, root) : null);
  const present = await kbStarterRepo.titlesIn(
    ex,
    [...ids.values()].filter((x): x is string => !!x),
  );
  const items = plan();
  const categories = CATEGORIES.map((name) => {
    const mine = items.filter((i) => i.category === name);
    const id = ids.get(name) ?? null;
    const existing = id ? mine.filter((i) => present.has(`${id}\u241f${i.title}`)).length : 0;
    return { name, kind: name === SCRIPTS_CATEGORY ? ('script' as const) : ('faq' as const), items: mine.length, existing, titles: mine.map((i) => i.title) };
  });
  return {
    version: STARTER_PACK_VERSION,
    root: STARTER_ROOT,
    scripts: STARTER_SCRIPTS.length,
    solutions: items.length - STARTER_SCRIPTS.length,
    total: items.length,
    toAdd: categories.reduce((n, c) => n + c.items - c.existing, 0),
    categories,
  };
}

async function categoryIn(tx: Tx, name: string, parentId: string | null, position: number): Promise<string> {
  const found = await kbStarterRepo.categoryId(tx, name, parentId);
  if (found) return found;
  const row = await kbRepo.insertCategory(tx, { id: uuidv7(), name, parentId, position });
  return row.id;
}

/** Imports the pack; `publish` makes the items searchable at once (else drafts an editor reviews first). */
export async function importStarterPack(database: Database, ctx: Ctx, input: { publish: boolean }) {
  authorize(ctx.actor, 'kb.manage');
  const actor = requireStaff(ctx.actor);
  const items = plan();
  const result = await database.transaction(async (tx) => {
    const root = await categoryIn(tx, STARTER_ROOT, null, 900);
    const ids = new Map<string, string>();
    for (const [i, name] of CATEGORIES.entries()) ids.set(name, await categoryIn(tx, name, root, i));
    const present = await kbStarterRepo.titlesIn(tx, [...ids.values()]);
    const reviewDueOn = addDays(localDay(), REVIEW_AFTER_DAYS);
    const now = new Date();
    let added = 0;
    for (const p of items) {
      const categoryId = ids.get(p.category)!;
      if (present.has(`${categoryId}\u241f${p.title}`)) continue;
      const item = await kbRepo.insertItem(tx, {
        id: uuidv7(),
        kind: p.kind,
        title: p.title,
        body: p.body,
        variants: p.variants,
        categoryId,
        tags: p.tags,
        scenario: p.scenario,
        audience: 'internal',
        status: input.publish ? 'published' : 'draft',
        ownerId: actor.id,
        authorId: actor.id,
        reviewDueOn,
        version: 1,
        publishedVersion: input.publish ? 1 : null,
        publishedAt: input.publish ? now : null,
      });
      await kbRepo.insertVersion(tx, {
        id: uuidv7(),
        itemId: item.id,
        version: 1,
        kind: item.kind,
        title: item.title,
        body: item.body,
        variants: item.variants,
        tags: item.tags,
        categoryId,
        scenario: item.scenario,
        audience: item.audience,
        authorId: actor.id,
        note: null,
      });
      added++;
    }
    await writeAudit(tx, ctx, {
      action: 'kb.starter_pack.imported',
      targetType: 'kb_category',
      targetId: root,
      changes: diff(null, { version: STARTER_PACK_VERSION, added, publish: input.publish }),
    });
    await categoriesChanged(database, tx);
    // A full reload on every node (the same message a vocabulary change sends).
    if (added > 0) await kbSearchOf(database)?.announce(tx, { vocabulary: true });
    return { added, skipped: items.length - added, published: input.publish ? added : 0 };
  });
  if (result.added > 0) await kbSearchOf(database)?.reloadAll();
  return { version: STARTER_PACK_VERSION, ...result };
}
