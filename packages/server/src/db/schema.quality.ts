import { sql } from 'drizzle-orm';
import { boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Scorecards (质检评分表). The current definition lives here; every version is kept in `qa_scorecard_versions`. */
export const qaScorecards = pgTable('qa_scorecards', {
  id: uuid('id').primaryKey(),
  /** The template it was adopted from (phone, counter, chat, field, environment), or null. */
  templateKey: text('template_key'),
  name: text('name').notNull(),
  channel: text('channel'),
  passMark: integer('pass_mark').notNull(),
  /** [{key, dimension, label, weight, scale: {kind: yesno} | {kind: points, max}, allowNa, critical}] */
  items: jsonb('items').notNull(),
  version: integer('version').notNull().default(1),
  active: boolean('active').notNull().default(true),
  createdBy: uuid('created_by'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Every version of a scorecard: an inspection scores against the version it started with. */
export const qaScorecardVersions = pgTable(
  'qa_scorecard_versions',
  {
    scorecardId: uuid('scorecard_id').notNull(),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    passMark: integer('pass_mark').notNull(),
    items: jsonb('items').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.scorecardId, t.version] })],
);

/** A manual inspection (人工质检) of one ticket's handling by its agent. */
export const qaInspections = pgTable(
  'qa_inspections',
  {
    id: uuid('id').primaryKey(),
    ticketId: uuid('ticket_id').notNull(),
    agentId: uuid('agent_id').notNull(),
    inspectorId: uuid('inspector_id').notNull(),
    scorecardId: uuid('scorecard_id').notNull(),
    scorecardVersion: integer('scorecard_version').notNull(),
    /** draft | submitted | acknowledged | appealed | ruled */
    state: text('state').notNull(),
    /** [{item, score, evidence?: {replyId, start, end, quote} | {eventId, label}, note?}] */
    scores: jsonb('scores')
      .notNull()
      .default(sql`'[]'::jsonb`),
    /** {strength, improvement, encouragement} (sandwich order) */
    feedback: jsonb('feedback'),
    /** The score as submitted, and the final score (after a revised appeal ruling). */
    firstScore: doublePrecision('first_score'),
    score: doublePrecision('score'),
    passed: boolean('passed'),
    sampleId: uuid('sample_id'),
    submittedAt: ts('submitted_at'),
    acknowledgedAt: ts('acknowledged_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('qa_inspections_agent_idx').on(t.agentId, t.submittedAt),
    index('qa_inspections_ticket_idx').on(t.ticketId),
    index('qa_inspections_inspector_idx').on(t.inspectorId, t.state),
  ],
);

/** An agent's appeal (申诉) of an inspection, ruled by a second inspector or a supervisor. */
export const qaAppeals = pgTable(
  'qa_appeals',
  {
    id: uuid('id').primaryKey(),
    inspectionId: uuid('inspection_id').notNull(),
    ticketId: uuid('ticket_id').notNull(),
    agentId: uuid('agent_id').notNull(),
    reason: text('reason').notNull(),
    /** open | upheld | revised */
    state: text('state').notNull(),
    scoreBefore: doublePrecision('score_before').notNull(),
    scoreAfter: doublePrecision('score_after'),
    rulingReason: text('ruling_reason'),
    ruledBy: uuid('ruled_by'),
    ruledAt: ts('ruled_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('qa_appeals_inspection_key').on(t.inspectionId), index('qa_appeals_state_idx').on(t.state, t.createdAt)],
);

/** Improvement proposals (合理化建议): agents submit, a supervisor adopts or declines; adopted ones score. */
export const qaProposals = pgTable(
  'qa_proposals',
  {
    id: uuid('id').primaryKey(),
    authorId: uuid('author_id').notNull(),
    teamId: uuid('team_id'),
    title: text('title').notNull(),
    body: text('body').notNull(),
    /** submitted | adopted | declined */
    state: text('state').notNull(),
    reviewedBy: uuid('reviewed_by'),
    reviewedAt: ts('reviewed_at'),
    reviewNote: text('review_note'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('qa_proposals_author_idx').on(t.authorId, t.createdAt), index('qa_proposals_state_idx').on(t.state, t.createdAt)],
);

/** Sampling plans (抽检方案): per team/channel/period, a random share per agent plus mandatory inclusions. */
export const qaSamplingPlans = pgTable('qa_sampling_plans', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  teamId: uuid('team_id'),
  channel: text('channel'),
  /** week | month */
  period: text('period').notNull(),
  sharePercent: doublePrecision('share_percent').notNull(),
  minPerWeek: integer('min_per_week').notNull().default(0),
  /** {complaints: bool, csatAtMost: number|null, breached: bool, criticalHits: bool} */
  mandatory: jsonb('mandatory').notNull(),
  scorecardId: uuid('scorecard_id'),
  active: boolean('active').notNull().default(true),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** One drawn ticket in an inspector's queue. `reason`: random | minimum | complaint | low_csat | breached | critical_hit. */
export const qaSamples = pgTable(
  'qa_samples',
  {
    id: uuid('id').primaryKey(),
    planId: uuid('plan_id').notNull(),
    periodStart: text('period_start').notNull(),
    ticketId: uuid('ticket_id').notNull(),
    agentId: uuid('agent_id').notNull(),
    inspectorId: uuid('inspector_id'),
    reason: text('reason').notNull(),
    /** queued | done */
    state: text('state').notNull(),
    inspectionId: uuid('inspection_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('qa_samples_plan_ticket_key').on(t.planId, t.ticketId), index('qa_samples_inspector_idx').on(t.inspectorId, t.state)],
);

/**
 * Coaching tasks (辅导任务): an inspection with items scored below 60 % of their maximum (the dashboard's "failed")
 * gives the agent's supervisors one task listing those items; a supervisor closes it with a note on the coaching done.
 */
export const qaCoachingTasks = pgTable(
  'qa_coaching_tasks',
  {
    id: uuid('id').primaryKey(),
    inspectionId: uuid('inspection_id').notNull(),
    ticketId: uuid('ticket_id').notNull(),
    agentId: uuid('agent_id').notNull(),
    /** [{item, label, dimension, score, max, critical}] as scored */
    items: jsonb('items').notNull(),
    /** open | done */
    state: text('state').notNull().default('open'),
    note: text('note'),
    doneBy: uuid('done_by'),
    doneAt: ts('done_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('qa_coaching_inspection_key').on(t.inspectionId), index('qa_coaching_agent_idx').on(t.agentId, t.state)],
);

/**
 * Calibration sessions (校准): several inspectors score the same tickets blind on one scorecard version; when all
 * have scored (or the lead closes it) the spread, the consensus and each inspector's deviation are shown.
 * `agreement_mad` / `agreement_icc` are the session's agreement figures, stored when it closes (and when the lead
 * changes a reference score).
 */
export const qaCalibrations = pgTable(
  'qa_calibrations',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    scorecardId: uuid('scorecard_id').notNull(),
    scorecardVersion: integer('scorecard_version').notNull(),
    ticketIds: uuid('ticket_ids').array().notNull(),
    inspectorIds: uuid('inspector_ids').array().notNull(),
    dueAt: ts('due_at').notNull(),
    /** open | closed */
    state: text('state').notNull().default('open'),
    agreementMad: doublePrecision('agreement_mad'),
    agreementIcc: doublePrecision('agreement_icc'),
    createdBy: uuid('created_by').notNull(),
    closedBy: uuid('closed_by'),
    closedAt: ts('closed_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('qa_calibrations_state_idx').on(t.state, t.createdAt)],
);

/** One inspector's item-by-item scores of one ticket of a session ([{item, score}], score null = N/A). */
export const qaCalibrationScores = pgTable(
  'qa_calibration_scores',
  {
    calibrationId: uuid('calibration_id').notNull(),
    ticketId: uuid('ticket_id').notNull(),
    inspectorId: uuid('inspector_id').notNull(),
    scores: jsonb('scores').notNull(),
    submittedAt: ts('submitted_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'qa_calibration_scores_pk', columns: [t.calibrationId, t.ticketId, t.inspectorId] })],
);

/** The lead's reference scores of a ticket: where set, they are the consensus instead of the inspectors' mean. */
export const qaCalibrationReferences = pgTable(
  'qa_calibration_references',
  {
    calibrationId: uuid('calibration_id').notNull(),
    ticketId: uuid('ticket_id').notNull(),
    scores: jsonb('scores').notNull(),
    setBy: uuid('set_by').notNull(),
    setAt: ts('set_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'qa_calibration_references_pk', columns: [t.calibrationId, t.ticketId] })],
);

/**
 * Peer review rounds (互评): a supervisor gives every agent of a team N colleagues' tickets of a period to score on a
 * few 1–5 items. `items`: [{key, label}].
 */
export const qaPeerRounds = pgTable('qa_peer_rounds', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  teamId: uuid('team_id').notNull(),
  items: jsonb('items').notNull(),
  perAgent: integer('per_agent').notNull(),
  periodFrom: ts('period_from').notNull(),
  periodTo: ts('period_to').notNull(),
  /** open | closed */
  state: text('state').notNull().default('open'),
  createdBy: uuid('created_by').notNull(),
  closedAt: ts('closed_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** One colleague's ticket for one reviewer (never their own); `scores` [{item, score 1–5}] once submitted. */
export const qaPeerReviews = pgTable(
  'qa_peer_reviews',
  {
    id: uuid('id').primaryKey(),
    roundId: uuid('round_id').notNull(),
    reviewerId: uuid('reviewer_id').notNull(),
    ticketId: uuid('ticket_id').notNull(),
    agentId: uuid('agent_id').notNull(),
    scores: jsonb('scores'),
    comment: text('comment'),
    submittedAt: ts('submitted_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('qa_peer_reviews_key').on(t.roundId, t.reviewerId, t.ticketId), index('qa_peer_reviews_agent_idx').on(t.agentId, t.submittedAt)],
);
