/**
 * WeCom (企业微信), the protocol parts, for two channel kinds:
 * - `wecom_kf` 微信客服: callback URL check (GET msg_signature/timestamp/nonce/echostr: msg_signature =
 *   sha1(sort(token, timestamp, nonce, echostr)), the answer is echostr decrypted), event callbacks (POST XML with
 *   `Encrypt`, msg_signature over it; inside, `kf_msg_or_event` with a `Token` and `OpenKfId`), then the messages are
 *   pulled with `POST /cgi-bin/kf/sync_msg` (cursor, token, open_kfid, limit; paged by has_more / next_cursor) and
 *   answered with `POST /cgi-bin/kf/send_msg`; photos and voice come by `/cgi-bin/media/get`.
 *   The AES scheme is WeChat's (@wecom/crypto) with the CorpID as the receiver id inside the plaintext.
 * - `wecom_app` 企业微信应用: notifications to employees by `POST /cgi-bin/message/send` (textcard with a link).
 * Both use `GET /cgi-bin/gettoken?corpid&corpsecret` (a token per channel, cached; 40014/42001 → refreshed once).
 * `apiBase` is the host root (default https://qyapi.weixin.qq.com).
 */
import { openSecret, sealSecret } from '../../lib/secretbox';
import type { ChannelRow } from './channels.repo';
import { mediaMultipart } from './channels.media';
import { asJson, call, errText, mediaGet, postJson, tokenCache, WechatApiError } from './channels.token';
import { msgSignature, openEncrypted, sameSignature, xmlFields } from './channels.wechat';

export const DEFAULT_WECOM_API = 'https://qyapi.weixin.qq.com';
/** The identity kind of a WeChat user reaching 微信客服, in customer_identities. */
export const EXTERNAL_USERID = 'wecom_external_userid';
/** 微信客服 reply rules: after a customer's message, at most 5 messages within 48 hours. */
export const KF_WINDOW_MS = 48 * 3600_000;
export const KF_WINDOW_MESSAGES = 5;

export interface WecomConfig {
  corpId: string;
  /** wecom_kf: the customer-service account (open_kfid). */
  openKfId?: string | undefined;
  /** wecom_app: the application's AgentId. */
  agentId?: number | undefined;
  apiBase?: string | undefined;
  ratePerMinute?: number | undefined;
}
export interface WecomSecrets {
  secret?: string | undefined;
  token?: string | undefined;
  encodingAesKey?: string | undefined;
}

export const sealWecomSecrets = (s: WecomSecrets): string | null => {
  const clean = Object.fromEntries(Object.entries(s).filter(([, v]) => typeof v === 'string' && v !== ''));
  return Object.keys(clean).length ? sealSecret(JSON.stringify(clean), 'channel_credential') : null;
};
export const openWecomSecrets = (row: Pick<ChannelRow, 'secrets'>): WecomSecrets =>
  row.secrets ? (JSON.parse(openSecret(row.secrets, 'channel_credential')) as WecomSecrets) : {};

const apiRoot = (cfg: WecomConfig) => (cfg.apiBase || DEFAULT_WECOM_API).replace(/\/+$/, '');

// ───────────────────────────── callbacks ─────────────────────────────

export interface WecomCallbackQuery {
  msg_signature?: string | undefined;
  timestamp?: string | undefined;
  nonce?: string | undefined;
  echostr?: string | undefined;
}

/** GET URL check: the decrypted echostr when msg_signature is right and the CorpID inside is ours; null otherwise. */
export function verifyWecomUrl(channel: ChannelRow, q: WecomCallbackQuery): string | null {
  const sec = openWecomSecrets(channel);
  const cfg = channel.config as WecomConfig;
  if (!sec.token || !sec.encodingAesKey || !q.timestamp || !q.nonce || !q.echostr) return null;
  if (!sameSignature(q.msg_signature, msgSignature(sec.token, q.timestamp, q.nonce, q.echostr))) return null;
  return openEncrypted(sec.encodingAesKey, cfg.corpId, q.echostr);
}

