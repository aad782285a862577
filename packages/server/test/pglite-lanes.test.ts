/**
 * The embedded database's access queue (src/db/lanes.ts): every PGlite statement and transaction goes through one
 * queue with a request lane and a background lane. A waiting request job goes before a waiting background job; a
 * background job that has waited `backgroundMaxWaitMs` goes next anyway (workers progress under sustained request
 * load, nothing starves); the worker base runs its passes in the background lane; the queue yields to the event loop
 * between jobs (a request that arrives while a chain of background jobs runs gets the next turn).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/client';
import { currentLane, inBackground, LaneQueue } from '../src/db/lanes';
import { healthCounters } from '../src/lib/health';
import { PollingWorker } from '../src/lib/worker';
import { onPostgres, testApp } from './harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Hold the event loop for `ms` (what a PGlite statement does: it runs on the loop, synchronously). */
const spin = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* busy */
  }
};

describe('LaneQueue', () => {
  it('runs one job at a time; a waiting request job goes before waiting background jobs queued earlier', async () => {
    const q = new LaneQueue({ backgroundMaxWaitMs: 10_000 });
    const order: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const job = (name: string, ms: number) => async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      spin(ms);
      await Promise.resolve();
      order.push(name);
      running--;
    };
    const all = [
      q.run(job('bg1', 5), { lane: 'background' }),
      q.run(job('bg2', 5), { lane: 'background' }),
      q.run(job('bg3', 5), { lane: 'background' }),
      q.run(job('req1', 1)),
      q.run(job('req2', 1)),
    ];
    await Promise.all(all);
    expect(maxRunning).toBe(1);
    expect(order).toEqual(['req1', 'req2', 'bg1', 'bg2', 'bg3']);
    expect(q.stats.request.jobs).toBe(2);
    expect(q.stats.background.jobs).toBe(3);
  });

  it('a request arriving while background jobs run waits for one job at most, not for the whole chain', async () => {
    const q = new LaneQueue({ backgroundMaxWaitMs: 10_000 });
    const done: string[] = [];
    // A worker pass: 20 jobs of 10 ms, each queued when the previous one finished (a claim loop).
    const pass = inBackground('test', async () => {
      for (let i = 0; i < 20; i++) await q.run(() => Promise.resolve(spin(10)));
      done.push('pass');
    });
    await sleep(25); // the pass is under way
    const t0 = performance.now();
    await q.run(() => Promise.resolve());
    const waited = performance.now() - t0;
    done.push('request');
    await pass;
    expect(done).toEqual(['request', 'pass']);
    expect(waited).toBeLessThan(100); // one 10 ms job plus scheduling, not the 200 ms chain
  });

  it('background work is guaranteed a turn after backgroundMaxWaitMs under a sustained stream of requests', async () => {
    const q = new LaneQueue({ backgroundMaxWaitMs: 50 });
    let stop = false;
    // Requests back to back: always one waiting.
    const clients = Array.from({ length: 4 }, async () => {
      while (!stop) await q.run(() => Promise.resolve(spin(2)));
    });
    await sleep(10);
    const t0 = performance.now();
    const bgWaits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const queued = performance.now();
      await q.run(() => Promise.resolve(bgWaits.push(performance.now() - queued)), { lane: 'background' });
    }
    const took = performance.now() - t0;
    stop = true;
    await Promise.all(clients);
    expect(bgWaits).toHaveLength(3);
    for (const w of bgWaits) {
      expect(w).toBeGreaterThanOrEqual(45); // requests went first…
      expect(w).toBeLessThan(400); // …but the background job was not starved
    }
    expect(took).toBeLessThan(1500);
    expect(q.stats.request.jobs).toBeGreaterThan(10);
  });

  it('long background jobs get no more than their share of the time ahead of waiting requests', async () => {
    const q = new LaneQueue({ backgroundMaxWaitMs: 0, backgroundShare: 0.25 });
    let stop = false;
    let requestMs = 0;
    const clients = Array.from({ length: 4 }, async () => {
      while (!stop) {
        await q.run(() => Promise.resolve(spin(2)));
        requestMs += 2;
      }
    });
    let backgroundMs = 0;
    const worker = (async () => {
      while (!stop) {
        await q.run(() => Promise.resolve(spin(20)), { lane: 'background' });
        backgroundMs += 20;
      }
    })();
    await sleep(1000);
    stop = true;
    await Promise.all([...clients, worker]);
    expect(backgroundMs).toBeGreaterThan(0); // progresses…
    const share = backgroundMs / (backgroundMs + requestMs);
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.4); // …at about its share (0.25), not half or more
  });

  it('a job that throws releases the queue; the error reaches its caller only', async () => {
    const q = new LaneQueue({ backgroundMaxWaitMs: 0 });
    const bad = q.run(() => Promise.reject(new Error('boom')));
    const sync = q.run(() => {
      throw new Error('sync boom');
    });
    const good = q.run(() => Promise.resolve(42));
    await expect(bad).rejects.toThrow('boom');
    await expect(sync).rejects.toThrow('sync boom');
    await expect(good).resolves.toBe(42);
    expect(q.depth('request') + q.depth('background')).toBe(0);
  });

  it('inBackground marks everything started inside it (and keeps the outer name when nested)', async () => {
    expect(currentLane().lane).toBe('request');
    await inBackground('outer', async () => {
      await sleep(1);
      expect(currentLane()).toEqual({ lane: 'background', name: 'outer' });
      await inBackground('inner', () => {
        expect(currentLane()).toEqual({ lane: 'background', name: 'outer' });
        return Promise.resolve();
      });
    });
    expect(currentLane().lane).toBe('request');
  });
});

