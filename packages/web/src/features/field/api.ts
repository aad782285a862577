/** Field service (上门服务): sites, assets, visits — typed by the generated OpenAPI document. */
import { useQuery } from '@tanstack/react-query';
import { http, type ItemOf, type ResponseOf } from '../../api/client';

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
