import { and, eq, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client';
import { customers, staff, ticketReplies, tickets } from '../../db/schema';
import { diff, writeAudit } from '../../lib/audit';
import type { Actor, Ctx } from '../../lib/context';
import { AppError, invalid, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { notify } from '../../lib/notify';
import { authorize, can } from '../identity/policy';
import { checkTicketTransition, readStandards, recordTicketEvent } from './ticket-events';
import { attachTo, type Deps } from './tickets.create';
import { ticketsRepo, type TicketRow } from './tickets.repo';
import { visibleTicketById } from './visibility';
import { OPEN_STATUSES, type TicketStatus } from './tickets.schema';

export type { Deps } from './tickets.create';

const isOpen = (s: string) => (OPEN_STATUSES as readonly string[]).includes(s);

const EVENT_TITLES: Record<string, string> = {
  'ticket.assigned': '工单已分派', 'ticket.public_reply': '有新的回复', 'ticket.customer_reply': '客户回复了工单',
  'ticket.internal_note': '有新的内部备注', 'ticket.resolved': '工单已解决', 'ticket.reopened': '工单被重新打开',
  'ticket.closed': '工单已关闭', 'ticket.priority_changed': '优先级已变更', 'ticket.handover_requested': '收到交接请求',
  'ticket.handover_confirmed': '交接已确认', 'ticket.handover_declined': '交接被拒绝', 'ticket.compensation_granted': '补偿已发放',
  'ticket.compensation_requested': '补偿待审批', 'ticket.compensation_rejected': '补偿审批被驳回', 'ticket.status_changed': '状态已变更',
  'ticket.customer_confirmed': '客户已确认解决', 'ticket.merged': '工单已合并', 'ticket.updated': '工单信息已更新', 'ticket.team_transferred': '工单已转组',
  'ticket.order_change_requested': '订单变更待审批', 'ticket.order_change_approved': '订单变更已批准', 'ticket.order_change_rejected': '订单变更被驳回',
};

/**
 * Record a ticket event (timeline + outbox + standards clocks, same transaction) and tell the owner
 * (first-contact ownership: the owner follows every change on tickets they own).
 */
export async function emit(tx: Tx, ctx: Ctx, t: TicketRow, kind: string, data: Record<string, unknown> = {}, previousStatus?: string) {
  const snap = await ticketsRepo.snapshot(tx, t, previousStatus);
  const ev = await recordTicketEvent(tx, ctx, snap, kind, data);
  if (t.ownerId && t.ownerId !== ctx.actor.id && EVENT_TITLES[kind] && kind !== 'ticket.status_changed') {
    await notify(tx, { recipientId: t.ownerId, kind, ticketId: t.id, title: `${t.number} ${EVENT_TITLES[kind]}`, data: { eventId: ev.id } });
  }
  return ev;
}

async function update(tx: Tx, t: TicketRow, set: Partial<TicketRow>): Promise<TicketRow> {
  const [row] = await tx.update(tickets).set({ ...set, updatedAt: new Date(), version: sql`${tickets.version} + 1` as unknown as number }).where(eq(tickets.id, t.id)).returning();
  return row!;
}

async function changeStatus(tx: Tx, ctx: Ctx, t: TicketRow, to: TicketStatus, set: Partial<TicketRow> = {}, data: Record<string, unknown> = {}): Promise<TicketRow> {
  const from = t.status;
  const after = await update(tx, t, { ...set, status: to });
  if (from !== to) await emit(tx, ctx, after, 'ticket.status_changed', { from, to, ...data }, from);
  return after;
}

/** Lock a ticket the actor may see; an invisible ticket is "not found" (its existence is not revealed). */
export async function lockVisible(tx: Tx, actor: Actor, id: string): Promise<TicketRow> {
  const [row] = await tx.select().from(tickets).where(visibleTicketById(actor, id)).for('update');
  if (!row) throw notFound('Ticket');
  return row;
}

function requireWork(ctx: Ctx) {
  if (ctx.actor.kind === 'customer') return;
  authorize(ctx.actor, 'tickets.work');
}

async function activeStaff(ex: Executor, id: string, path: string) {
  const [s] = await ex.select().from(staff).where(eq(staff.id, id));
  if (!s || !s.active) throw invalid(path, 'no such active staff member');
  return s;
}

// ───────────────────────────── create (batched: tickets.create.ts) ─────────────────────────────

export { createTicket, orgDay, type TicketCreateInput } from './tickets.create';

// ───────────────────────────── read ─────────────────────────────

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export type SummaryRow = Pick<TicketRow, 'id' | 'number' | 'customerId' | 'type' | 'channel' | 'priority' | 'status' | 'subject' | 'ownerId' | 'teamId' | 'categoryId' | 'tags' | 'createdAt' | 'updatedAt' | 'resolvedAt'>;

export function presentSummary(t: SummaryRow, n: { customerName: string | null; customerTier: string | null; ownerName: string | null; teamName: string | null }) {
  return {
    id: t.id, number: t.number, customerId: t.customerId, customerName: n.customerName, customerTier: n.customerTier,
    type: t.type as never, channel: t.channel as never, priority: t.priority as never, status: t.status as never, subject: t.subject,
    ownerId: t.ownerId, ownerName: n.ownerName, teamId: t.teamId, teamName: n.teamName, categoryId: t.categoryId, tags: t.tags,
    createdAt: t.createdAt.toISOString(), updatedAt: t.updatedAt.toISOString(), resolvedAt: iso(t.resolvedAt),
  };
}

export async function getTicket(deps: Deps, ctx: Ctx, id: string) {
  const { database } = deps;
  const ex = database.db;
  if (ctx.actor.kind === 'staff' && !can(ctx.actor, 'tickets.read_all') && !can(ctx.actor, 'tickets.work') && !can(ctx.actor, 'tickets.create')) authorize(ctx.actor, 'tickets.work');
  const t = await ticketsRepo.visibleById(ex, ctx.actor, id);
  if (!t) throw notFound('Ticket');
  const staffView = ctx.actor.kind !== 'customer';
  const [names, timeline, replies, files, lines, hos, comps, links, standards] = await Promise.all([
    ticketsRepo.names(ex, t), ticketsRepo.timeline(ex, id, staffView), ticketsRepo.replies(ex, id, staffView), ticketsRepo.attachmentsOf(ex, id),
    ticketsRepo.orderLinesOf(ex, id), staffView ? ticketsRepo.handoversOf(ex, id) : Promise.resolve([]), staffView ? ticketsRepo.compensationsOf(ex, id) : Promise.resolve([]),
    ticketsRepo.linksOf(ex, id), readStandards(ex, id),
  ]);
  const [cust] = await ex.select({ name: customers.name }).from(customers).where(eq(customers.id, t.customerId));
  const visibleFiles = staffView ? files : files.filter((f) => f.replyId === null || replies.some((r) => r.r.id === f.replyId));
  const actor = ctx.actor;
  const works = actor.kind === 'staff' && can(actor, 'tickets.work');
  const mine = actor.kind === 'staff' && t.ownerId === actor.id;
  const supervisor = actor.kind === 'staff' && can(actor, 'tickets.assign_any');
  return {
    ...presentSummary(t, names),
    description: t.description, site: t.site, resolution: t.resolution, callDurationSeconds: t.callDurationSeconds, ringCount: t.ringCount,
    externalRef: t.externalRef, mergedIntoId: t.mergedIntoId, firstPublicReplyAt: iso(t.firstPublicReplyAt), closedAt: iso(t.closedAt),
    customerConfirmedAt: iso(t.customerConfirmedAt), reopenCount: t.reopenCount,
    standards: staffView ? standards : [],
    timeline: timeline.map((r) => ({
      id: String(r.e.id), at: r.e.at.toISOString(), kind: r.e.kind, actorKind: r.e.actorKind, actorId: staffView ? r.e.actorId : null,
      actorName: r.e.actorKind === 'staff' ? r.staffName : r.e.actorKind === 'customer' ? (cust?.name ?? null) : null,
      data: staffView ? (r.e.data as Record<string, unknown>) : publicEventData(r.e.kind, r.e.data as Record<string, unknown>),
    })),
    replies: replies.map((r) => ({
      id: r.r.id, authorKind: r.r.authorKind, authorId: staffView ? r.r.authorId : null,
      authorName: r.r.authorKind === 'staff' ? r.staffName : r.r.authorKind === 'customer' ? (cust?.name ?? null) : null,
      visibility: r.r.visibility as 'public' | 'internal', body: r.r.body, createdAt: r.r.createdAt.toISOString(),
      attachments: files.filter((f) => f.replyId === r.r.id).map((f) => ({ id: f.id, filename: f.filename, mime: f.mime, size: f.size, hasThumbnail: Boolean(f.hasThumbnail) })),
    })),
    attachments: visibleFiles.map((f) => ({ id: f.id, filename: f.filename, mime: f.mime, size: f.size, hasThumbnail: Boolean(f.hasThumbnail), replyId: f.replyId })),
    orderLines: lines.map((l) => ({ id: l.id, item: l.item, spec: l.spec, quantity: l.quantity })),
    handovers: hos.map((h) => presentHandover(h.h, h.fromName, h.toName)),
    compensations: comps.map(presentCompensation),
    links: links.map((l) => ({ otherId: l.otherId, kind: l.kind, number: l.number })),
    allowed: {
      reply: actor.kind === 'customer' ? t.status !== 'closed' : works,
      assign: works && (supervisor || t.ownerId === null),
      handover: works && (mine || supervisor) && isOpen(t.status),
      compensate: works && isOpen(t.status) || (works && t.status === 'resolved'),
      resolve: works && isOpen(t.status),
      reopen: (works || actor.kind === 'customer') && (t.status === 'resolved' || t.status === 'closed'),
    },
  };
}

function publicEventData(kind: string, data: Record<string, unknown>): Record<string, unknown> {
  if (kind === 'ticket.status_changed') return { from: data.from, to: data.to };
  if (kind === 'ticket.created') return { type: data.type, channel: data.channel };
  return {};
}

export function presentHandover(h: typeof import('../../db/schema').handovers.$inferSelect, fromName: string | null, toName: string | null, extra: { ticketNumber?: string | null; ticketSubject?: string | null } = {}) {
  return {
    id: h.id, ticketId: h.ticketId, fromStaffId: h.fromStaffId, fromStaffName: fromName, toStaffId: h.toStaffId, toStaffName: toName,
    situation: h.situation, need: h.need, done: h.done, pending: h.pending, expectation: h.expectation, cautions: h.cautions,
    state: h.state as 'pending', decisionNote: h.decisionNote, createdAt: h.createdAt.toISOString(), decidedAt: iso(h.decidedAt), ...extra,
  };
}

export function presentCompensation(c: typeof import('../../db/schema').compensations.$inferSelect) {
  return {
    id: c.id, ticketId: c.ticketId, kind: c.kind as 'coupon', amountFen: c.amountFen, currency: c.currency, reason: c.reason,
    state: c.state as 'granted', requestedById: c.requestedById, approvalId: c.approvalId, createdAt: c.createdAt.toISOString(),
  };
}

export async function listTickets(deps: Deps, ctx: Ctx, q: {
  status?: string | undefined; ownerId?: string | undefined; teamId?: string | undefined; unassigned?: 'true' | 'false' | undefined; customerId?: string | undefined;
  type?: string | undefined; channel?: string | undefined; priority?: string | undefined; q?: string | undefined; limit: number; cursor?: string | undefined;
}) {
  const actor = ctx.actor;
  if (actor.kind === 'staff' && !['tickets.read_all', 'tickets.work', 'tickets.create'].some((p) => can(actor, p as never))) authorize(actor, 'tickets.work');
  const statuses = q.status?.split(',').flatMap((s) => (s === 'open' ? [...OPEN_STATUSES] : [s]));
  const ownerId = q.ownerId === 'me' ? actor.id ?? undefined : q.ownerId;
  const teamId = q.teamId === 'mine' ? (actor.kind === 'staff' ? actor.teamId ?? '00000000-0000-0000-0000-000000000000' : undefined) : q.teamId;
  for (const [path, v] of [['ownerId', ownerId], ['teamId', teamId]] as const) {
    if (v && !/^[0-9a-f-]{36}$/i.test(v)) throw invalid(path, 'must be an id, "me" or "mine"');
  }
  const rows = await ticketsRepo.list(deps.database.db, actor, {
    statuses, ownerId, teamId, unassigned: q.unassigned === 'true', customerId: q.customerId, type: q.type, channel: q.channel, priority: q.priority,
    q: q.q, limit: q.limit, before: q.cursor,
  });
  const more = rows.length > q.limit;
  const items = rows.slice(0, q.limit).map((r) => presentSummary(r.t, r));
  return { items, nextCursor: more ? items[items.length - 1]!.id : null };
}

// ───────────────────────────── work on a ticket ─────────────────────────────

export async function addReply(deps: Deps, ctx: Ctx, id: string, input: { body: string; visibility: 'public' | 'internal'; attachmentIds?: string[] | undefined }) {
  requireWork(ctx);
  const actor = ctx.actor;
  if (actor.kind === 'customer' && input.visibility !== 'public') throw invalid('visibility', 'customers reply publicly');
  return deps.database.transaction(async (tx) => {
    let t = await lockVisible(tx, actor, id);
    if (t.status === 'closed') throw new AppError('conflict', 'This ticket is closed; reopen it or open a new one');
    const replyId = uuidv7();
    const body = sanitizeText(input.body);
    await tx.insert(ticketReplies).values({ id: replyId, ticketId: id, authorKind: actor.kind, authorId: actor.id, visibility: input.visibility, body });
    if (input.attachmentIds?.length) await attachTo(tx, ctx, id, replyId, input.attachmentIds);
    if (actor.kind === 'staff') {
      if (input.visibility === 'internal') {
        await emit(tx, ctx, t, 'ticket.internal_note', { replyId });
      } else {
        const first = t.firstPublicReplyAt === null;
        const set: Partial<TicketRow> = { staffPublicReplyCount: t.staffPublicReplyCount + 1 };
        if (first) set.firstPublicReplyAt = new Date();
        if (!t.ownerId) { set.ownerId = actor.id; set.teamId = t.teamId ?? actor.teamId; }
        const before = t;
        t = await update(tx, t, set);
        if (!before.ownerId) await emit(tx, ctx, t, 'ticket.taken', { ownerId: actor.id, reason: '首问负责：首位回复的员工成为负责人' });
        if (first) await emit(tx, ctx, t, 'ticket.first_public_reply', { replyId });
        await emit(tx, ctx, t, 'ticket.public_reply', { replyId });
        if (t.status === 'new' || t.status === 'assigned') t = await changeStatus(tx, ctx, t, 'in_progress');
      }
    } else {
      await emit(tx, ctx, t, 'ticket.customer_reply', { replyId });
      if (t.status === 'pending_customer') t = await changeStatus(tx, ctx, t, 'in_progress', {}, { cause: 'customer_reply' });
      else if (t.status === 'resolved') t = await reopenInTx(tx, ctx, t, '客户在解决后继续回复');
    }
    await writeAudit(tx, ctx, { action: input.visibility === 'internal' ? 'ticket.note_added' : 'ticket.replied', targetType: 'ticket', targetId: id });
    return { id: replyId, ticketId: id, status: t.status };
  });
}

export async function changeTicketStatus(deps: Deps, ctx: Ctx, id: string, input: { status: 'in_progress' | 'pending_customer' | 'pending_internal'; note?: string | undefined }) {
  requireWork(ctx);
  if (ctx.actor.kind !== 'staff') throw new AppError('forbidden');
  return deps.database.transaction(async (tx) => {
    const t = await lockVisible(tx, ctx.actor, id);
    if (!isOpen(t.status)) throw new AppError('conflict', `A ${t.status} ticket cannot move to ${input.status}; reopen it first`);
    const after = await changeStatus(tx, ctx, t, input.status, {}, input.note ? { note: input.note } : {});
    await writeAudit(tx, ctx, { action: 'ticket.status_changed', targetType: 'ticket', targetId: id, changes: diff({ status: t.status }, { status: after.status }) });
    return { id, status: after.status };
  });
}

export async function resolveTicket(deps: Deps, ctx: Ctx, id: string, resolution: string) {
  requireWork(ctx);
  if (ctx.actor.kind !== 'staff') throw new AppError('forbidden');
  return deps.database.transaction(async (tx) => resolveInTx(tx, ctx, await lockVisible(tx, ctx.actor, id), resolution));
}

export async function resolveInTx(tx: Tx, ctx: Ctx, t: TicketRow, resolution: string) {
  if (!isOpen(t.status)) throw new AppError('conflict', `The ticket is already ${t.status}`);
  await checkTicketTransition(tx, ctx, t, 'resolved');
  const set: Partial<TicketRow> = { resolvedAt: new Date(), resolution: sanitizeText(resolution) };
  if (!t.ownerId && ctx.actor.kind === 'staff') { set.ownerId = ctx.actor.id; set.teamId = t.teamId ?? ctx.actor.teamId; }
  const after = await changeStatus(tx, ctx, t, 'resolved', set);
  await emit(tx, ctx, after, 'ticket.resolved', { resolution: after.resolution }, t.status);
  await writeAudit(tx, ctx, { action: 'ticket.resolved', targetType: 'ticket', targetId: t.id, changes: diff({ status: t.status }, { status: 'resolved' }) });
  return { id: t.id, status: after.status, resolvedAt: iso(after.resolvedAt) };
}

async function reopenInTx(tx: Tx, ctx: Ctx, t: TicketRow, reason?: string) {
  const to: TicketStatus = t.ownerId ? 'in_progress' : 'new';
  const after = await changeStatus(tx, ctx, t, to, { reopenCount: t.reopenCount + 1, resolvedAt: null, closedAt: null, customerConfirmedAt: null });
  await emit(tx, ctx, after, 'ticket.reopened', { reason: reason ?? null }, t.status);
  return after;
}

export async function reopenTicket(deps: Deps, ctx: Ctx, id: string, reason?: string) {
  requireWork(ctx);
  return deps.database.transaction(async (tx) => {
    const t = await lockVisible(tx, ctx.actor, id);
    if (t.status !== 'resolved' && t.status !== 'closed') throw new AppError('conflict', 'Only a resolved or closed ticket can be reopened');
    const after = await reopenInTx(tx, ctx, t, reason);
    await writeAudit(tx, ctx, { action: 'ticket.reopened', targetType: 'ticket', targetId: id, changes: diff({ status: t.status }, { status: after.status }) });
    return { id, status: after.status };
  });
}

export async function closeTicket(deps: Deps, ctx: Ctx, id: string, opts: { customerConfirmed?: boolean } = {}) {
  requireWork(ctx);
  return deps.database.transaction(async (tx) => {
    const t = await lockVisible(tx, ctx.actor, id);
    if (t.status !== 'resolved') throw new AppError('conflict', 'Only a resolved ticket can be closed');
    await checkTicketTransition(tx, ctx, t, 'closed');
    const now = new Date();
    const set: Partial<TicketRow> = { closedAt: now };
    if (opts.customerConfirmed) set.customerConfirmedAt = now;
    const after = await changeStatus(tx, ctx, t, 'closed', set);
    if (opts.customerConfirmed) await emit(tx, ctx, after, 'ticket.customer_confirmed', {}, t.status);
    await emit(tx, ctx, after, 'ticket.closed', { customerConfirmed: Boolean(opts.customerConfirmed) }, t.status);
    await writeAudit(tx, ctx, { action: opts.customerConfirmed ? 'ticket.customer_confirmed' : 'ticket.closed', targetType: 'ticket', targetId: id, changes: diff({ status: t.status }, { status: 'closed' }) });
    return { id, status: after.status };
  });
}

export async function assignTicket(deps: Deps, ctx: Ctx, id: string, input: { ownerId?: string | null | undefined; teamId?: string | null | undefined; reason?: string | undefined }) {
  authorize(ctx.actor, 'tickets.work');
  const actor = ctx.actor;
  if (actor.kind !== 'staff') throw new AppError('forbidden');
  return deps.database.transaction(async (tx) => {
    const t = await lockVisible(tx, actor, id);
    if (!isOpen(t.status)) throw new AppError('conflict', `A ${t.status} ticket cannot be reassigned`);
    const supervisor = can(actor, 'tickets.assign_any');
    if (t.ownerId && t.ownerId !== actor.id && !supervisor) {
      throw new AppError('forbidden', 'This ticket has an owner: ownership moves through a confirmed handover (服务交接)');
    }
    if (!supervisor && input.ownerId && input.ownerId !== actor.id && t.ownerId !== actor.id) {
      throw new AppError('forbidden', 'You can take an unowned ticket yourself; assigning it to others needs a supervisor');
    }
    if (t.ownerId === actor.id && !supervisor && input.ownerId !== undefined && input.ownerId !== actor.id) {
      throw new AppError('forbidden', 'Hand the ticket over instead: the receiver must confirm before ownership moves');
    }
    let ownerId = input.ownerId === undefined ? t.ownerId : input.ownerId;
    let teamId = input.teamId === undefined ? t.teamId : input.teamId;
    if (ownerId) {
      const s = await activeStaff(tx, ownerId, 'ownerId');
      if (input.teamId === undefined && s.teamId) teamId = s.teamId;
    }
    if (teamId && input.teamId) {
      const [team] = await tx.execute(sql`SELECT 1 FROM teams WHERE id = ${teamId}`).then((r) => (r as unknown as { rows: unknown[] }).rows);
      if (!team) throw invalid('teamId', 'no such team');
    }
    if (ownerId === undefined) ownerId = null;
    const transferred = t.teamId !== null && teamId !== t.teamId;
    const from = t.status;
    const status: TicketStatus = ownerId && t.status === 'new' ? 'assigned' : !ownerId && t.status === 'assigned' ? 'new' : (t.status as TicketStatus);
    const after = await update(tx, t, { ownerId, teamId, status, teamTransferCount: t.teamTransferCount + (transferred ? 1 : 0) });
    await emit(tx, ctx, after, 'ticket.assigned', { ownerId, teamId, previousOwnerId: t.ownerId, previousTeamId: t.teamId, reason: input.reason ?? '手动分派', auto: false }, from);
    if (transferred) await emit(tx, ctx, after, 'ticket.team_transferred', { from: t.teamId, to: teamId }, from);
    if (status !== from) await emit(tx, ctx, after, 'ticket.status_changed', { from, to: status }, from);
    if (ownerId && ownerId !== actor.id) await notify(tx, { recipientId: ownerId, kind: 'ticket.assigned', ticketId: id, title: `${t.number} 分派给您：${t.subject}` });
    await writeAudit(tx, ctx, { action: 'ticket.assigned', targetType: 'ticket', targetId: id, changes: diff({ ownerId: t.ownerId, teamId: t.teamId }, { ownerId, teamId }) });
    return { id, ownerId, teamId, status };
  });
}

export async function takeTicket(deps: Deps, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'tickets.work');
  const actor = ctx.actor;
  if (actor.kind !== 'staff') throw new AppError('forbidden');
  return deps.database.transaction(async (tx) => {
    const t = await lockVisible(tx, actor, id);
    if (t.ownerId === actor.id) return { id, ownerId: actor.id, status: t.status };
    if (t.ownerId) throw new AppError('conflict', 'Someone already owns this ticket; ask them for a handover');
    if (!isOpen(t.status)) throw new AppError('conflict', `A ${t.status} ticket cannot be taken`);
    const from = t.status;
    const after = await update(tx, t, { ownerId: actor.id, teamId: t.teamId ?? actor.teamId, status: t.status === 'new' ? 'assigned' : t.status });
    await emit(tx, ctx, after, 'ticket.taken', { ownerId: actor.id, reason: '首问负责：主动受理' }, from);
    await emit(tx, ctx, after, 'ticket.assigned', { ownerId: actor.id, teamId: after.teamId, reason: '主动受理', auto: false }, from);
    if (after.status !== from) await emit(tx, ctx, after, 'ticket.status_changed', { from, to: after.status }, from);
    await writeAudit(tx, ctx, { action: 'ticket.taken', targetType: 'ticket', targetId: id, changes: diff({ ownerId: null }, { ownerId: actor.id }) });
    return { id, ownerId: actor.id, status: after.status };
  });
}

export async function patchTicket(deps: Deps, ctx: Ctx, id: string, patch: { priority?: string | undefined; categoryId?: string | null | undefined; tags?: string[] | undefined; subject?: string | undefined; type?: string | undefined }) {
  authorize(ctx.actor, 'tickets.work');
  return deps.database.transaction(async (tx) => {
    const t = await lockVisible(tx, ctx.actor, id);
    if (patch.categoryId && !(await ticketsRepo.categoryExists(tx, patch.categoryId))) throw invalid('categoryId', 'no such category');
    const set: Partial<TicketRow> = {};
    if (patch.priority !== undefined) set.priority = patch.priority;
    if (patch.categoryId !== undefined) set.categoryId = patch.categoryId;
    if (patch.tags !== undefined) set.tags = [...new Set(patch.tags)];
    if (patch.subject !== undefined) set.subject = patch.subject;
    if (patch.type !== undefined) set.type = patch.type;
    const after = await update(tx, t, set);
    const changes = diff({ priority: t.priority, categoryId: t.categoryId, tags: t.tags, subject: t.subject, type: t.type }, { priority: after.priority, categoryId: after.categoryId, tags: after.tags, subject: after.subject, type: after.type });
    if (changes.priority) await emit(tx, ctx, after, 'ticket.priority_changed', { from: t.priority, to: after.priority });
    const others = Object.keys(changes).filter((k) => k !== 'priority');
    if (others.length) await emit(tx, ctx, after, 'ticket.updated', { fields: others });
    await writeAudit(tx, ctx, { action: 'ticket.updated', targetType: 'ticket', targetId: id, changes });
    return { id };
  });
}

/** Replies are plain text: strip control characters; the web app escapes on display. */
export function sanitizeText(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
}
