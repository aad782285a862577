/**
 * Web chat widget HTTP routes. Visitor routes (`/public/webchat/{channelId}/…`) take no session: the visitor token
 * (header `X-Visitor-Token`) is the credential, and a browser Origin other than ours or the channel's allowed sites
 * is refused (403). Staff routes: the live conversation list (在线会话) and the agent's typing notice.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { authenticate, ctxOf } from '../../http/auth';
import { AppError, notFound } from '../../lib/errors';
import { MAX_UPLOAD_BYTES, readAttachment, storeUpload } from '../attachments/attachments.commands';
import { contentDisposition } from '../attachments/attachments.present';
import { Upload } from '../attachments/attachments.schema';
import type { ChannelRow } from './channels.repo';
import { leaveMessage, onDuty, openSession, originAllowed, postMessage, presentEvent, visitorOf, webchatChannel, type WebchatConfig } from './channels.webchat';
import { conversations, agentTyping } from './channels.webchat.agent';
import { webchatRepo, type VisitorRow } from './channels.webchat.repo';
import * as s from './channels.webchat.schema';
import { sendVisitorCode, verifyVisitorByPortal, verifyVisitorPhone } from './channels.webchat.identify';
import './channels.webchat.socket';

const tags = ['webchat'];
const tokenOf = (req: FastifyRequest) => {
  const v = req.headers['x-visitor-token'];
  return typeof v === 'string' ? v : undefined;
};
/** A browser request from our own origin (the widget page), not from a host site. */
function ownOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
const customerCtx = (customerId: string) => ({
  actor: { kind: 'customer' as const, id: customerId, customerId, sessionId: null },
  requestId: null,
  ip: null,
});

