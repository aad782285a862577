import { z } from 'zod';
import { TRANSFER_REASONS } from '../process/process.reasons';

/** `internal` (内部工单): work of the organisation itself (environment corrective tasks…), on the internal customer. */
export const TICKET_TYPES = ['inquiry', 'complaint', 'repair', 'after_sales', 'order', 'suggestion', 'emergency', 'internal'] as const;
/** The types a customer's request can have (the portal offers these; never `internal`). */
export const CUSTOMER_TICKET_TYPES = ['inquiry', 'complaint', 'repair', 'after_sales', 'order', 'suggestion', 'emergency'] as const;
export const CHANNELS = ['portal', 'phone', 'walk_in', 'email', 'chat', 'wechat', 'api', 'dingtalk'] as const;
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export const STATUSES = ['new', 'assigned', 'in_progress', 'pending_customer', 'pending_internal', 'resolved', 'closed'] as const;
export const OPEN_STATUSES = ['new', 'assigned', 'in_progress', 'pending_customer', 'pending_internal'] as const;
export const COMPENSATION_KINDS = ['coupon', 'discount', 'refund', 'free_service', 'gift'] as const;
export type TicketStatus = (typeof STATUSES)[number];

const text = (max: number) => z.string().trim().min(1).max(max);

export const TicketCreate = z.object({
  /** Required, except for `type: "internal"` (内部工单), which belongs to the internal customer (leave it out). */
  customerId: z.uuid().optional().describe('required unless type is internal (an internal ticket belongs to the internal customer)'),
  type: z.enum(TICKET_TYPES),
  channel: z.enum(CHANNELS),
  priority: z.enum(PRIORITIES).default('normal'),
  subject: text(200),
  description: z.string().trim().max(20_000).default(''),
  categoryId: z.uuid().nullable().optional(),
  tags: z.array(text(32)).max(30).optional(),
  site: z.string().trim().max(64).nullable().optional(),
  /** The field-service site (POST /sites) of a repair; its visits default to it. */
  siteId: z.uuid().nullable().optional(),
  /** Staff taking the request themselves (first-contact ownership); default: phone and walk-in tickets are taken by their creator. */
  takeOwnership: z.boolean().optional(),
  ownerId: z.uuid().optional(),
  teamId: z.uuid().optional(),
  callDurationSeconds: z.number().int().min(0).max(86_400).optional(),
  ringCount: z.number().int().min(0).max(100).optional(),
  externalRef: z.string().trim().max(128).optional(),
  orderLines: z
    .array(z.object({ item: text(100), spec: z.string().trim().max(100).default(''), quantity: z.number().int().min(1).max(1_000_000) }))
    .max(100)
    .optional(),
  /** Files uploaded beforehand by the same person (POST /attachments), e.g. the photo of a walk-in's broken part. */
  attachmentIds: z.array(z.uuid()).max(20).optional(),
});

/** A service-standard clock on a ticket (standards.repo `standardsForTickets`): every field it sends, listed. */
export const StandardState = z
  .object({
    id: z.string().optional(),
    standardId: z.string().optional(),
    code: z.string(),
    name: z.string().optional(),
    version: z.number().int().optional(),
    cycle: z.number().int().optional(),
    state: z.enum(['running', 'paused', 'met', 'breached', 'cancelled']),
    paused: z.boolean().optional(),
    startedAt: z.string().optional(),
    dueAt: z.string().nullable(),
    metAt: z.string().nullable(),
    breachedAt: z.string().nullable(),
    endedAt: z.string().nullable().optional(),
    endReason: z.string().nullable().optional(),
    late: z.boolean().optional(),
    limitSeconds: z.number().optional(),
    /** Business seconds left (negative when overdue); null when the clock is not running. */
    remainingSeconds: z.number().nullable().optional(),
    warningsSent: z.number().int().optional(),
    escalationsSent: z.number().int().optional(),
    nextAction: z.string().nullable().optional(),
    nextActionAt: z.string().nullable().optional(),
    /** Counted standards: the recorded count (rings, contacts, transfers) and the inclusive limit. */
    observed: z.number().int().nullable().optional(),
    countLimit: z.number().int().nullable().optional(),
    countSource: z
      .enum(['ring_count', 'contacts_before_resolution', 'transfers', 'visits'])
      .nullable()
      .optional()
      .describe('counted standards: what is counted'),
  })
  .meta({ id: 'TicketStandardClock', description: 'A service-standard clock on a ticket' });

