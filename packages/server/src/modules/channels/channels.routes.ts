import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { syncPlugin } from '../../http/plugin';
import { AppError } from '../../lib/errors';
import { ctxOf } from '../../http/auth';
import { anonymousCtx } from '../identity/identity.routes';
import { IdParam } from '../identity/identity.schema';
import * as admin from './channels.admin.commands';
import * as inboundAdmin from './channels.inbound.admin';
import { registerReviewRoutes } from './channels.review.routes';
import { registerDingtalkRoutes } from './channels.dingtalk.routes';
import { channelAdapter } from './channels.adapters';
import { ingest, verifySignature } from './channels.commands';
import * as s from './channels.schema';
import { handleReceipt } from './channels.sms.senders';
import { acceptChannel, acceptInbound, acceptWebhook, acceptWechat } from './channels.inbound';
import { callbackChannel, openCallback, verifyUrl } from './channels.wechat.ingest';
import { openWecomCallback, verifyWecomUrl } from './channels.wecom';
import { queuedKfEvent, wecomCallbackChannel } from './channels.wecom.ingest';

/** The origin the callback URLs are built on: CHIDU_PUBLIC_URL, else the request's own. */
const originOf = (req: { protocol: string; host: string }) => process.env.CHIDU_PUBLIC_URL || `${req.protocol}://${req.host}`;
const forged = () => new AppError('forbidden', 'Bad or missing WeChat signature');

export function registerChannelRoutes(base: FastifyInstance, deps: AppDeps) {
  registerAdminRoutes(base, deps);
  registerWechatCallbacks(base, deps);
  registerSmsReceipts(base, deps);
  registerDingtalkRoutes(base, deps);
  void base.register(
    syncPlugin((scoped) => {
      // The signature covers the raw bytes the sender signed, so keep them next to the parsed body.
      scoped.removeContentTypeParser('application/json');
      scoped.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
        (req as unknown as { rawBody: string }).rawBody = body as string;
        try {
          done(null, body === '' ? null : JSON.parse(body as string));
        } catch (err) {
          done(err as Error, undefined);
        }
      });
      const app = scoped.withTypeProvider<ZodTypeProvider>();
      app.post(
        '/inbound/:channel',
        {
          config: { public: true },
          schema: {
            tags: ['channels'],
            security: [],
            summary: 'Inbound webhook for chat systems; signed with X-Chidu-Signature: sha256=hex(HMAC-SHA256(CHIDU_WEBHOOK_SECRET, raw request body))',
            description:
              'Answers with the ticket (201 new, 200 a reply on the open one). With `Prefer: respond-async` the verified message is queued and answered 202 at once; the inbound worker then makes it a ticket or reply, in order per conversationId.',
            params: s.ChannelParam,
            headers: z.object({ prefer: z.string().max(200).optional() }).passthrough(),
            response: { 200: s.InboundResult, 201: s.InboundResult, 202: s.InboundAccepted },
          },
        },
        async (req, reply) => {
          const adapter = channelAdapter(req.params.channel);
          if (!adapter) throw new AppError('not_found', `No inbound channel ${req.params.channel}`);
          verifySignature(deps.config.CHIDU_WEBHOOK_SECRET, (req as unknown as { rawBody?: string }).rawBody ?? '', req.headers['x-chidu-signature']);
          const parsed = adapter.schema.safeParse(req.body);
          if (!parsed.success) {
            const errors = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || 'body', message: i.message }));
            throw new AppError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
          }
          const msg = adapter.toMessage(parsed.data);
          if (/\brespond-async\b/i.test(req.headers.prefer ?? '')) {
            const id = await acceptWebhook(deps.database, adapter.name, msg);
            return reply
              .status(202)
              .header('preference-applied', 'respond-async')
              .send({ accepted: true as const, id });
          }
          const out = await ingest(deps.database, anonymousCtx(req, `channel:${msg.channel}`), msg);
          return reply.status(out.created ? 201 : 200).send(out);
        },
      );
    }),
  );
}

