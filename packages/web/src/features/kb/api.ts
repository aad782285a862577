/** Types and endpoints of the knowledge base (知识库) — see docs/kb.md. */
import { api } from '../../api/client';

export const KB_KINDS = ['article', 'faq', 'script', 'procedure', 'case'] as const;
export type KbKind = (typeof KB_KINDS)[number];
export const KB_STATUSES = ['draft', 'in_review', 'published', 'needs_update', 'retired'] as const;
export type KbStatus = (typeof KB_STATUSES)[number];
export type KbAudience = 'internal' | 'customer';

export const KB_PERM = { view: 'kb.view', write: 'kb.write', review: 'kb.review', manage: 'kb.manage' } as const;

export interface KbAllowed { edit: boolean; submit: boolean; review: boolean; retire: boolean; flag: boolean }

export interface KbSummary {
  id: string; kind: KbKind; title: string; categoryId: string; categoryName: string | null; categoryPath: string[]; tags: string[]; scenario: string | null;
  audience: KbAudience; status: KbStatus; statusReason: string | null; ownerId: string | null; ownerName: string | null; authorId: string | null; authorName: string | null;
  reviewDueOn: string | null; version: number; publishedVersion: number | null; helpfulCount: number; notHelpfulCount: number; usedCount: number;
  publishedAt: string | null; createdAt: string; updatedAt: string; excerpt: string;
}
export interface KbItem extends Omit<KbSummary, 'excerpt'> {
  body: string; variants: string[]; allowed: KbAllowed;
  reviews?: { id: string; version: number; reviewerId: string; reviewerName: string | null; decision: 'approve' | 'return'; comment: string | null; createdAt: string }[];
}
export interface KbHit { id: string; title: string; snippet: string; score: number; kind: KbKind; categoryId: string; categoryName: string | null; audience: KbAudience; status: KbStatus }
export interface KbCategory { id: string; parentId: string | null; name: string; position: number; experts: { id: string; name: string; employeeNo: string }[]; itemCount: number; publishedCount: number }
export interface KbVersion { version: number; title: string; authorId: string | null; authorName: string | null; note: string | null; createdAt: string; published: boolean; current: boolean }
export interface KbDiff { version: number; against: number | null; title: string; body: string; lines: { op: 'same' | 'add' | 'del'; text: string }[] }
export interface KbVocab { id: string; kind: 'word' | 'synonyms' | 'rule'; term: string; expansions: string[]; createdAt: string }
export interface KbSuggestion extends KbHit { used: boolean; notHelpful: boolean }
export interface KbSuggestions { query: string; ticketCategory: string | null; items: KbSuggestion[]; scripts: (KbSuggestion & { body: string })[] }
export interface KbContribution { staffId: string; name: string; employeeNo: string; created: number; revised: number; count: number }

export interface KbItemInput {
  kind?: KbKind; title?: string; body?: string; category?: string; tags?: string[]; variants?: string[]; scenario?: string | null; audience?: KbAudience; reviewDueOn?: string | null; note?: string;
}

export const kbApi = {
  list: (q: { status?: KbStatus; kind?: KbKind; categoryId?: string; mine?: 'true'; q?: string; limit?: number; cursor?: string }) => api.get<{ items: KbSummary[]; nextCursor: string | null }>('/kb/articles', q),
  get: (id: string) => api.get<KbItem>(`/kb/articles/${id}`),
  create: (body: KbItemInput & { title: string; category: string }) => api.post<KbItem>('/kb/articles', body),
  update: (id: string, body: KbItemInput) => api.patch<KbItem>(`/kb/articles/${id}`, body),
  submit: (id: string) => api.post<KbItem>(`/kb/articles/${id}/submit`),
  review: (id: string, body: { decision: 'approve' | 'return'; comment?: string }) => api.post<KbItem>(`/kb/articles/${id}/review`, body),
  flag: (id: string, reason: string) => api.post<KbItem>(`/kb/articles/${id}/flag`, { reason }),
  retire: (id: string, reason?: string) => api.post<KbItem>(`/kb/articles/${id}/retire`, reason ? { reason } : {}),
  versions: (id: string) => api.get<{ items: KbVersion[] }>(`/kb/articles/${id}/versions`),
  diff: (id: string, version: number) => api.get<KbDiff>(`/kb/articles/${id}/versions/${version}/diff`),
  restore: (id: string, version: number) => api.post<KbItem>(`/kb/articles/${id}/versions/${version}/restore`),
  reviews: () => api.get<{ items: KbSummary[] }>('/kb/reviews'),
  search: (q: string, opts: { kind?: KbKind; categoryId?: string; limit?: number } = {}) => api.get<{ hits: KbHit[] }>('/kb/search', { q, limit: opts.limit ?? 20, kind: opts.kind, categoryId: opts.categoryId }),
  categories: () => api.get<{ items: KbCategory[] }>('/kb/categories'),
  createCategory: (body: { name: string; parentId?: string | null }) => api.post<KbCategory>('/kb/categories', body),
  updateCategory: (id: string, body: { name?: string; parentId?: string | null; position?: number }) => api.patch<KbCategory>(`/kb/categories/${id}`, body),
  setExperts: (id: string, staffIds: string[]) => api.put<KbCategory>(`/kb/categories/${id}/experts`, { staffIds }),
  vocabulary: () => api.get<{ items: KbVocab[] }>('/kb/vocabulary'),
  addVocabulary: (body: { kind: KbVocab['kind']; term?: string; expansions: string[] }) => api.post<KbVocab>('/kb/vocabulary', body),
  removeVocabulary: (id: string) => api.delete<void>(`/kb/vocabulary/${id}`),
  contributions: () => api.get<{ items: KbContribution[] }>('/kb/contributions'),
  applicationRate: () => api.get<{ from: string; to: string; resolved: number; resolvedWithKnowledge: number; rate: number | null }>('/kb/application-rate'),
  suggestions: (ticketId: string) => api.get<KbSuggestions>(`/tickets/${ticketId}/kb-suggestions`),
  render: (ticketId: string, itemId: string) => api.post<{ itemId: string; text: string; filled: Record<string, string>; missing: string[] }>(`/tickets/${ticketId}/kb-render`, { itemId }),
  usage: (ticketId: string, itemId: string, kind: 'used' | 'not_helpful') => api.post<unknown>(`/tickets/${ticketId}/kb-usage`, { itemId, kind }),
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
