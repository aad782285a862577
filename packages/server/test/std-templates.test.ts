/**
 * Issue #13 item 8, "must show": every template of the catalogue (domain spec §4 and the §6 targets) adopted through
 * the API on an empty installation, then each driven through the events it names — one case per template, so a
 * failure names the row. Timed templates: a clock starts on the start event, a ticket that gets the stop event in
 * time is met, one that does not breaches at its deadline (the engine's fireDue at a chosen instant is the test clock;
 * the worker is off so nothing fires on its own). Counted: ring counts below and above the limit. Recurring: the next
 * cycle starts at the stop event (after-sales care ends after 3). Measured / soft / audit templates start no clock and
 * are judged by their rate / survey (compliance says so). Targets set the measures module's target.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Env, fireDue } from '../src/engine/engine';
import { clocksRepo } from '../src/engine/clocks.repo';
import { systemCtx } from '../src/lib/context';
import { sql } from 'drizzle-orm';
import { recordTicketEvent, type TicketEventKind, type TicketSnapshot } from '../src/modules/tickets/ticket-events';
import { STANDARD_TEMPLATES } from '../src/modules/standards/templates';
import { TARGET_TEMPLATES } from '../src/modules/standards/templates.catalogue';
import { testApp, type TestApp } from './harness';
import { instances, ticketRow } from './standards-helpers';

let t: TestApp;
let admin: { token: string };
const workerEnv = process.env.CHIDU_STANDARDS_WORKER;
/** key → adopted standard (id, code, definition as the API presents it) */
const adopted = new Map<string, { id: string; code: string; measure: string; limitSeconds: number | null; recurring: boolean }>();

beforeAll(async () => {
  process.env.CHIDU_STANDARDS_WORKER = '0'; // the test is the clock
  t = await testApp();
  admin = await t.as(['admin']);
});
afterAll(async () => {
  await t?.close();
  if (workerEnv === undefined) delete process.env.CHIDU_STANDARDS_WORKER;
  else process.env.CHIDU_STANDARDS_WORKER = workerEnv;
});

/**
 * Each ticket's history starts a minute ahead of the real clock: other consumers record follow-up events at the real
 * time (a resolved ticket's survey invitation, care tasks…), which must not land after the clocks' deadlines.
 */
const base = () => Math.ceil((Date.now() + 60_000) / 1000) * 1000;
const S = 1000;

/** Update the ticket row and record an event at `at` (ms), as the ticket commands would. */
async function ev(snap: TicketSnapshot, kind: string, at: number, change: Partial<TicketSnapshot> = {}, data: Record<string, unknown> = {}) {
  const next: TicketSnapshot = { ...snap, ...change, previousStatus: snap.status };
  await t.database.transaction(async (tx) => {
    await tx.execute(sql`UPDATE tickets SET status = ${next.status} WHERE id = ${snap.id}`);
    await recordTicketEvent(tx, systemCtx('test'), next, kind as TicketEventKind, data as never, new Date(at));
  });
  return { ...next, previousStatus: next.status };
}

/** Perform what is due by `at` on the ticket's open clocks, as the worker would at that instant. */
async function advance(snap: TicketSnapshot, at: number) {
  await t.database.transaction(async (tx) => {
    const env = new Env(tx, 'test');
    const rows = await clocksRepo.openForUpdate(tx, snap.id);
    await env.prepare(rows);
    for (const r of rows) await fireDue(env, r, snap, at);
    await env.finish();
  });
}

async function clocksOf(snap: TicketSnapshot, code: string) {
  return (await instances(t.database, snap.id)).filter((i) => i.code === code);
}

type Step = { kind: string; status?: string; data?: Record<string, unknown> };
interface TimedCase {
  key: string;
  ticket: { type: string; channel: string; assistance?: string };
  /** events before the start event (not timed) */
  before?: Step[];
  start: Step;
  stop: Step;
  /** a status the clock pauses in (pauseWhile) */
  pausesIn?: string;
}

