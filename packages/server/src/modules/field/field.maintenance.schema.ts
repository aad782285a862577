import { z } from 'zod';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

export const ProposalState = z.enum(['open', 'accepted', 'dismissed']);
export const ProposalsQuery = z.object({ state: ProposalState.optional() });

export const ProposalTicket = z
  .object({ id: z.uuid(), number: z.string(), subject: z.string(), type: z.string(), createdAt: z.string() })
  .meta({ id: 'FieldMaintenanceProposalTicket' });
export const Proposal = z
  .object({
    id: z.uuid(),
    subjectKind: z.enum(['asset', 'site']),
    subjectId: z.uuid(),
    subjectName: z.string(),
    state: ProposalState,
    reason: z.string().nullable(),
    /** How an accepted proposal was acted on: a maintenance plan (`planId`) or a one-off inspection (巡检). */
    outcome: z.enum(['plan', 'inspection']).nullable(),
    planId: z.uuid().nullable(),
    /** The inspection's ticket and visit (the visit is null when no calendar had a window within 14 days). */
    inspectionTicketId: z.uuid().nullable(),
    inspectionVisitId: z.uuid().nullable(),
    /** The repairs in the history; `tickets` lists those the caller may see (ticket visibility). */
    ticketCount: z.number().int(),
    tickets: z.array(ProposalTicket),
    createdAt: z.string(),
    decidedBy: z.uuid().nullable(),
    decidedAt: z.string().nullable(),
  })
  .meta({ id: 'FieldMaintenanceProposal' });
export const ProposalList = z.object({ items: z.array(Proposal) }).meta({ id: 'FieldMaintenanceProposalList' });

/** Every N days or every N months (exactly one of the two), generated `leadDays` ahead. */
const cadence = {
  everyDays: z.number().int().min(1).max(3650).optional(),
  everyMonths: z.number().int().min(1).max(120).optional(),
  leadDays: z.number().int().min(0).max(365).default(7),
  startDate: day.optional(),
  calendarId: z.uuid().optional(),
};
/**
 * Accept as a plan (`outcome: "plan"`, the default; the cadence) or as a one-off inspection (`outcome: "inspection"`;
 * `date` = the day from which the visit is placed, default today; `calendarId` optional).
 */
export const ProposalAccept = z.object({
  outcome: z.enum(['plan', 'inspection']).default('plan'),
  ...cadence,
  date: day.optional(),
});
export const ProposalDismiss = z.object({ reason: z.string().trim().min(1).max(500) });

/** Exactly one subject: an asset, a site, or an asset model (every asset whose model is exactly that, now and later). */
export const PlanCreate = z.object({
  assetId: z.uuid().optional(),
  siteId: z.uuid().optional(),
  assetModel: z.string().trim().min(1).max(200).optional(),
  ...cadence,
});
export const PlanPatch = z.object({ active: z.boolean() });
export const Plan = z
  .object({
    id: z.uuid(),
    subjectKind: z.enum(['asset', 'site', 'model']),
    /** The asset or site; null for a model plan. */
    subjectId: z.uuid().nullable(),
    /** The asset's or site's name, or the model. */
    subjectName: z.string(),
    assetModel: z.string().nullable(),
    assetCount: z.number().int(),
    everyN: z.number().int(),
    unit: z.enum(['day', 'month']),
    startDate: z.string(),
    leadDays: z.number().int(),
    calendarId: z.uuid().nullable(),
    active: z.boolean(),
    nextDue: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'FieldMaintenancePlan' });
export const PlanList = z.object({ items: z.array(Plan) }).meta({ id: 'FieldMaintenancePlanList' });

export const RecurringSettings = z
  .object({ threshold: z.number().int().min(2).max(100), windowDays: z.number().int().min(1).max(3650) })
  .meta({ id: 'FieldRecurringFaultSettings' });

export const Cadence = z.object(cadence);
export type CadenceInput = z.infer<typeof Cadence>;
export type ProposalAcceptInput = z.infer<typeof ProposalAccept>;
export type PlanCreateInput = z.infer<typeof PlanCreate>;
