/** DingTalk routes: the robot's HTTP outgoing callback (消息接收地址) and the staff → userid mapping for 工作通知. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { syncPlugin } from '../../http/plugin';
import { AppError } from '../../lib/errors';
import { parseDingtalkMessage, type DingtalkConfig } from './channels.dingtalk';
import { listStaffMappings, putStaffMapping } from './channels.dingtalk.commands';
import { dingtalkChannel, queuedDingtalk, verifyCallback } from './channels.dingtalk.ingest';
import { acceptInbound } from './channels.inbound';
import * as s from './channels.schema';

const forged = () => new AppError('forbidden', 'Bad, stale or missing DingTalk signature');

export function registerDingtalkRoutes(base: FastifyInstance, deps: AppDeps) {
  const db = deps.database;
  void base.register(
    syncPlugin((scoped) => {
      const app = scoped.withTypeProvider<ZodTypeProvider>();
      app.post(
        '/public/channels/dingtalk/:id',
        {
          config: { public: true },
          schema: {
            tags: ['channels'],
            security: [],
            summary:
              'DingTalk robot outgoing callback (HTTP mode): headers timestamp (ms) and sign = Base64(HmacSHA256(appSecret, timestamp + "\\n" + appSecret)), at most 1 h off; verified, recorded once (msgId) and acknowledged at once; the inbound worker then makes text, picture, richText a ticket or customer reply, in order per sender. Forged or stale → 403, nothing stored; a redelivered msgId → 200, nothing new',
            params: z.object({ id: z.uuid() }),
            headers: z.object({ timestamp: z.string().max(20).optional(), sign: z.string().max(100).optional() }).passthrough(),
            body: z.unknown().describe('the robot message JSON (checked after the signature: a forged call is 403 whatever the body)'),
            response: { 200: s.DingtalkAck },
          },
        },
        async (req) => {
          const channel = await dingtalkChannel(db, req.params.id);
          if (!channel || !verifyCallback(channel, req.headers.timestamp, req.headers.sign)) throw forged();
          const msg = parseDingtalkMessage(req.body);
          if (!msg)
            throw new AppError('validation_failed', 'body: not a DingTalk robot message', {
              errors: [{ path: 'body', message: 'msgId, conversationId and senderId are required' }],
            });
          const robotCode = (channel.config as DingtalkConfig).robotCode;
          if (msg.robotCode && msg.robotCode !== robotCode) throw forged();
          await acceptInbound(db, channel.id, queuedDingtalk(msg));
          return {};
        },
      );
    }),
  );
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['channels'];
  app.get(
    '/channels/dingtalk/staff',
    {
      config: { permission: 'channels.manage' },
      schema: {
        tags,
        summary: 'Staff members and their DingTalk userids (钉钉工作通知 go to the mapped, enabled ones)',
        response: { 200: z.object({ items: z.array(s.DingtalkStaffItem) }) },
      },
    },
    async (req) => listStaffMappings(db, ctxOf(req)),
  );
  app.put(
    '/channels/dingtalk/staff/:staffId',
    {
      config: { permission: 'channels.manage' },
      schema: {
        tags,
        summary: "Set (or with userid null remove) a staff member's DingTalk userid for work notifications",
        params: z.object({ staffId: z.uuid() }),
        body: s.DingtalkStaffPut,
        response: { 200: s.DingtalkStaffItem },
      },
    },
    async (req) => putStaffMapping(db, ctxOf(req), req.params.staffId, req.body),
  );
}
