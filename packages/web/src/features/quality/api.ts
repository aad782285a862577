/** Quality inspection (质检) and performance: API calls, hooks and shared types — typed by the generated OpenAPI document. */
import { useQuery } from '@tanstack/react-query';
import { buildUrl, http, type ItemOf, type RequestBodyOf, type ResponseOf } from '../../api/client';

export const QA_PERM = {
  own: 'qa.own',
  view: 'qa.view',
  inspect: 'qa.inspect',
  manage: 'qa.manage',
  rule: 'qa.rule_appeals',
  performance: 'performance.view',
  review: 'proposals.review',
  weights: 'measures.manage',
} as const;

export type Scorecard = ResponseOf<'get', '/qa/scorecards/{id}'>;
export type ScorecardItem = ItemOf<Scorecard['items']>;
export type Template = ItemOf<ResponseOf<'get', '/qa/scorecard-templates'>['items']>;
export type Inspection = ResponseOf<'get', '/qa/inspections/{id}'>;
export type Appeal = ItemOf<ResponseOf<'get', '/qa/appeals'>['items']>;
export type Sample = ItemOf<ResponseOf<'get', '/qa/queue'>['items']>;
export type Performance = ResponseOf<'get', '/performance'>;
export type RankingRow = ItemOf<ResponseOf<'get', '/performance/ranking'>['items']>;
export type Proposal = ItemOf<ResponseOf<'get', '/proposals'>['items']>;
export type Stats = ResponseOf<'get', '/qa/stats'>;
export type SubmitBody = RequestBodyOf<'post', '/qa/inspections/{id}/submit'>;
export type Weights = RequestBodyOf<'put', '/performance/weights'>;

export const DIMENSIONS = ['attitude', 'professional', 'process', 'environment'] as const;
export const PARTS = ['qa', 'satisfaction', 'complaints', 'proposals'] as const;

export const QA_KEYS = {
  all: ['quality'] as const,
  scorecards: ['quality', 'scorecards'] as const,
  templates: ['quality', 'templates'] as const,
  queue: ['quality', 'queue'] as const,
  inspection: (id: string) => ['quality', 'inspection', id] as const,
  inspections: (q: object) => ['quality', 'inspections', q] as const,
  appeals: (state?: string) => ['quality', 'appeals', state ?? ''] as const,
  performance: (month: string, agentId?: string) => ['quality', 'performance', month, agentId ?? ''] as const,
  ranking: (month: string, teamId?: string) => ['quality', 'ranking', month, teamId ?? ''] as const,
  weights: ['quality', 'weights'] as const,
  proposals: (q: object) => ['quality', 'proposals', q] as const,
  stats: (q: object) => ['quality', 'stats', q] as const,
  drill: (q: object) => ['quality', 'stats', 'drill', q] as const,
  hitStats: (q: object) => ['quality', 'hit-stats', q] as const,
};

export const useScorecards = (enabled = true) => useQuery({ queryKey: QA_KEYS.scorecards, queryFn: () => http.get('/qa/scorecards'), enabled });
export const useTemplates = () => useQuery({ queryKey: QA_KEYS.templates, queryFn: () => http.get('/qa/scorecard-templates') });
export const useQueue = () => useQuery({ queryKey: QA_KEYS.queue, queryFn: () => http.get('/qa/queue', { query: { limit: 100 } }) });
export const useInspection = (id: string | undefined) =>
  useQuery({ queryKey: QA_KEYS.inspection(id ?? ''), queryFn: () => http.get('/qa/inspections/{id}', { path: { id: id! } }), enabled: Boolean(id) });
export const useInspections = (q: { mine?: 'agent' | 'inspector'; agentId?: string }) =>
  useQuery({ queryKey: QA_KEYS.inspections(q), queryFn: () => http.get('/qa/inspections', { query: { ...q, limit: 100 } }) });
export const useAppeals = (state?: 'open' | 'upheld' | 'revised') =>
  useQuery({ queryKey: QA_KEYS.appeals(state), queryFn: () => http.get('/qa/appeals', { query: { ...(state ? { state } : {}), limit: 100 } }) });
export const usePerformance = (month: string, agentId?: string) =>
  useQuery({ queryKey: QA_KEYS.performance(month, agentId), queryFn: () => http.get('/performance', { query: { month, ...(agentId ? { agentId } : {}) } }) });
export const useRanking = (month: string, enabled: boolean, teamId?: string) =>
  useQuery({
    queryKey: QA_KEYS.ranking(month, teamId),
    queryFn: () => http.get('/performance/ranking', { query: { month, ...(teamId ? { teamId } : {}) } }),
    enabled,
  });
export const useWeights = () => useQuery({ queryKey: QA_KEYS.weights, queryFn: () => http.get('/performance/weights') });
export const useProposals = (q: { mine?: boolean; state?: 'submitted' | 'adopted' | 'declined' }) =>
  useQuery({ queryKey: QA_KEYS.proposals(q), queryFn: () => http.get('/proposals', { query: { ...q, limit: 100 } }) });
export const useStats = (q: { from?: string; to?: string; teamId?: string }) =>
  useQuery({ queryKey: QA_KEYS.stats(q), queryFn: () => http.get('/qa/stats', { query: q }) });

export const statsExportUrl = (q: StatsDrillQuery, format: 'csv' | 'xlsx', lang: string, table?: string) =>
  buildUrl('/qa/stats/export', {
    ...q,
    format,
    lang: lang === 'en' ? 'en' : 'zh-CN',
    ...(table ? { table } : {}),
  });

/** The filters of a dashboard figure's drill-down (GET /qa/stats/inspections). */
export interface StatsDrillQuery {
  from?: string;
  to?: string;
  teamId?: string;
  agentId?: string;
  month?: string;
  dimension?: (typeof DIMENSIONS)[number];
  item?: string;
  label?: string;
  failed?: 'true';
  appeal?: 'filed' | 'open' | 'upheld' | 'revised';
}
export type StatsDrill = ResponseOf<'get', '/qa/stats/inspections'>;
export const useStatsDrill = (q: StatsDrillQuery | null) =>
  useQuery({ queryKey: QA_KEYS.drill(q ?? {}), queryFn: () => http.get('/qa/stats/inspections', { query: q! }), enabled: q !== null });
export const useHitStats = (q: { from: string; to: string }) =>
  useQuery({ queryKey: QA_KEYS.hitStats(q), queryFn: () => http.get('/qa/hits/stats', { query: q }) });
export const useCalibrationAgreement = () =>
  useQuery({ queryKey: [...QA_KEYS.all, 'calibrations', 'agreement'] as const, queryFn: () => http.get('/qa/calibrations/agreement') });

/** The maximum of an item's scale (yes/no: 1). */
export const maxOf = (it: ScorecardItem) => (it.scale.kind === 'yesno' ? 1 : it.scale.max);
export const scoreColor = (score: number | null | undefined, passMark = 80) =>
  score === null || score === undefined ? 'default' : score >= passMark ? 'green' : score >= 60 ? 'gold' : 'red';
export const STATE_COLOR: Record<string, string> = { draft: 'default', submitted: 'blue', acknowledged: 'green', appealed: 'orange', ruled: 'purple' };
