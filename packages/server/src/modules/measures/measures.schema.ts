import { z } from 'zod';
import { DRILL_MEASURES } from './measures.commands';

// ─── measures as presented (query.ts present) ───
export const Ratio = z.object({ value: z.number().nullable(), numerator: z.number(), denominator: z.number() }).meta({ id: 'MeasureRatio' });
export const KbRatio = z
  .object({ value: z.number().nullable(), numerator: z.number().nullable(), denominator: z.number() })
  .meta({ id: 'MeasureKnowledgeRatio' });
export const Pct = z.object({ p50: z.number().nullable(), p90: z.number().nullable(), count: z.number() }).meta({ id: 'MeasurePercentiles' });
export const NpsOut = z
  .object({ value: z.number().nullable(), promoters: z.number(), detractors: z.number(), passives: z.number(), count: z.number() })
  .meta({ id: 'MeasureNps' });
export const MeanOut = z.object({ value: z.number().nullable(), sum: z.number(), count: z.number() }).meta({ id: 'MeasureMean' });
export const Presented = z
  .object({
    csat: Ratio,
    nps: NpsOut,
    ces: MeanOut,
    fcr: Ratio,
    standardExecutionRate: Ratio,
    complaintRate: Ratio,
    complaintResolutionRate: Ratio,
    recoveryRate: Ratio,
    knowledgeApplicationRate: KbRatio,
    firstResponseSeconds: Pct,
    resolutionSeconds: Pct,
    tickets: z.number(),
    resolved: z.number(),
  })
  .meta({ id: 'MeasureValues' });
export const Target = z
  .object({
    target: z.number().nullable(),
    direction: z.enum(['min', 'max']),
    windowDays: z.number(),
    minCount: z.number(),
    below: z.boolean(),
    lastValue: z.number().nullable(),
    alertedAt: z.string().nullable(),
  })
  .meta({ id: 'MeasureTarget' });
export const TargetItem = Target.extend({ measure: z.string() }).meta({ id: 'MeasureTargetItem' });

// ─── queries ───
export const Period = {
  from: z.string().optional().describe('YYYY-MM-DD (local day start) or ISO instant; default 30 days before `to`'),
  to: z.string().optional().describe('YYYY-MM-DD (inclusive local day) or ISO instant; default now'),
  tz: z.string().optional().describe("IANA time zone for dates and day/week/month groups (default: the organisation's time zone)"),
};
export const FilterQ = {
  teamId: z.uuid().optional(),
  agentId: z.uuid().optional(),
  channel: z.string().max(40).optional(),
  type: z.string().max(40).optional(),
  tier: z.string().max(40).optional(),
  categoryId: z.uuid().optional(),
  site: z.string().max(200).optional(),
};
export const MeasuresQ = z.object({
  ...Period,
  ...FilterQ,
  groupBy: z.string().max(40).optional().describe('up to two of day, week, month, team, agent, channel, type, tier, category, site (e.g. month,team)'),
  source: z.enum(['auto', 'rollup', 'facts']).optional().describe('auto (default): a rollup cube when one covers the query, else the facts tables'),
  percentiles: z
    .enum(['true', 'false'])
    .optional()
    .describe('false: skip P50/P90 (exact percentiles read the facts of the whole period; long trends are faster without)'),
  knowledge: z.enum(['true', 'false']).optional().describe('false: skip the knowledge application rate (it reads the facts and kb_usage)'),
});
export const DrillQuery = MeasuresQ.omit({ groupBy: true, source: true, percentiles: true, knowledge: true }).extend({
  measure: z.enum(DRILL_MEASURES),
  part: z.enum(['numerator', 'denominator', 'detractors']).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().max(20).optional(),
});

// ─── responses ───
export const Summary = z
  .object({
    csat: z.number().nullable(),
    nps: z.number().nullable(),
    ces: z.number().nullable(),
    fcr: z.number().nullable(),
    standardExecutionRate: z.number().nullable(),
    complaintRate: z.number().nullable(),
    complaintResolutionRate: z.number().nullable(),
    firstResponseSecondsP50: z.number().nullable(),
    resolutionSecondsP50: z.number().nullable(),
    tickets: z.number(),
    firstResponseSecondsP90: z.number().nullable(),
    resolutionSecondsP90: z.number().nullable(),
    knowledgeApplicationRate: z.number().nullable(),
    recoveryRate: z.number().nullable(),
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    source: z.enum(['rollup', 'facts']),
    counts: z.object({
      csat: Ratio,
      nps: NpsOut,
      ces: MeanOut,
      fcr: Ratio,
      standardExecutionRate: Ratio,
      complaintRate: Ratio,
      complaintResolutionRate: Ratio,
      recoveryRate: Ratio,
      knowledgeApplicationRate: KbRatio,
      firstResponse: Pct,
      resolution: Pct,
      resolved: z.number(),
    }),
  })
  .meta({ id: 'MetricsSummary' });
export const MeasuresResult = z
  .object({
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    groupBy: z.array(z.string()),
    filters: z.record(z.string(), z.string()),
    source: z.enum(['rollup', 'facts']),
    cube: z.number().nullable(),
    version: z.number(),
    total: Presented,
    rows: z.array(Presented.extend({ key: z.record(z.string(), z.string().nullable()), labels: z.record(z.string(), z.string().nullable()) })),
    targets: z.record(z.string(), Target),
  })
  .meta({ id: 'MeasuresResult' });
