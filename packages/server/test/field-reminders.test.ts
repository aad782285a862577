import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/lib/ids';
import { REMINDER_DEFAULTS, reminderDue } from '../src/modules/field/field.reminders';
import { runReminderPass } from '../src/modules/field/field.reminders.worker';
import { dayBounds, localDate } from '../src/modules/field/field.time';
import { testApp, type TestApp } from './harness';

/** Reminders to the customer before a booked visit (#16 item 2): when, once, on which channels, re-armed by a reschedule. */
const H = 3_600_000;
const TZ = 'Asia/Shanghai';

describe('when a reminder is due', () => {
  const start = new Date('2031-03-05T02:00:00Z'); // 10:00 in Shanghai on 5 March
  it('the evening before at 18:00 Shanghai time when booked before that evening', () => {
    expect(reminderDue(start, new Date('2031-03-01T00:00:00Z'), REMINDER_DEFAULTS, TZ)?.toISOString()).toBe('2031-03-04T10:00:00.000Z');
  });
  it('N hours before when booked (or moved) after that evening; nothing when booked even later', () => {
    expect(reminderDue(start, new Date('2031-03-04T12:00:00Z'), REMINDER_DEFAULTS, TZ)?.toISOString()).toBe('2031-03-05T00:00:00.000Z');
    expect(reminderDue(start, new Date('2031-03-04T12:00:00Z'), { eveningHour: 18, leadHours: 4 }, TZ)?.toISOString()).toBe('2031-03-04T22:00:00.000Z');
    expect(reminderDue(start, new Date('2031-03-05T01:00:00Z'), REMINDER_DEFAULTS, TZ)).toBeNull();
  });
});

let t: TestApp;
let admin: string;
let agent: string;
let calendarId: string;
const api = (m: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);
const rows = <T>(q: ReturnType<typeof sql>) => t.database.rows<T & Record<string, unknown>>(q);
const outbox = (ticketId: string) =>
  rows<{ recipient: string; payload: { subject: string; body: string }; channel_id: string }>(
    sql`SELECT recipient, payload, channel_id FROM channel_outbox WHERE ticket_id = ${ticketId} AND kind = 'reminder'`,
  );
