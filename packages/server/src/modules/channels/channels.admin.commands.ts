/** Channel administration (渠道接入): create / edit / list, 测试连接, the per-channel log, dead letters and retry, the review queue. */
import type { z } from 'zod';
import type { Database } from '../../db/client';
import { writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { maskEmail, maskPhone } from '../../lib/mask';
import { t } from '../../i18n/index';
import { authorize } from '../identity/policy';
import { getTicket } from '../tickets/tickets.commands';
import { channelsChanged } from './channels.idle';
import { forgetAcceptChannels } from './channels.inbound';
import { logChannel } from './channels.ingest';
import { openSecrets, sealSecrets, testConnections, type EmailConfig, type EmailSecrets } from './channels.mail';
import { requeue } from './channels.outbox';
import { channelsRepo, type ChannelRow, type OutboxRow } from './channels.repo';
import * as s from './channels.schema';
import { isSmsKind, openSmsSecrets, sealSmsSecrets, SmsApiError, testSms, type SmsConfig, type SmsSecrets } from './channels.sms';
import { smsReceiptUrl } from './channels.sms.senders';
import { newToken } from '../identity/secrets';
import { DingtalkApiError, openDingtalkSecrets, sealDingtalkSecrets, testDingtalk, type DingtalkConfig, type DingtalkSecrets } from './channels.dingtalk';
import { dingtalkStreamsChanged } from './channels.dingtalk.stream';
import { isWecomKind, splitWecom, testWecom, wecomCallbackUrl, wecomView } from './channels.wecom.admin';
import { openWecomSecrets, sealWecomSecrets } from './channels.wecom';
import { loadCalendarRows } from '../calendars/calendar-cache';
import { webchatSnippet, type WebchatConfig } from './channels.webchat';
import { fetchAccessToken, openWechatSecrets, sealWechatSecrets, WechatApiError, type WechatConfig, type WechatSecrets } from './channels.wechat';

type ConfigIn = z.infer<typeof s.EmailConfigIn>;
type WechatIn = z.infer<typeof s.WechatConfigPatch>;
type SmsIn = z.infer<typeof s.SmsConfigPatch>;
type DingtalkIn = z.infer<typeof s.DingtalkConfigPatch>;

/** The message receiving URL (消息接收地址) of a DingTalk robot in HTTP mode. */
export const dingtalkCallbackUrl = (origin: string, id: string) => `${origin.replace(/\/+$/, '')}/api/v1/public/channels/dingtalk/${id}`;

/** DingTalk settings: the public part and the secret (AppSecret; absent keeps the old one). */
function splitDingtalk(cfg: DingtalkIn, old: DingtalkSecrets): { config: DingtalkConfig; secrets: DingtalkSecrets } {
  const { appSecret, ...pub } = cfg;
  const config = Object.fromEntries(Object.entries(pub).filter(([, v]) => v !== undefined)) as unknown as DingtalkConfig;
  return { config, secrets: { ...old, ...(appSecret !== undefined ? { appSecret } : {}) } };
}

/** SMS settings: the public part and the secrets (key secret; the receipt token is kept, or made on creation). */
function splitSms(cfg: SmsIn, old: SmsSecrets): { config: SmsConfig; secrets: SmsSecrets } {
  const { keySecret, ...pub } = cfg;
  const config = Object.fromEntries(Object.entries(pub).filter(([, v]) => v !== undefined)) as unknown as SmsConfig;
  return { config, secrets: { ...old, receiptToken: old.receiptToken ?? newToken(24), ...(keySecret !== undefined ? { keySecret } : {}) } };
}

/** The callback URL a WeChat channel reports (entered as 服务器地址 in the WeChat admin console). */
export const wechatCallbackUrl = (origin: string, id: string) => `${origin.replace(/\/+$/, '')}/api/v1/public/channels/wechat/${id}`;

/** WeChat settings: the public part and the secrets (AppSecret, Token, EncodingAESKey); absent secrets keep the old ones. */
function splitWechat(cfg: WechatIn, old: WechatSecrets): { config: WechatConfig; secrets: WechatSecrets } {
  const { appSecret, token, encodingAesKey, ...pub } = cfg;
  const config: WechatConfig = {
    appId: pub.appId,
    ...(pub.apiBase ? { apiBase: pub.apiBase } : {}),
    ...(pub.ratePerMinute ? { ratePerMinute: pub.ratePerMinute } : {}),
    ...(pub.templates && Object.keys(pub.templates).length ? { templates: pub.templates } : {}),
  };
  const secrets: WechatSecrets = {
    ...old,
    ...(appSecret !== undefined ? { appSecret } : {}),
    ...(token !== undefined ? { token } : {}),
    ...(encodingAesKey !== undefined ? { encodingAesKey } : {}),
  };
  return { config, secrets };
}

/** A PATCH's config parsed as the settings of the channel's own kind (400 naming the field otherwise). */
function parseConfigFor(kind: string, raw: unknown) {
  const schema =
    kind === 'wechat_oa'
      ? s.WechatConfigPatch
      : kind === 'dingtalk_robot'
        ? s.DingtalkConfigPatch
        : kind === 'wecom_kf'
          ? s.WecomKfConfigPatch
          : kind === 'wecom_app'
            ? s.WecomAppConfigPatch
            : isSmsKind(kind)
              ? s.SmsConfigPatch
              : kind === 'webchat'
                ? s.WebchatConfigIn
                : s.EmailConfigIn;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({ path: ['config', ...i.path.map(String)].join('.'), message: i.message }));
    throw new AppError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
  }
  return parsed.data;
}

