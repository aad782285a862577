/**
 * Several accept sockets on the server's port (LISTEN_SOCKETS, SO_REUSEPORT; src/http/accept-sockets.ts): with
 * reusePort in the runtime (Node 22.12+ on Linux) the port has that many listening sockets, connections through
 * any of them are served by the one HTTP server and stop with it, and a port already in use still fails startup;
 * without it, one socket. CI runs this file on Node 20 (one socket) and on Node 24 (several).
 */
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { reusePortSupported } from '../src/http/accept-sockets';
import { startServer } from '../src/server';
import { testConfig } from './harness';

const hasSs = spawnSync('ss', ['-V']).status === 0;
const listeners = (port: number) =>
  spawnSync('ss', ['-ltnH', `( sport = :${port} )`], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l.trim()).length;

const config = (over: Record<string, string>) => testConfig({ DATA_DIR: 'memory://', PORT: '0', HOST: '127.0.0.1', ...over });

describe('accept sockets', () => {
  it('knows where listen() has reusePort', () => {
    expect(reusePortSupported('20.20.2', 'linux')).toBe(false);
    expect(reusePortSupported('22.11.0', 'linux')).toBe(false);
    expect(reusePortSupported('22.12.0', 'linux')).toBe(true);
    expect(reusePortSupported('24.21.0', 'linux')).toBe(true);
    expect(reusePortSupported('24.21.0', 'darwin')).toBe(false);
  });

  it.skipIf(!hasSs)('LISTEN_SOCKETS sockets where reusePort exists (else one); every connection is served; all close with the server', async () => {
    const running = await startServer(config({ LISTEN_SOCKETS: '4' }));
    const port = Number(new URL(running.url).port);
    try {
      expect(listeners(port)).toBe(reusePortSupported() ? 4 : 1);
      // 200 connections at once, each with one request: the kernel spreads them over the sockets; all are answered.
      const statuses = await Promise.all(
        Array.from(
          { length: 200 },
          () =>
            new Promise<string>((resolve, reject) => {
              const c = net.connect(port, '127.0.0.1');
              let buf = '';
              c.on('data', (d) => {
                buf += d.toString();
                if (buf.includes('\r\n')) {
                  c.destroy();
                  resolve(buf.split('\r\n')[0]!);
                }
              });
              c.on('error', reject);
              c.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
            }),
        ),
      );
      expect(new Set(statuses)).toEqual(new Set(['HTTP/1.1 200 OK']));
    } finally {
      await running.stop();
    }
    expect(listeners(port)).toBe(0);
  });

  it('stopping the server with requests in flight on open keep-alive connections ends within seconds', async () => {
    const running = await startServer(config({ LISTEN_SOCKETS: '4' }));
    const port = Number(new URL(running.url).port);
    const body = JSON.stringify({ employeeNo: 'NOBODY', password: 'not-the-password' });
    const request = `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    // 40 open connections (spread over the sockets); each sends a sign-in, and the server is told to stop meanwhile.
    const conns = await Promise.all(
      Array.from(
        { length: 40 },
        () =>
          new Promise<{ c: net.Socket; answer: Promise<string> }>((resolve) => {
            const c = net.connect(port, '127.0.0.1', () => resolve({ c, answer }));
            let buf = '';
            const answer = new Promise<string>((done) => {
              c.on('data', (d) => {
                buf += d.toString();
                if (buf.includes('\r\n')) done(buf.split('\r\n')[0]!);
              });
              c.on('close', () => done(buf.split('\r\n')[0] || 'closed without an answer'));
              c.on('error', () => undefined);
            });
          }),
      ),
    );
    for (const { c } of conns) c.write(request);
    await new Promise((r) => setTimeout(r, 50)); // read, and in flight (the sign-ins' password checks)
    const t0 = Date.now();
    await running.stop();
    // The requests in flight finished and their keep-alive connections were closed as they went idle; before, the
    // close waited for those connections without end (the process then died on its 15 s shutdown timer).
    expect(Date.now() - t0).toBeLessThan(10_000);
    const answers = await Promise.all(conns.map((x) => x.answer));
    expect(answers.filter((a) => / (401|429) /.test(a)).length).toBeGreaterThan(0);
  });

  it('a port in use — even by another process with SO_REUSEPORT — still fails startup with EADDRINUSE, never shared', async () => {
    // Where reusePort exists the holder uses it too (another Chidu on the same port): without the probe the kernel
    // would let the server join it and split the traffic.
    const holder = net.createServer();
    const holdOpts = { port: 0, host: '127.0.0.1', ...(reusePortSupported() ? { reusePort: true } : {}) };
    await new Promise<void>((r) => holder.listen(holdOpts, r));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      await expect(startServer(config({ PORT: String(port), LISTEN_SOCKETS: '4' }))).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await new Promise<void>((r) => holder.close(() => r()));
    }
  });
});
