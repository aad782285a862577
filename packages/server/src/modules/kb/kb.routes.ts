import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { systemCtx, type Ctx } from '../../lib/context';
import { IdParam, page } from '../identity/identity.schema';
import * as cmd from './kb.commands';
import * as s from './kb.schema';
import { RateLimiter } from './rate-limit';
import { KbSearch, kbSearchOf, setKbSearch } from './search-service';

const ItemWithReviews = s.Item.extend({
  reviews: z.array(
    z.object({
      id: z.string(),
      version: z.number(),
      reviewerId: z.string(),
      reviewerName: z.string().nullable(),
      decision: z.enum(['approve', 'return']),
      comment: z.string().nullable(),
      createdAt: z.string(),
    }),
  ),
}).meta({ id: 'KbItemDetail' });
const SuggestionHit = s.Hit.extend({ used: z.boolean(), notHelpful: z.boolean() });
const Suggestions = z
  .object({
    query: z.string(),
    ticketCategory: z.string().nullable(),
    items: z.array(SuggestionHit),
    scripts: z.array(SuggestionHit.extend({ body: z.string() })),
  })
  .meta({ id: 'KbSuggestions' });
const Rendered = z.object({ itemId: z.string(), text: z.string(), filled: z.record(z.string(), z.string()), missing: z.array(z.string()) });
const Usage = z.object({ ticketId: z.string(), itemId: z.string(), kind: z.enum(['used', 'not_helpful']), staffId: z.string().nullable(), at: z.string() });
const PublicHit = s.Hit.omit({ audience: true, status: true });

