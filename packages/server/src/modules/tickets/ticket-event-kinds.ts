/**
 * The ONE list of event kinds recorded on a ticket (the `events` table, aggregate `ticket`), with the data each
 * emitter passes. No imports: the standards definition, the engine and every consumer can read it without a cycle.
 *
 * The contract's clock events are at least: ticket.created, ticket.assigned, ticket.first_public_reply,
 * ticket.public_reply, ticket.customer_reply, ticket.resolved, ticket.closed, ticket.reopened.
 * `ticket.status_changed` accompanies every status change ({from, to}) so clocks can pause/resume.
 * The closed-loop flows (care, complaints, recovery, surveys) record their steps on the ticket too.
 */
export const TICKET_EVENT_KINDS = [
  'ticket.created',
  'ticket.assigned',
  'ticket.taken',
  'ticket.first_public_reply',
  'ticket.public_reply',
  'ticket.internal_note',
  'ticket.customer_reply',
  'ticket.status_changed',
  'ticket.resolved',
  'ticket.closed',
  'ticket.reopened',
  'ticket.priority_changed',
  'ticket.updated',
  'ticket.merged',
  'ticket.linked',
  'ticket.team_transferred',
  'ticket.handover_requested',
  'ticket.handover_confirmed',
  'ticket.handover_declined',
  'ticket.compensation_granted',
  'ticket.compensation_requested',
  'ticket.compensation_rejected',
  // Process rule (seed 001): the customer accepted / refused a compensation offered; only an accepted one counts.
  'ticket.compensation_accepted',
  'ticket.compensation_refused',
  'ticket.order_confirmed',
  'ticket.order_change_requested',
  'ticket.order_change_approved',
  'ticket.order_change_rejected',
  // Process requirements (modules/process): a transfer between agents of one team, a complaint's solution options.
  'ticket.owner_transferred',
  'ticket.solution_options_offered',
  'ticket.solution_chosen',
  'ticket.customer_confirmed',
  'ticket.attachment_added',
  'ticket.revisited',
  // The customer asked how their request stands (staff button or portal action) / accepted the proposed solution.
  'ticket.status_requested',
  'ticket.solution_confirmed',
  // Checklist steps of repair and order tickets (报价已告知客户, 已说明作业、保修范围和收费), issue #13 item 7.
  'ticket.checklist_recorded',
  'standard.warning',
  'standard.breached',
  'ticket.escalated',
  'care.planned',
  'care.contacted',
  'care.guarantee_reopened',
  'complaint.listened',
  'complaint.empathised',
  'complaint.confirmed',
  'complaint.resolved',
  'complaint.revisited',
  'complaint.feedback',
  'complaint.classified',
  'complaint.escalated',
  'recovery.opened',
  'recovery.contacted',
  'recovery.solution_proposed',
  'recovery.revisited',
  'recovery.closed',
  'survey.sent',
  'survey.answered',
  // Field service (planned): a completed visit triggers its surveys (loops/handlers.ts).
  'field.visit_completed',
  'field.visit_scheduled',
  'field.visit_arrived',
  // Field service: the customer signed off a visit (service report attached).
  'field.visit_signed',
  // Field service: the customer was reminded of a booked visit (or could not be: no channel takes it).
  'field.visit_reminded',
  'field.visit_reminder_unreachable',
  // Quality inspection (modules/quality): an appeal is timed by the standards engine on the inspected ticket.
  'qa.inspected',
  'qa.appeal_filed',
  'qa.appeal_ruled',
  // Environment checks (modules/environment): a corrective task is timed by the standards engine on its internal ticket.
  'env.corrective_opened',
  'env.corrective_closed',
] as const;

export type TicketEventKind = (typeof TICKET_EVENT_KINDS)[number];

/** The standards engine's own events: they never start or stop a clock. */
export const ENGINE_EVENT_KINDS = ['standard.warning', 'standard.breached', 'ticket.escalated'] as const satisfies readonly TicketEventKind[];
/** Every kind a clock may start or stop on (every kind but the engine's own). */
export const CLOCK_EVENT_KINDS: readonly TicketEventKind[] = TICKET_EVENT_KINDS.filter((k) => !(ENGINE_EVENT_KINDS as readonly string[]).includes(k));

const KIND_SET: ReadonlySet<string> = new Set(TICKET_EVENT_KINDS);
export const isTicketEventKind = (k: string): k is TicketEventKind => KIND_SET.has(k);

/**
 * A server text stored in an event for later display ({key, params}, rendered in the reader's language); events
 * stored before message keys hold a plain string.
 */
export interface StoredText {
  key: string;
  params?: Record<string, unknown>;
}
export type ReasonText = StoredText | string;

/** Every payload may carry more than its listed fields (emitters add context); the listed ones are typed. */
interface Open {
  [k: string]: unknown;
}
type Step = Open & { caseId: string };