const created: Step = { kind: 'ticket.created' };
const resolved: Step = { kind: 'ticket.resolved', status: 'resolved' };
const firstReply: Step = { kind: 'ticket.first_public_reply', status: 'in_progress' };
const walkIn = (type: string) => ({ type, channel: 'walk_in' });

/** One row per timed template: the events the source names. */
const TIMED: TimedCase[] = [
  { key: 'front-desk-greeting', ticket: walkIn('inquiry'), start: created, stop: firstReply },
  { key: 'store-greet-5min', ticket: walkIn('inquiry'), start: created, stop: firstReply },
  // appliesTo { assistance: true }: only a customer needing one-to-one help (std-assist.test.ts: not the others)
  { key: 'one-to-one-greeting', ticket: { type: 'inquiry', channel: 'walk_in', assistance: 'elderly' }, start: created, stop: firstReply },
  { key: 'visitor-registration-30s', ticket: walkIn('inquiry'), start: created, stop: resolved },
  { key: 'bank-lobby-wait-5min', ticket: walkIn('inquiry'), start: created, stop: { kind: 'ticket.assigned', status: 'assigned' } },
  { key: 'restaurant-menu-2min', ticket: walkIn('order'), start: created, stop: firstReply },
  { key: 'restaurant-order-5min', ticket: walkIn('order'), start: created, stop: { kind: 'ticket.order_confirmed', data: { lines: [] } } },
  {
    key: 'restaurant-hot-dishes-20min',
    ticket: walkIn('order'),
    before: [created],
    start: { kind: 'ticket.order_confirmed', data: { lines: [] } },
    stop: resolved,
  },
  { key: 'car-service-greet-4min', ticket: walkIn('repair'), start: created, stop: firstReply },
  {
    key: 'car-service-status-1min',
    ticket: walkIn('repair'),
    before: [created, firstReply],
    start: { kind: 'ticket.status_requested', data: { by: 'customer', byId: 'c', channel: 'phone' } },
    stop: { kind: 'ticket.public_reply' },
  },
  { key: 'car-service-appointment-day', ticket: walkIn('repair'), start: created, stop: resolved },
  { key: 'callback-4h', ticket: { type: 'inquiry', channel: 'phone' }, start: created, stop: firstReply, pausesIn: 'pending_customer' },
  { key: 'first-response-4-business-hours', ticket: { type: 'inquiry', channel: 'email' }, start: created, stop: firstReply, pausesIn: 'pending_customer' },
  { key: 'complaint-same-day', ticket: { type: 'complaint', channel: 'phone' }, start: created, stop: resolved },
  {
    key: 'qa-appeal-ruling-2bd',
    ticket: { type: 'inquiry', channel: 'phone' },
    start: { kind: 'qa.appeal_filed', data: { inspectionId: 'i', appealId: 'a' } },
    stop: { kind: 'qa.appeal_ruled', data: { inspectionId: 'i', appealId: 'a', decision: 'upheld', scoreBefore: 60, scoreAfter: 60 } },
  },
  {
    key: 'env-corrective-1bd',
    // Corrective tasks are internal tickets (内部工单); the template names the type.
    ticket: { type: 'internal', channel: 'walk_in' },
    start: { kind: 'env.corrective_opened', data: { taskId: 't', checkId: 'c', siteId: 's', item: 'temperature' } },
    stop: { kind: 'env.corrective_closed', data: { taskId: 't', checkId: 'c', siteId: 's', item: 'temperature' } },
  },
  { key: 'complaint-same-day-cutoff', ticket: { type: 'complaint', channel: 'phone' }, start: created, stop: resolved },
  { key: 'delivery-by-1030', ticket: { type: 'order', channel: 'portal' }, start: created, stop: resolved },
  {
    key: 'low-score-supervisor-15min',
    ticket: { type: 'inquiry', channel: 'portal' },
    before: [created],
    start: { kind: 'recovery.opened' },
    stop: { kind: 'recovery.contacted' },
  },
  {
    key: 'low-score-solution-48h',
    ticket: { type: 'inquiry', channel: 'portal' },
    before: [created],
    start: { kind: 'recovery.opened' },
    stop: { kind: 'recovery.solution_proposed' },
  },
  {
    key: 'low-score-revisit-1-week',
    ticket: { type: 'inquiry', channel: 'portal' },
    before: [created],
    start: { kind: 'recovery.opened' },
    stop: { kind: 'recovery.revisited' },
  },
  { key: 'revisit-7-days', ticket: { type: 'inquiry', channel: 'portal' }, before: [created], start: resolved, stop: { kind: 'ticket.revisited' } },
  { key: 'repair-response-2h', ticket: { type: 'repair', channel: 'portal' }, start: created, stop: { kind: 'ticket.assigned', status: 'assigned' } },
  {
    key: 'repair-customer-confirmation',
    ticket: { type: 'repair', channel: 'portal' },
    before: [created],
    start: resolved,
    stop: { kind: 'ticket.customer_confirmed' },
  },
  { key: 'restaurant-table-check-15min', ticket: walkIn('order'), start: created, stop: { kind: 'ticket.public_reply' } },
  { key: 'after-sales-care-3x', ticket: { type: 'after_sales', channel: 'phone' }, before: [created], start: resolved, stop: { kind: 'ticket.revisited' } },
];

