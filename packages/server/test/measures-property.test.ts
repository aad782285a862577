/**
 * Property: on random histories (tickets created, replied, resolved, reopened, handed over, transferred, surveys,
 * recovery cases, standard outcomes), applied through the event outbox in random partial batches, the rollup
 * answers equal a full recomputation by the core measures from the source tables — for random periods, in total
 * and per team.
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as core from '@chidu/core/measures/index';
import { systemCtx } from '../src/lib/context';
import { uuidv7 } from '../src/lib/ids';
import { buildDefinition } from '../src/modules/standards/definition';
import { MeasuresWorker, drainMeasures, rebuildMeasures } from '../src/modules/measures/worker';
import { present, runQuery, type Filters } from '../src/modules/measures/query';
import { COUNTER_COLUMNS, rollupFromFacts } from '../src/modules/measures/facts';
import { recordTicketEvent, type TicketEventKind, type TicketSnapshot } from '../src/modules/tickets/ticket-events';
import { testApp, type TestApp } from './harness';

process.env.CHIDU_MEASURES_WORKER = '0'; // this test drives the worker itself, in partial batches

const H = 3_600_000;
const DAY = 24 * H;
let t: TestApp;
let teams: string[] = [];
let hard: { sid: string; vid: string };

type Op =
  | { op: 'create'; type: string; team: number; at: number }
  | { op: 'reply' | 'resolve' | 'reopen' | 'handover' | 'transfer'; i: number; at: number }
  | { op: 'survey'; i: number; at: number; csat: number | null; nps: number | null; ces: number | null }
  | { op: 'recovery'; i: number; at: number; caseNo: number; recovered: boolean }
  | { op: 'outcome'; i: number; at: number; state: 'met' | 'breached_open' | 'breached_ended' | 'running' | 'cancelled' }
  | { op: 'drain'; n: number };

const at = fc.integer({ min: 0, max: 3 * 24 * 3600 - 1 }).map((s) => s * 1000);
const idx = fc.nat(5);
const arbOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('create' as const), type: fc.constantFrom('complaint', 'repair', 'inquiry'), team: fc.nat(1), at }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('resolve' as const), i: idx, at }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('reopen' as const), i: idx, at }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('reply' as const), i: idx, at }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('handover' as const, 'transfer' as const), i: idx, at }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('survey' as const),
      i: idx,
      at,
      csat: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
      nps: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }),
      ces: fc.option(fc.integer({ min: 1, max: 7 }), { nil: null }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('recovery' as const), i: idx, at, caseNo: fc.nat(1), recovered: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('outcome' as const),
      i: idx,
      at,
      state: fc.constantFrom('met' as const, 'breached_open' as const, 'breached_ended' as const, 'running' as const, 'cancelled' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('drain' as const), n: fc.integer({ min: 1, max: 4 }) }) },
);

interface Live {
  snap: TicketSnapshot;
  created: number;
  status: string;
  resolvedAt: number | null;
  firstReply: number | null;
  /** An instance without an end (running or breached, not ended) was inserted: the open clock of the ticket. */
  openClock?: boolean;
}

