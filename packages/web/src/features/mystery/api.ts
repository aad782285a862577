/** Mystery shopper & open inspection (神秘顾客 / 明查暗访) — typed by the generated OpenAPI document. */
import { useQuery } from '@tanstack/react-query';
import { http, type ItemOf, type RequestBodyOf, type ResponseOf } from '../../api/client';

export type MysteryScript = ItemOf<ResponseOf<'get', '/qa/mystery/scripts'>['items']>;
export type MysteryVisit = ResponseOf<'get', '/qa/mystery/visits/{id}'>;
export type MysteryMonth = ResponseOf<'get', '/qa/mystery/month'>;
export type ScriptBody = RequestBodyOf<'post', '/qa/mystery/scripts'>;
export type PlanBody = RequestBodyOf<'post', '/qa/mystery/plans'>;
export type VisitSubmitBody = RequestBodyOf<'post', '/qa/mystery/visits/{id}/submit'>;
export const CHANNELS = ['phone', 'walk_in', 'chat', 'field'] as const;
export const KINDS = ['mystery', 'open', 'remote'] as const;

export const MYSTERY_KEYS = {
  scripts: ['mystery-scripts'] as const,
  month: (m: string) => ['mystery-month', m] as const,
  visits: (q: Record<string, string | undefined>) => ['mystery-visits', q] as const,
  visit: (id: string) => ['mystery-visit', id] as const,
};

export const useScripts = () => useQuery({ queryKey: MYSTERY_KEYS.scripts, queryFn: () => http.get('/qa/mystery/scripts') });
export const useMonth = (month: string, enabled = true) =>
  useQuery({ queryKey: MYSTERY_KEYS.month(month), queryFn: () => http.get('/qa/mystery/month', { query: { month } }), enabled });
export const useVisits = (q: { month?: string; siteId?: string; state?: 'planned' | 'submitted'; mine?: 'true' }) =>
  useQuery({ queryKey: MYSTERY_KEYS.visits(q), queryFn: () => http.get('/qa/mystery/visits', { query: q }) });
export const useVisit = (id: string | undefined) =>
  useQuery({ queryKey: MYSTERY_KEYS.visit(id ?? ''), queryFn: () => http.get('/qa/mystery/visits/{id}', { path: { id: id! } }), enabled: Boolean(id) });

/** Upload one evidence file (photo, screenshot, recording) of a visit: POST /qa/mystery/uploads. */
export function uploadEvidence(file: File) {
  const form = new FormData();
  form.append('file', file, file.name);
  return http.post('/qa/mystery/uploads', { body: form });
}
export const evidenceUrl = (visitId: string, attachmentId: string) =>
  `/api/v1/qa/mystery/visits/${encodeURIComponent(visitId)}/evidence/${encodeURIComponent(attachmentId)}`;

/** The current month in the browser's calendar, YYYY-MM. */
export const thisMonth = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
};
