import { z } from 'zod';
import { TICKET_CHANNELS } from '../standards/definition';
import { DIMENSIONS } from './scorecard';

const Text = (max: number) => z.string().trim().min(1).max(max);

export const Scale = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('yesno') }).strict(),
  z.object({ kind: z.literal('points'), max: z.number().int().min(1).max(100) }).strict(),
]);
export const ScorecardItem = z
  .object({
    key: z
      .string()
      .trim()
      .min(1)
      .max(60)
      .regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and -'),
    dimension: z.enum(DIMENSIONS).describe('attitude 态度 · professional 专业能力 · process 流程规范 · environment 环境'),
    label: Text(200),
    weight: z.number().min(0).max(1000),
    scale: Scale,
    allowNa: z.boolean().default(false),
    critical: z.boolean().default(false).describe('一票否决: a zero on this item zeroes the whole score'),
  })
  .strict()
  .meta({ id: 'QaScorecardItem' });

const itemsField = z
  .array(ScorecardItem)
  .min(1)
  .max(100)
  .refine((xs) => new Set(xs.map((x) => x.key)).size === xs.length, 'item keys must be unique')
  .refine((xs) => xs.some((x) => x.weight > 0), 'at least one item needs a weight');

export const ScorecardCreate = z
  .object({
    name: Text(100),
    channel: z.enum(TICKET_CHANNELS).nullable().optional(),
    passMark: z.number().int().min(0).max(100),
    items: itemsField,
  })
  .strict();
export const ScorecardPatch = z
  .object({
    name: Text(100).optional(),
    channel: z.enum(TICKET_CHANNELS).nullable().optional(),
    passMark: z.number().int().min(0).max(100).optional(),
    items: itemsField.optional(),
    active: z.boolean().optional(),
  })
  .strict();
export const Scorecard = z
  .object({
    id: z.uuid(),
    templateKey: z.string().nullable(),
    name: z.string(),
    channel: z.string().nullable(),
    passMark: z.number(),
    items: z.array(ScorecardItem),
    version: z.number(),
    active: z.boolean(),
    updatedAt: z.string(),
  })
  .meta({ id: 'QaScorecard' });
export const ScorecardTemplate = z.object({
  key: z.string(),
  name: z.string(),
  channel: z.string().nullable(),
  passMark: z.number(),
  items: z.array(ScorecardItem),
  adopted: z.boolean(),
});
export const TemplateParam = z.object({ key: z.string().max(40) });

export const InspectionCreate = z.object({ ticketId: z.uuid(), scorecardId: z.uuid() }).strict();
export const Evidence = z.union([
  z
    .object({ replyId: z.uuid(), start: z.number().int().min(0), end: z.number().int().min(0) })
    .strict()
    .describe('a quoted span of a reply (UTF-16 offsets into its body)'),
  z.object({ eventId: z.number().int().positive() }).strict().describe('a pinned timeline event'),
]);
export const ScoreIn = z
  .object({
    item: z.string().max(60),
    score: z.number().nullable().describe('null = N/A (where the item allows it)'),
    evidence: Evidence.optional(),
    note: z.string().trim().max(1000).optional(),
  })
  .strict();
export const Feedback = z
  .object({
    strength: Text(2000).describe('肯定优点 (first)'),
    improvement: Text(2000).describe('指出改进 (then)'),
    encouragement: Text(2000).describe('鼓励期望 (last)'),
  })
  .strict();
export const InspectionSubmit = z.object({ scores: z.array(ScoreIn).max(100), feedback: Feedback }).strict();
export const SubmitResult = z.object({ id: z.uuid(), score: z.number().min(0).max(100), passed: z.boolean(), vetoed: z.boolean() });

