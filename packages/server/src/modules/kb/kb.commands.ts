/**
 * The knowledge base's commands, split along their seams (this file gathers them for the routes and older imports):
 * items, review and versions (kb.items.commands.ts); categories, experts and vocabulary (kb.categories.commands.ts);
 * search, the ticket side and the measures (kb.search.commands.ts); the help centre (kb.public.commands.ts).
 * Queries: kb.repo.ts; per-record rules: kb.policy.ts; row → API shape: kb.present.ts.
 */
export * from './kb.categories.commands';
export * from './kb.items.commands';
export * from './kb.public.commands';
export * from './kb.search.commands';
export { addDays, categoryMap, localDay, REVIEW_CYCLE_DAYS } from './kb.shared';
export { subtreeOf } from './kb.tree';
