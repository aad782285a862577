/**
 * Issue #13 item 1 — breaches count when they happen. A scripted history (a ticket answered in time, one answered
 * late, one cancelled, one left unanswered past its limit) where the standard execution rate of compliance, the
 * measures summary (dashboards), the measures query, the TV wall and the SQI equal hand-computed values at three
 * instants: before the breach, after the breach with the ticket still open, after it is finally answered. On the old
 * rules the measures counted the open breach only once answered (1/2 instead of 1/3 at the second instant).
 * The clock is moved the way the other standards tests do: the clock's timestamps are shifted into the past and the
 * deadline worker records the breach.
 */
import { sql } from 'drizzle-orm';
import { standardOutcome } from '@chidu/core/measures/index';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainMeasures } from '../src/modules/measures/worker';
import { testApp, type TestApp } from './harness';
import { deactivateAll, event, instances, standard, ticketRow, waitFor } from './standards-helpers';

let t: TestApp;
let admin: { staff: { id: string }; token: string };
let teamA: string;
const tz = 'Asia/Shanghai';
const DAY = 86_400_000;
// A window wide enough for every instant of the script (it may cross a local midnight): from two days ago to tomorrow.
const localDate = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
const RANGE = () => `from=${localDate(Date.now() - 2 * DAY)}&to=${localDate(Date.now() + DAY)}&tz=${encodeURIComponent(tz)}`;

beforeAll(async () => {
  t = await testApp();
  admin = await t.as(['admin']);
  teamA = (await t.team('一组')).id;
});
afterAll(async () => {
  await t?.close();
});

/** Move a ticket's clocks two hours into the past (their deadline, an hour long, is then an hour ago). */
async function age(ticketId: string) {
  await t.database.rows(
    sql`UPDATE standard_instances SET started_at = started_at - interval '2 hours', segment_started_at = segment_started_at - interval '2 hours',
      due_at = due_at - interval '2 hours', next_action_at = next_action_at - interval '2 hours' WHERE ticket_id = ${ticketId}`,
  );
}

