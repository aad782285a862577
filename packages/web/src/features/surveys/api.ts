/** Surveys (满意度调查) and the closed loops: API types and hooks. */
import { useQuery } from '@tanstack/react-query';
import { http } from '../../api/client';
import type { PublicQuestion } from './public/SurveyForm';

export const SURVEY_PERM = { view: 'surveys.view', manage: 'surveys.manage', work: 'loops.work', recover: 'loops.recover' } as const;
export const QUESTION_KINDS = ['csat', 'nps', 'ces', 'scale', 'choice', 'text'] as const;
export const TRIGGERS = ['ticket.resolved', 'field.visit_completed', 'complaint.closed'] as const;
export const CHANNELS = ['link', 'customer', 'sms', 'wechat', 'email'] as const;

export interface Question {
  id: string;
  kind: (typeof QUESTION_KINDS)[number];
  label: string;
  required?: boolean;
  options?: string[];
  reasons?: string[];
  min?: number;
  max?: number;
  standardId?: string | null;
  agree?: { min?: number; max?: number; options?: string[] };
}
export interface Rules {
  triggers: (typeof TRIGGERS)[number][];
  delaySeconds: number;
  channel: (typeof CHANNELS)[number];
  samplingPercent: number;
  minDaysBetween: number;
  ticketTypes: string[];
  expiresInDays: number;
}
export interface SurveyTemplate {
  id: string;
  name: string;
  description: string | null;
  questions: Question[];
  rules: Rules;
  active: boolean;
  version: number;
  updatedAt: string;
}
export interface LoopSettings {
  lowScore: { csatMax: number; npsMax: number; cesMin: number };
  care: { ticketTypes: string[]; guaranteeDays: number; contactDays: number[]; touches: { mode: 'task' | 'message'; text: string }[] };
  reactivation: { enabled: boolean; silentDays: number; touchDays: number[]; touches: { mode: 'task' | 'message'; text: string }[] };
}
export interface SoftItem {
  standardId: string;
  code: string;
  name: string;
  encounter: string;
  target: number;
  source: string;
  agree: number;
  total: number;
  rate: number | null;
  meetsTarget: boolean | null;
  breakdown: { key: string; name: string | null; agree: number; total: number; rate: number | null }[];
}

export const KEYS = {
  templates: ['survey-templates'] as const,
  settings: ['loops-settings'] as const,
  soft: (by: string, days: number) => ['soft-compliance', by, days] as const,
  customer: (id: string) => ['customer-surveys', id] as const,
};

export const useTemplates = () => useQuery({ queryKey: KEYS.templates, queryFn: () => http.get('/survey-templates') as Promise<{ items: SurveyTemplate[] }> });
export const useLoopSettings = () => useQuery({ queryKey: KEYS.settings, queryFn: () => http.get('/loops/settings') as Promise<LoopSettings> });

/** The builder's questions as the public page shows them. */
export function toPublic(q: Question): PublicQuestion {
  return {
    id: q.id,
    kind: q.kind,
    label: q.label,
    required: Boolean(q.required),
    options: q.options ?? null,
    reasons: q.reasons ?? null,
    min: q.min ?? null,
    max: q.max ?? null,
  };
}
