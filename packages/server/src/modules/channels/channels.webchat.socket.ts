/**
 * The visitor's WebSocket: `GET /api/v1/public/webchat/{channelId}/ws?token=…&after=<seq>`.
 *
 * Server → widget: `{type: 'event', event}` (everything after the cursor on connect, then live, in seq order),
 * `{type: 'ack', clientId, seq}` / `{type: 'error', clientId?, code, status}` for a sent message,
 * `{type: 'typing'}` (an agent is typing; ephemeral), `{type: 'ready', after}` once the backlog is sent.
 * Widget → server: `{type: 'message', clientId, body, attachmentId?}`, `{type: 'typing'}`.
 *
 * Live delivery: every insert into a visitor's stream NOTIFYs `chidu_webchat` at commit; each process pushes to its
 * own sockets of that visitor from their cursor, so nothing is lost or doubled across reconnects or processes. Typing
 * is a NOTIFY too (never stored): an agent's goes to the visitor's sockets, a visitor's is kept a few seconds per
 * ticket for the agent's view. A socket keeps `online` / `last_seen_at` of its visitor fresh (every 30 s).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { AppError } from '../../lib/errors';
import { addSocketRoute } from '../../realtime/hub';
import { originAllowed, postMessage, presentEvent, visitorOf, webchatChannel } from './channels.webchat';
import { WEBCHAT_CHANNEL, webchatRepo, type VisitorRow } from './channels.webchat.repo';
import type { ChannelRow } from './channels.repo';

interface Socket {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  ping(): void;
  on(event: 'message', fn: (data: Buffer | string) => void): void;
  on(event: 'close' | 'pong', fn: () => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
}

interface Client {
  socket: Socket;
  visitor: VisitorRow;
  channel: ChannelRow;
  cursor: number;
  chain: Promise<void>;
  inbox: Promise<void>;
  lastTyping: number;
}

const OPEN = 1;
const BEAT_MS = 30_000;
/** A visitor typing is shown to agents this long after their last keystroke notice. */
export const TYPING_TTL_MS = 6_000;

const Incoming = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), clientId: z.string().min(1).max(64), body: z.string().max(5000), attachmentId: z.uuid().optional() }),
  z.object({ type: z.literal('typing') }),
  z.object({ type: z.literal('ping') }),
]);

/** One per database (tests build several apps): the sockets of this process by visitor, and visitors typing by ticket. */
export class VisitorHub {
  private readonly byVisitor = new Map<string, Set<Client>>();
  readonly typing = new Map<string, number>();
  private unlisten: (() => Promise<void>) | null = null;
  private beat: NodeJS.Timeout | null = null;
  private starting: Promise<void> | null = null;

  constructor(private readonly database: Database) {}

  private start(): Promise<void> {
    this.starting ??= (async () => {
      if (this.database.listen) this.unlisten = await this.database.listen(WEBCHAT_CHANNEL, (p) => this.onNotify(p));
      this.beat = setInterval(() => void this.heartbeat(), BEAT_MS);
      this.beat.unref();
    })();
    return this.starting;
  }

  async stop(): Promise<void> {
    if (this.beat) clearInterval(this.beat);
    if (this.unlisten) await this.unlisten().catch(() => undefined);
    for (const set of this.byVisitor.values()) for (const c of set) c.socket.close(1001, 'server shutting down');
    this.byVisitor.clear();
  }

  get count(): number {
    let n = 0;
    for (const s of this.byVisitor.values()) n += s.size;
    return n;
  }

  /** A visitor is typing on this ticket now (for the agent's view). */
  visitorTyping(ticketId: string): boolean {
    const at = this.typing.get(ticketId);
    return at !== undefined && Date.now() - at < TYPING_TTL_MS;
  }

  async accept(socket: Socket, channel: ChannelRow, visitor: VisitorRow, after: number): Promise<void> {
    await this.start();
    const client: Client = { socket, visitor, channel, cursor: after, chain: Promise.resolve(), inbox: Promise.resolve(), lastTyping: 0 };
    let set = this.byVisitor.get(visitor.id);
    if (!set) this.byVisitor.set(visitor.id, (set = new Set()));
    set.add(client);
    // One message of a socket at a time, in the order sent (a visitor's messages land on one ticket in order).
    socket.on('message', (raw) => {
      client.inbox = client.inbox.then(() => this.onMessage(client, raw)).catch(() => undefined);
    });
    socket.on('close', () => void this.drop(client));
    socket.on('error', () => undefined);
    await webchatRepo.touch(this.database.db, visitor.id, true);
    this.pump(client, true);
  }

  private async drop(client: Client): Promise<void> {
    const set = this.byVisitor.get(client.visitor.id);
    set?.delete(client);
    if (set && set.size === 0) {
      this.byVisitor.delete(client.visitor.id);
      await webchatRepo.touch(this.database.db, client.visitor.id, false).catch(() => undefined);
    }
  }

