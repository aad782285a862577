/**
 * The web chat widget (channel kind `webchat`, 网页聊天). A visitor gets an anonymous token (random, sha-256 at rest,
 * 30 days, renewed on use; kept in the widget iframe's localStorage) bound to a customer made for them (tagged 来自网页).
 * Their first message creates a ticket with channel `chat` through the normal create path (dispatch, standards,
 * inspection apply); later messages are customer replies on it while it is open or resolved. Everything the widget
 * shows is a row of `webchat_events` (seq = the resume cursor): visitor messages, agents' public replies (a ticket-event
 * consumer), survey invitations. Each insert NOTIFYs `chidu_webchat` so the visitor's sockets, on any process, push
 * what is new after commit. Visitor messages are counted per visitor per minute (auth_throttle, atomic) before storing.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database, Tx } from '../../db/client';
import type { Ctx } from '../../lib/context';
import { AppError } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { maskPhone } from '../../lib/mask';
import { countAttempt } from '../../lib/throttle';
import { t } from '../../i18n/index';
import { TWENTY_FOUR_SEVEN, calendarOf, loadCalendarRows } from '../calendars/calendar-cache';
import { createCustomerInTx } from '../customers/customers.commands';
import type { TicketEvent, TicketSnapshot } from '../tickets/ticket-events';
import * as ticketCommands from '../tickets/tickets.commands';
import { createTicket } from '../tickets/tickets.create';
import { ticketsRepo } from '../tickets/tickets.repo';
import { surveyUrl } from '../surveys/surveys.present';
import { signToken, surveySecret } from '../surveys/token';
import { logChannel } from './channels.ingest';
import { channelsRepo, type ChannelRow } from './channels.repo';
import { wechatRepo } from './channels.wechat.repo';
import { webchatRepo, type VisitorRow, type WebchatEventRow } from './channels.webchat.repo';

export interface WebchatConfig {
  allowedOrigins: string[];
  greeting?: string;
  offlineMessage?: string;
  calendarId?: string;
  messagesPerMinute?: number;
  /** The visitor must verify a mobile number (or the portal session) before the first message. */
  requireIdentity?: boolean;
}

export const VISITOR_TTL_MS = 30 * 86400_000;
export const VISITOR_KIND = 'webchat_visitor';
const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/** The `<script>` tag an admin pastes into the pages of the allowed sites. */
export const webchatSnippet = (origin: string, id: string) => `<script src="${origin.replace(/\/+$/, '')}/widget.js" data-channel="${id}" async></script>`;

/** The enabled webchat channel, or undefined (the routes answer 404: nothing to learn). */
export async function webchatChannel(database: Database, id: string): Promise<ChannelRow | undefined> {
  const row = await channelsRepo.channel(database.db, id);
  return row && row.kind === 'webchat' && row.enabled ? row : undefined;
}

/**
 * Requests from a browser carry an Origin: our own (the widget iframe) or one of the channel's allowed sites (a site
 * calling the API itself). Anything else is refused; a request without Origin (not a browser) passes on its token.
 */
export function originAllowed(channel: ChannelRow, origin: string | undefined, host: string | undefined): boolean {
  if (!origin) return true;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  if (host && o.host === host) return true;
  return (channel.config as WebchatConfig).allowedOrigins.includes(o.origin);
}

/** Agents on duty now (the channel's business calendar; none set = always) and, if not, when they will be. */
export async function onDuty(database: Database, channel: ChannelRow, now = Date.now()): Promise<{ online: boolean; nextOpen: Date | null }> {
  const id = (channel.config as WebchatConfig).calendarId;
  const row = id ? (await loadCalendarRows(database.db, [id])).get(id) : undefined;
  const cal = row ? calendarOf(row) : TWENTY_FOUR_SEVEN;
  if (cal.isOpen(now)) return { online: true, nextOpen: null };
  const next = cal.nextOpen(now);
  return { online: false, nextOpen: next === null ? null : new Date(next) };
}