describe('the embedded database through the lanes', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ inMemory: true, migrate: false, backgroundMaxWaitMs: 10_000 });
    await database.rows(sql`CREATE TABLE lane_t (id int primary key, v int)`);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('statements, transactions and worker transactions are all queued; a request query overtakes waiting worker transactions', async () => {
    const lanes = database.lanes!;
    expect(lanes).toBeDefined();
    lanes.resetStats();
    const order: string[] = [];
    const workerTx = (i: number) =>
      database.transaction(
        async (tx) => {
          await database.rows(sql`INSERT INTO lane_t VALUES (${i}, 0)`, tx);
          order.push(`worker${i}`);
        },
        { worker: true },
      );
    const all = [workerTx(1), workerTx(2), workerTx(3), database.rows(sql`SELECT count(*)::int AS n FROM lane_t`).then(() => order.push('request'))];
    await Promise.all(all);
    expect(order[0]).toBe('request');
    expect(order.slice(1).sort()).toEqual(['worker1', 'worker2', 'worker3']);
    expect(lanes.stats.background.jobs).toBe(3);
    expect(lanes.stats.request.jobs).toBe(1);
    const [row] = await database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM lane_t`);
    expect(row?.n).toBe(3);
  });

  it("a PollingWorker's pass runs in the background lane (its plain statements too), and a failed transaction rolls back", async () => {
    const lanes = database.lanes!;
    lanes.resetStats();
    let seen: string | null = null;
    const w = new PollingWorker({
      name: 'lane-test',
      database,
      pollMs: 60_000,
      batch: async () => {
        seen = currentLane().name;
        await database.rows(sql`SELECT 1`);
        await database.transaction(async (tx) => {
          await database.rows(sql`INSERT INTO lane_t VALUES (100, 1)`, tx);
        });
        return { handled: 1 };
      },
    });
    await w.start();
    while (seen === null || lanes.stats.background.jobs < 2) await sleep(5);
    await w.stop();
    expect(seen).toBe('lane-test');
    expect(lanes.stats.background.jobs).toBe(2);
    expect(lanes.stats.request.jobs).toBe(0);
    await expect(
      database.transaction(async (tx) => {
        await database.rows(sql`INSERT INTO lane_t VALUES (200, 1)`, tx);
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    const rows = await database.rows<{ id: number }>(sql`SELECT id FROM lane_t WHERE id >= 100 ORDER BY id`);
    expect(rows.map((r) => r.id)).toEqual([100]);
  });
});

describe.skipIf(onPostgres)('shedding on the embedded database queue wait (CHIDU_SHED_QUEUE_WAIT_MS)', () => {
  it('while a request job has waited the limit for the database, new requests get a fast 503 overloaded; once it drains they are served', async () => {
    const t = await testApp({ CHIDU_SHED_QUEUE_WAIT_MS: '50', MAX_IN_FLIGHT: '0', CHIDU_SHED_TARGET_MS: '0' });
    try {
      const { token } = await t.as(['agent']);
      const lanes = t.database.lanes!;
      // Something holds the database (a long transaction) and a request job waits behind it.
      let release!: () => void;
      const held = lanes.run(() => new Promise<void>((r) => (release = r)));
      const waiting = t.database.rows(sql`SELECT 1 AS one`);
      await sleep(80);
      expect(lanes.oldestWaitMs('request')).toBeGreaterThanOrEqual(50);
      const before = healthCounters.shedInFlight;
      const t0 = performance.now();
      const refused = await t.inject('GET', '/api/v1/tickets?limit=1', token);
      expect(performance.now() - t0).toBeLessThan(40); // refused without waiting for the database
      expect(refused.statusCode).toBe(503);
      expect(refused.json().code).toBe('overloaded');
      expect(refused.headers['retry-after']).toBe('1');
      expect(healthCounters.shedInFlight - before).toBe(1);
      expect((await t.inject('GET', '/healthz')).statusCode).toBe(200); // probes are never shed
      release();
      await Promise.all([held, waiting]);
      expect(lanes.oldestWaitMs('request')).toBe(0);
      expect((await t.inject('GET', '/api/v1/tickets?limit=1', token)).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('off (0): the same wait refuses nothing', async () => {
    const t = await testApp({ CHIDU_SHED_QUEUE_WAIT_MS: '0', MAX_IN_FLIGHT: '0', CHIDU_SHED_TARGET_MS: '0' });
    try {
      const { token } = await t.as(['agent']);
      const lanes = t.database.lanes!;
      let release!: () => void;
      const held = lanes.run(() => new Promise<void>((r) => (release = r)));
      const waiting = t.database.rows(sql`SELECT 1 AS one`);
      await sleep(80);
      const pending = t.inject('GET', '/api/v1/tickets?limit=1', token);
      await sleep(20);
      release();
      expect((await pending).statusCode).toBe(200);
      await Promise.all([held, waiting]);
    } finally {
      await t.close();
    }
  });
});
