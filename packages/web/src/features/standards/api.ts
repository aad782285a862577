/** Service standards (服务标准) API: catalogue, templates, compliance, breakdowns, instances, SQI, improvements. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { http, type ItemOf, type RequestBodyOf, type ResponseOf } from '../../api/client';

export const STD_PERM = {
  view: 'standards.view',
  manage: 'standards.manage',
  compliance: 'standards.compliance',
  improve: 'standards.improve',
} as const;

export const CLOCK_EVENTS = [
  'ticket.created',
  'ticket.assigned',
  'ticket.taken',
  'ticket.first_public_reply',
  'ticket.public_reply',
  'ticket.customer_reply',
  'ticket.resolved',
  'ticket.closed',
  'ticket.reopened',
  'ticket.status_changed',
  'ticket.priority_changed',
  'ticket.team_transferred',
  'ticket.handover_confirmed',
  'ticket.customer_confirmed',
  'ticket.order_confirmed',
  'ticket.revisited',
  'recovery.opened',
  'recovery.contacted',
  'recovery.solution_proposed',
  'recovery.revisited',
  'survey.answered',
] as const;
export const PAUSE_STATUSES = ['new', 'assigned', 'in_progress', 'pending_customer', 'pending_internal', 'resolved', 'closed'] as const;
export const NOTIFY_ROLES = ['owner', 'supervisor', 'director', 'admin'] as const;
export const MEASURES = ['timer', 'count', 'audit', 'survey', 'operating_data'] as const;
export const BREAKDOWNS = ['team', 'agent', 'channel', 'tier'] as const;
export type BreakdownBy = (typeof BREAKDOWNS)[number] | 'day' | 'type' | 'priority' | 'version';
export type InstanceState = 'met' | 'breached' | 'running' | 'cancelled';

export interface AppliesTo {
  types?: string[];
  priorities?: string[];
  tiers?: string[];
  channels?: string[];
  teams?: string[];
  vip?: boolean;
}
export interface EscalationStep {
  afterBreachSeconds: number;
  notifyRole: (typeof NOTIFY_ROLES)[number];
}
export interface StandardDefinition {
  name: string;
  encounter: string;
  kind: 'hard' | 'soft';
  description: string | null;
  measure: (typeof MEASURES)[number];
  target: number;
  timed: boolean;
  start: string | string[] | null;
  stop: string | string[] | null;
  pauseWhile: string[];
  deadline: 'duration' | 'end_of_business_day' | 'time_of_day';
  limitSeconds: number | null;
  calendarId: string | null;
  calendarSource: 'standard' | 'ticket';
  timeZone: string;
  appliesTo: AppliesTo;
  warnAtPercent: number[];
  escalation: EscalationStep[];
  recurring: boolean;
  maxCycles: number | null;
  sqiWeight: number;
  survey: { measure: 'csat' | 'nps' | 'ces'; threshold: number } | null;
  timeOfDay?: { at: string; businessDaysAfter: number; cutoff: string | null } | null;
  count?: { source: 'ring_count' | 'contacts_before_resolution' | 'transfers'; limit: number } | null;
  checkpoint?: 'first_response' | 'solution_confirmed' | 'resolution_confirmed' | null;
}
export type Standard = ResponseOf<'get', '/standards/{id}'>;
export type StandardInput = Partial<Omit<StandardDefinition, 'timed'>> & { code?: string; active?: boolean };
export type StandardVersion = ItemOf<ResponseOf<'get', '/standards/{id}/versions'>['items']>;
export type Template = ItemOf<ResponseOf<'get', '/standards/templates'>['items']>;
export interface Counts {
  met: number;
  breached: number;
  running: number;
  cancelled: number;
  rate: number | null;
}
export type Compliance = ResponseOf<'get', '/standards/{id}/compliance'>;
export type Summary = ResponseOf<'get', '/standards/compliance'>;
export interface BreakdownItem extends Counts {
  key: string | null;
  label: string | null;
}
export type Breakdown = ResponseOf<'get', '/standards/{id}/compliance/breakdown'>;
export interface SqiDay {
  date: string;
  index: number;
  failures: { breach_same_day: number; breach_later_day: number; escalation: number };
}
export type Sqi = ResponseOf<'get', '/standards/sqi'>;
export type Instance = ItemOf<ResponseOf<'get', '/standards/{id}/instances'>['items']>;
export interface Window extends Counts {
  from: string;
  to: string;
}
export type Improvement = ItemOf<ResponseOf<'get', '/standards/{id}/improvements'>['items']>;
export interface ImprovementInput {
  cause: string;
  change: string;
  ownerId: string;
  dueDate: string;
}

export interface Range {
  from: string;
  to: string;
  tz: string;
}
export interface InstanceFilter {
  state?: InstanceState;
  teamId?: string;
  agentId?: string;
  channel?: string;
  tier?: string;
}

export const standardsApi = {
  list: () => http.get('/standards', { query: { limit: 200 } }),
  get: (id: string) => http.get('/standards/{id}', { path: { id } }),
  create: (body: StandardInput) => http.post('/standards', { body: body as RequestBodyOf<'post', '/standards'> }),
  update: (id: string, body: StandardInput) => http.patch('/standards/{id}', { path: { id }, body: body as RequestBodyOf<'patch', '/standards/{id}'> }),
  versions: (id: string) => http.get('/standards/{id}/versions', { path: { id } }),
  templates: () => http.get('/standards/templates'),
  adopt: (key: string, body: StandardInput = {}) =>
    http.post('/standards/templates/{key}/adopt', { path: { key }, body: body as RequestBodyOf<'post', '/standards/templates/{key}/adopt'> }),
  summary: (r: Range) => http.get('/standards/compliance', { query: { ...r } }),
  compliance: (id: string, r: Range) => http.get('/standards/{id}/compliance', { path: { id }, query: { ...r } }),
  breakdown: (id: string, by: BreakdownBy, r: Range) => http.get('/standards/{id}/compliance/breakdown', { path: { id }, query: { ...r, by } }),
  sqi: (r: Range & { standardId?: string }) => http.get('/standards/sqi', { query: { ...r } }),
  instances: (id: string, r: Range, f: InstanceFilter, cursor?: string) =>
    http.get('/standards/{id}/instances', { path: { id }, query: { ...r, ...f, cursor, limit: 50 } }),
  improvements: (id: string, windowDays: number, tz: string) => http.get('/standards/{id}/improvements', { path: { id }, query: { windowDays, tz } }),
  createImprovement: (id: string, body: ImprovementInput) => http.post('/standards/{id}/improvements', { path: { id }, body }),
  updateImprovement: (id: string, body: Partial<ImprovementInput> & { state?: 'open' | 'done' }) =>
    http.patch('/standards/improvements/{improvementId}', { path: { improvementId: id }, body }),
};

export const STD_KEYS = {
  all: ['standards'] as const,
  list: ['standards', 'list'] as const,
  one: (id: string) => ['standards', 'one', id] as const,
  templates: ['standards', 'templates'] as const,
};

export function useStandards() {
  return useQuery({ queryKey: STD_KEYS.list, queryFn: standardsApi.list, staleTime: 30_000 });
}
export function useStandard(id: string | undefined) {
  return useQuery({ queryKey: STD_KEYS.one(id ?? ''), queryFn: () => standardsApi.get(id!), enabled: Boolean(id) });
}
export function useSummary(range: Range, enabled: boolean) {
  return useQuery({
    queryKey: ['standards', 'summary', range],
    queryFn: () => standardsApi.summary(range),
    enabled,
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
}

/** 0.953 → "95.3%" (null → "—"). */
export function pct(rate: number | null | undefined, digits = 1): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  const v = Math.round(rate * 100 * 10 ** digits) / 10 ** digits;
  return `${v}%`;
}

/** Seconds → {h, m, s} for the limit inputs, and back. */
export function splitSeconds(total: number | null | undefined): { h: number; m: number; s: number } {
  const n = Math.max(0, Math.floor(total ?? 0));
  return { h: Math.floor(n / 3600), m: Math.floor((n % 3600) / 60), s: n % 60 };
}
export function joinSeconds(v: { h?: number | null; m?: number | null; s?: number | null } | undefined): number {
  return (v?.h ?? 0) * 3600 + (v?.m ?? 0) * 60 + (v?.s ?? 0);
}

export const asList = (v: string | string[] | null | undefined): string[] => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]);
