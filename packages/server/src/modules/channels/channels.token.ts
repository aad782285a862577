/**
 * The pieces the WeChat-family platform APIs share (公众号 `wechat_oa`, 微信客服 `wecom_kf`, 企业微信应用 `wecom_app`):
 * JSON calls through the project's outbound client (address policy, time-out, size limit), the access-token cache
 * (per channel, invalidated when the channel's settings change, concurrent callers share one request) and the
 * "token rejected → refresh once, retry once" rule (40001 / 40014 / 42001).
 */
import { OutboundError, OutboundRefusedError, outbound } from '../../lib/outbound';
import type { ChannelRow } from './channels.repo';

export class WechatApiError extends Error {
  constructor(
    readonly kind: string,
    readonly errcode: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'WechatApiError';
  }
}

/** Token invalid (40001), expired (42001), or not the latest / invalid (40014): refresh once and retry once. */
export const TOKEN_ERRORS = new Set([40001, 42001, 40014]);

export const errText = (v: unknown) => (typeof v === 'string' ? v : '');

export function asJson(body: Buffer): Record<string, unknown> | null {
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** One HTTP call through the outbound client; transport failures become WechatApiError kinds. */
export async function call(url: string, init: { method?: 'GET' | 'POST'; body?: string | Buffer; contentType?: string; maxResponseBytes?: number } = {}) {
  try {
    return await outbound(url, {
      method: init.method ?? 'GET',
      ...(init.body !== undefined ? { body: init.body, headers: { 'content-type': init.contentType ?? 'application/json; charset=utf-8' } } : {}),
      timeoutMs: 15_000,
      ...(init.maxResponseBytes ? { maxResponseBytes: init.maxResponseBytes } : {}),
    });
  } catch (err) {
    if (err instanceof OutboundRefusedError) throw new WechatApiError('refused_address', null, 'address refused by the outbound policy');
    if (err instanceof OutboundError) throw new WechatApiError(err.kind === 'timeout' ? 'timeout' : 'connection_failed', null, err.message);
    throw new WechatApiError('connection_failed', null, String((err as Error).message ?? err));
  }
}

/** POSTs JSON and reads `{errcode, errmsg, …}` (a non-JSON or non-200 answer is `bad_response`). */
export async function postJson(url: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await call(url, { method: 'POST', body: JSON.stringify(body) });
  const j = asJson(res.body);
  if (res.status !== 200 || !j) throw new WechatApiError('bad_response', null, `HTTP ${res.status}`);
  return j;
}

/** One `/cgi-bin/media/get` (公众号 and 企业微信 alike): the file, or the platform's errcode (a JSON answer). */
export async function mediaGet(
  root: string,
  token: string,
  mediaId: string,
  maxBytes: number,
): Promise<{ errcode: number | null; errmsg?: string; value?: Buffer }> {
  const q = new URLSearchParams({ access_token: token, media_id: mediaId });
  const res = await call(`${root}/cgi-bin/media/get?${q.toString()}`, { maxResponseBytes: maxBytes + 1024 });
  if (res.status !== 200) throw new WechatApiError('bad_response', null, `HTTP ${res.status}`);
  const type = String(res.headers['content-type'] ?? '');
  if (/json|text\/plain/i.test(type)) {
    const j = asJson(res.body);
    if (j && 'errcode' in j) return { errcode: Number(j.errcode), errmsg: errText(j.errmsg) };
  }
  return { errcode: null, value: res.body };
}

interface CachedToken {
  token: string;
  expiresAt: number;
  version: number;
}

/** A per-channel access-token cache around a fetcher (the fetch is never cached by itself: 测试连接 uses it). */
export function tokenCache(fetch: (channel: ChannelRow) => Promise<{ token: string; expiresIn: number }>) {
  const tokens = new Map<string, CachedToken>();
  const inflight = new Map<string, Promise<string>>();
  /** The channel's token: cached until 5 minutes before it expires; `refresh` drops the cached one first. */
  async function get(channel: ChannelRow, refresh = false): Promise<string> {
    const version = channel.updatedAt.getTime();
    const cached = tokens.get(channel.id);
    if (!refresh && cached && cached.version === version && cached.expiresAt > Date.now()) return cached.token;
    if (refresh && cached?.version === version) tokens.delete(channel.id);
    const pending = inflight.get(channel.id);
    if (pending) return pending;
    const p = (async () => {
      const got = await fetch(channel);
      tokens.set(channel.id, { token: got.token, version, expiresAt: Date.now() + Math.max(60, got.expiresIn - 300) * 1000 });
      return got.token;
    })().finally(() => inflight.delete(channel.id));
    inflight.set(channel.id, p);
    return p;
  }
  /** Calls the API with the cached token; a token the platform calls invalid/expired is refreshed once and the call retried once. */
  async function withToken<T>(
    channel: ChannelRow,
    run: (token: string) => Promise<{ errcode: number | null; errmsg?: string; value?: T }>,
    kindOf: (errcode: number) => string = () => 'api_error',
  ): Promise<T> {
    let token = await get(channel);
    for (let attempt = 0; ; attempt++) {
      const out = await run(token);
      if (out.errcode === null || out.errcode === 0) return out.value as T;
      if (TOKEN_ERRORS.has(out.errcode) && attempt === 0) {
        token = await get(channel, true);
        continue;
      }
      const kind = TOKEN_ERRORS.has(out.errcode) ? 'token_rejected' : kindOf(out.errcode);
      throw new WechatApiError(kind, out.errcode, `errcode ${out.errcode}: ${String(out.errmsg ?? '').slice(0, 200)}`);
    }
  }
  return {
    get,
    withToken,
    clear() {
      tokens.clear();
      inflight.clear();
    },
  };
}
