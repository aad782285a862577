/**
 * Counted standards (ring count of a logged phone call, contacts before resolution), time-of-day deadlines ("by 10:30",
 * "same business day, cut-off 16:00") across a holiday and a 调休 workday with warnings / breach / escalation at the
 * right instants (the engine's fireDue with a chosen instant is the test clock), and a ticket's checkpoint row.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Env, fireDue } from '../src/engine/engine';
import { clocksRepo } from '../src/engine/clocks.repo';
import { systemCtx } from '../src/lib/context';
import { recordTicketEvent, type TicketSnapshot } from '../src/modules/tickets/ticket-events';
import { testApp, type TestApp } from './harness';
import { deactivateAll, event, instances, standard, ticketRow, timeline } from './standards-helpers';

let t: TestApp;
let admin: { staff: { id: string }; token: string };
let agent: { staff: { id: string }; token: string };
let customerId: string;

beforeAll(async () => {
  t = await testApp();
  admin = await t.as(['admin']);
  const supervisor = await t.as(['supervisor']);
  const teamId = (await t.team('电话组', supervisor.staff.id)).id;
  agent = await t.as(['agent'], { teamId });
  customerId = (await t.inject('POST', '/api/v1/customers', agent.token, { name: '王先生', phone: '13900003333' })).json().id;
});
afterAll(async () => {
  await t?.close();
});

const sh = (s: string) => new Date(`${s}+08:00`);

/** The engine's test clock: perform what is due by `at` on the ticket's open clocks, as the worker would at that instant. */
async function advance(snap: TicketSnapshot, at: Date) {
  await t.database.transaction(async (tx) => {
    const env = new Env(tx, 'test');
    const rows = await clocksRepo.openForUpdate(tx, snap.id);
    await env.prepare(rows);
    for (const r of rows) await fireDue(env, r, snap, at.getTime());
    await env.finish();
  });
}

async function startAt(snap: TicketSnapshot, at: Date) {
  await t.database.transaction((tx) => recordTicketEvent(tx, systemCtx('test'), snap, 'ticket.created', {}, at).then(() => undefined));
}

describe('counted standards', () => {
  it('a phone log with 2 rings meets "answer within 3 rings", 5 rings breaches it; compliance counts both', async () => {
    await deactivateAll(t.database);
    const id = await standard(t, admin.token, {
      code: 'RINGS-3',
      name: '三声内接听',
      measure: 'count',
      count: { source: 'ring_count', limit: 3 },
      appliesTo: { channels: ['phone'] },
    });
    const call = (ringCount: number) =>
      t.inject('POST', '/api/v1/tickets', agent.token, {
        customerId,
        type: 'inquiry',
        channel: 'phone',
        priority: 'normal',
        subject: '来电咨询',
        description: '电话',
        ringCount,
      });
    const ok = (await call(2)).json();
    const late = (await call(5)).json();
    const [a] = await instances(t.database, ok.id);
    const [b] = await instances(t.database, late.id);
    expect(a).toMatchObject({ code: 'RINGS-3', state: 'met', end_reason: 'counted' });
    expect(b).toMatchObject({ code: 'RINGS-3', state: 'breached', end_reason: 'counted' });
    const detail = (await t.inject('GET', `/api/v1/tickets/${late.id}`, agent.token)).json();
    expect(detail.standards.find((s: { code: string }) => s.code === 'RINGS-3')).toMatchObject({ state: 'breached', observed: 5, countLimit: 3 });
    expect((await timeline(t.database, late.id)).find((e) => e.kind === 'standard.breached')?.data).toMatchObject({ code: 'RINGS-3', observed: 5, limit: 3 });
    // a call without a ring count, and a walk-in, are not counted
    await t.inject('POST', '/api/v1/tickets', agent.token, {
      customerId,
      type: 'inquiry',
      channel: 'phone',
      priority: 'normal',
      subject: '无响铃',
      description: '',
    });
    const c = (await t.inject('GET', `/api/v1/standards/${id}/compliance`, admin.token)).json();
    expect(c).toMatchObject({ met: 1, breached: 1, running: 0, rate: 0.5 });
  });

  it('property: met / breached / rate equal a reference count of the calls within the limit (calls without a count left out)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.option(fc.integer({ min: 0, max: 9 }), { nil: null }), { minLength: 1, maxLength: 6 }),
        async (limit, rings) => {
          await deactivateAll(t.database);
          const id = await standard(t, admin.token, {
            code: `RINGS-P${++run}`,
            name: `${limit} 声内接听（性质测试 ${run}）`,
            measure: 'count',
            count: { source: 'ring_count', limit },
            appliesTo: { channels: ['phone'] },
          });
          rings = [limit, ...rings]; // the boundary every run: exactly the limit is met ("within 3 rings" includes the third)
          for (const ringCount of rings) {
            const res = await t.inject('POST', '/api/v1/tickets', agent.token, {
              customerId,
              type: 'inquiry',
              channel: 'phone',
              priority: 'normal',
              subject: '来电咨询',
              description: '电话',
              ...(ringCount === null ? {} : { ringCount }),
            });
            expect(res.statusCode).toBe(201);
          }
          // The reference: a plain count over the recorded rings.
          const counted = rings.filter((r): r is number => r !== null);
          const met = counted.filter((r) => r <= limit).length;
          const c = (await t.inject('GET', `/api/v1/standards/${id}/compliance`, admin.token)).json();
          expect(c).toMatchObject({ met, breached: counted.length - met, running: 0 });
          if (counted.length) expect(c.rate).toBeCloseTo(met / counted.length, 6);
        },
      ),
      { numRuns: 8 },
    );
  });

  it('contacts before resolution are counted when the ticket is resolved', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, { code: 'CONTACTS-2', name: '两次沟通内解决', measure: 'count', count: { source: 'contacts_before_resolution', limit: 2 } });
    let snap = await ticketRow(t.database);
    snap = await event(t.database, snap, 'ticket.created');
    snap = await event(t.database, snap, 'ticket.first_public_reply');
    snap = await event(t.database, snap, 'ticket.customer_reply');
    snap = await event(t.database, snap, 'ticket.public_reply');
    await event(t.database, snap, 'ticket.resolved', { status: 'resolved' });
    const [i] = await instances(t.database, snap.id);
    expect(i).toMatchObject({ code: 'CONTACTS-2', state: 'breached' });
  });

  it('refuses a counted standard without its count, and a time-of-day one that pauses', async () => {
    const bad = await t.inject('POST', '/api/v1/standards', admin.token, { code: 'BAD-1', name: 'x', encounter: 'x', kind: 'hard', measure: 'count' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toContain('count');
    const bad2 = await t.inject('POST', '/api/v1/standards', admin.token, {
      code: 'BAD-2',
      name: 'x',
      encounter: 'x',
      kind: 'hard',
      start: 'ticket.created',
      stop: 'ticket.resolved',
      deadline: 'time_of_day',
      timeOfDay: { at: '10:30' },
      pauseWhile: ['pending_customer'],
    });
    expect(bad2.statusCode).toBe(400);
    expect(bad2.json().errors.map((e: { path: string }) => e.path)).toContain('pauseWhile');
    const bad3 = await t.inject('POST', '/api/v1/standards', admin.token, {
      code: 'BAD-3',
      name: 'x',
      encounter: 'x',
      kind: 'hard',
      start: 'ticket.created',
      stop: 'ticket.resolved',
      deadline: 'time_of_day',
      timeOfDay: { at: '25:00' },
    });
    expect(bad3.statusCode).toBe(400);
    expect(JSON.stringify(bad3.json().errors)).toContain('timeOfDay');
  });
});