/** Counted, measured, soft and audit templates: how each is judged instead of a clock. */
const COUNTED = ['phone-answer-3-rings'];
const MEASURED: Record<string, string> = { 'bank-fcr-90': 'fcr', 'car-service-fix-first-time': 'firstTimeFix' };
const SOFT: Record<string, 'mean' | 'share'> = { 'bank-satisfaction-4-8': 'mean', 'repair-courtesy': 'share' };
const AUDIT = [
  'eye-contact-3-5s',
  'phone-opening-script',
  'car-service-replacement-car',
  'car-service-explain-charges',
  'silent-customer-4-touches',
  'quote-before-work',
];

describe('template catalogue on an empty installation', () => {
  it('lists every template with its group and seed source, and every one is covered by a case below', async () => {
    const res = await t.inject('GET', '/api/v1/standards/templates', admin.token);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items).toHaveLength(STANDARD_TEMPLATES.length);
    for (const tpl of body.items) {
      expect(tpl.group, tpl.key).toBeTruthy();
      expect(tpl.source, tpl.key).toMatch(/^(种子 00\d《.+》 · |领域规格)/);
    }
    expect(body.targets.map((x: { key: string }) => x.key)).toEqual(TARGET_TEMPLATES.map((x) => x.key));
    const covered = new Set([...TIMED.map((c) => c.key), ...COUNTED, ...Object.keys(MEASURED), ...Object.keys(SOFT), ...AUDIT]);
    expect(STANDARD_TEMPLATES.map((x) => x.key).filter((k) => !covered.has(k))).toEqual([]);
    expect(covered.size).toBe(STANDARD_TEMPLATES.length);
  });

  it('adopts every standard template through the API', async () => {
    expect((await t.inject('GET', '/api/v1/standards', admin.token)).json().items).toHaveLength(0);
    for (const tpl of STANDARD_TEMPLATES) {
      const res = await t.inject('POST', `/api/v1/standards/templates/${tpl.key}/adopt`, admin.token, {});
      expect(res.statusCode, `${tpl.key}: ${res.body}`).toBe(201);
      const s = res.json();
      expect(s).toMatchObject({ code: tpl.code, templateKey: tpl.key, active: true });
      adopted.set(tpl.key, { id: s.id, code: s.code, measure: s.measure, limitSeconds: s.limitSeconds, recurring: s.recurring });
    }
    const again = await t.inject('POST', `/api/v1/standards/templates/callback-4h/adopt`, admin.token, {});
    expect(again.statusCode).toBe(409);
  });
});

