import { z } from 'zod';

export const ChatWebhook = z.object({
  conversationId: z.string().trim().min(1).max(128),
  customer: z.object({
    name: z.string().trim().min(1).max(100),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9][0-9 -]{5,19}$/)
      .optional(),
    email: z.email().max(200).optional(),
    externalId: z.string().trim().max(128).optional(),
  }),
  subject: z.string().trim().max(200).optional(),
  text: z.string().trim().min(1).max(20_000),
});

export const ChannelParam = z.object({ channel: z.string().regex(/^[a-z]+$/) });
export const SmsReceiptQuery = z.object({ token: z.string().max(200).optional() });
export const SmsReceiptAck = z.record(z.string(), z.unknown()).describe('Aliyun: {code: 0, msg}; Tencent: {result: 0, errmsg}');

export const InboundResult = z
  .object({
    ticketId: z.string(),
    number: z.string(),
    created: z.boolean().describe('true: a new ticket (201); false: a reply on the open one (200)'),
  })
  .meta({ id: 'InboundResult' });
export const InboundAccepted = z
  .object({
    accepted: z.literal(true),
    id: z.string().describe('the queued message; it becomes a ticket or a reply on the conversation’s open ticket shortly, in order per conversation'),
  })
  .meta({ id: 'InboundAccepted' });

// ───── configured channels (email now; other kinds plug in the same way) ─────
const host = z.string().trim().min(1).max(253);
const port = z.number().int().min(1).max(65535);
const secret = z.string().max(4000).optional().describe('write-only; omitted on update keeps the stored value');
const Server = z.object({ host, port, secure: z.boolean(), user: z.string().trim().max(200).optional(), password: secret });
export const EmailConfigIn = z.object({
  address: z.email().max(200),
  smtp: Server,
  imap: Server.extend({ user: z.string().trim().min(1).max(200), mailbox: z.string().trim().min(1).max(200).optional() }).optional(),
  ratePerMinute: z.number().int().min(1).max(10_000).optional(),
  dkim: z.object({ domainName: host, keySelector: z.string().trim().min(1).max(63), privateKey: secret }).optional(),
});
const EmailCreate = z.object({
  kind: z.literal('email'),
  name: z.string().trim().min(1).max(100),
  config: EmailConfigIn,
  teamId: z.uuid().optional(),
  unknownSender: z.enum(['customer', 'review']).default('customer'),
  enabled: z.boolean().default(true),
});
// WeChat Official Account (公众号): AppID + AppSecret (token API), Token and EncodingAESKey (callback signature, safe mode).
const wxToken = z
  .string()
  .regex(/^[A-Za-z0-9]{3,32}$/, '3–32 letters or digits')
  .describe('write-only');
const wxAesKey = z
  .string()
  .regex(/^[A-Za-z0-9]{43}$/, '43 letters or digits')
  .describe('write-only');
const apiBase = z
  .url({ protocol: /^https?$/ })
  .max(300)
  .describe('the host root of the platform API (default https://api.weixin.qq.com); /cgi-bin/... is appended');
const wxTemplate = z
  .object({
    mode: z.enum(['template', 'subscribe']).default('template').describe('template: 模板消息; subscribe: 订阅通知'),
    templateId: z.string().trim().min(1).max(128),
    fields: z
      .record(
        z
          .string()
          .regex(/^[a-z][a-z_]*\d*$/, 'a template field name such as first, keyword1, remark, thing1, time2')
          .max(40),
        z.string().max(200),
      )
      .refine((f) => Object.keys(f).length >= 1 && Object.keys(f).length <= 10, '1–10 fields')
      .describe('field name → text; placeholders {number} {subject} {name} {time} {url} {status} {text}'),
  })
  .optional();
const wxTemplates = z
  .object({
    survey_invite: wxTemplate.describe('survey invitation (the link is the message URL / page)'),
    visit_reminder: wxTemplate.describe('visit reminder'),
    ticket_update: wxTemplate.describe("ticket update: an agent's reply when the 48-hour window is closed"),
  })
  .describe('templates used when the 48-hour customer-service window is closed; a kind without one is not sent then');
