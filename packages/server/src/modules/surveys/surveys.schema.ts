import { z } from 'zod';
import { TICKET_TYPES } from '../standards/definition';

export const QUESTION_KINDS = ['csat', 'nps', 'ces', 'scale', 'choice', 'text'] as const;
export const SURVEY_TRIGGERS = ['ticket.resolved', 'field.visit_completed', 'complaint.closed'] as const;
export const SURVEY_CHANNELS = ['link', 'sms', 'wechat', 'email'] as const;

const label = z.string().trim().min(1).max(200);
export const Question = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower-case letters, digits and _, starting with a letter'),
  kind: z.enum(QUESTION_KINDS),
  label,
  required: z.boolean().default(false),
  /** choice: the options; csat/nps/ces: reason choices shown on a low score. */
  options: z.array(label).max(12).optional(),
  reasons: z.array(label).max(12).optional(),
  min: z.number().int().min(0).max(10).optional(),
  max: z.number().int().min(1).max(10).optional(),
  /** The soft standard (kind soft) this question measures. */
  standardId: z.uuid().nullable().optional(),
  /** When an answer counts as "agree" for the soft standard: scale/csat/nps ≥ min (ces ≤ max), or choice in options. */
  agree: z.object({ min: z.number().optional(), max: z.number().optional(), options: z.array(label).max(12).optional() }).strict().optional(),
}).strict();
export type QuestionIn = z.infer<typeof Question>;

export const Rules = z.object({
  triggers: z.array(z.enum(SURVEY_TRIGGERS)).min(1).max(3).default(['ticket.resolved']),
  /** 0 = send at once (default); 604800 = 7-day revisit. */
  delaySeconds: z.number().int().min(0).max(90 * 86400).default(0),
  channel: z.enum(SURVEY_CHANNELS).default('link'),
  samplingPercent: z.number().min(0).max(100).default(100),
  /** At most one invitation of this template per customer per N days (0 = no limit). */
  minDaysBetween: z.number().int().min(0).max(365).default(0),
  /** Ticket types the template applies to (empty = all). */
  ticketTypes: z.array(z.enum(TICKET_TYPES)).max(7).default([]),
  expiresInDays: z.number().min(0.0001).max(90).default(7),
}).strict();
export type RulesT = z.infer<typeof Rules>;

export const TemplateCreate = z.object({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(500).nullable().optional(),
  questions: z.array(Question).min(1).max(20),
  rules: Rules.default({ triggers: ['ticket.resolved'], delaySeconds: 0, channel: 'link', samplingPercent: 100, minDaysBetween: 0, ticketTypes: [], expiresInDays: 7 }),
  active: z.boolean().default(true),
}).strict();
export const TemplatePatch = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  description: z.string().max(500).nullable().optional(),
  questions: z.array(Question).min(1).max(20).optional(),
  rules: Rules.optional(),
  active: z.boolean().optional(),
}).strict();

export const Answer = z.object({
  csat: z.number().int().min(1).max(5).optional(),
  nps: z.number().int().min(0).max(10).optional(),
  ces: z.number().int().min(1).max(7).optional(),
  comment: z.string().max(2000).optional(),
  reasons: z.array(z.string().max(200)).max(12).optional(),
  /** Custom questions by id: number (scale), string (choice / text). */
  answers: z.record(z.string().max(40), z.union([z.number(), z.string().max(2000)])).optional(),
}).strict();
export type AnswerIn = z.infer<typeof Answer>;

export const TokenParam = z.object({ token: z.string().min(1).max(200) });
export const IdParam = z.object({ id: z.uuid() });
