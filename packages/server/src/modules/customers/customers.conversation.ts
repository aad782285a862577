/**
 * One timeline of every channel's messages for a customer (issue #14 item 8): `GET /customers/{id}/messages`.
 * Three sources, each only on the tickets the caller may see (the one visibility rule):
 * - the opening message of each ticket (its description; the channel it came by),
 * - public replies: the customer's (by e-mail, WeChat, the chat webhook or the portal) and staff's (with the delivery
 *   of each by its channel: queued / sent / failed / dead, SMS receipts),
 * - notifications sent on a channel with no reply behind them (survey invitations, visit reminders, touches).
 * Ids are UUIDv7 (time-ordered), so the cursor is the id of the last item: each source is read `id < cursor`, newest
 * first, and the pages merged. The caller sees the customer's messages when they may see one of their tickets
 * (or every ticket); otherwise 404, as for a ticket they may not see.
 */
import type { Database } from '../../db/client';
import type { Ctx } from '../../lib/context';
import { notFound } from '../../lib/errors';
import { authorize } from '../identity/policy';
import { ticketVisibilityScope } from '../tickets/visibility';
import { conversationRepo } from './customers.conversation.repo';

export interface ConversationItem {
  id: string;
  kind: 'opening' | 'reply' | 'notification';
  direction: 'in' | 'out';
  channel: { kind: string; name: string | null };
  text: string;
  attachments: { id: string; filename: string; mime: string; size: number }[];
  at: string;
  author: { kind: 'customer' | 'staff' | 'system'; name: string | null };
  /** Outgoing by a channel: the delivery's state (`queued | sending | sent | failed | dead`), SMS receipt, error. */
  delivery: { status: string; receipt: string | null; error: string | null } | null;
  /** What a notification was: survey | reminder | touch (null for messages). */
  purpose: string | null;
  ticket: { id: string; number: string };
}

/** Plain text for display: control characters removed, tags stripped, cut to 4000 characters. */
export function sanitizeText(v: string): string {
  return [...v.replace(/<[^>]*>/g, '').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')].slice(0, 4000).join('');
}

/** Text of a notification's payload: the message body, or (SMS) the template's values. */
function notificationText(payload: unknown): string {
  const p = (payload ?? {}) as { body?: unknown; template?: unknown; values?: Record<string, unknown> };
  if (typeof p.body === 'string') return p.body;
  if (p.values && typeof p.values === 'object')
    return Object.values(p.values)
      .filter((v) => typeof v === 'string' && v)
      .join(' · ');
  return '';
}

/** Channel of a ticket as a timeline channel kind (the ticket's own channel when no provider channel recorded it). */
const ticketChannelKind = (c: string) => (c === 'wechat' ? 'wechat_oa' : c);

export async function customerMessages(database: Database, ctx: Ctx, customerId: string, q: { limit: number; cursor?: string | undefined }) {
  authorize(ctx.actor, 'customers.read');
  const ex = database.db;
  if (!(await conversationRepo.customerExists(ex, customerId))) throw notFound('Customer');
  const scope = ticketVisibilityScope(ctx.actor);
  const visible = await conversationRepo.visibleTickets(ex, customerId, scope);
  if (!visible.length && scope) throw notFound('Customer');
  if (!visible.length) return { items: [], nextCursor: null };
  const byId = new Map(visible.map((t) => [t.id, t]));
  const ids = [...byId.keys()];
  const limit = q.limit;

  const [channelOf, opening, replies, notes] = await Promise.all([
    conversationRepo.providerChannels(ex),
    Promise.resolve(
      visible
        .filter((t) => !q.cursor || t.id < q.cursor)
        .sort((a, b) => (a.id < b.id ? 1 : -1))
        .slice(0, limit + 1),
    ),
    conversationRepo.publicReplies(ex, ids, q.cursor, limit),
    conversationRepo.notifications(ex, ids, q.cursor, limit),
  ]);
  const replyIds = replies.map((r) => r.r.id);
  const [inbound, outbound, files, openingIn] = await Promise.all([
    conversationRepo.replyInbound(ex, replyIds),
    conversationRepo.replyOutbound(ex, replyIds),
    conversationRepo.ticketFiles(ex, ids),
    conversationRepo.openingInbound(ex, ids),
  ]);
  const chan = (channelId: string | null | undefined, fallback: string) => {
    const ch = channelId ? channelOf.get(channelId) : undefined;
    return ch ? { kind: ch.kind, name: ch.name } : { kind: fallback, name: null };
  };
  const filesOf = (pred: (f: (typeof files)[number]) => boolean) =>
    files.filter(pred).map((f) => ({ id: f.id, filename: f.filename, mime: f.mime, size: f.size }));
  const ref = (ticketId: string) => ({ id: ticketId, number: byId.get(ticketId)!.number });

  const items: ConversationItem[] = [
    ...opening.map((t): ConversationItem => ({
      id: t.id,
      kind: 'opening',
      direction: 'in',
      channel: chan(openingIn.find((m) => m.ticketId === t.id)?.channelId, ticketChannelKind(t.channel)),
      text: sanitizeText(t.description),
      attachments: filesOf((f) => f.ticketId === t.id && !f.replyId),
      at: t.createdAt.toISOString(),
      author: { kind: 'customer', name: null },
      delivery: null,
      purpose: null,
      ticket: ref(t.id),
    })),
    ...replies.map(({ r, staffName }): ConversationItem => {
      const t = byId.get(r.ticketId)!;
      const fromCustomer = r.authorKind === 'customer';
      const out = outbound.find((o) => o.replyId === r.id);
      const inn = inbound.find((m) => m.replyId === r.id);
      const fallback = fromCustomer && !['chat', 'wechat', 'email'].includes(t.channel) ? 'portal' : ticketChannelKind(t.channel);
      return {
        id: r.id,
        kind: 'reply',
        direction: fromCustomer ? 'in' : 'out',
        channel: fromCustomer ? chan(inn?.channelId, fallback) : out ? chan(out.channelId, 'portal') : { kind: 'portal', name: null },
        text: sanitizeText(r.body),
        attachments: filesOf((f) => f.replyId === r.id),
        at: r.createdAt.toISOString(),
        author: {
          kind: r.authorKind === 'staff' ? 'staff' : fromCustomer ? 'customer' : 'system',
          name: r.authorKind === 'staff' ? (staffName ?? null) : null,
        },
        delivery: out ? { status: out.status, receipt: out.receipt, error: out.error } : null,
        purpose: null,
        ticket: ref(r.ticketId),
      };
    }),
    ...notes.map((o): ConversationItem => ({
      id: o.id,
      kind: 'notification',
      direction: 'out',
      channel: chan(o.channelId, 'unknown'),
      text: sanitizeText(notificationText(o.payload)),
      attachments: [],
      at: o.createdAt.toISOString(),
      author: { kind: 'system', name: null },
      delivery: { status: o.status, receipt: o.receipt, error: o.lastError },
      purpose: o.kind,
      ticket: ref(o.ticketId!),
    })),
  ].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const more = items.length > limit;
  const pageItems = items.slice(0, limit);
  return { items: pageItems, nextCursor: more ? pageItems[pageItems.length - 1]!.id : null };
}
