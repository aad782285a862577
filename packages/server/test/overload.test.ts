/**
 * Load shedding (issue #19 item 7): beyond MAX_IN_FLIGHT requests at once, or CHIDU_CREATE_QUEUE_MAX creates waiting
 * for their batch, the excess gets a fast 503 `overloaded` with Retry-After; what is admitted completes; probes are
 * never shed; the gauges return to zero.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createQueueDepth, healthCounters, inFlightRequests } from '../src/lib/health';
import { testApp, type TestApp } from './harness';

let t: TestApp | null = null;
afterEach(async () => { await t?.close(); t = null; });

async function burst(app: TestApp, n: number) {
  const { token } = await app.as(['agent']);
  const customer = (await app.inject('POST', '/api/v1/customers', token, { name: '过载客户', phone: '13700006666' })).json();
  const body = { customerId: customer.id, type: 'inquiry', channel: 'email', priority: 'normal', subject: '过载', description: '' };
  const probes: Promise<{ statusCode: number }>[] = [];
  const creates = Array.from({ length: n }, (_, i) => {
    if (i === Math.floor(n / 2)) probes.push(app.inject('GET', '/healthz'), app.inject('GET', '/readyz'));
    return app.inject('POST', '/api/v1/tickets', token, body);
  });
  const res = await Promise.all(creates);
  return { res, probes: await Promise.all(probes), token };
}

describe('load shedding', () => {
  it('more than MAX_IN_FLIGHT requests at once: the excess gets 503 overloaded with Retry-After, the rest is served, probes pass', async () => {
    t = await testApp({ MAX_IN_FLIGHT: '8', CHIDU_CREATE_QUEUE_MAX: '0', CHIDU_CREATE_MAX_WAIT_MS: '0' });
    const before = healthCounters.shedInFlight;
    const { res, probes, token } = await burst(t, 60);
    const ok = res.filter((r) => r.statusCode === 201);
    const shed = res.filter((r) => r.statusCode === 503);
    expect(ok.length + shed.length).toBe(60);
    expect(ok.length).toBeGreaterThanOrEqual(8);
    expect(shed.length).toBeGreaterThan(0);
    for (const r of shed) {
      expect(r.json()).toMatchObject({ status: 503, code: 'overloaded' });
      expect(r.headers['retry-after']).toBe('1');
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    expect(probes.map((p) => p.statusCode)).toEqual([200, 200]);
    expect(healthCounters.shedInFlight - before).toBe(shed.length);
    expect(inFlightRequests()).toBe(0);
    // Every admitted create is there; the shed ones left nothing.
    const list = await t.inject('GET', '/api/v1/tickets?limit=100', token);
    expect(list.json().items.length).toBe(ok.length);
  });

  it('more than CHIDU_CREATE_QUEUE_MAX creates waiting for their batch: the excess gets 503 overloaded', async () => {
    t = await testApp({ MAX_IN_FLIGHT: '0', CHIDU_CREATE_QUEUE_MAX: '5', CHIDU_CREATE_MAX_WAIT_MS: '0' });
    const before = healthCounters.shedCreateQueue;
    const { res } = await burst(t, 60);
    const shed = res.filter((r) => r.statusCode === 503);
    expect(res.filter((r) => r.statusCode === 201).length + shed.length).toBe(60);
    expect(shed.length).toBeGreaterThan(0);
    for (const r of shed) expect(r.json().code).toBe('overloaded');
    expect(healthCounters.shedCreateQueue - before).toBe(shed.length);
    expect(createQueueDepth()).toBe(0);
  });

  it('open WebSockets and finished requests over a real socket do not stay counted as in flight', async () => {
    t = await testApp({ MAX_IN_FLIGHT: '2' });
    const { token } = await t.as(['agent']);
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { WebSocket } = (await import('ws' as string)) as { WebSocket: new (u: string) => { on(e: string, f: (...a: unknown[]) => void): void; close(): void } };
    const sockets = await Promise.all(Array.from({ length: 3 }, () => new Promise<{ close(): void }>((resolve, reject) => {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/ws?token=${token}`);
      ws.on('open', () => resolve(ws));
      ws.on('error', reject);
    })));
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${url}/api/v1/tickets?limit=1`, { headers: { authorization: `Bearer ${token}` } });
      expect(r.status).toBe(200);
      await r.text();
    }
    expect(inFlightRequests()).toBe(0);
    for (const ws of sockets) ws.close();
  });

  it('creates arriving while the oldest waiting one has waited CHIDU_CREATE_MAX_WAIT_MS are refused; the admitted ones are all there', async () => {
    t = await testApp({ MAX_IN_FLIGHT: '0', CHIDU_CREATE_QUEUE_MAX: '0', CHIDU_CREATE_MAX_WAIT_MS: '1' });
    const before = healthCounters.shedCreateQueue;
    const { token } = await t.as(['agent']);
    const customer = (await t.inject('POST', '/api/v1/customers', token, { name: '排队客户', phone: '13700006667' })).json();
    const body = { customerId: customer.id, type: 'inquiry', channel: 'email', priority: 'normal', subject: '排队', description: '' };
    // Waves that arrive while earlier creates are still waiting for their batch.
    const waves: Promise<{ statusCode: number; json: () => any; headers: Record<string, unknown> }>[] = [];
    for (let w = 0; w < 6; w++) {
      for (let i = 0; i < 40; i++) waves.push(t.inject('POST', '/api/v1/tickets', token, body));
      await new Promise((r) => setTimeout(r, 2));
    }
    const res = await Promise.all(waves);
    const ok = res.filter((r) => r.statusCode === 201);
    const shed = res.filter((r) => r.statusCode === 503);
    expect(ok.length + shed.length).toBe(res.length);
    expect(ok.length).toBeGreaterThan(0);
    expect(shed.length).toBeGreaterThan(0);
    for (const r of shed) {
      expect(r.json()).toMatchObject({ code: 'overloaded' });
      expect(r.headers['retry-after']).toBe('1');
    }
    expect(healthCounters.shedCreateQueue - before).toBe(shed.length);
    expect(createQueueDepth()).toBe(0);
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (await t.inject('GET', `/api/v1/tickets?limit=100${cursor ? `&cursor=${cursor}` : ''}`, token)).json();
      all.push(...page.items.map((x) => x.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(all)).toEqual(new Set(ok.map((r) => r.json().id)));
  });

  it('no shedding with the limits off', async () => {
    t = await testApp({ MAX_IN_FLIGHT: '0', CHIDU_CREATE_QUEUE_MAX: '0', CHIDU_CREATE_MAX_WAIT_MS: '0' });
    const { res } = await burst(t, 60);
    expect(res.every((r) => r.statusCode === 201)).toBe(true);
  });
});