async function numbers(standardId: string) {
  await drainMeasures(t.database);
  // Another process's worker may hold queue rows (SKIP LOCKED): wait until every queued ticket is applied.
  await waitFor(async () => (await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM measure_queue`))[0]!.n === 0);
  const c = (await t.inject('GET', `/api/v1/standards/${standardId}/compliance?${RANGE()}`, admin.token)).json();
  const s = (await t.inject('GET', `/api/v1/metrics/summary?${RANGE()}`, admin.token)).json();
  const m = (await t.inject('GET', `/api/v1/measures?${RANGE()}&teamId=${teamA}`, admin.token)).json();
  const sqi = (await t.inject('GET', `/api/v1/standards/sqi?${RANGE()}&standardId=${standardId}`, admin.token)).json();
  const token = (await t.inject('POST', '/api/v1/measures/wall-tokens', admin.token, { name: '大屏', teamId: teamA, expiresInDays: 1 })).json().token;
  const wall = (await t.inject('GET', `/api/v1/public/wall?token=${token}`)).json();
  const failures = (sqi.days as { failures: { breach_same_day: number; breach_later_day: number } }[]).reduce(
    (a, d) => a + d.failures.breach_same_day + d.failures.breach_later_day,
    0,
  );
  return { c, s, m, failures, wall };
}

/** The rollups equal a recomputation from the instances with the one definition (core standardOutcome). */
async function recomputed(ticketIds: string[]) {
  let met = 0;
  let failed = 0;
  for (const id of ticketIds)
    for (const i of await instances(t.database, id)) {
      const o = standardOutcome({
        state: i.state,
        metAt: i.met_at ? new Date(i.met_at).getTime() : null,
        breachedAt: i.breached_at ? new Date(i.breached_at).getTime() : null,
        endedAt: i.ended_at ? new Date(i.ended_at).getTime() : null,
      });
      if (o?.met) met++;
      else if (o) failed++;
    }
  return { met, failed };
}

describe('breaches count from the breach instant', () => {
  it('execution rate, compliance, dashboards, wall and SQI at three instants', async () => {
    await deactivateAll(t.database);
    const id = await standard(t, admin.token, {
      code: 'FID-FR',
      name: '首次响应 1 小时',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 3600,
      target: 0.9,
      appliesTo: { types: ['inquiry'] },
    });
    const mk = async () => event(t.database, await ticketRow(t.database, { teamId: teamA, type: 'inquiry' }), 'ticket.created');
    // Answered in time.
    const inTime = await mk();
    await event(t.database, inTime, 'ticket.first_public_reply');
    // Answered late: the reply after the deadline records the breach first, then ends the clock breached.
    const late = await mk();
    await age(late.id);
    await event(t.database, late, 'ticket.first_public_reply');
    // Cancelled: it stops being an inquiry, so the standard no longer applies.
    const cancelled = await mk();
    await event(t.database, cancelled, 'ticket.updated', { type: 'repair' });
    // The complaint nobody answers.
    const open = await mk();
    const all = [inTime.id, late.id, cancelled.id, open.id];
    expect((await instances(t.database, inTime.id))[0]!.state).toBe('met');
    expect((await instances(t.database, late.id))[0]!.state).toBe('breached');
    expect((await instances(t.database, cancelled.id))[0]!.state).toBe('cancelled');

    // ① Before the breach: 1 met, 1 breached (late), 1 running (open, excluded), 1 cancelled (excluded) → 1/2.
    let n = await numbers(id);
    expect(n.c).toMatchObject({ met: 1, breached: 1, running: 1, cancelled: 1, rate: 0.5, meetsTarget: false });
    expect(n.s.standardExecutionRate).toBeCloseTo(1 / 2, 12);
    expect(n.s.counts.standardExecutionRate).toMatchObject({ numerator: 1, denominator: 2 });
    expect(n.m.total.standardExecutionRate).toMatchObject({ numerator: 1, denominator: 2 });
    expect(n.failures).toBe(1);
    expect(await recomputed(all)).toEqual({ met: 1, failed: 1 });

    // ② The deadline passes with nobody answering: the worker records the breach; the ticket stays open.
    await age(open.id);
    await waitFor(async () => (await instances(t.database, open.id))[0]!.state === 'breached');
    const [x] = await instances(t.database, open.id);
    expect(x!.ended_at).toBeNull();
    n = await numbers(id);
    // 1 met / (1 met + 2 breached): the open breach lowers the rate now, not when someone finally answers.
    expect(n.c).toMatchObject({ met: 1, breached: 2, running: 0, cancelled: 1 });
    expect(n.c.rate).toBeCloseTo(1 / 3, 12);
    expect(n.s.standardExecutionRate).toBeCloseTo(1 / 3, 12); // the old rule gave 1/2 here
    expect(n.s.counts.standardExecutionRate).toMatchObject({ numerator: 1, denominator: 3 });
    expect(n.m.total.standardExecutionRate).toMatchObject({ numerator: 1, denominator: 3 });
    expect(n.failures).toBe(2);
    expect(n.wall.week.standardExecutionRate).toMatchObject({ numerator: 1, denominator: 3 }); // the TV wall, same team
    expect(await recomputed(all)).toEqual({ met: 1, failed: 2 });
    // The drill-down behind the denominator lists the open ticket.
    const den = (await t.inject('GET', `/api/v1/measures/tickets?measure=standardExecutionRate&part=denominator&${RANGE()}`, admin.token)).json();
    expect((den.items as { id: string }[]).map((i) => i.id)).toContain(open.id);

    // ③ Finally answered: still a failure, counted once, in the period of its breach.
    await event(t.database, open, 'ticket.first_public_reply');
    const [y] = await instances(t.database, open.id);
    expect(y!.state).toBe('breached');
    expect(y!.ended_at).not.toBeNull();
    n = await numbers(id);
    expect(n.c).toMatchObject({ met: 1, breached: 2, running: 0, cancelled: 1 });
    expect(n.s.counts.standardExecutionRate).toMatchObject({ numerator: 1, denominator: 3 });
    expect(n.m.total.standardExecutionRate).toMatchObject({ numerator: 1, denominator: 3 });
    expect(n.failures).toBe(2);
    expect(await recomputed(all)).toEqual({ met: 1, failed: 2 });
  }, 60_000);

  it('a breach counts in the period of the breach, not of the start or of the answer', async () => {
    await deactivateAll(t.database);
    const id = await standard(t, admin.token, {
      code: 'FID-DAY',
      name: '首次响应（跨日）',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 3600,
      target: 0.9,
    });
    const s = await event(t.database, await ticketRow(t.database, { teamId: teamA }), 'ticket.created');
    // Started three days ago, breached two days ago (an hour later), answered now.
    await t.database.rows(
      sql`UPDATE standard_instances SET started_at = started_at - interval '3 days', segment_started_at = segment_started_at - interval '3 days',
        due_at = due_at - interval '3 days' + interval '1 day', next_action_at = next_action_at - interval '3 days' + interval '1 day' WHERE ticket_id = ${s.id}`,
    );
    await waitFor(async () => (await instances(t.database, s.id))[0]!.state === 'breached');
    await event(t.database, s, 'ticket.first_public_reply');
    const [i] = await instances(t.database, s.id);
    const breachDay = localDate(new Date(i!.breached_at!).getTime());
    const today = localDate(Date.now());
    const q = (from: string, to: string) => `from=${from}&to=${to}&tz=${encodeURIComponent(tz)}`;
    const on = (await t.inject('GET', `/api/v1/standards/${id}/compliance?${q(breachDay, breachDay)}`, admin.token)).json();
    expect(on).toMatchObject({ met: 0, breached: 1 });
    if (today !== breachDay) {
      const now = (await t.inject('GET', `/api/v1/standards/${id}/compliance?${q(today, today)}`, admin.token)).json();
      expect(now).toMatchObject({ met: 0, breached: 0 });
    }
    await drainMeasures(t.database);
    // Another process's worker may hold queue rows (SKIP LOCKED): wait until every queued ticket is applied.
    await waitFor(async () => (await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM measure_queue`))[0]!.n === 0);
    const m = (await t.inject('GET', `/api/v1/measures?${q(breachDay, breachDay)}`, admin.token)).json();
    expect(m.total.standardExecutionRate.denominator).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
