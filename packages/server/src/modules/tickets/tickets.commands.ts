/**
 * Work on one ticket: read (detail, queue), reply, status, resolve, reopen, close, assign, take, patch. Creation is
 * batched (tickets.create.ts); handovers, approvals, orders, links and bulk, categories, dispatch rules, saved
 * filters and duty live in `tickets.<area>.commands.ts`. Per-record rules: tickets.policy.ts; SQL: *.repo.ts.
 */
import type { Database, Tx } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Actor, Ctx } from '../../lib/context';
import { AppError, invalid, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { notify } from '../../lib/notify';
import { ticketEventNotificationTitle } from '../../realtime/realtime.messages';
import { authorize, can } from '../identity/policy';
import { refuseUnfilledPlaceholders } from '../kb/placeholders';
import {
  checkTicketTransition,
  readStandards,
  liveClocksColumn,
  readStandardsMany,
  recordTicketEvent,
  type StandardStateOut,
  type TicketEvent,
  type TicketEventKind,
  type TicketEventPayload,
} from './ticket-events';
import { attachToInTx } from './tickets.create';
import { renderText, text, type Text } from './tickets.messages';
import { assertAssign, assertTicket, ticketAbilities } from './tickets.policy';
import { iso, presentListItem, presentSummary, presentTicket } from './tickets.present';
import { ticketsRepo, type TicketRow } from './tickets.repo';
import { OPEN_STATUSES, type TicketStatus } from './tickets.schema';
import { sanitizeText } from './tickets.text';
import { requireTransferReason, transferReasonText, type TransferReason } from '../process/process.reasons';

export { createTicket, orgDay, configureTicketCreates, type TicketCreateInput } from './tickets.create';
export { sanitizeText } from './tickets.text';

/** Events the owner hears about (first-contact ownership: the owner follows every change on tickets they own). */
const OWNER_NOTIFIED: ReadonlySet<TicketEventKind> = new Set<TicketEventKind>([
  'ticket.assigned',
  'ticket.public_reply',
  'ticket.customer_reply',
  'ticket.internal_note',
  'ticket.resolved',
  'ticket.reopened',
  'ticket.closed',
  'ticket.priority_changed',
  'ticket.handover_requested',
  'ticket.handover_confirmed',
  'ticket.handover_declined',
  'ticket.compensation_granted',
  'ticket.compensation_requested',
  'ticket.compensation_rejected',
  'ticket.customer_confirmed',
  'ticket.merged',
  'ticket.updated',
  'ticket.team_transferred',
  'ticket.order_change_requested',
  'ticket.order_change_approved',
  'ticket.order_change_rejected',
]);

/**
 * Notification titles are stored rendered in the default language (the notifications table holds text) and, as
 * `data.message`, as a key the notifications reader can render in the recipient's language.
 */
export function notificationText(m: Text): { title: string; message: Text } {
  return { title: renderText(undefined, m), message: m };
}

/**
 * Record a ticket event (timeline + outbox + standards clocks, same transaction) and tell the owner.
 */
export async function emitInTx<K extends TicketEventKind>(
  tx: Tx,
  ctx: Ctx,
  t: TicketRow,
  kind: K,
  data?: TicketEventPayload<K>,
  previousStatus?: string,
): Promise<TicketEvent<K>> {
  const snap = await ticketsRepo.snapshot(tx, t, previousStatus);
  const ev = await recordTicketEvent(tx, ctx, snap, kind, data);
  const title = OWNER_NOTIFIED.has(kind) ? ticketEventNotificationTitle(kind, t.number) : null; // rendered in the reader's language
  if (t.ownerId && t.ownerId !== ctx.actor.id && title) {
    await notify(tx, { recipientId: t.ownerId, kind, ticketId: t.id, title, data: { eventId: ev.id } });
  }
  return ev;
}

/** The name the care loop (loops/care.ts) imports; the same function as `emitInTx`. */
export const emit = emitInTx;

async function changeStatus(
  tx: Tx,
  ctx: Ctx,
  t: TicketRow,
  to: TicketStatus,
  set: Partial<TicketRow> = {},
  data: TicketEventPayload<'ticket.status_changed'> = {},
): Promise<TicketRow> {
  const from = t.status;
  const after = await ticketsRepo.update(tx, t.id, { ...set, status: to });
  if (from !== to) await emitInTx(tx, ctx, after, 'ticket.status_changed', { from, to, ...data }, from);
  return after;
}

/** Lock a ticket the actor may see; an invisible ticket is "not found" (its existence is not revealed). */
export async function lockVisibleInTx(tx: Tx, actor: Actor, id: string): Promise<TicketRow> {
  const row = await ticketsRepo.lockVisible(tx, actor, id);
  if (!row) throw notFound('Ticket');
  return row;
}

function requireWork(ctx: Ctx) {
  if (ctx.actor.kind === 'customer') return;
  authorize(ctx.actor, 'tickets.work');
}

function requireReader(actor: Actor) {
  if (actor.kind === 'staff' && !can(actor, 'tickets.read_all') && !can(actor, 'tickets.work') && !can(actor, 'tickets.create'))
    authorize(actor, 'tickets.work');
}

// ───────────────────────────── read ─────────────────────────────

export async function getTicket(database: Database, ctx: Ctx, id: string) {
  const ex = database.db;
  requireReader(ctx.actor);
  const t = await ticketsRepo.visibleById(ex, ctx.actor, id);
  if (!t) throw notFound('Ticket');
  const staffView = ctx.actor.kind !== 'customer';
  const [names, timeline, replies, files, lines, hos, comps, links, standards, card] = await Promise.all([
    ticketsRepo.names(ex, t),
    ticketsRepo.timeline(ex, id, staffView),
    ticketsRepo.replies(ex, id, staffView),
    ticketsRepo.attachmentsOf(ex, id),
    ticketsRepo.orderLinesOf(ex, id),
    staffView ? ticketsRepo.handoversOf(ex, id) : Promise.resolve([]),
    staffView ? ticketsRepo.compensationsOf(ex, id) : Promise.resolve([]),
    ticketsRepo.linksOf(ex, id),
    readStandards(ex, id),
    ticketsRepo.customerCard(ex, t.customerId),
  ]);
  const customerName = card?.name ?? null;
  const pendingHandover = hos.some((h) => h.h.state === 'pending');
  return presentTicket(t, {
    locale: ctx.locale,
    staffView,
    names,
    customerName,
    assistance: card && card.assistance !== 'none' ? card : null,
    timeline,
    replies,
    files,
    lines,
    handovers: hos,
    compensations: comps,
    links,
    standards,
    allowed: ticketAbilities(ctx.actor, { status: t.status, type: t.type, ownerId: t.ownerId, pendingHandover }),
  });
}

export interface TicketListInput {
  status?: string | undefined;
  ownerId?: string | undefined;
  teamId?: string | undefined;
  unassigned?: 'true' | 'false' | undefined;
  customerId?: string | undefined;
  type?: string | undefined;
  channel?: string | undefined;
  priority?: string | undefined;
  q?: string | undefined;
  limit: number;
  cursor?: string | undefined;
  dueWithinSeconds?: number | undefined;
  risk?: 'breached' | 'at_risk' | 'attention' | undefined;
  sort?: 'newest' | 'due' | undefined;
  offset?: number | undefined;
}

export async function listTickets(database: Database, ctx: Ctx, q: TicketListInput) {
  const actor = ctx.actor;
  requireReader(actor);
  const statuses = q.status?.split(',').flatMap((s) => (s === 'open' ? [...OPEN_STATUSES] : [s]));
  const ownerId = q.ownerId === 'me' ? (actor.id ?? undefined) : q.ownerId;
  const teamId = q.teamId === 'mine' ? (actor.kind === 'staff' ? (actor.teamId ?? '00000000-0000-0000-0000-000000000000') : undefined) : q.teamId;
  for (const [path, v] of [
    ['ownerId', ownerId],
    ['teamId', teamId],
  ] as const) {
    if (v && !/^[0-9a-f-]{36}$/i.test(v)) throw invalid(path, 'must be an id, "me" or "mine"');
  }
  if (q.sort === 'due' && q.cursor) throw invalid('cursor', 'sort=due pages with offset, not cursor');
  if (q.offset !== undefined && q.sort !== 'due') throw invalid('offset', 'offset pages only sort=due');
  // Staff rows carry their live clocks (the queue's clock column), read in the page's own query when the standards
  // module provides the column (one round trip), else with a second query.
  const clockColumn = actor.kind === 'customer' ? null : liveClocksColumn();
  const rows = await ticketsRepo.list(database.db, actor, {
    statuses,
    ownerId,
    teamId,
    unassigned: q.unassigned === 'true',
    customerId: q.customerId,
    type: q.type,
    channel: q.channel,
    priority: q.priority,
    q: q.q,
    limit: q.limit,
    before: q.cursor,
    dueWithinSeconds: q.dueWithinSeconds,
    risk: q.risk,
    sort: q.sort,
    offset: q.offset,
    extra: clockColumn?.column,
  });
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  // The live clocks of the page (staff only: customers never see them), what the queue's clock column shows.
  const clocks =
    actor.kind === 'customer' || page.length === 0
      ? new Map<string, StandardStateOut[]>()
      : clockColumn
        ? await clockColumn.read(database.db, new Map(page.map((r) => [r.t.id, r.extra])))
        : await readStandardsMany(
            database.db,
            page.map((r) => r.t.id),
            { live: true },
          );
  const items = page.map((r) => (actor.kind === 'customer' ? presentSummary(r.t, r) : presentListItem(r.t, r, clocks.get(r.t.id) ?? [])));
  if (q.sort === 'due') return { items, nextCursor: null, nextOffset: more ? (q.offset ?? 0) + q.limit : null };
  return { items, nextCursor: more ? items[items.length - 1]!.id : null };
}

// ───────────────────────────── work on a ticket ─────────────────────────────

export async function addReply(
  database: Database,
  ctx: Ctx,
  id: string,
  input: { body: string; visibility: 'public' | 'internal'; attachmentIds?: string[] | undefined },
) {
  requireWork(ctx);
  const actor = ctx.actor;
  if (actor.kind === 'customer' && input.visibility !== 'public') throw invalid('visibility', 'customers reply publicly');
  if (actor.kind === 'staff' && input.visibility === 'public') refuseUnfilledPlaceholders(input.body);
  return database.transaction(async (tx) => {
    let t = await lockVisibleInTx(tx, actor, id);
    assertTicket(actor, t, input.visibility === 'internal' ? 'note' : 'reply');
    const replyId = uuidv7();
    const body = sanitizeText(input.body);
    await ticketsRepo.insertReply(tx, { id: replyId, ticketId: id, authorKind: actor.kind, authorId: actor.id, visibility: input.visibility, body });
    if (input.attachmentIds?.length) await attachToInTx(tx, ctx, id, replyId, input.attachmentIds);
    if (actor.kind === 'staff') {
      if (input.visibility === 'internal') {
        await emitInTx(tx, ctx, t, 'ticket.internal_note', { replyId });
      } else {
        const first = t.firstPublicReplyAt === null;
        const set: Partial<TicketRow> = { staffPublicReplyCount: t.staffPublicReplyCount + 1 };
        if (first) set.firstPublicReplyAt = new Date();
        if (!t.ownerId) {
          set.ownerId = actor.id;
          set.teamId = t.teamId ?? actor.teamId;
        }
        const before = t;
        t = await ticketsRepo.update(tx, t.id, set);
        if (!before.ownerId) await emitInTx(tx, ctx, t, 'ticket.taken', { ownerId: actor.id, reason: text('tickets.reason.first_reply_owner') });
        if (first) await emitInTx(tx, ctx, t, 'ticket.first_public_reply', { replyId });
        await emitInTx(tx, ctx, t, 'ticket.public_reply', { replyId });
        if (t.status === 'new' || t.status === 'assigned') t = await changeStatus(tx, ctx, t, 'in_progress');
      }
    } else {
      await emitInTx(tx, ctx, t, 'ticket.customer_reply', { replyId });
      if (t.status === 'pending_customer') t = await changeStatus(tx, ctx, t, 'in_progress', {}, { cause: 'customer_reply' });
      else if (t.status === 'resolved') t = await reopenInTx(tx, ctx, t, text('tickets.reason.customer_replied_after_resolve'));
    }
    await writeAudit(tx, ctx, { action: input.visibility === 'internal' ? 'ticket.note_added' : 'ticket.replied', targetType: 'ticket', targetId: id });
    return { id: replyId, ticketId: id, status: t.status as TicketStatus };
  });
}

export async function changeTicketStatus(
  database: Database,
  ctx: Ctx,
  id: string,
  input: { status: 'in_progress' | 'pending_customer' | 'pending_internal'; note?: string | undefined },
) {
  requireWork(ctx);
  if (ctx.actor.kind !== 'staff') throw new AppError('forbidden');
  return database.transaction(async (tx) => {
    const t = await lockVisibleInTx(tx, ctx.actor, id);
    assertTicket(ctx.actor, t, 'changeStatus');
    const after = await changeStatus(tx, ctx, t, input.status, {}, input.note ? { note: input.note } : {});
    await writeAudit(tx, ctx, {
      action: 'ticket.status_changed',
      targetType: 'ticket',
      targetId: id,
      changes: diff({ status: t.status }, { status: after.status }),
    });
    return { id, status: after.status as TicketStatus };
  });
}

export async function resolveTicket(database: Database, ctx: Ctx, id: string, resolution: string) {
  requireWork(ctx);
  if (ctx.actor.kind !== 'staff') throw new AppError('forbidden');
  return database.transaction(async (tx) => resolveInTx(tx, ctx, await lockVisibleInTx(tx, ctx.actor, id), resolution));
}

export async function resolveInTx(tx: Tx, ctx: Ctx, t: TicketRow, resolution: string) {
  assertTicket(ctx.actor, t, 'resolve');
  await checkTicketTransition(tx, ctx, t, 'resolved');
  const set: Partial<TicketRow> = { resolvedAt: new Date(), resolution: sanitizeText(resolution) };
  if (!t.ownerId && ctx.actor.kind === 'staff') {
    set.ownerId = ctx.actor.id;
    set.teamId = t.teamId ?? ctx.actor.teamId;
  }
  const after = await changeStatus(tx, ctx, t, 'resolved', set);
  await emitInTx(tx, ctx, after, 'ticket.resolved', { resolution: after.resolution }, t.status);
  await writeAudit(tx, ctx, { action: 'ticket.resolved', targetType: 'ticket', targetId: t.id, changes: diff({ status: t.status }, { status: 'resolved' }) });
  return { id: t.id, status: after.status as TicketStatus, resolvedAt: iso(after.resolvedAt) };
}

async function reopenInTx(tx: Tx, ctx: Ctx, t: TicketRow, reason?: Text | string) {
  const to: TicketStatus = t.ownerId ? 'in_progress' : 'new';
  const after = await changeStatus(tx, ctx, t, to, { reopenCount: t.reopenCount + 1, resolvedAt: null, closedAt: null, customerConfirmedAt: null });
  await emitInTx(tx, ctx, after, 'ticket.reopened', { reason: reason ?? null }, t.status);
  return after;
}

export async function reopenTicket(database: Database, ctx: Ctx, id: string, reason?: string) {
  requireWork(ctx);
  return database.transaction(async (tx) => {
    const t = await lockVisibleInTx(tx, ctx.actor, id);
    assertTicket(ctx.actor, t, 'reopen');
    const after = await reopenInTx(tx, ctx, t, reason);
    await writeAudit(tx, ctx, { action: 'ticket.reopened', targetType: 'ticket', targetId: id, changes: diff({ status: t.status }, { status: after.status }) });
    return { id, status: after.status as TicketStatus };
  });
}

export async function closeTicket(database: Database, ctx: Ctx, id: string, opts: { customerConfirmed?: boolean } = {}) {
  requireWork(ctx);
  return database.transaction(async (tx) => {
    const t = await lockVisibleInTx(tx, ctx.actor, id);
    assertTicket(ctx.actor, t, 'close');
    await checkTicketTransition(tx, ctx, t, 'closed');
    const now = new Date();
    const set: Partial<TicketRow> = { closedAt: now };
    if (opts.customerConfirmed) set.customerConfirmedAt = now;
    const after = await changeStatus(tx, ctx, t, 'closed', set);
    if (opts.customerConfirmed) await emitInTx(tx, ctx, after, 'ticket.customer_confirmed', {}, t.status);
    await emitInTx(tx, ctx, after, 'ticket.closed', { customerConfirmed: Boolean(opts.customerConfirmed) }, t.status);
    await writeAudit(tx, ctx, {
      action: opts.customerConfirmed ? 'ticket.customer_confirmed' : 'ticket.closed',
      targetType: 'ticket',
      targetId: id,
      changes: diff({ status: t.status }, { status: 'closed' }),
    });
    return { id, status: after.status as TicketStatus };
  });
}

export async function assignTicket(
  database: Database,
  ctx: Ctx,
  id: string,
  input: {
    ownerId?: string | null | undefined;
    teamId?: string | null | undefined;
    reason?: string | Text | undefined;
    /** Why it moves (process.reasons.ts); required, or a free-text reason, when it moves from one agent/team to another. */
    reasonKind?: TransferReason | undefined;
  },
) {
  authorize(ctx.actor, 'tickets.work');
  const actor = ctx.actor;
  if (actor.kind !== 'staff') throw new AppError('forbidden');
  return database.transaction(async (tx) => {
    const t = await lockVisibleInTx(tx, actor, id);
    assertAssign(actor, t, input);
    let ownerId = input.ownerId === undefined ? t.ownerId : input.ownerId;
    let teamId = input.teamId === undefined ? t.teamId : input.teamId;
    if (ownerId) {
      const s = await ticketsRepo.staffById(tx, ownerId);
      if (!s || !s.active) throw invalid('ownerId', 'no such active staff member');
      if (input.teamId === undefined && s.teamId) teamId = s.teamId;
    }
    if (teamId && input.teamId && !(await ticketsRepo.teamExists(tx, teamId))) throw invalid('teamId', 'no such team');
    if (ownerId === undefined) ownerId = null;
    const transferred = t.teamId !== null && teamId !== t.teamId;
    // A transfer from one agent or team to another states why (seed 000); a first assignment or a release needs none.
    const ownerMoved = t.ownerId !== null && ownerId !== null && ownerId !== t.ownerId;
    const teamMoved = t.teamId !== null && teamId !== null && teamId !== t.teamId;
    const why =
      ownerMoved || teamMoved
        ? typeof input.reason === 'object'
          ? { kind: input.reasonKind ?? ('other' as const), text: input.reason }
          : (() => {
              const r = requireTransferReason(input.reasonKind, input.reason);
              return { kind: r.kind, text: transferReasonText(r.kind, r.note) };
            })()
        : null;
    const from = t.status;
    const status: TicketStatus = ownerId && t.status === 'new' ? 'assigned' : !ownerId && t.status === 'assigned' ? 'new' : (t.status as TicketStatus);
    const after = await ticketsRepo.update(tx, t.id, { ownerId, teamId, status, teamTransferCount: t.teamTransferCount + (transferred ? 1 : 0) });
    const reason = why?.text ?? input.reason ?? text('tickets.reason.manual');
    await emitInTx(
      tx,
      ctx,
      after,
      'ticket.assigned',
      { ownerId, teamId, previousOwnerId: t.ownerId, previousTeamId: t.teamId, reason, auto: false, ...(why ? { reasonKind: why.kind } : {}) },
      from,
    );
    if (transferred)
      await emitInTx(tx, ctx, after, 'ticket.team_transferred', { from: t.teamId, to: teamId, ...(why ? { reasonKind: why.kind, reason } : {}) }, from);
    // Counted standard `transfers` (engine/counted.ts): a move between agents of one team (across teams: team_transferred).
    else if (why && ownerMoved)
      await emitInTx(tx, ctx, after, 'ticket.owner_transferred', { from: t.ownerId, to: ownerId, reasonKind: why.kind, reason }, from);
    if (status !== from) await emitInTx(tx, ctx, after, 'ticket.status_changed', { from, to: status }, from);
    if (ownerId && ownerId !== actor.id) {
      const n = notificationText(text('tickets.notify.assigned_to_you', { number: t.number, subject: t.subject }));
      await notify(tx, { recipientId: ownerId, kind: 'ticket.assigned', ticketId: id, title: n.title, data: { message: n.message } });
    }
    await writeAudit(tx, ctx, {
      action: 'ticket.assigned',
      targetType: 'ticket',
      targetId: id,
      changes: diff({ ownerId: t.ownerId, teamId: t.teamId }, { ownerId, teamId }),
    });
    return { id, ownerId, teamId, status };
  });
}

export async function takeTicket(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'tickets.work');
  const actor = ctx.actor;
  if (actor.kind !== 'staff') throw new AppError('forbidden');
  return database.transaction(async (tx) => {
    const t = await lockVisibleInTx(tx, actor, id);
    if (t.ownerId === actor.id) return { id, ownerId: actor.id, status: t.status as TicketStatus };
    assertTicket(actor, t, 'take');
    const from = t.status;
    const after = await ticketsRepo.update(tx, t.id, {
      ownerId: actor.id,
      teamId: t.teamId ?? actor.teamId,
      status: t.status === 'new' ? 'assigned' : t.status,
    });
    await emitInTx(tx, ctx, after, 'ticket.taken', { ownerId: actor.id, reason: text('tickets.reason.take') }, from);
    await emitInTx(tx, ctx, after, 'ticket.assigned', { ownerId: actor.id, teamId: after.teamId, reason: text('tickets.reason.taken'), auto: false }, from);
    if (after.status !== from) await emitInTx(tx, ctx, after, 'ticket.status_changed', { from, to: after.status }, from);
    await writeAudit(tx, ctx, { action: 'ticket.taken', targetType: 'ticket', targetId: id, changes: diff({ ownerId: null }, { ownerId: actor.id }) });
    return { id, ownerId: actor.id, status: after.status as TicketStatus };
  });
}

