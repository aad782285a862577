import { z } from 'zod';
import { EscalationSchema, MEASURES, StandardCreate, StandardFields, StandardPatch } from './definition';

export { StandardCreate, StandardPatch };

const strs = z.array(z.string()).optional();
const AppliesToOut = z.object({ types: strs, priorities: strs, tiers: strs, channels: strs, teams: strs, vip: z.boolean().optional() });
const Events = z.union([z.string(), z.array(z.string())]).nullable();
export const Definition = z.object({
  name: z.string(),
  encounter: z.string(),
  kind: z.enum(['hard', 'soft']),
  description: z.string().nullable(),
  measure: z.enum(MEASURES),
  target: z.number(),
  timed: z.boolean(),
  start: Events,
  stop: Events,
  pauseWhile: z.array(z.string()),
  deadline: z.enum(['duration', 'end_of_business_day']),
  limitSeconds: z.number().int().nullable(),
  calendarId: z.string().nullable(),
  calendarSource: z.enum(['standard', 'ticket']),
  timeZone: z.string(),
  appliesTo: AppliesToOut,
  warnAtPercent: z.array(z.number().int()),
  escalation: EscalationSchema,
  recurring: z.boolean(),
  maxCycles: z.number().int().nullable(),
  sqiWeight: z.number(),
  survey: z.object({ measure: z.enum(['csat', 'nps', 'ces']), threshold: z.number() }).nullable(),
});

export const Standard = Definition.extend({
  id: z.string(),
  code: z.string(),
  version: z.number().int(),
  active: z.boolean(),
  templateKey: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const StandardVersion = z.object({ version: z.number().int(), createdAt: z.string(), createdBy: z.string().nullable(), definition: Definition });

export const StandardListQuery = z.object({
  active: z.enum(['true', 'false']).optional(),
  encounter: z.string().max(100).optional(),
  kind: z.enum(['hard', 'soft']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
  cursor: z.uuid().optional(),
});

export const Template = z.object({ key: z.string(), code: z.string(), source: z.string(), definition: Definition });
export const TemplateKeyParam = z.object({ key: z.string().regex(/^[a-z0-9-]{1,64}$/) });
export const Adopt = StandardFields.partial().extend({
  code: z.string().trim().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 letters, digits, _ . or -').optional(),
  active: z.boolean().optional(),
}).strict().nullable().optional();

const Range = {
  from: z.string().max(40).optional().describe('ISO instant, or YYYY-MM-DD (start of that local day); default 30 days ago'),
  to: z.string().max(40).optional().describe('ISO instant (exclusive), or YYYY-MM-DD (inclusive, to the end of that local day); default now'),
  tz: z.string().max(64).optional().describe('zone for dates and days (default Asia/Shanghai)'),
};
export const ComplianceQuery = z.object({
  ...Range,
  teamId: z.uuid().optional(), agentId: z.uuid().optional(),
  channel: z.string().max(20).optional(), tier: z.string().max(20).optional(),
});
export const Counts = z.object({
  met: z.number().int(), breached: z.number().int(), running: z.number().int(), cancelled: z.number().int(),
  rate: z.number().nullable().describe('met / (met + breached); null when nothing finished'),
});
export const Compliance = Counts.extend({
  standardId: z.string(), code: z.string(), name: z.string(), target: z.number(), meetsTarget: z.boolean().nullable(), from: z.string(), to: z.string(),
});
export const BreakdownQuery = z.object({ ...Range, by: z.enum(['team', 'agent', 'channel', 'tier', 'day', 'type', 'priority', 'version']) });
export const Breakdown = z.object({
  standardId: z.string(), by: z.string(), target: z.number(), from: z.string(), to: z.string(),
  items: z.array(Counts.extend({ key: z.string().nullable(), label: z.string().nullable() })),
});
export const SummaryQuery = z.object({ ...Range });
export const Summary = z.object({
  from: z.string(), to: z.string(),
  overall: Counts.describe('standard execution rate across hard timed standards'),
  items: z.array(Counts.extend({ standardId: z.string(), code: z.string(), name: z.string(), target: z.number(), meetsTarget: z.boolean().nullable() })),
});
export const SqiQuery = z.object({
  ...Range,
  standardId: z.uuid().optional(),
  weights: z.string().max(200).optional().describe('override weights, e.g. breach_same_day:1,breach_later_day:3,escalation:2'),
});
export const Sqi = z.object({
  from: z.string(), to: z.string(), timeZone: z.string(),
  weights: z.object({ breach_same_day: z.number(), breach_later_day: z.number(), escalation: z.number() }),
  total: z.number(),
  days: z.array(z.object({
    date: z.string(), index: z.number(),
    failures: z.object({ breach_same_day: z.number().int(), breach_later_day: z.number().int(), escalation: z.number().int() }),
  })),
});

export const ImprovementCreate = z.object({
  cause: z.string().trim().min(1).max(2000).describe('root cause of the class of failure'),
  change: z.string().trim().min(1).max(2000).describe('the one-time fix (一次性修正): technology, policy or procedure'),
  ownerId: z.uuid(),
  dueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD'),
}).strict();
export const ImprovementPatch = ImprovementCreate.partial().extend({ state: z.enum(['open', 'done']).optional() }).strict();
export const ImprovementQuery = z.object({ windowDays: z.coerce.number().int().min(1).max(365).default(30), tz: z.string().max(64).optional() });
const Window = Counts.extend({ from: z.string(), to: z.string() });
export const Improvement = z.object({
  id: z.string(), standardId: z.string(), cause: z.string(), change: z.string(), ownerId: z.string(), ownerName: z.string().nullable(),
  dueDate: z.string(), state: z.enum(['open', 'done']), doneAt: z.string().nullable(), createdAt: z.string(),
  effect: z.object({
    effectiveDate: z.string().describe('the date the change took effect: when marked done, else the due date'),
    windowDays: z.number().int(), before: Window, after: Window, rateChange: z.number().nullable(),
  }).optional(),
});
export const ImprovementParam = z.object({ improvementId: z.uuid() });
