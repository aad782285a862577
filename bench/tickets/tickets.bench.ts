/**
 * Tickets benchmark: creation throughput and p99 over HTTP (PGlite and PostgreSQL), and queue listing p99 with
 * 100,000 tickets. Targets on a 2-core machine: ≥ 300 creates/s on PGlite, ≥ 1,000 on PostgreSQL, queue p99 ≤ 50 ms.
 *   npm run bench -- tickets     (BENCH_SECONDS=10 BENCH_CONNECTIONS=32 BENCH_CREATE_CONNECTIONS=32,64 BENCH_QUEUE_CONNECTIONS=8,1
 *                                 BENCH_QUEUE_TICKETS=100000 BENCH_DB=pglite|postgres BENCH_SERVER_ENV='{...}')
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../packages/server/src/db/client';
import { drainMeasures } from '../../packages/server/src/modules/measures/worker';
import { freshDatabaseUrl } from '../../packages/server/test/harness';
import { startProcess, tempDataDir, type ServerProc } from '../../packages/server/test/process-harness';
import { api } from '../lib/http';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
/** Creates are measured at each of these client counts (the first is the headline), the queue at each reader count. */
const CREATE_CONNECTIONS = (process.env.BENCH_CREATE_CONNECTIONS ?? `${CONNECTIONS},${CONNECTIONS * 2}`).split(',').map(Number);
const QUEUE_CONNECTIONS = (process.env.BENCH_QUEUE_CONNECTIONS ?? '8,1').split(',').map(Number);
const QUEUE_TICKETS = Number(process.env.BENCH_QUEUE_TICKETS ?? 100_000);
const PG_URL = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const ADMIN = ['BENCH01', 'Bench-Passw0rd!'] as const;

async function setup(url: string) {
  const admin = (await api(url, null, 'POST', '/api/v1/auth/login', { employeeNo: ADMIN[0], password: ADMIN[1] })).token as string;
  const team = await api(url, admin, 'POST', '/api/v1/teams', { name: '压测客服组' });
  await api(url, admin, 'POST', '/api/v1/staff', { employeeNo: 'AG001', name: '压测客服', password: 'Passw0rd!', roles: ['agent'], teamId: team.id });
  await api(url, admin, 'POST', '/api/v1/staff', { employeeNo: 'SP001', name: '压测主管', password: 'Passw0rd!', roles: ['supervisor'], teamId: team.id });
  const agent = (await api(url, null, 'POST', '/api/v1/auth/login', { employeeNo: 'AG001', password: 'Passw0rd!' })).token as string;
  const supervisor = (await api(url, null, 'POST', '/api/v1/auth/login', { employeeNo: 'SP001', password: 'Passw0rd!' })).token as string;
  const customer = await api(url, agent, 'POST', '/api/v1/customers', { name: '压测客户', phone: '13800000000', tier: 'gold' });
  await api(url, admin, 'POST', '/api/v1/dispatch/rules', { name: '金卡客户', conditions: { tiers: ['gold'] }, teamId: team.id });
  return { admin, agent, supervisor, customerId: customer.id as string, teamId: team.id as string };
}

async function creates(url: string, token: string, customerId: string, connections: number) {
  const bodies = ['phone', 'api', 'walk_in', 'portal'].map((channel, i) =>
    JSON.stringify({
      customerId,
      type: ['repair', 'inquiry', 'complaint', 'after_sales'][i],
      channel,
      priority: 'normal',
      subject: `压测工单 ${channel}`,
      description: '楼上漏水，天花板一直滴水',
    }),
  );
  let n = 0;
  const r = await autocannon({
    url: `${url}/api/v1/tickets`,
    method: 'POST',
    connections,
    duration: SECONDS,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: bodies[n++ % bodies.length] }) }],
  });
  return {
    requestsPerSecond: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    total: r.requests.total,
    non2xx: r.non2xx + r.errors,
    connections,
    seconds: SECONDS,
  };
}

async function queue(url: string, token: string, query: string, connections: number) {
  const r = await autocannon({
    url: `${url}/api/v1/tickets?${query}`,
    connections,
    duration: Math.max(5, Math.round(SECONDS / 2)),
    headers: { authorization: `Bearer ${token}` },
  });
  return { query, connections, requestsPerSecond: Math.round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx + r.errors };
}

