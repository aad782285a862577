/** The agent side of the web chat widget: the live conversation list (在线会话) and the agent's typing notice. */
import type { Database } from '../../db/client';
import type { Ctx } from '../../lib/context';
import { AppError, notFound } from '../../lib/errors';
import { authorize } from '../identity/policy';
import { listTickets } from '../tickets/tickets.commands';
import { attachmentsRepo } from '../attachments/attachments.repo';
import { presentIdentity } from './channels.webchat';
import { webchatRepo } from './channels.webchat.repo';
import { visitorHub } from './channels.webchat.socket';

/** A visitor counts as online while a socket of theirs is open and seen within this long. */
const ONLINE_MS = 90_000;

/**
 * Open chat tickets the caller may see (the tickets list: its visibility scope), with the visitor online / typing and
 * how long their last message has waited for an answer; unassigned first, then the longest waiting.
 */
export async function conversations(database: Database, ctx: Ctx) {
  if (ctx.actor.kind !== 'staff') throw new AppError('forbidden');
  const page = await listTickets(database, ctx, { status: 'open', channel: 'chat', limit: 200, sort: 'newest' });
  const ids = page.items.map((t) => t.id);
  const state = new Map((await webchatRepo.conversationState(database.db, ids)).map((r) => [r.ticketId!, r]));
  const visitors = new Map((await webchatRepo.visitorsOnline(database.db, [...new Set([...state.values()].map((r) => r.visitorId))])).map((v) => [v.id, v]));
  const verified = new Map((await webchatRepo.verificationOfTickets(database.db, ids)).map((r) => [r.ticketId!, r]));
  const hub = visitorHub(database);
  const now = Date.now();
  const items = page.items.map((ticket) => {
    const st = state.get(ticket.id);
    const v = st ? visitors.get(st.visitorId) : undefined;
    const lastVisitor = st?.lastVisitorAt ? new Date(st.lastVisitorAt) : null;
    const lastAgent = st?.lastAgentAt ? new Date(st.lastAgentAt) : null;
    const waiting = lastVisitor && (!lastAgent || lastAgent < lastVisitor) ? lastVisitor : null;
    return {
      ticket,
      visitorOnline: Boolean(v?.online && v.lastSeenAt && now - v.lastSeenAt.getTime() < ONLINE_MS),
      visitorTyping: hub.visitorTyping(ticket.id),
      waitingSince: waiting ? waiting.toISOString() : null,
      visitor: presentIdentity(verified.get(ticket.id)),
    };
  });
  items.sort((a, b) => {
    const ua = a.ticket.ownerId ? 1 : 0;
    const ub = b.ticket.ownerId ? 1 : 0;
    if (ua !== ub) return ua - ub;
    const wa = a.waitingSince ? Date.parse(a.waitingSince) : Infinity;
    const wb = b.waitingSince ? Date.parse(b.waitingSince) : Infinity;
    return wa - wb;
  });
  return { items };
}

/** The agent is typing: a NOTIFY to the visitor's sockets (nothing stored). */
export async function agentTyping(database: Database, ctx: Ctx, ticketId: string) {
  if (ctx.actor.kind !== 'staff') throw new AppError('forbidden');
  authorize(ctx.actor, 'tickets.work');
  if (!(await attachmentsRepo.ticketVisible(database.db, ctx.actor, ticketId))) throw notFound('ticket');
  const v = await webchatRepo.visitorOfTicket(database.db, ticketId);
  if (v) await webchatRepo.notify(database.db, `t:agent:${v.id}:${ticketId}`);
}
