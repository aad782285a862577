import { z } from 'zod';

export const KB_KINDS = ['article', 'faq', 'script', 'procedure', 'case'] as const;
export const KB_STATUSES = ['draft', 'in_review', 'published', 'needs_update', 'retired'] as const;
export const KB_AUDIENCES = ['internal', 'customer'] as const;
export type KbKind = (typeof KB_KINDS)[number];
export type KbStatus = (typeof KB_STATUSES)[number];

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
const Tag = z.string().trim().min(1).max(40);
const Variant = z.string().trim().min(1).max(200);

export const ItemCreate = z.object({
  kind: z.enum(KB_KINDS).default('article'),
  title: z.string().trim().min(1).max(200),
  /** Rich text (HTML, sanitised on the server); scripts: plain text with {占位符}. */
  body: z.string().max(200_000).default(''),
  /** Category id or name (an unknown name creates a top-level category). */
  category: z.string().trim().min(1).max(100),
  tags: z.array(Tag).max(30).optional(),
  variants: z.array(Variant).max(30).optional(),
  scenario: z.string().trim().min(1).max(60).nullish(),
  audience: z.enum(KB_AUDIENCES).default('internal'),
  ownerId: z.uuid().nullish(),
  reviewDueOn: Day.nullish(),
});
export type ItemCreateInput = z.infer<typeof ItemCreate>;

export const ItemPatch = z.object({
  kind: z.enum(KB_KINDS).optional(),
  title: z.string().trim().min(1).max(200).optional(),
  body: z.string().max(200_000).optional(),
  category: z.string().trim().min(1).max(100).optional(),
  tags: z.array(Tag).max(30).optional(),
  variants: z.array(Variant).max(30).optional(),
  scenario: z.string().trim().min(1).max(60).nullish(),
  audience: z.enum(KB_AUDIENCES).optional(),
  ownerId: z.uuid().nullish(),
  reviewDueOn: Day.nullish(),
  /** Change note shown in the versions list. */
  note: z.string().trim().max(500).optional(),
});
export type ItemPatchInput = z.infer<typeof ItemPatch>;

export const Allowed = z
  .object({ edit: z.boolean(), submit: z.boolean(), review: z.boolean(), retire: z.boolean(), flag: z.boolean() })
  .meta({ id: 'KbItemAllowed' });

export const Item = z
  .object({
    id: z.string(),
    kind: z.enum(KB_KINDS),
    title: z.string(),
    body: z.string(),
    variants: z.array(z.string()),
    categoryId: z.string(),
    categoryName: z.string().nullable(),
    categoryPath: z.array(z.string()),
    tags: z.array(z.string()),
    scenario: z.string().nullable(),
    audience: z.enum(KB_AUDIENCES),
    status: z.enum(KB_STATUSES),
    statusReason: z.string().nullable(),
    ownerId: z.string().nullable(),
    ownerName: z.string().nullable(),
    authorId: z.string().nullable(),
    authorName: z.string().nullable(),
    reviewDueOn: z.string().nullable(),
    version: z.number(),
    publishedVersion: z.number().nullable(),
    helpfulCount: z.number(),
    notHelpfulCount: z.number(),
    usedCount: z.number(),
    publishedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    allowed: Allowed,
  })
  .meta({ id: 'KbItem' });

export const ItemSummary = Item.omit({ body: true, variants: true, allowed: true }).extend({ excerpt: z.string() }).meta({ id: 'KbItemSummary' });

export const ListQuery = z.object({
  status: z.enum(KB_STATUSES).optional(),
  kind: z.enum(KB_KINDS).optional(),
  categoryId: z.uuid().optional(),
  audience: z.enum(KB_AUDIENCES).optional(),
  mine: z.enum(['true', 'false']).optional(),
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.uuid().optional(),
});

export const Review = z.object({ decision: z.enum(['approve', 'return']), comment: z.string().trim().max(2000).optional() });
export const Flag = z.object({ reason: z.string().trim().min(1).max(500) });
export const VersionParam = z.object({ id: z.uuid(), version: z.coerce.number().int().min(1) });
export const DiffQuery = z.object({ against: z.coerce.number().int().min(1).optional() });

export const Hit = z
  .object({
    id: z.string(),
    title: z.string(),
    snippet: z.string(),
    score: z.number(),
    kind: z.enum(KB_KINDS),
    categoryId: z.string(),
    categoryName: z.string().nullable(),
    audience: z.enum(KB_AUDIENCES),
    status: z.enum(KB_STATUSES),
  })
  .meta({ id: 'KbSearchHit' });
export const SearchQuery = z.object({
  q: z.string().trim().min(1).max(2000),
  limit: z.coerce.number().int().min(1).max(50).default(10),
  kind: z.enum(KB_KINDS).optional(),
  categoryId: z.uuid().optional(),
});
export const SearchResult = z.object({ hits: z.array(Hit) });

export const CategoryCreate = z.object({
  name: z.string().trim().min(1).max(60),
  parentId: z.uuid().nullish(),
  position: z.number().int().min(0).max(10_000).optional(),
});
export const CategoryPatch = CategoryCreate.partial();
export const Experts = z.object({ staffIds: z.array(z.uuid()).max(50) });
export const Category = z
  .object({
    id: z.string(),
    parentId: z.string().nullable(),
    name: z.string(),
    position: z.number(),
    experts: z.array(z.object({ id: z.string(), name: z.string(), employeeNo: z.string() })),
    itemCount: z.number(),
    publishedCount: z.number(),
  })
  .meta({ id: 'KbCategory' });

export const VocabCreate = z.object({
  kind: z.enum(['word', 'synonyms', 'rule']),
  /** word: the word; synonyms: ignored (members go in expansions); rule: the colloquial phrase. */
  term: z.string().trim().max(40).optional(),
  expansions: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
});
export const Vocab = z
  .object({ id: z.string(), kind: z.enum(['word', 'synonyms', 'rule']), term: z.string(), expansions: z.array(z.string()), createdAt: z.string() })
  .meta({ id: 'KbVocabularyEntry' });

export const UsageCreate = z.object({ itemId: z.uuid(), kind: z.enum(['used', 'not_helpful']) });
export const RenderBody = z.object({ itemId: z.uuid() });
export const RateQuery = z.object({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional() });

export const PublicSearchQuery = z.object({
  q: z.string().trim().min(1).max(200),
  limit: z.coerce.number().int().min(1).max(20).default(10),
  categoryId: z.uuid().optional(),
});
export const PublicListQuery = z.object({ categoryId: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(50).default(20) });
export const Feedback = z.object({ helpful: z.boolean(), query: z.string().trim().max(200).optional() });