/** The data each kind carries (what its emitters pass). */
export interface TicketEventPayloads {
  'ticket.created': Open & { type?: string; channel?: string; priority?: string; subject?: string; ringCount?: number };
  'ticket.assigned': Open & {
    ownerId?: string | null;
    teamId?: string | null;
    previousOwnerId?: string | null;
    previousTeamId?: string | null;
    reason?: ReasonText;
    auto?: boolean;
    ruleId?: string | null;
  };
  'ticket.taken': Open & { ownerId?: string | null; reason?: ReasonText };
  'ticket.first_public_reply': Open & { replyId?: string };
  'ticket.public_reply': Open & { replyId?: string };
  'ticket.internal_note': Open & { replyId?: string };
  'ticket.customer_reply': Open & { replyId?: string };
  'ticket.status_changed': Open & { from?: string; to?: string; cause?: string; note?: string };
  'ticket.resolved': Open & { resolution?: string | null };
  'ticket.closed': Open & { customerConfirmed?: boolean };
  'ticket.reopened': Open & { reason?: ReasonText | null; guarantee?: boolean; newTicketId?: string };
  'ticket.priority_changed': Open & { from?: string; to?: string; cause?: string };
  'ticket.updated': Open & { fields?: string[] };
  'ticket.merged': Open & { intoId: string; intoNumber: string };
  'ticket.linked': Open & { otherId: string; kind: string; number: string; merged?: boolean };
  'ticket.team_transferred': Open & { from: string | null; to: string | null };
  'ticket.handover_requested': Open & { handoverId: string; toStaffId: string };
  'ticket.handover_confirmed': Open & { handoverId: string; fromStaffId: string; toStaffId: string };
  'ticket.handover_declined': Open & { handoverId: string; note: string | null };
  'ticket.compensation_granted': Open & { compensationId: string; kind?: string; amountFen: number | null; approvalId?: string; comment?: string };
  'ticket.compensation_requested': Open & { compensationId: string; approvalId: string; kind: string; amountFen: number; limitFen: number };
  'ticket.compensation_rejected': Open & { compensationId: string; approvalId: string; amountFen: number | null; comment?: string };
  'ticket.compensation_accepted': Open & { compensationId: string; kind: string; amountFen: number; channel: string; by: 'staff' | 'customer' };
  'ticket.compensation_refused': Open & { compensationId: string; kind: string; amountFen: number; channel: string; by: 'staff' | 'customer' };
  'ticket.order_confirmed': Open & { lines: { item: string; spec: string; quantity: number }[] };
  'ticket.order_change_requested': Open & { changeId: string; approvalId: string; reason: string };
  'ticket.order_change_approved': Open & { changeId: string; approvalId: string; comment?: string };
  'ticket.order_change_rejected': Open & { changeId: string; approvalId: string; comment?: string };
  'ticket.owner_transferred': Open & { from: string | null; to: string | null; reasonKind: string; reason: ReasonText };
  'ticket.solution_options_offered': Open & { options: string[]; chosen: number | null };
  'ticket.solution_chosen': Open & { chosen: number; option: string; via?: string };
  'ticket.customer_confirmed': Open;
  'ticket.attachment_added': Open & { attachmentId?: string };
  /** A revisit of the customer (the care loop's contact). */
  'ticket.revisited': Open & { careTaskId?: string; seq?: number; result?: string; outcome?: string; kind?: string };
  'ticket.status_requested': Open & { by: 'staff' | 'customer'; byId: string; channel: string };
  'ticket.solution_confirmed': Open & { by: 'staff' | 'customer'; byId: string; channel: string; note?: string | null };
  'ticket.checklist_recorded': Open & { step: 'cost_quoted' | 'work_explained'; inTime: boolean };
  'standard.warning': Open & { instanceId?: string; code?: string; name?: string; percent?: number | null; dueAt?: string | null };
  'standard.breached': Open & { instanceId?: string; code?: string; name?: string; dueAt?: string };
  'ticket.escalated': Open & { instanceId?: string; code?: string; name?: string; step?: number; notifyRole?: string };
  'care.planned': Open & { guaranteeUntil?: string; contactDays?: number[] };
  'care.contacted': Open & { careTaskId?: string; seq?: number; result?: string };
  'care.guarantee_reopened': Open & { newTicketId?: string; newTicketNumber?: string; guaranteeUntil?: string };
  'complaint.listened': Step;
  'complaint.empathised': Step;
  'complaint.confirmed': Step;
  'complaint.resolved': Step;
  'complaint.revisited': Step;
  'complaint.feedback': Step;
  'complaint.classified': Step;
  'complaint.escalated': Step;
  'recovery.opened': Step;
  'recovery.contacted': Step;
  'recovery.solution_proposed': Step;
  'recovery.revisited': Step;
  'recovery.closed': Step;
  'survey.sent': Open & { surveyId?: string; templateId?: string; channel?: string; trigger?: string; delayed?: boolean };
  'survey.answered': Open & { surveyId?: string; responseId?: string; lowScore?: boolean };
  'field.visit_completed': Open & { visitId?: string; repeatOfId?: string | null };
  'field.visit_scheduled': Open & { visitId?: string; technicianId?: string | null; start?: string; end?: string; repeatOfId?: string | null };
  'field.visit_arrived': Open & { visitId?: string; method?: string; onTime?: boolean; offsetSeconds?: number };
  'field.visit_signed': Open & { visitId?: string; rating?: number; method?: string; reportAttachmentId?: string };
  'field.visit_reminded': Open & { visitId?: string; start?: string; end?: string; channels?: string[]; skipped?: { channel: string; why: string }[] };
  'field.visit_reminder_unreachable': Open & {
    visitId?: string;
    start?: string;
    end?: string;
    channels?: string[];
    skipped?: { channel: string; why: string }[];
  };
  'qa.inspected': Open & { inspectionId: string; score: number; passed: boolean };
  'qa.appeal_filed': Open & { inspectionId: string; appealId: string };
  'qa.appeal_ruled': Open & { inspectionId: string; appealId: string; decision: 'upheld' | 'revised'; scoreBefore: number; scoreAfter: number };
  'env.corrective_opened': Open & { taskId: string; checkId: string; siteId: string; item: string };
  'env.corrective_closed': Open & { taskId: string; checkId: string; siteId: string; item: string };
}

/** Compile-time check: a payload type for every kind, and no payload for a kind not in the list. */
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const PAYLOADS_COVER_KINDS: Exact<keyof TicketEventPayloads, TicketEventKind> = true;

export type TicketEventPayload<K extends TicketEventKind = TicketEventKind> = TicketEventPayloads[K];
