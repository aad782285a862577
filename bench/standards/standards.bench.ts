/**
 * Standards engine benchmark.
 *   npm run bench -- standards        (or: npx tsx bench/standards/standards.bench.ts)
 *
 * 1. Firing lag at scale (PostgreSQL): BENCH_CLOCKS (default 1,000,000) running clocks inserted with
 *    generate_series, BENCH_DUE (default 3,000) of them due evenly over BENCH_WINDOW_S (default 60) seconds; real
 *    server processes (BENCH_PROCESSES, default 1) fire them. Lag = standard_actions.fired_at (clock_timestamp()
 *    inside the firing transaction) − scheduled deadline. Target p99 ≤ 1 s.
 * 2. Clock-event overhead: time of recordTicketEvent in its own transaction, with the standards + realtime
 *    handlers registered vs. replaced by no-ops, over a realistic mix of ticket events (PostgreSQL and PGlite).
 * Prints figures and writes bench/results/standards.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { freshDatabaseUrl } from '../../packages/server/test/harness';
import { startProcess, type ServerProc } from '../../packages/server/test/process-harness';
import { openDatabase, type Database } from '../../packages/server/src/db/client';
import { systemCtx } from '../../packages/server/src/lib/context';
import { uuidv7 } from '../../packages/server/src/lib/ids';
import { invalidateCatalogue, onTicketEventForClocks } from '../../packages/server/src/engine/engine';
import { publishTicketEvent } from '../../packages/server/src/realtime/hub';
import { onTicketEvent, recordTicketEvent, type TicketSnapshot } from '../../packages/server/src/modules/tickets/ticket-events';

const PG_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const CLOCKS = Number(process.env.BENCH_CLOCKS ?? 1_000_000);
const DUE = Number(process.env.BENCH_DUE ?? 3000);
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 60);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 1);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 2000);

const STD = '00000000-0000-7000-8000-0000000000b1';
const VER = '00000000-0000-7000-8000-0000000000b2';
const CUST = '00000000-0000-7000-8000-0000000000b3';
const DEFINITION = {
  name: '基准：首次响应',
  encounter: '基准',
  kind: 'hard',
  description: null,
  measure: 'timer',
  target: 0.95,
  start: ['ticket.created'],
  stop: ['ticket.first_public_reply'],
  pauseWhile: ['pending_customer'],
  deadline: 'duration',
  limitSeconds: 14400,
  calendarId: null,
  calendarSource: 'standard',
  timeZone: 'Asia/Shanghai',
  appliesTo: {},
  warnAtPercent: [],
  escalation: [],
  recurring: false,
  maxCycles: null,
  sqiWeight: 1,
  survey: null,
};

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function firingLag() {
  const fresh = await freshDatabaseUrl();
  const migrated = await openDatabase({ databaseUrl: fresh.url, poolSize: 2 });
  await migrated.close();
  const db = new pg.Client({ connectionString: fresh.url });
  await db.connect();
  const procs: ServerProc[] = [];
  try {
    await db.query(`INSERT INTO standards (id, code, current_version_id, current_version, active) VALUES ($1, 'BENCH', $2, 1, false)`, [STD, VER]);
    await db.query(`INSERT INTO standard_versions (id, standard_id, version, definition) VALUES ($1, $2, 1, $3)`, [VER, STD, JSON.stringify(DEFINITION)]);
    await db.query(`INSERT INTO customers (id, name) VALUES ($1, '基准客户')`, [CUST]);
    await db.query(
      `INSERT INTO tickets (id, number, customer_id, type, channel, priority, status, subject, description, created_by_kind)
      SELECT ('00000000-0000-7000-9000-' || lpad(to_hex(i), 12, '0'))::uuid, 'BENCH-' || i, $1, 'inquiry', 'email', 'normal', 'assigned', '基准', '', 'system'
      FROM generate_series(1, ${DUE}) AS i`,
      [CUST],
    );
    const t0 = performance.now();
    // The bulk: running clocks with deadlines spread over the next 30 days (not due during the run).
    await db.query(
      `INSERT INTO standard_instances (id, standard_id, version_id, code, ticket_id, state, started_at, limit_ms, segment_started_at, due_at, next_action_at, next_action)
      SELECT gen_random_uuid(), $1, $2, 'BENCH', gen_random_uuid(), 'running', now(), 14400000, now(), d, d, 'breach'
      FROM (SELECT now() + make_interval(secs => 3600 + random() * 30 * 86400) AS d FROM generate_series(1, ${CLOCKS - DUE})) AS s`,
      [STD, VER],
    );
    const insertMs = performance.now() - t0;
    await db.query('VACUUM ANALYZE standard_instances');
    // The due ones: evenly over the window, starting 15 s from now (time for the servers to start).
    const startAt = Date.now() + 15_000;
    await db.query(
      `INSERT INTO standard_instances (id, standard_id, version_id, code, ticket_id, state, started_at, limit_ms, segment_started_at, due_at, next_action_at, next_action)
      SELECT gen_random_uuid(), $1, $2, 'BENCH', ('00000000-0000-7000-9000-' || lpad(to_hex(i), 12, '0'))::uuid, 'running', now(), 14400000, now(),
        to_timestamp(($3::bigint + (i - 1) * ${(WINDOW_S * 1000) / DUE})::double precision / 1000), to_timestamp(($3::bigint + (i - 1) * ${(WINDOW_S * 1000) / DUE})::double precision / 1000), 'breach'
      FROM generate_series(1, ${DUE}) AS i`,
      [STD, VER, startAt],
    );
    const total = Number((await db.query('SELECT count(*)::int AS n FROM standard_instances')).rows[0].n);
    const explain = (
      await db.query(
        `EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM standard_instances WHERE next_action_at <= now() ORDER BY next_action_at LIMIT 200 FOR UPDATE SKIP LOCKED`,
      )
    ).rows[0]['QUERY PLAN'][0];
    const minExplain = (await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) SELECT min(next_action_at) FROM standard_instances WHERE next_action_at IS NOT NULL`))
      .rows[0]['QUERY PLAN'][0];
    console.log(
      `[firing] ${total.toLocaleString()} running clocks inserted in ${(insertMs / 1000).toFixed(1)} s; claim query ${r3(explain['Execution Time'])} ms, earliest-deadline query ${r3(minExplain['Execution Time'])} ms`,
    );

    for (let k = 0; k < PROCESSES; k++) procs.push(await startProcess({ DATABASE_URL: fresh.url, LOG_LEVEL: 'warn' }, 60_000));
    const count = async () => Number((await db.query(`SELECT count(*)::int AS n FROM standard_actions`)).rows[0].n);
    const deadline = startAt + WINDOW_S * 1000 + 60_000;
    while ((await count()) < DUE && Date.now() < deadline) await sleep(500);
    const rows = (await db.query(`SELECT extract(epoch FROM (fired_at - scheduled_at)) * 1000 AS lag FROM standard_actions`)).rows.map((r) => Number(r.lag));
    const events = Number((await db.query(`SELECT count(*)::int AS n FROM events WHERE kind = 'standard.breached'`)).rows[0].n);
    const result = {
      database: 'postgres',
      processes: PROCESSES,
      runningClocks: total,
      due: DUE,
      windowSeconds: WINDOW_S,
      fired: rows.length,
      breachEvents: events,
      insertSeconds: r1(insertMs / 1000),
      claimQueryMs: r3(explain['Execution Time']),
      earliestQueryMs: r3(minExplain['Execution Time']),
      lagMs: { p50: r1(pct(rows, 50)), p90: r1(pct(rows, 90)), p99: r1(pct(rows, 99)), max: r1(Math.max(...rows)), min: r1(Math.min(...rows)) },
    };
    console.log(
      `[firing] ${result.fired}/${DUE} fired (${events} breach events) by ${PROCESSES} process(es); lag p50 ${result.lagMs.p50} ms, p90 ${result.lagMs.p90} ms, p99 ${result.lagMs.p99} ms, max ${result.lagMs.max} ms`,
    );
    return result;
  } finally {
    for (const p of procs) {
      p.proc.kill('SIGTERM');
      await p.exited;
    }
    await db.end();
    await fresh.drop();
  }
}

async function seedCatalogue(database: Database, n: number) {
  await database.transaction(async (tx) => {
    for (let k = 0; k < n; k++) {
      const id = uuidv7();
      const vid = uuidv7();
      const def = {
        ...DEFINITION,
        name: `基准标准 ${k}`,
        limitSeconds: 3600 * (k + 1),
        warnAtPercent: k % 2 ? [75] : [],
        appliesTo: k === n - 1 ? { types: ['complaint'] } : {},
        stop: [k % 2 ? 'ticket.first_public_reply' : 'ticket.resolved'],
      };
      await tx.execute(sql`INSERT INTO standards (id, code, current_version_id, current_version, active) VALUES (${id}, ${`OVH-${k}`}, ${vid}, 1, true)`);
      await tx.execute(sql`INSERT INTO standard_versions (id, standard_id, version, definition) VALUES (${vid}, ${id}, 1, ${JSON.stringify(def)}::jsonb)`);
    }
  });
}

/** Per-event time of recordTicketEvent (own transaction), for a mix of events over fresh tickets. */
async function eventLoop(database: Database, tickets: number) {
  const mix: { kind: string; status: string }[] = [
    { kind: 'ticket.created', status: 'new' },
    { kind: 'ticket.assigned', status: 'assigned' },
    { kind: 'ticket.internal_note', status: 'assigned' },
    { kind: 'ticket.first_public_reply', status: 'assigned' },
    { kind: 'ticket.public_reply', status: 'assigned' },
    { kind: 'ticket.status_changed', status: 'in_progress' },
    { kind: 'ticket.status_changed', status: 'pending_customer' },
    { kind: 'ticket.customer_reply', status: 'in_progress' },
    { kind: 'ticket.resolved', status: 'resolved' },
  ];
  const times: number[] = [];
  const ctx = systemCtx('bench');
  for (let i = 0; i < tickets; i++) {
    const id = uuidv7();
    await database.rows(
      sql`INSERT INTO tickets (id, number, customer_id, type, channel, priority, status, subject, description, created_by_kind) VALUES (${id}, ${`OVH-${id}`}, ${CUST}, 'inquiry', 'email', 'normal', 'new', 'x', '', 'system')`,
    );
    let prev = 'new';
    for (const m of mix) {
      const snap: TicketSnapshot = {
        id,
        number: 'x',
        customerId: CUST,
        customerTier: 'regular',
        customerVip: false,
        type: 'inquiry',
        channel: 'email',
        priority: 'normal',
        status: m.status,
        previousStatus: prev,
        ownerId: null,
        teamId: null,
        categoryId: null,
        site: null,
        createdAt: new Date(),
      };
      const t0 = performance.now();
      await database.transaction((tx) => recordTicketEvent(tx, ctx, snap, m.kind));
      times.push(performance.now() - t0);
      prev = m.status;
    }
  }
  return times;
}

