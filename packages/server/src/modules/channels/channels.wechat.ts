/**
 * WeChat Official Account (公众号), the protocol parts: callback signatures (plain: sha1(sort(token, timestamp, nonce));
 * safe mode: msg_signature = sha1(sort(token, timestamp, nonce, Encrypt))), AES message encryption (@wecom/crypto:
 * AES-256-CBC, key = base64(EncodingAESKey + "="), IV = the key's first 16 bytes, PKCS#7 to 32 bytes; plaintext =
 * 16 random bytes + 4-byte length + XML + AppID), the XML messages (fast-xml-parser), and the platform API through the
 * project's outbound client (address policy; `apiBase` is the host root, `/cgi-bin/...` appended): the access token
 * (cached per channel, fetched once for many messages; 40001/42001/40014 → refreshed once and the call retried once),
 * customer-service messages (`/cgi-bin/message/custom/send`), media download (`/cgi-bin/media/get`) and temporary
 * media upload (`/cgi-bin/media/upload?type=image`, multipart field `media`) for outgoing photos.
 */
import { createHash } from 'node:crypto';
import { decrypt, getSignature } from '@wecom/crypto';
import { XMLParser } from 'fast-xml-parser';
import { openSecret, sealSecret } from '../../lib/secretbox';
import { safeEqual } from '../identity/secrets';
import type { ChannelRow } from './channels.repo';
import { mediaMultipart } from './channels.media';
import { asJson, call, errText, mediaGet, tokenCache, WechatApiError } from './channels.token';

export const DEFAULT_WECHAT_API = 'https://api.weixin.qq.com';
/** The customer-service message window: 48 hours after the user's last message. */
export const REPLY_WINDOW_MS = 48 * 3600_000;
/** The identity kind of a WeChat user in customer_identities. */
export const OPENID = 'wechat_openid';

/** What a notification may be sent as outside the 48-hour window: one configured template per message kind. */
export const WECHAT_TEMPLATE_KINDS = ['survey_invite', 'visit_reminder', 'ticket_update'] as const;
export type WechatTemplateKind = (typeof WECHAT_TEMPLATE_KINDS)[number];
/** The values a template field may use as `{name}` placeholders. */
export const TEMPLATE_PLACEHOLDERS = ['number', 'subject', 'name', 'time', 'url', 'status', 'text'] as const;

export interface WechatTemplate {
  /** `template`: 模板消息 (/cgi-bin/message/template/send); `subscribe`: 订阅通知 (/cgi-bin/message/subscribe/bizsend). */
  mode: 'template' | 'subscribe';
  templateId: string;
  /** Template field name (first, keyword1, remark / thing1, time2, character_string3 …) → text with `{placeholders}`. */
  fields: Record<string, string>;
}

export interface WechatConfig {
  appId: string;
  apiBase?: string | undefined;
  ratePerMinute?: number | undefined;
  templates?: Partial<Record<WechatTemplateKind, WechatTemplate>> | undefined;
}
export interface WechatSecrets {
  appSecret?: string | undefined;
  token?: string | undefined;
  encodingAesKey?: string | undefined;
}

export const sealWechatSecrets = (s: WechatSecrets): string | null => {
  const clean = Object.fromEntries(Object.entries(s).filter(([, v]) => typeof v === 'string' && v !== ''));
  return Object.keys(clean).length ? sealSecret(JSON.stringify(clean), 'channel_credential') : null;
};
export const openWechatSecrets = (row: Pick<ChannelRow, 'secrets'>): WechatSecrets =>
  row.secrets ? (JSON.parse(openSecret(row.secrets, 'channel_credential')) as WechatSecrets) : {};

// ───────────────────────────── signatures and encryption ─────────────────────────────

/** Server configuration check and plain-mode messages: sha1 of the sorted, concatenated token, timestamp, nonce. */
export const plainSignature = (token: string, timestamp: string, nonce: string) =>
  createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex');

/** Safe mode: sha1 of the sorted token, timestamp, nonce and the encrypted text. */
export const msgSignature = (token: string, timestamp: string, nonce: string, encrypted: string) => getSignature(token, timestamp, nonce, encrypted);

export const sameSignature = (given: unknown, expected: string) => typeof given === 'string' && given.length === expected.length && safeEqual(given, expected);

/** Decrypts a safe-mode text; null when the key is wrong, the text is damaged or the AppID in it is not ours. */
export function openEncrypted(encodingAesKey: string, appId: string, encrypted: string): string | null {
  try {
    const out = decrypt(encodingAesKey, encrypted);
    return out.id === appId ? out.message : null;
  } catch {
    return null;
  }
}

