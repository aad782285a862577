/**
 * Overload benchmark: ticket creates offered at twice the measured capacity, with and without load shedding.
 * 1. capacity: closed loop, BENCH_CAPACITY_CONNECTIONS (256) clients for BENCH_CAPACITY_SECONDS (5) → C creates/s;
 * 2. open loop at BENCH_OVERLOAD_FACTOR × C (2×) from BENCH_OVERLOAD_CONNECTIONS (1000) connections for
 *    BENCH_SECONDS (10), once per mode in BENCH_SHED ("off,on"): `off` turns every limit off (MAX_IN_FLIGHT,
 *    CHIDU_SHED_TARGET_MS, CHIDU_CREATE_QUEUE_MAX, CHIDU_CREATE_MAX_WAIT_MS, CHIDU_SHED_QUEUE_WAIT_MS = 0); `on` runs the
 *    server's defaults, or those five variables when set in the benchmark's environment; `nginx` is `on` behind nginx with the shipped
 *    deploy/nginx limits, rate set to 2/3 of C and burst to C/2 (as docs/operations.md#overload says to size them).
 * BENCH_PIN=1 pins the server to CPU 0 and the load generator (this process) to CPU 1 with `taskset` (PostgreSQL is
 *   left where the system runs it), so the generator does not take the server's CPU; unpinned both share every core.
 * "answered/s" below "offered/s" means the load generator could not send that fast (each connection waits for its
 * answer): requests then wait in the server's socket queue, which is part of the latency reported.
 * Reports the p50 / p99 of the admitted creates (2xx) — over the whole run and over its second half (steady state) —,
 * the share shed (503 overloaded) and how fast a refusal is.
 * Diagnosis: BENCH_DEBUG_FILE=/tmp/x.json writes every answer of the 2× runs as [time, ms, status, local port] (match
 *   a slow answer to the server's view of that connection by port); BENCH_NGINX_KEEPALIVE sizes nginx's upstream
 *   keepalive pool (64); each run reports the kernel's accept-queue overflows (TcpExt ListenOverflows).
 *   npm run bench -- overload     (BENCH_DB=pglite|postgres, default pglite)
 */
import { spawnSync } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { freshDatabaseUrl } from '../../packages/server/test/harness';
import { startProcess, tempDataDir, type ServerProc } from '../../packages/server/test/process-harness';
import { api } from '../lib/http';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CAPACITY_SECONDS = Number(process.env.BENCH_CAPACITY_SECONDS ?? 5);
// Creates are batched, so throughput grows with concurrency: capacity is measured with many clients (full batches).
const CAPACITY_CONNECTIONS = Number(process.env.BENCH_CAPACITY_CONNECTIONS ?? 256);
const OVERLOAD_CONNECTIONS = Number(process.env.BENCH_OVERLOAD_CONNECTIONS ?? 1000);
const FACTOR = Number(process.env.BENCH_OVERLOAD_FACTOR ?? 2);
const MODES = (process.env.BENCH_SHED ?? 'off,on').split(',').filter((m) => m === 'off' || m === 'on' || m === 'nginx');
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
const PIN = process.env.BENCH_PIN === '1';
const SHED_VARS = ['MAX_IN_FLIGHT', 'CHIDU_SHED_TARGET_MS', 'CHIDU_CREATE_QUEUE_MAX', 'CHIDU_CREATE_MAX_WAIT_MS', 'CHIDU_SHED_QUEUE_WAIT_MS'] as const;
const SHED_OFF = Object.fromEntries(SHED_VARS.map((k) => [k, '0']));
const SHED_ON = Object.fromEntries(SHED_VARS.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]));
/** Pin a process (all its threads) to one CPU. */
const pin = (pid: number, cpu: number) => {
  const r = spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`taskset failed: ${r.stderr}`);
};
if (PIN) pin(process.pid, 1);
const DB = process.env.BENCH_DB === 'postgres' ? 'postgres' : 'pglite';
const ADMIN = ['BENCH01', 'Bench-Passw0rd!'] as const;

