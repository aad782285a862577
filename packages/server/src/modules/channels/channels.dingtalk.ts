/**
 * DingTalk (钉钉) enterprise-internal robot, the protocol parts (open.dingtalk.com, 机器人接收消息 / 发送消息):
 * - outgoing callbacks: HTTP POST with headers `timestamp` (ms) and `sign` = Base64(HmacSHA256(key = appSecret,
 *   timestamp + "\n" + appSecret)); refused when the timestamp is more than one hour off;
 * - the new-style access token `POST /v1.0/oauth2/accessToken {appKey, appSecret}` → `{accessToken, expireIn}`, sent as
 *   `x-acs-dingtalk-access-token` (cached per channel, fetched once for many messages, refreshed once when the platform
 *   calls it invalid and the call retried once);
 * - replies: the conversation's `sessionWebhook` while it is valid, else `/v1.0/robot/oToMessages/batchSend`
 *   (one-to-one) or `/v1.0/robot/groupMessages/send` (group), `msgKey: sampleText`;
 * - pictures: `/v1.0/robot/messageFiles/download {downloadCode, robotCode}` → `{downloadUrl}`, then the file;
 * - photos out: `{oapi}/media/upload?type=image` (old-style token) → media_id, sent by the robot API as `sampleImageMsg`
 *   with `photoURL` = the media_id (the session webhook takes only a public picture URL, so images never go that way);
 * - the old-style token `GET /gettoken?appkey&appsecret` for 工作通知 (`/topapi/message/corpconversation/asyncsend_v2`).
 * All through the project's outbound client. `apiBase` (tests, a proxy) replaces both api.dingtalk.com and oapi.dingtalk.com.
 */
import { createHmac } from 'node:crypto';
import { OutboundError, OutboundRefusedError, outbound } from '../../lib/outbound';
import { openSecret, sealSecret } from '../../lib/secretbox';
import { safeEqual } from '../identity/secrets';
import type { ChannelRow } from './channels.repo';
import { mediaMultipart } from './channels.media';

export const DINGTALK_API = 'https://api.dingtalk.com';
export const DINGTALK_OAPI = 'https://oapi.dingtalk.com';
/** The identity kinds of a DingTalk sender in customer_identities. */
export const DT_STAFF = 'dingtalk_staff_id';
export const DT_USER = 'dingtalk_userid';
/** A callback whose timestamp is further than this from our clock is refused (the documented one hour). */
export const MAX_SKEW_MS = 3600_000;

export interface DingtalkConfig {
  appKey: string;
  robotCode: string;
  mode: 'http' | 'stream';
  /** The app's AgentId: set when this app also sends 工作通知 (work notifications) to staff. */
  agentId?: string | undefined;
  apiBase?: string | undefined;
  ratePerMinute?: number | undefined;
}
export interface DingtalkSecrets {
  appSecret?: string | undefined;
}

export const sealDingtalkSecrets = (s: DingtalkSecrets): string | null =>
  s.appSecret ? sealSecret(JSON.stringify({ appSecret: s.appSecret }), 'channel_credential') : null;
export const openDingtalkSecrets = (row: Pick<ChannelRow, 'secrets'>): DingtalkSecrets =>
  row.secrets ? (JSON.parse(openSecret(row.secrets, 'channel_credential')) as DingtalkSecrets) : {};

const root = (cfg: DingtalkConfig, which: 'api' | 'oapi') => (cfg.apiBase || (which === 'api' ? DINGTALK_API : DINGTALK_OAPI)).replace(/\/+$/, '');

// ───────────────────────────── the callback signature ─────────────────────────────

/** sign = Base64(HmacSHA256(appSecret, timestamp + "\n" + appSecret)). */
export const dingtalkSign = (timestamp: string, appSecret: string) =>
  createHmac('sha256', appSecret).update(`${timestamp}\n${appSecret}`, 'utf8').digest('base64');