const visitorCtx = (v: VisitorRow): Ctx => ({
  actor: { kind: 'customer', id: v.customerId, customerId: v.customerId, sessionId: null },
  requestId: null,
  ip: null,
});
const channelCtx = (channel: ChannelRow): Ctx => ({ actor: { kind: 'system', id: null, name: `channel:webchat:${channel.name}` }, requestId: null, ip: null });

export interface VisitorIdentity {
  verified: boolean;
  via: 'phone' | 'portal' | null;
  phone: string | null;
}

/** What the widget and the agent are shown: verified or not, how, and the phone masked (138****0000). */
export const presentIdentity = (v: { verifiedAt: Date | null; verifiedVia: string | null; verifiedPhone: string | null } | undefined): VisitorIdentity =>
  v?.verifiedAt
    ? { verified: true, via: v.verifiedVia === 'portal' ? 'portal' : 'phone', phone: maskPhone(v.verifiedPhone) ?? null }
    : { verified: false, via: null, phone: null };

/** `requireIdentity` on: a visitor sends nothing before they are identified (403 naming `phone`). */
export function assertIdentified(channel: ChannelRow, v: VisitorRow) {
  if ((channel.config as WebchatConfig).requireIdentity && !v.verifiedAt)
    throw new AppError('forbidden', 'Verify your mobile number first', { errors: [{ path: 'phone', message: 'verification required' }] });
}

/** A visitor session: the token's visitor (renewed for 30 days) or, for none / an unknown or expired token, a new one. */
export async function openSession(database: Database, channel: ChannelRow, token: string | undefined) {
  if (token) {
    const known = await webchatRepo.visitorByToken(database.db, hash(token));
    if (known && known.channelId === channel.id && known.expiresAt.getTime() > Date.now()) {
      const expiresAt = new Date(Date.now() + VISITOR_TTL_MS);
      await webchatRepo.touch(database.db, known.id, known.online, expiresAt);
      return { token, visitorId: known.id, expiresAt: expiresAt.toISOString(), created: false, identity: presentIdentity(known) };
    }
  }
  const fresh = randomBytes(32).toString('base64url');
  const id = uuidv7();
  const expiresAt = new Date(Date.now() + VISITOR_TTL_MS);
  await database.transaction(async (tx) => {
    const c = await createCustomerInTx(tx, channelCtx(channel), {
      name: `${t('zh-CN', 'channels.webchat.customer')}${id.slice(-4).toUpperCase()}`,
      tier: 'regular',
      vip: false,
      tags: [t('zh-CN', 'channels.webchat.tag')],
    });
    await webchatRepo.insertVisitor(tx, { id, channelId: channel.id, customerId: c.id, tokenHash: hash(fresh), expiresAt });
    await wechatRepo.insertIdentity(tx, { customerId: c.id, kind: VISITOR_KIND, value: id, channelId: channel.id, lastInAt: null });
  });
  return { token: fresh, visitorId: id, expiresAt: expiresAt.toISOString(), created: true, identity: presentIdentity(undefined) };
}

/** The visitor of a token on this channel; 401 otherwise (unknown, expired, another channel's). */
export async function visitorOf(database: Database, channel: ChannelRow, token: string | undefined): Promise<VisitorRow> {
  const v = token ? await webchatRepo.visitorByToken(database.db, hash(token)) : undefined;
  if (!v || v.channelId !== channel.id || v.expiresAt.getTime() <= Date.now()) throw new AppError('unauthenticated', 'Unknown or expired visitor token');
  return v;
}

export interface PresentedEvent {
  seq: number;
  kind: 'message' | 'survey';
  author: 'visitor' | 'agent' | 'system';
  body: string;
  attachment: { id: string; url: string } | null;
  clientId: string | null;
  data: Record<string, unknown>;
  at: string;
}

