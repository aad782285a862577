/**
 * DingTalk Stream mode (Stream 模式, open.dingtalk.com 「Stream 模式」/ dingtalk-stream SDK protocol): for organisations
 * that cannot expose a callback URL. Per enabled `dingtalk_robot` channel in mode `stream`, one connection:
 * `POST /v1.0/gateway/connections/open {clientId, clientSecret, subscriptions: [{type: CALLBACK, topic:
 * /v1.0/im/bot/messages/get}, {type: EVENT, topic: *}]}` → `{endpoint, ticket}`, then a WebSocket to
 * `endpoint?ticket=…`. Frames `{specVersion, type: SYSTEM | EVENT | CALLBACK, headers: {messageId, topic, …}, data}`;
 * each is answered `{code: 200, headers: {contentType: application/json, messageId}, message: OK, data}`. SYSTEM `ping`
 * is echoed, `disconnect` means reconnect. A robot message (CALLBACK) is accepted into the inbound queue like the HTTP
 * callback and acknowledged at once (the inbound worker ingests it; a redelivered msgId stores nothing). A lost connection is retried with back-off (1 s, 2 s … at most 60 s) and logged.
 * The endpoint is checked by the outbound address policy before connecting.
 */
import { createRequire } from 'node:module';
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../db/client';
import { checkOutboundUrl, outbound } from '../../lib/outbound';
import { DINGTALK_API, openDingtalkSecrets, parseDingtalkMessage, type DingtalkConfig } from './channels.dingtalk';
import { queuedDingtalk } from './channels.dingtalk.ingest';
import { acceptInbound } from './channels.inbound';
import { logChannel } from './channels.ingest';
import { channelsRepo, type ChannelRow } from './channels.repo';

/** The small part of the `ws` client used here (ws 8, already installed; no type package). */
interface WsClient {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  terminate(): void;
  on(event: 'open', cb: () => void): this;
  on(event: 'message', cb: (data: Buffer) => void): this;
  on(event: 'close', cb: () => void): this;
  on(event: 'error', cb: (err: Error) => void): this;
}
type WsCtor = new (url: string, opts?: { handshakeTimeout?: number; maxPayload?: number }) => WsClient;
const WebSocketClient = createRequire(import.meta.url)('ws') as WsCtor;

export const BOT_TOPIC = '/v1.0/im/bot/messages/get';
export const streamBackoffMs = (failures: number) => Math.min(60_000, 1000 * 2 ** Math.min(failures, 6));

export interface StreamFrame {
  specVersion?: string;
  type: 'SYSTEM' | 'EVENT' | 'CALLBACK';
  headers: Record<string, string>;
  data: string;
}

const fingerprint = (c: ChannelRow) => JSON.stringify([c.enabled, c.config, c.secrets]);

/** Opens a Stream connection: the gateway's endpoint and one-time ticket. */
export async function openStreamConnection(cfg: DingtalkConfig, appSecret: string): Promise<{ endpoint: string; ticket: string }> {
  const res = await outbound(`${(cfg.apiBase || DINGTALK_API).replace(/\/+$/, '')}/v1.0/gateway/connections/open`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
    body: JSON.stringify({
      clientId: cfg.appKey,
      clientSecret: appSecret,
      subscriptions: [
        { type: 'CALLBACK', topic: BOT_TOPIC },
        { type: 'EVENT', topic: '*' },
      ],
      ua: 'chidu/1',
      localIp: '',
    }),
    timeoutMs: 15_000,
  });
  const j = JSON.parse(res.text() || '{}') as { endpoint?: unknown; ticket?: unknown; code?: unknown };
  if (res.status !== 200 || typeof j.endpoint !== 'string' || typeof j.ticket !== 'string') {
    throw new Error(`gateway HTTP ${res.status}${typeof j.code === 'string' ? ` ${j.code}` : ''}`);
  }
  return { endpoint: j.endpoint, ticket: j.ticket };
}

export class DingtalkStream {
  private ws: WsClient | null = null;
  private generation = 0;
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  connected = false;
  /** Frames answered / robot messages handled (tests, diagnostics). */
  readonly stats = { frames: 0, messages: 0, connects: 0 };

  constructor(
    private readonly database: Database,
    readonly channelId: string,
    readonly key: string,
    private readonly log?: FastifyBaseLogger,
  ) {}

  start() {
    void this.connect();
  }

  /** The live socket (tests). */
  get socket(): WsClient | null {
    return this.ws;
  }

  private async connect() {
    if (this.stopped) return;
    const gen = ++this.generation;
    try {
      const channel = await channelsRepo.channel(this.database.db, this.channelId);
      if (!channel || !channel.enabled || channel.kind !== 'dingtalk_robot') return;
      const cfg = channel.config as DingtalkConfig;
      const { endpoint, ticket } = await openStreamConnection(cfg, openDingtalkSecrets(channel).appSecret ?? '');
      const url = new URL(endpoint);
      if (url.protocol !== 'wss:' && url.protocol !== 'ws:') throw new Error('endpoint is not a WebSocket URL');
      const refused = await checkOutboundUrl(`${url.protocol === 'wss:' ? 'https' : 'http'}://${url.host}${url.pathname}`);
      if (refused) throw refused;
      url.searchParams.set('ticket', ticket);
      if (gen !== this.generation || this.stopped) return;
      const ws = new WebSocketClient(url.toString(), { handshakeTimeout: 15_000, maxPayload: 4 * 1024 * 1024 });
      this.ws = ws;
      ws.on('open', () => {
        if (gen !== this.generation) return;
        this.connected = true;
        this.failures = 0;
        this.stats.connects++;
        void logChannel(this.database, this.channelId, 'info', 'channels.log.dt_stream_up').catch(() => undefined);
      });
      ws.on('message', (data) => {
        if (gen === this.generation) void this.onFrame(ws, channel, data);
      });
      ws.on('close', () => this.lost(gen, new Error('closed')));
      ws.on('error', (err) => this.lost(gen, err));
    } catch (err) {
      this.lost(gen, err);
    }
  }

