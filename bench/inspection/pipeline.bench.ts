/**
 * Automatic inspection at volume (#15): 10,000 staff replies a minute written over HTTP on PostgreSQL, every one
 * inspected by the worker, while ticket commands go on. Two runs on a fresh database each, the same paced load:
 *   - worker on: the replies queue and the inspection worker (in the server process) inspects them;
 *   - worker off (CHIDU_INSPECTION_WORKER=0): the replies queue, nothing inspects them — the baseline for the
 *     command latency, so the difference is what inspection costs the commands.
 * During each run a second client creates tickets at a steady pace: their p50/p99 is "the ticket commands".
 * Measured: replies written/s and their latency, creates' latency, the oldest queued reply's age sampled every
 * second (the inspection lag), and the time to drain what is left once the load stops.
 *   npm run bench -- inspection     (BENCH_REPLIES_PER_MIN=10000 BENCH_SECONDS=30 BENCH_CREATES_PER_SEC=20)
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import pg from 'pg';
import { freshDatabaseUrl } from '../../packages/server/test/harness';
import { startProcess } from '../../packages/server/test/process-harness';
import { api } from '../lib/http';
import { DATA_FILE, type Item } from './dataset';

const PER_MIN = Number(process.env.BENCH_REPLIES_PER_MIN ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CREATES_PER_SEC = Number(process.env.BENCH_CREATES_PER_SEC ?? 20);
const PG_URL = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const ADMIN = ['BENCH01', 'Bench-Passw0rd!'] as const;
const TICKETS = 300;

const texts = readFileSync(DATA_FILE, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => (JSON.parse(l) as Item).text);

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

async function run(worker: boolean) {
  process.env.TEST_DATABASE_URL = PG_URL;
  const f = await freshDatabaseUrl();
  const env: Record<string, string> = {
    DATABASE_URL: f.url,
    DATABASE_POOL_SIZE: '20',
    CHIDU_BOOTSTRAP_ADMIN: ADMIN.join(':'),
    LOG_LEVEL: 'warn',
    ...(worker ? {} : { CHIDU_INSPECTION_WORKER: '0' }),
  };
  const server = await startProcess(env, 60_000);
  const db = new pg.Client({ connectionString: f.url });
  await db.connect();
  try {
    const url = server.url;
    const admin = (await api(url, null, 'POST', '/api/v1/auth/login', { employeeNo: ADMIN[0], password: ADMIN[1] })).token as string;
    const team = await api(url, admin, 'POST', '/api/v1/teams', { name: '压测客服组' });
    await api(url, admin, 'POST', '/api/v1/staff', { employeeNo: 'AG001', name: '压测客服', password: 'Passw0rd!', roles: ['agent'], teamId: team.id });
    const agent = (await api(url, null, 'POST', '/api/v1/auth/login', { employeeNo: 'AG001', password: 'Passw0rd!' })).token as string;
    const customer = await api(url, agent, 'POST', '/api/v1/customers', { name: '压测客户', phone: '13800000000' });
    const createBody = (i: number) => ({
      customerId: customer.id,
      type: ['inquiry', 'complaint', 'repair'][i % 3],
      channel: ['phone', 'chat', 'email'][i % 3],
      priority: 'normal',
      subject: `压测工单 ${i}`,
      description: '请尽快处理',
    });
    const ids: string[] = [];
    for (let i = 0; i < TICKETS; i++) ids.push((await api(url, agent, 'POST', '/api/v1/tickets', createBody(i))).id as string);
    // What the setup queued is inspected before the measured load starts.
    for (let i = 0; worker && i < 600; i++) {
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM qa_queue');
      if (Number(rows[0]!.n) === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const before = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM ticket_replies')).rows[0]!.n);

    // Sample the inspection lag: the age of the oldest queued message, every second.
    const lags: number[] = [];
    const sampler = setInterval(() => {
      void db
        .query<{ age: number | null }>('SELECT (extract(epoch FROM now() - min(queued_at)) * 1000)::float8 AS age FROM qa_queue')
        .then((r) => lags.push(r.rows[0]!.age ?? 0))
        .catch(() => undefined);
    }, 1000);

    let n = 0;
    let c = TICKETS;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${agent}` };
    const [replies, creates] = await Promise.all([
      autocannon({
        url,
        connections: 16,
        duration: SECONDS,
        overallRate: Math.round(PER_MIN / 60),
        headers,
        requests: [
          {
            method: 'POST',
            setupRequest: (req: Record<string, unknown>) => {
              const i = n++;
              return {
                ...req,
                path: `/api/v1/tickets/${ids[i % ids.length]}/replies`,
                body: JSON.stringify({ body: texts[i % texts.length], visibility: 'public' }),
              };
            },
          },
        ],
      }),
      autocannon({
        url: `${url}/api/v1/tickets`,
        method: 'POST',
        connections: 4,
        duration: SECONDS,
        overallRate: CREATES_PER_SEC,
        headers,
        requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: JSON.stringify(createBody(c++)) }) }],
      }),
    ]);
    clearInterval(sampler);
    const stopped = Date.now();
    let drainMs: number | null = null;
    for (let i = 0; worker && i < 1200; i++) {
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM qa_queue');
      if (Number(rows[0]!.n) === 0) {
        drainMs = Date.now() - stopped;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const written = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM ticket_replies')).rows[0]!.n) - before;
    const hits = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM qa_hits')).rows[0]!.n);
    const left = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM qa_queue')).rows[0]!.n);
    lags.sort((a, b) => a - b);
    return {
      worker,
      replies: {
        perMinute: Math.round((written / SECONDS) * 60),
        written,
        p50Ms: replies.latency.p50,
        p99Ms: replies.latency.p99,
        non2xx: replies.non2xx + replies.errors,
      },
      creates: {
        perSecond: Math.round(creates.requests.average),
        p50Ms: creates.latency.p50,
        p99Ms: creates.latency.p99,
        non2xx: creates.non2xx + creates.errors,
      },
      lagMs: worker ? { p50: lags[Math.floor(lags.length / 2)] ?? 0, max: lags.at(-1) ?? 0 } : null,
      drainMs,
      hits,
      leftQueued: left,
    };
  } finally {
    await db.end();
    server.proc.kill('SIGTERM');
    await server.exited;
    await f.drop();
  }
}

if (process.env.BENCH_PIPELINE === '0') {
  console.log('BENCH_PIPELINE=0: the pipeline benchmark is skipped (the rule figures are inspection.bench.ts)');
  process.exit(0);
}
if (!(await pgReachable())) {
  console.log('PostgreSQL not reachable: the inspection pipeline benchmark runs on PostgreSQL only; skipped');
  process.exit(0);
}
for (const worker of [true, false]) {
  const r = await run(worker);
  const w = worker ? 'worker on ' : 'worker off';
  console.log(
    `[postgres, ${w}] replies ${r.replies.perMinute.toLocaleString('en')}/min (${r.replies.written} in ${SECONDS} s) p50 ${r.replies.p50Ms} ms p99 ${r.replies.p99Ms} ms, ${r.replies.non2xx} non-2xx; ` +
      `creates ${r.creates.perSecond}/s p50 ${r.creates.p50Ms} ms p99 ${r.creates.p99Ms} ms, ${r.creates.non2xx} non-2xx` +
      (worker
        ? `; inspection lag (oldest queued, sampled each second) p50 ${Math.round(r.lagMs!.p50)} ms max ${Math.round(r.lagMs!.max)} ms; drained ${r.drainMs ?? 'not'} ms after the load; ${r.hits} hits`
        : `; ${r.leftQueued} left queued (nothing inspects)`),
  );
}