export const WechatConfigIn = z.object({
  appId: z.string().trim().min(1).max(64),
  appSecret: z.string().min(1).max(200).describe('write-only'),
  token: wxToken,
  encodingAesKey: wxAesKey,
  apiBase: apiBase.optional(),
  ratePerMinute: z.number().int().min(1).max(10_000).optional(),
  templates: wxTemplates.optional(),
});
export const WechatConfigPatch = WechatConfigIn.partial({ appSecret: true, token: true, encodingAesKey: true }).describe(
  'a secret left out keeps its stored value',
);
const WechatCreate = z.object({
  kind: z.literal('wechat_oa'),
  name: z.string().trim().min(1).max(100),
  config: WechatConfigIn,
  teamId: z.uuid().optional(),
  enabled: z.boolean().default(true),
});
// WeCom (企业微信): 微信客服 (wecom_kf: CorpID, open_kfid, 微信客服 Secret, callback Token + EncodingAESKey) and an
// application for notifications to employees (wecom_app: CorpID, AgentId, the application's Secret).
const corpId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - or _')
  .describe('企业ID (CorpID)');
const wecomApiBase = z
  .url({ protocol: /^https?$/ })
  .max(300)
  .describe('the host root of the WeCom API (default https://qyapi.weixin.qq.com); /cgi-bin/... is appended');
export const WecomKfConfigIn = z.object({
  corpId,
  openKfId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - or _')
    .describe('the customer-service account (open_kfid, wk…)'),
  secret: z.string().min(1).max(200).describe('write-only: the 微信客服 Secret'),
  token: wxToken,
  encodingAesKey: wxAesKey,
  apiBase: wecomApiBase.optional(),
  ratePerMinute: z.number().int().min(1).max(10_000).optional(),
});
export const WecomKfConfigPatch = WecomKfConfigIn.partial({ secret: true, token: true, encodingAesKey: true }).describe(
  'a secret left out keeps its stored value',
);
export const WecomAppConfigIn = z.object({
  corpId,
  agentId: z.number().int().min(1).max(2_147_483_647).describe('the application AgentId'),
  secret: z.string().min(1).max(200).describe("write-only: the application's Secret"),
  apiBase: wecomApiBase.optional(),
});
export const WecomAppConfigPatch = WecomAppConfigIn.partial({ secret: true }).describe('a secret left out keeps its stored value');
const WecomKfCreate = z.object({
  kind: z.literal('wecom_kf'),
  name: z.string().trim().min(1).max(100),
  config: WecomKfConfigIn,
  teamId: z.uuid().optional(),
  enabled: z.boolean().default(true),
});
const WecomAppCreate = z.object({
  kind: z.literal('wecom_app'),
  name: z.string().trim().min(1).max(100),
  config: WecomAppConfigIn,
  enabled: z.boolean().default(true),
});
// SMS (Aliyun 阿里云短信 / Tencent Cloud 腾讯云短信): key id + secret (sealed), 签名, region / SdkAppId, template ids per kind.
const smsTemplates = z
  .object({
    login_code: z.string().trim().min(1).max(64).optional().describe('portal sign-in code; parameter code'),
    visit_reminder: z.string().trim().min(1).max(64).optional().describe('visit reminder; parameters number, time'),
    survey_invite: z.string().trim().min(1).max(64).optional().describe('survey invitation; parameters number, url'),
    care_touch: z.string().trim().min(1).max(64).optional().describe('automatic care contact / reactivation touch; parameters name, number'),
  })
  .describe('provider template ids (Aliyun TemplateCode SMS_…, Tencent TemplateId) per message kind; a kind without one is not sent by SMS');
