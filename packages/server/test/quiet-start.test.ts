/**
 * Smaller, quieter: request log lines only for server errors and slow requests at the default level (the rest at
 * debug), so the start banner stays on screen; the demo logins for the sign-in page only in demo mode.
 */
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions, QuietLogController } from '../src/http/logger';
import { testApp, type TestApp } from './harness';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const opts = loggerOptions(level) as object;
  const app = Fastify({ logger: { ...opts, stream }, logController: new QuietLogController(40) });
  app.get('/ok', () => ({ ok: true }));
  app.get('/missing', (_req, reply) => reply.status(404).send({}));
  app.get('/boom', () => {
    throw new Error('boom');
  });
  app.get('/slow', async () => {
    await new Promise((r) => setTimeout(r, 60));
    return { ok: true };
  });
  app.get('/phone/:n', () => ({ ok: true }));
  return { app, lines };
}

describe('request log', () => {
  it('at info: nothing for ordinary requests and 4xx; server errors at error, slow requests at warn', async () => {
    const { app, lines } = capture('info');
    await app.inject('/ok');
    await app.inject('/missing');
    await app.inject('/boom');
    await app.inject('/slow');
    await app.close();
    const requestLines = lines.filter((l) => typeof l.msg === 'string' && /request/.test(l.msg) && l.res);
    expect(requestLines.map((l) => [l.msg, l.level, (l.req as { url: string }).url])).toEqual([
      ['request failed', 50, '/boom'],
      ['slow request', 40, '/slow'],
    ]);
    expect(requestLines[1]!.responseTime).toBeGreaterThanOrEqual(40);
    expect(lines.some((l) => l.msg === 'incoming request' || l.msg === 'request completed')).toBe(false);
    expect(lines.filter((l) => (l.level as number) >= 30).map((l) => l.msg)).not.toContain('incoming request');
  });

  it('at debug: every request, with its URL scrubbed of phone numbers', async () => {
    const { app, lines } = capture('debug');
    await app.inject('/ok');
    await app.inject('/phone/13812345678');
    await app.close();
    const done = lines.filter((l) => l.msg === 'request completed');
    expect(done).toHaveLength(2);
    expect(lines.filter((l) => l.msg === 'incoming request')).toHaveLength(2);
    expect(JSON.stringify(done)).not.toContain('13812345678');
  });
});

describe('the app', () => {
  let t: TestApp;
  let demo: TestApp;
  beforeAll(async () => {
    t = await testApp();
    demo = await testApp({ CHIDU_DEMO: '1' });
  }, 240_000);
  afterAll(async () => {
    await t?.close();
    await demo?.close();
  });

  it('GET /demo/accounts: 404 unless in demo mode; in demo mode one login per role and the password', async () => {
    const off = await t.app.inject({ method: 'GET', url: '/api/v1/demo/accounts' });
    expect(off.statusCode).toBe(404);
    expect(off.headers['content-type']).toContain('application/problem+json');
    const on = await demo.app.inject({ method: 'GET', url: '/api/v1/demo/accounts' });
    expect(on.statusCode).toBe(200);
    const body = on.json();
    expect(body.password).toBe('Chidu@2026');
    expect(body.accounts[0]).toEqual({ employeeNo: 'A0001', name: '周明远', roles: ['admin'], team: null });
    const roles = body.accounts.map((a: { roles: string[] }) => a.roles[0]);
    expect(new Set(roles).size).toBe(roles.length);
    expect(roles).toEqual(expect.arrayContaining(['admin', 'director', 'supervisor', 'agent']));
  });
});
