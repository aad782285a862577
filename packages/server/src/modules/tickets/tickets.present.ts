/** Rows → API shapes for the tickets domain (tickets, timeline, replies, handovers, compensations, approvals, rules). */
import type { compensations, dispatchRules, handovers } from '../../db/schema';
import type { Locale } from '../../i18n/index';
import { effectiveLimitFen } from '../identity/identity.present';
import type { StandardStateOut } from './ticket-events';
import type { ApprovalListRow } from './tickets.approvals.repo';
import { eventTitle, renderText, text, yuan, TEXT_FIELDS } from './tickets.messages';
import { transferReasonText, type TransferReason } from '../process/process.reasons';
import type { TicketAbilities } from './tickets.policy';
import type { TicketRow } from './tickets.repo';

export const iso = (d: Date | null) => (d ? d.toISOString() : null);

export type SummaryRow = Pick<
  TicketRow,
  | 'id'
  | 'number'
  | 'customerId'
  | 'type'
  | 'channel'
  | 'priority'
  | 'status'
  | 'subject'
  | 'ownerId'
  | 'teamId'
  | 'categoryId'
  | 'tags'
  | 'createdAt'
  | 'updatedAt'
  | 'resolvedAt'
>;
export interface SummaryNames {
  customerName: string | null;
  customerTier: string | null;
  ownerName: string | null;
  teamName: string | null;
}

export function presentSummary(t: SummaryRow, n: SummaryNames) {
  return {
    id: t.id,
    number: t.number,
    customerId: t.customerId,
    customerName: n.customerName,
    customerTier: n.customerTier,
    type: t.type as never,
    channel: t.channel as never,
    priority: t.priority as never,
    status: t.status as never,
    subject: t.subject,
    ownerId: t.ownerId,
    ownerName: n.ownerName,
    teamId: t.teamId,
    teamName: n.teamName,
    categoryId: t.categoryId,
    tags: t.tags,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    resolvedAt: iso(t.resolvedAt),
  };
}

/** A queue row: the summary with the ticket's clocks (the queue's clock column). */
export function presentListItem(t: SummaryRow, n: SummaryNames, standards: StandardStateOut[]) {
  return { ...presentSummary(t, n), standards };
}

/** What a customer sees of an event's data (the rest is internal). */
function publicEventData(kind: string, data: Record<string, unknown>): Record<string, unknown> {
  if (kind === 'ticket.status_changed') return { from: data.from, to: data.to };
  if (kind === 'ticket.created') return { type: data.type, channel: data.channel };
  return {};
}

/** Stored texts in an event's data (`reason`) rendered in the reader's language; old plain strings stay as they are. */
function renderData(locale: Locale | undefined, data: Record<string, unknown>): Record<string, unknown> {
  let out = data;
  for (const f of TEXT_FIELDS) {
    const v = data[f];
    if (v !== null && typeof v === 'object') out = { ...out, [f]: renderText(locale, v) };
  }
  return out;
}

export interface TimelineRow {
  e: { id: number; at: Date; kind: string; actorKind: string; actorId: string | null; data: unknown };
  staffName: string | null;
}

export function presentTimelineItem(locale: Locale | undefined, staffView: boolean, r: TimelineRow, customerName: string | null) {
  const data = r.e.data as Record<string, unknown>;
  return {
    id: String(r.e.id),
    at: r.e.at.toISOString(),
    kind: r.e.kind,
    title: eventTitle(locale, r.e.kind),
    actorKind: r.e.actorKind,
    actorId: staffView ? r.e.actorId : null,
    actorName: r.e.actorKind === 'staff' ? r.staffName : r.e.actorKind === 'customer' ? customerName : null,
    data: staffView ? renderData(locale, data) : publicEventData(r.e.kind, data),
  };
}

type FileRow = { id: string; filename: string; mime: string; size: number; replyId: string | null; hasThumbnail: boolean | null };
type ReplyRow = {
  r: { id: string; authorKind: string; authorId: string | null; visibility: string; body: string; createdAt: Date };
  staffName: string | null;
};

export interface DetailParts {
  locale: Locale | undefined;
  staffView: boolean;
  names: SummaryNames;
  customerName: string | null;
  /** 需一对一帮办 of the ticket's customer (null = none). */
  assistance: { assistance: string; note: string | null; helperId: string | null; helperName: string | null } | null;
  timeline: TimelineRow[];
  replies: ReplyRow[];
  files: FileRow[];
  lines: { id: string; item: string; spec: string; quantity: number }[];
  handovers: { h: typeof handovers.$inferSelect; fromName: string | null; toName: string | null }[];
  compensations: CompensationWithAnswer[];
  links: { otherId: string; kind: string; number: string | null }[];
  standards: StandardStateOut[];
  allowed: TicketAbilities;
}