describe('time-of-day deadlines across a holiday and a 调休 workday', () => {
  // weekdays 09:00–12:00 + 13:30–18:00; Monday 2027-01-04 a holiday, Saturday 2027-01-09 a make-up workday (调休)
  const WK = [
    ['09:00', '12:00'],
    ['13:30', '18:00'],
  ];
  let calendarId: string;
  beforeAll(async () => {
    const res = await t.inject('POST', '/api/v1/calendars', admin.token, {
      name: '测试日历（调休）',
      timeZone: 'Asia/Shanghai',
      weekly: { mon: WK, tue: WK, wed: WK, thu: WK, fri: WK },
      holidays: null,
      overrides: [
        { date: '2027-01-04', kind: 'holiday', name: '测试假日' },
        { date: '2027-01-09', kind: 'workday', name: '调休' },
      ],
    });
    expect(res.statusCode).toBe(201);
    calendarId = res.json().id;
  });

  it('"by 10:30": after 10:30 on Friday → the 调休 Saturday 10:30; warning at 50 % of the business span, breach, escalation', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, {
      code: 'BY-1030',
      name: '10:30 前送达',
      start: 'ticket.created',
      stop: 'ticket.resolved',
      deadline: 'time_of_day',
      timeOfDay: { at: '10:30' },
      calendarId,
      warnAtPercent: [50],
      escalation: [{ afterBreachSeconds: 3600, notifyRole: 'supervisor' }],
    });
    const snap = await ticketRow(t.database);
    await startAt(snap, sh('2027-01-08T11:00:00'));
    let [i] = await instances(t.database, snap.id);
    expect(new Date(i!.due_at!).toISOString()).toBe(sh('2027-01-09T10:30:00').toISOString());
    // span: Fri 11:00–12:00, 13:30–18:00, Sat 09:00–10:30 = 7 h; 50 % = 3.5 h → Friday 16:00
    expect(i!.next_action).toBe('warning:0');
    await advance(snap, sh('2027-01-08T15:59:59'));
    expect((await timeline(t.database, snap.id)).some((e) => e.kind === 'standard.warning')).toBe(false);
    await advance(snap, sh('2027-01-08T16:00:00'));
    expect((await timeline(t.database, snap.id)).find((e) => e.kind === 'standard.warning')?.data).toMatchObject({
      scheduledAt: sh('2027-01-08T16:00:00').toISOString(),
    });
    await advance(snap, sh('2027-01-09T10:29:59'));
    [i] = await instances(t.database, snap.id);
    expect(i!.state).toBe('running');
    await advance(snap, sh('2027-01-09T10:30:00'));
    [i] = await instances(t.database, snap.id);
    expect(i).toMatchObject({ state: 'breached', next_action: 'escalation:0' });
    expect(new Date(i!.breached_at!).toISOString()).toBe(sh('2027-01-09T10:30:00').toISOString());
    // +1 business hour after the breach: Saturday 11:30 (the make-up day is a business day)
    await advance(snap, sh('2027-01-09T11:30:00'));
    expect((await timeline(t.database, snap.id)).some((e) => e.kind === 'ticket.escalated')).toBe(true);
  });

  it('"same day, cut-off 16:00": Sunday → Monday is a holiday → Tuesday 18:00; Friday 16:30 → the 调休 Saturday 18:00', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, {
      code: 'SAME-DAY-1600',
      name: '投诉当日办结',
      start: 'ticket.created',
      stop: 'ticket.resolved',
      deadline: 'time_of_day',
      timeOfDay: { at: 'end_of_day', businessDaysAfter: 0, cutoff: '16:00' },
      calendarId,
      warnAtPercent: [75],
    });
    const sunday = await ticketRow(t.database);
    await startAt(sunday, sh('2027-01-03T10:00:00'));
    let [i] = await instances(t.database, sunday.id);
    expect(new Date(i!.due_at!).toISOString()).toBe(sh('2027-01-05T18:00:00').toISOString());
    // span 7.5 h on Tuesday; 75 % = 5 h 37.5 min → 16:07:30
    expect(new Date(i!.next_action_at!).toISOString()).toBe(sh('2027-01-05T16:07:30').toISOString());
    await advance(sunday, sh('2027-01-05T16:07:30'));
    expect((await timeline(t.database, sunday.id)).some((e) => e.kind === 'standard.warning')).toBe(true);
    await advance(sunday, sh('2027-01-05T18:00:00'));
    [i] = await instances(t.database, sunday.id);
    expect(i!.state).toBe('breached');

    const before = await ticketRow(t.database);
    await startAt(before, sh('2027-01-08T15:59:00'));
    expect(new Date((await instances(t.database, before.id))[0]!.due_at!).toISOString()).toBe(sh('2027-01-08T18:00:00').toISOString());
    const after = await ticketRow(t.database);
    await startAt(after, sh('2027-01-08T16:30:00'));
    expect(new Date((await instances(t.database, after.id))[0]!.due_at!).toISOString()).toBe(sh('2027-01-09T18:00:00').toISOString());
    // resolved in time → met
    await t.database.transaction((tx) =>
      recordTicketEvent(tx, systemCtx('test'), { ...after, status: 'resolved' }, 'ticket.resolved', {}, sh('2027-01-09T17:00:00')).then(() => undefined),
    );
    expect((await instances(t.database, after.id))[0]).toMatchObject({ state: 'met' });
  });
});

