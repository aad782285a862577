import { z } from 'zod';
import { TICKET_TYPES } from '../standards/definition';

export const QUESTION_KINDS = ['csat', 'nps', 'ces', 'scale', 'choice', 'text'] as const;
export const SURVEY_TRIGGERS = ['ticket.resolved', 'field.visit_completed', 'complaint.closed'] as const;
/** `customer`: the customer's own channel, chosen when sent (the ticket's channel first, then WeChat, e-mail, SMS). */
export const SURVEY_CHANNELS = ['link', 'sms', 'wechat', 'email', 'customer'] as const;

const label = z.string().trim().min(1).max(200);
export const Question = z
  .object({
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
    agree: z
      .object({ min: z.number().optional(), max: z.number().optional(), options: z.array(label).max(12).optional() })
      .strict()
      .optional(),
  })
  .strict();
export type QuestionIn = z.infer<typeof Question>;

export const Rules = z
  .object({
    triggers: z.array(z.enum(SURVEY_TRIGGERS)).min(1).max(3).default(['ticket.resolved']),
    /** 0 = send at once (default); 604800 = 7-day revisit. */
    delaySeconds: z
      .number()
      .int()
      .min(0)
      .max(90 * 86400)
      .default(0),
    channel: z.enum(SURVEY_CHANNELS).default('link'),
    samplingPercent: z.number().min(0).max(100).default(100),
    /** At most one invitation of this template per customer per N days (0 = no limit). */
    minDaysBetween: z.number().int().min(0).max(365).default(0),
    /** Ticket types the template applies to (empty = all). */
    ticketTypes: z.array(z.enum(TICKET_TYPES)).max(TICKET_TYPES.length).default([]),
    expiresInDays: z.number().min(0.0001).max(90).default(7),
  })
  .strict();
export type RulesT = z.infer<typeof Rules>;

export const TemplateCreate = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().max(500).nullable().optional(),
    questions: z.array(Question).min(1).max(20),
    rules: Rules.default({
      triggers: ['ticket.resolved'],
      delaySeconds: 0,
      channel: 'link',
      samplingPercent: 100,
      minDaysBetween: 0,
      ticketTypes: [],
      expiresInDays: 7,
    }),
    active: z.boolean().default(true),
  })
  .strict();
export const TemplatePatch = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    description: z.string().max(500).nullable().optional(),
    questions: z.array(Question).min(1).max(20).optional(),
    rules: Rules.optional(),
    active: z.boolean().optional(),
  })
  .strict();

export const Answer = z
  .object({
    csat: z.number().int().min(1).max(5).optional(),
    nps: z.number().int().min(0).max(10).optional(),
    ces: z.number().int().min(1).max(7).optional(),
    comment: z.string().max(2000).optional(),
    reasons: z.array(z.string().max(200)).max(12).optional(),
    /** Custom questions by id: number (scale), string (choice / text). */
    answers: z.record(z.string().max(40), z.union([z.number(), z.string().max(2000)])).optional(),
  })
  .strict();
export type AnswerIn = z.infer<typeof Answer>;

export const TokenParam = z.object({ token: z.string().min(1).max(200) });
export const IdParam = z.object({ id: z.uuid() });

// ── responses (named shapes are OpenAPI components) ──
const isoOrNull = z.string().nullable();

/** A stored question as templates return it (every field a template may hold passes through). */
const StoredQuestion = z.object({ id: z.string(), kind: z.enum(QUESTION_KINDS), label: z.string(), required: z.boolean().optional() }).loose();

export const SurveyTemplate = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    questions: z.array(StoredQuestion),
    rules: Rules,
    active: z.boolean(),
    version: z.number(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'SurveyTemplate' });

export const SurveyResponse = z
  .object({
    id: z.string(),
    invitationId: z.string(),
    templateId: z.string(),
    ticketId: z.string(),
    customerId: z.string(),
    csat: z.number().nullable(),
    nps: z.number().nullable(),
    ces: z.number().nullable(),
    answers: z.record(z.string(), z.unknown()),
    reasons: z.array(z.string()),
    comment: z.string().nullable(),
    lowScore: z.boolean(),
    answeredAt: z.string(),
  })
  .meta({ id: 'SurveyResponse' });

/** An invitation (contract: {id, token, url, state}); token and url are null while it is scheduled. */
export const SurveyInvitation = z
  .object({
    id: z.string(),
    token: z.string().nullable(),
    url: z.string().nullable(),
    state: z.string(),
    templateId: z.string(),
    trigger: z.string(),
    channel: z.string(),
    sendAt: z.string(),
    sentAt: isoOrNull,
    expiresAt: z.string(),
    answeredAt: isoOrNull,
    recoveryCaseId: z.string().nullable(),
  })
  .meta({ id: 'SurveyInvitation' });

export const TicketSurvey = SurveyInvitation.extend({ response: SurveyResponse.nullable() }).meta({ id: 'TicketSurvey' });

export const PublicSurvey = z
  .object({
    id: z.string(),
    state: z.literal('open'),
    expiresAt: z.string(),
    title: z.string(),
    description: z.string().nullable(),
    ticket: z.object({ number: z.string(), subject: z.string() }),
    questions: z.array(
      z.object({
        id: z.string(),
        kind: z.enum(QUESTION_KINDS),
        label: z.string(),
        required: z.boolean(),
        options: z.array(z.string()).nullable(),
        reasons: z.array(z.string()).nullable(),
        min: z.number().nullable(),
        max: z.number().nullable(),
      }),
    ),
    lowScore: z.object({ csatMax: z.number(), npsMax: z.number(), cesMin: z.number() }),
  })
  .meta({ id: 'PublicSurvey' });

