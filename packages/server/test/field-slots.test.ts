import { compileCalendar } from '@chidu/core/calendar/index';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Board } from '../src/modules/field/field.dispatch.schema';
import { rankTechnicians, type Candidate } from '../src/modules/field/field.dispatch';
import { freeWindows, insideCalendar, type Window } from '../src/modules/field/field.slots';
import { localDate } from '../src/modules/field/field.time';
import { testApp, type TestApp } from './harness';

/** Appointments, dispatch proposals and the dispatch board (#16 items 2, 3, 8). */
const P: [string, string][] = [
  ['09:00', '12:00'],
  ['13:00', '18:00'],
];
const spec = {
  timeZone: 'Asia/Shanghai',
  weekly: { mon: P, tue: P, wed: P, thu: P, fri: P },
  holidays: null,
  // A holiday on a Wednesday and a 调休 make-up Saturday.
  overrides: [
    { date: '2031-01-08', kind: 'holiday' as const, name: '假日' },
    { date: '2031-01-11', kind: 'workday' as const, name: '调休' },
  ],
};
const cal = compileCalendar(spec);
const MON = Date.parse('2031-01-06T00:00:00+08:00');
const H = 3_600_000;

describe('offered slots (property)', () => {
  it('never overlap a busy window and never fall outside the calendar (holidays and 调休 included)', () => {
    const busyArb = fc.array(
      fc
        .tuple(fc.integer({ min: 0, max: 8 * 24 * 4 }), fc.integer({ min: 1, max: 16 }))
        .map(([q, len]): Window => [MON + q * 15 * 60_000, MON + (q + len) * 15 * 60_000]),
      { maxLength: 25 },
    );
    fc.assert(
      fc.property(busyArb, fc.integer({ min: 0, max: 48 }), fc.constantFrom(60, 90, 120), (busy, startH, minutes) => {
        const from = MON + startH * H;
        const to = from + 7 * 24 * H;
        for (const w of freeWindows(cal, busy, from, to, minutes * 60_000)) {
          expect(insideCalendar(cal, w)).toBe(true);
          expect(w[0] >= from && w[1] <= to).toBe(true);
          for (const b of busy) expect(w[0] < b[1] && b[0] < w[1]).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('offers the 调休 Saturday, not the holiday, and keeps the lunch break', () => {
    const days = new Set(freeWindows(cal, [], MON, MON + 7 * 24 * H, 2 * H).map((w) => cal.localDate(w[0])));
    expect(days.has('2031-01-08')).toBe(false);
    expect(days.has('2031-01-11')).toBe(true);
    expect(days.has('2031-01-12')).toBe(false);
    const monday = freeWindows(cal, [], MON, MON + 24 * H, 2 * H).map((w) => new Date(w[0]).toISOString());
    expect(monday).toEqual(['2031-01-06T01:00:00.000Z', '2031-01-06T05:00:00.000Z', '2031-01-06T07:00:00.000Z']);
  });
});

describe('dispatch ranking', () => {
  const w: Window = [MON + 10 * H, MON + 12 * H];
  const base = { skills: [], areaSiteIds: [], calendar: cal, busy: [], openLoad: 0 };
  it('ranks free, skilled, in-area, lightly loaded technicians first, each with reasons', () => {
    const cands: Candidate[] = [
      { ...base, id: 'a', name: '甲', openLoad: 1 },
      { ...base, id: 'b', name: '乙', skills: ['水电'], areaSiteIds: ['root'], openLoad: 3 },
      { ...base, id: 'c', name: '丙', skills: ['水电'], openLoad: 0 },
      { ...base, id: 'd', name: '丁', skills: ['水电'], busy: [[MON + 11 * H, MON + 13 * H]] },
      { ...base, id: 'e', name: '戊', skills: ['水电'], calendar: null },
      { ...base, id: 'f', name: '己', skills: ['水电'], areaSiteIds: ['elsewhere'] },
    ];
    const ranked = rankTechnicians(cands, w, '水电', new Set(['room', 'root']));
    expect(ranked.map((p) => p.technicianId)).toEqual(['b', 'c', 'a', 'd', 'e', 'f']);
    expect(ranked.filter((p) => p.eligible).map((p) => p.technicianId)).toEqual(['b', 'c', 'a']);
    expect(ranked[3]!.reasons[0]!.key).toBe('field.dispatch.reason.busy');
    expect(ranked[4]!.reasons[0]!.key).toBe('field.dispatch.reason.no_calendar');
    expect(ranked[5]!.reasons[2]!.key).toBe('field.dispatch.reason.area_outside');
    expect(ranked[0]!.reasons.map((r) => r.key)).toEqual([
      'field.dispatch.reason.free',
      'field.dispatch.reason.skill_match',
      'field.dispatch.reason.area_covered',
      'field.dispatch.reason.open_load',
    ]);
    // Outside working time (the lunch break) nobody is free.
    expect(rankTechnicians(cands, [MON + 11 * H, MON + 13 * H + 1], null, new Set()).some((p) => p.free)).toBe(false);
  });
});

let t: TestApp;
let admin: string;
let agent: string;
let calendarId: string;
const api = (m: 'GET' | 'POST' | 'PUT', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);
const ALL_DAY: [string, string][] = [['00:00', '24:00']];

async function technician(profile: { skills?: string[]; areaSiteIds?: string[]; calendar?: boolean } = {}) {
  const a = await t.as(['technician']);
  const res = await api('PUT', '/field/technicians', admin, {
    staffId: a.staff.id,
    calendarId: profile.calendar === false ? null : calendarId,
    skills: profile.skills ?? [],
    areaSiteIds: profile.areaSiteIds ?? [],
  });
  expect(res.statusCode, res.body).toBe(200);
  return { token: a.token, id: a.staff.id };
}
async function repairTicket(siteId?: string) {
  const customerId = (await api('POST', '/customers', agent, { name: '王丽', phone: `138${String(Date.now()).slice(-8)}` })).json().id;
  const res = await api('POST', '/tickets', agent, { customerId, type: 'repair', channel: 'phone', subject: '厨房漏水', ...(siteId ? { siteId } : {}) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

beforeAll(async () => {
  t = await testApp({ CHIDU_DEMO: '1' });
  admin = (await t.as(['admin'])).token;
  agent = (await t.as(['agent'])).token;
  const cal = await api('POST', '/calendars', admin, {
    name: '技师班表',
    timeZone: 'Asia/Shanghai',
    weekly: { mon: ALL_DAY, tue: ALL_DAY, wed: ALL_DAY, thu: ALL_DAY, fri: ALL_DAY, sat: ALL_DAY, sun: ALL_DAY },
    holidays: null,
  });
  expect(cal.statusCode, cal.body).toBe(201);
  calendarId = cal.json().id;
});
afterAll(async () => t?.close());

describe('booking a slot', () => {
  it('books the last free slot once when two agents book it at the same moment: one 201, one 409 slot_taken', async () => {
    const tech = await technician({ skills: ['电梯'] });
    const tk = await repairTicket();
    const slots = (await api('GET', `/tickets/${tk}/slots?days=2&skill=${encodeURIComponent('电梯')}`, agent)).json();
    expect(slots.items.length).toBeGreaterThan(0);
    const s = slots.items[1];
    expect(s.free).toBe(1);
    const other = await repairTicket();
    const both = await Promise.all([
      api('POST', `/tickets/${tk}/bookings`, agent, { start: s.start, end: s.end, skill: '电梯' }),
      api('POST', `/tickets/${other}/bookings`, agent, { start: s.start, end: s.end, skill: '电梯' }),
    ]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const lost = both.find((r) => r.statusCode === 409)!;
    expect(lost.json().code).toBe('slot_taken');
    expect(both.find((r) => r.statusCode === 201)!.json().technicianId).toBe(tech.id);
    // The slot is no longer offered; every offered slot avoids the visit.
    const after = (await api('GET', `/tickets/${tk}/slots?days=2&skill=${encodeURIComponent('电梯')}`, agent)).json();
    for (const x of after.items) expect(Date.parse(x.start) < Date.parse(s.end) && Date.parse(s.start) < Date.parse(x.end)).toBe(false);
    expect(after.items.length).toBe(slots.items.length - 1);
  });

  it('records the phone confirmation, reschedules and cancels with reasons', async () => {
    const tech = await technician({ skills: ['燃气'] });
    const tk = await repairTicket();
    const slots = (await api('GET', `/tickets/${tk}/slots?days=2&skill=${encodeURIComponent('燃气')}`, agent)).json().items;
    const booked = (await api('POST', `/tickets/${tk}/bookings`, agent, { start: slots[2].start, end: slots[2].end, skill: '燃气' })).json();
    expect(booked.technicianId).toBe(tech.id);
    const conf = await api('POST', `/visits/${booked.id}/confirm`, agent, { note: '客户确认下午在家' });
    expect(conf.statusCode, conf.body).toBe(200);
    expect(conf.json().confirmedAt).not.toBeNull();
    // Another visit of the same technician takes slot 4; moving onto it is refused.
    const tk2 = await repairTicket();
    expect((await api('POST', `/tickets/${tk2}/bookings`, agent, { start: slots[4].start, end: slots[4].end, skill: '燃气' })).statusCode).toBe(201);
    const clash = await api('POST', `/visits/${booked.id}/reschedule`, agent, { start: slots[4].start, end: slots[4].end, reason: '客户改时间' });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().code).toBe('slot_taken');
    const moved = await api('POST', `/visits/${booked.id}/reschedule`, agent, { start: slots[3].start, end: slots[3].end, reason: '客户改时间' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ rescheduleReason: '客户改时间', reschedules: 1, confirmedAt: null, start: slots[3].start });
    expect((await api('POST', `/visits/${booked.id}/reschedule`, agent, { start: slots[3].start, end: slots[3].end, reason: '' })).statusCode).toBe(400);
    const cancelled = await api('POST', `/visits/${booked.id}/cancel`, agent, { reason: '客户已自行修好' });
    expect(cancelled.json()).toMatchObject({ state: 'cancelled', cancelReason: '客户已自行修好' });
    expect((await api('POST', `/visits/${booked.id}/confirm`, agent, {})).statusCode).toBe(409);
    expect((await api('POST', `/visits/${booked.id}/cancel`, tech.token, { reason: 'x' })).statusCode).toBe(403);
  });

  it('lets a customer book a slot for their own repair request on the portal, once', async () => {
    await technician();
    const phone = '13911113333';
    expect((await api('POST', '/customers', agent, { name: '李先生', phone })).statusCode).toBe(201);
    const code = (await api('POST', '/portal/auth/code', undefined, { phone })).json().demoCode;
    const verified = await api('POST', '/portal/auth/verify', undefined, { phone, code });
    expect(verified.statusCode, verified.body).toBe(200);
    const cust = verified.json();
    const created = await api('POST', '/portal/tickets', cust.token, { type: 'repair', subject: '热水器不出热水' });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    const sres = await api('GET', `/portal/tickets/${id}/slots?days=3`, cust.token);
    expect(sres.statusCode, sres.body).toBe(200);
    const slots = sres.json().items;
    expect(slots.length).toBeGreaterThan(0);
    const res = await api('POST', `/portal/tickets/${id}/bookings`, cust.token, { start: slots[0].start, end: slots[0].end });
    expect(res.statusCode, res.body).toBe(201);
    const again = await api('POST', `/portal/tickets/${id}/bookings`, cust.token, { start: slots[1].start, end: slots[1].end });
    expect(again.statusCode).toBe(409);
    expect(again.json().reason).toBe('visit_booked');
    const other = await repairTicket();
    expect((await api('GET', `/portal/tickets/${other}/slots`, cust.token)).statusCode).toBe(404);
  });
});

describe('a portal booking at the customer’s home', () => {
  it('sends the visit to the room site of the customer’s 楼栋 / 单元 / 房号 when the request names no site', async () => {
    await technician();
    const estate = (await api('POST', '/sites', admin, { name: '翠湖苑' })).json().id;
    const building = (await api('POST', '/sites', admin, { name: '7栋', parentId: estate, kind: 'building' })).json().id;
    const unit = (await api('POST', '/sites', admin, { name: '1单元', parentId: building, kind: 'unit' })).json().id;
    const room = (await api('POST', '/sites', admin, { name: '702', parentId: unit, kind: 'room' })).json().id;
    await api('POST', '/sites', admin, { name: '702', parentId: building, kind: 'room' }); // a 702 right under 7栋: not theirs
    const phone = '13911117777';
    const c = await api('POST', '/customers', agent, { name: '钱女士', phone, building: '7栋', unit: '1单元', room: '702' });
    expect(c.statusCode, c.body).toBe(201);
    const code = (await api('POST', '/portal/auth/code', undefined, { phone })).json().demoCode;
    const verified = await api('POST', '/portal/auth/verify', undefined, { phone, code });
    expect(verified.statusCode, verified.body).toBe(200);
    const created = await api('POST', '/portal/tickets', verified.json().token, { type: 'repair', subject: '空调不制冷' });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    const cust = verified.json();
    const sres = await api('GET', `/portal/tickets/${id}/slots?days=3`, cust.token);
    expect(sres.statusCode, sres.body).toBe(200);
    const slots = sres.json().items;
    const res = await api('POST', `/portal/tickets/${id}/bookings`, cust.token, { start: slots[0].start, end: slots[0].end });
    expect(res.statusCode, res.body).toBe(201);
    const visits = await api('GET', `/tickets/${id}/visits`, admin);
    expect(visits.statusCode, visits.body).toBe(200);
    expect(visits.json().items[0].siteId).toBe(room);
  });
});

describe('dispatch proposals and the board', () => {
  it('proposes technicians by skill, area and load; dry run writes nothing; the technician accepts or declines with a reason', async () => {
    const root = (await api('POST', '/sites', admin, { name: '翠湖苑' })).json().id;
    const room = (await api('POST', '/sites', admin, { name: '1201', parentId: root })).json().id;
    const away = (await api('POST', '/sites', admin, { name: '别处' })).json().id;
    const near = await technician({ skills: ['空调'], areaSiteIds: [root] });
    const any = await technician({ skills: ['空调'] });
    const far = await technician({ skills: ['空调'], areaSiteIds: [away] });
    const nocal = await technician({ skills: ['空调'], calendar: false });
    const tk = await repairTicket(room);
    const slots = (await api('GET', `/tickets/${tk}/slots?days=2&skill=${encodeURIComponent('空调')}`, agent)).json().items;
    const s = slots[5];
    const booked = (await api('POST', `/tickets/${tk}/bookings`, agent, { start: s.start, end: s.end, skill: '空调' })).json();
    expect(booked.technicianId).toBe(near.id);
    const props = (await api('GET', `/visits/${booked.id}/proposals`, agent)).json().items;
    const order = props.map((p: { technicianId: string }) => p.technicianId);
    expect(order.indexOf(near.id)).toBe(0);
    expect(order.indexOf(any.id)).toBeLessThan(order.indexOf(far.id));
    // The visit itself does not count in its own technician's load.
    expect(props[0].reasons).toEqual(['该时段空闲', '具备技能：空调', '负责该片区', '待办上门 0 单']);
    expect(props.find((p: { technicianId: string }) => p.technicianId === far.id)).toMatchObject({ eligible: false, area: 'outside' });
    const en = await t.inject('GET', `/api/v1/visits/${booked.id}/proposals`, agent, undefined, { 'accept-language': 'en' });
    expect(en.json().items[0].reasons[0]).toBe('Free in this window');

    // The technician declines with a reason: the visit is unassigned on the board.
    expect((await api('POST', `/visits/${booked.id}/decline`, near.token, { reason: '车坏了' })).json().state).toBe('declined');
    const date = localDate(new Date(s.start));
    const board1 = (await api('GET', `/field/board?date=${date}&limit=200`, agent)).json();
    expect(board1.unassigned.map((v: { id: string }) => v.id)).toContain(booked.id);

    const dry = (await api('POST', `/visits/${booked.id}/dispatch`, agent, { dryRun: true })).json();
    expect(dry.dryRun).toBe(true);
    expect(dry.state).toBe('declined');
    expect((await api('GET', `/tickets/${tk}/visits`, agent)).json().items[0].state).toBe('declined');
    const sent = await api('POST', `/visits/${booked.id}/dispatch`, agent, { technicianId: any.id });
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json()).toMatchObject({ dryRun: false, state: 'scheduled', chosen: { technicianId: any.id } });
    expect((await api('POST', `/visits/${booked.id}/accept`, any.token)).json().state).toBe('accepted');
    const board2 = (await api('GET', `/field/board?date=${date}&limit=200`, agent)).json();
    expect(board2.unassigned.map((v: { id: string }) => v.id)).not.toContain(booked.id);
    const row = board2.technicians.find((x: { id: string }) => x.id === any.id);
    expect(row.visits.map((v: { id: string; state: string }) => [v.id, v.state])).toEqual([[booked.id, 'accepted']]);
    // The board is written by a compiled serializer: the same JSON as the zod serializer wrote.
    const raw = await api('GET', `/field/board?date=${date}&limit=200`, agent);
    expect(raw.body).toBe(JSON.stringify(Board.parse(raw.json())));
    // A technician not free in the window (no working calendar) is refused.
    const off = await api('POST', `/visits/${booked.id}/dispatch`, agent, { technicianId: nocal.id });
    expect(off.statusCode).toBe(409);
    expect(off.json().code).toBe('slot_taken');
  });

  it('flags late and at-risk visits on the board', async () => {
    const a = await technician({ calendar: false });
    const tk = await repairTicket();
    const now = Date.now();
    const lateV = (
      await api('POST', `/tickets/${tk}/visits`, agent, {
        technicianId: a.id,
        start: new Date(now - 20 * 60_000).toISOString(),
        end: new Date(now + 60 * 60_000).toISOString(),
      })
    ).json().id;
    const soon = (
      await api('POST', `/tickets/${tk}/visits`, agent, {
        technicianId: a.id,
        start: new Date(now + 70 * 60_000).toISOString(),
        end: new Date(now + 130 * 60_000).toISOString(),
      })
    ).json().id;
    const date = localDate(new Date(now));
    const flags = (id: string, b: any) =>
      b.technicians.flatMap((x: { visits: { id: string; flag: string | null }[] }) => x.visits).find((v: { id: string }) => v.id === id)?.flag;
    const b = (await api('GET', `/field/board?date=${date}&limit=200`, agent)).json();
    expect(flags(lateV, b)).toBe('late');
    if (localDate(new Date(now + 70 * 60_000)) === date) expect(flags(soon, b)).toBeNull();
    expect((await api('GET', '/field/board', a.token)).statusCode).toBe(403);
    expect((await api('GET', '/field/board?limit=0', agent)).statusCode).toBe(400);
  });
});