export const TicketSummary = z
  .object({
    id: z.string(),
    number: z.string(),
    customerId: z.string(),
    customerName: z.string().nullable(),
    customerTier: z.string().nullable(),
    type: z.enum(TICKET_TYPES),
    channel: z.enum(CHANNELS),
    priority: z.enum(PRIORITIES),
    status: z.enum(STATUSES),
    subject: z.string(),
    ownerId: z.string().nullable(),
    ownerName: z.string().nullable(),
    teamId: z.string().nullable(),
    teamName: z.string().nullable(),
    categoryId: z.string().nullable(),
    tags: z.array(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
    resolvedAt: z.string().nullable(),
    /** Staff queues: the ticket's clocks (the queue's clock column). Absent for customers. */
    standards: z.array(StandardState).optional(),
  })
  .meta({ id: 'TicketSummary' });

export const TimelineItem = z
  .object({
    id: z.string(),
    at: z.string(),
    kind: z.string(),
    /** The event's title in the reader's language. */
    title: z.string(),
    actorKind: z.string(),
    actorId: z.string().nullable(),
    actorName: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'TicketEvent' });

export const Reply = z
  .object({
    id: z.string(),
    authorKind: z.string(),
    authorId: z.string().nullable(),
    authorName: z.string().nullable(),
    visibility: z.enum(['public', 'internal']),
    body: z.string(),
    createdAt: z.string(),
    attachments: z.array(z.object({ id: z.string(), filename: z.string(), mime: z.string(), size: z.number(), hasThumbnail: z.boolean() })),
  })
  .meta({ id: 'TicketReply' });

export const TicketAbilities = z
  .object({
    reply: z.boolean(),
    note: z.boolean(),
    assign: z.boolean(),
    take: z.boolean(),
    handover: z.boolean(),
    compensate: z.boolean(),
    changeStatus: z.boolean(),
    resolve: z.boolean(),
    close: z.boolean(),
    reopen: z.boolean(),
  })
  .meta({ id: 'TicketAbilities', description: 'What the caller may do with this ticket now (tickets.policy.ts: the same rules the commands apply)' });

export const TicketCreated = z
  .object({
    id: z.string(),
    number: z.string(),
    status: z.enum(STATUSES),
    ownerId: z.string().nullable(),
    teamId: z.string().nullable(),
    dispatch: z.object({ ruleId: z.string().nullable(), reason: z.string() }).nullable(),
    standards: z.array(StandardState),
  })
  .meta({ id: 'TicketCreated' });

export const TicketListQuery = z.object({
  status: z
    .string()
    .regex(/^[a-z_]+(,[a-z_]+)*$/)
    .optional()
    .describe('one or more statuses, comma-separated; "open" = every unresolved status'),
  ownerId: z.string().optional().describe('a staff id, or "me"'),
  teamId: z.string().optional().describe('a team id, or "mine"'),
  unassigned: z.enum(['true', 'false']).optional(),
  customerId: z.uuid().optional(),
  type: z.enum(TICKET_TYPES).optional(),
  channel: z.enum(CHANNELS).optional(),
  priority: z.enum(PRIORITIES).optional(),
  q: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.uuid().optional(),
  dueWithinSeconds: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .optional()
    .describe('only tickets with a running (not yet breached) standard clock due within this many seconds; combine with status'),
  risk: z
    .enum(['breached', 'at_risk', 'attention'])
    .optional()
    .describe(
      'breached: a standard clock breached (or running past its deadline); at_risk: a running clock due within dueWithinSeconds (default 3600); attention: either',
    ),
  sort: z.enum(['newest', 'due']).default('newest').describe('newest first (default, keyset cursor), or nearest standard deadline first (paged with offset)'),
  offset: z.coerce.number().int().min(0).max(10_000).optional().describe("with sort=due: skip this many (the previous answer's nextOffset)"),
});

/** A page of the queue: keyset `nextCursor` (newest first) or `nextOffset` (sort=due). */
export const TicketPage = z.object({
  items: z.array(TicketSummary),
  nextCursor: z.string().nullable(),
  nextOffset: z.number().int().nullable().optional().describe('sort=due: the offset of the next page, null on the last'),
});

/** Home counters: open tickets the caller is responsible for (scope by role), and how many of them need attention. */
export const TicketCounts = z
  .object({
    scope: z
      .enum(['mine', 'team', 'all'])
      .describe("mine: owned by the caller; team: the caller's team (supervisors); all: every team (directors, admins, QA)"),
    teamId: z.string().nullable(),
    teamName: z.string().nullable(),
    open: z.number().int(),
    dueSoon: z.number().int().describe('a running standard due within dueSoonSeconds'),
    breached: z.number().int(),
    awaitingCustomer: z.number().int().describe('status pending_customer'),
    dueSoonSeconds: z.number().int(),
  })
  .meta({ id: 'TicketCounts' });

export const ReplyCreate = z.object({
  body: z.string().trim().min(1).max(20_000),
  visibility: z.enum(['public', 'internal']).default('public'),
  attachmentIds: z.array(z.uuid()).max(20).optional(),
});
export const Resolve = z.object({ resolution: z.string().trim().min(1).max(5000) });
export const Reopen = z.object({ reason: z.string().trim().max(2000).optional() }).optional();
export const Assign = z
  .object({
    ownerId: z.uuid().nullable().optional(),
    teamId: z.uuid().nullable().optional(),
    reason: z.string().trim().max(500).optional().describe('free text; with reasonKind, or alone (then the kind is other)'),
    reasonKind: z
      .enum(TRANSFER_REASONS)
      .optional()
      .describe('why the ticket moves: required (or a free-text reason) when it moves from one agent or team to another'),
  })
  .refine((v) => v.ownerId !== undefined || v.teamId !== undefined, { message: 'give ownerId or teamId', path: ['ownerId'] });
export const StatusChange = z.object({ status: z.enum(['in_progress', 'pending_customer', 'pending_internal']), note: z.string().trim().max(2000).optional() });
export const TicketPatch = z.object({
  priority: z.enum(PRIORITIES).optional(),
  categoryId: z.uuid().nullable().optional(),
  tags: z.array(text(32)).max(30).optional(),
  subject: text(200).optional(),
  type: z.enum(TICKET_TYPES).optional(),
});

export const HandoverCreate = z.object({
  toStaffId: z.uuid(),
  situation: text(2000),
  need: text(2000),
  done: text(2000),
  pending: text(2000),
  expectation: text(2000),
  cautions: z.string().trim().max(2000).default('无'),
  reasonKind: z.enum(TRANSFER_REASONS).default('shift_handover').describe('why it is handed over (default 交接班)'),
  reasonNote: z.string().trim().max(500).optional(),
});
export const Handover = z
  .object({
    id: z.string(),
    ticketId: z.string(),
    fromStaffId: z.string(),
    fromStaffName: z.string().nullable(),
    toStaffId: z.string(),
    toStaffName: z.string().nullable(),
    situation: z.string(),
    need: z.string(),
    done: z.string(),
    pending: z.string(),
    expectation: z.string(),
    cautions: z.string(),
    state: z.enum(['pending', 'confirmed', 'declined', 'cancelled']),
    decisionNote: z.string().nullable(),
    createdAt: z.string(),
    decidedAt: z.string().nullable(),
    reasonKind: z.enum(TRANSFER_REASONS),
    reason: z.string().describe("the reason, rendered in the reader's language"),
    ticketNumber: z.string().nullable().optional(),
    ticketSubject: z.string().nullable().optional(),
  })
  .meta({ id: 'Handover' });
export const Decision = z.object({ note: z.string().trim().max(2000).optional() }).optional();

export const CompensationCreate = z.object({ kind: z.enum(COMPENSATION_KINDS), amountFen: z.number().int().min(0).max(1_000_000_000), reason: text(2000) });
export const Compensation = z
  .object({
    id: z.string(),
    ticketId: z.string(),
    kind: z.enum(COMPENSATION_KINDS),
    amountFen: z.number(),
    currency: z.string(),
    reason: z.string(),
    state: z.enum(['granted', 'pending_approval', 'rejected']),
    requestedById: z.string(),
    approvalId: z.string().nullable(),
    createdAt: z.string(),
    acceptance: z
      .enum(['offered', 'accepted', 'refused'])
      .nullable()
      .optional()
      .describe("the customer's answer once granted: offered until accepted or refused; only an accepted one counts as granted"),
    acceptanceChannel: z.string().nullable().optional().describe('how the customer answered (portal, phone, walk_in, …)'),
    answeredAt: z.string().nullable().optional(),
  })
  .meta({ id: 'Compensation' });
export const TicketDetail = TicketSummary.extend({
  description: z.string(),
  site: z.string().nullable(),
  resolution: z.string().nullable(),
  callDurationSeconds: z.number().nullable(),
  ringCount: z.number().nullable(),
  externalRef: z.string().nullable(),
  mergedIntoId: z.string().nullable(),
  firstPublicReplyAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  customerConfirmedAt: z.string().nullable(),
  reopenCount: z.number(),
  assistance: z
    .object({
      kind: z.enum(['elderly', 'disabled', 'other']),
      note: z.string().nullable(),
      helperId: z.string().nullable(),
      helperName: z.string().nullable(),
    })
    .nullable()
    .optional()
    .describe('需一对一帮办: the customer needs one-to-one help, and their designated staff member (staff only; null = no)'),
  standards: z.array(StandardState),
  timeline: z.array(TimelineItem),
  replies: z.array(Reply),
  attachments: z.array(
    z.object({ id: z.string(), filename: z.string(), mime: z.string(), size: z.number(), hasThumbnail: z.boolean(), replyId: z.string().nullable() }),
  ),
  orderLines: z.array(z.object({ id: z.string(), item: z.string(), spec: z.string(), quantity: z.number() })),
  handovers: z.array(Handover),
  compensations: z.array(Compensation),
  links: z.array(z.object({ otherId: z.string(), kind: z.string(), number: z.string().nullable() })),
  allowed: TicketAbilities,
}).meta({ id: 'Ticket' });

export const ApprovalDecision = z.object({ comment: z.string().trim().max(2000).default('') });
export const Approval = z
  .object({
    id: z.string(),
    /** Readable 审批单号: SP + the organisation's date + a per-day sequence. */
    number: z.string().describe('readable approval number, e.g. SP20261205-0012'),
    kind: z.enum(['compensation', 'order_change']),
    compensationKind: z.enum(COMPENSATION_KINDS).nullable().describe('the compensation asked for (null for an order change)'),
    reason: z.string().nullable().describe("the requester's reason"),
    ticketId: z.string(),
    ticketNumber: z.string().nullable(),
    ticketSubject: z.string().nullable(),
    customerId: z.string().nullable(),
    customerName: z.string().nullable(),
    customerTier: z.string().nullable(),
    customerHistory: z
      .object({ compensations: z.number().int(), compensationTotalFen: z.number().int(), approvals: z.number().int() })
      .describe("the customer's compensation granted and approvals filed in the 12 months before this request (this one excluded)"),
    subjectId: z.string(),
    amountFen: z.number().nullable(),
    requestedById: z.string(),
    requestedByName: z.string().nullable(),
    requestedByEmployeeNo: z.string().nullable(),
    requesterLimitFen: z.number().int().describe("the requester's own compensation limit (fen)"),
    approverLimitFen: z.number().int().describe("the caller's compensation limit (fen)"),
    state: z.enum(['pending', 'approved', 'rejected']),
    decidedById: z.string().nullable(),
    comment: z.string().nullable(),
    createdAt: z.string(),
    decidedAt: z.string().nullable(),
    summary: z.string(),
    canDecide: z.boolean(),
  })
  .meta({ id: 'Approval' });

export const OrderLinesPut = z.object({
  lines: z
    .array(z.object({ item: text(100), spec: z.string().trim().max(100).default(''), quantity: z.number().int().min(1).max(1_000_000) }))
    .min(1)
    .max(100),
});
export const OrderChangeCreate = OrderLinesPut.extend({ reason: text(2000) });

export const LinkCreate = z.object({ otherId: z.uuid(), kind: z.enum(['related', 'duplicate', 'parent', 'child']).default('related') });
export const MergeBody = z.object({ intoId: z.uuid() });
export const BulkBody = z.object({
  ids: z.array(z.uuid()).min(1).max(200),
  action: z.enum(['assign', 'priority', 'tag', 'status', 'resolve']),
  ownerId: z.uuid().nullable().optional(),
  teamId: z.uuid().nullable().optional(),
  priority: z.enum(PRIORITIES).optional(),
  tags: z.array(text(32)).max(30).optional(),
  status: z.enum(['in_progress', 'pending_customer', 'pending_internal']).optional(),
  resolution: z.string().trim().max(5000).optional(),
});

export const CategoryCreate = z.object({ name: text(64), parentId: z.uuid().nullable().optional(), position: z.number().int().min(0).max(10_000).optional() });
export const Category = z.object({ id: z.string(), name: z.string(), parentId: z.string().nullable(), position: z.number() }).meta({ id: 'TicketCategory' });

export const DispatchConditions = z.object({
  types: z.array(z.enum(TICKET_TYPES)).optional(),
  categoryIds: z.array(z.uuid()).optional(),
  priorities: z.array(z.enum(PRIORITIES)).optional(),
  channels: z.array(z.enum(CHANNELS)).optional(),
  tiers: z.array(z.enum(['diamond', 'gold', 'silver', 'regular'])).optional(),
  vip: z.boolean().optional(),
});
export const DispatchRuleInput = z.object({
  name: text(100),
  active: z.boolean().default(true),
  position: z.number().int().min(0).max(100_000).optional(),
  conditions: DispatchConditions.default({}),
  teamId: z.uuid(),
  requiredSkills: z.array(text(32)).max(10).default([]),
  maxOpenPerAgent: z.number().int().min(1).max(10_000).nullable().default(null),
});
export const DispatchRule = DispatchRuleInput.extend({ id: z.string(), position: z.number(), teamName: z.string().nullable() }).meta({ id: 'DispatchRule' });
export const DryRunBody = z.object({
  ticketId: z.uuid().optional(),
  type: z.enum(TICKET_TYPES).optional(),
  channel: z.enum(CHANNELS).optional(),
  priority: z.enum(PRIORITIES).optional(),
  categoryId: z.uuid().nullable().optional(),
  customerId: z.uuid().optional(),
  tier: z.enum(['diamond', 'gold', 'silver', 'regular']).optional(),
  vip: z.boolean().optional(),
});
export const DispatchDecision = z
  .object({
    ruleId: z.string().nullable(),
    ruleName: z.string().nullable(),
    teamId: z.string().nullable(),
    staffId: z.string().nullable(),
    staffName: z.string().nullable(),
    reason: z.string(),
    rules: z.array(z.object({ ruleId: z.string(), name: z.string(), matched: z.boolean(), why: z.string() })),
    candidates: z.array(z.object({ staffId: z.string(), name: z.string(), openLoad: z.number(), onDuty: z.boolean(), eligible: z.boolean(), why: z.string() })),
  })
  .meta({ id: 'DispatchDecision' });

export const SavedFilterCreate = z.object({ name: text(64), query: z.record(z.string(), z.string()) });
export const SavedFilter = z.object({ id: z.string(), name: z.string(), query: z.record(z.string(), z.string()) }).meta({ id: 'SavedFilter' });

// Results of commands on a ticket.
export const TicketStatusResult = z.object({ id: z.string(), status: z.enum(STATUSES) }).meta({ id: 'TicketStatusResult' });
export const TicketResolved = z.object({ id: z.string(), status: z.enum(STATUSES), resolvedAt: z.string().nullable() }).meta({ id: 'TicketResolved' });
export const TicketAssigned = z
  .object({ id: z.string(), ownerId: z.string().nullable(), teamId: z.string().nullable(), status: z.enum(STATUSES) })
  .meta({ id: 'TicketAssigned' });
export const TicketTaken = z.object({ id: z.string(), ownerId: z.string(), status: z.enum(STATUSES) }).meta({ id: 'TicketTaken' });
export const TicketId = z.object({ id: z.string() }).meta({ id: 'TicketId' });
export const ReplyCreated = z.object({ id: z.string(), ticketId: z.string(), status: z.enum(STATUSES) }).meta({ id: 'ReplyCreated' });
export const OrderLinesSet = z.object({ id: z.string(), lines: z.number() });
export const OrderConfirmed = z.object({ id: z.string(), confirmed: z.boolean() });
export const OrderChangeRequested = z.object({ id: z.string(), approvalId: z.string(), state: z.literal('pending') });
export const TicketMerged = z.object({ id: z.string(), status: z.enum(STATUSES), mergedIntoId: z.string() });
export const BulkResult = z
  .object({
    results: z.array(z.object({ id: z.string(), ok: z.boolean(), code: z.string().optional(), reason: z.string().optional(), detail: z.string().optional() })),
    succeeded: z.number(),
    failed: z.number(),
  })
  .meta({ id: 'TicketBulkResult' });
export const Duty = z.object({ onDuty: z.boolean() });
export const TeamLoad = z
  .object({
    items: z.array(
      z.object({
        staffId: z.string(),
        employeeNo: z.string(),
        name: z.string(),
        teamId: z.string().nullable(),
        teamName: z.string().nullable(),
        onDuty: z.boolean(),
        openTickets: z.number(),
        pendingHandovers: z.number(),
      }),
    ),
  })
  .meta({ id: 'TeamLoad' });
export const IdParam = z.object({ id: z.uuid() });
