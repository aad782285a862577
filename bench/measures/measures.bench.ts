/**
 * Measures benchmark.
 *   npm run bench -- measures        (or: npx tsx bench/measures/measures.bench.ts)
 *
 * PostgreSQL: BENCH_TICKETS (default 1,000,000) tickets over 12 months and 3 events per ticket plus a survey
 * answer on every third (≈ 3.3 M events), generated with generate_series; per-ticket facts in SQL (24×7, so
 * business seconds = elapsed seconds); rollup cubes built from the facts (the module's set-based rebuild,
 * identical to the incremental worker — tested). Then through the HTTP API (app.inject, auth included):
 *   - GET /api/v1/metrics/summary over the last 30 days (rollup counters + exact P50/P90 from the facts index),
 *   - GET /api/v1/measures?groupBy=month,team over 12 months (rollup cube 3),
 *   - the worker: apply BENCH_APPLY (default 2,000) new ticket events on top of the big data set (events/s).
 * PGlite: the same at BENCH_PGLITE_TICKETS (default 100,000).
 * Target p95 ≤ 300 ms. Prints figures and writes bench/results/measures.json.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { freshDatabaseUrl, testConfig } from '../../packages/server/test/harness';
import { openDatabase, type Database } from '../../packages/server/src/db/client';
import { buildApp } from '../../packages/server/src/http/app';
import { systemCtx } from '../../packages/server/src/lib/context';
import { createStaffInTx } from '../../packages/server/src/modules/identity/identity.commands';
import { hashPassword } from '../../packages/server/src/modules/identity/secrets';
import { rollupFromFacts } from '../../packages/server/src/modules/measures/facts';
import { MeasuresWorker } from '../../packages/server/src/modules/measures/worker';
import { recordTicketEvent, type TicketSnapshot } from '../../packages/server/src/modules/tickets/ticket-events';

process.env.CHIDU_MEASURES_WORKER = '0';
process.env.CHIDU_STANDARDS_WORKER = '0';
process.env.CHIDU_DELIVERY_WORKER = '0';

const PG_TICKETS = Number(process.env.BENCH_TICKETS ?? 1_000_000);
const PGLITE_TICKETS = Number(process.env.BENCH_PGLITE_TICKETS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const APPLY = Number(process.env.BENCH_APPLY ?? 2000);
const TEAMS = 20;
const AGENTS = 200;
const DAY = 86_400_000;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const r1 = (x: number) => Math.round(x * 10) / 10;
const log = (m: string) => process.stdout.write(`[measures-bench] ${m}\n`);
const timed = async <T>(label: string, fn: () => Promise<T>) => {
  const t0 = performance.now();
  const v = await fn();
  log(`${label}: ${r1((performance.now() - t0) / 1000)} s`);
  return v;
};

/** generate_series data: teams, agents, customers, tickets, events, facts, answers, outcomes. */
async function generate(database: Database, n: number, now: number) {
  const x = (q: string) => database.db.execute(sql.raw(q));
  const span = 365 * DAY;
  const start = new Date(now - span).toISOString();
  await x(`INSERT INTO teams (id, name) SELECT md5('team' || g)::uuid, '基准团队' || g FROM generate_series(1, ${TEAMS}) g`);
  await x(
    `INSERT INTO staff (id, employee_no, name, password_hash, roles, team_id) SELECT md5('agent' || g)::uuid, 'B' || lpad(g::text, 5, '0'), '坐席' || g, 'x', ARRAY['agent'], md5('team' || (1 + g % ${TEAMS}))::uuid FROM generate_series(1, ${AGENTS}) g`,
  );
  await x(
    `INSERT INTO customers (id, name, tier) SELECT md5('cust' || g)::uuid, '客户' || g, (ARRAY['regular','silver','gold'])[1 + g % 3] FROM generate_series(1, 10000) g`,
  );
  await timed(`tickets ×${n}`, () =>
    x(`INSERT INTO tickets (id, number, customer_id, type, channel, priority, status, subject, description, owner_id, team_id, site, created_by_kind,
      created_at, first_public_reply_at, resolved_at, reopen_count, handover_count, team_transfer_count, staff_public_reply_count)
    SELECT md5('t' || g)::uuid, 'BM' || g, md5('cust' || (1 + g % 10000))::uuid,
      (ARRAY['inquiry','inquiry','repair','complaint','inquiry','repair','suggestion','inquiry','repair','complaint'])[1 + g % 10],
      (ARRAY['phone','portal','wechat','walk_in','email'])[1 + (g / 7) % 5], 'normal',
      CASE WHEN g % 20 = 0 THEN 'in_progress' ELSE 'resolved' END, '基准工单', '', md5('agent' || (1 + g % ${AGENTS}))::uuid, md5('team' || (1 + (g % ${AGENTS}) % ${TEAMS}))::uuid,
      '小区' || (g % 50), 'system',
      c, c + ((60 + (g::bigint * 7919) % 7200) || ' seconds')::interval, CASE WHEN g % 20 = 0 THEN NULL ELSE c + ((600 + (g::bigint * 104729) % 172800) || ' seconds')::interval END,
      (g % 17 = 0)::int, (g % 13 = 0)::int, (g % 29 = 0)::int, 1 + (g % 3 = 0)::int
    FROM (SELECT g, '${start}'::timestamptz + ((g::float8 / ${n}) * ${span / 1000} || ' seconds')::interval AS c FROM generate_series(1, ${n}) g) s`),
  );
  await timed('events (created, first reply, resolved, survey every 3rd)', async () => {
    await x(`INSERT INTO events (at, kind, aggregate_type, aggregate_id, actor_kind, data)
      SELECT t.created_at, 'ticket.created', 'ticket', t.id, 'system', '{}'::jsonb FROM tickets t
      UNION ALL SELECT t.first_public_reply_at, 'ticket.first_public_reply', 'ticket', t.id, 'system', '{}'::jsonb FROM tickets t
      UNION ALL SELECT coalesce(t.resolved_at, t.created_at + interval '1 hour'), CASE WHEN t.resolved_at IS NULL THEN 'ticket.assigned' ELSE 'ticket.resolved' END, 'ticket', t.id, 'system', '{}'::jsonb FROM tickets t`);
    await x(`INSERT INTO events (at, kind, aggregate_type, aggregate_id, actor_kind, data)
      SELECT t.resolved_at + interval '2 hours', 'survey.answered', 'ticket', t.id, 'customer',
        jsonb_build_object('answers', jsonb_build_object('csat', 1 + (abs(hashtext(t.id::text)) % 100 > 12)::int * 3 + (abs(hashtext(t.id::text)) % 2), 'nps', abs(hashtext(t.id::text || 'n')) % 11, 'ces', 1 + abs(hashtext(t.id::text || 'c')) % 7), 'lowScore', false)
      FROM tickets t WHERE t.resolved_at IS NOT NULL AND abs(hashtext(t.id::text)) % 3 = 0`);
  });
  await timed('facts (tickets, answers, outcomes)', async () => {
    await x(`INSERT INTO measure_ticket_facts (ticket_id, number, type, channel, team_id, owner_id, tier, category_id, site, status, created_at, resolved_at, reopen_count, handover_count,
        team_transfer_count, staff_public_reply_count, first_response_seconds, resolution_seconds, calendar_id, fcr)
      SELECT t.id, t.number, t.type, t.channel, t.team_id, t.owner_id, c.tier, t.category_id, t.site, t.status, t.created_at, t.resolved_at, t.reopen_count, t.handover_count,
        t.team_transfer_count, t.staff_public_reply_count, floor(extract(epoch FROM t.first_public_reply_at - t.created_at))::bigint,
        CASE WHEN t.resolved_at IS NULL THEN NULL ELSE floor(extract(epoch FROM t.resolved_at - t.created_at))::bigint END, NULL,
        t.resolved_at IS NOT NULL AND t.reopen_count = 0 AND t.handover_count = 0 AND t.team_transfer_count = 0 AND t.staff_public_reply_count <= 1
      FROM tickets t JOIN customers c ON c.id = t.customer_id`);
    await x(`INSERT INTO measure_answer_facts (event_id, ticket_id, at, csat, nps, ces)
      SELECT e.id, e.aggregate_id, e.at, (e.data->'answers'->>'csat')::smallint, (e.data->'answers'->>'nps')::smallint, (e.data->'answers'->>'ces')::smallint FROM events e WHERE e.kind = 'survey.answered'`);
    await x(`INSERT INTO measure_outcome_facts (instance_id, ticket_id, standard_id, ended_at, met)
      SELECT md5('i' || f.ticket_id::text)::uuid, f.ticket_id, '00000000-0000-7000-8000-0000000000b1', f.created_at + (f.first_response_seconds || ' seconds')::interval, f.first_response_seconds <= 3600 FROM measure_ticket_facts f`);
  });
  await timed('rollup cubes from the facts', () => database.transaction((tx) => rollupFromFacts(tx)));
  await timed('ANALYZE', () => x('ANALYZE'));
  const [c] = await database.rows<{ t: number; e: number; r: number }>(
    sql`SELECT (SELECT count(*) FROM tickets)::int AS t, (SELECT count(*) FROM events)::int AS e, (SELECT count(*) FROM measure_rollup)::int AS r`,
  );
  return c!;
}