async function setup(url: string) {
  const admin = (await api(url, null, 'POST', '/api/v1/auth/login', { employeeNo: ADMIN[0], password: ADMIN[1] })).token as string;
  const team = await api(url, admin, 'POST', '/api/v1/teams', { name: '压测客服组' });
  await api(url, admin, 'POST', '/api/v1/staff', { employeeNo: 'AG001', name: '压测客服', password: 'Passw0rd!', roles: ['agent'], teamId: team.id });
  const agent = (await api(url, null, 'POST', '/api/v1/auth/login', { employeeNo: 'AG001', password: 'Passw0rd!' })).token as string;
  const customer = await api(url, agent, 'POST', '/api/v1/customers', { name: '压测客户', phone: '13800000000', tier: 'gold' });
  await api(url, admin, 'POST', '/api/v1/dispatch/rules', { name: '金卡客户', conditions: { tiers: ['gold'] }, teamId: team.id });
  return { agent, customerId: customer.id as string };
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10;
};

/** What one run measured: rates per second, latency percentiles in ms (null when nothing was counted). */
interface RunResult {
  offeredPerSecond: number | null;
  answeredPerSecond: number;
  connections: number;
  seconds: number;
  admittedPerSecond: number;
  admittedP50Ms: number | null;
  admittedP99Ms: number | null;
  secondHalfP99Ms: number | null;
  shedShare: number;
  shedP50Ms: number | null;
  shedP99Ms: number | null;
  /** p99 of each connection's first answer (includes connecting). */
  firstAnswerP99Ms: number | null;
  /** Handshakes the kernel dropped because a listening socket's accept queue was full (TcpExt ListenOverflows). */
  listenOverflows: number | null;
  /** Each second of the run (by when the answer came): admitted count, p50, p99 (ms), shed count. */
  perSecond: { admitted: number; p50: number | null; p99: number | null; shed: number }[];
  other: number;
  errors: number;
  timeouts: number;
}

/** The host's TcpExt ListenOverflows counter (Linux), or null. */
function listenOverflows(): number | null {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('TcpExt:'));
    const [names, values] = lines.map((l) => l.trim().split(/\s+/));
    const i = names!.indexOf('ListenOverflows');
    return i > 0 ? Number(values![i]) : null;
  } catch {
    return null;
  }
}

/** One autocannon run; latencies split by outcome (admitted 2xx, shed 503, other). */
function run(url: string, token: string, customerId: string, o: { connections: number; seconds: number; overallRate?: number }) {
  const bodies = ['phone', 'api', 'walk_in', 'portal'].map((channel, i) =>
    JSON.stringify({
      customerId,
      type: ['repair', 'inquiry', 'complaint', 'after_sales'][i],
      channel,
      priority: 'normal',
      subject: `过载工单 ${channel}`,
      description: '楼上漏水，天花板一直滴水',
    }),
  );
  let n = 0;
  const admitted: number[] = [];
  const shed: number[] = [];
  let other = 0;
  const late: number[] = []; // admitted in the second half of the run
  const seen = new WeakSet<object>();
  const firsts: number[] = [];
  /** Per second of the run (by when the answer came): admitted latencies, shed count. */
  const bySecond: { admitted: number[]; shed: number }[] = Array.from({ length: o.seconds + 2 }, () => ({ admitted: [], shed: 0 }));
  const t0 = Date.now();
  const overflows0 = listenOverflows();
  return new Promise<RunResult>((resolve, reject) => {
    const inst = autocannon(
      {
        url: `${url}/api/v1/tickets`,
        method: 'POST',
        connections: o.connections,
        duration: o.seconds,
        timeout: 30,
        ...(o.overallRate ? { overallRate: o.overallRate } : {}),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: bodies[n++ % bodies.length] }) }],
      },
      (err: Error | null, r: { errors: number; timeouts: number }) => {
        if (err) return reject(err);
        const total = admitted.length + shed.length + other;
        resolve({
          offeredPerSecond: o.overallRate ?? null,
          answeredPerSecond: Math.round(total / o.seconds),
          connections: o.connections,
          seconds: o.seconds,
          admittedPerSecond: Math.round(admitted.length / o.seconds),
          admittedP50Ms: pct(admitted, 50),
          admittedP99Ms: pct(admitted, 99),
          secondHalfP99Ms: pct(late, 99),
          shedShare: total ? Math.round((shed.length / total) * 1000) / 1000 : 0,
          shedP50Ms: pct(shed, 50),
          shedP99Ms: pct(shed, 99),
          firstAnswerP99Ms: pct(firsts, 99),
          listenOverflows: overflows0 === null ? null : listenOverflows()! - overflows0,
          perSecond: bySecond.map((b) => ({ admitted: b.admitted.length, p50: pct(b.admitted, 50), p99: pct(b.admitted, 99), shed: b.shed })),
          other,
          errors: r.errors,
          timeouts: r.timeouts,
        });
      },
    );
    const dbg: unknown[] = [];
    if (process.env.BENCH_DEBUG_FILE) inst.on('done', () => writeFileSync(process.env.BENCH_DEBUG_FILE!, JSON.stringify(dbg)));
    inst.on('response', (c: object, status: number, _b: number, ms: number) => {
      dbg.push([Date.now(), Math.round(ms), status, (c as { conn?: { localPort?: number } }).conn?.localPort]);
      // A connection's first answer includes connecting (1,000 at once at the start): counted apart as well.
      if (!seen.has(c)) {
        seen.add(c);
        firsts.push(ms);
      }
      const sec = bySecond[Math.min(bySecond.length - 1, Math.floor((Date.now() - t0) / 1000))]!;
      if (status >= 200 && status < 300) sec.admitted.push(ms);
      else if (status === 503) sec.shed++;
      if (status >= 200 && status < 300) {
        admitted.push(ms);
        if (Date.now() - t0 > (o.seconds * 1000) / 2) late.push(ms);
      } else if (status === 503) shed.push(ms);
      else other++;
    });
  });
}