// ───────────────────────────── XML messages ─────────────────────────────

export interface WechatMessage {
  toUser: string;
  fromUser: string;
  createTime: number;
  msgType: string;
  msgId: string | null;
  content: string | null;
  picUrl: string | null;
  mediaId: string | null;
  format: string | null;
  recognition: string | null;
  event: string | null;
  encrypt: string | null;
}

const parser = new XMLParser({ parseTagValue: false, trimValues: true, ignoreAttributes: true, processEntities: true, htmlEntities: false });

/** The top-level fields of a WeChat-family `<xml>` document as a reader; null when it is not one (a DOCTYPE is refused: no entity expansion). */
export function xmlFields(xml: string): ((k: string) => string | null) | null {
  if (/<!(DOCTYPE|ENTITY)/i.test(xml)) return null;
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch {
    return null;
  }
  const x = (doc as { xml?: unknown }).xml;
  if (!x || typeof x !== 'object') return null;
  const r = x as Record<string, unknown>;
  return (k: string) => (typeof r[k] === 'string' || typeof r[k] === 'number' ? String(r[k]) : null);
}

/** Parses a callback body; null when it is not a WeChat `<xml>` message. */
export function parseWechatXml(xml: string): WechatMessage | null {
  const str = xmlFields(xml);
  if (!str) return null;
  return {
    toUser: str('ToUserName') ?? '',
    fromUser: str('FromUserName') ?? '',
    createTime: Number(str('CreateTime') ?? 0) || 0,
    msgType: (str('MsgType') ?? '').toLowerCase(),
    msgId: str('MsgId'),
    content: str('Content'),
    picUrl: str('PicUrl'),
    mediaId: str('MediaId'),
    format: str('Format'),
    recognition: str('Recognition'),
    event: str('Event')?.toLowerCase() ?? null,
    encrypt: str('Encrypt'),
  };
}

// ───────────────────────────── the platform API ─────────────────────────────

export { WechatApiError };

/** Errors of the token request itself, as stable kinds the page words. */
const TOKEN_FETCH_KINDS: Record<number, string> = {
  40013: 'invalid_appid',
  40125: 'invalid_secret',
  40001: 'invalid_secret',
  40164: 'ip_not_allowed',
  89503: 'ip_not_allowed',
};

const apiRoot = (cfg: WechatConfig) => (cfg.apiBase || DEFAULT_WECHAT_API).replace(/\/+$/, '');

/** Fetches a new access token (never cached: the test connection and a refresh use it). */
export async function fetchAccessToken(cfg: WechatConfig, secrets: WechatSecrets): Promise<{ token: string; expiresIn: number }> {
  const q = new URLSearchParams({ grant_type: 'client_credential', appid: cfg.appId, secret: secrets.appSecret ?? '' });
  const res = await call(`${apiRoot(cfg)}/cgi-bin/token?${q.toString()}`);
  const j = asJson(res.body);
  if (res.status !== 200 || !j) throw new WechatApiError('bad_response', null, `HTTP ${res.status}`);
  if (typeof j.access_token === 'string' && j.access_token) {
    return { token: j.access_token, expiresIn: Number(j.expires_in ?? 7200) || 7200 };
  }
  const code = Number(j.errcode ?? -1);
  throw new WechatApiError(TOKEN_FETCH_KINDS[code] ?? 'token_failed', code, `errcode ${code}: ${errText(j.errmsg).slice(0, 200)}`);
}

const wxTokens = tokenCache((channel) => fetchAccessToken(channel.config as WechatConfig, openWechatSecrets(channel)));

export function forgetWechatTokens() {
  wxTokens.clear();
}

/** The channel's access token: cached until 5 minutes before it expires; concurrent callers share one request. */
export const accessToken = (channel: ChannelRow, refresh = false): Promise<string> => wxTokens.get(channel, refresh);

const withToken = <T>(channel: ChannelRow, run: (token: string) => Promise<{ errcode: number | null; errmsg?: string; value?: T }>) =>
  wxTokens.withToken<T>(channel, run, (code) => (code === 45015 ? 'reply_window_closed' : 'api_error'));

export type OutgoingMessage = { msgtype: 'text'; text: { content: string } } | { msgtype: 'image'; image: { media_id: string } };

/** Customer-service message (客服消息) to a user, within 48 h of their last message. */
export async function sendCustomMessage(channel: ChannelRow, openid: string, msg: OutgoingMessage): Promise<void> {
  const root = apiRoot(channel.config as WechatConfig);
  await withToken<void>(channel, async (token) => {
    const res = await call(`${root}/cgi-bin/message/custom/send?access_token=${encodeURIComponent(token)}`, {
      method: 'POST',
      body: JSON.stringify({ touser: openid, ...msg }),
    });
    const j = asJson(res.body);
    if (res.status !== 200 || !j) throw new WechatApiError('bad_response', null, `HTTP ${res.status}`);
    return { errcode: Number(j.errcode ?? 0), errmsg: errText(j.errmsg) };
  });
}

