/**
 * Two Chidu nodes on one PostgreSQL database behind nginx configured with deploy/nginx/snippets/chidu-proxy.conf.
 * Clients create tickets through nginx with Idempotency-Key, retrying with the same key on connection errors and
 * 502/503/504; one node is SIGKILLed mid-load. Then: nothing acknowledged is lost, nothing is created twice, and a
 * WebSocket opened through nginx reconnects to the surviving node and keeps receiving ticket events.
 * PostgreSQL only; skipped when no nginx binary is installed (`apt-get install nginx-light`; .ci/run does it).
 * The shipped files are also checked with `nginx -t` and `systemd-analyze verify` where those are installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl, onPostgres, WS_MODULE } from './harness';
import { loginOver, startProcess, tempDataDir, type ServerProc } from './process-harness';
import { sleep, waitFor } from './standards-helpers';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SNIPPET = path.join(root, 'deploy/nginx/snippets/chidu-proxy.conf');
const SITE = path.join(root, 'deploy/nginx/conf.d/chidu.conf');
const LIMITS = path.join(root, 'deploy/nginx/conf.d/chidu-limits.conf');
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx'].find((p) => existsSync(p));
const SYSTEMD_ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));
const METRICS_TOKEN = 'lb-test-metrics-token-0123456789';
const ADMIN = { no: 'LB001', password: 'Lb-Test-Passw0rd' };

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

async function stopNode(s: ServerProc) {
  if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGTERM');
  await s.exited;
}

/** The http{} part the site config (deploy/nginx/conf.d/chidu.conf) has, with the test's nodes and a loopback port. */
function nginxConf(dir: string, port: number, nodes: number[], limits = LIMITS): string {
  const asRoot = process.getuid?.() === 0;
  return `${asRoot ? 'user root;\n' : ''}worker_processes 1;
daemon off;
master_process on;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  log_format upstreams '$status $request_method $upstream_addr';
  access_log ${dir}/access.log upstreams;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  include ${limits};
  upstream chidu {
    least_conn;
${nodes.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=10s;`).join('\n')}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    server_name localhost;
    include ${SNIPPET};
  }
}
`;
}

function startNginx(dir: string, conf: string): Promise<ChildProcess> {
  writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const proc = spawn(NGINX!, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  cleanups.push(async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
  });
  return new Promise((resolve, reject) => {
    proc.on('exit', (code) =>
      reject(
        new Error(`nginx exited with ${code}: ${err} ${existsSync(path.join(dir, 'error.log')) ? readFileSync(path.join(dir, 'error.log'), 'utf8') : ''}`),
      ),
    );
    proc.on('spawn', () => resolve(proc));
  });
}

type WsMsg = { type: string; [k: string]: unknown };
interface WsLike {
  on(e: string, f: (...a: unknown[]) => void): void;
  send(s: string): void;
  close(): void;
  readyState: number;
}

/** A WebSocket client that reconnects (every 200 ms until it succeeds) and re-sends its watch, like the web app. */
async function reconnectingSocket(url: string, ticketIds: string[]) {
  const { WebSocket } = (await import(WS_MODULE)) as { WebSocket: new (u: string) => WsLike };
  const state = { messages: [] as (WsMsg & { conn: number })[], connections: 0, closes: 0, stopped: false, current: null as WsLike | null };
  const open = () => {
    if (state.stopped) return;
    const ws = new WebSocket(url);
    state.current = ws;
    let conn = 0;
    ws.on('open', () => {
      conn = ++state.connections;
      ws.send(JSON.stringify({ type: 'watch', ticketIds }));
    });
    ws.on('message', (d) => state.messages.push({ ...(JSON.parse(String(d)) as WsMsg), conn }));
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (conn) state.closes++;
      if (!state.stopped) setTimeout(open, 200);
    });
  };
  open();
  return {
    state,
    close() {
      state.stopped = true;
      state.current?.close();
    },
  };
}

describe('the shipped deploy files', () => {
  it.skipIf(!NGINX)('the shipped site config passes `nginx -t` (certificate placeholders swapped for a throwaway pair)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chidu-nginx-t-'));
    const ssl = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=chidu.example.com',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { encoding: 'utf8' },
    );
    expect(ssl.status, ssl.stderr).toBe(0);
    const site = readFileSync(SITE, 'utf8')
      .replace('/etc/ssl/chidu/fullchain.pem', path.join(dir, 'cert.pem'))
      .replace('/etc/ssl/chidu/privkey.pem', path.join(dir, 'key.pem'))
      .replace('/etc/nginx/snippets/chidu-proxy.conf', SNIPPET);
    writeFileSync(path.join(dir, 'site.conf'), site);
    writeFileSync(
      path.join(dir, 'nginx.conf'),
      `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\n  include ${LIMITS};\n  include ${dir}/site.conf;\n}\n`,
    );
    const t = spawnSync(NGINX!, ['-t', '-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { encoding: 'utf8' });
    expect(t.status, t.stderr).toBe(0);
    expect(t.stderr).toMatch(/syntax is ok/);
  });

  it.skipIf(!SYSTEMD_ANALYZE)('the systemd units pass `systemd-analyze verify`', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chidu-units-'));
    writeFileSync(path.join(dir, 'chidu@3001.service'), readFileSync(path.join(root, 'deploy/systemd/chidu@.service'), 'utf8'));
    writeFileSync(path.join(dir, 'chidu.target'), readFileSync(path.join(root, 'deploy/systemd/chidu.target'), 'utf8'));
    const r = spawnSync(SYSTEMD_ANALYZE!, ['verify', path.join(dir, 'chidu@3001.service'), path.join(dir, 'chidu.target')], {
      encoding: 'utf8',
      env: { ...process.env, SYSTEMD_LOG_LEVEL: 'warning' },
    });
    expect(r.stdout + r.stderr).toBe('');
  });
});

describe.skipIf(!onPostgres || !NGINX)('several nodes behind nginx', () => {
  it('SIGKILL of one node under load: 0 acknowledged creates lost, 0 duplicated, and the WebSocket moves to the survivor', async () => {
    const fresh = await freshDatabaseUrl();
    cleanups.push(fresh.drop);
    const env = { DATABASE_URL: fresh.url, DATABASE_POOL_SIZE: '5', TRUST_PROXY: '1', METRICS_TOKEN, CHIDU_CREATE_WINDOW_MS: '2' };
    const a = await startProcess({ ...env, CHIDU_BOOTSTRAP_ADMIN: `${ADMIN.no}:${ADMIN.password}` });
    cleanups.push(() => stopNode(a));
    const b = await startProcess(env);
    cleanups.push(() => stopNode(b));
    const nodes = [a, b];
    const portOf = (s: ServerProc) => Number(new URL(s.url).port);

    const dir = mkdtempSync(path.join(tmpdir(), 'chidu-nginx-'));
    for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(dir, d));
    const port = await freePort();
    await startNginx(dir, nginxConf(dir, port, nodes.map(portOf)));
    const lb = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${lb}/healthz`).catch(() => null))?.status === 200, 10_000, 50);
    expect((await fetch(`${lb}/metrics`)).status).toBe(404); // metrics are not reachable through the proxy

    const db = new pg.Client({ connectionString: fresh.url });
    await db.connect();
    cleanups.push(() => db.end());

    // Sign in through nginx with a forged X-Forwarded-For: the node sees nginx's view of the client, not the forgery.
    const login = await fetch(`${lb}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
      body: JSON.stringify({ employeeNo: ADMIN.no, password: ADMIN.password }),
    });
    expect(login.status).toBe(200);
    const token = ((await login.json()) as { token: string }).token;
    expect((await db.query(`SELECT ip FROM sessions ORDER BY created_at DESC LIMIT 1`)).rows[0].ip).toBe('127.0.0.1');

    const call = async (method: string, p: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${lb}/api/v1${p}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body ? JSON.stringify(body) : null,
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      return { status: res.status, json: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null, headers: res.headers };
    };
    const customer = await call('POST', '/customers', { name: '负载客户', phone: '13800001111' });
    expect(customer.status).toBe(201);
    const watched = await call('POST', '/tickets', {
      customerId: customer.json.id,
      type: 'inquiry',
      channel: 'phone',
      priority: 'normal',
      subject: '被关注的工单',
      description: '',
    });
    expect(watched.status).toBe(201);

    // A WebSocket through nginx; find the node it landed on (each node's own /metrics) — that is the one we kill.
    const sock = await reconnectingSocket(`${lb.replace('http', 'ws')}/api/v1/ws?token=${token}`, [watched.json.id]);
    cleanups.push(() => Promise.resolve().then(() => sock.close()));
    await waitFor(() => sock.state.messages.find((m) => m.type === 'watching' && (m.ticketIds as string[]).includes(watched.json.id)), 10_000);
    const wsCount = async (s: ServerProc) => {
      const text = await (await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      return Number(/^chidu_websocket_connections (\d+)$/m.exec(text)?.[1] ?? NaN);
    };
    const counts = await Promise.all(nodes.map(wsCount));
    expect(counts.sort()).toEqual([0, 1]);
    const victim = (await wsCount(a)) === 1 ? a : b;
    const survivor = victim === a ? b : a;
    expect((await call('POST', `/tickets/${watched.json.id}/replies`, { body: '杀进程前的回复', visibility: 'internal' })).status).toBe(201);
    await waitFor(() => sock.state.messages.find((m) => m.type === 'ticket.event' && m.conn === 1), 5000);

    // Load: C clients, each creating tickets one after another, retrying a key until it gets a 2xx.
    const C = 6;
    const LOAD_MS = 12_000;
    const KILL_AT_MS = 4000;
    const acked = new Map<string, { id: string; at: number; replayed: boolean }>();
    const unexpected: string[] = [];
    let retries = 0;
    let longestRetryMs = 0;
    const t0 = Date.now();
    let killedAt = 0;
    const client = async (c: number) => {
      for (let n = 0; Date.now() - t0 < LOAD_MS; n++) {
        const key = `lb-${c}-${n}`;
        const first = Date.now();
        for (let attempt = 0; ; attempt++) {
          if (attempt > 100) {
            unexpected.push(`${key}: gave up after 100 attempts`);
            return;
          }
          let res: Awaited<ReturnType<typeof call>> | null = null;
          try {
            res = await call(
              'POST',
              '/tickets',
              { customerId: customer.json.id, type: 'inquiry', channel: 'api', priority: 'normal', subject: `负载 ${key}`, description: '' },
              { 'idempotency-key': key },
            );
          } catch {
            /* connection error or timeout: retry with the same key */
          }
          if (res && res.status >= 200 && res.status < 300) {
            acked.set(key, { id: res.json.id, at: Date.now(), replayed: res.headers.get('idempotent-replayed') === 'true' });
            longestRetryMs = Math.max(longestRetryMs, attempt ? Date.now() - first : 0);
            break;
          }
          if (res && ![502, 503, 504, 409].includes(res.status)) {
            unexpected.push(`${key}: ${res.status} ${JSON.stringify(res.json)}`);
            return;
          }
          retries++;
          await sleep(100);
        }
      }
    };
    const load = Promise.all(Array.from({ length: C }, (_, c) => client(c)));

    await sleep(KILL_AT_MS);
    const ackedBeforeKill = acked.size;
    victim.proc.kill('SIGKILL');
    killedAt = Date.now();
    expect((await victim.exited).signal).toBe('SIGKILL');

    // The socket drops with its node, reconnects through nginx (now only the survivor) and gets events again.
    await waitFor(() => sock.state.messages.find((m) => m.type === 'watching' && m.conn === 2), 15_000, 50);
    const reconnectMs = Date.now() - killedAt;
    expect(await wsCount(survivor)).toBe(1);
    expect((await call('POST', `/tickets/${watched.json.id}/replies`, { body: '杀进程后的回复', visibility: 'internal' })).status).toBe(201);
    const after = await waitFor(() => sock.state.messages.find((m) => m.type === 'ticket.event' && m.conn === 2), 5000);
    expect(after).toMatchObject({ ticketId: watched.json.id });

    await load;
    const elapsed = Date.now() - t0;
    expect(unexpected).toEqual([]);
    const ackedAfterKill = [...acked.values()].filter((x) => x.at > killedAt).length;
    console.log(
      `load through nginx: ${acked.size} creates acknowledged in ${elapsed} ms (${ackedBeforeKill} before the kill at ${KILL_AT_MS} ms, ${ackedAfterKill} after), ` +
        `${retries} retries, ${[...acked.values()].filter((x) => x.replayed).length} replayed, longest retried create ${longestRetryMs} ms, WebSocket back in ${reconnectMs} ms`,
    );
    // nginx's side: requests it passed on to the next node after a failure ("a, b" in $upstream_addr), 502s it returned.
    const log = readFileSync(path.join(dir, 'access.log'), 'utf8').trim().split('\n');
    console.log(
      `nginx: ${log.length} requests, ${log.filter((l) => l.includes(', ')).length} retried on the other node by nginx, ${log.filter((l) => l.startsWith('502 ')).length} answered 502`,
    );
    expect(ackedBeforeKill).toBeGreaterThan(0);
    expect(ackedAfterKill).toBeGreaterThan(0); // the survivor carried the load on

    // 0 lost: every acknowledged ticket is in the database, as acknowledged.
    const rows = (await db.query<{ id: string; subject: string }>(`SELECT id, subject FROM tickets WHERE subject LIKE '负载 lb-%'`)).rows;
    const bySubject = new Map<string, string[]>();
    for (const r of rows) bySubject.set(r.subject, [...(bySubject.get(r.subject) ?? []), r.id]);
    const lost = [...acked].filter(([key, v]) => !(bySubject.get(`负载 ${key}`) ?? []).includes(v.id));
    expect(lost).toEqual([]);
    // 0 duplicated: one ticket per key, and as many tickets as keys that got a 2xx.
    const duplicated = [...bySubject].filter(([, ids]) => ids.length !== 1);
    expect(duplicated).toEqual([]);
    expect(rows.length).toBe(acked.size);
    const keys = (await db.query(`SELECT count(*)::int AS n FROM idempotency_keys WHERE key LIKE 'lb-%'`)).rows[0].n;
    expect(keys).toBe(acked.size);
    sock.close();
  }, 90_000);
});

describe.skipIf(!NGINX)('overload limits at nginx (deploy/nginx/conf.d/chidu-limits.conf)', () => {
  it('past the rate, nginx answers 503 overloaded (problem+json, Retry-After) without reaching the node; what it admits is created', async () => {
    let env: Record<string, string>;
    if (onPostgres) {
      const fresh = await freshDatabaseUrl();
      cleanups.push(fresh.drop);
      env = { DATABASE_URL: fresh.url };
    } else env = { DATA_DIR: tempDataDir() };
    // The node's own shedding off: every 503 below is nginx's.
    const node = await startProcess({ ...env, TRUST_PROXY: '1', CHIDU_SHED_TARGET_MS: '0', CHIDU_BOOTSTRAP_ADMIN: `${ADMIN.no}:${ADMIN.password}` }, 120_000);
    cleanups.push(() => stopNode(node));
    const token = await loginOver(node.url, ADMIN.no, ADMIN.password);
    const direct = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(`${node.url}/api/v1${p}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : null,
      });
      return { status: res.status, json: (await res.json()) as any };
    };
    const customer = await direct('POST', '/customers', { name: '限流客户', phone: '13800002222' });
    expect(customer.status).toBe(201);

    // The shipped limits, scaled down so a test can pass them: 20 requests/s, a burst of 10.
    const dir = mkdtempSync(path.join(tmpdir(), 'chidu-nginx-limits-'));
    for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(dir, d));
    const shipped = readFileSync(LIMITS, 'utf8');
    expect(shipped).toMatch(/rate=800r\/s/);
    writeFileSync(path.join(dir, 'limits.conf'), shipped.replace(/rate=\d+r\/s/, 'rate=20r/s'));
    const snippet = readFileSync(SNIPPET, 'utf8');
    expect(snippet).toMatch(/limit_req zone=chidu_api burst=400 nodelay;/);
    const port = await freePort();
    writeFileSync(path.join(dir, 'snippet.conf'), snippet.replace('burst=400', 'burst=10'));
    await startNginx(
      dir,
      nginxConf(dir, port, [Number(new URL(node.url).port)], path.join(dir, 'limits.conf')).replace(`include ${SNIPPET};`, `include ${dir}/snippet.conf;`),
    );
    const lb = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${lb}/healthz`).catch(() => null))?.status === 200, 10_000, 50);

    const N = 150;
    const body = JSON.stringify({ customerId: customer.json.id, type: 'inquiry', channel: 'api', priority: 'normal', subject: '限流工单', description: '' });
    const started = Date.now();
    const res = await Promise.all(
      Array.from({ length: N }, async () => {
        const r = await fetch(`${lb}/api/v1/tickets`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
        });
        return { status: r.status, type: r.headers.get('content-type') ?? '', retryAfter: r.headers.get('retry-after'), text: await r.text() };
      }),
    );
    const elapsed = Date.now() - started;
    const ok = res.filter((r) => r.status === 201);
    const shed = res.filter((r) => r.status === 503);
    console.log(`nginx limits: ${N} concurrent creates in ${elapsed} ms → ${ok.length} created, ${shed.length} refused by nginx`);
    expect(ok.length + shed.length).toBe(N);
    expect(ok.length).toBeGreaterThan(0);
    expect(shed.length).toBeGreaterThan(0);
    expect(ok.length).toBeLessThanOrEqual(11 + Math.ceil((elapsed / 1000) * 20) + 1); // the burst plus the rate, nothing more
    for (const r of shed) {
      expect(r.type).toMatch(/application\/problem\+json/);
      expect(r.retryAfter).toBe('1');
      expect(JSON.parse(r.text)).toMatchObject({ status: 503, code: 'overloaded' });
    }
    // nginx's log: every refusal was answered by nginx itself (no upstream), every admitted request by the node.
    const log = readFileSync(path.join(dir, 'access.log'), 'utf8')
      .trim()
      .split('\n')
      .filter((l) => l.includes(' POST '));
    expect(log.filter((l) => l.startsWith('503 ')).every((l) => l.endsWith(' -'))).toBe(true);
    expect(log.filter((l) => l.startsWith('201 ')).length).toBe(ok.length);
    // Exactly the admitted creates exist; after Retry-After, a create goes through again.
    const list = await direct('GET', '/tickets?limit=200');
    expect(list.json.items.filter((x: { subject: string }) => x.subject === '限流工单').length).toBe(ok.length);
    await sleep(1000);
    const again = await fetch(`${lb}/api/v1/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });
    expect(again.status).toBe(201);
  }, 90_000);
});
