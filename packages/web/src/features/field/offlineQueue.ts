/**
 * The technician phone's offline queue (#16 item 4). Every technician action is written here first — in IndexedDB,
 * photo bytes included — with an `Idempotency-Key` (a UUID made when the action is taken), and sent from here in
 * order, one at a time, whenever the network is there. The server replays a key it has seen (the same answer, nothing
 * applied twice), so an item whose answer was lost when the connection dropped is simply sent again with its key.
 *
 * - success (2xx, a replayed answer included) → removed;
 * - no answer (network), 408, 429, 5xx, 409 request_in_progress → kept, sending stops until the next try;
 * - any other 4xx → marked failed with the server's message and shown; the next items go on.
 */
import type { Problem } from '../../api/client';

export type QueuedKind =
  'accept' | 'decline' | 'depart' | 'arrive' | 'start' | 'checklist' | 'complete' | 'photo' | 'part' | 'part_remove' | 'quote' | 'quote_accept' | 'signoff';

export interface QueuedFile {
  name: string;
  type: string;
  bytes: ArrayBuffer;
}

export interface QueueItem {
  /** The `Idempotency-Key`, made when the action was taken; also the item's key in the store. */
  key: string;
  /** Order of sending. */
  seq: number;
  visitId: string;
  kind: QueuedKind;
  method: 'POST' | 'PUT' | 'DELETE';
  /** Under /api/v1, e.g. `/visits/<id>/arrive`. */
  path: string;
  body?: unknown;
  /** multipart/form-data: text fields and one file (`file`). */
  form?: { fields: Record<string, string>; file: QueuedFile };
  createdAt: number;
  status: 'pending' | 'failed';
  attempts: number;
  /** Why the server refused it (failed items). */
  error?: { status: number; code?: string; reason?: string; message: string; params?: Record<string, string | number> };
}

export type NewAction = Pick<QueueItem, 'visitId' | 'kind' | 'method' | 'path'> & Partial<Pick<QueueItem, 'body' | 'form'>>;

// ---- storage ---------------------------------------------------------------------------------------------------

export interface QueueStore {
  list(): Promise<QueueItem[]>;
  put(item: QueueItem): Promise<void>;
  remove(key: string): Promise<void>;
}

const STORE = 'queue';

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

/** The queue in IndexedDB (database `chidu-field`, store `queue`, keyed by the Idempotency-Key). */
export function indexedDbStore(factory: IDBFactory = indexedDB, name = 'chidu-field'): QueueStore {
  let opened: Promise<IDBDatabase> | null = null;
  const db = () => {
    opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      const open = factory.open(name, 1);
      open.onupgradeneeded = () => {
        if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE, { keyPath: 'key' });
      };
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error ?? new Error('IndexedDB open failed'));
    });
    return opened;
  };
  const tx = async <T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const t = (await db()).transaction(STORE, mode);
    const done = new Promise<void>((resolve, reject) => {
      t.oncomplete = () => resolve();
      t.onerror = () => reject(t.error ?? new Error('IndexedDB transaction failed'));
      t.onabort = () => reject(t.error ?? new Error('IndexedDB transaction aborted'));
    });
    const out = await req(fn(t.objectStore(STORE)));
    await done;
    return out;
  };
  return {
    async list() {
      const all = await tx('readonly', (s) => s.getAll() as IDBRequest<QueueItem[]>);
      return all.sort((a, b) => a.seq - b.seq);
    },
    async put(item) {
      await tx('readwrite', (s) => s.put(item));
    },
    async remove(key) {
      await tx('readwrite', (s) => s.delete(key));
    },
  };
}

/** In memory (no IndexedDB: private mode on some browsers); lost on reload. */
export function memoryStore(): QueueStore {
  const items = new Map<string, QueueItem>();
  return {
    list: () => Promise.resolve([...items.values()].sort((a, b) => a.seq - b.seq).map((i) => ({ ...i }))),
    put: (item) => {
      items.set(item.key, { ...item });
      return Promise.resolve();
    },
    remove: (key) => {
      items.delete(key);
      return Promise.resolve();
    },
  };
}

// ---- sending ---------------------------------------------------------------------------------------------------

export type SendOutcome = { kind: 'ok'; status: number; body: unknown } | { kind: 'network' } | { kind: 'http'; status: number; problem: Problem };
export type Transport = (item: QueueItem) => Promise<SendOutcome>;

/** What to do with an item after a send. */
export function classify(o: SendOutcome): 'done' | 'retry' | 'failed' {
  if (o.kind === 'ok') return 'done';
  if (o.kind === 'network') return 'retry';
  if (o.status === 408 || o.status === 429 || o.status >= 500) return 'retry';
  // The first send with this key is still running on the server (the connection dropped mid-request): ask again later.
  if (o.status === 409 && o.problem.reason === 'request_in_progress') return 'retry';
  return 'failed';
}

