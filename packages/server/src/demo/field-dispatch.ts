/**
 * Demo data of field dispatch (#16 items 2, 3, 8): the technicians' appointment calendar (上门预约时段, every day
 * 8:00–12:00 and 13:00–19:00) and their skills and areas (翠湖苑), so the portal offers slots and dispatch proposes
 * technicians from the first start. Idempotent: only when no technician has a profile yet.
 */
import { inArray, isNull } from 'drizzle-orm';
import type { Database } from '../db/client';
import { fieldSites, fieldTechnicians, staff } from '../db/schema';
import { systemCtx } from '../lib/context';
import { createCalendar } from '../modules/calendars/calendars.commands';

const DAY: [string, string][] = [
  ['08:00', '12:00'],
  ['13:00', '19:00'],
];
const PROFILES: Record<string, string[]> = {
  T0001: ['水电维修', '管道疏通'],
  T0002: ['空调维修', '电梯报修'],
  T0003: ['门窗维修', '水电维修'],
};

export async function loadDemoFieldDispatch(database: Database): Promise<void> {
  if ((await database.db.select({ id: fieldTechnicians.staffId }).from(fieldTechnicians).limit(1)).length) return;
  const techs = await database.db
    .select({ id: staff.id, no: staff.employeeNo })
    .from(staff)
    .where(inArray(staff.employeeNo, Object.keys(PROFILES)));
  if (techs.length === 0) return;
  const cal = await createCalendar(database, systemCtx('demo'), {
    name: '上门预约时段',
    description: '技师上门时段：每天 8:00–12:00、13:00–19:00（午休），节假日照常排班',
    timeZone: 'Asia/Shanghai',
    weekly: { mon: DAY, tue: DAY, wed: DAY, thu: DAY, fri: DAY, sat: DAY, sun: DAY },
    holidays: null,
  });
  const [estate] = await database.db.select({ id: fieldSites.id }).from(fieldSites).where(isNull(fieldSites.parentId)).orderBy(fieldSites.createdAt).limit(1);
  await database.db
    .insert(fieldTechnicians)
    .values(
      techs.map((t) => ({ staffId: t.id, calendarId: cal.id, skills: PROFILES[t.no] ?? [], areaSiteIds: t.no === 'T0001' && estate ? [estate.id] : [] })),
    );
}
