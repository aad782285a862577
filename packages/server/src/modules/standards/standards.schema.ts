import { z } from 'zod';
import { MEASURE_KEYS } from '@chidu/core/measures/index';
import { TEMPLATE_GROUPS } from './templates.catalogue';
import {
  CHECKPOINT_NODES,
  CountSchema,
  DEADLINE_KINDS,
  EscalationSchema,
  MEASURES,
  RATE_METRICS,
  CHECKLIST_STEPS,
  StandardCreate,
  StandardFields,
  StandardPatch,
} from './definition';

export { StandardCreate, StandardPatch };

const strs = z.array(z.string()).optional();
const AppliesToOut = z.object({
  types: strs,
  priorities: strs,
  tiers: strs,
  channels: strs,
  teams: strs,
  vip: z.boolean().optional(),
  assistance: z.boolean().optional(),
});
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
  deadline: z.enum(DEADLINE_KINDS),
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
  survey: z
    .object({ measure: z.enum(['csat', 'nps', 'ces']), aggregate: z.enum(['mean', 'share']), threshold: z.number(), minSample: z.number().int() })
    .nullable(),
  rate: z.object({ metric: z.enum(RATE_METRICS), period: z.enum(['day', 'week', 'month']), minSample: z.number().int() }).nullable(),
  timeOfDay: z.object({ at: z.string(), businessDaysAfter: z.number().int(), cutoff: z.string().nullable() }).nullable(),
  count: CountSchema.nullable(),
  checkpoint: z.enum(CHECKPOINT_NODES).nullable(),
  checklist: z.enum(CHECKLIST_STEPS).nullable().describe('audit standards: the checklist step they are judged from'),
});

