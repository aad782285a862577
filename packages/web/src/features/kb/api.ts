/** Types and endpoints of the knowledge base (知识库) — see docs/kb.md. */
import { http, type ItemOf, type ResponseOf } from '../../api/client';

export const KB_KINDS = ['article', 'faq', 'script', 'procedure', 'case'] as const;
export type KbKind = (typeof KB_KINDS)[number];
export const KB_STATUSES = ['draft', 'in_review', 'published', 'needs_update', 'retired'] as const;
export type KbStatus = (typeof KB_STATUSES)[number];
export type KbAudience = 'internal' | 'customer';

export const KB_PERM = { view: 'kb.view', write: 'kb.write', review: 'kb.review', manage: 'kb.manage' } as const;

// The knowledge base's API shapes, from the generated OpenAPI types (named by the operation that returns them).
export type KbItem = ResponseOf<'get', '/kb/articles/{id}'>;
export type KbAllowed = KbItem['allowed'];
export type KbSummary = ItemOf<ResponseOf<'get', '/kb/articles'>['items']>;
export type KbHit = ItemOf<ResponseOf<'get', '/kb/search'>['hits']>;
export type KbCategory = ItemOf<ResponseOf<'get', '/kb/categories'>['items']>;
export type KbVersion = ItemOf<ResponseOf<'get', '/kb/articles/{id}/versions'>['items']>;
export type KbDiff = ResponseOf<'get', '/kb/articles/{id}/versions/{version}/diff'>;
export type KbVocab = ItemOf<ResponseOf<'get', '/kb/vocabulary'>['items']>;
export type KbSuggestions = ResponseOf<'get', '/tickets/{id}/kb-suggestions'>;
export type KbSuggestion = ItemOf<KbSuggestions['items']>;
export type KbContribution = ItemOf<ResponseOf<'get', '/kb/contributions'>['items']>;

export interface KbItemInput {
  kind?: KbKind;
  title?: string;
  body?: string;
  category?: string;
  tags?: string[];
  variants?: string[];
  scenario?: string | null;
  audience?: KbAudience;
  reviewDueOn?: string | null;
  note?: string;
}

export const kbApi = {
  list: (q: { status?: KbStatus; kind?: KbKind; categoryId?: string; mine?: 'true'; q?: string; limit?: number; cursor?: string }) =>
    http.get('/kb/articles', { query: q }),
  get: (id: string) => http.get('/kb/articles/{id}', { path: { id } }),
  create: (body: KbItemInput & { title: string; category: string }) => http.post('/kb/articles', { body }),
  update: (id: string, body: KbItemInput) => http.patch('/kb/articles/{id}', { path: { id }, body }),
  submit: (id: string) => http.post('/kb/articles/{id}/submit', { path: { id } }),
  review: (id: string, body: { decision: 'approve' | 'return'; comment?: string }) => http.post('/kb/articles/{id}/review', { path: { id }, body }),
  flag: (id: string, reason: string) => http.post('/kb/articles/{id}/flag', { path: { id }, body: { reason } }),
  retire: (id: string, reason?: string) => http.post('/kb/articles/{id}/retire', { path: { id }, body: reason ? { reason } : {} }),
  versions: (id: string) => http.get('/kb/articles/{id}/versions', { path: { id } }),
  diff: (id: string, version: number) => http.get('/kb/articles/{id}/versions/{version}/diff', { path: { id, version } }),
  restore: (id: string, version: number) => http.post('/kb/articles/{id}/versions/{version}/restore', { path: { id, version } }),
  reviews: () => http.get('/kb/reviews'),
  search: (q: string, opts: { kind?: KbKind; categoryId?: string; limit?: number } = {}) =>
    http.get('/kb/search', { query: { q, limit: opts.limit ?? 20, kind: opts.kind, categoryId: opts.categoryId } }),
  categories: () => http.get('/kb/categories'),
  createCategory: (body: { name: string; parentId?: string | null }) => http.post('/kb/categories', { body }),
  updateCategory: (id: string, body: { name?: string; parentId?: string | null; position?: number }) =>
    http.patch('/kb/categories/{id}', { path: { id }, body }),
  setExperts: (id: string, staffIds: string[]) => http.put('/kb/categories/{id}/experts', { path: { id }, body: { staffIds } }),
  vocabulary: () => http.get('/kb/vocabulary'),
  addVocabulary: (body: { kind: KbVocab['kind']; term?: string; expansions: string[] }) => http.post('/kb/vocabulary', { body }),
  removeVocabulary: (id: string) => http.delete('/kb/vocabulary/{id}', { path: { id } }),
  contributions: () => http.get('/kb/contributions'),
  applicationRate: () => http.get('/kb/application-rate'),
  suggestions: (ticketId: string) => http.get('/tickets/{id}/kb-suggestions', { path: { id: ticketId } }),
  render: (ticketId: string, itemId: string) => http.post('/tickets/{id}/kb-render', { path: { id: ticketId }, body: { itemId } }),
  usage: (ticketId: string, itemId: string, kind: 'used' | 'not_helpful') =>
    http.post('/tickets/{id}/kb-usage', { path: { id: ticketId }, body: { itemId, kind } }),
};

export const kbKeys = {
  all: ['kb'] as const,
  list: (q: object) => ['kb', 'list', q] as const,
  item: (id: string) => ['kb', 'item', id] as const,
  versions: (id: string) => ['kb', 'versions', id] as const,
  categories: ['kb', 'categories'] as const,
  vocabulary: ['kb', 'vocabulary'] as const,
  reviews: ['kb', 'reviews'] as const,
  suggestions: (ticketId: string) => ['kb', 'suggestions', ticketId] as const,
};

/** Insert text into a ticket's reply box (the suggestions panel → Conversation's reply box). */
const INSERT_EVENT = 'chidu:kb-insert';
export function insertIntoReply(ticketId: string, text: string): void {
  window.dispatchEvent(new CustomEvent(INSERT_EVENT, { detail: { ticketId, text } }));
}
export function onInsertIntoReply(ticketId: string, fn: (text: string) => void): () => void {
  const h = (e: Event) => {
    const d = (e as CustomEvent<{ ticketId: string; text: string }>).detail;
    if (d?.ticketId === ticketId) fn(d.text);
  };
  window.addEventListener(INSERT_EVENT, h);
  return () => window.removeEventListener(INSERT_EVENT, h);
}