/** WeChat Official Account callbacks (the channel's callbackUrl): URL verification and messages, plain or AES safe mode. */
function registerWechatCallbacks(base: FastifyInstance, deps: AppDeps) {
  void base.register(
    syncPlugin((scoped) => {
      for (const type of ['text/xml', 'application/xml'])
        scoped.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));
      const app = scoped.withTypeProvider<ZodTypeProvider>();
      const tags = ['channels'];
      const params = z.object({ id: z.uuid() });
      const query = z.object({
        signature: z.string().max(64).optional(),
        timestamp: z.string().max(20).optional(),
        nonce: z.string().max(64).optional(),
        echostr: z.string().max(1000).optional(),
        openid: z.string().max(128).optional(),
        encrypt_type: z.string().max(10).optional(),
        msg_signature: z.string().max(64).optional(),
      });
      app.get(
        '/public/channels/wechat/:id',
        {
          config: { public: true },
          schema: {
            tags,
            security: [],
            summary:
              'WeChat Official Account server configuration check: answers echostr (text/plain) when signature = sha1(sort(token, timestamp, nonce)); otherwise 403',
            params,
            querystring: query,
          },
        },
        async (req, reply) => {
          const channel = await callbackChannel(deps.database, req.params.id);
          const echo = channel ? verifyUrl(channel, req.query) : null;
          if (echo === null) throw forged();
          return reply.type('text/plain; charset=utf-8').send(echo);
        },
      );
      app.post(
        '/public/channels/wechat/:id',
        {
          config: { public: true },
          schema: {
            tags,
            security: [],
            summary:
              'WeChat Official Account messages (XML, plain or safe mode encrypt_type=aes with msg_signature): verified, recorded once and answered "success" at once; the inbound worker then makes text, image, voice a ticket or customer reply, in order per sender. Forged → 403, nothing stored; a redelivered MsgId → 200, nothing new',
            params,
            querystring: query,
          },
        },
        async (req, reply) => {
          const channel = await acceptChannel(deps.database, req.params.id);
          const body = typeof req.body === 'string' ? req.body : '';
          const msg = channel ? openCallback(channel, req.query, body) : null;
          if (!channel || !msg) throw forged();
          await acceptWechat(deps.database, channel, msg);
          return reply.type('text/plain; charset=utf-8').send('success');
        },
      );
      // 微信客服 (wecom_kf): the same XML family, always encrypted; messages are then pulled with kf/sync_msg.
      const wecomQuery = z.object({
        msg_signature: z.string().max(64).optional(),
        timestamp: z.string().max(20).optional(),
        nonce: z.string().max(64).optional(),
        echostr: z.string().max(1000).optional(),
      });
      app.get(
        '/public/channels/wecom/:id',
        {
          config: { public: true },
          schema: {
            tags,
            security: [],
            summary:
              'WeCom customer service (微信客服) URL check: answers echostr decrypted (text/plain) when msg_signature = sha1(sort(token, timestamp, nonce, echostr)) and the CorpID inside is ours; otherwise 403',
            params,
            querystring: wecomQuery,
          },
        },
        async (req, reply) => {
          const channel = await wecomCallbackChannel(deps.database, req.params.id);
          const echo = channel ? verifyWecomUrl(channel, req.query) : null;
          if (echo === null) throw forged();
          return reply.type('text/plain; charset=utf-8').send(echo);
        },
      );
      app.post(
        '/public/channels/wecom/:id',
        {
          config: { public: true },
          schema: {
            tags,
            security: [],
            summary:
              'WeCom customer service (微信客服) events (encrypted XML, msg_signature): a kf_msg_or_event is recorded once (its token) and answered "success" at once; the inbound worker then pulls the new messages with kf/sync_msg from the stored cursor → ticket or customer reply. Forged → 403, nothing stored; a message pulled again → nothing new',
            params,
            querystring: wecomQuery,
          },
        },
        async (req, reply) => {
          const channel = await wecomCallbackChannel(deps.database, req.params.id);
          const body = typeof req.body === 'string' ? req.body : '';
          const ev = channel ? openWecomCallback(channel, req.query, body) : null;
          if (!channel || !ev) throw forged();
          const queued = queuedKfEvent(channel, ev);
          if (queued) await acceptInbound(deps.database, channel.id, queued);
          return reply.type('text/plain; charset=utf-8').send('success');
        },
      );
    }),
  );
}

