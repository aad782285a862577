/** Demo business calendars (工作日历) for the 服务标准 / 工作日历 pages. Idempotent: creates nothing if any calendar exists. */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { systemCtx } from '../lib/context';
import { createCalendar } from '../modules/calendars/calendars.commands';

const OFFICE: [string, string][] = [['09:00', '12:00'], ['13:30', '18:00']];

export async function loadDemoCalendars(database: Database): Promise<void> {
  const res = (await database.db.execute(sql`SELECT count(*)::int AS n FROM calendars`)) as unknown as { rows: { n: number }[] };
  if (Number(res.rows[0]?.n ?? 0) > 0) return;
  const ctx = systemCtx('demo');
  await createCalendar(database, ctx, {
    name: '客服中心标准工时',
    description: '工作日 9:00–12:00、13:30–18:00（午休），法定节假日休息、调休补班日上班',
    timeZone: 'Asia/Shanghai',
    weekly: { mon: OFFICE, tue: OFFICE, wed: OFFICE, thu: OFFICE, fri: OFFICE },
    holidays: 'cn-mainland',
    overrides: [{ date: '2026-12-31', kind: 'workday', hours: [['09:00', '15:00']], name: '年终盘点' }],
  });
  const early: [string, string][] = [['00:00', '06:00'], ['08:00', '20:00'], ['22:00', '24:00']];
  await createCalendar(database, ctx, {
    name: '维修班组值班（含夜班）',
    description: '每天 8:00–20:00 白班，22:00–次日 6:00 夜班（夜班拆成当天 22:00–24:00 与次日 0:00–6:00 两段）',
    timeZone: 'Asia/Shanghai',
    weekly: { mon: early, tue: early, wed: early, thu: early, fri: early, sat: early, sun: early },
    holidays: null,
  });
}