/** True when the headers carry a valid signature with a timestamp within one hour of `now`. */
export function verifyDingtalkSign(appSecret: string | undefined, timestamp: unknown, sign: unknown, now = Date.now()): boolean {
  if (!appSecret || typeof timestamp !== 'string' || typeof sign !== 'string' || !/^\d{10,16}$/.test(timestamp)) return false;
  if (Math.abs(now - Number(timestamp)) > MAX_SKEW_MS) return false;
  const expected = dingtalkSign(timestamp, appSecret);
  return sign.length === expected.length && safeEqual(sign, expected);
}

// ───────────────────────────── the robot message ─────────────────────────────

export interface DingtalkMessage {
  msgId: string;
  msgtype: string;
  conversationId: string;
  /** 1: one-to-one, 2: group. */
  conversationType: string;
  senderId: string;
  senderStaffId: string | null;
  senderNick: string | null;
  senderCorpId: string | null;
  robotCode: string | null;
  sessionWebhook: string | null;
  sessionWebhookExpiredTime: number | null;
  text: string;
  /** Download codes of the pictures in the message (picture, richText). */
  pictures: string[];
}

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

/** A robot message (HTTP callback body or the data of a stream CALLBACK frame); null when it is not one. */
export function parseDingtalkMessage(body: unknown): DingtalkMessage | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  const msgId = str(b.msgId);
  const conversationId = str(b.conversationId);
  const senderId = str(b.senderId) ?? str(b.senderStaffId);
  if (!msgId || !conversationId || !senderId) return null;
  const msgtype = (str(b.msgtype) ?? '').toLowerCase();
  const content = (b.content && typeof b.content === 'object' ? b.content : {}) as Record<string, unknown>;
  let text = '';
  const pictures: string[] = [];
  if (msgtype === 'text') text = str((b.text as Record<string, unknown> | undefined)?.content) ?? '';
  else if (msgtype === 'picture') {
    const code = str(content.downloadCode) ?? str(content.pictureDownloadCode);
    if (code) pictures.push(code);
  } else if (msgtype === 'richtext') {
    const parts = Array.isArray(content.richText) ? (content.richText as Record<string, unknown>[]) : [];
    const words: string[] = [];
    for (const p of parts) {
      if (typeof p?.text === 'string') words.push(p.text);
      const code = str(p?.downloadCode) ?? str(p?.pictureDownloadCode);
      if (code) pictures.push(code);
    }
    text = words.join('');
  }
  const expires = Number(b.sessionWebhookExpiredTime);
  return {
    msgId,
    msgtype: msgtype === 'richtext' ? 'richText' : msgtype,
    conversationId,
    conversationType: str(b.conversationType) ?? '1',
    senderId,
    senderStaffId: str(b.senderStaffId),
    senderNick: str(b.senderNick),
    senderCorpId: str(b.senderCorpId),
    robotCode: str(b.robotCode),
    sessionWebhook: str(b.sessionWebhook),
    sessionWebhookExpiredTime: Number.isFinite(expires) && expires > 0 ? expires : null,
    text: text.slice(0, 20_000),
    pictures: pictures.slice(0, 9),
  };
}

// ───────────────────────────── the platform API ─────────────────────────────

export class DingtalkApiError extends Error {
  constructor(
    readonly kind: string,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'DingtalkApiError';
  }
}

function asJson(body: Buffer): Record<string, unknown> | null {
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

async function call(
  url: string,
  init: { method?: 'GET' | 'POST'; body?: unknown; raw?: { body: Buffer; contentType: string }; token?: string; maxResponseBytes?: number } = {},
) {
  try {
    return await outbound(url, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.raw ? { 'content-type': init.raw.contentType } : init.body !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}),
        ...(init.token ? { 'x-acs-dingtalk-access-token': init.token } : {}),
      },
      ...(init.raw ? { body: init.raw.body } : init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      timeoutMs: 15_000,
      ...(init.maxResponseBytes ? { maxResponseBytes: init.maxResponseBytes } : {}),
    });
  } catch (err) {
    if (err instanceof OutboundRefusedError) throw new DingtalkApiError('refused_address', null, 'address refused by the outbound policy');
    if (err instanceof OutboundError) throw new DingtalkApiError(err.kind === 'timeout' ? 'timeout' : 'connection_failed', null, err.message);
    throw new DingtalkApiError('connection_failed', null, String((err as Error).message ?? err));
  }
}

