/** Service standards (服务标准) API: catalogue, templates, compliance, breakdowns, instances, SQI, improvements. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';

export const STD_PERM = {
  view: 'standards.view',
  manage: 'standards.manage',
  compliance: 'standards.compliance',
  improve: 'standards.improve',
} as const;

export const CLOCK_EVENTS = [
  'ticket.created', 'ticket.assigned', 'ticket.taken', 'ticket.first_public_reply', 'ticket.public_reply', 'ticket.customer_reply',
  'ticket.resolved', 'ticket.closed', 'ticket.reopened', 'ticket.status_changed', 'ticket.priority_changed', 'ticket.team_transferred',
  'ticket.handover_confirmed', 'ticket.customer_confirmed', 'ticket.order_confirmed', 'ticket.revisited',
  'recovery.opened', 'recovery.contacted', 'recovery.solution_proposed', 'recovery.revisited', 'survey.answered',
] as const;
export const PAUSE_STATUSES = ['new', 'assigned', 'in_progress', 'pending_customer', 'pending_internal', 'resolved', 'closed'] as const;
export const NOTIFY_ROLES = ['owner', 'supervisor', 'director', 'admin'] as const;
export const MEASURES = ['timer', 'audit', 'survey', 'operating_data'] as const;
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
  deadline: 'duration' | 'end_of_business_day';
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
}
export interface Standard extends StandardDefinition {
  id: string;
  code: string;
  version: number;
  active: boolean;
  templateKey: string | null;
  createdAt: string;
  updatedAt: string;
}
export type StandardInput = Partial<Omit<StandardDefinition, 'timed'>> & { code?: string; active?: boolean };
export interface StandardVersion {
  version: number;
  createdAt: string;
  createdBy: string | null;
  definition: StandardDefinition;
}
export interface Template {
  key: string;
  code: string;
  source: string;
  definition: StandardDefinition;
}
export interface Counts {
  met: number;
  breached: number;
  running: number;
  cancelled: number;
  rate: number | null;
}
export interface Compliance extends Counts {
  standardId: string;
  code: string;
  name: string;
  target: number;
  meetsTarget: boolean | null;
  from: string;
  to: string;
}
export interface Summary {
  from: string;
  to: string;
  overall: Counts;
  items: (Counts & { standardId: string; code: string; name: string; target: number; meetsTarget: boolean | null })[];
}
export interface BreakdownItem extends Counts {
  key: string | null;
  label: string | null;
}
export interface Breakdown {
  standardId: string;
  by: string;
  target: number;
  from: string;
  to: string;
  items: BreakdownItem[];
}
export interface SqiDay {
  date: string;
  index: number;
  failures: { breach_same_day: number; breach_later_day: number; escalation: number };
}
export interface Sqi {
  from: string;
  to: string;
  timeZone: string;
  weights: { breach_same_day: number; breach_later_day: number; escalation: number };
  total: number;
  days: SqiDay[];
}
export interface Instance {
  id: string;
  ticketId: string;
  ticketNumber: string;
  ticketSubject: string;
  state: string;
  paused: boolean;
  cycle: number;
  version: number;
  startedAt: string;
  dueAt: string | null;
  metAt: string | null;
  breachedAt: string | null;
  endedAt: string | null;
  endReason: string | null;
  late: boolean;
  escalationsSent: number;
  ownerId: string | null;
  ownerName: string | null;
  teamId: string | null;
  teamName: string | null;
  channel: string | null;
  tier: string | null;
}
export interface Window extends Counts {
  from: string;
  to: string;
}
export interface Improvement {
  id: string;
  standardId: string;
  cause: string;
  change: string;
  ownerId: string;
  ownerName: string | null;
  dueDate: string;
  state: 'open' | 'done';
  doneAt: string | null;
  createdAt: string;
  effect?: { effectiveDate: string; windowDays: number; before: Window; after: Window; rateChange: number | null };
}
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

const enc = encodeURIComponent;

export const standardsApi = {
  list: () => api.get<{ items: Standard[]; nextCursor: string | null }>('/standards', { limit: 200 }),
  get: (id: string) => api.get<Standard>(`/standards/${enc(id)}`),
  create: (body: StandardInput) => api.post<Standard>('/standards', body),
  update: (id: string, body: StandardInput) => api.patch<Standard>(`/standards/${enc(id)}`, body),
  versions: (id: string) => api.get<{ items: StandardVersion[] }>(`/standards/${enc(id)}/versions`),
  templates: () => api.get<{ items: Template[] }>('/standards/templates'),
  adopt: (key: string, body: StandardInput = {}) => api.post<Standard>(`/standards/templates/${enc(key)}/adopt`, body),
  summary: (r: Range) => api.get<Summary>('/standards/compliance', { ...r }),
  compliance: (id: string, r: Range) => api.get<Compliance>(`/standards/${enc(id)}/compliance`, { ...r }),
  breakdown: (id: string, by: BreakdownBy, r: Range) => api.get<Breakdown>(`/standards/${enc(id)}/compliance/breakdown`, { ...r, by }),
  sqi: (r: Range & { standardId?: string }) => api.get<Sqi>('/standards/sqi', { ...r }),
  instances: (id: string, r: Range, f: InstanceFilter, cursor?: string) =>
    api.get<{ items: Instance[]; nextCursor: string | null }>(`/standards/${enc(id)}/instances`, { ...r, ...f, cursor, limit: 50 }),
  improvements: (id: string, windowDays: number, tz: string) =>
    api.get<{ items: Improvement[] }>(`/standards/${enc(id)}/improvements`, { windowDays, tz }),
  createImprovement: (id: string, body: ImprovementInput) => api.post<Improvement>(`/standards/${enc(id)}/improvements`, body),
  updateImprovement: (id: string, body: Partial<ImprovementInput> & { state?: 'open' | 'done' }) =>
    api.patch<Improvement>(`/standards/improvements/${enc(id)}`, body),
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

export const asList = (v: string | string[] | null | undefined): string[] => (v == null ? [] : Array.isArray(v) ? v : [v]);