  private async onFrame(ws: WsClient, channel: ChannelRow, raw: Buffer) {
    let frame: StreamFrame;
    try {
      frame = JSON.parse(raw.toString('utf8')) as StreamFrame;
    } catch {
      return;
    }
    const headers = frame.headers ?? {};
    const ack = (code: number, message: string, data: string) => {
      if (ws.readyState === 1)
        ws.send(JSON.stringify({ code, headers: { contentType: 'application/json', messageId: headers.messageId ?? '' }, message, data }));
      this.stats.frames++;
    };
    if (frame.type === 'SYSTEM') {
      if (headers.topic === 'ping') ack(200, 'OK', frame.data);
      else if (headers.topic === 'disconnect') this.lost(this.generation, new Error('disconnect requested'), true);
      return;
    }
    if (frame.type === 'CALLBACK' && headers.topic === BOT_TOPIC) {
      let body: unknown = null;
      try {
        body = JSON.parse(frame.data) as unknown;
      } catch {
        /* not JSON: answered as handled, nothing stored */
      }
      const msg = parseDingtalkMessage(body);
      if (!msg || (msg.robotCode && msg.robotCode !== (channel.config as DingtalkConfig).robotCode)) return ack(200, 'OK', JSON.stringify({ response: null }));
      try {
        // Accepted into the inbound queue (once per msgId) and acknowledged; the inbound worker ingests it.
        await acceptInbound(this.database, channel.id, queuedDingtalk(msg));
        this.stats.messages++;
        ack(200, 'OK', JSON.stringify({ response: null }));
      } catch {
        ack(500, 'failed', JSON.stringify({ response: null })); // not recorded (database down): the platform redelivers
      }
      return;
    }
    ack(200, 'OK', JSON.stringify({ status: 'SUCCESS', message: 'success' })); // events: received, nothing to do
  }

  private lost(gen: number, err: unknown, asked = false) {
    if (this.stopped || gen !== this.generation || this.timer) return;
    this.generation++;
    this.connected = false;
    const ws = this.ws;
    this.ws = null;
    try {
      ws?.terminate();
    } catch {
      /* already gone */
    }
    const delay = asked ? 0 : streamBackoffMs(this.failures++);
    this.log?.warn({ channel: this.channelId, err: (err as Error).message, retryMs: delay }, 'dingtalk stream connection lost');
    void logChannel(this.database, this.channelId, 'warn', 'channels.log.dt_stream_down', {
      seconds: Math.round(delay / 1000),
      error: String((err as Error).message ?? err).slice(0, 100),
    }).catch(() => undefined);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
    this.timer.unref();
  }

  stop() {
    this.stopped = true;
    this.generation++;
    this.connected = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    try {
      ws?.close();
    } catch {
      /* already gone */
    }
  }
}

/** The stream connections of this process, one per enabled stream-mode robot, kept in step with the settings. */
export class DingtalkStreams {
  readonly byChannel = new Map<string, DingtalkStream>();
  private reconciling: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly database: Database,
    private readonly log?: FastifyBaseLogger,
  ) {}

  reconcile(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const run = async () => {
      const rows = (await channelsRepo.listChannels(this.database.db, 'dingtalk_robot')).filter(
        (c) => c.enabled && (c.config as DingtalkConfig).mode === 'stream',
      );
      const want = new Map(rows.map((c) => [c.id, fingerprint(c)]));
      for (const [id, s] of this.byChannel) {
        if (want.get(id) !== s.key) {
          this.byChannel.delete(id);
          s.stop();
        }
      }
      for (const [id, key] of want) {
        if (this.stopped || this.byChannel.has(id)) continue;
        const s = new DingtalkStream(this.database, id, key, this.log);
        this.byChannel.set(id, s);
        s.start();
      }
    };
    this.reconciling = (this.reconciling ?? Promise.resolve()).then(run, run).catch((err: unknown) => {
      this.log?.warn({ err: (err as Error).message }, 'dingtalk stream reconcile failed');
    });
    return this.reconciling;
  }

  async stop() {
    this.stopped = true;
    await this.reconciling?.catch(() => undefined);
    for (const s of this.byChannel.values()) s.stop();
    this.byChannel.clear();
  }
}

let active: DingtalkStreams | null = null;
export const activeDingtalkStreams = () => active;
export const setActiveDingtalkStreams = (s: DingtalkStreams | null) => {
  active = s;
};
/** A channel was created or changed: bring the stream connections in step now. */
export function dingtalkStreamsChanged() {
  void active?.reconcile();
}