describe.each(TIMED)('timed template $key', (c) => {
  async function begin() {
    const a = adopted.get(c.key)!;
    let snap = await ticketRow(t.database, c.ticket);
    const t0 = base();
    const before = c.before ?? [];
    for (const [i, s] of before.entries()) snap = await ev(snap, s.kind, t0 + i * S, s.status ? { status: s.status } : {}, s.data);
    const startAt = t0 + before.length * S;
    snap = await ev(snap, c.start.kind, startAt, c.start.status ? { status: c.start.status } : {}, c.start.data);
    const [clock] = await clocksOf(snap, a.code);
    expect(clock, `${c.key}: no clock started on ${c.start.kind}`).toBeDefined();
    expect(clock).toMatchObject({ state: 'running', cycle: 1 });
    expect(clock!.due_at, `${c.key}: a running clock has a deadline`).not.toBeNull();
    return { snap, startAt, due: new Date(clock!.due_at!).getTime(), a };
  }

  it(`starts on ${c.start.kind} and is met when ${c.stop.kind} comes in time`, async () => {
    const { snap, startAt, due, a } = await begin();
    if (a.limitSeconds) expect(due - startAt).toBe(a.limitSeconds * 1000); // 24×7 on an empty installation
    const stopAt = startAt + Math.floor((due - startAt) / 2);
    await advance(snap, stopAt);
    await ev(snap, c.stop.kind, stopAt, c.stop.status ? { status: c.stop.status } : {}, c.stop.data);
    const clocks = await clocksOf(snap, a.code);
    expect(clocks[0]).toMatchObject({ state: 'met', cycle: 1 });
    expect(new Date(clocks[0]!.met_at!).getTime()).toBe(stopAt);
    if (a.recurring) expect(clocks[1], `${c.key}: the next cycle starts at the stop event`).toMatchObject({ state: 'running', cycle: 2 });
  });

  it('breaches at its deadline when the stop event does not come', async () => {
    const { snap, due, a } = await begin();
    await advance(snap, due - S);
    expect((await clocksOf(snap, a.code))[0]).toMatchObject({ state: 'running' });
    await advance(snap, due);
    const [clock] = await clocksOf(snap, a.code);
    expect(clock).toMatchObject({ state: 'breached' });
    expect(new Date(clock!.breached_at!).getTime()).toBe(due);
  });

  if (c.pausesIn) {
    it(`pauses while the ticket is ${c.pausesIn}`, async () => {
      const { snap, startAt, a } = await begin();
      await ev(snap, 'ticket.status_changed', startAt + 60 * S, { status: c.pausesIn! });
      const [clock] = await clocksOf(snap, a.code);
      expect(clock).toMatchObject({ state: 'paused' });
      expect(clock!.paused_at).not.toBeNull();
    });
  }
});

describe('recurring after-sales care ends after 3 contacts', () => {
  it('three revisits in time are three met cycles and no fourth starts', async () => {
    const a = adopted.get('after-sales-care-3x')!;
    let snap = await ticketRow(t.database, { type: 'after_sales', channel: 'phone' });
    const T0 = base();
    snap = await ev(snap, 'ticket.created', T0);
    snap = await ev(snap, 'ticket.resolved', T0 + S, { status: 'resolved' });
    for (let i = 1; i <= 3; i++) await ev(snap, 'ticket.revisited', T0 + S + i * 3600 * S);
    const clocks = await clocksOf(snap, a.code);
    expect(clocks.map((x) => [x.cycle, x.state])).toEqual([
      [1, 'met'],
      [2, 'met'],
      [3, 'met'],
    ]);
  });
});

describe('counted template: 电话三声内接听', () => {
  it.each([
    [2, 'met'],
    [3, 'met'],
    [4, 'breached'],
  ])('a logged call with %i rings is %s', async (rings, state) => {
    const a = adopted.get('phone-answer-3-rings')!;
    const snap = await ticketRow(t.database, { type: 'inquiry', channel: 'phone' });
    await ev(snap, 'ticket.created', base(), {}, { ringCount: rings });
    const [clock] = await clocksOf(snap, a.code);
    expect(clock).toMatchObject({ state, end_reason: 'counted' });
  });
});