const clip = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : '');

/** A new-style access token (never cached: the test connection and a refresh use it). */
export async function fetchDingtalkToken(cfg: DingtalkConfig, secrets: DingtalkSecrets): Promise<{ token: string; expiresIn: number }> {
  const res = await call(`${root(cfg, 'api')}/v1.0/oauth2/accessToken`, { method: 'POST', body: { appKey: cfg.appKey, appSecret: secrets.appSecret ?? '' } });
  const j = asJson(res.body);
  if (res.status === 200 && j && typeof j.accessToken === 'string' && j.accessToken) {
    return { token: j.accessToken, expiresIn: Number(j.expireIn ?? 7200) || 7200 };
  }
  const code = j ? str(j.code) : null;
  const kind = res.status === 400 || res.status === 401 || res.status === 403 ? 'invalid_credentials' : j ? 'token_failed' : 'bad_response';
  throw new DingtalkApiError(kind, code, `HTTP ${res.status}${code ? ` ${code}` : ''}: ${clip(j?.message)}`);
}

/** The old-style token for the /topapi APIs (errcode 0 → access_token). */
export async function fetchOapiToken(cfg: DingtalkConfig, secrets: DingtalkSecrets): Promise<{ token: string; expiresIn: number }> {
  const q = new URLSearchParams({ appkey: cfg.appKey, appsecret: secrets.appSecret ?? '' });
  const res = await call(`${root(cfg, 'oapi')}/gettoken?${q.toString()}`);
  const j = asJson(res.body);
  if (res.status !== 200 || !j) throw new DingtalkApiError('bad_response', null, `HTTP ${res.status}`);
  if (Number(j.errcode ?? -1) === 0 && typeof j.access_token === 'string') return { token: j.access_token, expiresIn: Number(j.expires_in ?? 7200) || 7200 };
  const code = str(j.errcode) ?? '';
  throw new DingtalkApiError('invalid_credentials', code, `errcode ${code}: ${clip(j.errmsg)}`);
}

interface CachedToken {
  token: string;
  expiresAt: number;
  version: string;
}
const tokens = new Map<string, CachedToken>();
const inflight = new Map<string, Promise<string>>();
/** How many tokens were fetched from the platform (tests, the bench). */
export const tokenStats = { fetched: 0 };

export function forgetDingtalkTokens() {
  tokens.clear();
  inflight.clear();
}

/**
 * A cached token (`style` api: the new one; oapi: the /topapi one), keyed by the app: cached until 5 minutes before it
 * expires; concurrent callers share one request; `refresh` drops the cached one unless another caller already did.
 */
export async function dingtalkToken(
  cfg: DingtalkConfig,
  secrets: DingtalkSecrets,
  style: 'api' | 'oapi',
  opts: { refresh?: string | undefined; version?: string } = {},
): Promise<string> {
  const key = `${style}:${root(cfg, style)}:${cfg.appKey}`;
  const version = opts.version ?? '';
  const cached = tokens.get(key);
  if (cached && cached.version === version && cached.expiresAt > Date.now() && cached.token !== opts.refresh) return cached.token;
  const pending = inflight.get(key);
  if (pending) return pending;
  const p = (async () => {
    const got = style === 'api' ? await fetchDingtalkToken(cfg, secrets) : await fetchOapiToken(cfg, secrets);
    tokenStats.fetched++;
    tokens.set(key, { token: got.token, version, expiresAt: Date.now() + Math.max(60, got.expiresIn - 300) * 1000 });
    return got.token;
  })().finally(() => inflight.delete(key));
  inflight.set(key, p);
  return p;
}

const channelToken = (channel: ChannelRow, style: 'api' | 'oapi', refresh?: string) =>
  dingtalkToken(channel.config as DingtalkConfig, openDingtalkSecrets(channel), style, { refresh, version: channel.secrets ?? '' });

/** The new API's answer to a bad token: HTTP 401, or a code naming the token. */
const tokenRejected = (status: number, j: Record<string, unknown> | null) => status === 401 || /InvalidAuthentication|AccessToken/i.test(str(j?.code) ?? '');