export function presentTicket(t: TicketRow, p: DetailParts) {
  const { staffView, files, replies } = p;
  const visibleFiles = staffView ? files : files.filter((f) => f.replyId === null || replies.some((r) => r.r.id === f.replyId));
  return {
    ...presentSummary(t, p.names),
    description: t.description,
    site: t.site,
    resolution: t.resolution,
    callDurationSeconds: t.callDurationSeconds,
    ringCount: t.ringCount,
    externalRef: t.externalRef,
    mergedIntoId: t.mergedIntoId,
    firstPublicReplyAt: iso(t.firstPublicReplyAt),
    closedAt: iso(t.closedAt),
    customerConfirmedAt: iso(t.customerConfirmedAt),
    reopenCount: t.reopenCount,
    standards: staffView ? p.standards : [],
    assistance:
      staffView && p.assistance
        ? {
            kind: p.assistance.assistance as 'elderly' | 'disabled' | 'other',
            note: p.assistance.note,
            helperId: p.assistance.helperId,
            helperName: p.assistance.helperName,
          }
        : null,
    timeline: p.timeline.map((r) => presentTimelineItem(p.locale, staffView, r, p.customerName)),
    replies: replies.map((r) => ({
      id: r.r.id,
      authorKind: r.r.authorKind,
      authorId: staffView ? r.r.authorId : null,
      authorName: r.r.authorKind === 'staff' ? r.staffName : r.r.authorKind === 'customer' ? p.customerName : null,
      visibility: r.r.visibility as 'public' | 'internal',
      body: r.r.body,
      createdAt: r.r.createdAt.toISOString(),
      attachments: files
        .filter((f) => f.replyId === r.r.id)
        .map((f) => ({ id: f.id, filename: f.filename, mime: f.mime, size: f.size, hasThumbnail: Boolean(f.hasThumbnail) })),
    })),
    attachments: visibleFiles.map((f) => ({
      id: f.id,
      filename: f.filename,
      mime: f.mime,
      size: f.size,
      hasThumbnail: Boolean(f.hasThumbnail),
      replyId: f.replyId,
    })),
    orderLines: p.lines.map((l) => ({ id: l.id, item: l.item, spec: l.spec, quantity: l.quantity })),
    handovers: p.handovers.map((h) => presentHandover(h.h, h.fromName, h.toName, {}, p.locale)),
    compensations: p.compensations.map(presentCompensation),
    links: p.links.map((l) => ({ otherId: l.otherId, kind: l.kind, number: l.number })),
    allowed: p.allowed,
  };
}

export function presentHandover(
  h: typeof handovers.$inferSelect,
  fromName: string | null,
  toName: string | null,
  extra: { ticketNumber?: string | null; ticketSubject?: string | null } = {},
  locale?: Locale,
) {
  return {
    id: h.id,
    ticketId: h.ticketId,
    fromStaffId: h.fromStaffId,
    fromStaffName: fromName,
    toStaffId: h.toStaffId,
    toStaffName: toName,
    situation: h.situation,
    need: h.need,
    done: h.done,
    pending: h.pending,
    expectation: h.expectation,
    cautions: h.cautions,
    state: h.state as 'pending',
    decisionNote: h.decisionNote,
    createdAt: h.createdAt.toISOString(),
    decidedAt: iso(h.decidedAt),
    reasonKind: h.reasonKind as TransferReason,
    reason: renderText(locale, transferReasonText(h.reasonKind as TransferReason, h.reasonNote)),
    ...extra,
  };
}

type CompensationWithAnswer = typeof compensations.$inferSelect & {
  answer?: { decision: string; channel: string; at: Date } | null;
};

/** `acceptance`: null unless granted; then offered until the customer accepted or refused (only accepted counts). */
export function presentCompensation(c: CompensationWithAnswer) {
  return {
    id: c.id,
    ticketId: c.ticketId,
    kind: c.kind as 'coupon',
    amountFen: c.amountFen,
    currency: c.currency,
    reason: c.reason,
    state: c.state as 'granted',
    requestedById: c.requestedById,
    approvalId: c.approvalId,
    createdAt: c.createdAt.toISOString(),
    acceptance: c.state !== 'granted' ? null : ((c.answer?.decision ?? 'offered') as 'offered' | 'accepted' | 'refused'),
    acceptanceChannel: c.answer?.channel ?? null,
    answeredAt: c.answer ? c.answer.at.toISOString() : null,
  };
}

export function presentApproval(locale: Locale | undefined, r: ApprovalListRow, approverLimitFen: number) {
  const a = r.a;
  const summary =
    a.kind === 'compensation'
      ? text('tickets.approval.summary.compensation', { amount: yuan(a.amountFen ?? 0) })
      : text('tickets.approval.summary.order_change');
  return {
    id: a.id,
    number: a.number,
    kind: a.kind as 'compensation',
    compensationKind: r.compensationKind as 'coupon' | null,
    reason: r.reason,
    ticketId: a.ticketId,
    ticketNumber: r.number,
    ticketSubject: r.ticketSubject,
    customerId: r.customerId,
    customerName: r.customerName,
    customerTier: r.customerTier,
    customerHistory: { compensations: r.historyCompensations, compensationTotalFen: r.historyCompensationFen, approvals: r.historyApprovals },
    subjectId: a.subjectId,
    amountFen: a.amountFen,
    requestedById: a.requestedById,
    requestedByName: r.requesterName,
    requestedByEmployeeNo: r.requesterEmployeeNo,
    requesterLimitFen: effectiveLimitFen({ roles: r.requesterRoles, compensationLimitFen: r.requesterLimitFen }),
    approverLimitFen,
    state: a.state as 'pending',
    decidedById: a.decidedById,
    comment: a.comment,
    createdAt: a.createdAt.toISOString(),
    decidedAt: a.decidedAt ? a.decidedAt.toISOString() : null,
    summary: renderText(locale, summary),
    canDecide: r.mayDecide,
  };
}

export function presentRule(r: typeof dispatchRules.$inferSelect, teamName: string | null) {
  return {
    id: r.id,
    name: r.name,
    active: r.active,
    position: r.position,
    conditions: r.conditions as Record<string, never>,
    teamId: r.teamId,
    teamName,
    requiredSkills: r.requiredSkills,
    maxOpenPerAgent: r.maxOpenPerAgent,
  };
}

export const presentCategory = (c: { id: string; name: string; parentId: string | null; position: number }) => ({
  id: c.id,
  name: c.name,
  parentId: c.parentId,
  position: c.position,
});
