import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../src/demo/demo';
import { HISTORY_PLACEHOLDER } from '../src/demo/history';
import { testApp, type TestApp } from './harness';

/** The demo reads like a real property-management company, and its history agrees with its own rules. */
let t: TestApp;
let loadMs = 0;
beforeAll(async () => {
  t = await testApp({ CHIDU_DEMO: '1' });
  const t0 = performance.now();
  expect(await loadDemo(t.database, t.config)).toBe(true);
  loadMs = performance.now() - t0;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const rows = <T>(q: ReturnType<typeof sql>) => t.database.rows<T>(q);
const STEPS = ['listen', 'empathise', 'confirm', 'resolve', 'revisit', 'feedback'];

describe('demo history', () => {
  it('loads in reasonable time', () => {
    console.info(`demo load: ${Math.round(loadMs)} ms`);
    expect(loadMs).toBeLessThan(60_000);
  });

  it('every resolved complaint has its steps up to resolve, every closed one all six', async () => {
    const cs = await rows<{ id: string; status: string; steps: string[] | null }>(
      sql`SELECT t.id, t.status, array_agg(s.step) FILTER (WHERE s.step IS NOT NULL) AS steps FROM tickets t
          LEFT JOIN complaint_cases c ON c.ticket_id = t.id LEFT JOIN complaint_steps s ON s.case_id = c.id
          WHERE t.type = 'complaint' GROUP BY t.id, t.status`,
    );
    expect(cs.length).toBeGreaterThan(10);
    const closed = cs.filter((c) => c.status === 'closed');
    const resolved = cs.filter((c) => c.status === 'resolved');
    expect(closed.length).toBeGreaterThan(0);
    for (const c of closed) expect(new Set(c.steps ?? [])).toEqual(new Set(STEPS));
    for (const c of resolved) for (const s of STEPS.slice(0, 4)) expect(c.steps ?? []).toContain(s);
  });

  it('the complaint board puts each card in the column of its next step', async () => {
    const token = await t.login('S0002', 'Chidu@2026');
    const board = (await t.inject('GET', '/api/v1/complaints?limit=200', token)).json<{
      items: { status: string; nextStep: string | null; steps: { step: string; done: boolean }[] }[];
    }>();
    expect(board.items.length).toBeGreaterThan(3);
    const columns = new Set(board.items.map((i) => i.nextStep ?? 'done'));
    expect(columns.size).toBeGreaterThanOrEqual(3); // not everything in 倾听
    for (const i of board.items) {
      const done = new Set(i.steps.filter((s) => s.done).map((s) => s.step));
      expect(i.nextStep).toBe(STEPS.find((s) => !done.has(s)) ?? null);
      if (i.status === 'resolved') expect(['revisit', 'feedback', null]).toContain(i.nextStep);
    }
  });

  it('reads like a property company: varied subjects, customers’ words, the right category per type', async () => {
    const subjects = await rows<{ subject: string; n: number }>(sql`SELECT subject, count(*)::int AS n FROM tickets GROUP BY subject ORDER BY n DESC`);
    expect(subjects.filter((s) => s.n > 3)).toEqual([]);
    expect(subjects.length).toBeGreaterThan(150);
    const [placeholder] = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM tickets WHERE description = ${HISTORY_PLACEHOLDER}`);
    expect(placeholder!.n).toBe(0);
    // A 咨询 is not filed under 投诉, a repair not under 咨询 …
    const parents: Record<string, string> = { inquiry: '咨询', repair: '报修', complaint: '投诉', suggestion: '建议', order: '订单' };
    const wrong = await rows<{ type: string; parent: string }>(
      sql`SELECT t.type, p.name AS parent FROM tickets t JOIN categories c ON c.id = t.category_id JOIN categories p ON p.id = c.parent_id`,
    );
    expect(wrong.length).toBeGreaterThan(100);
    for (const w of wrong) expect(w.parent).toBe(parents[w.type]);
  });

  it('repairs go to technicians, desk work to the desk', async () => {
    const owned = await rows<{ type: string; roles: string[] }>(sql`SELECT t.type, s.roles FROM tickets t JOIN staff s ON s.id = t.owner_id`);
    const repairs = owned.filter((o) => o.type === 'repair');
    expect(repairs.length).toBeGreaterThan(20);
    for (const r of repairs) expect(r.roles).toContain('technician');
    for (const o of owned.filter((x) => x.type !== 'repair')) expect(o.roles).not.toContain('technician');
  });

  it('customers have building, unit and room; the name is just the name; CRM finds them by flat', async () => {
    const cs = await rows<{ name: string; building: string | null; room: string | null }>(sql`SELECT name, building, room FROM customers`);
    expect(cs.length).toBeGreaterThan(20);
    for (const c of cs) {
      expect(c.building).toBeTruthy();
      expect(c.room).toBeTruthy();
      expect(c.name).not.toMatch(/\d+栋|（|\d{3,}/);
    }
    const token = await t.login('K0001', 'Chidu@2026');
    const found = (await t.inject('GET', `/api/v1/customers?q=${encodeURIComponent('3栋 1201')}`, token)).json<{
      items: { name: string; building: string; unit: string; room: string }[];
    }>();
    expect(found.items.map((c) => c.name)).toEqual(['张建华']);
    expect(found.items[0]).toMatchObject({ building: '3栋', unit: '1单元', room: '1201' });
  });

  it('runs active ticket standards on a working calendar: clocks running, some about to run out, some breached', async () => {
    const running = await rows<{ code: string; calendar_id: string | null; due_at: Date | string }>(
      sql`SELECT i.code, i.calendar_id, i.due_at FROM standard_instances i JOIN standards s ON s.id = i.standard_id
          WHERE s.active AND i.state = 'running'`,
    );
    expect(running.some((r) => r.calendar_id !== null)).toBe(true);
    const [cal] = await rows<{ holidays: string | null; time_zone: string }>(
      sql`SELECT c.holidays, c.time_zone FROM calendar_assignments a JOIN calendars c ON c.id = a.calendar_id WHERE a.scope = 'default'`,
    );
    expect(cal).toMatchObject({ holidays: 'cn-mainland', time_zone: 'Asia/Shanghai' });
    const soon = running.filter((r) => {
      const due = new Date(r.due_at).getTime();
      return due > Date.now() && due <= Date.now() + 3600_000;
    });
    expect(soon.length).toBeGreaterThan(0); // 即将超时
    const token = await t.login('S0001', 'Chidu@2026');
    const dueSoon = (await t.inject('GET', '/api/v1/tickets?dueWithinSeconds=3600&limit=50', token)).json<{ items: unknown[] }>();
    expect(dueSoon.items.length).toBeGreaterThan(0);
    const [breached] = await rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM standard_instances i JOIN tickets t ON t.id = i.ticket_id JOIN standards s ON s.id = i.standard_id
          WHERE s.active AND t.status NOT IN ('resolved', 'closed') AND (i.state = 'breached' OR (i.state = 'running' AND i.due_at < now()))`,
    );
    expect(breached!.n).toBeGreaterThan(0);
    const codes = await rows<{ code: string }>(sql`SELECT code FROM standards WHERE active ORDER BY code`);
    expect(codes.map((c) => c.code)).toEqual(expect.arrayContaining(['FIRST-RESPONSE', 'CALLBACK-4H', 'REPAIR-RESPONSE', 'COMPLAINT-SAME-DAY']));
  });

  it('the environment checks’ corrective tickets are internal work: never surveyed, no after-care', async () => {
    const [env] = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM tickets WHERE '环境整改' = ANY(tags)`);
    expect(env!.n).toBeGreaterThan(0);
    const [surveyed] = await rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM survey_invitations i JOIN tickets t ON t.id = i.ticket_id WHERE '环境整改' = ANY(t.tags)`,
    );
    const [cared] = await rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM care_tasks c JOIN tickets t ON t.id = c.ticket_id WHERE '环境整改' = ANY(t.tags)`,
    );
    expect([surveyed!.n, cared!.n]).toEqual([0, 0]);
  });

  it('a new ticket gets clocks', async () => {
    const token = await t.login('K0001', 'Chidu@2026');
    const [c] = await rows<{ id: string }>(sql`SELECT id FROM customers WHERE name = '刘芳'`);
    const res = await t.inject('POST', '/api/v1/tickets', token, {
      customerId: c!.id,
      type: 'inquiry',
      channel: 'phone',
      priority: 'normal',
      subject: '元旦假期前台开放时间',
      description: '元旦三天假期前台还上班吗？有快递要寄。',
    });
    expect(res.statusCode).toBe(201);
    const [n] = await rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM standard_instances WHERE ticket_id = ${res.json().id} AND state IN ('running', 'paused')`,
    );
    expect(n!.n).toBeGreaterThan(0);
  });

  it('梁淑芬 needs one-to-one help: her new ticket goes to 赵雪 and is timed by the one-to-one greeting', async () => {
    const token = await t.login('K0001', 'Chidu@2026');
    const [c] = await rows<{ id: string }>(sql`SELECT id FROM customers WHERE name = '梁淑芬'`);
    const [flag] = await rows<{ assistance: string; helper: string }>(
      sql`SELECT c.assistance, s.name AS helper FROM customers c JOIN staff s ON s.id = c.assist_staff_id WHERE c.id = ${c!.id}`,
    );
    expect(flag).toEqual({ assistance: 'elderly', helper: '赵雪' });
    const res = await t.inject('POST', '/api/v1/tickets', token, {
      customerId: c!.id,
      type: 'inquiry',
      channel: 'phone',
      priority: 'normal',
      subject: '代缴物业费需要的材料',
      description: '梁阿姨来电询问下月物业费能否由物业代缴。',
    });
    expect(res.statusCode).toBe(201);
    const detail = (await t.inject('GET', `/api/v1/tickets/${res.json().id}`, token)).json();
    expect(detail.ownerName).toBe('赵雪');
    expect(detail.standards.map((x: { code: string }) => x.code)).toContain('ONE-TO-ONE-GREET');
  });

  it('loading twice creates nothing twice', async () => {
    const count = async () =>
      (
        await rows<Record<string, number>>(
          sql`SELECT (SELECT count(*)::int FROM tickets) AS tickets, (SELECT count(*)::int FROM customers) AS customers,
            (SELECT count(*)::int FROM complaint_steps) AS steps, (SELECT count(*)::int FROM standards) AS standards,
            (SELECT count(*)::int FROM calendars) AS calendars, (SELECT count(*)::int FROM staff) AS staff`,
        )
      )[0];
    const before = await count();
    expect(await loadDemo(t.database, t.config)).toBe(false);
    expect(await count()).toEqual(before);
  });
});
