/** Field service (上门服务): sites, assets, visits — typed by the generated OpenAPI document. */
import { useQuery } from '@tanstack/react-query';
import { api, http, type ItemOf, type ResponseOf } from '../../api/client';

export const FIELD_PERM = { view: 'field.view', manage: 'field.manage', dispatch: 'field.dispatch', work: 'field.work' } as const;
export const CHECKLIST_STEPS = ['show_id', 'survey_site', 'explain_steps_cost', 'safety', 'clean_up', 'customer_check', 'farewell_contact'] as const;

export type Site = ItemOf<ResponseOf<'get', '/sites'>['items']>;
export type SiteDetail = ResponseOf<'get', '/sites/{id}'>;
export type DayVisit = ItemOf<ResponseOf<'get', '/visits/mine'>['items']>;

export const FIELD_KEYS = {
  sites: ['field-sites'] as const,
  site: (id: string) => ['field-site', id] as const,
  day: (date: string) => ['field-day', date] as const,
};

export const useSites = () => useQuery({ queryKey: FIELD_KEYS.sites, queryFn: () => http.get('/sites') });
export const useSite = (id: string | undefined) =>
  useQuery({ queryKey: FIELD_KEYS.site(id ?? ''), queryFn: () => http.get('/sites/{id}', { path: { id: id! } }), enabled: Boolean(id) });
export const useMyDay = (date: string) => useQuery({ queryKey: FIELD_KEYS.day(date), queryFn: () => http.get('/visits/mine', { query: { date } }) });

/** A map search link for an address (高德 URI API: no key needed). */
export const mapLink = (address: string) => `https://uri.amap.com/search?keyword=${encodeURIComponent(address)}`;

// ---- Engineers A's and B's endpoints (api.md, #16 this round): hand-written until schema.gen.ts has them ----------

export type PhotoPhase = 'before' | 'after';
export interface FieldPart {
  id: string;
  code: string;
  name: string;
  unit: string;
  unitCostFen: number;
  /** The caller's van stock (0 when none). */
  vanQty: number;
}
export interface VisitPartUsage {
  id: string;
  partId: string;
  code: string;
  name: string;
  qty: number;
  unitCostFen: number;
}
export interface QuoteItem {
  description: string;
  amountFen: number;
}
export interface VisitWork {
  photos: { id: string; phase: PhotoPhase; attachmentId: string; createdAt: string }[];
  quote: { id?: string; totalFen?: number; state?: 'pending' | 'accepted'; items?: QuoteItem[] } | null;
  signoff: { rating: number; comment: string | null; signedAt: string; method: 'on_device' | 'link' } | null;
  reportAttachmentId: string | null;
}
export interface SignoffLink {
  url: string;
  token: string;
  expiresAt: string;
}

export const WORK_KEYS = {
  parts: ['field-parts'] as const,
  work: (id: string) => ['field-visit-work', id] as const,
  visitParts: (id: string) => ['field-visit-parts', id] as const,
};

/**
 * The whole parts catalogue with the caller's van stock (`GET /field/parts`), read while online (the today page
 * mounts it at once) and kept for use offline; the picker filters it on the phone, so a search never needs the network.
 */
export const useFieldParts = () =>
  useQuery({
    queryKey: WORK_KEYS.parts,
    queryFn: () => api.get<{ items: FieldPart[] }>('/field/parts'),
    staleTime: 5 * 60_000,
    gcTime: 24 * 3600_000,
    retry: false,
  });

/** What the server already has of the visit's work (`GET /visits/{id}/work`): photos, quote, sign-off, report. */
export const useVisitWork = (id: string, enabled: boolean) =>
  useQuery({
    queryKey: WORK_KEYS.work(id),
    queryFn: () => api.get<VisitWork>(`/visits/${encodeURIComponent(id)}/work`),
    enabled,
    retry: false,
    gcTime: 24 * 3600_000,
  });

/** The parts recorded on the visit (`GET /visits/{id}/parts`). */
export const useVisitParts = (id: string, enabled: boolean) =>
  useQuery({
    queryKey: WORK_KEYS.visitParts(id),
    queryFn: () => api.get<{ items: VisitPartUsage[]; totalCostFen: number }>(`/visits/${encodeURIComponent(id)}/parts`),
    enabled,
    retry: false,
    gcTime: 24 * 3600_000,
  });

/** A one-time sign-off link for the customer's own phone (needs the network: the link is made by the server). */
export const createSignoffLink = (id: string) => api.post<SignoffLink>(`/visits/${encodeURIComponent(id)}/signoff-link`, {});