  /** Sends what is after the client's cursor (in order; one pass at a time per socket). */
  private pump(client: Client, first = false): void {
    client.chain = client.chain
      .then(async () => {
        for (;;) {
          if (client.socket.readyState !== OPEN) return;
          const rows = await webchatRepo.eventsAfter(this.database.db, client.visitor.id, client.cursor, 200);
          for (const e of rows) {
            client.socket.send(JSON.stringify({ type: 'event', event: presentEvent(client.channel.id, e) }));
            client.cursor = e.seq;
            const outboxId = (e.data as { outboxId?: string }).outboxId;
            if (e.kind === 'survey' && outboxId) await webchatRepo.markDelivered(this.database.db, outboxId);
          }
          if (rows.length < 200) break;
        }
        if (first) client.socket.send(JSON.stringify({ type: 'ready', after: client.cursor }));
      })
      .catch(() => undefined);
  }

  private onNotify(payload: string): void {
    if (payload.startsWith('t:')) {
      const [, who, visitorId, ticketId] = payload.split(':');
      if (who === 'agent' && visitorId)
        for (const c of this.byVisitor.get(visitorId) ?? []) if (c.socket.readyState === OPEN) c.socket.send('{"type":"typing"}');
      if (who === 'visitor' && ticketId) this.typing.set(ticketId, Date.now());
      return;
    }
    for (const c of this.byVisitor.get(payload) ?? []) this.pump(c);
  }

  private async onMessage(client: Client, raw: Buffer | string): Promise<void> {
    let msg: z.infer<typeof Incoming>;
    try {
      msg = Incoming.parse(JSON.parse(String(raw)));
    } catch {
      client.socket.send(JSON.stringify({ type: 'error', code: 'validation_failed', status: 400 }));
      return;
    }
    if (msg.type === 'ping') return client.socket.send('{"type":"pong"}');
    if (msg.type === 'typing') {
      if (Date.now() - client.lastTyping < 1000) return;
      client.lastTyping = Date.now();
      const open = await webchatRepo.openTicketOf(this.database.db, client.visitor.id);
      if (open) await webchatRepo.notify(this.database.db, `t:visitor:${client.visitor.id}:${open.id}`);
      return;
    }
    try {
      const { event } = await postMessage(this.database, client.channel, client.visitor, msg);
      client.socket.send(JSON.stringify({ type: 'ack', clientId: msg.clientId, seq: event.seq }));
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError('internal', 'failed');
      client.socket.send(JSON.stringify({ type: 'error', clientId: msg.clientId, code: e.code, status: e.status }));
    }
  }

  private async heartbeat(): Promise<void> {
    for (const [id, set] of this.byVisitor) {
      for (const c of set) c.socket.ping();
      await webchatRepo.touch(this.database.db, id, true).catch(() => undefined);
    }
  }
}

export const visitorHubs = new WeakMap<Database, VisitorHub>();
export const visitorHub = (database: Database): VisitorHub => {
  let hub = visitorHubs.get(database);
  if (!hub) visitorHubs.set(database, (hub = new VisitorHub(database)));
  return hub;
};

const Query = z.object({ token: z.string().min(1).max(200), after: z.coerce.number().int().min(0).default(0) });

addSocketRoute((scope: FastifyInstance, database: Database) => {
  const hub = visitorHub(database);
  scope.addHook('preClose', async () => hub.stop());
  scope.get(
    '/public/webchat/:channelId/ws',
    {
      websocket: true,
      config: { public: true },
      schema: {
        tags: ['webchat'],
        summary: 'WebSocket of a web chat visitor (?token= the visitor token, ?after= the last seq it has): messages, acks, typing',
      } as never,
      onRequest: async (req: FastifyRequest) => {
        const { channelId } = req.params as { channelId: string };
        const q = Query.safeParse(req.query);
        const channel = z.uuid().safeParse(channelId).success ? await webchatChannel(database, channelId) : undefined;
        if (!channel) throw new AppError('not_found', 'No such chat');
        if (!originAllowed(channel, req.headers.origin, req.headers.host)) throw new AppError('forbidden', 'Origin not allowed');
        if (!q.success) throw new AppError('unauthenticated', 'Visitor token required');
        const visitor = await visitorOf(database, channel, q.data.token);
        (req as unknown as { webchat: { channel: ChannelRow; visitor: VisitorRow; after: number } }).webchat = { channel, visitor, after: q.data.after };
      },
    },
    (socket, req) => {
      const w = (req as unknown as { webchat: { channel: ChannelRow; visitor: VisitorRow; after: number } }).webchat;
      void hub.accept(socket as Socket, w.channel, w.visitor, w.after);
    },
  );
});
