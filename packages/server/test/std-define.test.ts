/**
 * The replay preview of a new standard (POST /standards/preview, issue #13 item 9) equals what the engine computes.
 *
 * The comparison: the same scripted history — tickets answered in time, late, still unanswered past the limit, one
 * created on a public holiday, one on a 调休 Saturday workday, one paused while waiting for the customer, one whose
 * standard stops applying (cancelled) — is written twice with the same past timestamps. Set A is written while the
 * standards do not exist; the preview replays it. Then the standards are adopted and set B is written through the
 * live engine (every event in its own transaction with its past timestamp, as events arriving late: the engine fires
 * what fell due first), and the deadlines still due by now are fired as the worker fires them. The engine cannot
 * re-run a standard over history, so "the engine run on the same events replayed forward" is the honest comparison:
 * per ticket of the script, the preview's clock of set A must equal the engine's stored clock of set B (state,
 * start, due, breach instant, met, end, reason), the preview's totals must equal the hand-computed ones and the
 * engine's compliance of the adopted standard. A second preview after the adoption must give set B's clocks too.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Env, fireDue } from '../src/engine/engine';
import { clocksRepo } from '../src/engine/clocks.repo';
import { clockWorkers } from '../src/engine/index';
import { systemCtx } from '../src/lib/context';
import { uuidv7 } from '../src/lib/ids';
import { recordTicketEvent, type TicketEventKind, type TicketSnapshot } from '../src/modules/tickets/ticket-events';
import { testApp, type TestApp } from './harness';
import { deactivateAll } from './standards-helpers';

let t: TestApp;
let admin: { staff: { id: string }; token: string };
let agentToken: string;
let calendarId: string;

const HOUR = 3_600_000;
const DAY = 86_400_000;
const local = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(0, 10);
const dow = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
const addDays = (date: string, n: number) => local(Date.parse(`${date}T12:00:00+08:00`) + n * DAY);
const at = (date: string, hm: string) => new Date(`${date}T${hm}:00+08:00`);

// Past dates: D1 a Monday–Thursday at least 3 days ago, D2 a week earlier (made a holiday), D3 the Saturday before D1 (made a workday).
let d1 = local(Date.now() - 3 * DAY);
while (dow(d1) < 1 || dow(d1) > 4) d1 = addDays(d1, -1);
const d2 = addDays(d1, -7);
const d3 = addDays(d1, -(dow(d1) + 1));

const P = [
  ['09:00', '12:00'],
  ['13:30', '18:00'],
];

const FIRST_RESPONSE = {
  code: 'FR-2H',
  name: '首次响应 2 个工作小时',
  encounter: '首次响应',
  kind: 'hard',
  measure: 'timer',
  target: 0.9,
  start: 'ticket.created',
  stop: 'ticket.first_public_reply',
  pauseWhile: ['pending_customer'],
  deadline: 'duration',
  limitSeconds: 7200,
  appliesTo: { priorities: ['urgent', 'high', 'normal'] },
};
const SAME_DAY = {
  code: 'SAME-DAY-16',
  name: '当日办结（16:00 截止）',
  encounter: '投诉处理',
  kind: 'hard',
  measure: 'timer',
  target: 0.9,
  start: 'ticket.created',
  stop: 'ticket.resolved',
  deadline: 'time_of_day',
  timeOfDay: { at: 'end_of_day', businessDaysAfter: 0, cutoff: '16:00' },
};

type Step = [Date, TicketEventKind, Partial<TicketSnapshot>, Record<string, unknown>?];
interface Script {
  key: string;
  created: Date;
  steps: Step[];
}

const resolve = (when: Date): Step[] => [
  [when, 'ticket.status_changed', { status: 'resolved' }, { from: 'in_progress', to: 'resolved' }],
  [when, 'ticket.resolved', { status: 'resolved' }],
];
const answer = (when: Date): Step[] => [
  [when, 'ticket.status_changed', { status: 'in_progress' }, { from: 'new', to: 'in_progress' }],
  [when, 'ticket.first_public_reply', { status: 'in_progress' }],
];

const SCRIPT = (): Script[] => [
  { key: 'in-time', created: at(d1, '10:00'), steps: [...answer(at(d1, '11:00')), ...resolve(at(d1, '11:30'))] },
  { key: 'late', created: at(d1, '10:00'), steps: [...answer(at(d1, '15:00')), ...resolve(at(addDays(d1, 1), '09:00'))] },
  { key: 'unanswered', created: at(d1, '17:00'), steps: [] },
  { key: 'holiday', created: at(d2, '10:00'), steps: [...answer(at(addDays(d2, 1), '09:30')), ...resolve(at(addDays(d2, 1), '10:00'))] },
  { key: 'tiaoxiu', created: at(d3, '10:00'), steps: [...answer(at(d3, '13:40')), ...resolve(at(addDays(d3, 2), '10:00'))] },
  {
    key: 'paused',
    created: at(d1, '09:00'),
    steps: [
      [at(d1, '10:00'), 'ticket.status_changed', { status: 'pending_customer' }, { from: 'new', to: 'pending_customer' }],
      [at(d1, '16:00'), 'ticket.status_changed', { status: 'in_progress' }, { from: 'pending_customer', to: 'in_progress' }],
      [at(d1, '16:30'), 'ticket.first_public_reply', { status: 'in_progress' }],
      ...resolve(at(d1, '17:00')),
    ],
  },
  { key: 'cancelled', created: at(d1, '10:00'), steps: [[at(d1, '10:30'), 'ticket.priority_changed', { priority: 'low' }, { from: 'normal', to: 'low' }]] },
];

/** Write one scripted history: ticket rows created in the past, their events with past timestamps, the rows' final state. */
async function writeScript(set: string): Promise<Map<string, TicketSnapshot>> {
  const out = new Map<string, TicketSnapshot>();
  for (const s of SCRIPT()) {
    const customerId = uuidv7();
    const id = uuidv7();
    let snap: TicketSnapshot = {
      id,
      number: `${set}-${s.key}`,
      customerId,
      customerTier: 'regular',
      customerVip: false,
      type: 'complaint',
      channel: 'phone',
      priority: 'normal',
      status: 'new',
      previousStatus: 'new',
      ownerId: null,
      teamId: null,
      categoryId: null,
      site: null,
      createdAt: s.created,
    };
    const final = s.steps.reduce((acc, [, , change]) => ({ ...acc, ...change }), snap);
    // One transaction per ticket: the live clock worker must not fire a deadline between two past events that
    // happened in order (in real time it could not have); every event still goes through the engine on its own.
    await t.database.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO customers (id, name) VALUES (${customerId}, ${'回放客户'})`);
      await tx.execute(sql`INSERT INTO tickets (id, number, customer_id, type, channel, priority, status, subject, description, created_by_kind, created_at)
        VALUES (${id}, ${snap.number}, ${customerId}, ${snap.type}, ${snap.channel}, ${final.priority}, ${final.status}, ${'回放工单'}, ${''}, 'system', ${s.created})`);
      await recordTicketEvent(tx, systemCtx('test'), snap, 'ticket.created', {}, s.created);
    });
    // The events of one command share its instant and see the ticket as the command left it.
    for (let i = 0; i < s.steps.length;) {
      let j = i;
      while (j < s.steps.length && s.steps[j]![0].getTime() === s.steps[i]![0].getTime()) j++;
      const group = s.steps.slice(i, j);
      const after = group.reduce((acc, [, , change]) => ({ ...acc, ...change }), snap);
      await t.database.transaction(async (tx) => {
        let prev = snap.status;
        for (const [when, kind, , data] of group) {
          const previousStatus = kind === 'ticket.status_changed' ? prev : after.status;
          if (kind === 'ticket.status_changed') prev = (data as { to: string }).to;
          await recordTicketEvent(tx, systemCtx('test'), { ...after, previousStatus }, kind, (data ?? {}) as never, when);
        }
      });
      snap = { ...after, previousStatus: after.status };
      i = j;
    }
    out.set(s.key, snap);
  }
  return out;
}

/** Fire what is due by now on these tickets' clocks, as the worker does. */
async function fireDueNow(snaps: TicketSnapshot[]) {
  for (const snap of snaps)
    await t.database.transaction(async (tx) => {
      const env = new Env(tx, 'test');
      const rows = await clocksRepo.openForUpdate(tx, snap.id);
      await env.prepare(rows);
      for (const r of rows) if (r.nextActionAt && r.nextActionAt.getTime() <= Date.now()) await fireDue(env, r, snap, Date.now());
      await env.finish();
    });
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const outcome = (i: Record<string, unknown>) => ({
  state: i.state,
  cycle: i.cycle,
  startedAt: iso(i.startedAt as string),
  dueAt: iso(i.dueAt as string | null),
  breachedAt: iso(i.breachedAt as string | null),
  metAt: iso(i.metAt as string | null),
  endedAt: iso(i.endedAt as string | null),
  endReason: i.endReason,
  pausedAt: iso(i.pausedAt as string | null),
});

async function preview(def: Record<string, unknown>, days = 30) {
  const res = await t.inject('POST', '/api/v1/standards/preview', admin.token, { definition: { ...def, calendarId }, days });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
const byNumber = (p: { tickets: { number: string; instances: Record<string, unknown>[] }[] }, number: string) =>
  p.tickets.find((x) => x.number === number)?.instances.map(outcome) ?? [];

beforeAll(async () => {
  t = await testApp();
  admin = await t.as(['admin']);
  agentToken = (await t.as(['agent'])).token;
  await deactivateAll(t.database);
  const cal = await t.inject('POST', '/api/v1/calendars', admin.token, {
    name: '回放测试日历',
    timeZone: 'Asia/Shanghai',
    weekly: { mon: P, tue: P, wed: P, thu: P, fri: P },
    overrides: [
      { date: d2, kind: 'holiday', name: '测试假日' },
      { date: d3, kind: 'workday', name: '调休上班', hours: P },
    ],
  });
  expect(cal.statusCode, cal.body).toBe(201);
  calendarId = cal.json().id;
});
afterAll(async () => {
  await t?.close();
});

describe('standards preview (replay over stored events)', () => {
  it('the preview of a new standard equals what the engine computes on the same events, across a holiday, a 调休 workday and a pause', async () => {
    await writeScript('A');
    const countBefore = (await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM standard_instances`))[0]!.n;
    const pFr = await preview(FIRST_RESPONSE);
    const pSd = await preview(SAME_DAY);
    // Nothing was stored: no clock, no scratch standard, no timeline entry.
    expect((await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM standard_instances`))[0]!.n).toBe(countBefore);
    expect((await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM standards WHERE code LIKE 'preview-%'`))[0]!.n).toBe(0);
    expect((await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM events WHERE kind = 'standard.breached'`))[0]!.n).toBe(0);

    // Hand-computed: first response 2 business hours (09–12, 13:30–18, D2 a holiday, D3 a 调休 workday).
    expect(byNumber(pFr, 'A-in-time')[0]).toMatchObject({ state: 'met', dueAt: at(d1, '12:00').toISOString() });
    expect(byNumber(pFr, 'A-late')[0]).toMatchObject({ state: 'breached', breachedAt: at(d1, '12:00').toISOString() });
    expect(byNumber(pFr, 'A-unanswered')[0]).toMatchObject({ state: 'breached', breachedAt: at(addDays(d1, 1), '10:00').toISOString(), endedAt: null });
    expect(byNumber(pFr, 'A-holiday')[0]).toMatchObject({ state: 'met', dueAt: at(addDays(d2, 1), '11:00').toISOString() });
    expect(byNumber(pFr, 'A-tiaoxiu')[0]).toMatchObject({ state: 'breached', breachedAt: at(d3, '12:00').toISOString() });
    expect(byNumber(pFr, 'A-paused')[0]).toMatchObject({ state: 'met', dueAt: at(d1, '17:00').toISOString(), metAt: at(d1, '16:30').toISOString() });
    expect(byNumber(pFr, 'A-cancelled')[0]).toMatchObject({ state: 'cancelled', endReason: 'not_applicable' });
    expect(pFr.totals).toEqual({ met: 3, breached: 3, running: 0, cancelled: 1, rate: 0.5 });
    // Same day with a 16:00 cut-off: after the cut-off → the next business day; a holiday → the next business day.
    expect(byNumber(pSd, 'A-unanswered')[0]).toMatchObject({ state: 'breached', dueAt: at(addDays(d1, 1), '18:00').toISOString() });
    expect(byNumber(pSd, 'A-holiday')[0]).toMatchObject({ state: 'met', dueAt: at(addDays(d2, 1), '18:00').toISOString() });
    expect(byNumber(pSd, 'A-tiaoxiu')[0]).toMatchObject({ state: 'breached', dueAt: at(d3, '18:00').toISOString() });
    expect(pSd.totals).toMatchObject({ met: 3, breached: 4, running: 0, cancelled: 0 });
    expect(pSd.totals.rate).toBeCloseTo(3 / 7, 10);
    const daySum = pFr.byDay.reduce(
      (a: { met: number; breached: number }, d: { met: number; breached: number }) => ({ met: a.met + d.met, breached: a.breached + d.breached }),
      {
        met: 0,
        breached: 0,
      },
    );
    expect(daySum).toEqual({ met: 3, breached: 3 });
    expect(pFr.byDay.find((d: { date: string }) => d.date === d3)).toMatchObject({ breached: 1 });

    // Adopt both, then the live engine computes set B (same events, same instants).
    const fr = await t.inject('POST', '/api/v1/standards', admin.token, { ...FIRST_RESPONSE, calendarId });
    const sd = await t.inject('POST', '/api/v1/standards', admin.token, { ...SAME_DAY, calendarId });
    expect(fr.statusCode, fr.body).toBe(201);
    expect(sd.statusCode, sd.body).toBe(201);
    // The live worker is stopped while set B is written: in real time no deadline could fall between two past
    // events of one ticket; what is due by now is then fired by the worker's own function (fireDue).
    await clockWorkers.get(t.database)?.stop();
    const setB = await writeScript('B');
    await fireDueNow([...setB.values()]);

    for (const s of SCRIPT()) {
      const rows = await t.database.rows<Record<string, unknown>>(
        sql`SELECT code, state, cycle, started_at AS "startedAt", due_at AS "dueAt", breached_at AS "breachedAt", met_at AS "metAt", ended_at AS "endedAt",
              end_reason AS "endReason", paused_at AS "pausedAt" FROM standard_instances WHERE ticket_id = ${setB.get(s.key)!.id} ORDER BY code, cycle`,
      );
      const engine = (code: string) => rows.filter((r) => r.code === code).map(outcome);
      expect(byNumber(pFr, `A-${s.key}`), `${s.key} FR-2H`).toEqual(engine('FR-2H'));
      expect(byNumber(pSd, `A-${s.key}`), `${s.key} SAME-DAY-16`).toEqual(engine('SAME-DAY-16'));
      expect(engine('SAME-DAY-16').length, s.key).toBe(1);
    }
    // The engine's compliance of the adopted standard (set B only) has the preview's totals.
    const c = (await t.inject('GET', `/api/v1/standards/${fr.json().id}/compliance`, admin.token)).json();
    expect({ met: c.met, breached: c.breached, rate: c.rate }).toEqual({ met: 3, breached: 3, rate: 0.5 });
    // A preview run now replays both sets: set B's replayed clocks equal set A's (and so the engine's).
    const again = await preview(FIRST_RESPONSE);
    for (const s of SCRIPT()) expect(byNumber(again, `B-${s.key}`)).toEqual(byNumber(pFr, `A-${s.key}`));
    expect(again.totals).toEqual({ met: 6, breached: 6, running: 0, cancelled: 2, rate: 0.5 });
  });

  it('refuses a bad definition (400 naming the field), a window too large (422), non-replayable measures (422) and non-admins (403)', async () => {
    const bad = await t.inject('POST', '/api/v1/standards/preview', admin.token, { definition: { ...FIRST_RESPONSE, limitSeconds: undefined }, days: 30 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toContain('definition.limitSeconds');
    const badDays = await t.inject('POST', '/api/v1/standards/preview', admin.token, { definition: FIRST_RESPONSE, days: 91 });
    expect(badDays.statusCode).toBe(400);
    expect(badDays.json().errors.map((e: { path: string }) => e.path)).toContain('days');
    process.env.CHIDU_PREVIEW_MAX_TICKETS = '3';
    try {
      const big = await t.inject('POST', '/api/v1/standards/preview', admin.token, { definition: FIRST_RESPONSE, days: 30 });
      expect(big.statusCode).toBe(422);
      expect(big.json()).toMatchObject({ code: 'unprocessable', reason: 'preview_window_too_large' });
    } finally {
      delete process.env.CHIDU_PREVIEW_MAX_TICKETS;
    }
    const soft = await t.inject('POST', '/api/v1/standards/preview', admin.token, {
      definition: {
        code: 'SOFT',
        name: '满意度',
        encounter: '回访',
        kind: 'soft',
        measure: 'survey',
        target: 0.8,
        survey: { measure: 'csat', aggregate: 'mean', threshold: 4.8, minSample: 5 },
      },
    });
    expect(soft.statusCode).toBe(422);
    expect(soft.json().reason).toBe('preview_not_replayable');
    const denied = await t.inject('POST', '/api/v1/standards/preview', agentToken, { definition: FIRST_RESPONSE });
    expect(denied.statusCode).toBe(403);
  });
});