/** Bulk-load N tickets straight into the database (the queue benchmark measures reads, not these writes). */
async function seedQueue(env: Record<string, string>, teamId: string, customerId: string, n: number) {
  const database = await openDatabase(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.DATA_DIR });
  try {
    // First finish what the create phase left to the background (the measures of its tickets), so the queue figures
    // measure reads, not that backlog.
    await drainMeasures(database);
    const staffRows = await database.rows<{ id: string }>(sql`SELECT id FROM staff WHERE team_id = ${teamId}`);
    const owners = `{${staffRows.map((s) => s.id).join(',')}}`;
    await database.db.execute(sql`
      INSERT INTO tickets (id, number, customer_id, type, channel, priority, status, subject, description, owner_id, team_id, created_by_kind, created_at, updated_at)
      SELECT (lpad(to_hex((extract(epoch from now())*1000)::bigint - 100000000 + g), 12, '0') || '7000' || '8000' || lpad(to_hex(g), 12, '0'))::uuid,
             'GD20250101-' || lpad(g::text, 6, '0'), ${customerId}::uuid,
             (ARRAY['repair','inquiry','complaint','after_sales','order'])[1 + g % 5], (ARRAY['phone','portal','api','chat'])[1 + g % 4],
             (ARRAY['urgent','high','normal','normal','low'])[1 + g % 5], (ARRAY['new','assigned','in_progress','pending_customer','resolved','closed','closed','closed'])[1 + g % 8],
             '历史工单 ' || g, '批量导入', (${owners}::uuid[])[1 + g % ${staffRows.length}], ${teamId}::uuid, 'staff', now() - (g || ' seconds')::interval, now()
      FROM generate_series(1, ${n}) g`);
    await database.db.execute(sql`ANALYZE tickets`);
  } finally {
    await database.close();
  }
}

async function runDb(kind: 'pglite' | 'postgres') {
  let env: Record<string, string>;
  let drop: (() => Promise<void>) | null = null;
  if (kind === 'pglite') env = { DATA_DIR: tempDataDir() };
  else {
    const f = await freshDatabaseUrl();
    env = { DATABASE_URL: f.url, DATABASE_POOL_SIZE: '20' };
    drop = () => f.drop();
  }
  // BENCH_SERVER_ENV: extra server environment as JSON, e.g. '{"CHIDU_MEASURES_WORKER":"0"}' to see what a worker costs.
  const common = {
    ...env,
    CHIDU_BOOTSTRAP_ADMIN: ADMIN.join(':'),
    LOG_LEVEL: 'warn',
    ...(JSON.parse(process.env.BENCH_SERVER_ENV ?? '{}') as Record<string, string>),
  };
  let server: ServerProc = await startProcess(common, 60_000);
  const ids = await setup(server.url);
  // Two seconds of warm-up (JIT, pools, caches), not reported.
  await autocannon({
    url: `${server.url}/api/v1/tickets`,
    method: 'POST',
    connections: 8,
    duration: 2,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ids.agent}` },
    body: JSON.stringify({ customerId: ids.customerId, type: 'repair', channel: 'api', priority: 'normal', subject: '预热', description: '预热' }),
  });
  const createRuns = [];
  for (const c of CREATE_CONNECTIONS) createRuns.push(await creates(server.url, ids.agent, ids.customerId, c));
  const create = createRuns[0]!;
  server.proc.kill('SIGTERM');
  await server.exited;
  await seedQueue(env, ids.teamId, ids.customerId, QUEUE_TICKETS);
  server = await startProcess(common, 60_000);
  const queues = [];
  for (const c of QUEUE_CONNECTIONS) {
    queues.push(await queue(server.url, ids.agent, 'ownerId=me&status=open&limit=50', c));
    queues.push(await queue(server.url, ids.agent, 'teamId=mine&status=open&limit=50', c));
    queues.push(await queue(server.url, ids.supervisor, 'status=open&limit=50', c));
    queues.push(await queue(server.url, ids.supervisor, 'unassigned=true&status=new&limit=50', c));
  }
  server.proc.kill('SIGTERM');
  await server.exited;
  if (drop) await drop();
  return { database: kind, create, createRuns, queueTickets: QUEUE_TICKETS + createRuns.reduce((n, r) => n + r.total, 0), queues };
}

async function pgReachable() {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

const only = process.env.BENCH_DB;
const results = [];
if (!only || only === 'pglite') results.push(await runDb('pglite'));
if ((!only || only === 'postgres') && (await pgReachable())) {
  process.env.TEST_DATABASE_URL = PG_URL;
  results.push(await runDb('postgres'));
}
for (const r of results) {
  for (const c of r.createRuns)
    console.log(
      `[${r.database}] ticket create, ${c.connections} connections: ${c.requestsPerSecond}/s, p50 ${c.p50Ms} ms, p99 ${c.p99Ms} ms (${c.total} created, ${c.non2xx} non-2xx)`,
    );
  for (const q of r.queues)
    console.log(
      `[${r.database}] queue ${q.query}, ${q.connections} readers, over ${r.queueTickets} tickets: p50 ${q.p50Ms} ms, p99 ${q.p99Ms} ms, ${q.requestsPerSecond} req/s`,
    );
}
mkdirSync(path.resolve('bench/results'), { recursive: true });
writeFileSync(
  path.resolve('bench/results/tickets.json'),
  `${JSON.stringify({ bench: 'tickets', at: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version }, targets: { pgliteCreatesPerSecond: 300, postgresCreatesPerSecond: 1000, queueP99Ms: 50 }, results }, null, 2)}\n`,
);
console.log('wrote bench/results/tickets.json');