export const presentEvent = (channelId: string, e: WebchatEventRow): PresentedEvent => ({
  seq: e.seq,
  kind: e.kind as PresentedEvent['kind'],
  author: e.author as PresentedEvent['author'],
  body: e.body,
  attachment: e.attachmentId ? { id: e.attachmentId, url: `/api/v1/public/webchat/${channelId}/attachments/${e.attachmentId}` } : null,
  clientId: e.clientId,
  data: e.data as Record<string, unknown>,
  at: e.createdAt.toISOString(),
});

export interface VisitorMessage {
  clientId: string;
  body: string;
  attachmentId?: string | undefined;
}

/**
 * A visitor message: counted against the per-minute limit, stored once per client id (a resend returns the stored
 * one), then the first message of a conversation creates the chat ticket and later ones are customer replies on it.
 * If the ticket step fails the stored row is removed, so the widget's resend tries again.
 */
export async function postMessage(
  database: Database,
  channel: ChannelRow,
  visitor: VisitorRow,
  msg: VisitorMessage,
): Promise<{ event: PresentedEvent; duplicate: boolean }> {
  // Read again: a socket's visitor row is from its connect, and identifying since may have moved them to another customer.
  const v = (await webchatRepo.visitor(database.db, visitor.id)) ?? visitor;
  const before = await webchatRepo.eventByClientId(database.db, v.id, msg.clientId);
  if (before) return { event: presentEvent(channel.id, before), duplicate: true };
  assertIdentified(channel, v);
  const cfg = channel.config as WebchatConfig;
  await countAttempt(database.db, { scope: 'webchat_message', key: v.id }, cfg.messagesPerMinute ?? 30, 60_000, 'Too many messages');
  const body = msg.body.trim();
  if (!body && !msg.attachmentId) throw new AppError('validation_failed', 'body: empty message', { errors: [{ path: 'body', message: 'empty' }] });
  const row = await webchatRepo.insertEvent(database.db, {
    visitorId: v.id,
    kind: 'message',
    author: 'visitor',
    body,
    attachmentId: msg.attachmentId ?? null,
    clientId: msg.clientId,
  });
  if (!row) {
    const raced = await webchatRepo.eventByClientId(database.db, v.id, msg.clientId);
    return { event: presentEvent(channel.id, raced!), duplicate: true };
  }
  try {
    const text = body || t('zh-CN', 'channels.webchat.photo');
    const ids = msg.attachmentId ? [msg.attachmentId] : [];
    const open = await webchatRepo.openTicketOf(database.db, v.id);
    let ticketId: string;
    let replyId: string | null = null;
    if (open) {
      const reply = await ticketCommands.addReply(database, visitorCtx(v), open.id, { body: text.slice(0, 20_000), visibility: 'public', attachmentIds: ids });
      ticketId = open.id;
      replyId = reply.id;
    } else {
      const created = await createTicket(database, channelCtx(channel), {
        customerId: v.customerId,
        type: 'inquiry',
        channel: 'chat',
        priority: 'normal',
        subject: text.slice(0, 60),
        description: text.slice(0, 20_000),
        externalRef: `webchat:${v.id}:${row.seq}`.slice(0, 128),
        ...(channel.teamId ? { teamId: channel.teamId } : {}),
      });
      ticketId = created.body.id;
      if (ids.length) await database.transaction(async (tx) => attachOrRefuse(tx, v.customerId, ticketId, ids));
      await logChannel(database, channel.id, 'info', 'channels.log.webchat_ticket', { number: created.body.number });
    }
    await webchatRepo.setEventTicketAndNotify(database.db, row.seq, ticketId, replyId, v.id);
    return { event: presentEvent(channel.id, { ...row, ticketId, replyId }), duplicate: false };
  } catch (err) {
    await webchatRepo.deleteEvent(database.db, row.seq);
    throw err;
  }
}

async function attachOrRefuse(tx: Tx, customerId: string, ticketId: string, ids: string[]) {
  const n = await ticketsRepo.attach(tx, customerId, ticketId, null, ids);
  if (n !== ids.length)
    throw new AppError('validation_failed', 'attachmentId: unknown, or uploaded by someone else', { errors: [{ path: 'attachmentId', message: 'unknown' }] });
}