/**
 * Passed on to the server (diagnosis): BENCH_SERVER_NODE_OPTIONS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) as its
 * NODE_OPTIONS; CHIDU_DB_TRACE_FILE (the embedded database's slowest jobs, db/lanes.ts) and
 * CHIDU_PGLITE_BACKGROUND_MAX_WAIT_MS, LISTEN_BACKLOG and LISTEN_SOCKETS as they are.
 */
const DIAG: Record<string, string> = {
  ...(process.env.BENCH_SERVER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS } : {}),
  ...Object.fromEntries(
    ['CHIDU_DB_TRACE_FILE', 'CHIDU_PGLITE_BACKGROUND_MAX_WAIT_MS', 'LISTEN_BACKLOG', 'LISTEN_SOCKETS']
      .filter((k) => process.env[k])
      .map((k) => [k, process.env[k]!]),
  ),
};
async function server(env: Record<string, string>) {
  const s = await startProcess({ ...env, ...DIAG, CHIDU_BOOTSTRAP_ADMIN: ADMIN.join(':'), LOG_LEVEL: 'warn' }, 180_000);
  live.add(s);
  void s.exited.then(() => live.delete(s));
  if (PIN) pin(s.proc.pid!, 0);
  return s;
}
// A benchmark that fails midway leaves no server behind.
const live = new Set<ServerProc>();
process.on('exit', () => {
  for (const s of live) s.proc.kill('SIGKILL');
});

let drop: (() => Promise<void>) | null = null;
async function dbEnv(): Promise<Record<string, string>> {
  if (DB === 'pglite') return { DATA_DIR: tempDataDir() };
  if (drop) await drop();
  const f = await freshDatabaseUrl();
  drop = f.drop;
  return { DATABASE_URL: f.url, DATABASE_POOL_SIZE: '20' };
}

const stop = async (s: ServerProc) => {
  s.proc.kill('SIGTERM');
  await s.exited;
};

// 1. Capacity (closed loop, shedding off so nothing is refused).
let s = await server({ ...(await dbEnv()), ...SHED_OFF });
let ids = await setup(s.url);
await run(s.url, ids.agent, ids.customerId, { connections: 8, seconds: 2 }); // warm-up
const capacity = await run(s.url, ids.agent, ids.customerId, { connections: CAPACITY_CONNECTIONS, seconds: CAPACITY_SECONDS });
const C = capacity.admittedPerSecond;
console.log(
  `[${DB}, ${PIN ? 'pinned' : 'unpinned'}, load ${os.loadavg()[0]!.toFixed(1)}] capacity, ` +
    `${CAPACITY_CONNECTIONS} clients closed loop: ${C} creates/s, p50 ${capacity.admittedP50Ms} ms, p99 ${capacity.admittedP99Ms} ms`,
);
await stop(s);