async function overhead(kind: 'postgres' | 'pglite') {
  let database: Database;
  let drop: (() => Promise<void>) | null = null;
  if (kind === 'postgres') {
    const f = await freshDatabaseUrl();
    drop = () => f.drop();
    database = await openDatabase({ databaseUrl: f.url, poolSize: 4 });
  } else database = await openDatabase({ inMemory: true });
  try {
    await database.rows(sql`INSERT INTO customers (id, name) VALUES (${CUST}, '基准客户')`);
    await seedCatalogue(database, 8);
    invalidateCatalogue();
    const perTicket = Math.max(20, Math.round(EVENTS / 9));
    const noop = () => Promise.resolve(undefined);
    // Warm up both paths, then alternate rounds to spread noise evenly.
    onTicketEvent('standards', onTicketEventForClocks);
    onTicketEvent('realtime', publishTicketEvent);
    await eventLoop(database, 10);
    const withH: number[] = [];
    const without: number[] = [];
    for (let round = 0; round < 4; round++) {
      onTicketEvent('standards', noop);
      onTicketEvent('realtime', noop);
      without.push(...(await eventLoop(database, Math.ceil(perTicket / 4))));
      onTicketEvent('standards', onTicketEventForClocks);
      onTicketEvent('realtime', publishTicketEvent);
      withH.push(...(await eventLoop(database, Math.ceil(perTicket / 4))));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const clocks = Number((await database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM standard_instances`))[0]!.n);
    const res = {
      database: kind,
      events: withH.length + without.length,
      activeStandards: 8,
      clocksCreated: clocks,
      withoutHandlersMs: { mean: r3(mean(without)), p50: r3(pct(without, 50)), p99: r3(pct(without, 99)) },
      withHandlersMs: { mean: r3(mean(withH)), p50: r3(pct(withH, 50)), p99: r3(pct(withH, 99)) },
      overheadMsMean: r3(mean(withH) - mean(without)),
      overheadMsP50: r3(pct(withH, 50) - pct(without, 50)),
    };
    console.log(
      `[overhead ${kind}] recordTicketEvent per event (own tx): without handlers mean ${res.withoutHandlersMs.mean} ms / p50 ${res.withoutHandlersMs.p50} ms; with standards+realtime mean ${res.withHandlersMs.mean} ms / p50 ${res.withHandlersMs.p50} ms / p99 ${res.withHandlersMs.p99} ms → +${res.overheadMsMean} ms mean (8 active standards, ${withH.length + without.length} events, ${clocks} clocks)`,
    );
    return res;
  } finally {
    await database.close();
    if (drop) await drop();
  }
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

const t0 = Date.now();
const out: Record<string, unknown> = {
  bench: 'standards',
  at: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
};
if (await pgReachable()) {
  process.env.TEST_DATABASE_URL = PG_URL;
  out.firing = await firingLag();
  out.overhead = [await overhead('postgres'), await overhead('pglite')];
} else {
  console.log('PostgreSQL unreachable: firing-lag benchmark skipped (it needs PostgreSQL); PGlite overhead only');
  out.overhead = [await overhead('pglite')];
}
const totalSeconds = Math.round((Date.now() - t0) / 1000);
out.totalSeconds = totalSeconds;
mkdirSync(path.resolve('bench/results'), { recursive: true });
writeFileSync(path.resolve('bench/results/standards.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote bench/results/standards.json (${totalSeconds} s)`);