async function measure(database: Database, kind: string, n: number) {
  const now = Date.now();
  const counts = await generate(database, n, now);
  log(`${kind}: ${counts.t} tickets, ${counts.e} events, ${counts.r} rollup rows`);
  const app = await buildApp({ config: testConfig(), database }, { logger: false });
  await app.ready();
  const hash = await hashPassword('Bench@2026');
  await database.transaction((tx) =>
    createStaffInTx(tx, systemCtx('bench'), { employeeNo: 'BDIR', name: '基准总监', password: 'Bench@2026', roles: ['director'], teamId: null }, hash),
  );
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { employeeNo: 'BDIR', password: 'Bench@2026' } });
  const token = login.json().token as string;
  const fmt = (d: number) =>
    new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(d));
  const summaryUrl = `/api/v1/metrics/summary?from=${fmt(now - 29 * DAY)}&to=${fmt(now)}`;
  const trendUrl = `/api/v1/measures?from=${fmt(now - 364 * DAY)}&to=${fmt(now)}&groupBy=month,team&percentiles=false&knowledge=false`;
  const trendPctUrl = `/api/v1/measures?from=${fmt(now - 364 * DAY)}&to=${fmt(now)}&groupBy=month,team`;
  const run = async (url: string, runs = RUNS) => {
    const lat: number[] = [];
    let body: Record<string, unknown> = {};
    for (let i = 0; i < runs + 3; i++) {
      const t0 = performance.now();
      const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
      const ms = performance.now() - t0;
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      if (i >= 3) lat.push(ms);
      else body = res.json();
    }
    return { p50: r1(pct(lat, 50)), p95: r1(pct(lat, 95)), max: r1(Math.max(...lat)), runs: lat.length, body };
  };
  const summary = await run(summaryUrl);
  const trend = await run(trendUrl);
  const sb = summary.body as { tickets: number; csat: number; source: string; counts: { csat: { denominator: number } } };
  const tb = trend.body as { rows: unknown[]; source: string; cube: number };
  log(
    `${kind} /metrics/summary (30 days, ${sb.tickets} tickets, ${sb.counts.csat.denominator} CSAT answers, ${sb.source}): p50 ${summary.p50} ms, p95 ${summary.p95} ms`,
  );
  log(`${kind} 12-month by-team trend (${tb.rows.length} rows, cube ${tb.cube}): p50 ${trend.p50} ms, p95 ${trend.p95} ms`);
  const trendPct = await run(trendPctUrl, 5); // slow by design (exact percentiles over a year of facts): few runs
  log(`${kind} 12-month by-team trend with exact P50/P90 per month and team and knowledge rate (facts): p50 ${trendPct.p50} ms, p95 ${trendPct.p95} ms`);
  // Facts path for the same summary (no rollup) — what the cubes save.
  const facts = await run(`${summaryUrl}`.replace('/metrics/summary', '/measures') + '&source=facts', 10);
  log(`${kind} same 30 days straight from the facts tables: p50 ${facts.p50} ms, p95 ${facts.p95} ms`);

  // Incremental worker on top of the data set: new events on existing tickets (survey answers), applied by the worker.
  const [cust] = await database.rows<{
    id: string;
    team_id: string;
    owner_id: string;
    type: string;
    channel: string;
    created_at: Date | string;
    number: string;
  }>(sql`SELECT t.id, t.team_id, t.owner_id, t.type, t.channel, t.created_at, t.number FROM tickets t ORDER BY t.created_at DESC LIMIT 1`);
  const ids = await database.rows<{
    id: string;
    team_id: string;
    owner_id: string;
    type: string;
    channel: string;
    created_at: Date | string;
    number: string;
    customer_id: string;
  }>(sql`SELECT id, team_id, owner_id, type, channel, created_at, number, customer_id FROM tickets ORDER BY created_at DESC LIMIT ${APPLY}`);
  void cust;
  const t0 = performance.now();
  for (const t of ids) {
    const snap: TicketSnapshot = {
      id: t.id,
      number: t.number,
      customerId: t.customer_id,
      customerTier: 'regular',
      customerVip: false,
      type: t.type,
      channel: t.channel,
      priority: 'normal',
      status: 'resolved',
      previousStatus: 'resolved',
      ownerId: t.owner_id,
      teamId: t.team_id,
      categoryId: null,
      site: null,
      createdAt: new Date(t.created_at),
    };
    await database.transaction((tx) =>
      recordTicketEvent(tx, systemCtx('bench'), snap, 'survey.answered', {
        surveyId: t.id,
        responseId: t.id,
        answers: { csat: 5, nps: 10 },
        lowScore: false,
      }).then(() => undefined),
    );
  }
  const recordMs = performance.now() - t0;
  const w = new MeasuresWorker(database);
  const t1 = performance.now();
  let applied = 0;
  for (;;) {
    const k = await w.claimAndApply(database.kind === 'pglite' ? 50 : 200);
    applied += k;
    if (k === 0) break;
  }
  const applyMs = performance.now() - t1;
  log(
    `${kind} worker: ${applied} events applied in ${r1(applyMs)} ms (${Math.round(applied / (applyMs / 1000))} events/s); recording them took ${r1(recordMs / APPLY)} ms per event`,
  );
  await app.close();
  return {
    tickets: counts.t,
    events: counts.e,
    rollupRows: counts.r,
    summary30d: { p50Ms: summary.p50, p95Ms: summary.p95, maxMs: summary.max, runs: summary.runs, source: sb.source },
    trend12mByTeam: { p50Ms: trend.p50, p95Ms: trend.p95, maxMs: trend.max, runs: trend.runs, rows: tb.rows.length, cube: tb.cube },
    summary30dFromFacts: { p50Ms: facts.p50, p95Ms: facts.p95 },
    trend12mByTeamWithPercentiles: { p50Ms: trendPct.p50, p95Ms: trendPct.p95 },
    worker: { events: applied, ms: r1(applyMs), eventsPerSecond: Math.round(applied / (applyMs / 1000)) },
  };
}

async function main() {
  const results: Record<string, unknown> = {
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '', memGiB: Math.round(os.totalmem() / 2 ** 30) },
    targetP95Ms: 300,
  };
  if (!process.env.BENCH_SKIP_PG) {
    const fresh = await freshDatabaseUrl();
    const database = await openDatabase({ databaseUrl: fresh.url, poolSize: 4 });
    try {
      results.postgres = await measure(database, 'PostgreSQL', PG_TICKETS);
    } finally {
      await database.close();
      await fresh.drop();
    }
  }
  if (!process.env.BENCH_SKIP_PGLITE) {
    const database = await openDatabase({ inMemory: true });
    try {
      results.pglite = await measure(database, 'PGlite', PGLITE_TICKETS);
    } finally {
      await database.close();
    }
  }
  const out = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../results/measures.json');
  mkdirSync(path.dirname(out), { recursive: true });
  // A partial run (BENCH_SKIP_PG / BENCH_SKIP_PGLITE) keeps the other database's last figures.
  if (existsSync(out)) {
    try {
      const prev = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
      for (const k of ['postgres', 'pglite']) if (!(k in results) && k in prev) results[k] = prev[k];
    } catch {
      /* unreadable: overwrite */
    }
  }
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${out}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