/** Web chat settings as stored: origins normalised (scheme://host[:port], no path), unset fields left out. */
function cleanWebchat(cfg: z.infer<typeof s.WebchatConfigIn>): WebchatConfig {
  return {
    ...(Object.fromEntries(Object.entries(cfg).filter(([, v]) => v !== undefined)) as Omit<WebchatConfig, 'allowedOrigins'>),
    allowedOrigins: [...new Set(cfg.allowedOrigins.map((o) => new URL(o).origin))],
  };
}

function manage(ctx: Ctx) {
  if (ctx.actor.kind !== 'staff') throw new AppError('forbidden');
  authorize(ctx.actor, 'channels.manage');
}

/** Splits the submitted config into the stored (public) part and the secrets; absent secrets keep the old ones. */
function split(cfg: ConfigIn, old: EmailSecrets): { config: EmailConfig; secrets: EmailSecrets } {
  const { smtp, imap, dkim, ...rest } = cfg;
  const { password: smtpPassword, ...smtpPub } = smtp;
  const config: EmailConfig = { ...rest, address: cfg.address.toLowerCase(), smtp: smtpPub };
  const secrets: EmailSecrets = { ...old, ...(smtpPassword !== undefined ? { smtpPassword } : {}) };
  if (imap) {
    const { password, ...pub } = imap;
    config.imap = pub;
    if (password !== undefined) secrets.imapPassword = password;
  } else delete secrets.imapPassword;
  if (dkim) {
    const { privateKey, ...pub } = dkim;
    config.dkim = pub;
    if (privateKey !== undefined) secrets.dkimPrivateKey = privateKey;
  } else delete secrets.dkimPrivateKey;
  return { config, secrets };
}