export async function patchTicket(
  database: Database,
  ctx: Ctx,
  id: string,
  patch: {
    priority?: string | undefined;
    categoryId?: string | null | undefined;
    tags?: string[] | undefined;
    subject?: string | undefined;
    type?: string | undefined;
  },
) {
  authorize(ctx.actor, 'tickets.work');
  return database.transaction(async (tx) => {
    const t = await lockVisibleInTx(tx, ctx.actor, id);
    if (patch.categoryId && !(await ticketsRepo.categoryExists(tx, patch.categoryId))) throw invalid('categoryId', 'no such category');
    const set: Partial<TicketRow> = {};
    if (patch.priority !== undefined) set.priority = patch.priority;
    if (patch.categoryId !== undefined) set.categoryId = patch.categoryId;
    if (patch.tags !== undefined) set.tags = [...new Set(patch.tags)];
    if (patch.subject !== undefined) set.subject = patch.subject;
    // An internal ticket (内部工单) belongs to the internal customer, a customer's request to a customer: the type
    // cannot cross that line (open a new ticket instead).
    if (patch.type !== undefined && patch.type !== t.type && (patch.type === 'internal' || t.type === 'internal'))
      throw invalid('type', 'an internal ticket stays internal, and a customer ticket cannot become internal');
    if (patch.type !== undefined) set.type = patch.type;
    const after = await ticketsRepo.update(tx, t.id, set);
    const changes = diff(
      { priority: t.priority, categoryId: t.categoryId, tags: t.tags, subject: t.subject, type: t.type },
      { priority: after.priority, categoryId: after.categoryId, tags: after.tags, subject: after.subject, type: after.type },
    );
    if (changes.priority) await emitInTx(tx, ctx, after, 'ticket.priority_changed', { from: t.priority, to: after.priority });
    const others = Object.keys(changes).filter((k) => k !== 'priority');
    if (others.length) await emitInTx(tx, ctx, after, 'ticket.updated', { fields: others });
    await writeAudit(tx, ctx, { action: 'ticket.updated', targetType: 'ticket', targetId: id, changes });
    return { id };
  });
}