/**
 * 留言 (no agent on duty): the visitor's name, phone and message become a chat ticket at once (the phone kept as a
 * `phone` identity so the customer 360 offers a merge; never written over a record). Answers when to expect a reply.
 */
export async function leaveMessage(
  database: Database,
  channel: ChannelRow,
  v: VisitorRow,
  input: { name: string; phone: string; message: string; clientId: string },
) {
  const duty = await onDuty(database, channel);
  const posted = await postMessage(database, channel, v, {
    clientId: input.clientId,
    body: `${t('zh-CN', 'channels.webchat.offline')}\n${input.name} ${input.phone}\n${input.message}`,
  });
  if (!posted.duplicate) {
    const added = await wechatRepo.insertIdentity(database.db, {
      customerId: v.customerId,
      kind: 'phone',
      value: input.phone,
      channelId: channel.id,
      lastInAt: new Date(),
    });
    if (added) await logChannel(database, channel.id, 'info', 'channels.log.webchat_offline', { phone: maskPhone(input.phone) ?? '' });
  }
  return { event: posted.event, expectReplyAfter: duty.nextOpen ? duty.nextOpen.toISOString() : null };
}

/** Consumer of `ticket.public_reply`: an agent's public reply (text, then each photo) on a chat ticket goes to the widget. */
export async function queueWebchatReply(tx: Tx, ctx: Ctx, ticket: TicketSnapshot, event: TicketEvent) {
  if (ticket.channel !== 'chat' || ctx.actor.kind !== 'staff') return;
  const replyId = (event.data as { replyId?: string }).replyId;
  if (!replyId) return;
  const v = await webchatRepo.visitorOfTicket(tx, ticket.id);
  const reply = await channelsRepo.reply(tx, replyId);
  if (!v || !reply) return;
  const name = ctx.actor.name;
  if (reply.body.trim())
    await webchatRepo.insertEvent(tx, { visitorId: v.id, ticketId: ticket.id, kind: 'message', author: 'agent', body: reply.body, replyId, data: { name } });
  for (const a of await webchatRepo.replyAttachments(tx, replyId))
    if (a.mime.startsWith('image/'))
      await webchatRepo.insertEvent(tx, {
        visitorId: v.id,
        ticketId: ticket.id,
        kind: 'message',
        author: 'agent',
        attachmentId: a.id,
        replyId,
        data: { name },
      });
  await webchatRepo.notify(tx, v.id);
}

/**
 * Consumer of `survey.sent` on a chat ticket: the invitation goes into the widget (a `survey` event with its link),
 * recorded on the channel outbox like other channels' deliveries (channel, time, `sent`; `delivered` once a socket
 * of the visitor has received it). Consent was checked when the invitation was made (surveys.invitations.ts).
 */
export async function queueWebchatSurvey(tx: Tx, _ctx: Ctx, ticket: TicketSnapshot, event: TicketEvent) {
  if (ticket.channel !== 'chat') return;
  const surveyId = (event.data as { surveyId?: string }).surveyId;
  if (!surveyId) return;
  const v = await webchatRepo.visitorOfTicket(tx, ticket.id);
  if (!v) return;
  const url = surveyUrl(signToken(await surveySecret(tx), surveyId));
  const outboxId = uuidv7();
  await channelsRepo.enqueue(tx, {
    id: outboxId,
    channelId: v.channelId,
    kind: 'survey',
    recipient: `visitor:${v.id}`,
    payload: { url },
    ticketId: ticket.id,
    invitationId: surveyId,
    status: 'sent',
    attempts: 1,
    externalId: `webchat:${outboxId}`,
    sentAt: new Date(),
  });
  await webchatRepo.insertEvent(tx, { visitorId: v.id, ticketId: ticket.id, kind: 'survey', author: 'system', body: '', data: { url, outboxId, surveyId } });
  await webchatRepo.notify(tx, v.id);
}
