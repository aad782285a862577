/**
 * SMS providers, the protocol parts: Aliyun SMS (dysmsapi, RPC style, signature "POP" v1: HMAC-SHA1 over
 * `GET&%2F&` + the percent-encoded canonical query, key = AccessKeySecret + "&"; SendSms, Version 2017-05-25) and
 * Tencent Cloud SMS (API 3.0, TC3-HMAC-SHA256; SendSms, Version 2021-01-11). Calls go through the project's outbound
 * client (address policy); `apiBase` (the host root) lets a test point an adapter at a local fake.
 * Delivery receipts: Aliyun's SmsReport push (`[{biz_id, success, err_code, …}]`) and Tencent's status callback
 * (`[{sid, report_status, errmsg, …}]`); neither provider signs them, so the receipt URL carries a random token.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { OutboundError, OutboundRefusedError, outbound } from '../../lib/outbound';
import { openSecret, sealSecret } from '../../lib/secretbox';
import type { ChannelRow } from './channels.repo';

export const SMS_KINDS = ['sms_aliyun', 'sms_tencent'] as const;
export type SmsKind = (typeof SMS_KINDS)[number];
export const isSmsKind = (k: string): k is SmsKind => (SMS_KINDS as readonly string[]).includes(k);
/** What an SMS is for; each has its own provider template id (模板). */
export const SMS_MESSAGE_KINDS = ['login_code', 'visit_reminder', 'survey_invite', 'care_touch'] as const;
export type SmsMessageKind = (typeof SMS_MESSAGE_KINDS)[number];

export const DEFAULT_ALIYUN_API = 'https://dysmsapi.aliyuncs.com';
export const DEFAULT_TENCENT_API = 'https://sms.tencentcloudapi.com';

export interface SmsConfig {
  /** Aliyun AccessKeyId / Tencent SecretId (not secret by itself). */
  keyId: string;
  signName: string;
  /** Aliyun RegionId (default cn-hangzhou) / Tencent region (default ap-guangzhou). */
  region?: string | undefined;
  /** Tencent SmsSdkAppId. */
  sdkAppId?: string | undefined;
  templates: Partial<Record<SmsMessageKind, string>>;
  apiBase?: string | undefined;
  ratePerMinute?: number | undefined;
  /** SMS per number per day, all kinds together (default 10). */
  perNumberPerDay?: number | undefined;
  /** SMS per channel per day (default 1000). */
  dailyCap?: number | undefined;
}
export interface SmsSecrets {
  /** Aliyun AccessKeySecret / Tencent SecretKey. */
  keySecret?: string | undefined;
  /** The token in the receipt URL (generated when the channel is created). */
  receiptToken?: string | undefined;
}

export const sealSmsSecrets = (s: SmsSecrets): string | null => {
  const clean = Object.fromEntries(Object.entries(s).filter(([, v]) => typeof v === 'string' && v !== ''));
  return Object.keys(clean).length ? sealSecret(JSON.stringify(clean), 'channel_credential') : null;
};
export const openSmsSecrets = (row: Pick<ChannelRow, 'secrets'>): SmsSecrets =>
  row.secrets ? (JSON.parse(openSecret(row.secrets, 'channel_credential')) as SmsSecrets) : {};

/** The parameters of each message kind's template (Aliyun: named `${code}`…; Tencent: {1}, {2} in this order). */
export const TEMPLATE_PARAMS: Record<SmsMessageKind, readonly string[]> = {
  login_code: ['code'],
  visit_reminder: ['number', 'time'],
  survey_invite: ['number', 'url'],
  /** Automatic care contacts / reactivation touches (an approved template's text; number is empty for reactivation). */
  care_touch: ['name', 'number'],
};

// ───────────────────────────── Aliyun RPC signature ─────────────────────────────

