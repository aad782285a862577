/** Routes of the knowledge starter pack (入门知识包): preview and import. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { importStarterPack, starterPackPreview } from './kb.starter.commands';

export const StarterImport = z.object({ publish: z.boolean().default(false).describe('publish at once (default: import as drafts to review)') }).strict();
export const StarterPreview = z
  .object({
    version: z.number(),
    root: z.string(),
    scripts: z.number(),
    solutions: z.number(),
    total: z.number(),
    toAdd: z.number().describe('items an import would add now (items with the same title in the same category are skipped)'),
    categories: z.array(z.object({ name: z.string(), kind: z.enum(['script', 'faq']), items: z.number(), existing: z.number(), titles: z.array(z.string()) })),
  })
  .meta({ id: 'KbStarterPackPreview' });
export const StarterResult = z
  .object({ version: z.number(), added: z.number(), skipped: z.number(), published: z.number() })
  .meta({ id: 'KbStarterPackImportResult' });

export function registerKbStarterRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['knowledge'];
  const db = deps.database;
  app.get(
    '/kb/starter-pack',
    {
      config: { permission: 'kb.manage' },
      schema: {
        tags,
        summary: 'The zh-CN starter pack (20 scripts, common solutions per problem type) and what an import would add',
        response: { 200: StarterPreview },
      },
    },
    async (req) => starterPackPreview(db, ctxOf(req)),
  );
  app.post(
    '/kb/starter-pack/import',
    {
      config: { permission: 'kb.manage' },
      schema: {
        tags,
        summary: 'Import the starter pack (templates tagged 模板; drafts unless publish); importing twice adds nothing twice',
        body: StarterImport,
        response: { 200: StarterResult },
      },
    },
    async (req) => importStarterPack(db, ctxOf(req), req.body),
  );
}
