/**
 * The demo company's working calendars (工作日历) and the service standards it runs (服务标准).
 * Calendars: the customer-service centre's office hours on the built-in Chinese holidays and 调休 (the default
 * calendar of every ticket), and the repair team's duty roster with night shifts. Standards: the templates a
 * property-management company adopts (first response, call-back 4 h, repair response, complaint resolved the same
 * day), adopted through the same command as `POST /standards/templates/{key}/adopt`, active, on those calendars; and
 * one demo-only standard for emergencies (24 h, as 电梯困人 or a burst pipe is answered at any hour).
 * Idempotent: calendars only when none exists, each standard only when its code does not exist yet.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { systemCtx } from '../lib/context';
import { createCalendar, putAssignment } from '../modules/calendars/calendars.commands';
import { adoptTemplate, createStandard } from '../modules/standards/standards.commands';

const OFFICE: [string, string][] = [
  ['09:00', '12:00'],
  ['13:30', '18:00'],
];
export const OFFICE_CALENDAR = '客服中心标准工时';
export const REPAIR_CALENDAR = '维修班组值班（含夜班）';

export async function loadDemoCalendars(database: Database): Promise<void> {
  const res = (await database.db.execute(sql`SELECT count(*)::int AS n FROM calendars`)) as { rows: { n: number }[] };
  if (Number(res.rows[0]?.n ?? 0) > 0) return;
  const ctx = systemCtx('demo');
  const office = await createCalendar(database, ctx, {
    name: OFFICE_CALENDAR,
    description: '工作日 9:00–12:00、13:30–18:00（午休），法定节假日休息、调休补班日上班',
    timeZone: 'Asia/Shanghai',
    weekly: { mon: OFFICE, tue: OFFICE, wed: OFFICE, thu: OFFICE, fri: OFFICE },
    holidays: 'cn-mainland',
    overrides: [{ date: '2026-12-31', kind: 'workday', hours: [['09:00', '15:00']], name: '年终盘点' }],
  });
  const early: [string, string][] = [
    ['00:00', '06:00'],
    ['08:00', '20:00'],
    ['22:00', '24:00'],
  ];
  await createCalendar(database, ctx, {
    name: REPAIR_CALENDAR,
    description: '每天 8:00–20:00 白班，22:00–次日 6:00 夜班（夜班拆成当天 22:00–24:00 与次日 0:00–6:00 两段）',
    timeZone: 'Asia/Shanghai',
    weekly: { mon: early, tue: early, wed: early, thu: early, fri: early, sat: early, sun: early },
    holidays: null,
  });
  // Every ticket runs on the office calendar unless a customer, tier, site or team has its own.
  await putAssignment(database, ctx, { scope: 'default', calendarId: office.id });
}

/** The demo's standards, by code (the journeys and tests name them). */
export const DEMO_STANDARD_CODES = ['FIRST-RESPONSE', 'CALLBACK-4H', 'REPAIR-RESPONSE', 'COMPLAINT-SAME-DAY', 'DEMO-EMERGENCY-30M'] as const;

/** Adopts the demo's standards (after the calendars). Returns how many were created. */
export async function loadDemoStandards(database: Database): Promise<number> {
  const ctx = systemCtx('demo');
  const have = new Set(((await database.db.execute(sql`SELECT code FROM standards`)) as { rows: { code: string }[] }).rows.map((r) => r.code));
  const cal = new Map(
    ((await database.db.execute(sql`SELECT id, name FROM calendars`)) as { rows: { id: string; name: string }[] }).rows.map((r) => [r.name, r.id]),
  );
  const repairCal = cal.get(REPAIR_CALENDAR) ?? null;
  let n = 0;
  const adopt = async (key: string, code: string, overrides: Parameters<typeof adoptTemplate>[3] = {}) => {
    if (have.has(code)) return;
    await adoptTemplate(database, ctx, key, { ...overrides, active: true });
    n++;
  };
  // Ticket calendar (default assignment: office hours, Chinese holidays and 调休).
  await adopt('first-response-4-business-hours', 'FIRST-RESPONSE');
  await adopt('callback-4h', 'CALLBACK-4H');
  await adopt('complaint-same-day', 'COMPLAINT-SAME-DAY');
  // Repairs are answered on the repair team's duty roster (day and night shifts).
  await adopt('repair-response-2h', 'REPAIR-RESPONSE', repairCal ? { calendarId: repairCal, calendarSource: 'standard' } : {});
  if (!have.has('DEMO-EMERGENCY-30M')) {
    await createStandard(database, ctx, {
      code: 'DEMO-EMERGENCY-30M',
      name: '紧急事项 30 分钟内响应',
      encounter: '紧急报修',
      kind: 'hard',
      target: 0.98,
      description: '电梯困人、跑水、停电等紧急工单全天候 30 分钟内给业主明确答复（演示用标准，不分节假日）。',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 1800,
      calendarId: null,
      appliesTo: { priorities: ['urgent'] },
      warnAtPercent: [50],
      escalation: [
        { afterBreachSeconds: 0, notifyRole: 'supervisor' },
        { afterBreachSeconds: 900, notifyRole: 'director' },
      ],
      active: true,
    });
    n++;
  }
  return n;
}

/** 专人 5 分钟内问候 (ONE-TO-ONE-GREET): times the tickets of customers needing one-to-one help (demo.ts). */
export async function loadDemoAssistanceStandard(database: Database): Promise<void> {
  const have = ((await database.db.execute(sql`SELECT 1 FROM standards WHERE code = 'ONE-TO-ONE-GREET'`)) as { rows: unknown[] }).rows.length;
  if (!have) await adoptTemplate(database, systemCtx('demo'), 'one-to-one-greeting', { active: true });
}