/** A new-style API call with the cached token; a token the platform refuses is refreshed once and the call retried once. */
async function withToken(channel: ChannelRow, path: string, body: unknown, maxResponseBytes?: number): Promise<Record<string, unknown>> {
  const cfg = channel.config as DingtalkConfig;
  let token = await channelToken(channel, 'api');
  for (let attempt = 0; ; attempt++) {
    const res = await call(`${root(cfg, 'api')}${path}`, { method: 'POST', body, token, ...(maxResponseBytes ? { maxResponseBytes } : {}) });
    const j = asJson(res.body);
    if (res.status === 200 && j) return j;
    if (tokenRejected(res.status, j) && attempt === 0) {
      token = await channelToken(channel, 'api', token);
      continue;
    }
    const code = str(j?.code);
    const kind = tokenRejected(res.status, j) ? 'token_rejected' : res.status === 429 || /Throttling/i.test(code ?? '') ? 'rate_limited' : 'api_error';
    throw new DingtalkApiError(kind, code, `HTTP ${res.status}${code ? ` ${code}` : ''}: ${clip(j?.message)}`);
  }
}

const sampleText = (content: string) => ({ msgKey: 'sampleText', msgParam: JSON.stringify({ content: content.slice(0, 5000) }) });

/** An image message of the robot API: `sampleImageMsg` whose photoURL is the media_id of an uploaded file. */
const sampleImage = (mediaId: string) => ({ msgKey: 'sampleImageMsg', msgParam: JSON.stringify({ photoURL: mediaId }) });
type RobotMsg = { msgKey: string; msgParam: string };
const asMsg = (content: string | RobotMsg) => (typeof content === 'string' ? sampleText(content) : content);
export const robotImage = (mediaId: string): RobotMsg => sampleImage(mediaId);

/** A one-to-one robot message (text, or an image by robotImage) to a staff id of the robot's organisation. */
export async function robotBatchSend(channel: ChannelRow, staffId: string, content: string | RobotMsg): Promise<string | null> {
  const cfg = channel.config as DingtalkConfig;
  const j = await withToken(channel, '/v1.0/robot/oToMessages/batchSend', { robotCode: cfg.robotCode, userIds: [staffId], ...asMsg(content) });
  const invalid = Array.isArray(j.invalidStaffIdList) ? j.invalidStaffIdList : [];
  if (invalid.length) throw new DingtalkApiError('invalid_user', null, 'the staff id is not reachable by this robot');
  return str(j.processQueryKey);
}

/** A robot message into a group conversation (openConversationId). */
export async function robotGroupSend(channel: ChannelRow, conversationId: string, content: string | RobotMsg): Promise<string | null> {
  const cfg = channel.config as DingtalkConfig;
  const j = await withToken(channel, '/v1.0/robot/groupMessages/send', {
    robotCode: cfg.robotCode,
    openConversationId: conversationId,
    ...asMsg(content),
  });
  return str(j.processQueryKey);
}

/**
 * A reply through the conversation's session webhook (no token). Only to the platform's own host: the URL came in a
 * signed callback, but a webhook elsewhere is refused rather than followed.
 */
export async function sessionReply(channel: ChannelRow, webhook: string, content: string): Promise<void> {
  const cfg = channel.config as DingtalkConfig;
  const expected = new URL(root(cfg, 'oapi'));
  let url: URL;
  try {
    url = new URL(webhook);
  } catch {
    throw new DingtalkApiError('bad_session', null, 'not a URL');
  }
  if (url.origin !== expected.origin) throw new DingtalkApiError('bad_session', null, `session webhook not on ${expected.host}`);
  const res = await call(url.toString(), { method: 'POST', body: { msgtype: 'text', text: { content: content.slice(0, 5000) } } });
  const j = asJson(res.body);
  if (res.status !== 200 || !j) throw new DingtalkApiError('bad_response', null, `HTTP ${res.status}`);
  const errcode = Number(j.errcode ?? 0);
  if (errcode !== 0) throw new DingtalkApiError('session_expired', String(errcode), `errcode ${errcode}: ${clip(j.errmsg)}`);
}