export interface KfEvent {
  event: string;
  token: string | null;
  openKfId: string | null;
}

/** POST event: the verified, decrypted `kf_msg_or_event` (or another event), or null (forged, undecryptable, not ours). */
export function openWecomCallback(channel: ChannelRow, q: WecomCallbackQuery, body: string): KfEvent | null {
  const sec = openWecomSecrets(channel);
  const cfg = channel.config as WecomConfig;
  if (!sec.token || !sec.encodingAesKey || !q.timestamp || !q.nonce) return null;
  const encrypted = xmlFields(body)?.('Encrypt');
  if (!encrypted) return null;
  if (!sameSignature(q.msg_signature, msgSignature(sec.token, q.timestamp, q.nonce, encrypted))) return null;
  const xml = openEncrypted(sec.encodingAesKey, cfg.corpId, encrypted);
  const f = xml ? xmlFields(xml) : null;
  if (!f) return null;
  return { event: (f('Event') ?? f('MsgType') ?? '').toLowerCase(), token: f('Token'), openKfId: f('OpenKfId') };
}

// ───────────────────────────── the API ─────────────────────────────

const TOKEN_FETCH_KINDS: Record<number, string> = {
  40013: 'invalid_corpid',
  40001: 'invalid_secret',
  40091: 'invalid_secret',
  60020: 'ip_not_allowed',
};

/** Fetches a new access token (never cached: 测试连接 and a refresh use it). */
export async function fetchWecomToken(cfg: WecomConfig, secrets: WecomSecrets): Promise<{ token: string; expiresIn: number }> {
  const q = new URLSearchParams({ corpid: cfg.corpId, corpsecret: secrets.secret ?? '' });
  const res = await call(`${apiRoot(cfg)}/cgi-bin/gettoken?${q.toString()}`);
  const j = asJson(res.body);
  if (res.status !== 200 || !j) throw new WechatApiError('bad_response', null, `HTTP ${res.status}`);
  const code = Number(j.errcode ?? 0);
  if (code === 0 && typeof j.access_token === 'string' && j.access_token) {
    return { token: j.access_token, expiresIn: Number(j.expires_in ?? 7200) || 7200 };
  }
  throw new WechatApiError(TOKEN_FETCH_KINDS[code] ?? 'token_failed', code, `errcode ${code}: ${errText(j.errmsg).slice(0, 200)}`);
}

const wecomTokens = tokenCache((channel) => fetchWecomToken(channel.config as WecomConfig, openWecomSecrets(channel)));
export const wecomToken = (channel: ChannelRow, refresh = false) => wecomTokens.get(channel, refresh);
export function forgetWecomTokens() {
  wecomTokens.clear();
}

/** 微信客服 send errors: 95018 session state does not allow it (outside the 48 h / 5-message window), 95001 over the limit. */
const kfKind = (code: number) => (code === 95018 || code === 95001 || code === 45015 ? 'reply_window_closed' : 'api_error');

async function api<T>(channel: ChannelRow, path: string, body: unknown, pick: (j: Record<string, unknown>) => T): Promise<T> {
  const root = apiRoot(channel.config as WecomConfig);
  return wecomTokens.withToken<T>(
    channel,
    async (token) => {
      const j = await postJson(`${root}${path}?access_token=${encodeURIComponent(token)}`, body);
      const errcode = Number(j.errcode ?? 0);
      return errcode === 0 ? { errcode: 0, value: pick(j) } : { errcode, errmsg: errText(j.errmsg) };
    },
    kfKind,
  );
}

export interface KfMessage {
  msgid: string;
  externalUserId: string;
  sendTime: number;
  /** 3 the customer, 4 a system event, 5 a servicer. */
  origin: number;
  msgtype: string;
  content: string | null;
  mediaId: string | null;
}

const asStr = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

