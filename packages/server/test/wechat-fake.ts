/**
 * Local fakes of the WeChat Official Account API (/cgi-bin/token, message/custom/send, message/template/send,
 * media/upload) and of WeCom 微信客服 (/cgi-bin/gettoken, kf/sync_msg, kf/send_msg, media/upload) for the media tests.
 * media/upload checks what the platforms check: `type=image`, a multipart/form-data body with a file part named `media`
 * (filename, content type, non-empty); it keeps the bytes and answers a media_id. An `image` message is refused (40007)
 * unless its media_id was uploaded with a token of the same fake. Every call is counted; `expire()` makes every issued
 * token invalid (42001) so a client must refresh.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Part {
  name: string;
  filename: string | null;
  type: string | null;
  data: Buffer;
}

/** A multipart/form-data body split into its parts (null when it is not one: no boundary, no closing delimiter). */
export function parseMultipart(contentType: string | undefined, body: Buffer): Part[] | null {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  if (!/^multipart\/form-data/i.test(contentType ?? '') || !m) return null;
  const delim = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts: Part[] = [];
  let at = body.indexOf(delim);
  if (at !== 0) return null;
  for (;;) {
    const start = at + delim.length;
    if (body.subarray(start, start + 2).toString() === '--') return parts;
    const next = body.indexOf(delim, start);
    if (next < 0) return null;
    const chunk = body.subarray(start + 2, next - 2); // after CRLF, before CRLF--boundary
    const headEnd = chunk.indexOf('\r\n\r\n');
    if (headEnd < 0) return null;
    const head = chunk.subarray(0, headEnd).toString('utf8');
    const disp = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(head)?.[1] ?? '';
    parts.push({
      name: /\bname="([^"]*)"/.exec(disp)?.[1] ?? '',
      filename: /\bfilename="([^"]*)"/.exec(disp)?.[1] ?? null,
      type: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim() ?? null,
      data: Buffer.from(chunk.subarray(headEnd + 4)),
    });
    at = next;
  }
}

export interface WxFake {
  url: string;
  flavor: 'oa' | 'wecom';
  tokenCalls: number;
  /** Every send call (custom/send, template/send, kf/send_msg) with the token it carried, accepted or not. */
  calls: { path: string; token: string }[];
  /** Accepted messages, in order. */
  sent: { path: string; token: string; body: Record<string, unknown> }[];
  uploadCalls: number;
  uploads: { token: string; mediaId: string; filename: string; type: string; data: Buffer }[];
  /** 微信客服 messages kf/sync_msg lists (cursor = index). */
  msgs: Record<string, unknown>[];
  valid: Set<string>;
  /** The next n send calls answer -1 (system busy) without sending. */
  failSends: number;
  expire(): void;
  close(): Promise<void>;
}

export async function startWxFake(flavor: 'oa' | 'wecom', creds: { id: string; secret: string }): Promise<WxFake> {
  let issued = 0;
  const fake: WxFake = {
    url: '',
    flavor,
    tokenCalls: 0,
    calls: [],
    sent: [],
    uploadCalls: 0,
    uploads: [],
    msgs: [],
    valid: new Set(),
    failSends: 0,
    expire() {
      fake.valid.clear();
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
  const json = (res: http.ServerResponse, v: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(v));
  };
  const expired = { errcode: 42001, errmsg: 'access_token expired' };
  const tokenPath = flavor === 'oa' ? '/cgi-bin/token' : '/cgi-bin/gettoken';
  const sendPaths = flavor === 'oa' ? ['/cgi-bin/message/custom/send', '/cgi-bin/message/template/send'] : ['/cgi-bin/kf/send_msg'];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const token = u.searchParams.get('access_token') ?? '';
      if (u.pathname === tokenPath && req.method === 'GET') {
        fake.tokenCalls++;
        const id = flavor === 'oa' ? u.searchParams.get('appid') : u.searchParams.get('corpid');
        const secret = flavor === 'oa' ? u.searchParams.get('secret') : u.searchParams.get('corpsecret');
        if (id !== creds.id || secret !== creds.secret) return json(res, { errcode: 40001, errmsg: 'invalid credential' });
        const tk = `${flavor.toUpperCase()}-TOKEN-${++issued}`;
        fake.valid.add(tk);
        return json(res, flavor === 'oa' ? { access_token: tk, expires_in: 7200 } : { errcode: 0, errmsg: 'ok', access_token: tk, expires_in: 7200 });
      }
      if (u.pathname === '/cgi-bin/media/upload' && req.method === 'POST') {
        fake.uploadCalls++;
        if (!fake.valid.has(token)) return json(res, expired);
        if (u.searchParams.get('type') !== 'image') return json(res, { errcode: 40004, errmsg: 'invalid media type' });
        const parts = parseMultipart(req.headers['content-type'], raw);
        const media = parts?.find((p) => p.name === 'media' && p.filename);
        if (!media || !media.data.length || !media.type) return json(res, { errcode: 41005, errmsg: 'media data missing' });
        const mediaId = `${flavor.toUpperCase()}-MEDIA-${fake.uploads.length + 1}`;
        fake.uploads.push({ token, mediaId, filename: media.filename!, type: media.type, data: media.data });
        return json(res, { errcode: 0, errmsg: 'ok', type: 'image', media_id: mediaId, created_at: String(Math.floor(Date.now() / 1000)) });
      }
      if (sendPaths.includes(u.pathname) && req.method === 'POST') {
        fake.calls.push({ path: u.pathname, token });
        if (!fake.valid.has(token)) return json(res, expired);
        if (fake.failSends > 0) {
          fake.failSends--;
          return json(res, { errcode: -1, errmsg: 'system error' });
        }
        const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
        if (body.msgtype === 'image') {
          const id = (body.image as { media_id?: string } | undefined)?.media_id;
          if (!fake.uploads.some((x) => x.mediaId === id)) return json(res, { errcode: 40007, errmsg: 'invalid media_id' });
        }
        fake.sent.push({ path: u.pathname, token, body });
        return json(res, { errcode: 0, errmsg: 'ok', msgid: `OUT${fake.sent.length}` });
      }
      if (flavor === 'wecom' && u.pathname === '/cgi-bin/kf/sync_msg' && req.method === 'POST') {
        if (!fake.valid.has(token)) return json(res, expired);
        const b = JSON.parse(raw.toString('utf8')) as { cursor?: string };
        const from = Number(b.cursor ?? 0) || 0;
        const page = fake.msgs.slice(from);
        return json(res, { errcode: 0, errmsg: 'ok', next_cursor: String(fake.msgs.length), has_more: 0, msg_list: page });
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