/** A UUID v4 (crypto.randomUUID needs a secure context; getRandomValues does not). */
export function newKey(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The browser transport: fetch with the session cookie, CSRF header, language and the item's Idempotency-Key. */
export function fetchTransport(opts: { language: () => string; csrf: () => string | undefined; base?: string }): Transport {
  return async (item) => {
    const headers: Record<string, string> = {
      Accept: 'application/json, application/problem+json',
      'Accept-Language': opts.language(),
      'Idempotency-Key': item.key,
    };
    const csrf = opts.csrf();
    if (csrf) headers['X-CSRF-Token'] = csrf;
    let body: BodyInit | undefined;
    if (item.form) {
      const fd = new FormData();
      for (const [k, v] of Object.entries(item.form.fields)) fd.append(k, v);
      fd.append('file', new Blob([item.form.file.bytes], { type: item.form.file.type }), item.form.file.name);
      body = fd;
    } else if (item.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(item.body);
    }
    let res: Response;
    try {
      res = await fetch(`${opts.base ?? '/api/v1'}${item.path}`, { method: item.method, headers, body, credentials: 'same-origin' });
    } catch {
      return { kind: 'network' };
    }
    let parsed: unknown = undefined;
    try {
      const text = await res.text();
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // The body broke off (connection dropped while reading) or is not JSON.
      if (res.ok) return { kind: 'network' };
    }
    if (res.ok) return { kind: 'ok', status: res.status, body: parsed };
    return { kind: 'http', status: res.status, problem: parsed && typeof parsed === 'object' ? parsed : {} };
  };
}

// ---- the queue -------------------------------------------------------------------------------------------------

export interface QueueSnapshot {
  items: readonly QueueItem[];
  /** Not yet accepted by the server (pending, the one being sent included). */
  pending: number;
  failed: number;
  sending: boolean;
  /** When the queue last became empty of pending items after sending (ms), for 已同步. */
  lastSyncedAt: number | null;
}

export class OfflineQueue {
  private items: QueueItem[] = [];
  private listeners = new Set<() => void>();
  private draining: Promise<void> | null = null;
  private loaded: Promise<void> | null = null;
  private storing = new Map<string, Promise<void>>();
  private snap: QueueSnapshot = { items: [], pending: 0, failed: 0, sending: false, lastSyncedAt: null };

  constructor(
    private readonly store: QueueStore,
    private readonly transport: Transport,
    private readonly hooks: { onSent?: (item: QueueItem, body: unknown) => void; now?: () => number; key?: () => string } = {},
  ) {}

  /** Read what a previous page left in the store (safe to call more than once). */
  load(): Promise<void> {
    this.loaded ??= this.store.list().then((items) => {
      this.items = items;
      this.emit();
    });
    return this.loaded;
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  snapshot = (): QueueSnapshot => this.snap;

  private emit(sending = this.snap.sending) {
    const pending = this.items.filter((i) => i.status === 'pending').length;
    const lastSyncedAt = pending === 0 && this.snap.pending > 0 ? (this.hooks.now?.() ?? Date.now()) : this.snap.lastSyncedAt;
    this.snap = { items: [...this.items], pending, failed: this.items.length - pending, sending, lastSyncedAt };
    for (const l of this.listeners) l();
  }

  /** Take an action: stored first (with its new Idempotency-Key), then sent when possible. */
  async enqueue(action: NewAction): Promise<QueueItem> {
    await this.load();
    const seq = Math.max(this.hooks.now?.() ?? Date.now(), (this.items.at(-1)?.seq ?? 0) + 1);
    const item: QueueItem = {
      ...action,
      key: this.hooks.key?.() ?? newKey(),
      seq,
      createdAt: this.hooks.now?.() ?? Date.now(),
      status: 'pending',
      attempts: 0,
    };
    // Shown at once (the optimistic state follows the tap), stored right after; nothing is sent before it is stored.
    this.items.push(item);
    this.items.sort((a, b) => a.seq - b.seq);
    this.emit();
    const stored = this.store.put(item);
    this.storing.set(item.key, stored);
    try {
      await stored;
    } finally {
      this.storing.delete(item.key);
    }
    return item;
  }

  /** Send the pending items in order, one at a time; stops at the first one that got no usable answer. */
  drain(): Promise<void> {
    this.draining ??= this.run().finally(() => {
      this.draining = null;
      this.emit(false);
    });
    return this.draining;
  }

  private async run(): Promise<void> {
    await this.load();
    this.emit(true);
    for (;;) {
      const item = this.items.find((i) => i.status === 'pending');
      if (!item) return;
      await this.storing.get(item.key)?.catch(() => undefined);
      item.attempts += 1;
      const outcome = await this.transport(item);
      const what = classify(outcome);
      if (what === 'retry') {
        await this.store.put(item);
        this.emit(true);
        return;
      }
      if (what === 'done') {
        await this.store.remove(item.key);
        this.items = this.items.filter((i) => i.key !== item.key);
        this.hooks.onSent?.(item, outcome.kind === 'ok' ? outcome.body : undefined);
      } else if (outcome.kind === 'http') {
        item.status = 'failed';
        const p = outcome.problem;
        item.error = {
          status: outcome.status,
          message: p.detail || p.title || `HTTP ${outcome.status}`,
          ...(p.code ? { code: p.code } : {}),
          ...(p.reason ? { reason: p.reason } : {}),
          ...(p.params ? { params: p.params } : {}),
        };
        await this.store.put(item);
      }
      this.emit(true);
    }
  }

  /** A failed item sent again (same key): after the cause was fixed elsewhere. */
  async retry(key: string): Promise<void> {
    const item = this.items.find((i) => i.key === key);
    if (!item) return;
    item.status = 'pending';
    delete item.error;
    await this.store.put(item);
    this.emit();
  }

  /** Drop an item (a failed one the technician gives up, or a queued one taken back). */
  async discard(key: string): Promise<void> {
    await this.store.remove(key);
    this.items = this.items.filter((i) => i.key !== key);
    this.emit();
  }
}

/**
 * Send the queue whenever the network may be back: now, on the `online` event, and every `intervalMs` (10 s) while
 * `navigator.onLine` says so. Returns the stop function.
 */
export function autoSync(
  queue: OfflineQueue,
  env: { addEventListener: Window['addEventListener']; removeEventListener: Window['removeEventListener']; onLine: () => boolean },
  intervalMs = 10_000,
): () => void {
  const tick = () => {
    if (env.onLine()) void queue.drain();
  };
  env.addEventListener('online', tick);
  const timer = setInterval(tick, intervalMs);
  tick();
  return () => {
    env.removeEventListener('online', tick);
    clearInterval(timer);
  };
}

// ---- what the visit looks like with the queued actions applied --------------------------------------------------

export interface VisitLike {
  id: string;
  state: string;
  checklist: string[];
  arrivedAt: string | null;
  arrivalMethod: 'scan' | 'manual' | null;
  departedAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
}

const MOVE_STATE: Partial<Record<QueuedKind, string>> = {
  accept: 'accepted',
  decline: 'declined',
  depart: 'en_route',
  arrive: 'arrived',
  start: 'started',
  complete: 'completed',
};

/** The visit as the technician will see it once the queue is sent (optimistic; failed items are left out). */
export function applyQueued<V extends VisitLike>(v: V, items: readonly QueueItem[]): V {
  let out = v;
  for (const i of items) {
    if (i.visitId !== v.id || i.status === 'failed') continue;
    const at = new Date(i.createdAt).toISOString();
    const state = MOVE_STATE[i.kind];
    if (state) out = { ...out, state };
    if (i.kind === 'depart') out = { ...out, departedAt: at };
    if (i.kind === 'arrive') {
      const manual = Boolean((i.body as { manual?: boolean } | undefined)?.manual);
      out = { ...out, arrivedAt: at, arrivalMethod: manual ? 'manual' : 'scan' };
    }
    if (i.kind === 'start') out = { ...out, startedAt: at };
    if (i.kind === 'complete') out = { ...out, completedAt: at };
    if (i.kind === 'checklist') out = { ...out, checklist: [...((i.body as { steps?: string[] } | undefined)?.steps ?? [])] };
  }
  return out;
}

/** The visit's queued (not yet sent) work: photos per phase, parts, quote, sign-off. */
export function queuedWork(visitId: string, items: readonly QueueItem[]) {
  const mine = items.filter((i) => i.visitId === visitId && i.status !== 'failed');
  const photos = mine.filter((i) => i.kind === 'photo');
  const quote = mine.filter((i) => i.kind === 'quote').at(-1);
  return {
    photos: { before: photos.filter((p) => p.form?.fields.phase === 'before').length, after: photos.filter((p) => p.form?.fields.phase === 'after').length },
    parts: mine.filter((i) => i.kind === 'part').map((i) => ({ key: i.key, ...(i.body as { partId: string; qty: number }) })),
    quote: quote
      ? { items: (quote.body as { items: { description: string; amountFen: number }[] }).items, accepted: mine.some((i) => i.kind === 'quote_accept') }
      : null,
    quoteAccepted: mine.some((i) => i.kind === 'quote_accept'),
    signed: mine.some((i) => i.kind === 'signoff'),
  };
}
