import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Survey templates (满意度调查): questions + sending rules, versioned in place (`version` + 1 on every change). */
export const surveyTemplates = pgTable('survey_templates', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description'),
  /** [{id, kind: csat|nps|ces|scale|choice|text, label, required, options?, min?, max?, standardId?, agree?, reasons?}] */
  questions: jsonb('questions').notNull(),
  /** {triggers, delaySeconds, channel, samplingPercent, minDaysBetween, ticketTypes, expiresInDays} */
  rules: jsonb('rules').notNull(),
  active: boolean('active').notNull().default(true),
  version: integer('version').notNull().default(1),
  createdBy: uuid('created_by'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** One invitation = one signed, single-use, expiring link. `send_at` in the future = scheduled (delayed rule). */
export const surveyInvitations = pgTable(
  'survey_invitations',
  {
    id: uuid('id').primaryKey(),
    templateId: uuid('template_id').notNull(),
    templateVersion: integer('template_version').notNull(),
    ticketId: uuid('ticket_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    ownerId: uuid('owner_id'),
    teamId: uuid('team_id'),
    trigger: text('trigger').notNull(),
    channel: text('channel').notNull(),
    state: text('state').notNull(), // scheduled | sent | answered | expired | cancelled
    sendAt: ts('send_at').notNull(),
    sentAt: ts('sent_at'),
    expiresAt: ts('expires_at').notNull(),
    answeredAt: ts('answered_at'),
    /** First time the customer opened the survey (the /s/ page or the portal's rating card); migration 0009. */
    openedAt: ts('opened_at'),
    recoveryCaseId: uuid('recovery_case_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('survey_invitations_ticket_idx').on(t.ticketId, t.id),
    index('survey_invitations_customer_idx').on(t.customerId, t.createdAt),
    index('survey_invitations_due_idx')
      .on(t.sendAt)
      .where(sql`state = 'scheduled'`),
  ],
);

export const surveyResponses = pgTable(
  'survey_responses',
  {
    id: uuid('id').primaryKey(),
    invitationId: uuid('invitation_id').notNull(),
    templateId: uuid('template_id').notNull(),
    ticketId: uuid('ticket_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    ownerId: uuid('owner_id'),
    teamId: uuid('team_id'),
    csat: smallint('csat'),
    nps: smallint('nps'),
    ces: smallint('ces'),
    answers: jsonb('answers')
      .notNull()
      .default(sql`'{}'::jsonb`),
    reasons: text('reasons')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    comment: text('comment'),
    lowScore: boolean('low_score').notNull().default(false),
    answeredAt: ts('answered_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('survey_responses_invitation_key').on(t.invitationId),
    index('survey_responses_ticket_idx').on(t.ticketId),
    index('survey_responses_customer_idx').on(t.customerId, t.answeredAt),
    index('survey_responses_answered_idx').on(t.answeredAt),
    index('survey_responses_team_answered_idx').on(t.teamId, t.answeredAt),
  ],
);

/**
 * One attempt to bring an invitation to the customer (migration 0009): the first send, a delayed send, a resend.
 * `state`: `available` (the link channel: shown in the portal's rating card and on the ticket for staff to hand over),
 * `queued` (a registered channel sender took it), `no_gateway` (SMS / WeChat / e-mail with no sender wired: recorded,
 * not sent). `reason`: auto | delayed | manual | resend.
 */
export const surveyDeliveries = pgTable(
  'survey_deliveries',
  {
    id: uuid('id').primaryKey(),
    invitationId: uuid('invitation_id').notNull(),
    ticketId: uuid('ticket_id').notNull(),
    channel: text('channel').notNull(),
    state: text('state').notNull(),
    reason: text('reason').notNull(),
    actorId: uuid('actor_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('survey_deliveries_invitation_idx').on(t.invitationId, t.createdAt), index('survey_deliveries_ticket_idx').on(t.ticketId, t.createdAt)],
);

/** One row per answered question that measures a soft standard: agree = the answer meets the question's bar. */
export const softStandardAnswers = pgTable(
  'soft_standard_answers',
  {
    responseId: uuid('response_id').notNull(),
    questionId: text('question_id').notNull(),
    standardId: uuid('standard_id').notNull(),
    agree: boolean('agree').notNull(),
    ownerId: uuid('owner_id'),
    teamId: uuid('team_id'),
    answeredAt: ts('answered_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.responseId, t.questionId] }), index('soft_standard_answers_std_idx').on(t.standardId, t.answeredAt)],
);

/** Rate-limit counters for the public survey endpoints (per token and per address, fixed one-minute windows). */
export const surveyRateLimits = pgTable(
  'survey_rate_limits',
  {
    key: text('key').notNull(),
    windowStart: bigint('window_start', { mode: 'number' }).notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] })],
);

/** Low-score recovery (低分挽回): one case per low answer, on the original ticket. */
export const recoveryCases = pgTable(
  'recovery_cases',
  {
    id: uuid('id').primaryKey(),
    ticketId: uuid('ticket_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    responseId: uuid('response_id'),
    state: text('state').notNull(), // open | contacted | solution_proposed | revisited | closed
    outcome: text('outcome'), // recovered | not_recovered
    supervisorId: uuid('supervisor_id'),
    teamId: uuid('team_id'),
    score: jsonb('score')
      .notNull()
      .default(sql`'{}'::jsonb`),
    reasons: text('reasons')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** [{step, at, byId, byName, note}] */
    steps: jsonb('steps')
      .notNull()
      .default(sql`'[]'::jsonb`),
    followUpInvitationId: uuid('follow_up_invitation_id'),
    openedAt: ts('opened_at').notNull().defaultNow(),
    contactedAt: ts('contacted_at'),
    solutionAt: ts('solution_at'),
    revisitedAt: ts('revisited_at'),
    closedAt: ts('closed_at'),
  },
  (t) => [index('recovery_cases_ticket_idx').on(t.ticketId), index('recovery_cases_state_idx').on(t.state, t.openedAt)],
);

/** Complaint loop (投诉闭环): classification of a complaint ticket; its six steps are rows of complaint_steps. */
export const complaintCases = pgTable(
  'complaint_cases',
  {
    id: uuid('id').primaryKey(),
    ticketId: uuid('ticket_id').notNull(),
    category: text('category'), // complaint type
    responsibility: text('responsibility'), // ours | partner | customer | undetermined
    severity: text('severity').notNull().default('normal'), // minor | normal | serious
    rootCause: text('root_cause'),
    escalatedAt: ts('escalated_at'),
    improvementActionId: uuid('improvement_action_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('complaint_cases_ticket_key').on(t.ticketId)],
);

export const complaintSteps = pgTable(
  'complaint_steps',
  {
    caseId: uuid('case_id').notNull(),
    step: text('step').notNull(), // listen | empathise | confirm | resolve | revisit | feedback
    evidence: text('evidence').notNull(),
    data: jsonb('data')
      .notNull()
      .default(sql`'{}'::jsonb`),
    recordedBy: uuid('recorded_by'),
    recordedAt: ts('recorded_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.step] })],
);

/** After-sales care (售后关怀) and silent-customer reactivation (沉默客户唤醒): tasks with a due time. */
export const careTasks = pgTable(
  'care_tasks',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').notNull(), // care | reactivation
    ticketId: uuid('ticket_id'),
    customerId: uuid('customer_id').notNull(),
    runId: uuid('run_id'),
    ownerId: uuid('owner_id'),
    teamId: uuid('team_id'),
    seq: integer('seq').notNull(),
    dueAt: ts('due_at').notNull(),
    state: text('state').notNull().default('pending'), // pending | done | cancelled
    result: text('result'), // reached | no_answer | issue_found | declined
    outcome: text('outcome'),
    doneAt: ts('done_at'),
    doneBy: uuid('done_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
    /** Migration 0046: task (a person contacts) | message (sent automatically through the customer's channel). */
    mode: text('mode').notNull().default('task'),
    /** queued (handed to the channel outbox) | fallback (no channel could take it: a task for a person). */
    autoState: text('auto_state'),
    autoChannel: text('auto_channel'),
    autoSentAt: ts('auto_sent_at'),
    autoOutboxId: uuid('auto_outbox_id'),
    /** Why it fell back: no_consent | no_marketing_consent | unreachable. */
    autoReason: text('auto_reason'),
  },
  (t) => [
    index('care_tasks_owner_idx').on(t.ownerId, t.dueAt),
    index('care_tasks_auto_due_idx')
      .on(t.dueAt)
      .where(sql`state = 'pending' AND mode = 'message' AND auto_state IS NULL`),
    index('care_tasks_due_idx')
      .on(t.dueAt)
      .where(sql`state = 'pending'`),
    index('care_tasks_ticket_idx').on(t.ticketId),
    index('care_tasks_run_idx').on(t.runId),
  ],
);

/** A ticket's after-sales guarantee window (保障期): a new problem from the customer inside it reopens the ticket. */
export const carePlans = pgTable(
  'care_plans',
  {
    ticketId: uuid('ticket_id').primaryKey(),
    customerId: uuid('customer_id').notNull(),
    guaranteeUntil: ts('guarantee_until').notNull(),
    state: text('state').notNull().default('active'), // active | reopened | ended
    reopenedByTicketId: uuid('reopened_by_ticket_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('care_plans_customer_idx').on(t.customerId, t.guaranteeUntil)],
);

export const reactivationRuns = pgTable(
  'reactivation_runs',
  {
    id: uuid('id').primaryKey(),
    customerId: uuid('customer_id').notNull(),
    state: text('state').notNull().default('active'), // active | stopped | completed
    lastContactAt: ts('last_contact_at'),
    stoppedReason: text('stopped_reason'),
    startedAt: ts('started_at').notNull().defaultNow(),
    endedAt: ts('ended_at'),
  },
  (t) => [
    uniqueIndex('reactivation_runs_active_key')
      .on(t.customerId)
      .where(sql`state = 'active'`),
    index('reactivation_runs_customer_idx').on(t.customerId, t.startedAt),
  ],
);