// 2. Twice that, open loop, without and with shedding (a fresh database each time, so both start alike).
/** nginx in front of `url` with the shipped snippet and limits (rate and burst sized to C); resolves to its URL. */
async function nginxFront(url: string, C: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chidu-bench-nginx-'));
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(dir, d));
  const limits = readFileSync(path.resolve('deploy/nginx/conf.d/chidu-limits.conf'), 'utf8').replace(/rate=\d+r\/s/, `rate=${Math.round((C * 2) / 3)}r/s`);
  const snippet = readFileSync(path.resolve('deploy/nginx/snippets/chidu-proxy.conf'), 'utf8').replace(/burst=\d+/, `burst=${Math.round(C / 2)}`);
  writeFileSync(path.join(dir, 'limits.conf'), limits);
  writeFileSync(path.join(dir, 'snippet.conf'), snippet);
  const port = 20000 + Math.floor(Math.random() * 20000);
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;\ndaemon off;\npid ${dir}/nginx.pid;
error_log ${dir}/error.log error;\nevents { worker_connections 4096; }\nhttp {\n  access_log off;
  client_body_temp_path ${dir}/body;\n  proxy_temp_path ${dir}/proxy;\n  fastcgi_temp_path ${dir}/fastcgi;\n  uwsgi_temp_path ${dir}/uwsgi;\n  scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }\n  include ${dir}/limits.conf;
  upstream chidu { server ${new URL(url).host}; keepalive ${process.env.BENCH_NGINX_KEEPALIVE ?? 64}; }\n  server { listen 127.0.0.1:${port}; server_name localhost; include ${dir}/snippet.conf; }\n}\n`,
  );
  const proc = spawn(NGINX!, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { stdio: 'ignore' });
  process.on('exit', () => proc.kill('SIGKILL'));
  for (let i = 0; i < 100; i++) {
    if ((await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (PIN) pin(proc.pid!, 1); // with the generator: the server's CPU stays the server's
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => {
      proc.kill('SIGTERM');
    },
  };
}

const overload = [];
const pinned = PIN ? 'pinned (server CPU 0, generator CPU 1)' : 'unpinned';
for (const mode of MODES) {
  if (mode === 'nginx' && !NGINX) {
    console.log('no nginx binary: skipping the nginx run');
    continue;
  }
  s = await server({ ...(await dbEnv()), ...(mode === 'off' ? SHED_OFF : SHED_ON) });
  ids = await setup(s.url);
  await run(s.url, ids.agent, ids.customerId, { connections: 8, seconds: 2 }); // warm-up
  const front = mode === 'nginx' ? await nginxFront(s.url, C) : null;
  const r = await run(front?.url ?? s.url, ids.agent, ids.customerId, {
    connections: OVERLOAD_CONNECTIONS,
    seconds: SECONDS,
    overallRate: Math.round(C * FACTOR),
  });
  front?.stop();
  overload.push({ shedding: mode, settings: mode === 'off' ? SHED_OFF : { defaults: true, ...SHED_ON }, loadavg: os.loadavg()[0], ...r });
  console.log(
    `[${DB}, ${pinned}, load ${os.loadavg()[0]!.toFixed(1)}] ${FACTOR}× capacity (${Math.round(C * FACTOR)}/s offered), shedding ${mode}` +
      `${mode === 'on' && Object.keys(SHED_ON).length ? ` ${JSON.stringify(SHED_ON)}` : ''}: answered ${r.answeredPerSecond}/s; ` +
      `admitted ${r.admittedPerSecond}/s, p50 ${r.admittedP50Ms} ms, p99 ${r.admittedP99Ms} ms (second half ${r.secondHalfP99Ms} ms); ` +
      `shed ${(r.shedShare * 100).toFixed(1)} % (p50 ${r.shedP50Ms ?? '–'} ms, p99 ${r.shedP99Ms ?? '–'} ms); ` +
      `first answer per connection p99 ${r.firstAnswerP99Ms} ms; accept-queue overflows ${r.listenOverflows ?? '–'}; ` +
      `other ${r.other}, errors ${r.errors}, timeouts ${r.timeouts}`,
  );
  await stop(s);
}
if (drop) await drop();

mkdirSync(path.resolve('bench/results'), { recursive: true });
const machine = { cpus: os.cpus().length, node: process.version, pinned: PIN };
writeFileSync(
  path.resolve('bench/results/overload.json'),
  `${JSON.stringify({ bench: 'overload', at: new Date().toISOString(), machine, database: DB, capacity, factor: FACTOR, overload }, null, 2)}\n`,
);
console.log('wrote bench/results/overload.json');