/**
 * The field values of a template, placeholders filled in. Subscribe notifications limit field kinds (thing ≤ 20
 * characters, character_string ≤ 32, phrase ≤ 5, name ≤ 10 …): values are cut to the kind's length by the field name.
 */
export function templateData(tpl: WechatTemplate, values: Record<string, string>): Record<string, { value: string }> {
  const out: Record<string, { value: string }> = {};
  for (const [field, text] of Object.entries(tpl.fields)) {
    let v = text.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? '');
    if (tpl.mode === 'subscribe') {
      const max = /^thing/.test(field) ? 20 : /^character_string/.test(field) ? 32 : /^phrase/.test(field) ? 5 : /^name/.test(field) ? 10 : 200;
      v = [...v].slice(0, max).join('');
    }
    out[field] = { value: v };
  }
  return out;
}

/**
 * A template message (模板消息, `POST /cgi-bin/message/template/send {touser, template_id, url, data}`) or a subscribe
 * notification (订阅通知, `POST /cgi-bin/message/subscribe/bizsend {touser, template_id, page, data}`): not bound to the
 * 48-hour window. 43004 (not following) and 43101 (declined the subscription) → `not_subscribed`; 40037 → `bad_template`.
 * Answers the platform's msgid when it gives one.
 */
export async function sendTemplateMessage(
  channel: ChannelRow,
  openid: string,
  tpl: WechatTemplate,
  values: Record<string, string>,
  link?: string,
): Promise<string | null> {
  const root = apiRoot(channel.config as WechatConfig);
  const path = tpl.mode === 'subscribe' ? '/cgi-bin/message/subscribe/bizsend' : '/cgi-bin/message/template/send';
  const body = {
    touser: openid,
    template_id: tpl.templateId,
    ...(link ? (tpl.mode === 'subscribe' ? { page: link } : { url: link }) : {}),
    data: templateData(tpl, values),
  };
  try {
    return await withToken<string | null>(channel, async (token) => {
      const res = await call(`${root}${path}?access_token=${encodeURIComponent(token)}`, { method: 'POST', body: JSON.stringify(body) });
      const j = asJson(res.body);
      if (res.status !== 200 || !j) throw new WechatApiError('bad_response', null, `HTTP ${res.status}`);
      return {
        errcode: Number(j.errcode ?? 0),
        errmsg: errText(j.errmsg),
        value: typeof j.msgid === 'number' || typeof j.msgid === 'string' ? String(j.msgid) : null,
      };
    });
  } catch (err) {
    if (err instanceof WechatApiError && err.errcode !== null) {
      const kind = err.errcode === 43004 || err.errcode === 43101 ? 'not_subscribed' : err.errcode === 40037 ? 'bad_template' : err.kind;
      if (kind !== err.kind) throw new WechatApiError(kind, err.errcode, err.message);
    }
    throw err;
  }
}

/**
 * 新增临时素材: `POST /cgi-bin/media/upload?access_token&type=image` (multipart field `media`) → `{type, media_id,
 * created_at}`; the media_id is valid 3 days and is sent as a customer-service `image` message.
 */
export async function uploadWechatMedia(channel: ChannelRow, data: Buffer, filename: string, mime: string): Promise<string> {
  const root = apiRoot(channel.config as WechatConfig);
  const { body, contentType } = mediaMultipart(data, filename, mime);
  return withToken<string>(channel, async (token) => {
    const res = await call(`${root}/cgi-bin/media/upload?access_token=${encodeURIComponent(token)}&type=image`, { method: 'POST', body, contentType });
    const j = asJson(res.body);
    if (res.status !== 200 || !j) throw new WechatApiError('bad_response', null, `HTTP ${res.status}`);
    const errcode = Number(j.errcode ?? 0);
    if (errcode === 0 && typeof j.media_id === 'string' && j.media_id) return { errcode: 0, value: j.media_id };
    return { errcode: errcode || -1, errmsg: errText(j.errmsg) };
  });
}

/** Downloads a temporary media file (the photo or voice of a message). */
export async function downloadMedia(channel: ChannelRow, mediaId: string, maxBytes: number): Promise<Buffer> {
  const root = apiRoot(channel.config as WechatConfig);
  return withToken<Buffer>(channel, (token) => mediaGet(root, token, mediaId, maxBytes));
}
