/** Environment checks (环境检查): templates, checks, corrective tasks — typed by the generated OpenAPI document. */
import { useQuery } from '@tanstack/react-query';
import { http, type ItemOf, type ResponseOf } from '../../api/client';

export const ENV_PERM = { view: 'qa.view', inspect: 'qa.inspect', close: 'field.manage' } as const;

export type EnvTemplate = ItemOf<ResponseOf<'get', '/env/templates'>['items']>;
export type EnvItem = EnvTemplate['items'][number];
export type EnvSite = ItemOf<ResponseOf<'get', '/env/sites'>['items']>;
export type EnvCheck = ResponseOf<'post', '/env/checks'>;
export type EnvTask = ItemOf<ResponseOf<'get', '/env/tasks'>['items']>;

export const ENV_KEYS = {
  templates: ['env-templates'] as const,
  sites: ['env-sites'] as const,
  tasks: (state: string) => ['env-tasks', state] as const,
  checks: ['env-checks'] as const,
  figures: ['env-out-of-range'] as const,
  history: (id: string) => ['env-site-history', id] as const,
};

export const useEnvTemplates = () => useQuery({ queryKey: ENV_KEYS.templates, queryFn: () => http.get('/env/templates') });
export const useEnvSites = () => useQuery({ queryKey: ENV_KEYS.sites, queryFn: () => http.get('/env/sites') });
export const useEnvTasks = (state: 'open' | 'closed') =>
  useQuery({ queryKey: ENV_KEYS.tasks(state), queryFn: () => http.get('/env/tasks', { query: { state, limit: 100 } }) });
export const useEnvChecks = () => useQuery({ queryKey: ENV_KEYS.checks, queryFn: () => http.get('/env/checks', { query: { limit: 30 } }) });
export const useOutOfRange = () => useQuery({ queryKey: ENV_KEYS.figures, queryFn: () => http.get('/env/out-of-range') });
export const useSiteHistory = (id: string | undefined) =>
  useQuery({ queryKey: ENV_KEYS.history(id ?? ''), queryFn: () => http.get('/env/sites/{id}/history', { path: { id: id! } }), enabled: Boolean(id) });

/** The same judgement as the server (environment.items.ts): inclusive bounds unless exclusive; yes/no passes on yes. */
export function judge(item: EnvItem, value: number | boolean | null | undefined): boolean | null {
  if (value === null || value === undefined) return null;
  if (item.kind === 'yesno') return value === true;
  if (typeof value !== 'number') return null;
  const { min, max } = item;
  if (typeof min === 'number' && (item.minExclusive ? !(value > min) : !(value >= min))) return false;
  if (typeof max === 'number' && (item.maxExclusive ? !(value < max) : !(value <= max))) return false;
  return true;
}

/** The range as text, e.g. "22–26 ℃", "< 35 µg/m³", "≤ 45 dB". */
export function rangeText(item: EnvItem): string {
  const u = item.unit ? ` ${item.unit}` : '';
  const { min, max } = item;
  const lo = typeof min === 'number' ? min : null;
  if (lo !== null && typeof max === 'number' && !item.minExclusive && !item.maxExclusive) return `${lo}–${max}${u}`;
  const parts: string[] = [];
  if (lo !== null) parts.push(`${item.minExclusive ? '>' : '≥'} ${lo}`);
  if (typeof max === 'number') parts.push(`${item.maxExclusive ? '<' : '≤'} ${max}`);
  return `${parts.join(' ')}${u}`;
}

/** A site's label with its parent (翠湖苑 · 3栋). */
export function siteLabel(site: EnvSite, all: EnvSite[]): string {
  const parent = site.parentId ? all.find((s) => s.id === site.parentId) : undefined;
  return parent ? `${parent.name} · ${site.name}` : site.name;
}