export const AnswerResult = z
  .object({ id: z.string(), surveyId: z.string(), lowScore: z.boolean(), recoveryOpened: z.boolean() })
  .meta({ id: 'SurveyAnswerResult' });

export const SoftComplianceQuery = z.object({
  from: z.string().optional(),
  to: z.string().optional(),
  tz: z.string().optional(),
  by: z.enum(['team', 'agent', 'day']).optional(),
  teamId: z.uuid().optional(),
  agentId: z.uuid().optional(),
  standardId: z.uuid().optional(),
});

const Rate = z.number().nullable();
export const SoftCompliance = z
  .object({
    from: z.string(),
    to: z.string(),
    items: z.array(
      z.object({
        standardId: z.string(),
        code: z.string(),
        name: z.string(),
        encounter: z.string(),
        active: z.boolean(),
        target: z.number(),
        source: z.string(),
        agree: z.number(),
        total: z.number(),
        rate: Rate,
        meetsTarget: z.boolean().nullable(),
        breakdown: z.array(z.object({ key: z.string(), name: z.string().nullable(), agree: z.number(), total: z.number(), rate: Rate })),
      }),
    ),
  })
  .meta({ id: 'SoftCompliance' });

export const CustomerSurveys = z
  .object({
    items: z.array(SurveyResponse.extend({ ticketNumber: z.string(), ticketSubject: z.string() })),
    pending: z.array(z.object({ id: z.string(), ticketId: z.string(), state: z.string(), sendAt: z.string(), expiresAt: z.string() })),
    summary: z.object({ answered: z.number(), csatAverage: z.number().nullable(), lowScores: z.number() }),
  })
  .meta({ id: 'CustomerSurveys' });

// ── how the survey reaches the customer (surveys.reach.ts) ──
const PublicQuestionShape = PublicSurvey.shape.questions;
const LowScoreShape = PublicSurvey.shape.lowScore;
export const SURVEY_STATUSES = ['scheduled', 'sent', 'opened', 'answered', 'expired', 'cancelled'] as const;

export const SurveyDelivery = z
  .object({
    id: z.string(),
    channel: z.string(),
    /** available (link: in the portal and on the ticket) | queued (a channel sender took it) | no_gateway (recorded, not sent) */
    state: z.enum(['available', 'queued', 'no_gateway']),
    reason: z.enum(['auto', 'delayed', 'manual', 'resend']),
    actorName: z.string().nullable(),
    at: z.string(),
  })
  .meta({ id: 'SurveyDelivery' });

export const TicketSurveyPanel = z
  .object({
    invitation: SurveyInvitation.extend({
      status: z.enum(SURVEY_STATUSES),
      openedAt: isoOrNull,
      templateName: z.string(),
      /** The link as an SVG QR code (for the counter or a technician's phone). */
      qrSvg: z.string().nullable(),
      preview: z.object({ title: z.string(), description: z.string().nullable(), questions: PublicQuestionShape, lowScore: LowScoreShape }),
      response: SurveyResponse.nullable(),
      recovery: z.object({ id: z.string(), state: z.string(), outcome: z.string().nullable() }).nullable(),
      deliveries: z.array(SurveyDelivery),
    }).nullable(),
    /** Invitations on the ticket in all (earlier ones included). */
    invitations: z.number(),
    resend: z.object({ allowed: z.boolean(), reason: z.enum(['not_sent', 'answered', 'rate_limited']).nullable(), retryAt: isoOrNull }),
  })
  .meta({ id: 'TicketSurveyPanel' });

export const PortalSurveyCard = z
  .discriminatedUnion('state', [
    z.object({ state: z.literal('none') }),
    z.object({
      state: z.literal('answered'),
      answeredAt: isoOrNull,
      score: z.object({ csat: z.number().nullable(), nps: z.number().nullable(), ces: z.number().nullable() }).nullable(),
      lowScore: z.boolean(),
    }),
    z.object({ state: z.literal('expired'), expiresAt: z.string() }),
    z.object({
      state: z.literal('open'),
      expiresAt: z.string(),
      title: z.string(),
      description: z.string().nullable(),
      questions: PublicQuestionShape,
      lowScore: LowScoreShape,
      url: z.string().nullable(),
    }),
  ])
  .meta({ id: 'PortalSurveyCard' });

const intQ = (min: number, max: number) => z.coerce.number().int().min(min).max(max).optional();
export const ResponsesQuery = z
  .object({
    /** Which score the range applies to (default csat). */
    measure: z.enum(['csat', 'nps', 'ces']).optional(),
    scoreMin: intQ(0, 10),
    scoreMax: intQ(0, 10),
    teamId: z.uuid().optional(),
    /** Period: YYYY-MM-DD (organisation time zone) or ISO instants; `to` is inclusive for a date. */
    from: z.string().max(40).optional(),
    to: z.string().max(40).optional(),
    lowOnly: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
    limit: intQ(1, 100),
    cursor: z.uuid().optional(),
  })
  .strict();

export const ResponseListItem = SurveyResponse.extend({
  ticketNumber: z.string(),
  ticketSubject: z.string(),
  customerName: z.string().nullable(),
  /** masked, e.g. 139****0001 */
  customerPhone: z.string().nullable(),
  teamId: z.string().nullable(),
  teamName: z.string().nullable(),
  ownerName: z.string().nullable(),
  recovery: z.object({ id: z.string(), state: z.string(), outcome: z.string().nullable(), canOpen: z.boolean() }).nullable(),
}).meta({ id: 'SurveyResponseListItem' });
export const ResponsesPage = z.object({ items: z.array(ResponseListItem), nextCursor: z.string().nullable() }).meta({ id: 'SurveyResponsesPage' });