/** 渠道接入: channel administration, dead letters, a ticket's deliveries. */
function registerAdminRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const db = deps.database;
  const tags = ['channels'];
  const Items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
  app.get(
    '/channels',
    {
      config: { permission: 'channels.manage' },
      schema: { tags, summary: 'List configured channels (secrets shown as {configured: true})', response: { 200: Items(s.Channel) } },
    },
    async (req) => admin.listChannels(db, ctxOf(req), originOf(req)),
  );
  app.post(
    '/channels',
    {
      config: { permission: 'channels.manage' },
      schema: {
        tags,
        summary: 'Configure a channel (email: SMTP out, IMAP in optional; wechat_oa: answers the callbackUrl); secrets are sealed at rest and never returned',
        body: s.ChannelCreate,
        response: { 201: s.ChannelCreated },
      },
    },
    async (req, reply) => reply.status(201).send(await admin.createChannel(db, ctxOf(req), req.body, originOf(req))),
  );
  app.get(
    '/channels/outbox',
    {
      config: { permission: 'channels.manage' },
      schema: {
        tags,
        summary: 'Outgoing deliveries by status (dead letters: status=dead); recipients masked',
        querystring: s.OutboxQuery,
        response: { 200: Items(s.OutboxItem) },
      },
    },
    async (req) => admin.listOutbox(db, ctxOf(req), req.query),
  );
  app.post(
    '/channels/outbox/:id/retry',
    { schema: { tags, summary: 'Queue a failed or dead delivery again now', params: IdParam, response: { 200: s.OutboxItem } } },
    async (req) => admin.retryDelivery(db, ctxOf(req), req.params.id),
  );
  app.get(
    '/channels/:id',
    {
      config: { permission: 'channels.manage' },
      schema: { tags, summary: 'One channel (secrets shown as {configured: true})', params: IdParam, response: { 200: s.Channel } },
    },
    async (req) => admin.getChannel(db, ctxOf(req), req.params.id, originOf(req)),
  );
  app.patch(
    '/channels/:id',
    {
      config: { permission: 'channels.manage' },
      schema: {
        tags,
        summary: 'Change a channel; a secret left out keeps its stored value',
        params: IdParam,
        body: s.ChannelUpdate,
        response: { 200: s.Channel },
      },
    },
    async (req) => admin.updateChannel(db, ctxOf(req), req.params.id, req.body, originOf(req)),
  );
  app.post(
    '/channels/:id/test',
    {
      config: { permission: 'channels.manage' },
      schema: {
        tags,
        summary: 'Test connection with the stored settings: email connects to SMTP (and IMAP); wechat_oa fetches an access token from apiBase',
        params: IdParam,
        response: { 200: s.ConnectionTest },
      },
    },
    async (req) => admin.testChannel(db, ctxOf(req), req.params.id),
  );
  app.get(
    '/channels/:id/log',
    {
      config: { permission: 'channels.manage' },
      schema: { tags, summary: 'The channel log, newest first (addresses masked)', params: IdParam, response: { 200: Items(s.LogEntry) } },
    },
    async (req) => admin.channelLog(db, ctxOf(req), req.params.id),
  );
  app.get(
    '/channels/:id/inbound',
    {
      config: { permission: 'channels.manage' },
      schema: {
        tags,
        summary: 'Inbound messages of the channel whose ingest failed all attempts (status=dead, the default) or were discarded; senders masked',
        params: IdParam,
        querystring: s.InboundQuery,
        response: { 200: Items(s.InboundItem) },
      },
    },
    async (req) => inboundAdmin.listInbound(db, ctxOf(req), req.params.id, req.query),
  );
  app.post(
    '/channels/:id/inbound/:messageId/retry',
    {
      config: { permission: 'channels.manage' },
      schema: {
        tags,
        summary: 'Queue a dead inbound message again now with fresh attempts (audited); not dead → 409',
        params: s.InboundParams,
        response: { 200: s.InboundItem },
      },
    },
    async (req) => inboundAdmin.retryInbound(db, ctxOf(req), req.params.id, req.params.messageId),
  );
  app.post(
    '/channels/:id/inbound/:messageId/discard',
    {
      config: { permission: 'channels.manage' },
      schema: {
        tags,
        summary: 'Discard a dead inbound message (kept as discarded, never ingested; audited with the reason); not dead → 409',
        params: s.InboundParams,
        body: s.InboundDiscard.optional(),
        response: { 200: s.InboundItem },
      },
    },
    async (req) => inboundAdmin.discardInbound(db, ctxOf(req), req.params.id, req.params.messageId, req.body ?? {}),
  );
  app.get(
    '/channels/:id/review',
    {
      config: { permission: 'channels.manage' },
      schema: {
        tags,
        summary: 'Mail from unknown senders waiting for review (when the channel sends them there)',
        params: IdParam,
        response: { 200: Items(s.ReviewItem) },
      },
    },
    async (req) => admin.reviewQueue(db, ctxOf(req), req.params.id),
  );
  registerReviewRoutes(app, db);
  app.get(
    '/tickets/:id/deliveries',
    {
      schema: {
        tags,
        summary: "A ticket's outgoing channel messages and their delivery state (queued, sent, failed, dead)",
        params: IdParam,
        response: { 200: Items(s.OutboxItem) },
      },
    },
    async (req) => admin.ticketDeliveries(db, ctxOf(req), req.params.id),
  );
}

/** SMS delivery receipts (Aliyun SmsReport push, Tencent status callback) at the channel's receipt URL. */
function registerSmsReceipts(base: FastifyInstance, deps: AppDeps) {
  void base.register(
    syncPlugin((scoped) => {
      const app = scoped.withTypeProvider<ZodTypeProvider>();
      app.post(
        '/public/channels/sms/:id/receipt',
        {
          config: { public: true },
          schema: {
            tags: ['channels'],
            security: [],
            summary:
              'SMS delivery receipts: Aliyun [{biz_id, success, err_code, …}] or Tencent [{sid, report_status, errmsg, …}]; marks the deliveries delivered/failed. A wrong token or a non-SMS channel → 403, nothing changes',
            params: z.object({ id: z.uuid() }),
            querystring: s.SmsReceiptQuery,
            body: z.unknown().describe('a JSON array of receipts (checked after the token: a wrong token is 403 whatever the body)'),
            response: { 200: s.SmsReceiptAck },
          },
        },
        async (req) => handleReceipt(deps.database, req.params.id, req.query.token, req.body),
      );
    }),
  );
}
