import { useEffect, useRef } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { http, buildUrl, type QueryValue } from '../../api/client';

export const MEASURE_PERM = { view: 'measures.view', own: 'measures.own', manage: 'measures.manage' } as const;

export interface Ratio {
  value: number | null;
  numerator: number;
  denominator: number;
}
export interface Pct {
  p50: number | null;
  p90: number | null;
  count: number;
}
export interface Presented {
  csat: Ratio;
  nps: { value: number | null; promoters: number; detractors: number; passives: number; count: number };
  ces: { value: number | null; sum: number; count: number };
  fcr: Ratio;
  standardExecutionRate: Ratio;
  complaintRate: Ratio;
  complaintResolutionRate: Ratio;
  recoveryRate: Ratio;
  knowledgeApplicationRate: { value: number | null; numerator: number | null; denominator: number };
  firstResponseSeconds: Pct;
  resolutionSeconds: Pct;
  tickets: number;
  resolved: number;
}
export interface Target {
  target: number | null;
  direction: 'min' | 'max';
  windowDays: number;
  minCount: number;
  below: boolean;
  lastValue: number | null;
  alertedAt: string | null;
}
export interface MeasuresRow extends Presented {
  key: Record<string, string | null>;
  labels: Record<string, string | null>;
}
export interface MeasuresResult {
  from: string;
  to: string;
  timeZone: string;
  groupBy: string[];
  filters: Record<string, string>;
  source: 'rollup' | 'facts';
  cube: number | null;
  version: number;
  total: Presented;
  rows: MeasuresRow[];
  targets: Record<string, Target>;
}
export interface Filters {
  teamId?: string;
  agentId?: string;
  channel?: string;
  type?: string;
  tier?: string;
  categoryId?: string;
  site?: string;
}
export interface Period {
  from: string;
  to: string;
}
export type MeasuresQuery = Period & Filters & { groupBy?: string; percentiles?: 'false'; knowledge?: 'false' };

export interface DrillItem {
  id: string;
  number: string;
  subject: string;
  type: string;
  channel: string;
  status: string;
  teamName: string | null;
  ownerName: string | null;
  createdAt: string;
  resolvedAt: string | null;
  value: number | null;
}
export interface Board {
  teamId: string | null;
  overloadThreshold: number;
  withinMinutes: number;
  at: string;
  averageOpen: number;
  backlog: { total: number; byStatus: { status: string; count: number; oldestCreatedAt: string | null }[] };
  agents: { id: string; name: string; onDuty: boolean; open: number; urgent: number; overloaded: boolean }[];
  clocks: {
    id: string;
    code: string;
    state: 'running' | 'breached';
    dueAt: string | null;
    ticketId: string;
    number: string;
    subject: string;
    ownerName: string | null;
  }[];
}
export interface ParetoItem {
  key: string | null;
  label: string | null;
  count: number;
  share: number;
  cumulative: number;
}
export interface Complaints {
  byCategory: { total: number; items: ParetoItem[] };
  byCause: { total: number; items: ParetoItem[] };
  repeats: { site: string; categoryId: string | null; category: string | null; count: number; ticketIds: string[]; types: string[] }[];
}
export interface Distribution {
  p50: number | null;
  p90: number | null;
  count: number;
  buckets: { fromSeconds: number; toSeconds: number | null; count: number }[];
}

const clean = (q: object): Record<string, QueryValue> =>
  Object.fromEntries(Object.entries(q as Record<string, QueryValue>).filter(([, v]) => v !== undefined && v !== ''));

export function useMeasures(q: MeasuresQuery, enabled = true) {
  return useQuery({
    queryKey: ['measures', 'query', q],
    queryFn: () => http.get('/measures', { query: clean(q) }),
    enabled,
    placeholderData: keepPreviousData,
  });
}
export function useBoard(teamId: string | undefined, enabled = true) {
  return useQuery({
    queryKey: ['measures', 'board', teamId ?? null],
    queryFn: () => http.get('/measures/board', { query: clean({ teamId }) }) as Promise<Board>,
    enabled,
    refetchInterval: 15_000,
    placeholderData: keepPreviousData,
  });
}
export function useComplaints(q: MeasuresQuery) {
  return useQuery({
    queryKey: ['measures', 'complaints', q],
    queryFn: () => http.get('/measures/complaints', { query: clean(q) }) as Promise<Complaints>,
    placeholderData: keepPreviousData,
  });
}
export function useDistribution(q: MeasuresQuery & { measure: 'firstResponse' | 'resolution' }) {
  return useQuery({
    queryKey: ['measures', 'distribution', q],
    queryFn: () => http.get('/measures/distribution', { query: clean(q) }) as Promise<Distribution>,
    placeholderData: keepPreviousData,
  });
}
export function useDrill(q: (MeasuresQuery & { measure: string; part?: string }) | null) {
  return useQuery({
    queryKey: ['measures', 'drill', q],
    queryFn: () => http.get('/measures/tickets', { query: clean({ ...q!, limit: 200 }) }),
    enabled: q !== null,
  });
}
export function useTargets() {
  return useQuery({ queryKey: ['measures', 'targets'], queryFn: () => http.get('/measures/targets') });
}
export function usePutTarget() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { measure: string; target: number | null; windowDays?: number; minCount?: number }) =>
      http.put('/measures/targets/{measure}', { path: { measure: v.measure }, body: { target: v.target, windowDays: v.windowDays, minCount: v.minCount } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['measures'] }),
  });
}

export interface WallToken {
  id: string;
  name: string;
  teamId: string | null;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  active: boolean;
}
export function useWallTokens(enabled: boolean) {
  return useQuery({ queryKey: ['measures', 'wall-tokens'], queryFn: () => http.get('/measures/wall-tokens') as Promise<{ items: WallToken[] }>, enabled });
}
export interface Report {
  id: string;
  name: string;
  frequency: 'daily' | 'weekly';
  hour: number;
  weekday: number | null;
  channel: 'email' | 'webhook';
  target: string;
  active: boolean;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastStatus: string | null;
  lastError: string | null;
}
export function useReports(enabled: boolean) {
  return useQuery({ queryKey: ['measures', 'reports'], queryFn: () => http.get('/measures/reports') as Promise<{ items: Report[] }>, enabled });
}

/**
 * Live dashboards: poll the cheap version probe every second; when the rollup moved, refetch the measures queries.
 * (An answered survey reaches an open dashboard within ~1–2 s: worker wake-up by NOTIFY + one poll.)
 */
export function useLiveMeasures(enabled = true): number | undefined {
  const qc = useQueryClient();
  const last = useRef<number | undefined>(undefined);
  const v = useQuery({ queryKey: ['measures-version'], queryFn: () => http.get('/measures/version'), refetchInterval: 1000, enabled });
  const version = v.data?.version;
  useEffect(() => {
    if (version === undefined) return;
    if (last.current !== undefined && version !== last.current) void qc.invalidateQueries({ queryKey: ['measures'] });
    last.current = version;
  }, [version, qc]);
  return version;
}

export function exportUrl(q: object, format: 'csv' | 'xlsx', view: 'measures' | 'complaints' | 'board' | 'field', lang: string): string {
  return buildUrl('/measures/export', clean({ ...q, format, view, lang: lang === 'en' ? 'en' : 'zh-CN' }));
}