describe('quality checkpoints', () => {
  it('shows a ticket’s checkpoint row through its life: pending → passed / failed, not applicable without a standard', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, {
      code: 'CP-FIRST',
      name: '首次响应 1 小时',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 3600,
      checkpoint: 'first_response',
    });
    await standard(t, admin.token, {
      code: 'CP-CONFIRM',
      name: '解决后 3 天内客户确认',
      start: 'ticket.resolved',
      stop: 'ticket.customer_confirmed',
      limitSeconds: 3 * 86400,
      checkpoint: 'resolution_confirmed',
    });
    const cps = (await t.inject('GET', '/api/v1/standards/checkpoints', agent.token)).json().items;
    expect(cps.map((c: { node: string; standard: { code: string } | null }) => [c.node, c.standard?.code ?? null])).toEqual([
      ['first_response', 'CP-FIRST'],
      ['solution_confirmed', null],
      ['resolution_confirmed', 'CP-CONFIRM'],
    ]);
    let snap = await ticketRow(t.database);
    const row = async () =>
      Object.fromEntries(
        (await t.inject('GET', `/api/v1/tickets/${snap.id}/checkpoints`, admin.token))
          .json()
          .items.map((c: { node: string; state: string }) => [c.node, c.state]),
      );
    snap = await event(t.database, snap, 'ticket.created');
    expect(await row()).toEqual({ first_response: 'pending', solution_confirmed: 'not_applicable', resolution_confirmed: 'pending' });
    snap = await event(t.database, snap, 'ticket.first_public_reply');
    expect(await row()).toMatchObject({ first_response: 'passed' });
    snap = await event(t.database, snap, 'ticket.resolved', { status: 'resolved' });
    expect(await row()).toMatchObject({ resolution_confirmed: 'pending' });
    await event(t.database, snap, 'ticket.customer_confirmed');
    expect(await row()).toEqual({ first_response: 'passed', solution_confirmed: 'not_applicable', resolution_confirmed: 'passed' });
    // an unknown ticket is 404
    expect((await t.inject('GET', '/api/v1/tickets/01900000-0000-7000-8000-000000000000/checkpoints', admin.token)).statusCode).toBe(404);
  });
});