export function registerWebchatRoutes(base: FastifyInstance, deps: AppDeps) {
  const { database, config } = deps;
  /** The channel of the path, after the Origin check; 404 for an unknown or disabled one. */
  async function channelOf(req: FastifyRequest, id: string): Promise<ChannelRow> {
    const channel = await webchatChannel(database, id);
    if (!channel) throw notFound('chat');
    if (!originAllowed(channel, req.headers.origin, req.headers.host)) throw new AppError('forbidden', 'Origin not allowed for this chat');
    return channel;
  }
  /** The visitor of the token, checked before the body or query is validated (no token → 401, whatever was sent). */
  const visitors = new WeakMap<FastifyRequest, { channel: ChannelRow; visitor: VisitorRow }>();
  const visitorGate = async (req: FastifyRequest) => {
    const params = req.params as { channelId?: string; id?: string };
    // The path's ids are checked first, like every route's params (400 naming the one that is not a UUID).
    for (const key of ['channelId', 'id'] as const) {
      const v = params[key];
      if (v !== undefined && !z.uuid().safeParse(v).success) {
        throw new AppError('validation_failed', `${key}: Invalid UUID`, { errors: [{ path: key, message: 'Invalid UUID' }] });
      }
    }
    const channelId = params.channelId;
    if (!channelId) throw notFound('chat');
    const channel = await channelOf(req, channelId);
    visitors.set(req, { channel, visitor: await visitorOf(database, channel, tokenOf(req)) });
  };
  const visitorFor = (req: FastifyRequest) => visitors.get(req)!;

  void base.register(async (scoped) => {
    await scoped.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5, parts: 6 } });
    const app = scoped.withTypeProvider<ZodTypeProvider>();
    const pub = { config: { public: true } };

    app.get(
      '/public/webchat/:channelId/config',
      {
        ...pub,
        schema: {
          tags,
          security: [],
          summary: 'What the widget shows before a message: name, greeting, agents on duty',
          params: s.ChannelParam,
          response: { 200: s.WidgetConfig },
        },
      },
      async (req) => {
        const channel = await channelOf(req, req.params.channelId);
        const cfg = channel.config as WebchatConfig;
        const duty = await onDuty(database, channel);
        return {
          name: channel.name,
          greeting: cfg.greeting ?? null,
          offlineMessage: cfg.offlineMessage ?? null,
          online: duty.online,
          nextOpen: duty.nextOpen ? duty.nextOpen.toISOString() : null,
          requireIdentity: cfg.requireIdentity === true,
        };
      },
    );

    app.post(
      '/public/webchat/:channelId/session',
      {
        ...pub,
        schema: {
          tags,
          security: [],
          summary: 'Start or resume a visitor session: the stored token (header X-Visitor-Token) is renewed for 30 days, else a new one is issued',
          params: s.ChannelParam,
          response: { 200: s.Session, 201: s.Session },
        },
      },
      async (req, reply) => {
        const channel = await channelOf(req, req.params.channelId);
        const out = await openSession(database, channel, tokenOf(req));
        return reply.status(out.created ? 201 : 200).send(out);
      },
    );

    app.get(
      '/public/webchat/:channelId/messages',
      {
        ...pub,
        preValidation: visitorGate,
        schema: {
          tags,
          security: [],
          summary: "The visitor's conversation after a cursor (seq), oldest first",
          params: s.ChannelParam,
          querystring: s.AfterQuery,
          response: { 200: s.EventPage },
        },
      },
      async (req) => {
        const { channel, visitor } = visitorFor(req);
        const rows = await webchatRepo.eventsAfter(database.db, visitor.id, req.query.after, req.query.limit + 1);
        const items = rows.slice(0, req.query.limit).map((e) => presentEvent(channel.id, e));
        return { items, more: rows.length > req.query.limit };
      },
    );

    app.post(
      '/public/webchat/:channelId/messages',
      {
        ...pub,
        preValidation: visitorGate,
        schema: {
          tags,
          security: [],
          summary: 'Send a visitor message (the WebSocket does the same); a clientId already used answers the stored message (200)',
          params: s.ChannelParam,
          body: s.MessageIn,
          response: { 200: s.WidgetEvent, 201: s.WidgetEvent },
        },
      },
      async (req, reply) => {
        const { channel, visitor } = visitorFor(req);
        const out = await postMessage(database, channel, visitor, req.body);
        return reply.status(out.duplicate ? 200 : 201).send(out.event);
      },
    );

    app.post(
      '/public/webchat/:channelId/offline',
      {
        ...pub,
        preValidation: visitorGate,
        schema: {
          tags,
          security: [],
          summary: '留言 when no agent is on duty: becomes a chat ticket; answers when a reply can be expected (the next opening, or null = now)',
          params: s.ChannelParam,
          body: s.OfflineIn,
          response: { 201: s.OfflineOut, 200: s.OfflineOut },
        },
      },
      async (req, reply) => {
        const { channel, visitor } = visitorFor(req);
        return reply.status(201).send(await leaveMessage(database, channel, visitor, req.body));
      },
    );

    app.post(
      '/public/webchat/:channelId/identify/code',
      {
        ...pub,
        preValidation: visitorGate,
        schema: {
          tags,
          security: [],
          summary:
            "验证手机号, step 1: a one-time code to this mobile (the portal's code path: SMS login_code template, 1 a minute and 5 an hour per number, 5 an hour per visitor; demo mode answers the code)",
          params: s.ChannelParam,
          body: s.IdentifyCodeIn,
          response: { 200: s.IdentifyCodeOut },
        },
      },
      async (req) => {
        const { channel, visitor } = visitorFor(req);
        return sendVisitorCode(database, channel, visitor, req.body.phone, { demo: config.CHIDU_DEMO, log: req.log });
      },
    );

    app.post(
      '/public/webchat/:channelId/identify/verify',
      {
        ...pub,
        preValidation: visitorGate,
        schema: {
          tags,
          security: [],
          summary:
            '验证手机号, step 2: the code (single use, 5 minutes, wrong codes limited per number) binds the visitor to the customer who owns the phone, or gives the phone to the visitor customer',
          params: s.ChannelParam,
          body: s.IdentifyVerifyIn,
          response: { 200: s.VisitorIdentity },
        },
      },
      async (req) => {
        const { channel, visitor } = visitorFor(req);
        return verifyVisitorPhone(database, channel, visitor, req.body, config);
      },
    );

    app.post(
      '/public/webchat/:channelId/identify/portal',
      {
        config: { public: true, audience: 'customer' as const },
        preValidation: visitorGate,
        schema: {
          tags,
          security: [],
          summary:
            '以门户账号登录: the customer portal session of this browser (cookie + X-CSRF-Token, from the widget page on our own origin only) binds the visitor to that customer',
          params: s.ChannelParam,
          response: { 200: s.VisitorIdentity },
        },
      },
      async (req) => {
        const { channel, visitor } = visitorFor(req);
        // Only the widget page itself (our origin) may use the portal session, never a host site's script.
        if (!ownOrigin(req.headers.origin, req.headers.host)) throw new AppError('forbidden', 'The portal session is used only from the widget page');
        await authenticate(database, req, config);
        if (req.actor?.kind !== 'customer') throw new AppError('forbidden', 'Customer portal sessions only');
        return verifyVisitorByPortal(database, channel, visitor, { accountId: req.actor.id });
      },
    );

    app.post(
      '/public/webchat/:channelId/uploads',
      {
        ...pub,
        preValidation: visitorGate,
        bodyLimit: MAX_UPLOAD_BYTES + 64 * 1024,
        schema: {
          tags,
          security: [],
          summary: 'A visitor photo (multipart field "file", ≤ 10 MB, type sniffed): send its id with the next message',
          consumes: ['multipart/form-data'],
          params: s.ChannelParam,
          response: { 201: Upload },
        },
      },
      async (req, reply) => {
        const { visitor } = visitorFor(req);
        if (!req.isMultipart())
          throw new AppError('unsupported_media_type', 'Send multipart/form-data with a "file" field', { errors: [{ path: 'file', message: 'missing' }] });
        const file = await req.file();
        if (!file) throw new AppError('validation_failed', 'file: missing', { errors: [{ path: 'file', message: 'missing' }] });
        let data: Buffer;
        try {
          data = await file.toBuffer();
        } catch (err) {
          if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
            throw new AppError('payload_too_large', `file: larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`, {
              errors: [{ path: 'file', message: 'too large' }],
            });
          throw err;
        }
        const up = await storeUpload(database, customerCtx(visitor.customerId), file.filename, data);
        if (!up.mime.startsWith('image/'))
          throw new AppError('unsupported_media_type', 'Only photos in the chat', { errors: [{ path: 'file', message: 'not a photo' }] });
        return reply.status(201).send(up);
      },
    );

    app.get(
      '/public/webchat/:channelId/attachments/:id',
      {
        ...pub,
        preValidation: visitorGate,
        schema: { tags, security: [], summary: "A photo of the visitor's own conversation (nosniff; only to that visitor)", params: s.AttachmentParam },
      },
      async (req, reply) => {
        const { visitor } = visitorFor(req);
        if (!(await webchatRepo.inStream(database.db, visitor.id, req.params.id))) throw notFound('Attachment');
        const a = await readAttachment(database, customerCtx(visitor.customerId), req.params.id, 'data');
        return reply
          .header('content-type', a.mime)
          .header('content-disposition', contentDisposition(a.filename).replace(/^attachment/, 'inline'))
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('cache-control', 'private, max-age=3600')
          .send(a.body);
      },
    );

    // ── staff ──
    app.get(
      '/webchat/conversations',
      {
        schema: {
          tags,
          summary: '在线会话: open chat conversations the caller may see; unassigned first, then longest waiting (visitor message unanswered)',
          response: { 200: s.ConversationList },
        },
      },
      async (req) => conversations(database, ctxOf(req)),
    );

    app.post(
      '/webchat/tickets/:id/typing',
      {
        schema: {
          tags,
          summary: 'The agent is typing on this chat ticket: shown in the widget for a few seconds (not stored)',
          params: s.TicketParam,
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        await agentTyping(database, ctxOf(req), req.params.id);
        return reply.status(204).send(null);
      },
    );
  });
}
