/**
 * Realtime hub: `GET /api/v1/ws` (WebSocket). Pushes `{type: 'notification', …}` for the signed-in user's
 * notifications and `{type: 'ticket.event', ticketId, kind, …}` for tickets the client watches
 * (`{type: 'watch', ticketIds: [...]}`; only tickets the user may see). Fed by LISTEN on PostgreSQL (or the
 * PGlite instance), so a notification written by any server process reaches the sockets of every process.
 */
import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database, Tx } from '../db/client';
import { authenticate, idleMinutes, SESSION_COOKIE, type SessionPolicy } from '../http/auth';
import { asLocale, DEFAULT_LOCALE, type Locale } from '../i18n/index';
import type { Ctx, StaffActor } from '../lib/context';
import { AppError } from '../lib/errors';
import { writeSoon } from '../lib/deferred';
import { NOTIFY_CHANNEL } from '../lib/notify';
import { canSeeTicket, loadTicketAccessRow, seesAllTickets } from '../modules/tickets/visibility';
import type { TicketEvent, TicketEventItem, TicketSnapshot } from '../modules/tickets/ticket-events';
import { notificationData, notificationTitle } from './notifications.present';
import { notificationsRepo, ticketEventsNotifySql } from './notifications.repo';

export const TICKET_EVENTS_CHANNEL = 'chidu_ticket_events';
const HEARTBEAT_MS = 30_000;
const MAX_WATCH = 500;

/** The part of a `ws` WebSocket the hub uses. */
interface Socket {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  ping(): void;
  terminate(): void;
  on(event: 'message', fn: (data: Buffer | string) => void): void;
  on(event: 'close' | 'pong', fn: () => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
}
/** `locale`: the language notification titles are pushed in (`?locale=` on the upgrade request, else the profile's). */
interface Client {
  socket: Socket;
  actor: StaffActor;
  locale: Locale;
  watching: Set<string>;
  alive: boolean;
}

/** Who may watch a ticket: by default the tickets module's visibility rule. */
export type WatchCheck = (database: Database, actor: StaffActor, ticketId: string) => Promise<boolean>;
let canWatch: WatchCheck = async (database, actor, ticketId) => {
  const row = await loadTicketAccessRow(database.db, ticketId);
  return Boolean(row && canSeeTicket(actor, row));
};
export function setWatchCheck(fn: WatchCheck): void {
  canWatch = fn;
}

export class RealtimeHub {
  private readonly byUser = new Map<string, Set<Client>>();
  private readonly byTicket = new Map<string, Set<Client>>();
  private readonly unlisten: (() => Promise<void>)[] = [];
  private heartbeat: NodeJS.Timeout | null = null;
  readonly stats = { pushedNotifications: 0, pushedEvents: 0 };

  constructor(
    private readonly database: Database,
    private readonly log?: { warn(o: unknown, m?: string): void },
    private readonly policy?: SessionPolicy,
  ) {}

  get clientCount(): number {
    let n = 0;
    for (const s of this.byUser.values()) n += s.size;
    return n;
  }

