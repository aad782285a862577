/** Automatic inspection (全量质检): API calls and hooks. */
import { useQuery } from '@tanstack/react-query';
import { http } from '../../api/client';
import type { components } from '../../api/schema.gen';

export type QaRule = components['schemas']['QaRule'];
export type QaHit = components['schemas']['QaHit'];
export type QaTicketHit = components['schemas']['QaTicketHit'];
export interface CheckBody {
  text: string;
  channel?: string;
  ticketType?: string;
  audience?: 'customer' | 'internal';
  first?: boolean;
  last?: boolean;
}

export const qaKeys = {
  rules: ['qa', 'rules'] as const,
  ticketHits: (id: string) => ['qa', 'ticket-hits', id] as const,
};

// channel and ticketType are the ticket's own (server enums)
export const checkText = (body: CheckBody) =>
  http.post('/qa/check', { body: body as Parameters<typeof http.post<'/qa/check'>>[1] extends { body: infer B } ? B : never });

/** The hits on a ticket's staff messages; refetched for a few seconds after a reply (the worker inspects within 2 s). */
export const useTicketHits = (ticketId: string, enabled: boolean, replies: number) =>
  useQuery({
    queryKey: [...qaKeys.ticketHits(ticketId), replies],
    queryFn: () => http.get('/tickets/{id}/qa-hits', { path: { id: ticketId } }),
    enabled,
    refetchInterval: (q) => (q.state.dataUpdateCount < 4 ? 1000 : false),
  });

export const useRules = () => useQuery({ queryKey: qaKeys.rules, queryFn: () => http.get('/qa/rules') });
export const updateRule = (id: string, body: Partial<Omit<QaRule, 'id' | 'code' | 'version' | 'builtin' | 'updatedAt'>>) =>
  http.put('/qa/rules/{id}', { path: { id }, body: body as never });

/** The label of a rule code (shipped rules have a translated name; others show their admin-given name). */
export const RULE_CODES = [
  'forbidden.dont_know',
  'forbidden.not_my_job',
  'forbidden.cannot',
  'forbidden.blame',
  'forbidden.rude',
  'required.opening',
  'required.closing',
  'empathy.complaint',
  'pii.phone',
  'pii.id_card',
  'promise.no_time',
] as const;
export const SEVERITY_COLOR: Record<string, string> = { info: 'default', minor: 'gold', major: 'orange', critical: 'red' };
