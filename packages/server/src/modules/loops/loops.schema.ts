/** Request and response shapes of the closed loops (named shapes are OpenAPI components). */
import { z } from 'zod';
import { StandardState } from '../tickets/tickets.schema';
import { LoopSettingsSchema } from './settings';
import { COMPLAINT_STEPS } from './loops.policy';

export const IdParam = z.object({ id: z.uuid() });
const text = (max: number) => z.string().trim().min(1).max(max);
export const TASK_RESULTS = ['reached', 'no_answer', 'issue_found', 'declined'] as const;
export const SEVERITIES = ['minor', 'normal', 'serious'] as const;
export const RESPONSIBILITIES = ['ours', 'partner', 'customer', 'undetermined'] as const;

const iso = z.string();
const isoOrNull = z.string().nullable();

/** A standard's clock on the ticket: the same named shape as on the ticket itself. */
export const LoopClock = StandardState;

export const RecoveryStepEntry = z
  .object({
    step: z.string(),
    at: iso,
    byId: z.string().nullable().optional(),
    byName: z.string().nullable().optional(),
    note: z.string().nullable().optional(),
    outcome: z.string().optional(),
  })
  .loose();

export const RecoveryCase = z
  .object({
    id: z.string(),
    ticketId: z.string(),
    ticketNumber: z.string().nullable(),
    ticketSubject: z.string().nullable(),
    customerId: z.string(),
    customerName: z.string().nullable(),
    state: z.string(),
    outcome: z.string().nullable(),
    supervisorId: z.string().nullable(),
    supervisorName: z.string().nullable(),
    score: z.record(z.string(), z.number()),
    reasons: z.array(z.string()),
    steps: z.array(RecoveryStepEntry),
    followUpSurveyId: z.string().nullable(),
    openedAt: iso,
    contactedAt: isoOrNull,
    solutionAt: isoOrNull,
    revisitedAt: isoOrNull,
    closedAt: isoOrNull,
    standards: z.array(LoopClock),
    overdue: z.boolean(),
  })
  .meta({ id: 'RecoveryCase' });

export const CareTask = z
  .object({
    id: z.string(),
    kind: z.string(),
    ticketId: z.string().nullable(),
    ticketNumber: z.string().nullable(),
    ticketSubject: z.string().nullable(),
    customerId: z.string(),
    customerName: z.string().nullable(),
    runId: z.string().nullable(),
    ownerId: z.string().nullable(),
    ownerName: z.string().nullable(),
    seq: z.number(),
    dueAt: iso,
    state: z.string(),
    result: z.string().nullable(),
    outcome: z.string().nullable(),
    doneAt: isoOrNull,
    overdue: z.boolean(),
    /** task: a person contacts the customer; message: sent automatically through the customer's channel. */
    mode: z.enum(['task', 'message']),
    /** An automatic touch's send: queued (channel, time, delivery: queued | sending | sent | delivered | failed) or fallback (reason). */
    auto: z
      .object({
        state: z.string(),
        channel: z.string().nullable(),
        sentAt: isoOrNull,
        reason: z.string().nullable(),
        delivery: z.string().nullable(),
      })
      .nullable(),
  })
  .meta({ id: 'CareTask' });

export const ReactivationRun = z
  .object({
    id: z.string(),
    state: z.string(),
    stoppedReason: z.string().nullable(),
    startedAt: iso,
    endedAt: isoOrNull,
    lastContactAt: isoOrNull,
    tasks: z.array(CareTask),
  })
  .meta({ id: 'ReactivationRun' });

export const ComplaintStepView = z.object({
  step: z.enum(COMPLAINT_STEPS),
  done: z.boolean(),
  evidence: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).nullable(),
  recordedAt: isoOrNull,
  recordedBy: z.string().nullable(),
  recordedByName: z.string().nullable(),
});

export const ComplaintCase = z
  .object({
    id: z.string().nullable(),
    ticketId: z.string(),
    ticketNumber: z.string(),
    ticketSubject: z.string(),
    ticketStatus: z.string(),
    category: z.string().nullable(),
    responsibility: z.string().nullable(),
    severity: z.string(),
    rootCause: z.string().nullable(),
    escalatedAt: isoOrNull,
    improvementActionId: z.string().nullable(),
    steps: z.array(ComplaintStepView),
    nextStep: z.enum(COMPLAINT_STEPS).nullable(),
    missingForResolve: z.array(z.enum(COMPLAINT_STEPS)),
    missingForClose: z.array(z.enum(COMPLAINT_STEPS)),
    standards: z.array(LoopClock),
    createdAt: isoOrNull,
  })
  .meta({ id: 'ComplaintCase' });

export const ComplaintBoardItem = ComplaintCase.extend({
  customerName: z.string().nullable(),
  ownerName: z.string().nullable(),
  priority: z.string(),
  overdue: z.boolean(),
}).meta({ id: 'ComplaintBoardItem' });

export const LoopSettingsOut = LoopSettingsSchema.meta({ id: 'LoopSettings' });

// ── requests ──
export const RecoveryListQuery = z.object({
  state: z.enum(['open', 'closed', 'all']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
  cursor: z.uuid().optional(),
});
export const RecoveryStepBody = z.object({ note: text(2000) }).strict();
export const RecoveryCloseBody = z
  .object({ outcome: z.enum(['recovered', 'not_recovered']), note: z.string().max(2000).optional(), sendSurvey: z.boolean().optional() })
  .strict();
export const ComplaintListQuery = z.object({
  state: z.enum(['open', 'all']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
  cursor: z.uuid().optional(),
});
export const ComplaintStepBody = z
  .object({
    step: z.enum(COMPLAINT_STEPS),
    evidence: text(4000),
    satisfied: z.boolean().optional(),
    improvement: z
      .object({ standardId: z.uuid(), cause: text(1000), change: text(1000), ownerId: z.uuid(), dueDate: z.iso.date() })
      .strict()
      .optional(),
  })
  .strict();
export const ComplaintClassifyBody = z
  .object({
    category: z.string().max(100).nullable().optional(),
    responsibility: z.enum(RESPONSIBILITIES).nullable().optional(),
    severity: z.enum(SEVERITIES).optional(),
    rootCause: z.string().max(1000).nullable().optional(),
  })
  .strict();
export const CareTaskQuery = z.object({
  from: z.string().optional(),
  to: z.string().optional(),
  ownerId: z.uuid().optional(),
  kind: z.enum(['care', 'reactivation']).optional(),
  state: z.enum(['pending', 'done', 'cancelled', 'all']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(300),
});
export const CareTaskComplete = z.object({ result: z.enum(TASK_RESULTS), outcome: text(2000) }).strict();