/** POP percent-encoding: RFC 3986 unreserved kept (A–Z a–z 0–9 - _ . ~), everything else %XX of its UTF-8 bytes. */
export const popEncode = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The canonicalized query: parameters (without Signature) sorted by name, `encode(k)=encode(v)` joined by `&`. */
export const aliyunCanonicalQuery = (params: Record<string, string>) =>
  Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${popEncode(k)}=${popEncode(params[k]!)}`)
    .join('&');

export const aliyunStringToSign = (method: string, params: Record<string, string>) => `${method}&${popEncode('/')}&${popEncode(aliyunCanonicalQuery(params))}`;

/** Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign)). */
export const aliyunSignature = (method: string, params: Record<string, string>, secret: string) =>
  createHmac('sha1', `${secret}&`).update(aliyunStringToSign(method, params), 'utf8').digest('base64');

/** The common parameters of an Aliyun RPC call (SignatureVersion 1.0, HMAC-SHA1, JSON). */
export function aliyunParams(action: string, keyId: string, extra: Record<string, string>, now = new Date(), nonce = randomUUID()) {
  return {
    AccessKeyId: keyId,
    Action: action,
    Format: 'JSON',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: nonce,
    SignatureVersion: '1.0',
    Timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Version: '2017-05-25',
    ...extra,
  };
}

// ───────────────────────────── Tencent Cloud TC3-HMAC-SHA256 ─────────────────────────────

const sha256hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

export interface Tc3Input {
  secretId: string;
  secretKey: string;
  service: string;
  host: string;
  action: string;
  payload: string;
  timestamp: number;
  contentType?: string;
}

/** TC3-HMAC-SHA256 (API 3.0 signature v3): the canonical request, the string to sign, and the Authorization header. */
export function tc3Sign(i: Tc3Input) {
  const contentType = i.contentType ?? 'application/json; charset=utf-8';
  const signedHeaders = 'content-type;host;x-tc-action';
  const canonicalHeaders = `content-type:${contentType}\nhost:${i.host}\nx-tc-action:${i.action.toLowerCase()}\n`;
  const canonicalRequest = ['POST', '/', '', canonicalHeaders, signedHeaders, sha256hex(i.payload)].join('\n');
  const date = new Date(i.timestamp * 1000).toISOString().slice(0, 10);
  const scope = `${date}/${i.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(i.timestamp), scope, sha256hex(canonicalRequest)].join('\n');
  const secretDate = hmac(`TC3${i.secretKey}`, date);
  const secretService = hmac(secretDate, i.service);
  const secretSigning = hmac(secretService, 'tc3_request');
  const signature = createHmac('sha256', secretSigning).update(stringToSign, 'utf8').digest('hex');
  const authorization = `TC3-HMAC-SHA256 Credential=${i.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { canonicalRequest, stringToSign, signature, authorization };
}

// ───────────────────────────── calls ─────────────────────────────

/** A provider call that failed; `kind` is stable (the page words it), `message` carries the provider's code. */
export class SmsApiError extends Error {
  constructor(
    message: string,
    readonly kind:
      'auth_failed' | 'rate_limited' | 'bad_number' | 'rejected' | 'no_template' | 'refused_address' | 'timeout' | 'connection_failed' | 'bad_response',
  ) {
    super(message);
  }
}

/** A JSON value as text (strings and numbers; anything else empty). */
const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

async function call(url: string, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }) {
  try {
    const res = await outbound(url, { ...init, timeoutMs: 10_000 });
    try {
      return { status: res.status, json: JSON.parse(res.text()) as Record<string, unknown> };
    } catch {
      throw new SmsApiError(`HTTP ${res.status}: not JSON`, 'bad_response');
    }
  } catch (err) {
    if (err instanceof SmsApiError) throw err;
    if (err instanceof OutboundRefusedError) throw new SmsApiError(err.message, 'refused_address');
    if (err instanceof OutboundError) throw new SmsApiError(err.message, err.message.includes('timed out') ? 'timeout' : 'connection_failed');
    throw new SmsApiError(String(err), 'connection_failed');
  }
}

const aliyunKind = (code: string): SmsApiError['kind'] =>
  /^(InvalidAccessKeyId|SignatureDoesNotMatch|IncompleteSignature|Forbidden)/.test(code)
    ? 'auth_failed'
    : /LIMIT_CONTROL|Throttling/.test(code)
      ? 'rate_limited'
      : /MOBILE_NUMBER_ILLEGAL/.test(code)
        ? 'bad_number'
        : 'rejected';
const tencentKind = (code: string): SmsApiError['kind'] =>
  /^AuthFailure/.test(code) ? 'auth_failed' : /LimitExceeded/.test(code) ? 'rate_limited' : /PhoneNumber/.test(code) ? 'bad_number' : 'rejected';

async function aliyunCall(cfg: SmsConfig, sec: SmsSecrets, action: string, extra: Record<string, string>) {
  const params = aliyunParams(action, cfg.keyId, { RegionId: cfg.region || 'cn-hangzhou', ...extra });
  const signature = aliyunSignature('GET', params, sec.keySecret ?? '');
  const query = `Signature=${popEncode(signature)}&${aliyunCanonicalQuery(params)}`;
  const { json } = await call(`${(cfg.apiBase || DEFAULT_ALIYUN_API).replace(/\/+$/, '')}/?${query}`, { method: 'GET' });
  const code = str(json.Code);
  if (code !== 'OK') throw new SmsApiError(`${code || 'no Code'}: ${str(json.Message)}`.slice(0, 300), aliyunKind(code));
  return json;
}

async function tencentCall(cfg: SmsConfig, sec: SmsSecrets, action: string, body: Record<string, unknown>) {
  const base = new URL(cfg.apiBase || DEFAULT_TENCENT_API);
  const payload = JSON.stringify(body);
  const timestamp = Math.floor(Date.now() / 1000);
  const { authorization } = tc3Sign({ secretId: cfg.keyId, secretKey: sec.keySecret ?? '', service: 'sms', host: base.host, action, payload, timestamp });
  const { json } = await call(`${base.origin}/`, {
    method: 'POST',
    headers: {
      authorization,
      'content-type': 'application/json; charset=utf-8',
      host: base.host,
      'x-tc-action': action,
      'x-tc-timestamp': String(timestamp),
      'x-tc-version': '2021-01-11',
      'x-tc-region': cfg.region || 'ap-guangzhou',
    },
    body: payload,
  });
  const response = (json.Response ?? {}) as Record<string, unknown>;
  const error = response.Error as { Code?: string; Message?: string } | undefined;
  if (error) throw new SmsApiError(`${error.Code ?? ''}: ${error.Message ?? ''}`.slice(0, 300), tencentKind(error.Code ?? ''));
  if (!response.RequestId) throw new SmsApiError('no Response.RequestId', 'bad_response');
  return response;
}

/** A mainland number as the provider wants it: Aliyun 11 digits, Tencent E.164 (+86…). */
const localNumber = (phone: string) => phone.replace(/[\s-]/g, '').replace(/^\+?86(?=1\d{10}$)/, '');

/** Sends one templated SMS; returns the provider's id of it (Aliyun BizId, Tencent SerialNo) for the receipt. */
export async function sendSms(channel: Pick<ChannelRow, 'kind' | 'config' | 'secrets'>, phone: string, kind: SmsMessageKind, values: Record<string, string>) {
  const cfg = channel.config as SmsConfig;
  const sec = openSmsSecrets(channel);
  const template = cfg.templates?.[kind];
  if (!template) throw new SmsApiError(`no template for ${kind}`, 'no_template');
  const number = localNumber(phone);
  if (channel.kind === 'sms_aliyun') {
    const param = Object.fromEntries(TEMPLATE_PARAMS[kind].map((k) => [k, values[k] ?? '']));
    const out = await aliyunCall(cfg, sec, 'SendSms', {
      PhoneNumbers: number,
      SignName: cfg.signName,
      TemplateCode: template,
      TemplateParam: JSON.stringify(param),
    });
    return { externalId: str(out.BizId) };
  }
  const out = await tencentCall(cfg, sec, 'SendSms', {
    PhoneNumberSet: [`+86${number}`],
    SmsSdkAppId: cfg.sdkAppId ?? '',
    SignName: cfg.signName,
    TemplateId: template,
    TemplateParamSet: TEMPLATE_PARAMS[kind].map((k) => values[k] ?? ''),
  });
  const status = ((out.SendStatusSet as { SerialNo?: string; Code?: string; Message?: string }[] | undefined) ?? [])[0];
  if (!status) throw new SmsApiError('no SendStatusSet', 'bad_response');
  if (status.Code !== 'Ok') throw new SmsApiError(`${status.Code ?? ''}: ${status.Message ?? ''}`.slice(0, 300), tencentKind(status.Code ?? ''));
  return { externalId: status.SerialNo ?? '' };
}

const ymd = (d: Date) => d.toISOString().slice(0, 10).replaceAll('-', '');

/** 测试连接: a real signed, harmless call the provider answers (today's send statistics). */
export async function testSms(channel: Pick<ChannelRow, 'kind' | 'config' | 'secrets'>, now = new Date()) {
  const cfg = channel.config as SmsConfig;
  const sec = openSmsSecrets(channel);
  if (channel.kind === 'sms_aliyun') {
    await aliyunCall(cfg, sec, 'QuerySendStatistics', { IsGlobe: '1', StartDate: ymd(now), EndDate: ymd(now), PageIndex: '1', PageSize: '10' });
  } else {
    await tencentCall(cfg, sec, 'SendStatusStatistics', {
      BeginTime: `${ymd(now)}00`,
      EndTime: `${ymd(now)}23`,
      SmsSdkAppId: cfg.sdkAppId ?? '',
      Limit: 0,
      Offset: 0,
    });
  }
}

// ───────────────────────────── receipts ─────────────────────────────

export interface SmsReceipt {
  externalId: string;
  delivered: boolean;
  code: string;
}

/** A receipt push as (provider id, delivered?, code): Aliyun SmsReport or Tencent 短信下发状态; null when malformed. */
export function parseReceipts(kind: SmsKind, body: unknown): SmsReceipt[] | null {
  if (!Array.isArray(body)) return null;
  const out: SmsReceipt[] = [];
  for (const r of body as Record<string, unknown>[]) {
    if (!r || typeof r !== 'object') return null;
    if (kind === 'sms_aliyun') {
      if (typeof r.biz_id !== 'string' || typeof r.success !== 'boolean') return null;
      out.push({ externalId: r.biz_id, delivered: r.success, code: str(r.err_code) });
    } else {
      if (typeof r.sid !== 'string' || typeof r.report_status !== 'string') return null;
      out.push({ externalId: r.sid, delivered: r.report_status === 'SUCCESS', code: str(r.errmsg) });
    }
  }
  return out;
}

/** What each provider expects back from a receipt callback. */
export const receiptAck = (kind: SmsKind) => (kind === 'sms_aliyun' ? { code: 0, msg: '成功' } : { result: 0, errmsg: 'OK' });
