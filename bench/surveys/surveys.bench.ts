/**
 * Surveys benchmark: answer throughput and latency on the public endpoint POST /api/v1/public/surveys/{token}
 * (no auth, signed single-use tokens), PGlite and PostgreSQL, one server process each. Every request uses a fresh
 * token (seeded invitations on seeded resolved tickets); 10 % of the answers are low (CSAT 2), so they also open a
 * recovery case with its three clocks. The rate limits are raised for the run (CHIDU_SURVEY_RATE_TOKEN / _IP).
 *   npm run bench -- surveys     (BENCH_SECONDS=10 BENCH_CONNECTIONS=16 BENCH_DB=pglite|postgres)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../packages/server/src/db/client';
import { ensureDefaultTemplate } from '../../packages/server/src/modules/surveys/surveys.commands';
import { signToken } from '../../packages/server/src/modules/surveys/token';
import { freshDatabaseUrl } from '../../packages/server/test/harness';
import { startProcess, tempDataDir, type ServerProc } from '../../packages/server/test/process-harness';
import { api } from '../lib/http';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const PG_URL = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const ADMIN = ['BENCH01', 'Bench-Passw0rd!'] as const;
const SECRET = 'bench-survey-secret-0123456789abcdef';

async function setup(url: string) {
  const admin = (await api(url, null, 'POST', '/api/v1/auth/login', { employeeNo: ADMIN[0], password: ADMIN[1] })).token as string;
  const team = await api(url, admin, 'POST', '/api/v1/teams', { name: '压测客服组' });
  await api(url, admin, 'POST', '/api/v1/staff', { employeeNo: 'AG001', name: '压测客服', password: 'Passw0rd!', roles: ['agent'], teamId: team.id });
  await api(url, admin, 'POST', '/api/v1/staff', { employeeNo: 'SP001', name: '压测主管', password: 'Passw0rd!', roles: ['supervisor'], teamId: team.id });
  const agent = (await api(url, null, 'POST', '/api/v1/auth/login', { employeeNo: 'AG001', password: 'Passw0rd!' })).token as string;
  const customer = await api(url, agent, 'POST', '/api/v1/customers', { name: '压测客户', tier: 'gold' });
  // One real resolve so the recovery standards path is warm and the default template exists.
  const t = await api(url, agent, 'POST', '/api/v1/tickets', {
    customerId: customer.id,
    type: 'inquiry',
    channel: 'phone',
    priority: 'normal',
    subject: '预热',
    description: '预热',
  });
  await api(url, agent, 'POST', `/api/v1/tickets/${t.id}/resolve`, { resolution: '预热' });
  return { teamId: team.id as string, customerId: customer.id as string };
}

/** N resolved tickets, each with one sent invitation; returns the tokens. */
async function seed(env: Record<string, string>, teamId: string, customerId: string, n: number): Promise<string[]> {
  const database = await openDatabase(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.DATA_DIR });
  try {
    await ensureDefaultTemplate(database.db);
    const [tpl] = await database.rows<{ id: string; version: number }>(sql`SELECT id, version FROM survey_templates ORDER BY created_at LIMIT 1`);
    const [owner] = await database.rows<{ id: string }>(sql`SELECT id FROM staff WHERE team_id = ${teamId} LIMIT 1`);
    await database.db.execute(sql`
      INSERT INTO tickets (id, number, customer_id, type, channel, priority, status, subject, description, owner_id, team_id, created_by_kind, created_at, updated_at, resolved_at, resolution)
      SELECT (lpad(to_hex((extract(epoch from now())*1000)::bigint - 50000000 + g), 12, '0') || '7000' || '8000' || lpad(to_hex(g), 12, '0'))::uuid,
             'GD20250202-' || lpad(g::text, 6, '0'), ${customerId}::uuid, 'inquiry', 'phone', 'normal', 'resolved', '压测工单 ' || g, '压测', ${owner!.id}::uuid, ${teamId}::uuid, 'staff', now(), now(), now(), '已处理'
      FROM generate_series(1, ${n}) g`);
    const rows = await database.rows<{ id: string }>(sql`
      INSERT INTO survey_invitations (id, template_id, template_version, ticket_id, customer_id, owner_id, team_id, trigger, channel, state, send_at, sent_at, expires_at)
      SELECT (lpad(to_hex((extract(epoch from now())*1000)::bigint - 40000000 + row_number() OVER ()), 12, '0') || '7000' || '9000' || lpad(to_hex(row_number() OVER ()), 12, '0'))::uuid,
             ${tpl!.id}::uuid, ${tpl!.version}, t.id, t.customer_id, t.owner_id, t.team_id, 'ticket.resolved', 'link', 'sent', now(), now(), now() + interval '7 days'
      FROM tickets t WHERE t.number LIKE 'GD20250202-%' RETURNING id`);
    const secret = Buffer.from(SECRET, 'utf8');
    return rows.map((r) => signToken(secret, r.id));
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
  const common = {
    ...env,
    CHIDU_BOOTSTRAP_ADMIN: ADMIN.join(':'),
    LOG_LEVEL: 'warn',
    CHIDU_SURVEY_SECRET: SECRET,
    CHIDU_SURVEY_RATE_TOKEN: '1000000',
    CHIDU_SURVEY_RATE_IP: '100000000',
    CHIDU_LOOPS_WORKER: '0',
  };
  let server: ServerProc = await startProcess(common, 60_000);
  const ids = await setup(server.url);
  server.proc.kill('SIGTERM');
  await server.exited;
  const want = kind === 'pglite' ? 600 * SECONDS : 2500 * SECONDS;
  const tokens = await seed(env, ids.teamId, ids.customerId, want);
  server = await startProcess(common, 60_000);
  let n = 0;
  const good = JSON.stringify({ csat: 5, comment: '很满意' });
  const low = JSON.stringify({ csat: 2, reasons: ['响应太慢'] });
  const r = await autocannon({
    url: `${server.url}/api/v1/public/surveys/x`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => {
          const i = n++;
          return { ...req, path: `/api/v1/public/surveys/${tokens[i % tokens.length]}`, body: i % 10 === 9 ? low : good };
        },
      },
    ],
  });
  // one more on a used token: must be 409
  const again = await fetch(`${server.url}/api/v1/public/surveys/${tokens[0]}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: good,
  });
  server.proc.kill('SIGTERM');
  await server.exited;
  const counts = await (async () => {
    const database = await openDatabase(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.DATA_DIR });
    try {
      const [c] = await database.rows<{ responses: number; recoveries: number; clocks: number }>(
        sql`SELECT (SELECT count(*)::int FROM survey_responses) AS responses, (SELECT count(*)::int FROM recovery_cases) AS recoveries, (SELECT count(*)::int FROM standard_instances WHERE code LIKE 'RECOVERY-%') AS clocks`,
      );
      return c!;
    } finally {
      await database.close();
    }
  })();
  if (drop) await drop();
  return {
    database: kind,
    answersPerSecond: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p90Ms: r.latency.p90,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    total: r.requests.total,
    non2xx: r.non2xx + r.errors,
    tokensSeeded: tokens.length,
    tokensReused: Math.max(0, r.requests.total - tokens.length),
    usedTokenStatus: again.status,
    stored: counts,
    connections: CONNECTIONS,
    seconds: SECONDS,
  };
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
  console.log(
    `[${r.database}] survey answers: ${r.answersPerSecond}/s, p50 ${r.p50Ms} ms, p90 ${r.p90Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms (${r.total} answers, ${r.non2xx} non-2xx, ${r.tokensReused} beyond the seeded tokens; stored ${r.stored.responses} responses, ${r.stored.recoveries} recovery cases, ${r.stored.clocks} recovery clocks; used token → ${r.usedTokenStatus})`,
  );
}
mkdirSync(path.resolve('bench/results'), { recursive: true });
writeFileSync(
  path.resolve('bench/results/surveys.json'),
  `${JSON.stringify({ bench: 'surveys', at: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version }, results }, null, 2)}\n`,
);
console.log('wrote bench/results/surveys.json');