describe.each(Object.entries(MEASURED))('measured template %s', (key, metric) => {
  it(`starts no clock and is judged by the ${metric} rate`, async () => {
    const a = adopted.get(key)!;
    let snap = await ticketRow(t.database, { type: 'repair', channel: 'walk_in' });
    const T0 = base();
    snap = await ev(snap, 'ticket.created', T0);
    await ev(snap, 'ticket.resolved', T0 + S, { status: 'resolved' });
    expect(await clocksOf(snap, a.code)).toHaveLength(0);
    const c = (await t.inject('GET', `/api/v1/standards/${a.id}/compliance`, admin.token)).json();
    expect(c.measured).toMatchObject({ insufficientSample: true, met: null });
    expect(a.measure).toBe('operating_data');
  });
});

describe.each(Object.entries(SOFT))('soft template %s', (key, aggregate) => {
  it(`starts no clock and is judged by the survey ${aggregate}`, async () => {
    const a = adopted.get(key)!;
    const s = (await t.inject('GET', `/api/v1/standards/${a.id}`, admin.token)).json();
    expect(s).toMatchObject({ kind: 'soft', measure: 'survey', timed: false, survey: { aggregate } });
    const c = (await t.inject('GET', `/api/v1/standards/${a.id}/compliance`, admin.token)).json();
    expect(c.soft).toMatchObject({ insufficientSample: true, met: null });
  });
});

describe.each(AUDIT)('audit template %s', (key) => {
  it('is an audited hard standard with no clock', async () => {
    const a = adopted.get(key)!;
    const s = (await t.inject('GET', `/api/v1/standards/${a.id}`, admin.token)).json();
    expect(s).toMatchObject({ kind: 'hard', measure: 'audit', timed: false, start: null, stop: null });
    const snap = await ticketRow(t.database, { type: 'repair', channel: 'walk_in' });
    await ev(snap, 'ticket.created', base());
    expect(await clocksOf(snap, a.code)).toHaveLength(0);
  });
});

describe('target templates set the measures targets', () => {
  it.each(TARGET_TEMPLATES.map((x) => [x.key, x] as const))('%s', async (key, tpl) => {
    const res = await t.inject('POST', `/api/v1/standards/target-templates/${key}/adopt`, admin.token, {});
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ measure: tpl.measure, target: tpl.target });
    const targets = (await t.inject('GET', '/api/v1/measures/targets', admin.token)).json().items;
    expect(targets.find((x: { measure: string }) => x.measure === tpl.measure).target).toBe(tpl.target);
    const list = (await t.inject('GET', '/api/v1/standards/templates', admin.token)).json().targets;
    expect(list.find((x: { key: string }) => x.key === key)).toMatchObject({ inForce: true, current: tpl.target });
  });

  it('CSAT: 80 % (seed 000) and 85 % (seed 002) are both shipped; adopting one replaces the other', async () => {
    await t.inject('POST', '/api/v1/standards/target-templates/target-csat-80/adopt', admin.token, {});
    const list = (await t.inject('GET', '/api/v1/standards/templates', admin.token)).json().targets;
    const csat = list.filter((x: { measure: string }) => x.measure === 'csat');
    expect(csat.map((x: { target: number; inForce: boolean }) => [x.target, x.inForce])).toEqual([
      [0.8, true],
      [0.85, false],
    ]);
    expect(list.find((x: { key: string }) => x.key === 'target-fcr-85').note).toContain('72%');
  });

  it('refuses an unknown key (404), a non-admin (403) and a bad override (400 naming target)', async () => {
    const agent = await t.as(['agent']);
    expect((await t.inject('POST', '/api/v1/standards/target-templates/nope/adopt', admin.token, {})).statusCode).toBe(404);
    expect((await t.inject('POST', '/api/v1/standards/target-templates/target-csat-80/adopt', agent.token, {})).statusCode).toBe(403);
    const bad = await t.inject('POST', '/api/v1/standards/target-templates/target-csat-80/adopt', admin.token, { target: 80 });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('target');
  });
});