export const VersionProbe = z.object({ version: z.number(), updatedAt: z.string().nullable(), pending: z.number() }).meta({ id: 'MeasuresVersion' });
export const DrillPage = z
  .object({
    total: z.number(),
    nextCursor: z.string().nullable(),
    items: z.array(
      z.object({
        id: z.string(),
        number: z.string(),
        subject: z.string(),
        type: z.string(),
        channel: z.string(),
        status: z.string(),
        teamId: z.string().nullable(),
        teamName: z.string().nullable(),
        ownerId: z.string().nullable(),
        ownerName: z.string().nullable(),
        createdAt: z.string(),
        resolvedAt: z.string().nullable(),
        value: z.number().nullable(),
      }),
    ),
  })
  .meta({ id: 'MeasureDrillPage' });
export const Distribution = z
  .object({
    measure: z.enum(['firstResponse', 'resolution']),
    from: z.string(),
    to: z.string(),
    p50: z.number().nullable(),
    p90: z.number().nullable(),
    count: z.number(),
    buckets: z.array(z.object({ fromSeconds: z.number(), toSeconds: z.number().nullable(), count: z.number() })),
  })
  .meta({ id: 'MeasureDistribution' });
export const Backlog = z
  .object({
    total: z.number(),
    byStatus: z.array(z.object({ status: z.string(), count: z.number(), oldestCreatedAt: z.string().nullable() })),
  })
  .meta({ id: 'MeasuresBacklog' });
export const Board = z
  .object({
    teamId: z.string().nullable(),
    overloadThreshold: z.number(),
    withinMinutes: z.number(),
    at: z.string(),
    backlog: Backlog,
    agents: z.array(z.object({ id: z.string(), name: z.string(), onDuty: z.boolean(), open: z.number(), urgent: z.number(), overloaded: z.boolean() })),
    averageOpen: z.number(),
    clocks: z.array(
      z.object({
        id: z.string(),
        code: z.string(),
        state: z.enum(['running', 'breached']),
        dueAt: z.string().nullable(),
        ticketId: z.string(),
        number: z.string(),
        subject: z.string(),
        ownerName: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'MeasuresBoard' });
const Pareto = z
  .object({
    total: z.number(),
    items: z.array(z.object({ key: z.string().nullable(), label: z.string().nullable(), count: z.number(), share: z.number(), cumulative: z.number() })),
  })
  .meta({ id: 'MeasuresPareto' });
export const Complaints = z
  .object({
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    byCategory: Pareto,
    byCause: Pareto,
    repeats: z.array(
      z.object({
        site: z.string(),
        categoryId: z.string().nullable(),
        category: z.string().nullable(),
        count: z.number(),
        ticketIds: z.array(z.string()),
        types: z.array(z.string()),
      }),
    ),
  })
  .meta({ id: 'MeasuresComplaints' });

// ─── TV wall ───
export const WallToken = z
  .object({
    id: z.string(),
    name: z.string(),
    teamId: z.string().nullable(),
    expiresAt: z.string(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    createdAt: z.string(),
    active: z.boolean(),
  })
  .meta({ id: 'MeasuresWallToken' });
export const WallTokenCreated = z
  .object({
    id: z.string(),
    name: z.string(),
    teamId: z.string().nullable(),
    expiresAt: z.string(),
    token: z.string().describe('shown once'),
    url: z.string(),
  })
  .meta({ id: 'MeasuresWallTokenCreated' });
export const WallTokenCreate = z.object({
  name: z.string().trim().min(1).max(100),
  teamId: z.uuid().nullable().optional(),
  expiresInDays: z.number().int().min(1).max(366).optional(),
});
export const Wall = z
  .object({
    name: z.string(),
    teamName: z.string().nullable(),
    at: z.string(),
    version: z.number(),
    today: Presented,
    week: Presented,
    trend: z.array(Presented.extend({ day: z.string().nullable().optional() })),
    board: z.object({
      backlog: Backlog,
      overloaded: z.array(z.object({ name: z.string(), open: z.number() })),
      clocks: z.array(z.object({ code: z.string(), state: z.enum(['running', 'breached']), dueAt: z.string().nullable(), number: z.string() })),
    }),
    targets: z.record(z.string(), Target),
  })
  .meta({ id: 'MeasuresWall' });

// ─── scheduled reports ───
export const ReportBody = z.object({
  name: z.string().trim().min(1).max(100),
  frequency: z.enum(['daily', 'weekly']),
  hour: z.number().int().min(0).max(23).default(8),
  weekday: z.number().int().min(1).max(7).nullable().optional(),
  timeZone: z.string().max(60).optional().describe("IANA time zone (default: the organisation's time zone)"),
  channel: z.enum(['email', 'webhook']),
  target: z.string().trim().min(3).max(500),
  filters: z.object({ teamId: z.uuid().optional(), channel: z.string().max(40).optional(), type: z.string().max(40).optional() }).default({}),
  locale: z.enum(['zh-CN', 'en']).default('zh-CN'),
});
export const Report = z
  .object({
    id: z.string(),
    name: z.string(),
    frequency: z.enum(['daily', 'weekly']),
    hour: z.number(),
    weekday: z.number().nullable(),
    timeZone: z.string(),
    channel: z.enum(['email', 'webhook']),
    target: z.string().describe('masked'),
    filters: z.record(z.string(), z.string()),
    locale: z.string(),
    active: z.boolean(),
    nextRunAt: z.string().nullable(),
    lastRunAt: z.string().nullable(),
    lastStatus: z.string().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string().nullable(),
  })
  .meta({ id: 'MeasuresReport' });
export const ReportSent = z.object({ status: z.enum(['sent', 'failed']), error: z.string().nullable(), bytes: z.number() }).meta({ id: 'MeasuresReportSent' });
