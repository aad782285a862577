/**
 * Overload benchmark: ticket creates offered at twice the measured capacity, with and without load shedding.
 * 1. capacity: closed loop, BENCH_CAPACITY_CONNECTIONS (256) clients for BENCH_CAPACITY_SECONDS (5) → C creates/s;
 * 2. open loop at BENCH_OVERLOAD_FACTOR × C (2×) from BENCH_OVERLOAD_CONNECTIONS (1000) connections for
 *    BENCH_SECONDS (10), once per MAX_IN_FLIGHT in BENCH_MAX_IN_FLIGHT ("0,256": 0 = no shedding; with shedding the
 *    create queue also sheds past CHIDU_CREATE_MAX_WAIT_MS, default 2000).
 * "answered/s" below "offered/s" means the load generator could not send that fast (each connection waits for its
 * answer): requests then wait in the server's socket queue, which is part of the latency reported.
 * Reports the p50 / p99 of the admitted creates (2xx), the share shed (503 overloaded) and how fast a refusal is.
 *   npm run bench -- overload     (BENCH_DB=pglite|postgres, default pglite)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
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
const LIMITS = (process.env.BENCH_MAX_IN_FLIGHT ?? '0,256').split(',').map(Number);
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

/** One autocannon run; latencies split by outcome (admitted 2xx, shed 503, other). */
function run(url: string, token: string, customerId: string, o: { connections: number; seconds: number; overallRate?: number }) {
  const bodies = ['phone', 'api', 'walk_in', 'portal'].map((channel, i) => JSON.stringify({
    customerId, type: ['repair', 'inquiry', 'complaint', 'after_sales'][i], channel, priority: 'normal', subject: `过载工单 ${channel}`, description: '楼上漏水，天花板一直滴水',
  }));
  let n = 0;
  const admitted: number[] = []; const shed: number[] = []; let other = 0;
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    const inst = autocannon({
      url: `${url}/api/v1/tickets`, method: 'POST', connections: o.connections, duration: o.seconds, timeout: 30,
      ...(o.overallRate ? { overallRate: o.overallRate } : {}),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: bodies[n++ % bodies.length] }) }],
    }, (err, r) => {
      if (err) return reject(err);
      const total = admitted.length + shed.length + other;
      resolve({
        offeredPerSecond: o.overallRate ?? null, answeredPerSecond: Math.round(total / o.seconds), connections: o.connections, seconds: o.seconds,
        admittedPerSecond: Math.round(admitted.length / o.seconds), admittedP50Ms: pct(admitted, 50), admittedP99Ms: pct(admitted, 99),
        shedShare: total ? Math.round((shed.length / total) * 1000) / 1000 : 0, shedP99Ms: pct(shed, 99), other, errors: r.errors, timeouts: r.timeouts,
      });
    });
    inst.on('response', (_c: unknown, status: number, _b: number, ms: number) => {
      if (status >= 200 && status < 300) admitted.push(ms); else if (status === 503) shed.push(ms); else other++;
    });
  });
}

async function server(env: Record<string, string>) {
  return startProcess({ ...env, CHIDU_BOOTSTRAP_ADMIN: ADMIN.join(':'), LOG_LEVEL: 'warn' }, 60_000);
}

let drop: (() => Promise<void>) | null = null;
async function dbEnv(): Promise<Record<string, string>> {
  if (DB === 'pglite') return { DATA_DIR: tempDataDir() };
  if (drop) await drop();
  const f = await freshDatabaseUrl();
  drop = f.drop;
  return { DATABASE_URL: f.url, DATABASE_POOL_SIZE: '20' };
}

const stop = async (s: ServerProc) => { s.proc.kill('SIGTERM'); await s.exited; };

// 1. Capacity (closed loop, shedding off so nothing is refused).
let s = await server({ ...(await dbEnv()), MAX_IN_FLIGHT: '0', CHIDU_CREATE_QUEUE_MAX: '0', CHIDU_CREATE_MAX_WAIT_MS: '0' });
let ids = await setup(s.url);
await run(s.url, ids.agent, ids.customerId, { connections: 8, seconds: 2 }); // warm-up
const capacity = await run(s.url, ids.agent, ids.customerId, { connections: CAPACITY_CONNECTIONS, seconds: CAPACITY_SECONDS });
const C = capacity.admittedPerSecond as number;
console.log(`[${DB}] capacity, ${CAPACITY_CONNECTIONS} clients closed loop: ${C} creates/s, p50 ${capacity.admittedP50Ms} ms, p99 ${capacity.admittedP99Ms} ms`);
await stop(s);

// 2. Twice that, open loop, without and with shedding (a fresh database each time, so both start alike).
const overload = [];
for (const limit of LIMITS) {
  s = await server({ ...(await dbEnv()), MAX_IN_FLIGHT: String(limit), CHIDU_CREATE_QUEUE_MAX: limit ? String(limit) : '0', CHIDU_CREATE_MAX_WAIT_MS: limit ? (process.env.CHIDU_CREATE_MAX_WAIT_MS ?? '2000') : '0' });
  ids = await setup(s.url);
  await run(s.url, ids.agent, ids.customerId, { connections: 8, seconds: 2 }); // warm-up
  const r = await run(s.url, ids.agent, ids.customerId, { connections: OVERLOAD_CONNECTIONS, seconds: SECONDS, overallRate: Math.round(C * FACTOR) });
  overload.push({ maxInFlight: limit, ...r });
  console.log(`[${DB}] ${FACTOR}× capacity (${Math.round(C * FACTOR)}/s offered), MAX_IN_FLIGHT=${limit || 'off'}: answered ${r.answeredPerSecond}/s; admitted ${r.admittedPerSecond}/s, p50 ${r.admittedP50Ms} ms, p99 ${r.admittedP99Ms} ms; shed ${(Number(r.shedShare) * 100).toFixed(1)} % (p99 ${r.shedP99Ms ?? '–'} ms); other ${r.other}, errors ${r.errors}, timeouts ${r.timeouts}`);
  await stop(s);
}
if (drop) await drop();

mkdirSync(path.resolve('bench/results'), { recursive: true });
writeFileSync(path.resolve('bench/results/overload.json'), `${JSON.stringify({ bench: 'overload', at: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version }, database: DB, capacity, factor: FACTOR, overload }, null, 2)}\n`);
console.log('wrote bench/results/overload.json');