  async start(): Promise<void> {
    if (this.database.listen) {
      this.unlisten.push(
        await this.database.listen(NOTIFY_CHANNEL, (p) => {
          void this.onNotification(p);
        }),
      );
      this.unlisten.push(await this.database.listen(TICKET_EVENTS_CHANNEL, (p) => this.onTicketEvent(p)));
    }
    this.heartbeat = setInterval(() => {
      void this.beat();
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const u of this.unlisten.splice(0)) await u().catch(() => undefined);
    for (const set of this.byUser.values()) for (const c of set) c.socket.close(1001, 'server shutting down');
    this.byUser.clear();
    this.byTicket.clear();
  }

  accept(socket: Socket, actor: StaffActor, locale?: Locale): void {
    const client: Client = { socket, actor, locale: locale ?? asLocale(actor.locale) ?? DEFAULT_LOCALE, watching: new Set(), alive: true };
    let set = this.byUser.get(actor.id);
    if (!set) {
      set = new Set();
      this.byUser.set(actor.id, set);
    }
    set.add(client);
    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('message', (data) => {
      void this.onMessage(client, data);
    });
    socket.on('close', () => this.drop(client));
    socket.on('error', () => this.drop(client));
    this.send(client, { type: 'hello', userId: actor.id });
  }

  private drop(client: Client): void {
    const set = this.byUser.get(client.actor.id);
    set?.delete(client);
    if (set && set.size === 0) this.byUser.delete(client.actor.id);
    for (const id of client.watching) this.unwatch(client, id);
  }

  private unwatch(client: Client, ticketId: string): void {
    client.watching.delete(ticketId);
    const w = this.byTicket.get(ticketId);
    w?.delete(client);
    if (w && w.size === 0) this.byTicket.delete(ticketId);
  }

  private send(client: Client, msg: unknown): void {
    if (client.socket.readyState === 1) client.socket.send(JSON.stringify(msg));
  }

  private async onMessage(client: Client, data: Buffer | string): Promise<void> {
    let msg: { type?: unknown; ticketIds?: unknown };
    try {
      msg = JSON.parse(String(data)) as typeof msg;
    } catch {
      this.send(client, { type: 'error', message: 'messages are JSON' });
      return;
    }
    const ids = Array.isArray(msg.ticketIds) ? msg.ticketIds.filter((x): x is string => typeof x === 'string' && /^[0-9a-f-]{36}$/i.test(x)).slice(0, 100) : [];
    if (msg.type === 'ping') {
      this.send(client, { type: 'pong' });
      return;
    }
    if (msg.type === 'unwatch') {
      for (const id of ids) this.unwatch(client, id);
      this.send(client, { type: 'watching', ticketIds: [...client.watching] });
      return;
    }
    if (msg.type !== 'watch') {
      this.send(client, { type: 'error', message: 'unknown message type; use watch, unwatch or ping' });
      return;
    }
    const refused: string[] = [];
    for (const id of ids) {
      if (client.watching.has(id)) continue;
      if (client.watching.size >= MAX_WATCH || !(await canWatch(this.database, client.actor, id).catch(() => false))) {
        refused.push(id);
        continue;
      }
      client.watching.add(id);
      let w = this.byTicket.get(id);
      if (!w) {
        w = new Set();
        this.byTicket.set(id, w);
      }
      w.add(client);
    }
    this.send(client, { type: 'watching', ticketIds: [...client.watching], refused });
  }

  private async onNotification(payload: string): Promise<void> {
    let p: { id?: number; recipientId?: string };
    try {
      p = JSON.parse(payload) as typeof p;
    } catch {
      return;
    }
    if (!p.recipientId || p.id === undefined || !this.byUser.has(p.recipientId)) return;
    try {
      const row = await notificationsRepo.forPush(this.database.db, Number(p.id));
      if (!row || row.inApp === false) return;
      const n = row.n;
      // A notification about a ticket reaches only sockets whose actor may (still) see the ticket.
      let access: Awaited<ReturnType<typeof loadTicketAccessRow>> | null = null;
      if (n.ticketId) access = await loadTicketAccessRow(this.database.db, n.ticketId);
      const msg = {
        type: 'notification',
        id: String(n.id),
        kind: n.kind,
        ticketId: n.ticketId,
        title: n.title,
        data: notificationData(n),
        createdAt: n.createdAt.toISOString(),
        readAt: null,
      };
      for (const c of this.byUser.get(n.recipientId) ?? []) {
        if (n.ticketId && !(access && canSeeTicket(c.actor, access))) continue;
        this.send(c, { ...msg, title: notificationTitle(c.locale, n) });
        this.stats.pushedNotifications++;
      }
    } catch (err) {
      this.log?.warn({ err }, 'realtime: could not push a notification');
    }
  }

  private onTicketEvent(payload: string): void {
    type P = { ticketId?: string; kind?: string; eventId?: number; at?: string };
    let parsed: P | P[];
    try {
      parsed = JSON.parse(payload) as typeof parsed;
    } catch {
      return;
    }
    // In order: the events of one ticket reach a socket in the order they were written.
    const list = (Array.isArray(parsed) ? parsed : [parsed]).filter((p) => p && p.ticketId && this.byTicket.has(p.ticketId));
    if (list.length === 0) return;
    this.pushing = this.pushing
      .then(async () => {
        for (const p of list) await this.pushTicketEvent(p);
      })
      .catch((err: unknown) => {
        this.log?.warn({ err }, 'realtime: could not push a ticket event');
      });
  }

  private pushing: Promise<void> = Promise.resolve();

  /**
   * Push one ticket event to its watchers — only to sockets whose actor may see the ticket NOW (the one visibility
   * rule, `canSeeTicket`): a ticket moved to another team stops reaching the old team's sockets, which are unwatched.
   */
  private async pushTicketEvent(p: { ticketId?: string; kind?: string; eventId?: number; at?: string }): Promise<void> {
    if (!p || !p.ticketId) return;
    const watchers = this.byTicket.get(p.ticketId);
    if (!watchers || watchers.size === 0) return;
    const msg = { type: 'ticket.event', ticketId: p.ticketId, kind: p.kind, eventId: p.eventId !== undefined ? String(p.eventId) : null, at: p.at ?? null };
    const needCheck = [...watchers].some((c) => !seesAllTickets(c.actor));
    const access = needCheck ? await loadTicketAccessRow(this.database.db, p.ticketId) : undefined;
    for (const c of [...watchers]) {
      if (needCheck && !seesAllTickets(c.actor) && !(access && canSeeTicket(c.actor, access))) {
        this.unwatch(c, p.ticketId);
        continue;
      }
      this.send(c, msg);
      this.stats.pushedEvents++;
    }
  }

  /** Drop dead sockets, and sockets whose session ended (logout, revocation, expiry, idle timeout). */
  private async beat(): Promise<void> {
    const clients = [...this.byUser.values()].flatMap((s) => [...s]);
    for (const c of clients) {
      if (!c.alive) {
        c.socket.terminate();
        this.drop(c);
        continue;
      }
      c.alive = false;
      try {
        c.socket.ping();
      } catch {
        /* closed */
      }
    }
    const ids = [...new Set(clients.map((c) => c.actor.sessionId).filter((x): x is string => Boolean(x)))];
    if (ids.length === 0) return;
    try {
      const rows = await notificationsRepo.sessionStates(this.database.db, ids);
      const now = Date.now();
      const idleOver = (r: (typeof rows)[number]) => {
        const idle = this.policy ? idleMinutes(this.policy, r.principalKind) : 0;
        return idle > 0 && r.lastSeenAt.getTime() + idle * 60_000 <= now;
      };
      const ok = new Set(rows.filter((r) => !r.revokedAt && r.expiresAt.getTime() > now && !idleOver(r)).map((r) => r.id));
      for (const c of clients)
        if (c.actor.sessionId && !ok.has(c.actor.sessionId)) {
          c.socket.close(4401, 'session ended');
          this.drop(c);
        }
    } catch {
      /* next beat */
    }
  }
}

/** Ticket-event consumer: announce every ticket event (after commit) to the hubs of all processes. */
export async function publishTicketEvent(tx: Tx, ctx: Ctx, t: TicketSnapshot, ev: TicketEvent): Promise<void> {
  await publishTicketEvents(tx, [{ ctx, ticket: t, event: ev, fresh: false }]);
}

/** The events of a command or of a batch of creates: JSON arrays, as few NOTIFYs as the 8 kB payload limit allows. */
export async function publishTicketEvents(tx: Tx, items: TicketEventItem[]): Promise<void> {
  const payloads: string[] = [];
  let cur: string[] = [];
  let size = 2;
  for (const { ticket, event } of items) {
    const one = JSON.stringify({ ticketId: ticket.id, kind: event.kind, eventId: event.id, at: event.at.toISOString() });
    if (cur.length && size + one.length + 1 > 7000) {
      payloads.push(`[${cur.join(',')}]`);
      cur = [];
      size = 2;
    }
    cur.push(one);
    size += one.length + 1;
  }
  if (cur.length) payloads.push(`[${cur.join(',')}]`);
  await writeSoon(tx, () => ({ tail: ticketEventsNotifySql(TICKET_EVENTS_CHANNEL, payloads) }));
}

/** Authenticate the upgrade request: Bearer header, `?token=` (non-browser clients), or the session cookie (same origin). */
async function authenticateSocket(database: Database, req: FastifyRequest, policy: SessionPolicy): Promise<void> {
  const token = (req.query as { token?: unknown })?.token;
  if (typeof token === 'string' && token && !req.headers.authorization) req.headers.authorization = `Bearer ${token}`;
  if (!req.headers.authorization && req.cookies?.[SESSION_COOKIE]) {
    const origin = req.headers.origin;
    if (origin) {
      let host = '';
      try {
        host = new URL(origin).host;
      } catch {
        /* invalid */
      }
      if (host !== req.headers.host) throw new AppError('forbidden', 'Cross-origin WebSocket refused');
    }
  }
  await authenticate(database, req, policy);
  if (!req.actor || req.actor.kind !== 'staff') throw new AppError('forbidden', 'Staff only');
}

/** Other WebSocket routes (the web chat widget's visitor socket) share this scope's one @fastify/websocket registration. */
type SocketRoute = (scope: FastifyInstance, database: Database) => void;
const socketRoutes: SocketRoute[] = [];
export function addSocketRoute(route: SocketRoute): void {
  socketRoutes.push(route);
}

export function registerRealtimeHub(api: FastifyInstance, database: Database, policy: SessionPolicy): RealtimeHub {
  const hub = new RealtimeHub(database, api.log, policy);
  void api.register(async (scope) => {
    await scope.register(websocket, { options: { maxPayload: 64 * 1024 } });
    for (const route of socketRoutes) route(scope, database);
    scope.get(
      '/ws',
      {
        websocket: true,
        config: { public: true },
        schema: {
          tags: ['realtime'],
          summary:
            'WebSocket: notifications and watched ticket events (auth: session cookie, Bearer header or ?token=; ' +
            "?locale=en|zh-CN: language of notification titles, default the profile's)",
        } as never,
        onRequest: async (req) => authenticateSocket(database, req, policy),
      },
      (socket, req) => {
        const locale = asLocale((req.query as { locale?: unknown })?.locale as string | undefined) ?? undefined;
        // The socket is a `ws` WebSocket; the `ws` types are not installed, so it arrives untyped.
        hub.accept(socket as Socket, req.actor as StaffActor, locale);
      },
    );
  });
  api.addHook('onReady', async () => {
    await hub.start();
  });
  api.addHook('preClose', async () => {
    await hub.stop();
  });
  return hub;
}