function toKfMessage(raw: unknown): KfMessage | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  const msgid = asStr(r.msgid);
  const msgtype = asStr(r.msgtype) ?? '';
  if (!msgid) return null;
  const part = (r[msgtype] ?? {}) as Record<string, unknown>;
  return {
    msgid,
    externalUserId: asStr(r.external_userid) ?? '',
    sendTime: Number(r.send_time ?? 0) || 0,
    origin: Number(r.origin ?? 0) || 0,
    msgtype,
    content: asStr(part.content),
    mediaId: asStr(part.media_id),
  };
}

/** One page of `kf/sync_msg`. */
export async function syncMessages(
  channel: ChannelRow,
  p: { cursor: string | null; token: string | null; limit?: number },
): Promise<{ messages: KfMessage[]; nextCursor: string | null; hasMore: boolean }> {
  const cfg = channel.config as WecomConfig;
  const body = {
    ...(p.cursor ? { cursor: p.cursor } : {}),
    ...(p.token ? { token: p.token } : {}),
    limit: p.limit ?? 1000,
    voice_format: 0,
    open_kfid: cfg.openKfId ?? '',
  };
  return api(channel, '/cgi-bin/kf/sync_msg', body, (j) => ({
    messages: (Array.isArray(j.msg_list) ? j.msg_list : []).map(toKfMessage).filter((m): m is KfMessage => m !== null),
    nextCursor: asStr(j.next_cursor),
    hasMore: Number(j.has_more ?? 0) === 1 || j.has_more === true,
  }));
}

/** `kf/send_msg`: a text (or an image by media_id) to a WeChat user of this customer-service account. */
export async function sendKfMessage(
  channel: ChannelRow,
  externalUserId: string,
  msg: { msgtype: 'text'; text: { content: string } } | { msgtype: 'image'; image: { media_id: string } },
): Promise<string | null> {
  const cfg = channel.config as WecomConfig;
  return api(channel, '/cgi-bin/kf/send_msg', { touser: externalUserId, open_kfid: cfg.openKfId ?? '', ...msg }, (j) => asStr(j.msgid));
}

/** `media/upload` (type image, multipart field `media`): a temporary media_id (3 days) for an outgoing image. */
export async function uploadWecomMedia(channel: ChannelRow, data: Buffer, filename: string, mime: string): Promise<string> {
  const root = apiRoot(channel.config as WecomConfig);
  const { body, contentType } = mediaMultipart(data, filename, mime);
  return wecomTokens.withToken<string>(channel, async (token) => {
    const res = await call(`${root}/cgi-bin/media/upload?access_token=${encodeURIComponent(token)}&type=image`, { method: 'POST', body, contentType });
    const j = asJson(res.body);
    if (res.status !== 200 || !j) throw new WechatApiError('bad_response', null, `HTTP ${res.status}`);
    const errcode = Number(j.errcode ?? 0);
    return errcode === 0 && typeof j.media_id === 'string' ? { errcode: 0, value: j.media_id } : { errcode: errcode || -1, errmsg: errText(j.errmsg) };
  });
}

/** Downloads a temporary media file (the photo or voice of a 微信客服 message). */
export function downloadWecomMedia(channel: ChannelRow, mediaId: string, maxBytes: number): Promise<Buffer> {
  const root = apiRoot(channel.config as WecomConfig);
  return wecomTokens.withToken<Buffer>(channel, (token) => mediaGet(root, token, mediaId, maxBytes));
}

/** 企业微信应用消息: a text card to employees (userids) from the application of a `wecom_app` channel. */
export async function sendAppCard(channel: ChannelRow, userIds: string[], card: { title: string; description: string; url: string }): Promise<void> {
  const cfg = channel.config as WecomConfig;
  await api(
    channel,
    '/cgi-bin/message/send',
    {
      touser: userIds.join('|'),
      msgtype: 'textcard',
      agentid: cfg.agentId ?? 0,
      textcard: { title: card.title.slice(0, 128), description: card.description.slice(0, 512), url: card.url, btntxt: '详情' },
    },
    (j) => {
      const invalid = asStr(j.invaliduser);
      if (invalid) throw new WechatApiError('invalid_user', 0, `invaliduser ${invalid.slice(0, 100)}`);
    },
  );
}