async function apply(base: number, ops: Op[]): Promise<string[]> {
  const live: Live[] = [];
  const ctx = systemCtx('prop');
  const worker = new MeasuresWorker(t.database);
  for (const o of ops) {
    if (o.op === 'drain') {
      await worker.claimAndApply(o.n);
      continue;
    }
    if (o.op === 'create') {
      const id = uuidv7();
      const customerId = uuidv7();
      const created = base + o.at;
      const snap: TicketSnapshot = {
        id,
        number: `P-${id.slice(-10)}`,
        customerId,
        customerTier: 'regular',
        customerVip: false,
        type: o.type,
        channel: 'web',
        priority: 'normal',
        status: 'new',
        previousStatus: 'new',
        ownerId: null,
        teamId: teams[o.team]!,
        categoryId: null,
        site: null,
        createdAt: new Date(created),
      };
      await t.database.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO customers (id, name) VALUES (${customerId}, 'p')`);
        await tx.execute(sql`INSERT INTO tickets (id, number, customer_id, type, channel, priority, status, subject, description, team_id, created_by_kind, created_at)
          VALUES (${id}, ${snap.number}, ${customerId}, ${o.type}, 'web', 'normal', 'new', 's', '', ${snap.teamId}, 'system', ${new Date(created)})`);
        await recordTicketEvent(tx, ctx, snap, 'ticket.created', {}, new Date(created));
      });
      live.push({ snap, created, status: 'new', resolvedAt: null, firstReply: null });
      continue;
    }
    const L = live[o.i % Math.max(live.length, 1)];
    if (!L) continue;
    const when = Math.max(L.created, base + o.at);
    const id = L.snap.id;
    await t.database.transaction(async (tx) => {
      let kind: TicketEventKind = 'ticket.updated';
      let data: Record<string, unknown> = {};
      switch (o.op) {
        case 'reply':
          if (L.status === 'resolved') return;
          L.firstReply ??= when;
          await tx.execute(
            sql`UPDATE tickets SET staff_public_reply_count = staff_public_reply_count + 1, first_public_reply_at = coalesce(first_public_reply_at, ${new Date(when)}) WHERE id = ${id}`,
          );
          kind = 'ticket.public_reply';
          break;
        case 'resolve':
          if (L.status === 'resolved') return;
          L.status = 'resolved';
          L.resolvedAt = when;
          await tx.execute(sql`UPDATE tickets SET status = 'resolved', resolved_at = ${new Date(when)} WHERE id = ${id}`);
          kind = 'ticket.resolved';
          break;
        case 'reopen':
          if (L.status !== 'resolved') return;
          L.status = 'in_progress';
          L.resolvedAt = null;
          await tx.execute(sql`UPDATE tickets SET status = 'in_progress', resolved_at = NULL, reopen_count = reopen_count + 1 WHERE id = ${id}`);
          kind = 'ticket.reopened';
          break;
        case 'handover':
          await tx.execute(sql`UPDATE tickets SET handover_count = handover_count + 1 WHERE id = ${id}`);
          kind = 'ticket.handover_confirmed';
          break;
        case 'transfer': {
          const next = teams.find((x) => x !== L.snap.teamId)!;
          L.snap = { ...L.snap, teamId: next };
          await tx.execute(sql`UPDATE tickets SET team_transfer_count = team_transfer_count + 1, team_id = ${next} WHERE id = ${id}`);
          kind = 'ticket.team_transferred';
          break;
        }
        case 'survey': {
          const answers: Record<string, number> = {};
          if (o.csat !== null) answers.csat = o.csat;
          if (o.nps !== null) answers.nps = o.nps;
          if (o.ces !== null) answers.ces = o.ces;
          kind = 'survey.answered';
          data = { surveyId: uuidv7(), responseId: uuidv7(), answers, lowScore: (o.csat ?? 5) <= 2 };
          break;
        }
        case 'recovery':
          kind = 'recovery.closed';
          data = { caseId: `case-${o.caseNo}`, outcome: o.recovered ? 'recovered' : 'not_recovered' };
          break;
        case 'outcome':
          {
            // Breaches count from their breach instant (here `when`), ended (a day later) or not; running and cancelled not at all.
            const state = o.state === 'breached_open' || o.state === 'breached_ended' ? 'breached' : o.state;
            const breachedAt = state === 'breached' ? new Date(when) : null;
            const metAt = state === 'met' ? new Date(when) : null;
            const endedAt = o.state === 'breached_ended' ? new Date(when + 86_400_000) : o.state === 'met' || o.state === 'cancelled' ? new Date(when) : null;
            // One open clock per standard and ticket (standard_instances_open_key), as the engine keeps it.
            if (endedAt === null && L.openClock) return;
            if (endedAt === null) L.openClock = true;
            await tx.execute(sql`INSERT INTO standard_instances (id, standard_id, version_id, code, ticket_id, cycle, state, started_at, limit_ms, met_at, breached_at, ended_at)
            VALUES (${uuidv7()}, ${hard.sid}, ${hard.vid}, 'P', ${id}, ${Math.floor(Math.random() * 1e9)}, ${state}, ${new Date(L.created)}, 1000, ${metAt}, ${breachedAt}, ${endedAt})`);
          }
          break;
      }
      await recordTicketEvent(tx, ctx, { ...L.snap, status: L.status }, kind, data, new Date(when));
    });
  }
  await drainMeasures(t.database, 7);
  return live.map((l) => l.snap.id);
}

/** Full recomputation straight from the source tables, with the core definitions. */
async function recompute(ids: string[]) {
  const list = sql`ARRAY[${sql.join(
    ids.map((i) => sql`${i}`),
    sql`, `,
  )}]::uuid[]`;
  const rows = await t.database.rows<Record<string, unknown>>(sql`SELECT * FROM tickets WHERE id = ANY(${list})`);
  const msOf = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).getTime());
  const tickets = rows.map((r) => {
    const created = msOf(r.created_at)!;
    const resolved = r.status === 'resolved' || r.status === 'closed' ? msOf(r.resolved_at) : null;
    const fr = msOf(r.first_public_reply_at);
    return {
      team: r.team_id as string,
      f: {
        id: r.id as string,
        type: r.type as string,
        createdAt: created,
        resolvedAt: resolved,
        isResolved: resolved !== null,
        reopenCount: Number(r.reopen_count),
        handoverCount: Number(r.handover_count),
        teamTransferCount: Number(r.team_transfer_count),
        staffPublicReplyCount: Number(r.staff_public_reply_count),
        firstResponseSeconds: fr === null ? null : Math.floor((fr - created) / 1000),
        resolutionSeconds: resolved === null ? null : Math.floor((resolved - created) / 1000),
      } satisfies core.TicketFacts,
    };
  });
  const teamOf = new Map(tickets.map((x) => [x.f.id, x.team]));
  const evs = await t.database.rows<{ aggregate_id: string; kind: string; at: Date | string; data: Record<string, unknown> }>(
    sql`SELECT aggregate_id, kind, at, data FROM events WHERE aggregate_id = ANY(${list}) AND kind IN ('survey.answered', 'recovery.closed') ORDER BY id`,
  );
  const answers = evs
    .filter((e) => e.kind === 'survey.answered')
    .map((e) => {
      const a = e.data.answers as Record<string, number>;
      return { team: teamOf.get(e.aggregate_id)!, a: { at: msOf(e.at)!, csat: a.csat ?? null, nps: a.nps ?? null, ces: a.ces ?? null } };
    });
  const cases = new Map<string, { team: string; r: core.RecoveryFacts }>();
  for (const e of evs.filter((x) => x.kind === 'recovery.closed'))
    cases.set(`${e.aggregate_id}:${String(e.data.caseId)}`, {
      team: teamOf.get(e.aggregate_id)!,
      r: { closedAt: msOf(e.at), outcome: e.data.outcome as 'recovered' },
    });
  // Every instance, judged by the one definition (core standardOutcome): the rollups must equal this recomputation.
  const inst = await t.database.rows<{
    ticket_id: string;
    state: string;
    met_at: Date | string | null;
    breached_at: Date | string | null;
    ended_at: Date | string | null;
  }>(sql`SELECT ticket_id, state, met_at, breached_at, ended_at FROM standard_instances WHERE ticket_id = ANY(${list})`);
  const outcomes = inst.flatMap((i) => {
    const o = core.standardOutcome({ state: i.state, metAt: msOf(i.met_at), breachedAt: msOf(i.breached_at), endedAt: msOf(i.ended_at) });
    return o ? [{ team: teamOf.get(i.ticket_id)!, o: { endedAt: o.at, state: o.met ? ('met' as const) : ('breached' as const) } }] : [];
  });
  return (from: number, to: number, team?: string) => {
    const keep = <T extends { team: string }>(xs: T[]) => (team ? xs.filter((x) => x.team === team) : xs);
    return core.summarize({
      tickets: keep(tickets).map((x) => x.f),
      answers: keep(answers).map((x) => x.a),
      outcomes: keep(outcomes).map((x) => x.o),
      recoveries: keep([...cases.values()]).map((x) => x.r),
      from,
      to,
    });
  };
}

beforeAll(async () => {
  t = await testApp();
  teams = [(await t.team('P-A')).id, (await t.team('P-B')).id];
  const sid = uuidv7();
  const vid = uuidv7();
  await t.database.rows(sql`INSERT INTO standards (id, code, current_version_id, active) VALUES (${sid}, 'P-HARD', ${vid}, false)`);
  await t.database.rows(
    // A whole definition (no clock events): the engine leaves the test's open clocks (running, breached) as they are.
    sql`INSERT INTO standard_versions (id, standard_id, version, definition) VALUES (${vid}, ${sid}, 1, ${JSON.stringify(buildDefinition({ name: 'p', encounter: 'p', kind: 'hard', measure: 'audit' }).def)}::jsonb)`,
  );
  hard = { sid, vid };
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('rollup = full recomputation on random histories', () => {
  it('for random periods (day-aligned → day cubes, hour-aligned → hour cube), in total and per team', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbOp, { minLength: 10, maxLength: 60 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 71 }), fc.integer({ min: 1, max: 72 }), fc.boolean(), fc.option(fc.nat(1), { nil: undefined })), {
          minLength: 1,
          maxLength: 3,
        }),
        async (ops, periods) => {
          // Each run lives in its own 10-day window (Asia/Shanghai midnights), so runs do not see each other.
          const base = Date.parse('2025-01-06T00:00:00+08:00') + run++ * 10 * DAY;
          const ids = await apply(base, ops);
          const expected = await recompute(ids);
          for (const [startH, spanH, dayAligned, teamNo] of periods) {
            const from = dayAligned ? base + Math.floor(startH / 24) * DAY : base + startH * H;
            const to = dayAligned ? from + Math.max(1, Math.round(spanH / 24)) * DAY : from + spanH * H;
            const filters: Filters = teamNo === undefined ? {} : { teamId: teams[teamNo]! };
            const q = { from: new Date(from), to: new Date(to), tz: 'Asia/Shanghai', filters, groupBy: [] };
            const r = await runQuery(t.database.db, q);
            expect(r.source).toBe('rollup');
            const got = present(r.total);
            const want = expected(from, to, filters.teamId);
            const f = present((await runQuery(t.database.db, { ...q, source: 'facts' })).total);
            expect(f).toEqual(got);
            expect(got.csat).toEqual(want.counts.csat);
            expect(got.nps.value).toEqual(want.nps);
            expect(got.ces).toEqual(want.counts.ces);
            expect(got.fcr).toEqual(want.counts.fcr);
            expect(got.standardExecutionRate).toEqual(want.counts.standardExecutionRate);
            expect(got.complaintRate).toEqual(want.counts.complaintRate);
            expect(got.complaintResolutionRate).toEqual(want.counts.complaintResolutionRate);
            expect(got.recoveryRate.value).toEqual(want.recoveryRate);
            expect(got.firstResponseSeconds).toEqual(want.counts.firstResponse);
            expect(got.resolutionSeconds).toEqual(want.counts.resolution);
          }
        },
      ),
      { numRuns: Number(process.env.MEASURES_PROPERTY_RUNS ?? 15) },
    );
  }, 240_000);
});

describe('several workers at once', () => {
  it('concurrent workers on one queue give the same rollup as a full rebuild', async () => {
    const ops: Op[] = [];
    for (let i = 0; i < 30; i++) ops.push({ op: 'create', type: i % 3 === 0 ? 'complaint' : 'repair', team: i % 2, at: i * 3_600_000 });
    for (let i = 0; i < 30; i++)
      ops.push({ op: 'resolve', i, at: (i + 2) * 3_600_000 }, { op: 'survey', i, at: (i + 3) * 3_600_000, csat: (i % 5) + 1, nps: i % 11, ces: null });
    for (let i = 0; i < 10; i++) ops.push({ op: 'reopen', i: i * 3, at: 40 * 3_600_000 }, { op: 'transfer', i: i * 2, at: 41 * 3_600_000 });
    const base = Date.parse('2024-06-03T00:00:00+08:00');
    await rebuildMeasures(t.database);
    const snapshot = async () =>
      t.database.rows<Record<string, unknown>>(
        sql`SELECT * FROM measure_rollup WHERE ${sql.raw(
          Object.values(COUNTER_COLUMNS)
            .map((c) => `${c} <> 0`)
            .join(' OR '),
        )} ORDER BY cube, bucket, dim_key`,
      );
    // Interleave: three workers with small batches race over the same queue while events are still being written.
    const workers = [1, 2, 3].map((n) => new MeasuresWorker(t.database, { batchSize: n + 1, name: `w${n}` }));
    const racing = (async () => {
      for (let k = 0; k < 200; k++) {
        const ns = await Promise.all(workers.map((w) => w.claimAndApply(3)));
        if (ns.every((n) => n === 0) && k > 20) break;
      }
    })();
    await apply(
      base,
      ops.filter((o) => o.op !== 'drain'),
    );
    await racing;
    await drainMeasures(t.database);
    const incremental = await snapshot();
    await rebuildMeasures(t.database);
    const full = await snapshot();
    expect(incremental).toEqual(full);
    // The set-based SQL rebuild from the facts gives the same rows.
    await t.database.transaction((tx) => rollupFromFacts(tx));
    expect(await snapshot()).toEqual(full);
    expect(incremental.length).toBeGreaterThan(10);
  }, 120_000);
});