/** A picture of a message: its download URL from the robot API, then the file (at most maxBytes). */
export async function downloadPicture(channel: ChannelRow, downloadCode: string, maxBytes: number): Promise<Buffer> {
  const cfg = channel.config as DingtalkConfig;
  const j = await withToken(channel, '/v1.0/robot/messageFiles/download', { downloadCode, robotCode: cfg.robotCode });
  const url = str(j.downloadUrl);
  if (!url) throw new DingtalkApiError('bad_response', null, 'no downloadUrl');
  const res = await call(url, { maxResponseBytes: maxBytes + 1024 });
  if (res.status !== 200) throw new DingtalkApiError('bad_response', null, `HTTP ${res.status}`);
  return res.body;
}

/** Token expired or invalid on the /topapi APIs (errcode 88, 40014, 42001): refreshed once. */
const OAPI_TOKEN_ERRORS = new Set([88, 40014, 42001]);

/**
 * 上传媒体文件: `POST {oapi}/media/upload?access_token&type=image` (multipart field `media`, the app's old-style token)
 * → `{errcode: 0, media_id}`. The media_id is what `sampleImageMsg.photoURL` takes: no public URL of the file is needed.
 */
export async function uploadDingtalkMedia(channel: ChannelRow, data: Buffer, filename: string, mime: string): Promise<string> {
  const cfg = channel.config as DingtalkConfig;
  const raw = mediaMultipart(data, filename, mime);
  let token = await channelToken(channel, 'oapi');
  for (let attempt = 0; ; attempt++) {
    const res = await call(`${root(cfg, 'oapi')}/media/upload?access_token=${encodeURIComponent(token)}&type=image`, { method: 'POST', raw });
    const j = asJson(res.body);
    if (res.status !== 200 || !j) throw new DingtalkApiError('bad_response', null, `HTTP ${res.status}`);
    const errcode = Number(j.errcode ?? 0);
    if (errcode === 0 && typeof j.media_id === 'string' && j.media_id) return j.media_id;
    if (OAPI_TOKEN_ERRORS.has(errcode) && attempt === 0) {
      token = await channelToken(channel, 'oapi', token);
      continue;
    }
    throw new DingtalkApiError(OAPI_TOKEN_ERRORS.has(errcode) ? 'token_rejected' : 'api_error', String(errcode), `errcode ${errcode}: ${clip(j.errmsg)}`);
  }
}

export type WorkNoticeMsg =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'action_card'; action_card: { title: string; markdown: string; single_title: string; single_url: string } };

/** 工作通知: an app message to staff (userids) via asyncsend_v2; returns the platform's task id. */
export async function sendWorkNotice(
  cfg: DingtalkConfig,
  secrets: DingtalkSecrets,
  userids: string[],
  msg: WorkNoticeMsg,
  version = '',
): Promise<string | null> {
  if (!cfg.agentId) throw new DingtalkApiError('no_agent', null, 'the DingTalk app has no AgentId');
  let token = await dingtalkToken(cfg, secrets, 'oapi', { version });
  for (let attempt = 0; ; attempt++) {
    const res = await call(`${root(cfg, 'oapi')}/topapi/message/corpconversation/asyncsend_v2?access_token=${encodeURIComponent(token)}`, {
      method: 'POST',
      body: { agent_id: Number(cfg.agentId), userid_list: userids.join(','), msg },
    });
    const j = asJson(res.body);
    if (res.status !== 200 || !j) throw new DingtalkApiError('bad_response', null, `HTTP ${res.status}`);
    const errcode = Number(j.errcode ?? 0);
    if (errcode === 0) return str(j.task_id);
    if (OAPI_TOKEN_ERRORS.has(errcode) && attempt === 0) {
      token = await dingtalkToken(cfg, secrets, 'oapi', { refresh: token, version });
      continue;
    }
    throw new DingtalkApiError(OAPI_TOKEN_ERRORS.has(errcode) ? 'token_rejected' : 'api_error', String(errcode), `errcode ${errcode}: ${clip(j.errmsg)}`);
  }
}

/** The test connection: a fresh access token. */
export const testDingtalk = (channel: ChannelRow) => fetchDingtalkToken(channel.config as DingtalkConfig, openDingtalkSecrets(channel));