const StaffRef = z.object({ id: z.uuid(), name: z.string(), employeeNo: z.string() }).nullable();
export const ScoreOut = z.object({
  item: z.string(),
  score: z.number().nullable(),
  evidence: z
    .object({
      replyId: z.string().optional(),
      start: z.number().optional(),
      end: z.number().optional(),
      quote: z.string().optional(),
      eventId: z.number().optional(),
    })
    .optional(),
  note: z.string().optional(),
});
export const Appeal = z
  .object({
    id: z.uuid(),
    inspectionId: z.uuid(),
    ticketId: z.uuid(),
    ticketNumber: z.string(),
    agent: StaffRef,
    reason: z.string(),
    state: z.enum(['open', 'upheld', 'revised']),
    scoreBefore: z.number(),
    scoreAfter: z.number().nullable(),
    rulingReason: z.string().nullable(),
    ruledBy: StaffRef,
    ruledAt: z.string().nullable(),
    createdAt: z.string(),
    ruling: z
      .object({ state: z.string(), dueAt: z.string().nullable(), breachedAt: z.string().nullable() })
      .nullable()
      .optional()
      .describe('the ruling clock (standard QA-APPEAL, when adopted): due time and state'),
  })
  .meta({ id: 'QaAppeal' });
export const Inspection = z
  .object({
    id: z.uuid(),
    ticketId: z.uuid(),
    ticketNumber: z.string(),
    ticketSubject: z.string(),
    agent: StaffRef,
    inspector: StaffRef,
    scorecard: z.object({ id: z.uuid(), name: z.string(), version: z.number(), passMark: z.number(), items: z.array(ScorecardItem) }),
    state: z.enum(['draft', 'submitted', 'acknowledged', 'appealed', 'ruled']),
    scores: z.array(ScoreOut),
    feedback: Feedback.nullable(),
    firstScore: z.number().nullable(),
    score: z.number().nullable(),
    passed: z.boolean().nullable(),
    submittedAt: z.string().nullable(),
    acknowledgedAt: z.string().nullable(),
    appealDeadline: z.string().nullable(),
    appeal: Appeal.nullable(),
    allowed: z.object({ submit: z.boolean(), acknowledge: z.boolean(), appeal: z.boolean() }),
    createdAt: z.string(),
  })
  .meta({ id: 'QaInspection' });
