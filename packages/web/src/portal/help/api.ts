/** Help centre (帮助中心) endpoints: public, no sign-in, rate-limited per address on the server. */
import { api } from '../../api/client';

export interface HelpCategory {
  id: string;
  parentId: string | null;
  name: string;
  count: number;
}
export interface HelpListItem {
  id: string;
  kind: string;
  title: string;
  categoryId: string;
  categoryName: string | null;
  excerpt: string;
}
export interface HelpHit {
  id: string;
  title: string;
  snippet: string;
  score: number;
  kind: string;
  categoryId: string;
  categoryName: string | null;
}
export interface HelpArticle {
  id: string;
  kind: string;
  title: string;
  body: string;
  variants: string[];
  categoryId: string;
  categoryName: string | null;
  categoryPath: string[];
  tags: string[];
  updatedAt: string;
  helpfulCount: number;
}

export const helpApi = {
  categories: () => api.get<{ items: HelpCategory[] }>('/public/kb/categories'),
  list: (categoryId?: string) => api.get<{ items: HelpListItem[] }>('/public/kb/articles', { categoryId, limit: 30 }),
  search: (q: string, categoryId?: string) => api.get<{ hits: HelpHit[] }>('/public/kb/search', { q, categoryId, limit: 10 }),
  article: (id: string) => api.get<HelpArticle>(`/public/kb/articles/${id}`),
  feedback: (id: string, helpful: boolean, query?: string) =>
    api.post<{ recorded: boolean }>(`/public/kb/articles/${id}/feedback`, { helpful, ...(query ? { query } : {}) }),
};

/** "Still need help": a new request carrying what the customer searched for. */
export function needHelpLink(text: string): string {
  const q = text.trim().slice(0, 500);
  return q ? `/new?type=inquiry&text=${encodeURIComponent(q)}` : '/new?type=inquiry';
}
