import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  applyQueued,
  autoSync,
  classify,
  fetchTransport,
  indexedDbStore,
  memoryStore,
  newKey,
  OfflineQueue,
  queuedWork,
  type NewAction,
  type QueueItem,
  type SendOutcome,
  type Transport,
} from './offlineQueue';

/**
 * A fake server with the real server's Idempotency-Key rule: a key seen before replays the first answer and applies
 * nothing. `applied` counts what really happened.
 */
function fakeServer() {
  const answers = new Map<string, SendOutcome>();
  const applied: { key: string; kind: string; path: string; bytes?: number }[] = [];
  const handle = (item: QueueItem): SendOutcome => {
    const prior = answers.get(item.key);
    if (prior) return prior;
    applied.push({ key: item.key, kind: item.kind, path: item.path, ...(item.form ? { bytes: item.form.file.bytes.byteLength } : {}) });
    const out: SendOutcome = { kind: 'ok', status: 200, body: { n: applied.length } };
    answers.set(item.key, out);
    return out;
  };
  return { applied, handle };
}

const move = (visitId: string, kind: 'accept' | 'depart' | 'start', extra: Partial<NewAction> = {}): NewAction => ({
  visitId,
  kind,
  method: 'POST',
  path: `/visits/${visitId}/${kind}`,
  ...extra,
});
const photo = (visitId: string, phase: 'before' | 'after', size = 1234): NewAction => ({
  visitId,
  kind: 'photo',
  method: 'POST',
  path: `/visits/${visitId}/photos`,
  form: { fields: { phase, keepLocation: 'false' }, file: { name: `${phase}.jpg`, type: 'image/jpeg', bytes: new Uint8Array(size).fill(7).buffer } },
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('offline queue', () => {
  it('keeps the actions and the photo bytes in IndexedDB across a reload, in order, each with its own key', async () => {
    const factory = new IDBFactory();
    const offline: Transport = () => Promise.resolve({ kind: 'network' });
    const q1 = new OfflineQueue(indexedDbStore(factory), offline);
    const a = await q1.enqueue(move('v1', 'depart'));
    const b = await q1.enqueue(photo('v1', 'before', 5000));
    const c = await q1.enqueue(move('v1', 'start'));
    await q1.drain();
    expect(q1.snapshot().pending).toBe(3);
    expect(new Set([a.key, b.key, c.key]).size).toBe(3);
    expect(a.key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    // The page is closed and opened again: a new queue over the same database finds everything, bytes included.
    const server = fakeServer();
    const q2 = new OfflineQueue(indexedDbStore(factory), (i) => Promise.resolve(server.handle(i)));
    await q2.load();
    expect(q2.snapshot().items.map((i) => i.key)).toEqual([a.key, b.key, c.key]);
    expect(q2.snapshot().items[1]!.form!.file.bytes.byteLength).toBe(5000);
    await q2.drain();
    expect(server.applied.map((x) => x.kind)).toEqual(['depart', 'photo', 'start']);
    expect(server.applied.map((x) => x.key)).toEqual([a.key, b.key, c.key]);
    expect(server.applied[1]!.bytes).toBe(5000);
    expect(q2.snapshot().pending).toBe(0);
    expect(await indexedDbStore(factory).list()).toEqual([]);
  });

  it('sends one at a time, in order; a network failure keeps the item and stops until the next try', async () => {
    const server = fakeServer();
    let online = false;
    let inFlight = 0;
    let maxInFlight = 0;
    const transport: Transport = async (item) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight -= 1;
      return online ? server.handle(item) : { kind: 'network' };
    };
    const q = new OfflineQueue(memoryStore(), transport);
    for (const k of ['accept', 'depart', 'start'] as const) await q.enqueue(move('v1', k));
    await Promise.all([q.drain(), q.drain()]);
    expect(server.applied).toHaveLength(0);
    expect(q.snapshot().pending).toBe(3);
    expect(q.snapshot().items[0]!.attempts).toBe(1);
    expect(q.snapshot().items[1]!.attempts).toBe(0);
    online = true;
    await Promise.all([q.drain(), q.drain()]);
    expect(maxInFlight).toBe(1);
    expect(server.applied.map((x) => x.kind)).toEqual(['accept', 'depart', 'start']);
    expect(q.snapshot()).toMatchObject({ pending: 0, failed: 0, sending: false });
    expect(q.snapshot().lastSyncedAt).not.toBeNull();
  });

  it('the connection flaps during a send: the server applied it, the answer was lost; sent again with the same key, applied once', async () => {
    const server = fakeServer();
    const keys: string[] = [];
    let drops = 2;
    const transport: Transport = (item) => {
      keys.push(item.key);
      const answer = server.handle(item); // the request reached the server…
      if (drops > 0) {
        drops -= 1;
        return Promise.resolve({ kind: 'network' }); // …and the answer never came back
      }
      return Promise.resolve(answer);
    };
    const sent: string[] = [];
    const q = new OfflineQueue(memoryStore(), transport, { onSent: (i) => sent.push(i.key) });
    const arrive = await q.enqueue({ visitId: 'v1', kind: 'arrive', method: 'POST', path: '/visits/v1/arrive', body: { code: 's.x.y', manual: false } });
    const pic = await q.enqueue(photo('v1', 'before'));
    await q.drain();
    await q.drain();
    expect(q.snapshot().pending).toBe(2);
    await q.drain();
    expect(keys).toEqual([arrive.key, arrive.key, arrive.key, pic.key]);
    expect(server.applied.map((a) => a.kind)).toEqual(['arrive', 'photo']);
    expect(sent).toEqual([arrive.key, pic.key]);
    expect(q.snapshot().pending).toBe(0);
  });

  it('a 4xx (not 408/429) marks the item failed with the server message and goes on; 408, 429, 5xx and request_in_progress retry', async () => {
    expect(classify({ kind: 'network' })).toBe('retry');
    expect(classify({ kind: 'ok', status: 200, body: {} })).toBe('done');
    for (const status of [408, 429, 500, 502, 503]) expect(classify({ kind: 'http', status, problem: {} }), String(status)).toBe('retry');
    expect(classify({ kind: 'http', status: 409, problem: { code: 'conflict', reason: 'request_in_progress' } })).toBe('retry');
    for (const status of [400, 403, 404, 409, 410, 422]) expect(classify({ kind: 'http', status, problem: {} }), String(status)).toBe('failed');

    const server = fakeServer();
    const transport: Transport = (item) =>
      Promise.resolve(
        (item.body as { code?: string } | undefined)?.code === 'wrong'
          ? { kind: 'http', status: 422, problem: { code: 'wrong_site', detail: "This code does not belong to the visit's site" } }
          : server.handle(item),
      );
    const q = new OfflineQueue(memoryStore(), transport);
    const bad = await q.enqueue({ visitId: 'v1', kind: 'arrive', method: 'POST', path: '/visits/v1/arrive', body: { code: 'wrong', manual: true } });
    await q.enqueue({ visitId: 'v1', kind: 'arrive', method: 'POST', path: '/visits/v1/arrive', body: { code: 'right', manual: false } });
    await q.drain();
    await q.drain();
    expect(server.applied).toHaveLength(1);
    expect(q.snapshot()).toMatchObject({ pending: 0, failed: 1 });
    const failed = q.snapshot().items[0]!;
    expect(failed.key).toBe(bad.key);
    expect(failed.error).toMatchObject({ status: 422, code: 'wrong_site', message: "This code does not belong to the visit's site" });
    expect(failed.attempts).toBe(1);
    await q.discard(bad.key);
    expect(q.snapshot().items).toHaveLength(0);
  });

  it('a failed item retried is sent again with its key', async () => {
    const server = fakeServer();
    let refuse = true;
    const q = new OfflineQueue(memoryStore(), (item) =>
      Promise.resolve(refuse ? { kind: 'http', status: 409, problem: { reason: 'quote_pending', detail: 'quote pending' } } : server.handle(item)),
    );
    const item = await q.enqueue(move('v1', 'start'));
    await q.drain();
    expect(q.snapshot().failed).toBe(1);
    refuse = false;
    await q.retry(item.key);
    await q.drain();
    expect(server.applied.map((a) => a.key)).toEqual([item.key]);
    expect(q.snapshot().items).toHaveLength(0);
  });

  it('sends when the online event fires and every 10 s while online', async () => {
    vi.useFakeTimers();
    const server = fakeServer();
    let online = false;
    const listeners = new Map<string, () => void>();
    const env = {
      addEventListener: ((name: string, fn: () => void) => listeners.set(name, fn)) as unknown as Window['addEventListener'],
      removeEventListener: ((name: string) => listeners.delete(name)) as unknown as Window['removeEventListener'],
      onLine: () => online,
    };
    const q = new OfflineQueue(memoryStore(), (i) => Promise.resolve(online ? server.handle(i) : { kind: 'network' }));
    const stop = autoSync(q, env, 10_000);
    await q.enqueue(move('v1', 'depart'));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(server.applied).toHaveLength(0);
    online = true;
    listeners.get('online')!();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.applied).toHaveLength(1);
    await q.enqueue(move('v1', 'start'));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(server.applied).toHaveLength(2);
    stop();
    expect(listeners.size).toBe(0);
  });

  it('applies the queued moves to the visit shown (failed ones left out) and counts the queued work', async () => {
    const q = new OfflineQueue(memoryStore(), () => Promise.resolve({ kind: 'network' }));
    const visit = { id: 'v1', state: 'accepted', checklist: [], arrivedAt: null, arrivalMethod: null, departedAt: null, startedAt: null, completedAt: null };
    await q.enqueue(move('v1', 'depart'));
    await q.enqueue({ visitId: 'v1', kind: 'arrive', method: 'POST', path: '/visits/v1/arrive', body: { code: 'c', manual: true } });
    await q.enqueue(photo('v1', 'before'));
    await q.enqueue(photo('v1', 'after'));
    await q.enqueue(photo('v1', 'after'));
    await q.enqueue({ visitId: 'v1', kind: 'part', method: 'POST', path: '/visits/v1/parts', body: { partId: 'p1', qty: 2 } });
    await q.enqueue({ visitId: 'v1', kind: 'checklist', method: 'PUT', path: '/visits/v1/checklist', body: { steps: ['show_id'] } });
    await q.enqueue(move('v2', 'start'));
    const shown = applyQueued(visit, q.snapshot().items);
    expect(shown).toMatchObject({ state: 'arrived', arrivalMethod: 'manual', checklist: ['show_id'] });
    expect(shown.departedAt).not.toBeNull();
    expect(visit.state).toBe('accepted');
    expect(queuedWork('v1', q.snapshot().items)).toMatchObject({ photos: { before: 1, after: 2 }, parts: [{ partId: 'p1', qty: 2 }], signed: false });
  });

  it('the browser transport sends the key, CSRF token, JSON or multipart with the photo', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn((url: string, init: RequestInit) => {
        seen.push({ url, init });
        return Promise.resolve(new Response(JSON.stringify({ ok: true }), { status: 201 }));
      }),
    );
    const tr = fetchTransport({ language: () => 'zh-CN', csrf: () => 'tok' });
    const q = new OfflineQueue(memoryStore(), tr);
    const a = await q.enqueue({ visitId: 'v1', kind: 'decline', method: 'POST', path: '/visits/v1/decline', body: { reason: '太远' } });
    const p = await q.enqueue(photo('v1', 'after', 10));
    await q.drain();
    expect(seen.map((s) => s.url)).toEqual(['/api/v1/visits/v1/decline', '/api/v1/visits/v1/photos']);
    const h0 = seen[0]!.init.headers as Record<string, string>;
    expect(h0).toMatchObject({ 'Idempotency-Key': a.key, 'X-CSRF-Token': 'tok', 'Content-Type': 'application/json', 'Accept-Language': 'zh-CN' });
    expect(seen[0]!.init.body).toBe(JSON.stringify({ reason: '太远' }));
    const h1 = seen[1]!.init.headers as Record<string, string>;
    expect(h1['Idempotency-Key']).toBe(p.key);
    expect(h1['Content-Type']).toBeUndefined();
    const fd = seen[1]!.init.body as FormData;
    expect(fd.get('phase')).toBe('after');
    expect((fd.get('file') as File).size).toBe(10);

    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))),
    );
    expect(await tr(q.snapshot().items[0] ?? { ...a })).toEqual({ kind: 'network' });
    expect(newKey()).not.toBe(newKey());
  });
});