export const SmsConfigIn = z.object({
  keyId: z.string().trim().min(1).max(128).describe('Aliyun AccessKeyId / Tencent SecretId'),
  keySecret: z.string().min(1).max(256).describe('write-only: Aliyun AccessKeySecret / Tencent SecretKey'),
  signName: z.string().trim().min(1).max(64).describe('签名'),
  region: z.string().trim().min(1).max(64).optional().describe('Aliyun RegionId (default cn-hangzhou) / Tencent region (default ap-guangzhou)'),
  sdkAppId: z
    .string()
    .trim()
    .regex(/^\d{1,20}$/, 'digits')
    .optional()
    .describe('Tencent SmsSdkAppId (required for sms_tencent)'),
  templates: smsTemplates,
  apiBase: z
    .url({ protocol: /^https?$/ })
    .max(300)
    .optional()
    .describe('the host root of the provider API (default https://dysmsapi.aliyuncs.com / https://sms.tencentcloudapi.com)'),
  ratePerMinute: z.number().int().min(1).max(10_000).optional(),
  perNumberPerDay: z.number().int().min(1).max(100).optional().describe('SMS per number per day, all kinds (default 10)'),
  dailyCap: z.number().int().min(1).max(1_000_000).optional().describe('SMS per channel per day (default 1000)'),
});
export const SmsConfigPatch = SmsConfigIn.partial({ keySecret: true }).describe('a secret left out keeps its stored value');
const SmsCreate = z.object({
  kind: z.enum(['sms_aliyun', 'sms_tencent']),
  name: z.string().trim().min(1).max(100),
  config: SmsConfigIn,
  teamId: z.uuid().optional(),
  enabled: z.boolean().default(true),
});
// DingTalk robot (钉钉机器人, an enterprise-internal app's robot): AppKey (ClientId) + AppSecret (sealed; signs the
// callbacks and fetches the access token), RobotCode; messages by HTTP outgoing callback or the Stream mode; AgentId
// when the same app also sends 工作通知 to staff.
export const DingtalkConfigIn = z.object({
  appKey: z.string().trim().min(1).max(128).describe('AppKey (Client ID)'),
  appSecret: z.string().min(1).max(256).describe('write-only: AppSecret (Client Secret)'),
  robotCode: z.string().trim().min(1).max(128).describe('RobotCode (usually the AppKey)'),
  mode: z.enum(['http', 'stream']).describe('http: DingTalk posts to the callbackUrl; stream: the worker holds a Stream connection'),
  agentId: z
    .string()
    .trim()
    .regex(/^\d{1,20}$/, 'digits')
    .optional()
    .describe('AgentId: set to send 工作通知 (work notifications) to staff through this app'),
  apiBase: z
    .url({ protocol: /^https?$/ })
    .max(300)
    .optional()
    .describe('replaces both https://api.dingtalk.com and https://oapi.dingtalk.com (a proxy, a test platform)'),
  ratePerMinute: z.number().int().min(1).max(10_000).optional(),
});
export const DingtalkConfigPatch = DingtalkConfigIn.partial({ appSecret: true }).describe('a secret left out keeps its stored value');
const DingtalkCreate = z.object({
  kind: z.literal('dingtalk_robot'),
  name: z.string().trim().min(1).max(100),
  config: DingtalkConfigIn,
  teamId: z.uuid().optional(),
  enabled: z.boolean().default(true),
});
// Web chat widget (网页聊天): the sites allowed to embed it, texts, the business calendar that says when agents are on duty.
export const WebchatConfigIn = z.object({
  allowedOrigins: z
    .array(z.url({ protocol: /^https?$/ }).max(200))
    .min(1)
    .max(20)
    .describe('the sites that may embed the widget, as origins (https://www.example.com); the widget page refuses to be framed elsewhere'),
  greeting: z.string().trim().max(500).optional().describe('shown when the widget opens (default: a built-in greeting)'),
  offlineMessage: z.string().trim().max(500).optional().describe('shown above the 留言 form when no agent is on duty'),
  calendarId: z.uuid().optional().describe('business calendar of the agents on duty (default: always on duty)'),
  messagesPerMinute: z.number().int().min(1).max(600).optional().describe('visitor messages per minute per visitor (default 30)'),
  requireIdentity: z.boolean().optional().describe('visitors verify a mobile number (one-time code) or the portal session before the first message'),
});
const WebchatCreate = z.object({
  kind: z.literal('webchat'),
  name: z.string().trim().min(1).max(100),
  config: WebchatConfigIn,
  teamId: z.uuid().optional(),
  enabled: z.boolean().default(true),
});
export const ChannelCreate = z.discriminatedUnion('kind', [EmailCreate, WechatCreate, SmsCreate, DingtalkCreate, WecomKfCreate, WecomAppCreate, WebchatCreate]);
export const ChannelUpdate = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  config: z
    .union([EmailConfigIn, WechatConfigPatch, SmsConfigPatch, DingtalkConfigPatch, WecomKfConfigPatch, WecomAppConfigPatch, WebchatConfigIn])
    .optional()
    .describe('the settings of the channel kind (email, wechat_oa, sms_aliyun, sms_tencent, dingtalk_robot, wecom_kf, wecom_app, webchat)'),
  teamId: z.uuid().nullable().optional(),
  unknownSender: z.enum(['customer', 'review']).optional(),
  enabled: z.boolean().optional(),
});
export const ChannelCreated = z.object({
  id: z.string(),
  kind: z.string(),
  callbackUrl: z
    .string()
    .optional()
    .describe('WeChat: the URL to enter as the server address (服务器地址) in the WeChat admin console; SMS: the delivery receipt URL (状态报告地址)'),

  snippet: z.string().optional().describe('webchat: the <script> tag to paste into the pages of the allowed sites'),
});
const Configured = z.object({ configured: z.literal(true) }).optional();
const ServerOut = z.object({ host: z.string(), port: z.number(), secure: z.boolean(), user: z.string().optional(), password: Configured });
export const Channel = z
  .object({
    id: z.string(),
    kind: z.string(),
    name: z.string(),
    address: z.string().nullable(),
    teamId: z.string().nullable(),
    unknownSender: z.enum(['customer', 'review']),
    enabled: z.boolean(),
    config: z.union([
      z.object({
        address: z.string(),
        smtp: ServerOut,
        imap: ServerOut.extend({ mailbox: z.string().optional() }).optional(),
        ratePerMinute: z.number().optional(),
        dkim: z.object({ domainName: z.string(), keySelector: z.string(), privateKey: Configured }).optional(),
      }),
      z.object({
        appId: z.string(),
        apiBase: z.string().optional(),
        ratePerMinute: z.number().optional(),
        templates: z
          .record(z.string(), z.object({ mode: z.enum(['template', 'subscribe']), templateId: z.string(), fields: z.record(z.string(), z.string()) }))
          .optional(),
        appSecret: Configured,
        token: Configured,
        encodingAesKey: Configured,
      }),
      z.object({
        keyId: z.string(),
        keySecret: Configured,
        signName: z.string(),
        region: z.string().optional(),
        sdkAppId: z.string().optional(),
        templates: z.object({
          login_code: z.string().optional(),
          visit_reminder: z.string().optional(),
          survey_invite: z.string().optional(),
          care_touch: z.string().optional(),
        }),
        apiBase: z.string().optional(),
        ratePerMinute: z.number().optional(),
        perNumberPerDay: z.number().optional(),
        dailyCap: z.number().optional(),
      }),
      z.object({
        appKey: z.string(),
        appSecret: Configured,
        robotCode: z.string(),
        mode: z.enum(['http', 'stream']),
        agentId: z.string().optional(),
        apiBase: z.string().optional(),
        ratePerMinute: z.number().optional(),
      }),
      z.object({
        corpId: z.string(),
        openKfId: z.string().optional(),
        agentId: z.number().optional(),
        apiBase: z.string().optional(),
        ratePerMinute: z.number().optional(),
        secret: Configured,
        token: Configured,
        encodingAesKey: Configured,
      }),
      z.object({
        allowedOrigins: z.array(z.string()),
        greeting: z.string().optional(),
        offlineMessage: z.string().optional(),
        calendarId: z.string().optional(),
        messagesPerMinute: z.number().optional(),
        requireIdentity: z.boolean().optional(),
      }),
    ]),
    snippet: z.string().optional().describe('webchat: the <script> tag to paste into the pages of the allowed sites'),
    callbackUrl: z
      .string()
      .optional()
      .describe(
        'wechat_oa / wecom_kf: the callback URL for the WeChat / WeCom admin console; sms_*: the delivery receipt URL; dingtalk_robot (http): the message receiving URL (消息接收地址)',
      ),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Channel' });
const TestOne = z.object({
  ok: z.boolean(),
  error: z.string().optional().describe('refused_address | auth_failed | connection_refused | timeout | not_found | tls | mailbox | failed'),
});
export const ConnectionTest = z
  .object({
    smtp: TestOne.optional().describe('email'),
    imap: TestOne.optional().describe('email with IMAP'),
    api: TestOne.optional().describe(
      'wechat_oa / dingtalk_robot / wecom_kf / wecom_app: an access token fetched from apiBase (error: invalid_appid | invalid_corpid | invalid_secret | invalid_credentials | ip_not_allowed | …); sms_*: a signed statistics query (error: auth_failed | rate_limited | refused_address | timeout | connection_failed | bad_response | rejected)',
    ),
  })
  .meta({ id: 'ChannelConnectionTest' });
export const LogEntry = z.object({
  id: z.string(),
  level: z.enum(['info', 'warn', 'error']),
  event: z.string().describe('message key'),
  text: z.string().describe('rendered in the reader language; addresses masked'),
  detail: z.record(z.string(), z.unknown()),
  at: z.string(),
});
export const OutboxItem = z
  .object({
    id: z.string(),
    channelId: z.string(),
    kind: z.string(),
    recipient: z.string().describe('masked'),
    subject: z.string(),
    ticketId: z.string().nullable(),
    replyId: z.string().nullable(),
    status: z.enum(['queued', 'sending', 'sent', 'failed', 'dead']),
    attempts: z.number(),
    nextAttemptAt: z.string(),
    lastError: z.string().nullable(),
    sentAt: z.string().nullable(),
    receipt: z.enum(['delivered', 'failed']).nullable().describe('SMS: the provider delivery receipt'),
    createdAt: z.string(),
  })
  .meta({ id: 'ChannelOutboxItem' });
export const OutboxQuery = z.object({ status: z.enum(['queued', 'sending', 'sent', 'failed', 'dead']).optional(), channelId: z.uuid().optional() });
// ───── the dead inbound view (accept then ingest: messages whose ingest failed all attempts) ─────
export const InboundQuery = z.object({
  status: z.enum(['dead', 'discarded']).default('dead').describe('dead (default): failed all attempts; discarded: dropped by an administrator'),
});
export const InboundParams = z.object({ id: z.uuid(), messageId: z.uuid() });
export const InboundDiscard = z.object({ reason: z.string().trim().max(500).optional() });
export const InboundItem = z
  .object({
    id: z.string(),
    channelId: z.string(),
    sender: z.string().describe('masked'),
    status: z.enum(['queued', 'dead', 'discarded']),
    attempts: z.number(),
    lastError: z.string().nullable(),
    receivedAt: z.string(),
    deadAt: z.string().nullable(),
  })
  .meta({ id: 'ChannelInboundItem' });
export const ReviewItem = z.object({ id: z.string(), sender: z.string().nullable().describe('masked'), subject: z.string().nullable(), at: z.string() });

// ───── the review queue (待审核邮件, channels.work) ─────
export const ReviewQuery = z.object({ channelId: z.uuid().optional() });
export const ReviewEntry = z
  .object({
    id: z.string(),
    channelId: z.string(),
    channelName: z.string(),
    sender: z.string().nullable(),
    senderName: z.string().nullable(),
    subject: z.string().nullable(),
    text: z.string().describe('the new text of the mail (quoted history and signature trimmed), at most 2000 characters'),
    attachments: z.array(z.string()).describe('file names'),
    reason: z.enum(['unknown_sender', 'spam', 'token_mismatch']),
    customer: z.object({ id: z.string(), name: z.string() }).nullable().describe('the customer with the sender address, if any'),
    at: z.string(),
  })
  .meta({ id: 'ChannelReviewEntry' });
export const ReviewTicket = z.object({ customerId: z.uuid().optional().describe('default: the customer with the sender address, else a new one') });
export const ReviewAttach = z.object({ ticketId: z.uuid() });
export const ReviewDiscard = z.object({ reason: z.string().trim().min(1).max(500) });
export const ReviewHandled = z
  .object({ id: z.string(), outcome: z.enum(['ticket', 'reply', 'discarded']), ticketId: z.string().nullable(), number: z.string().nullable() })
  .meta({ id: 'ChannelReviewHandled' });

// ───── DingTalk: the HTTP outgoing callback and the staff → userid mapping for 工作通知 ─────
export const DingtalkAck = z.object({}).describe('{} (DingTalk expects a JSON answer; the reply goes out later)');
export const DingtalkStaffItem = z
  .object({
    staffId: z.string(),
    name: z.string(),
    userid: z.string().nullable().describe('the DingTalk userid of the staff member (null: not mapped)'),
    enabled: z.boolean().describe('work notifications are sent to this userid'),
  })
  .meta({ id: 'DingtalkStaffMapping' });
export const DingtalkStaffPut = z.object({
  userid: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_$:.-]+$/, 'a DingTalk userid')
    .nullable()
    .describe('null removes the mapping'),
  enabled: z.boolean().default(true),
});
