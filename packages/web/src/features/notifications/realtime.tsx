import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { API_BASE } from '../../api/client';

/**
 * One WebSocket per signed-in tab: `GET /api/v1/ws` (session cookie).
 * The server pushes `{type: 'notification', …}` for the user and `{type: 'ticket.event', ticketId, kind}` for
 * tickets the client watches (`{type: 'watch', ticketIds}`). Reconnects with capped exponential backoff and
 * jitter; stops for good when the server says the session ended (close code 4401).
 * If the endpoint does not exist yet the socket simply keeps failing quietly at the slowest backoff.
 */

export interface NotificationMessage {
  type: 'notification';
  id: string;
  kind: string;
  title: string;
  ticketId: string | null;
  createdAt?: string;
  data?: Record<string, unknown>;
}

export interface TicketEventMessage {
  type: 'ticket.event';
  ticketId: string;
  kind: string;
}

export type RealtimeMessage = NotificationMessage | TicketEventMessage | { type: string; [k: string]: unknown };
type Listener = (msg: RealtimeMessage) => void;
export type RealtimeState = 'connecting' | 'open' | 'closed';

const MIN_DELAY = 1000;
const MAX_DELAY = 60_000;

export class RealtimeClient {
  private socket: WebSocket | null = null;
  private listeners = new Set<Listener>();
  private stateListeners = new Set<(s: RealtimeState) => void>();
  /** ticket id → number of components watching it */
  private watched = new Map<string, number>();
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  state: RealtimeState = 'closed';

  constructor(private readonly url: string) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const s = this.socket;
    this.socket = null;
    if (s && s.readyState <= WebSocket.OPEN) s.close(1000, 'bye');
    this.setState('closed');
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  onState(fn: (s: RealtimeState) => void): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  watch(ids: string[]): () => void {
    const fresh: string[] = [];
    for (const id of ids) {
      const n = this.watched.get(id) ?? 0;
      this.watched.set(id, n + 1);
      if (n === 0) fresh.push(id);
    }
    if (fresh.length) this.send({ type: 'watch', ticketIds: fresh });
    return () => {
      const gone: string[] = [];
      for (const id of ids) {
        const n = (this.watched.get(id) ?? 1) - 1;
        if (n <= 0) {
          this.watched.delete(id);
          gone.push(id);
        } else this.watched.set(id, n);
      }
      if (gone.length) this.send({ type: 'unwatch', ticketIds: gone });
    };
  }

  private setState(s: RealtimeState) {
    this.state = s;
    for (const fn of this.stateListeners) fn(s);
  }

  private send(msg: unknown): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(msg));
  }

  private open(): void {
    if (this.stopped) return;
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url);
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    this.setState('connecting');
    socket.onopen = () => {
      this.attempts = 0;
      this.setState('open');
      const ids = [...this.watched.keys()];
      // the server caps one watch message at 100 ids
      for (let i = 0; i < ids.length; i += 100) this.send({ type: 'watch', ticketIds: ids.slice(i, i + 100) });
    };
    socket.onmessage = (ev) => {
      let msg: RealtimeMessage;
      try {
        msg = JSON.parse(String(ev.data)) as RealtimeMessage;
      } catch {
        return;
      }
      for (const fn of this.listeners) fn(msg);
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.setState('closed');
      // 4401: the session ended (logout elsewhere, revoked) — the next API call sends the user to login
      if (ev.code === 4401 || ev.code === 1008) return;
      this.retry();
    };
    socket.onerror = () => {
      /* onclose follows */
    };
  }

  private retry(): void {
    if (this.stopped) return;
    this.attempts += 1;
    const base = Math.min(MAX_DELAY, MIN_DELAY * 2 ** Math.min(this.attempts - 1, 6));
    const delay = base / 2 + Math.random() * (base / 2);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.open();
    }, delay);
  }
}

function socketUrl(): string {
  const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${window.location.host}${API_BASE}/ws`;
}

const RealtimeContext = createContext<RealtimeClient | null>(null);

/** Opens the socket for the signed-in staff member; refreshes notifications and watched tickets on messages. */
export function RealtimeProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [client] = useState(() => (typeof WebSocket === 'undefined' ? null : new RealtimeClient(socketUrl())));
  const pendingLists = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    if (!client) return;
    client.start();
    const off = client.subscribe((msg) => {
      if (msg.type === 'notification') {
        void queryClient.invalidateQueries({ queryKey: ['notifications'] });
        void queryClient.invalidateQueries({ queryKey: ['handovers'] });
        void queryClient.invalidateQueries({ queryKey: ['approvals'] });
      } else if (msg.type === 'ticket.event' && typeof msg.ticketId === 'string') {
        void queryClient.invalidateQueries({ queryKey: ['tickets', 'detail', msg.ticketId] });
        // many events arrive together (created + assigned + status): refresh the lists once
        if (pendingLists.current) clearTimeout(pendingLists.current);
        pendingLists.current = setTimeout(() => {
          pendingLists.current = null;
          void queryClient.invalidateQueries({ queryKey: ['tickets', 'list'] });
        }, 800);
      }
    });
    return () => {
      off();
      client.stop();
      if (pendingLists.current) clearTimeout(pendingLists.current);
    };
  }, [client, queryClient]);

  return <RealtimeContext.Provider value={client}>{children}</RealtimeContext.Provider>;
}

export function useRealtime(): RealtimeClient | null {
  return useContext(RealtimeContext);
}

/** Receive `ticket.event` pushes for these tickets while the component is mounted. */
export function useWatchTickets(ids: readonly string[]): void {
  const client = useRealtime();
  const key = ids.join(',');
  useEffect(() => {
    if (!client || !key) return;
    return client.watch(key.split(','));
  }, [client, key]);
}

/** Listen to every message (e.g. the bell shows a toast for new notifications). */
export function useRealtimeMessages(fn: Listener): void {
  const client = useRealtime();
  const ref = useRef(fn);
  useEffect(() => {
    ref.current = fn;
  });
  useEffect(() => {
    if (!client) return;
    return client.subscribe((m) => ref.current(m));
  }, [client]);
}