export function registerKbRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['knowledge'];
  const db = deps.database;

  // One search index per server process, loaded at start and kept in sync (see search-service.ts).
  const searchIndex = kbSearchOf(db) ?? new KbSearch(db);
  setKbSearch(db, searchIndex);
  app.addHook('onReady', async () => {
    await searchIndex.start();
  });
  app.addHook('onClose', async () => {
    await searchIndex.stop();
  });

  // ───── content ─────
  app.post(
    '/kb/articles',
    {
      config: { permission: 'kb.write' },
      schema: {
        tags,
        summary: 'Create a knowledge item (article, FAQ, 话术 script, emergency procedure, case) as a draft; body HTML is sanitised',
        body: s.ItemCreate,
        response: { 201: s.Item },
      },
    },
    async (req, reply) => reply.status(201).send(await cmd.createItem(db, ctxOf(req), req.body)),
  );

  app.get(
    '/kb/articles',
    {
      config: { permission: 'kb.view' },
      schema: {
        tags,
        summary: 'List knowledge items the caller may see (drafts only to their editors)',
        querystring: s.ListQuery,
        response: { 200: page(s.ItemSummary) },
      },
    },
    async (req) => cmd.listItems(db, ctxOf(req), req.query),
  );

  app.get(
    '/kb/articles/:id',
    {
      config: { permission: 'kb.view' },
      schema: { tags, summary: 'A knowledge item with its review history (drafts only to their editors)', params: IdParam, response: { 200: ItemWithReviews } },
    },
    async (req) => cmd.getItem(db, ctxOf(req), req.params.id),
  );

  app.patch(
    '/kb/articles/:id',
    {
      config: { permission: 'kb.write' },
      schema: {
        tags,
        summary: 'Edit (a new version). A published item edited by a non-expert goes back to draft',
        params: IdParam,
        body: s.ItemPatch,
        response: { 200: s.Item },
      },
    },
    async (req) => cmd.updateItem(db, ctxOf(req), req.params.id, req.body),
  );

  app.post(
    '/kb/articles/:id/submit',
    { config: { permission: 'kb.write' }, schema: { tags, summary: 'draft → in_review', params: IdParam, response: { 200: s.Item } } },
    async (req) => cmd.submitItem(db, ctxOf(req), req.params.id),
  );

  app.post(
    '/kb/articles/:id/review',
    {
      config: { permission: 'kb.view' },
      schema: {
        tags,
        summary: 'Approve (→ published) or return with comments (→ draft); experts of the category or an admin',
        params: IdParam,
        body: s.Review,
        response: { 200: s.Item },
      },
    },
    async (req) => cmd.reviewItem(db, ctxOf(req), req.params.id, req.body),
  );

  app.post(
    '/kb/articles/:id/flag',
    {
      config: { permission: 'kb.view' },
      schema: { tags, summary: 'Flag a published item as out of date (→ needs_update)', params: IdParam, body: s.Flag, response: { 200: s.Item } },
    },
    async (req) => cmd.flagItem(db, ctxOf(req), req.params.id, req.body.reason),
  );

  app.post(
    '/kb/articles/:id/retire',
    {
      config: { permission: 'kb.write' },
      schema: {
        tags,
        summary: 'Retire (disappears from search and the help centre)',
        params: IdParam,
        body: z.object({ reason: z.string().trim().max(500).optional() }).optional(),
        response: { 200: s.Item },
      },
    },
    async (req) => cmd.retireItem(db, ctxOf(req), req.params.id, req.body?.reason),
  );

  app.get(
    '/kb/articles/:id/versions',
    {
      config: { permission: 'kb.view' },
      schema: {
        tags,
        summary: 'The versions of an item, newest first (which one is published, which is current)',
        params: IdParam,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                version: z.number(),
                title: z.string(),
                authorId: z.string().nullable(),
                authorName: z.string().nullable(),
                note: z.string().nullable(),
                createdAt: z.string(),
                published: z.boolean(),
                current: z.boolean(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => cmd.listVersions(db, ctxOf(req), req.params.id),
  );

  app.get(
    '/kb/articles/:id/versions/:version/diff',
    {
      config: { permission: 'kb.view' },
      schema: {
        tags,
        summary: 'Line diff of a version against the previous one (or ?against=N)',
        params: s.VersionParam,
        querystring: s.DiffQuery,
        response: {
          200: z.object({
            version: z.number(),
            against: z.number().nullable(),
            title: z.string(),
            body: z.string(),
            lines: z.array(z.object({ op: z.enum(['same', 'add', 'del']), text: z.string() })),
          }),
        },
      },
    },
    async (req) => cmd.versionDiff(db, ctxOf(req), req.params.id, req.params.version, req.query.against),
  );

  app.post(
    '/kb/articles/:id/versions/:version/restore',
    {
      config: { permission: 'kb.write' },
      schema: { tags, summary: 'Restore an old version (saved as a new version, same rules as an edit)', params: s.VersionParam, response: { 200: s.Item } },
    },
    async (req) => cmd.restoreVersion(db, ctxOf(req), req.params.id, req.params.version),
  );

  app.get(
    '/kb/reviews',
    {
      config: { permission: 'kb.review' },
      schema: { tags, summary: 'Review queue: items in review in my categories', response: { 200: z.object({ items: z.array(s.ItemSummary) }) } },
    },
    async (req) => cmd.reviewQueue(db, ctxOf(req)),
  );

  // ───── search ─────
  app.get(
    '/kb/search',
    {
      config: { audience: 'any' },
      schema: {
        tags,
        summary: 'Search published knowledge (staff: all audiences; portal customers: customer-facing only). Snippets are HTML with <mark>',
        querystring: s.SearchQuery,
        response: { 200: s.SearchResult },
      },
    },
    async (req) => cmd.searchItems(db, ctxOf(req), req.query),
  );

  // ───── categories, experts, vocabulary ─────
  app.get(
    '/kb/categories',
    {
      config: { permission: 'kb.view' },
      schema: { tags, summary: 'Knowledge categories with their experts and item counts', response: { 200: z.object({ items: z.array(s.Category) }) } },
    },
    async (req) => cmd.listCategories(db, ctxOf(req)),
  );
  app.post(
    '/kb/categories',
    {
      config: { permission: 'kb.manage' },
      schema: {
        tags,
        summary: 'Create a category (409 kb_category_exists: the name is used at that level)',
        body: s.CategoryCreate,
        response: { 201: s.Category },
      },
    },
    async (req, reply) => reply.status(201).send(await cmd.createCategory(db, ctxOf(req), req.body)),
  );
  app.patch(
    '/kb/categories/:id',
    {
      config: { permission: 'kb.manage' },
      schema: { tags, summary: 'Rename, move or reorder a category', params: IdParam, body: s.CategoryPatch, response: { 200: s.Category } },
    },
    async (req) => cmd.updateCategory(db, ctxOf(req), req.params.id, req.body),
  );
  app.put(
    '/kb/categories/:id/experts',
    {
      config: { permission: 'kb.manage' },
      schema: {
        tags,
        summary: 'Set the experts who review this category (and its sub-categories)',
        params: IdParam,
        body: s.Experts,
        response: { 200: s.Category },
      },
    },
    async (req) => cmd.setExperts(db, ctxOf(req), req.params.id, req.body.staffIds),
  );

  app.get(
    '/kb/vocabulary',
    {
      config: { permission: 'kb.view' },
      schema: {
        tags,
        summary: 'Domain dictionary words, synonym groups and rewrite rules added by admins',
        response: { 200: z.object({ items: z.array(s.Vocab) }) },
      },
    },
    async (req) => cmd.listVocabulary(db, ctxOf(req)),
  );
  app.post(
    '/kb/vocabulary',
    {
      config: { permission: 'kb.manage' },
      schema: {
        tags,
        summary: 'Add a dictionary word, synonym group or rewrite rule (search applies it at once)',
        body: s.VocabCreate,
        response: { 201: s.Vocab },
      },
    },
    async (req, reply) => reply.status(201).send(await cmd.addVocabulary(db, ctxOf(req), req.body)),
  );
  app.delete(
    '/kb/vocabulary/:id',
    {
      config: { permission: 'kb.manage' },
      schema: { tags, summary: 'Remove a vocabulary entry (search forgets it at once)', params: IdParam, response: { 204: z.null() } },
    },
    async (req, reply) => {
      await cmd.removeVocabulary(db, ctxOf(req), req.params.id);
      return reply.status(204).send(null);
    },
  );

  // ───── measures ─────
  app.get(
    '/kb/application-rate',
    {
      config: { permission: 'kb.view' },
      schema: {
        tags,
        summary: 'Knowledge application rate: tickets resolved in [from, to) with knowledge used / all resolved (default: last 30 days)',
        querystring: s.RateQuery,
        response: { 200: z.object({ from: z.string(), to: z.string(), resolved: z.number(), resolvedWithKnowledge: z.number(), rate: z.number().nullable() }) },
      },
    },
    async (req) => cmd.applicationRate(db, ctxOf(req), req.query),
  );
  app.get(
    '/kb/contributions',
    {
      config: { permission: 'kb.view' },
      schema: {
        tags,
        summary: 'Published contributions per staff member (created / revised)',
        querystring: s.RateQuery,
        response: {
          200: z.object({
            items: z.array(
              z.object({ staffId: z.string(), name: z.string(), employeeNo: z.string(), created: z.number(), revised: z.number(), count: z.number() }),
            ),
          }),
        },
      },
    },
    async (req) => cmd.contributions(db, ctxOf(req), req.query),
  );
  app.get(
    '/kb/contributions/:id',
    {
      config: { permission: 'kb.view' },
      schema: {
        tags,
        summary: "One staff member's published contributions, newest first",
        params: IdParam,
        response: {
          200: z.object({
            count: z.number(),
            items: z.array(
              z.object({
                itemId: z.string(),
                title: z.string(),
                status: z.string(),
                version: z.number(),
                kind: z.enum(['created', 'revised']),
                at: z.string(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => cmd.staffContributions(db, ctxOf(req), req.params.id),
  );

  // ───── in the ticket ─────
  app.get(
    '/tickets/:id/kb-suggestions',
    {
      config: { permission: 'kb.view' },
      schema: {
        tags,
        summary: 'Knowledge and scripts for this ticket (subject + description + latest customer messages; category as a boost)',
        params: IdParam,
        response: { 200: Suggestions },
      },
    },
    async (req) => cmd.suggestions(db, ctxOf(req), req.params.id),
  );
  app.post(
    '/tickets/:id/kb-render',
    {
      config: { permission: 'kb.view' },
      schema: {
        tags,
        summary: 'A script with its placeholders ({客户称呼}, {预计时间}, {工单号}, {技师姓名}…) filled from the ticket',
        params: IdParam,
        body: s.RenderBody,
        response: { 200: Rendered },
      },
    },
    async (req) => cmd.renderForTicket(db, ctxOf(req), req.params.id, req.body.itemId),
  );
  app.post(
    '/tickets/:id/kb-usage',
    {
      config: { permission: 'kb.view' },
      schema: {
        tags,
        summary: 'Mark a knowledge item as used / not helpful for this ticket (once per kind)',
        params: IdParam,
        body: s.UsageCreate,
        response: { 200: Usage, 201: Usage },
      },
    },
    async (req, reply) => {
      const out = await cmd.recordUsage(db, ctxOf(req), req.params.id, req.body);
      return reply.status(out.created ? 201 : 200).send(out.usage);
    },
  );
  app.get(
    '/tickets/:id/kb-usage',
    {
      config: { permission: 'kb.view' },
      schema: {
        tags,
        summary: 'Knowledge marked as used / not helpful on this ticket',
        params: IdParam,
        response: { 200: z.object({ items: z.array(Usage.extend({ title: z.string(), itemKind: z.string() })) }) },
      },
    },
    async (req) => cmd.ticketUsage(db, ctxOf(req), req.params.id),
  );

  // ───── help centre (no sign-in; rate-limited per address) ─────
  const browseLimit = new RateLimiter(120, 60_000);
  const searchLimit = new RateLimiter(60, 60_000);
  const feedbackLimit = new RateLimiter(20, 60_000);
  const publicCtx = (req: FastifyRequest): Ctx => ({ ...systemCtx('help-centre'), requestId: req.id, ip: req.ip });
  const ptags = ['help-centre'];

  app.get(
    '/public/kb/categories',
    {
      config: { public: true },
      schema: {
        tags: ptags,
        security: [],
        summary: 'Help-centre categories that have customer-facing articles',
        response: { 200: z.object({ items: z.array(z.object({ id: z.string(), parentId: z.string().nullable(), name: z.string(), count: z.number() })) }) },
      },
    },
    async (req) => {
      browseLimit.check(req.ip);
      return cmd.publicCategories(db);
    },
  );
  app.get(
    '/public/kb/articles',
    {
      config: { public: true },
      schema: {
        tags: ptags,
        security: [],
        summary: 'Help-centre articles (customer-facing, most helpful first)',
        querystring: s.PublicListQuery,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.string(),
                kind: z.enum(s.KB_KINDS),
                title: z.string(),
                categoryId: z.string(),
                categoryName: z.string().nullable(),
                excerpt: z.string(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      browseLimit.check(req.ip);
      return cmd.publicList(db, req.query);
    },
  );
  app.get(
    '/public/kb/articles/:id',
    {
      config: { public: true },
      schema: {
        tags: ptags,
        security: [],
        summary: 'A help-centre article',
        params: IdParam,
        response: {
          200: z.object({
            id: z.string(),
            kind: z.enum(s.KB_KINDS),
            title: z.string(),
            body: z.string(),
            variants: z.array(z.string()),
            categoryId: z.string(),
            categoryName: z.string().nullable(),
            categoryPath: z.array(z.string()),
            tags: z.array(z.string()),
            updatedAt: z.string(),
            helpfulCount: z.number(),
          }),
        },
      },
    },
    async (req) => {
      browseLimit.check(req.ip);
      return cmd.publicItem(db, req.params.id);
    },
  );
  app.get(
    '/public/kb/search',
    {
      config: { public: true },
      schema: {
        tags: ptags,
        security: [],
        summary: 'Search customer-facing published articles',
        querystring: s.PublicSearchQuery,
        response: { 200: z.object({ hits: z.array(PublicHit) }) },
      },
    },
    async (req) => {
      searchLimit.check(req.ip);
      return cmd.publicSearch(db, req.query);
    },
  );
  app.post(
    '/public/kb/articles/:id/feedback',
    {
      config: { public: true },
      schema: {
        tags: ptags,
        security: [],
        summary: 'Was this helpful? ("no" flags the article for an update)',
        params: IdParam,
        body: s.Feedback,
        response: { 200: z.object({ recorded: z.boolean(), helpful: z.boolean() }) },
      },
    },
    async (req) => {
      feedbackLimit.check(req.ip);
      return cmd.publicFeedback(db, publicCtx(req), req.params.id, req.body);
    },
  );
}