const eventsOf = async (ticketId: string, kind: string) =>
  Number((await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM events WHERE aggregate_id = ${ticketId} AND kind = ${kind}`))[0]!.n);

/** 10:00–12:00 Shanghai time, `days` local days from today. */
function windowIn(days: number): { start: Date; end: Date } {
  let d = localDate(new Date(), TZ);
  for (let i = 0; i < days; i++) d = localDate(new Date(dayBounds(d, TZ).to.getTime() + H), TZ);
  const start = new Date(dayBounds(d, TZ).from.getTime() + 10 * H);
  return { start, end: new Date(start.getTime() + 2 * H) };
}
let seq = 0;
async function bookedVisit(customer: { name: string; email?: string; consent?: Record<string, boolean> }, days = 2) {
  const phone = `139${String(Date.now() + ++seq).slice(-8)}`;
  const c = await api('POST', '/customers', agent, { name: customer.name, phone, ...(customer.email ? { email: customer.email } : {}) });
  expect(c.statusCode, c.body).toBe(201);
  const customerId = c.json().id as string;
  if (customer.consent) expect((await api('PATCH', `/customers/${customerId}`, admin, { consent: customer.consent })).statusCode).toBe(200);
  const tk = await api('POST', '/tickets', agent, { customerId, type: 'repair', channel: 'phone', subject: '热水器不出热水' });
  expect(tk.statusCode, tk.body).toBe(201);
  const ticketId = tk.json().id as string;
  const w = windowIn(days);
  // One technician per visit: a technician's visits never overlap.
  const a = await t.staff({ roles: ['technician'], name: '杨师傅' });
  expect((await api('PUT', '/field/technicians', admin, { staffId: a.id, calendarId, skills: [], areaSiteIds: [] })).statusCode).toBe(200);
  const v = await api('POST', `/tickets/${ticketId}/visits`, agent, { technicianId: a.id, start: w.start.toISOString(), end: w.end.toISOString() });
  expect(v.statusCode, v.body).toBe(201);
  return { customerId, ticketId, visitId: v.json().id as string, ...w };
}
/** 18:00 Shanghai time on the evening before the visit. */
const eveningBefore = (start: Date) => new Date(dayBounds(localDate(new Date(start.getTime() - 24 * H), TZ), TZ).from.getTime() + 18 * H);

beforeAll(async () => {
  // The passes below run at chosen instants; the app's own worker stays off.
  process.env.CHIDU_FIELD_REMINDERS_WORKER = '0';
  t = await testApp({ CHIDU_DEMO: '1' });
  admin = (await t.as(['admin'])).token;
  agent = (await t.as(['agent'])).token;
  const cal = await api('POST', '/calendars', admin, {
    name: '技师班表',
    timeZone: TZ,
    weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]])),
    holidays: null,
  });
  expect(cal.statusCode, cal.body).toBe(201);
  calendarId = cal.json().id;
  // An enabled email channel (the outbox is drained by the channels worker; here only what is queued is checked).
  await rows(sql`INSERT INTO channels (id, kind, name, address, enabled) VALUES (${uuidv7()}, 'email', '客服邮箱', 'service@example.com', true)`);
});
afterAll(async () => t?.close());

describe('the reminder pass', () => {
  it('reminds once, at the evening before, by email only with consent and an address; a second (and concurrent) pass sends nothing', async () => {
    const a = await bookedVisit({ name: '王丽', email: 'wangli@example.com' });
    const b = await bookedVisit({ name: '李先生', email: 'li@example.com', consent: { email: false } });
    const c = await bookedVisit({ name: '赵女士' });
    const due = eveningBefore(a.start);

    const early = await runReminderPass(t.database, new Date(due.getTime() - 60_000));
    expect(early.handled).toBe(0);
    expect(early.nextAt).toBe(due.getTime());
    expect(await outbox(a.ticketId)).toHaveLength(0);

    const after = new Date(due.getTime() + 60_000);
    const [p1, p2] = await Promise.all([runReminderPass(t.database, after), runReminderPass(t.database, after)]);
    expect(p1.handled + p2.handled).toBe(3);
    const sent = await outbox(a.ticketId);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.recipient).toBe('wangli@example.com');
    const d = localDate(a.start, TZ).split('-').map(Number);
    expect(sent[0]!.payload.subject).toContain(`${d[1]}月${d[2]}日`);
    expect(sent[0]!.payload.body).toContain('10:00–12:00');
    expect(sent[0]!.payload.body).toContain('杨师傅');
    expect(sent[0]!.payload.body).toContain(`/portal/requests/${a.ticketId}`);
    expect(await outbox(b.ticketId)).toHaveLength(0); // email consent withdrawn
    expect(await outbox(c.ticketId)).toHaveLength(0); // no address
    expect(await eventsOf(a.ticketId, 'field.visit_reminded')).toBe(1);
    expect(await eventsOf(b.ticketId, 'field.visit_reminded')).toBe(0);
    expect(await eventsOf(b.ticketId, 'field.visit_reminder_unreachable')).toBe(1);
    const [rb] = await rows<{ state: string; skipped: { channel: string; why: string }[] }>(
      sql`SELECT state, skipped FROM field_visit_reminders WHERE visit_id = ${b.visitId}`,
    );
    expect(rb).toMatchObject({ state: 'unreachable' });
    expect(rb!.skipped).toContainEqual({ channel: 'email', why: 'no_consent' });

    // Later passes send nothing more.
    expect((await runReminderPass(t.database, new Date(after.getTime() + H))).handled).toBe(0);
    expect(await outbox(a.ticketId)).toHaveLength(1);
    expect(await eventsOf(a.ticketId, 'field.visit_reminded')).toBe(1);
    // The timeline shows it in the reader's language.
    const detail = await api('GET', `/tickets/${a.ticketId}`, agent);
    expect(detail.statusCode, detail.body).toBe(200);
    expect(detail.body).toContain('已提醒客户');
  });

  it('a reschedule re-arms the reminder for the new window; a cancelled visit is not reminded', async () => {
    const a = await bookedVisit({ name: '孙先生', email: 'sun@example.com' }, 2);
    const due = eveningBefore(a.start);
    expect((await runReminderPass(t.database, new Date(due.getTime() + 60_000))).handled).toBeGreaterThanOrEqual(1);
    expect(await outbox(a.ticketId)).toHaveLength(1);

    // Moved to two hours later that day: a new start, so a new reminder (the move is "now", before the evening: the evening again).
    const start = new Date(a.start.getTime() + 4 * H);
    const moved = await api('POST', `/visits/${a.visitId}/reschedule`, agent, {
      start: start.toISOString(),
      end: new Date(start.getTime() + 2 * H).toISOString(),
      reason: '客户改时间',
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const early = await runReminderPass(t.database, new Date(due.getTime() - 60_000));
    expect(early.nextAt).toBe(due.getTime());
    expect((await runReminderPass(t.database, new Date(due.getTime() + 60_000))).handled).toBeGreaterThanOrEqual(1);
    const sent = await outbox(a.ticketId);
    expect(sent).toHaveLength(2);
    expect(sent.some((m) => m.payload.body.includes('14:00–16:00'))).toBe(true);
    expect(await eventsOf(a.ticketId, 'field.visit_reminded')).toBe(2);

    const c = await bookedVisit({ name: '周女士', email: 'zhou@example.com' }, 2);
    expect((await api('POST', `/visits/${c.visitId}/cancel`, agent, { reason: '客户已自行修好' })).statusCode).toBe(200);
    await runReminderPass(t.database, new Date(eveningBefore(c.start).getTime() + 60_000));
    expect(await outbox(c.ticketId)).toHaveLength(0);
    expect(await eventsOf(c.ticketId, 'field.visit_reminded')).toBe(0);
  });

  it('reaches a WeChat follower only within the 48-hour window and with consent', async () => {
    const wx = uuidv7();
    await rows(sql`INSERT INTO channels (id, kind, name, enabled) VALUES (${wx}, 'wechat_oa', '服务号', true)`);
    const a = await bookedVisit({ name: '微信用户A' });
    const b = await bookedVisit({ name: '微信用户B', consent: { wechat: false } });
    const c = await bookedVisit({ name: '微信用户C' });
    const due = eveningBefore(a.start);
    const at = new Date(due.getTime() + 60_000);
    for (const [x, lastIn] of [
      [a, new Date(at.getTime() - 3 * H)],
      [b, new Date(at.getTime() - 3 * H)],
      [c, new Date(at.getTime() - 50 * H)],
    ] as const)
      await rows(
        sql`INSERT INTO customer_identities (id, customer_id, kind, value, channel_id, last_in_at) VALUES (${uuidv7()}, ${x.customerId}, 'wechat_openid', ${`oOPENID-${x.customerId}`}, ${wx}, ${lastIn})`,
      );
    await runReminderPass(t.database, at);
    const sa = await outbox(a.ticketId);
    expect(sa).toHaveLength(1);
    expect(sa[0]).toMatchObject({ channel_id: wx, recipient: `oOPENID-${a.customerId}` });
    expect(await outbox(b.ticketId)).toHaveLength(0);
    expect(await outbox(c.ticketId)).toHaveLength(0);
    expect(await eventsOf(c.ticketId, 'field.visit_reminder_unreachable')).toBe(1);
  });
});

describe('the reminder settings (PUT /field/reminder-settings)', () => {
  it('are read by dispatchers, changed by field managers only, validated, audited, and used by the next pass', async () => {
    // An agent dispatches visits (field.dispatch) but does not manage field service; a technician does neither.
    const technician = (await t.as(['technician'])).token;
    expect((await api('GET', '/field/reminder-settings', technician)).statusCode).toBe(403);
    const got = await api('GET', '/field/reminder-settings', agent);
    expect(got.statusCode, got.body).toBe(200);
    expect(got.json()).toEqual(REMINDER_DEFAULTS);
    expect((await api('PUT', '/field/reminder-settings', agent, { eveningHour: 20, leadHours: 3 })).statusCode).toBe(403);
    for (const [body, field] of [
      [{ eveningHour: 24, leadHours: 2 }, 'eveningHour'],
      [{ eveningHour: 18, leadHours: 0 }, 'leadHours'],
    ] as const) {
      const bad = await api('PUT', '/field/reminder-settings', admin, body);
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain(field);
    }

    const put = await api('PUT', '/field/reminder-settings', admin, { eveningHour: 20, leadHours: 3 });
    expect(put.statusCode, put.body).toBe(200);
    expect((await api('GET', '/field/reminder-settings', agent)).json()).toEqual({ eveningHour: 20, leadHours: 3 });
    const [audit] = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'field.reminder_settings'`);
    expect(audit!.n).toBe(1);

    try {
      // Booked now for the day after tomorrow: the evening before is tomorrow, at 20:00 now — nothing at 18:01.
      const a = await bookedVisit({ name: '钱先生', email: 'qian@example.com' }, 2);
      const at18 = eveningBefore(a.start);
      const at20 = new Date(at18.getTime() + 2 * H);
      await runReminderPass(t.database, new Date(at18.getTime() + 60_000));
      expect(await outbox(a.ticketId)).toHaveLength(0);
      await runReminderPass(t.database, new Date(at20.getTime() + 60_000));
      expect(await outbox(a.ticketId)).toHaveLength(1);
      const [r] = await rows<{ due_at: Date | string }>(sql`SELECT due_at FROM field_visit_reminders WHERE visit_id = ${a.visitId}`);
      expect(new Date(r!.due_at).getTime()).toBe(at20.getTime());
    } finally {
      expect((await api('PUT', '/field/reminder-settings', admin, REMINDER_DEFAULTS)).statusCode).toBe(200);
    }
  });
});
