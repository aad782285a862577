/**
 * A local fake of the DingTalk open platform for the channel tests and the bench: the new-style token
 * (/v1.0/oauth2/accessToken), the old-style one (/gettoken), robot batchSend / groupMessages/send, messageFiles/download
 * (+ the file), the session webhook, 工作通知 asyncsend_v2, 上传媒体文件 /media/upload (old-style token, multipart field
 * `media`, type=image → media_id; a `sampleImageMsg` naming an unknown media_id is refused), and the Stream gateway (/v1.0/gateway/connections/open +
 * a `ws` WebSocket server at /stream that checks the ticket, pushes frames and records the acks). Counts every call.
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { parseMultipart } from './wechat-fake';

interface WsSocket {
  readyState: number;
  send(data: string): void;
  on(event: 'message', cb: (data: Buffer) => void): void;
  on(event: 'close', cb: () => void): void;
  terminate(): void;
}
interface WsServer {
  on(event: 'connection', cb: (ws: WsSocket, req: http.IncomingMessage) => void): void;
  handleUpgrade(req: http.IncomingMessage, socket: unknown, head: Buffer, cb: (ws: WsSocket) => void): void;
  close(): void;
}
const { WebSocketServer } = createRequire(import.meta.url)('ws') as { WebSocketServer: new (o: { noServer: true }) => WsServer };

export const APP_KEY = 'dingappkey0001';
export const APP_SECRET = 'dt-app-secret-0123456789abcdef';

export interface DingtalkFake {
  url: string;
  tokenCalls: number;
  oapiTokenCalls: number;
  valid: string | null;
  oapiValid: string | null;
  batch: { token: string; body: Record<string, unknown> }[];
  group: { token: string; body: Record<string, unknown> }[];
  session: { session: string; body: Record<string, unknown> }[];
  notices: { token: string; body: Record<string, unknown> }[];
  uploadCalls: number;
  uploads: { token: string; mediaId: string; filename: string; type: string; data: Buffer }[];
  files: Map<string, Buffer>;
  gatewayCalls: number;
  sockets: WsSocket[];
  acks: Record<string, unknown>[];
  expire(): void;
  expireOapi(): void;
  push(frame: unknown): void;
  close(): Promise<void>;
}

export async function startDingtalkFake(): Promise<DingtalkFake> {
  let issued = 0;
  const tickets = new Set<string>();
  const wss = new WebSocketServer({ noServer: true });
  const fake: DingtalkFake = {
    url: '',
    tokenCalls: 0,
    oapiTokenCalls: 0,
    valid: null,
    oapiValid: null,
    batch: [],
    group: [],
    session: [],
    notices: [],
    uploadCalls: 0,
    uploads: [],
    files: new Map(),
    gatewayCalls: 0,
    sockets: [],
    acks: [],
    expire() {
      fake.valid = null;
    },
    expireOapi() {
      fake.oapiValid = null;
    },
    push(frame) {
      const live = fake.sockets.filter((s) => s.readyState === 1);
      live[live.length - 1]?.send(JSON.stringify(frame));
    },
    close: () =>
      new Promise((r) => {
        for (const s of fake.sockets) s.terminate();
        wss.close();
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
  const json = (res: http.ServerResponse, status: number, v: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(v));
  };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (u.pathname === '/media/upload' && req.method === 'POST') {
        fake.uploadCalls++;
        const at = u.searchParams.get('access_token') ?? '';
        if (!at || at !== fake.oapiValid) return json(res, 200, { errcode: 40014, errmsg: '不合法的access_token' });
        if (u.searchParams.get('type') !== 'image') return json(res, 200, { errcode: 40004, errmsg: '不合法的媒体文件类型' });
        const media = parseMultipart(req.headers['content-type'], Buffer.concat(chunks))?.find((p) => p.name === 'media' && p.filename);
        if (!media || !media.data.length || !media.type) return json(res, 200, { errcode: 40005, errmsg: '不合法的文件类型' });
        const mediaId = `@lADPfake${fake.uploads.length + 1}`;
        fake.uploads.push({ token: at, mediaId, filename: media.filename!, type: media.type, data: media.data });
        return json(res, 200, { errcode: 0, errmsg: 'ok', type: 'image', media_id: mediaId, created_at: Date.now() });
      }
      let body: Record<string, unknown>;
      try {
        body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        return json(res, 400, { code: 'InvalidJson', message: 'bad json' });
      }
      const token = String(req.headers['x-acs-dingtalk-access-token'] ?? '');
      const authed = () => (token && token === fake.valid ? true : (json(res, 401, { code: 'InvalidAuthentication', message: '不合法的access_token' }), false));
      if (u.pathname === '/v1.0/oauth2/accessToken' && req.method === 'POST') {
        fake.tokenCalls++;
        if (body.appKey !== APP_KEY || body.appSecret !== APP_SECRET)
          return json(res, 400, { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' });
        fake.valid = `AT-${++issued}`;
        return json(res, 200, { accessToken: fake.valid, expireIn: 7200 });
      }
      if (u.pathname === '/gettoken' && req.method === 'GET') {
        fake.oapiTokenCalls++;
        if (u.searchParams.get('appkey') !== APP_KEY || u.searchParams.get('appsecret') !== APP_SECRET)
          return json(res, 200, { errcode: 40089, errmsg: '不合法的corpid或corpsecret' });
        fake.oapiValid = `OT-${++issued}`;
        return json(res, 200, { errcode: 0, errmsg: 'ok', access_token: fake.oapiValid, expires_in: 7200 });
      }
      const knownImage = () => {
        if (body.msgKey !== 'sampleImageMsg') return true;
        const photo = (JSON.parse(typeof body.msgParam === 'string' ? body.msgParam : '{}') as { photoURL?: string }).photoURL;
        if (fake.uploads.some((x) => x.mediaId === photo)) return true;
        json(res, 400, { code: 'invalidParameter.photoURL', message: 'photoURL' });
        return false;
      };
      if (u.pathname === '/v1.0/robot/oToMessages/batchSend' && req.method === 'POST') {
        if (!authed() || !knownImage()) return;
        fake.batch.push({ token, body });
        return json(res, 200, { processQueryKey: `pq-${fake.batch.length}`, invalidStaffIdList: [], flowControlledStaffIdList: [] });
      }
      if (u.pathname === '/v1.0/robot/groupMessages/send' && req.method === 'POST') {
        if (!authed() || !knownImage()) return;
        fake.group.push({ token, body });
        return json(res, 200, { processQueryKey: `pg-${fake.group.length}` });
      }
      if (u.pathname === '/v1.0/robot/messageFiles/download' && req.method === 'POST') {
        if (!authed()) return;
        if (!fake.files.has(String(body.downloadCode))) return json(res, 400, { code: 'invalidParameter', message: 'downloadCode' });
        return json(res, 200, { downloadUrl: `${fake.url}/files/${encodeURIComponent(String(body.downloadCode))}` });
      }
      if (u.pathname.startsWith('/files/')) {
        const f = fake.files.get(decodeURIComponent(u.pathname.slice(7)));
        if (!f) return json(res, 404, {});
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(f);
      }
      if (u.pathname === '/robot/sendBySession' && req.method === 'POST') {
        fake.session.push({ session: u.searchParams.get('session') ?? '', body });
        return json(res, 200, { errcode: 0, errmsg: 'ok' });
      }
      if (u.pathname === '/topapi/message/corpconversation/asyncsend_v2' && req.method === 'POST') {
        const at = u.searchParams.get('access_token') ?? '';
        if (!at || at !== fake.oapiValid) return json(res, 200, { errcode: 42001, errmsg: '不合法的access_token' });
        fake.notices.push({ token: at, body });
        return json(res, 200, { errcode: 0, errmsg: 'ok', task_id: 1000 + fake.notices.length, request_id: 'r' });
      }
      if (u.pathname === '/v1.0/gateway/connections/open' && req.method === 'POST') {
        fake.gatewayCalls++;
        if (body.clientId !== APP_KEY || body.clientSecret !== APP_SECRET) return json(res, 400, { code: 'invalidClientIdOrSecret', message: 'bad' });
        const ticket = `tk-${fake.gatewayCalls}`;
        tickets.add(ticket);
        return json(res, 200, { endpoint: `${fake.url.replace('http', 'ws')}/stream`, ticket });
      }
      json(res, 404, { code: 'NotFound' });
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const u = new URL(req.url ?? '/', 'http://fake');
    const ticket = u.searchParams.get('ticket') ?? '';
    if (u.pathname !== '/stream' || !tickets.delete(ticket)) {
      (socket as { destroy(): void }).destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      fake.sockets.push(ws);
      ws.on('message', (data) => {
        try {
          fake.acks.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>);
        } catch {
          /* ignore */
        }
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