export const Standard = Definition.extend({
  id: z.string(),
  code: z.string(),
  version: z.number().int(),
  active: z.boolean(),
  templateKey: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).meta({ id: 'Standard' });

export const StandardVersion = z
  .object({ version: z.number().int(), createdAt: z.string(), createdBy: z.string().nullable(), definition: Definition })
  .meta({ id: 'StandardVersion' });

export const StandardListQuery = z.object({
  active: z.enum(['true', 'false']).optional(),
  encounter: z.string().max(100).optional(),
  kind: z.enum(['hard', 'soft']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
  cursor: z.uuid().optional(),
});

export const Template = z
  .object({
    key: z.string(),
    code: z.string(),
    group: z.enum(TEMPLATE_GROUPS).describe('gallery group: encounter / industry'),
    source: z.string().describe('zh-CN: seed file + section the figure comes from'),
    definition: Definition,
  })
  .meta({ id: 'StandardTemplate' });
export const TargetTemplate = z
  .object({
    key: z.string(),
    group: z.literal('targets'),
    name: z.string(),
    measure: z.enum(MEASURE_KEYS),
    target: z.number().describe('rates as fractions 0..1, NPS as points'),
    direction: z.enum(['min', 'max']),
    source: z.string(),
    note: z.string(),
    current: z.number().nullable().describe('the measure target in force now'),
    inForce: z.boolean().describe("the measure's current target equals this template's"),
  })
  .meta({ id: 'MeasureTargetTemplate' });
export const Templates = z.object({ items: z.array(Template), targets: z.array(TargetTemplate) });
export const TemplateKeyParam = z.object({ key: z.string().regex(/^[a-z0-9-]{1,64}$/) });
export const Adopt = StandardFields.partial()
  .extend({
    code: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 letters, digits, _ . or -')
      .optional(),
    active: z.boolean().optional(),
  })
  .strict()
  .nullable()
  .optional();

const Range = {
  from: z.string().max(40).optional().describe('ISO instant, or YYYY-MM-DD (start of that local day); default 30 days ago'),
  to: z.string().max(40).optional().describe('ISO instant (exclusive), or YYYY-MM-DD (inclusive, to the end of that local day); default now'),
  tz: z.string().max(64).optional().describe("zone for dates and days (default: the organisation's time zone)"),
};
export const ComplianceQuery = z.object({
  ...Range,
  teamId: z.uuid().optional(),
  agentId: z.uuid().optional(),
  channel: z.string().max(20).optional(),
  tier: z.string().max(20).optional(),
});
export const Counts = z.object({
  met: z.number().int(),
  breached: z.number().int(),
  running: z.number().int(),
  cancelled: z.number().int(),
  rate: z.number().nullable().describe('met / (met + breached); null when nothing finished'),
});
// Soft and measured standards: judged from survey answers or a measures rate (issue #13 items 4 and 5).
export const SoftResult = z
  .object({
    measure: z.enum(['csat', 'nps', 'ces']),
    aggregate: z.enum(['mean', 'share']),
    threshold: z.number(),
    minSample: z.number().int(),
    value: z.number().nullable().describe('mean: the average answer; share: the share (0..1) of answers ≥ threshold'),
    numerator: z.number().describe('mean: sum of the answers; share: answers ≥ threshold'),
    count: z.number().int().describe('answers in the period'),
    goal: z.number().describe('what value is compared with: threshold (mean) or target (share)'),
    scaleMax: z.number(),
    insufficientSample: z.boolean().describe('fewer answers than minSample: 样本不足, neither met nor failed'),
    met: z.boolean().nullable(),
  })
  .meta({ id: 'StandardSoftResult' });
export const MeasuredResult = z
  .object({
    metric: z.enum(RATE_METRICS),
    period: z.enum(['day', 'week', 'month']),
    minSample: z.number().int(),
    value: z.number().nullable(),
    numerator: z.number(),
    denominator: z.number(),
    target: z.number(),
    insufficientSample: z.boolean(),
    met: z.boolean().nullable(),
  })
  .meta({ id: 'StandardMeasuredResult' });
export const AuditResult = z
  .object({
    checklist: z.enum(CHECKLIST_STEPS).describe('the checklist step of repair/order tickets the audit is judged from'),
    value: z.number().nullable().describe('numerator / denominator'),
    numerator: z.number().describe('resolved repair/order tickets in the period whose step was recorded in time'),
    denominator: z.number().describe('resolved repair/order tickets in the period'),
    target: z.number(),
    insufficientSample: z.boolean(),
    met: z.boolean().nullable(),
  })
  .meta({ id: 'StandardAuditResult' });
const Judged = {
  measure: z.enum(MEASURES),
  soft: SoftResult.nullable().describe('soft standards (measure survey): mean or share of the answers in the period'),
  measured: MeasuredResult.nullable().describe('measured standards (measure operating_data with a rate): the rate in the period'),
  audit: AuditResult.nullable()
    .optional()
    .describe('audit standards judged from a checklist step: resolved repair/order tickets with the step recorded in time ÷ all'),
};
export const Compliance = Counts.extend({
  standardId: z.string(),
  code: z.string(),
  name: z.string(),
  target: z.number(),
  meetsTarget: z.boolean().nullable(),
  ...Judged,
  from: z.string(),
  to: z.string(),
}).meta({ id: 'StandardCompliance' });
export const BreakdownQuery = z.object({ ...Range, by: z.enum(['team', 'agent', 'channel', 'tier', 'day', 'type', 'priority', 'version']) });
export const Breakdown = z
  .object({
    standardId: z.string(),
    by: z.string(),
    target: z.number(),
    from: z.string(),
    to: z.string(),
    items: z.array(Counts.extend({ key: z.string().nullable(), label: z.string().nullable() })),
  })
  .meta({ id: 'StandardComplianceBreakdown' });
export const SummaryQuery = z.object({ ...Range });
export const Summary = z
  .object({
    from: z.string(),
    to: z.string(),
    overall: Counts.describe('standard execution rate across hard timed standards'),
    items: z.array(
      Counts.extend({ standardId: z.string(), code: z.string(), name: z.string(), target: z.number(), meetsTarget: z.boolean().nullable(), ...Judged }),
    ),
  })
  .meta({ id: 'StandardsComplianceSummary' });
export const SqiQuery = z.object({
  ...Range,
  standardId: z.uuid().optional(),
  weights: z.string().max(200).optional().describe('override weights, e.g. breach_same_day:1,breach_later_day:3,escalation:2'),
});
export const Sqi = z
  .object({
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    weights: z.object({ breach_same_day: z.number(), breach_later_day: z.number(), escalation: z.number() }),
    total: z.number(),
    days: z.array(
      z.object({
        date: z.string(),
        index: z.number(),
        failures: z.object({ breach_same_day: z.number().int(), breach_later_day: z.number().int(), escalation: z.number().int() }),
      }),
    ),
  })
  .meta({ id: 'StandardsSqi' });

export const ImprovementCreate = z
  .object({
    cause: z.string().trim().min(1).max(2000).describe('root cause of the class of failure'),
    change: z.string().trim().min(1).max(2000).describe('the one-time fix (一次性修正): technology, policy or procedure'),
    ownerId: z.uuid(),
    dueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD'),
  })
  .strict();
export const ImprovementPatch = ImprovementCreate.partial()
  .extend({ state: z.enum(['open', 'done']).optional() })
  .strict();
export const ImprovementQuery = z.object({ windowDays: z.coerce.number().int().min(1).max(365).default(30), tz: z.string().max(64).optional() });
const Window = Counts.extend({ from: z.string(), to: z.string() });
export const Improvement = z
  .object({
    id: z.string(),
    standardId: z.string(),
    cause: z.string(),
    change: z.string(),
    ownerId: z.string(),
    ownerName: z.string().nullable(),
    dueDate: z.string(),
    state: z.enum(['open', 'done']),
    doneAt: z.string().nullable(),
    createdAt: z.string(),
    effect: z
      .object({
        effectiveDate: z.string().describe('the date the change took effect: when marked done, else the due date'),
        windowDays: z.number().int(),
        before: Window,
        after: Window,
        rateChange: z.number().nullable(),
      })
      .optional(),
  })
  .meta({ id: 'StandardImprovement' });
export const ImprovementParam = z.object({ improvementId: z.uuid() });

// ─── the clocks behind a compliance number ───
export const INSTANCE_STATES = ['met', 'breached', 'running', 'cancelled'] as const;

export const InstanceQuery = z.object({
  from: z.string().max(40).optional().describe('ISO instant, or YYYY-MM-DD (start of that local day); default 30 days ago'),
  to: z.string().max(40).optional().describe('ISO instant (exclusive), or YYYY-MM-DD (inclusive); default now'),
  tz: z.string().max(64).optional(),
  state: z.enum(INSTANCE_STATES).optional().describe('running includes paused clocks (as in compliance)'),
  teamId: z.uuid().optional(),
  agentId: z.uuid().optional(),
  channel: z.string().max(20).optional(),
  tier: z.string().max(20).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.uuid().optional(),
});
export type InstanceQueryInput = z.infer<typeof InstanceQuery>;

export const Instance = z
  .object({
    id: z.string(),
    ticketId: z.string(),
    ticketNumber: z.string(),
    ticketSubject: z.string(),
    state: z.string(),
    paused: z.boolean(),
    cycle: z.number().int(),
    version: z.number().int(),
    startedAt: z.string(),
    dueAt: z.string().nullable(),
    metAt: z.string().nullable(),
    breachedAt: z.string().nullable(),
    endedAt: z.string().nullable(),
    endReason: z.string().nullable(),
    late: z.boolean(),
    escalationsSent: z.number().int(),
    ownerId: z.string().nullable(),
    ownerName: z.string().nullable(),
    teamId: z.string().nullable(),
    teamName: z.string().nullable(),
    channel: z.string().nullable(),
    tier: z.string().nullable(),
  })
  .meta({ id: 'StandardInstance' });
export const InstancePage = z.object({ items: z.array(Instance), nextCursor: z.string().nullable() }).meta({ id: 'StandardInstancePage' });

const CheckpointStandard = z.object({ id: z.string(), code: z.string(), name: z.string() }).nullable();
export const CheckpointStandards = z.object({ items: z.array(z.object({ node: z.enum(CHECKPOINT_NODES), standard: CheckpointStandard })) });
export const TicketCheckpoints = z
  .object({
    items: z.array(
      z.object({
        node: z.enum(CHECKPOINT_NODES),
        standard: CheckpointStandard,
        state: z.enum(['passed', 'failed', 'pending', 'not_applicable']),
        at: z.string().nullable().describe('when it passed or failed'),
        dueAt: z.string().nullable(),
        observed: z.number().int().nullable(),
        limit: z.number().int().nullable(),
      }),
    ),
  })
  .meta({ id: 'TicketCheckpoints', description: '服务质量监控点: the checkpoint row of a ticket (first response, solution confirmed, resolution confirmed)' });