export const InspectionListQuery = z
  .object({
    mine: z.enum(['agent', 'inspector']).optional().describe('agent: inspections of my work; inspector: the ones I did'),
    agentId: z.uuid().optional(),
    ticketId: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const AppealCreate = z.object({ reason: Text(2000) }).strict();
export const AppealRule = z
  .object({
    decision: z.enum(['upheld', 'revised']),
    score: z.number().min(0).max(100).optional().describe('the revised score (required when revised)'),
    reason: Text(2000),
  })
  .strict();
export const AppealListQuery = z
  .object({ state: z.enum(['open', 'upheld', 'revised']).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) })
  .strict();

// ── coaching ──
export const CoachingTask = z
  .object({
    id: z.uuid(),
    inspectionId: z.uuid(),
    ticketId: z.uuid(),
    ticketNumber: z.string(),
    ticketSubject: z.string(),
    agent: StaffRef,
    items: z.array(z.object({ item: z.string(), label: z.string(), dimension: z.enum(DIMENSIONS), score: z.number(), max: z.number(), critical: z.boolean() })),
    state: z.enum(['open', 'done']),
    note: z.string().nullable(),
    doneBy: StaffRef,
    doneAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'QaCoachingTask' });
export const CoachingListQuery = z
  .object({
    state: z.enum(['open', 'done']).optional(),
    agentId: z.uuid().optional().describe('QA, supervisors and directors only; an agent always sees their own'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export const CoachingComplete = z.object({ note: Text(2000).describe('what the coaching covered') }).strict();

// ── performance ──
export const Weights = z
  .object({ qa: z.number().min(0).max(1), satisfaction: z.number().min(0).max(1), complaints: z.number().min(0).max(1), proposals: z.number().min(0).max(1) })
  .strict()
  .refine((w) => Math.abs(w.qa + w.satisfaction + w.complaints + w.proposals - 1) < 1e-6, 'weights must add up to 1')
  .meta({ id: 'PerformanceWeights' });
const Part = z.object({
  score: z.number().min(0).max(100).nullable().describe('null when the denominator is 0 (left out, the other weights rescaled)'),
  numerator: z.number(),
  denominator: z.number(),
});
export const Performance = z
  .object({
    month: z.string(),
    agent: StaffRef,
    score: z.number().min(0).max(100).nullable(),
    parts: z.object({ qa: Part, satisfaction: Part, complaints: Part, proposals: Part }),
    weights: z.object({ qa: z.number(), satisfaction: z.number(), complaints: z.number(), proposals: z.number() }),
    detail: z.object({ handled: z.number(), complaints: z.number(), resolvedComplaints: z.number(), adopted: z.number(), proposalTarget: z.number() }),
  })
  .meta({ id: 'Performance' });
const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM');
export const PerformanceQuery = z.object({ month: Month, agentId: z.uuid().optional() }).strict();
export const RankingQuery = z.object({ month: Month, teamId: z.uuid().optional() }).strict();
export const Ranking = z.object({ month: z.string(), items: z.array(Performance.extend({ rank: z.number() })) });
export const WeightsBody = z
  .object({
    qa: z.number().min(0).max(1),
    satisfaction: z.number().min(0).max(1),
    complaints: z.number().min(0).max(1),
    proposals: z.number().min(0).max(1),
    proposalTarget: z.number().int().min(1).max(20).optional(),
  })
  .strict()
  .refine((w) => Math.abs(w.qa + w.satisfaction + w.complaints + w.proposals - 1) < 1e-6, { message: 'weights must add up to 1', path: ['qa'] });
export const WeightsOut = z.object({ qa: z.number(), satisfaction: z.number(), complaints: z.number(), proposals: z.number(), proposalTarget: z.number() });

export const ProposalCreate = z.object({ title: Text(200), body: Text(5000) }).strict();
export const ProposalReview = z.object({ decision: z.enum(['adopted', 'declined']), note: z.string().trim().max(2000).optional() }).strict();
export const Proposal = z
  .object({
    id: z.uuid(),
    author: StaffRef,
    title: z.string(),
    body: z.string(),
    state: z.enum(['submitted', 'adopted', 'declined']),
    reviewedBy: StaffRef,
    reviewedAt: z.string().nullable(),
    reviewNote: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Proposal' });
export const ProposalListQuery = z
  .object({
    mine: z.coerce.boolean().optional(),
    state: z.enum(['submitted', 'adopted', 'declined']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

// ── sampling ──
export const PlanCreate = z
  .object({
    name: Text(100),
    teamId: z.uuid().nullable().optional(),
    channel: z.enum(TICKET_CHANNELS).nullable().optional(),
    period: z.enum(['week', 'month']),
    sharePercent: z.number().min(0).max(100),
    minPerWeek: z.number().int().min(0).max(50).default(0),
    mandatory: z
      .object({
        complaints: z.boolean().default(true),
        csatAtMost: z.number().int().min(1).max(5).nullable().default(2),
        breached: z.boolean().default(true),
        criticalHits: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    scorecardId: z.uuid().nullable().optional(),
  })
  .strict();
export const Plan = z
  .object({
    id: z.uuid(),
    name: z.string(),
    teamId: z.string().nullable(),
    channel: z.string().nullable(),
    period: z.string(),
    sharePercent: z.number(),
    minPerWeek: z.number(),
    mandatory: z.object({ complaints: z.boolean(), csatAtMost: z.number().nullable(), breached: z.boolean(), criticalHits: z.boolean() }),
    scorecardId: z.string().nullable(),
  })
  .meta({ id: 'QaSamplingPlan' });
export const DrawBody = z.object({ periodStart: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD'), seed: z.number().int().optional() }).strict();
export const Sample = z.object({
  id: z.uuid(),
  ticketId: z.uuid(),
  ticketNumber: z.string(),
  agent: StaffRef,
  inspector: StaffRef,
  reason: z.enum(['complaint', 'low_csat', 'breached', 'critical_hit', 'random', 'minimum']),
  state: z.enum(['queued', 'done']),
  planId: z.uuid(),
});
export const QueueQuery = z.object({ all: z.coerce.boolean().optional(), limit: z.coerce.number().int().min(1).max(200).default(100) }).strict();

export type ScorecardCreateInput = z.infer<typeof ScorecardCreate>;
export type ScorecardPatchInput = z.infer<typeof ScorecardPatch>;
export type InspectionSubmitInput = z.infer<typeof InspectionSubmit>;
export type PlanCreateInput = z.infer<typeof PlanCreate>;

// ── dashboard ──
export const StatsQuery = z
  .object({
    from: Month.optional().describe('first month (default: two months before `to`)'),
    to: Month.optional().describe('last month (default: this month)'),
    teamId: z.uuid().optional(),
  })
  .strict();
/** The filters of a drill-down: the figure of the dashboard whose inspections to list. */
const DrillFilters = {
  agentId: z.uuid().optional().describe('one agent’s inspections'),
  month: Month.optional().describe('one month’s inspections'),
  dimension: z.enum(DIMENSIONS).optional().describe('inspections with a scored item of the dimension'),
  item: z.string().min(1).max(64).optional().describe('inspections where the item (key) was scored (not N/A)'),
  label: z.string().min(1).max(200).optional().describe('with item: only the scorecard versions with this label'),
  failed: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('with item: only those where it scored below 60 % of its maximum'),
  appeal: z.enum(['filed', 'open', 'upheld', 'revised']).optional().describe('inspections with an appeal (filed), or one in this state'),
};
export const StatsDrillQuery = StatsQuery.extend(DrillFilters).strict();
export const StatsDrill = z
  .object({
    from: z.string(),
    to: z.string(),
    total: z.number().int().describe('all the inspections behind the figure (items: the newest 500)'),
    items: z.array(
      z.object({
        id: z.uuid(),
        ticketId: z.uuid(),
        agent: z.object({ id: z.string(), name: z.string(), employeeNo: z.string() }),
        team: z.object({ id: z.string(), name: z.string() }).nullable(),
        month: z.string(),
        submittedAt: z.string(),
        score: z.number().nullable(),
        passed: z.boolean().nullable(),
        appeal: z.enum(['open', 'upheld', 'revised']).nullable(),
      }),
    ),
  })
  .meta({ id: 'QaStatsDrill' });
export const StatsExportQuery = StatsQuery.extend({
  ...DrillFilters,
  format: z.enum(['csv', 'xlsx']),
  table: z
    .enum(['agents', 'items', 'teams', 'dimensions', 'months', 'inspections'])
    .optional()
    .describe('the table of a .csv (default: agents); inspections: the drill-down list (filters as GET /qa/stats/inspections), also as .xlsx'),
  lang: z.enum(['zh-CN', 'en']).optional().describe("language of the headings (default: the requester's language)"),
}).strict();
const Figures = { n: z.number(), average: z.number().nullable(), passRate: z.number().nullable() };
export const Stats = z
  .object({
    from: z.string(),
    to: z.string(),
    teamId: z.string().nullable(),
    ...Figures,
    dimensions: z.array(z.object({ dimension: z.enum(DIMENSIONS), n: z.number(), average: z.number().nullable() })),
    items: z.array(
      z.object({
        item: z.string(),
        label: z.string(),
        dimension: z.enum(DIMENSIONS),
        n: z.number(),
        average: z.number(),
        failed: z.number().describe('scored below 60 % of the item’s maximum'),
        failRate: z.number(),
      }),
    ),
    agents: z.array(z.object({ agent: z.object({ id: z.uuid(), name: z.string(), employeeNo: z.string() }), ...Figures })),
    teams: z.array(z.object({ teamId: z.string().nullable(), name: z.string(), ...Figures })),
    months: z.array(z.object({ month: z.string(), ...Figures })),
    appeals: z.object({
      filed: z.number(),
      rate: z.number().nullable().describe('appeals per 100 inspections'),
      open: z.number(),
      upheld: z.number(),
      revised: z.number(),
      averageChange: z.number().nullable().describe('mean score change of the revised ones'),
    }),
  })
  .meta({ id: 'QaStats' });

// ── calibration (校准) ──
const uniqueIds = (min: number, max: number) =>
  z
    .array(z.uuid())
    .min(min)
    .max(max)
    .refine((xs) => new Set(xs).size === xs.length, 'no duplicates');
export const CalibrationCreate = z
  .object({
    name: Text(100),
    scorecardId: z.uuid().describe('scored on its current version, kept for the whole session'),
    ticketIds: uniqueIds(1, 10).describe('1–10 tickets every inspector scores'),
    inspectorIds: uniqueIds(2, 20).describe('2+ inspectors (QA or supervisors)'),
    dueAt: z.iso.datetime({ offset: true }),
  })
  .strict();
export const CalibrationScoreIn = z
  .object({ item: z.string().max(60), score: z.number().nullable().describe('null = N/A (where the item allows it)') })
  .strict();
export const CalibrationScoresBody = z
  .object({ ticketId: z.uuid(), scores: z.array(CalibrationScoreIn).max(100) })
  .strict()
  .describe('one ticket scored item by item (again while the session is open: replaces the earlier scores)');
export const CalibrationReferenceBody = z
  .object({ ticketId: z.uuid(), scores: z.array(CalibrationScoreIn).max(100).nullable().describe('null removes the reference') })
  .strict();
export const CalibrationListQuery = z
  .object({ state: z.enum(['open', 'closed']).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) })
  .strict();
const CalibrationInspector = z.object({ id: z.uuid(), name: z.string(), employeeNo: z.string(), scored: z.number().int() });
export const CalibrationSummary = z
  .object({
    id: z.uuid(),
    name: z.string(),
    scorecardId: z.uuid(),
    scorecardName: z.string(),
    scorecardVersion: z.number().int(),
    state: z.enum(['open', 'closed']),
    dueAt: z.string(),
    tickets: z.array(z.object({ id: z.uuid(), number: z.string(), subject: z.string() })),
    inspectors: z.array(CalibrationInspector).describe('scored: how many tickets each has scored (never the scores while open)'),
    createdBy: StaffRef,
    closedAt: z.string().nullable(),
    agreementMad: z.number().nullable().describe('mean absolute deviation from the consensus, points on a 0–100 scale'),
    agreementIcc: z.number().nullable().describe('ICC(2,1), absolute agreement, single rater'),
    createdAt: z.string(),
    allowed: z.object({ score: z.boolean(), close: z.boolean(), reference: z.boolean() }),
  })
  .meta({ id: 'QaCalibrationSummary' });
const CalibrationItemResult = z.object({
  item: z.string(),
  max: z.number(),
  scores: z.array(z.object({ inspectorId: z.uuid(), score: z.number().nullable() })),
  low: z.number().nullable(),
  high: z.number().nullable(),
  stdev: z.number().nullable().describe('population standard deviation, item points'),
  consensus: z.number().nullable(),
  reference: z.boolean().describe('the consensus is the lead’s reference score'),
});
export const CalibrationResults = z.object({
  tickets: z.array(
    z.object({
      ticketId: z.uuid(),
      items: z.array(CalibrationItemResult),
      totals: z.array(z.object({ inspectorId: z.uuid(), score: z.number().nullable() })),
      consensusTotal: z.number().nullable(),
    }),
  ),
  inspectors: z.array(z.object({ inspectorId: z.uuid(), mad: z.number().nullable(), n: z.number().int() })),
  mad: z.number().nullable(),
  icc: z.number().nullable(),
});
export const Calibration = CalibrationSummary.extend({
  items: z.array(ScorecardItem).describe('the scorecard version of the session'),
  passMark: z.number(),
  mine: z
    .array(z.object({ ticketId: z.uuid(), scores: z.array(z.object({ item: z.string(), score: z.number().nullable() })) }))
    .describe('the caller’s own scores'),
  references: z.array(z.object({ ticketId: z.uuid(), scores: z.array(z.object({ item: z.string(), score: z.number().nullable() })) })),
  results: CalibrationResults.nullable().describe('null while the session is open: scoring is blind'),
}).meta({ id: 'QaCalibration' });
export const CalibrationList = z.object({
  items: z.array(CalibrationSummary),
  candidates: z
    .array(z.object({ id: z.uuid(), name: z.string(), employeeNo: z.string() }))
    .describe('who may be an inspector (QA and supervisors); leads only'),
});
export const CalibrationAgreement = z.object({
  items: z.array(
    z.object({
      id: z.uuid(),
      name: z.string(),
      closedAt: z.string(),
      mad: z.number().nullable(),
      icc: z.number().nullable(),
      inspectors: z.number().int(),
      tickets: z.number().int(),
    }),
  ),
});

// ── peer review (互评) ──
const PeerItem = z
  .object({
    key: z
      .string()
      .trim()
      .min(1)
      .max(60)
      .regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and -'),
    label: Text(200),
  })
  .strict();
const PeerScore = z.object({ item: z.string().max(60), score: z.number().int().min(1).max(5) }).strict();
export const PeerRoundCreate = z
  .object({
    name: Text(100),
    teamId: z.uuid(),
    perAgent: z.number().int().min(1).max(10).describe('colleagues’ tickets each agent scores'),
    from: z.iso.datetime({ offset: true }).describe('tickets created from (inclusive)'),
    to: z.iso.datetime({ offset: true }).describe('…to (exclusive)'),
    items: z
      .array(PeerItem)
      .min(1)
      .max(6)
      .refine((xs) => new Set(xs.map((x) => x.key)).size === xs.length, 'item keys must be unique')
      .describe('a few items, each scored 1–5'),
  })
  .strict();
export const PeerRoundListQuery = z.object({ teamId: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(100).default(20) }).strict();
const PersonRef = z.object({ id: z.uuid(), name: z.string(), employeeNo: z.string() });
export const PeerRound = z
  .object({
    id: z.uuid(),
    name: z.string(),
    teamId: z.uuid(),
    items: z.array(PeerItem),
    perAgent: z.number().int(),
    from: z.string(),
    to: z.string(),
    state: z.enum(['open', 'closed']),
    assigned: z.number().int(),
    submitted: z.number().int(),
    results: z.array(
      z.object({
        agentId: z.uuid(),
        agent: PersonRef,
        n: z.number().int(),
        mean: z.number().nullable(),
        items: z.array(z.object({ item: z.string(), mean: z.number().nullable() })),
      }),
    ),
    reviews: z.array(
      z.object({
        id: z.uuid(),
        reviewer: PersonRef,
        agent: PersonRef,
        ticketNumber: z.string(),
        scores: z.array(PeerScore).nullable(),
        comment: z.string().nullable(),
        submittedAt: z.string().nullable(),
      }),
    ),
    createdAt: z.string(),
  })
  .meta({ id: 'QaPeerRound' });
export const PeerReviewSubmit = z.object({ scores: z.array(PeerScore).max(6), comment: z.string().trim().max(1000).optional() }).strict();
export const MyPeerReviews = z.object({
  toReview: z
    .array(
      z.object({
        id: z.uuid(),
        round: z.object({ id: z.uuid(), name: z.string(), state: z.enum(['open', 'closed']) }),
        items: z.array(PeerItem),
        subject: z.string(),
        description: z.string(),
        conversation: z.array(z.object({ from: z.enum(['customer', 'agent']), body: z.string(), at: z.string() })),
        scores: z.array(PeerScore).nullable(),
        comment: z.string().nullable(),
        submittedAt: z.string().nullable(),
      }),
    )
    .describe('colleagues’ tickets to score, anonymised: no ticket number, no names'),
  received: z
    .array(
      z.object({
        id: z.uuid(),
        round: z.object({ id: z.uuid(), name: z.string() }),
        items: z.array(PeerItem),
        ticketId: z.uuid(),
        ticketNumber: z.string(),
        scores: z.array(PeerScore),
        comment: z.string().nullable(),
        submittedAt: z.string(),
      }),
    )
    .describe('scores on the caller’s own tickets; the reviewer is hidden'),
});