/** A channel as the API shows it: the same envelope for every kind; secrets only as `{configured: true}`. */
export function presentChannel(row: ChannelRow, origin?: string) {
  const { config, callbackUrl } = channelView(row, origin);
  const snippet = row.kind === 'webchat' && origin ? webchatSnippet(origin, row.id) : undefined;
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    address: row.address,
    teamId: row.teamId,
    unknownSender: row.unknownSender as 'customer' | 'review',
    enabled: row.enabled,
    config,
    ...(callbackUrl ? { callbackUrl } : {}),
    ...(snippet ? { snippet } : {}),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The kind's own part of a channel: its public config (secrets masked) and, for callback channels, the URL to paste. */
function channelView(row: ChannelRow, origin?: string) {
  const yes = { configured: true as const };
  if (row.kind === 'wechat_oa') {
    const cfg = row.config as WechatConfig;
    const sec = openWechatSecrets(row);
    return {
      config: {
        appId: cfg.appId,
        ...(cfg.apiBase ? { apiBase: cfg.apiBase } : {}),
        ...(cfg.ratePerMinute ? { ratePerMinute: cfg.ratePerMinute } : {}),
        ...(cfg.templates ? { templates: cfg.templates } : {}),
        ...(sec.appSecret ? { appSecret: yes } : {}),
        ...(sec.token ? { token: yes } : {}),
        ...(sec.encodingAesKey ? { encodingAesKey: yes } : {}),
      },
      callbackUrl: origin ? wechatCallbackUrl(origin, row.id) : undefined,
    };
  }
  if (row.kind === 'dingtalk_robot') {
    const cfg = row.config as DingtalkConfig;
    return {
      config: { ...cfg, ...(openDingtalkSecrets(row).appSecret ? { appSecret: yes } : {}) },
      callbackUrl: origin && cfg.mode === 'http' ? dingtalkCallbackUrl(origin, row.id) : undefined,
    };
  }
  if (isWecomKind(row.kind)) return wecomView(row, origin);
  if (row.kind === 'webchat') return { config: row.config as WebchatConfig, callbackUrl: undefined };
  if (isSmsKind(row.kind)) {
    const sec = openSmsSecrets(row);
    return {
      config: { ...(row.config as SmsConfig), ...(sec.keySecret ? { keySecret: yes } : {}) },
      callbackUrl: origin ? smsReceiptUrl(origin, row) : undefined,
    };
  }
  const cfg = row.config as EmailConfig;
  const sec = row.secrets ? openSecrets(row) : {};
  return {
    config: {
      ...cfg,
      smtp: { ...cfg.smtp, ...(sec.smtpPassword ? { password: yes } : {}) },
      ...(cfg.imap ? { imap: { ...cfg.imap, ...(sec.imapPassword ? { password: yes } : {}) } } : {}),
      ...(cfg.dkim ? { dkim: { ...cfg.dkim, ...(sec.dkimPrivateKey ? { privateKey: yes } : {}) } } : {}),
    },
    callbackUrl: undefined,
  };
}

const addressTaken = () =>
  new AppError('conflict', 'Another channel already uses this address', {
    reason: 'channel_address_taken',
    errors: [{ path: 'config.address', message: 'taken' }],
  });

/** A channel without an address of its own (every kind but email): inserted, logged and audited in one transaction. */
async function insertProviderChannel(
  database: Database,
  ctx: Ctx,
  c: { id: string; kind: string; name: string; enabled: boolean; teamId: string | null; config: object; secrets: string | null },
) {
  await database.transaction(async (tx) => {
    await channelsRepo.insertChannel(tx, { ...c, address: null, unknownSender: 'customer' });
    await channelsRepo.log(tx, { id: uuidv7(), channelId: c.id, level: 'info', event: 'channels.log.created', detail: {} });
    await writeAudit(tx, ctx, { action: 'channel.created', targetType: 'channel', targetId: c.id, changes: { name: { before: null, after: c.name } } });
  });
}

export async function createChannel(database: Database, ctx: Ctx, input: z.infer<typeof s.ChannelCreate>, origin = '') {
  manage(ctx);
  const id = uuidv7();
  /** What every non-email channel is created with; each kind adds its config and sealed secrets. */
  const base = { id, kind: input.kind, name: input.name, enabled: input.enabled, teamId: ('teamId' in input ? input.teamId : undefined) ?? null };
  if (input.kind === 'wechat_oa') {
    const { config, secrets } = splitWechat(input.config, {});
    await insertProviderChannel(database, ctx, {
      ...base,
      config,
      secrets: sealWechatSecrets(secrets),
    });
    return { id, kind: input.kind, callbackUrl: wechatCallbackUrl(origin, id) };
  }
  if (input.kind === 'dingtalk_robot') {
    const { config, secrets } = splitDingtalk(input.config, {});
    await insertProviderChannel(database, ctx, {
      ...base,
      config,
      secrets: sealDingtalkSecrets(secrets),
    });
    dingtalkStreamsChanged(); // a stream-mode robot is connected at once
    return { id, kind: input.kind, ...(config.mode === 'http' ? { callbackUrl: dingtalkCallbackUrl(origin, id) } : {}) };
  }
  if (input.kind === 'wecom_kf' || input.kind === 'wecom_app') {
    const { config, secrets } = splitWecom(input.config, {});
    await insertProviderChannel(database, ctx, {
      ...base,
      teamId: input.kind === 'wecom_kf' ? (input.teamId ?? null) : null,
      config,
      secrets: sealWecomSecrets(secrets),
    });
    return { id, kind: input.kind, ...(input.kind === 'wecom_kf' ? { callbackUrl: wecomCallbackUrl(origin, id) } : {}) };
  }
  if (input.kind === 'webchat') {
    const config = cleanWebchat(input.config);
    await insertProviderChannel(database, ctx, {
      ...base,
      config,
      secrets: null,
    });
    return { id, kind: input.kind, snippet: webchatSnippet(origin, id) };
  }
  if (input.kind !== 'email') {
    if (input.kind === 'sms_tencent' && !input.config.sdkAppId) {
      throw new AppError('validation_failed', 'config.sdkAppId: required for sms_tencent', { errors: [{ path: 'config.sdkAppId', message: 'required' }] });
    }
    const { config, secrets } = splitSms(input.config, {});
    const sealed = sealSmsSecrets(secrets);
    await insertProviderChannel(database, ctx, {
      ...base,
      config,
      secrets: sealed,
    });
    return { id, kind: input.kind, callbackUrl: smsReceiptUrl(origin, { id, secrets: sealed }) };
  }
  const { config, secrets } = split(input.config, {});
  const out = await database.transaction(async (tx) => {
    if (await channelsRepo.channelByAddressAny(tx, config.address)) throw addressTaken();
    await channelsRepo.insertChannel(tx, {
      id,
      kind: input.kind,
      name: input.name,
      address: config.address,
      teamId: input.teamId ?? null,
      config,
      secrets: sealSecrets(secrets),
      unknownSender: input.unknownSender,
      enabled: input.enabled,
    });
    await channelsRepo.log(tx, { id: uuidv7(), channelId: id, level: 'info', event: 'channels.log.created', detail: {} });
    await writeAudit(tx, ctx, { action: 'channel.created', targetType: 'channel', targetId: id, changes: { name: { before: null, after: input.name } } });
    return { id, kind: input.kind };
  });
  channelsChanged(); // an IMAP mailbox is watched (IDLE) at once
  forgetAcceptChannels(); // callbacks see the new settings at once
  return out;
}

export async function updateChannel(database: Database, ctx: Ctx, id: string, input: z.infer<typeof s.ChannelUpdate>, origin?: string) {
  manage(ctx);
  const out = await database.transaction(async (tx) => {
    const row = await channelsRepo.channelForUpdate(tx, id);
    if (!row) throw notFound('channel');
    const set: Parameters<typeof channelsRepo.updateChannel>[2] = {};
    if (input.config && row.kind === 'wechat_oa') {
      const { config, secrets } = splitWechat(parseConfigFor(row.kind, input.config) as WechatIn, openWechatSecrets(row));
      set.config = config;
      set.secrets = sealWechatSecrets(secrets);
    } else if (input.config && row.kind === 'dingtalk_robot') {
      const { config, secrets } = splitDingtalk(parseConfigFor(row.kind, input.config) as DingtalkIn, openDingtalkSecrets(row));
      set.config = config;
      set.secrets = sealDingtalkSecrets(secrets);
    } else if (input.config && isWecomKind(row.kind)) {
      const { config, secrets } = splitWecom(parseConfigFor(row.kind, input.config) as Parameters<typeof splitWecom>[0], openWecomSecrets(row));
      set.config = config;
      set.secrets = sealWecomSecrets(secrets);
    } else if (input.config && isSmsKind(row.kind)) {
      const { config, secrets } = splitSms(parseConfigFor(row.kind, input.config) as SmsIn, openSmsSecrets(row));
      set.config = config;
      set.secrets = sealSmsSecrets(secrets);
    } else if (input.config && row.kind === 'webchat') {
      set.config = cleanWebchat(parseConfigFor(row.kind, input.config) as z.infer<typeof s.WebchatConfigIn>);
    } else if (input.config) {
      const { config, secrets } = split(parseConfigFor(row.kind, input.config) as ConfigIn, openSecrets(row));
      if (config.address !== row.address) {
        const other = await channelsRepo.channelByAddressAny(tx, config.address);
        if (other && other.id !== id) throw addressTaken();
      }
      set.config = config;
      set.address = config.address;
      set.secrets = sealSecrets(secrets);
    }
    if (input.name !== undefined) set.name = input.name;
    if (input.teamId !== undefined) set.teamId = input.teamId;
    if (input.unknownSender !== undefined) set.unknownSender = input.unknownSender;
    if (input.enabled !== undefined) set.enabled = input.enabled;
    const after = await channelsRepo.updateChannel(tx, id, set);
    await channelsRepo.log(tx, { id: uuidv7(), channelId: id, level: 'info', event: 'channels.log.updated', detail: {} });
    await writeAudit(tx, ctx, {
      action: 'channel.updated',
      targetType: 'channel',
      targetId: id,
      changes: { fields: { before: null, after: Object.keys(set) } },
    });
    return presentChannel(after!, origin);
  });
  channelsChanged(); // the IDLE watcher follows the new settings (or stops)
  forgetAcceptChannels(); // callbacks see the new settings (or a disabled channel) at once
  dingtalkStreamsChanged(); // so does a DingTalk stream connection
  return out;
}

export async function listChannels(database: Database, ctx: Ctx, origin?: string) {
  manage(ctx);
  return { items: (await channelsRepo.listChannels(database.db)).map((r) => presentChannel(r, origin)) };
}

export async function getChannel(database: Database, ctx: Ctx, id: string, origin?: string) {
  manage(ctx);
  const row = await channelsRepo.channel(database.db, id);
  if (!row) throw notFound('channel');
  return presentChannel(row, origin);
}

/** 测试连接 with the stored settings (save first): really connects to SMTP and IMAP, logs and returns the outcome. */
export async function testChannel(database: Database, ctx: Ctx, id: string) {
  manage(ctx);
  const row = await channelsRepo.channel(database.db, id);
  if (!row) throw notFound('channel');
  if (row.kind === 'wechat_oa') {
    let api: { ok: boolean; error?: string };
    try {
      await fetchAccessToken(row.config as WechatConfig, openWechatSecrets(row));
      api = { ok: true };
    } catch (err) {
      api = { ok: false, error: err instanceof WechatApiError ? err.kind : 'failed' };
    }
    await logChannel(database, id, api.ok ? 'info' : 'warn', 'channels.log.test_wechat', { result: api.ok ? 'OK' : (api.error ?? 'failed') });
    return { api };
  }
  if (row.kind === 'dingtalk_robot') {
    let api: { ok: boolean; error?: string };
    try {
      await testDingtalk(row);
      api = { ok: true };
    } catch (err) {
      api = { ok: false, error: err instanceof DingtalkApiError ? err.kind : 'failed' };
    }
    await logChannel(database, id, api.ok ? 'info' : 'warn', 'channels.log.test_dingtalk', { result: api.ok ? 'OK' : (api.error ?? 'failed') });
    return { api };
  }
  if (isWecomKind(row.kind)) {
    const api = await testWecom(row);
    await logChannel(database, id, api.ok ? 'info' : 'warn', 'channels.log.test_wecom', { result: api.ok ? 'OK' : (api.error ?? 'failed') });
    return { api };
  }
  if (row.kind === 'webchat') {
    // Nothing to connect to: the widget's settings are checked (its duty calendar still exists).
    const calendarId = (row.config as WebchatConfig).calendarId;
    const found = !calendarId || (await loadCalendarRows(database.db, [calendarId])).has(calendarId);
    const api = found ? { ok: true } : { ok: false, error: 'calendar_missing' };
    await logChannel(database, id, api.ok ? 'info' : 'warn', 'channels.log.test_webchat', { result: api.ok ? 'OK' : 'calendar_missing' });
    return { api };
  }
  if (isSmsKind(row.kind)) {
    let api: { ok: boolean; error?: string };
    try {
      await testSms(row);
      api = { ok: true };
    } catch (err) {
      api = { ok: false, error: err instanceof SmsApiError ? err.kind : 'failed' };
    }
    await logChannel(database, id, api.ok ? 'info' : 'warn', 'channels.log.test_sms', { result: api.ok ? 'OK' : (api.error ?? 'failed') });
    return { api };
  }
  const out = await testConnections(row.config as EmailConfig, openSecrets(row));
  const word = (r: { ok: boolean; error?: string } | undefined) => (r ? (r.ok ? 'OK' : (r.error ?? 'failed')) : '—');
  await logChannel(database, id, out.smtp.ok && (out.imap?.ok ?? true) ? 'info' : 'warn', 'channels.log.test', { smtp: word(out.smtp), imap: word(out.imap) });
  return out;
}

export async function channelLog(database: Database, ctx: Ctx, id: string) {
  manage(ctx);
  const rows = await channelsRepo.logOf(database.db, id);
  return {
    items: rows.map((r) => ({
      id: r.id,
      level: r.level as 'info' | 'warn' | 'error',
      event: r.event,
      detail: r.detail as Record<string, unknown>,
      text: t(ctx.locale, r.event, r.detail as Record<string, string>),
      at: r.createdAt.toISOString(),
    })),
  };
}

export async function reviewQueue(database: Database, ctx: Ctx, id: string) {
  manage(ctx);
  const rows = await channelsRepo.reviewQueue(database.db, id);
  return { items: rows.map((r) => ({ id: r.id, sender: maskEmail(r.sender), subject: r.subject, at: r.createdAt.toISOString() })) };
}

/** An e-mail address masked, or another channel's recipient id (a WeChat openid) cut to its ends. */
export const maskRecipient = (v: string) =>
  v.includes('@') ? (maskEmail(v) ?? '') : /^\+?\d{7,15}$/.test(v) ? (maskPhone(v) ?? '') : v.length > 8 ? `${v.slice(0, 4)}***${v.slice(-4)}` : '***';

export function presentOutbox(r: OutboxRow) {
  return {
    id: r.id,
    channelId: r.channelId,
    kind: r.kind,
    recipient: maskRecipient(r.recipient),
    subject: String((r.payload as { subject?: string }).subject ?? ''),
    ticketId: r.ticketId,
    replyId: r.replyId,
    status: r.status as 'queued' | 'sending' | 'sent' | 'failed' | 'dead',
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt.toISOString(),
    lastError: r.lastError,
    sentAt: r.sentAt?.toISOString() ?? null,
    receipt: (r.receipt as 'delivered' | 'failed' | null) ?? null,
    createdAt: r.createdAt.toISOString(),
  };
}

export async function listOutbox(database: Database, ctx: Ctx, q: z.infer<typeof s.OutboxQuery>) {
  manage(ctx);
  return { items: (await channelsRepo.outboxList(database.db, q)).map(presentOutbox) };
}

/** The outgoing mails of a ticket (its email thread's delivery state), for whoever may see the ticket. */
export async function ticketDeliveries(database: Database, ctx: Ctx, ticketId: string) {
  await getTicket(database, ctx, ticketId);
  return { items: (await channelsRepo.outboxList(database.db, { ticketId })).map(presentOutbox) };
}

/** Retry a failed or dead delivery now: channel admins, or staff who may see its ticket. */
export async function retryDelivery(database: Database, ctx: Ctx, id: string) {
  manage(ctx);
  const row = await channelsRepo.outboxRow(database.db, id);
  if (!row) throw notFound('delivery');
  if (row.status !== 'dead' && row.status !== 'failed') {
    throw new AppError('conflict', 'Only failed or dead deliveries can be retried', { reason: 'delivery_not_failed' });
  }
  await requeue(database, id);
  await logChannel(database, row.channelId, 'info', 'channels.log.out_retry', { to: maskEmail(row.recipient) });
  return presentOutbox((await channelsRepo.outboxRow(database.db, id))!);
}
