/**
 * Environment-check demo (环境检查): the 1-business-day corrective standard adopted, and a few checks of the 翠湖苑
 * sites by 罗晓梅 (Q0001): one in range, one out of range whose task 王海燕 (S0001) closed, and one with a corrective
 * task still open — so the supervisors' list and a site's history do not land empty.
 */
import { eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { envChecks, fieldSites, staff, standards } from '../db/schema';
import { systemCtx, type Ctx } from '../lib/context';
import { closeTask, createCheck, listTemplates } from '../modules/environment/environment.commands';
import { permissionsOf, type Role } from '../modules/identity/policy';
import { adoptTemplate } from '../modules/standards/standards.commands';

const GOOD: Record<string, number | boolean> = {
  temperature: 24,
  humidity: 52,
  lux_public: 380,
  lux_work: 600,
  pm25: 18,
  noise: 40,
  signage: 16,
  air_changes: 4,
  clean: true,
  facilities: true,
  water: true,
  wifi: true,
};
/** A value for every default environment item, in range but for `over` (the demo and the tests). */
export const envValues = (over: Record<string, number | boolean> = {}) => Object.entries({ ...GOOD, ...over }).map(([key, value]) => ({ key, value }));

async function staffCtx(database: Database, employeeNo: string): Promise<Ctx | null> {
  const [row] = await database.db.select().from(staff).where(eq(staff.employeeNo, employeeNo));
  if (!row) return null;
  const roles = row.roles as Role[];
  return {
    actor: { kind: 'staff', id: row.id, employeeNo, name: row.name, roles, teamId: row.teamId, permissions: permissionsOf(roles), sessionId: null },
    requestId: null,
    ip: null,
  };
}

export async function loadDemoEnvironment(database: Database): Promise<void> {
  if ((await database.db.select({ id: envChecks.id }).from(envChecks).limit(1)).length) return;
  const [inspector, supervisor] = [await staffCtx(database, 'Q0001'), await staffCtx(database, 'S0001')];
  const sites = await database.db
    .select({ id: fieldSites.id, name: fieldSites.name })
    .from(fieldSites)
    .where(inArray(fieldSites.name, ['翠湖苑', '3栋', '商业街']));
  const site = new Map(sites.map((s) => [s.name, s.id]));
  const estate = site.get('翠湖苑');
  if (!inspector || !supervisor || !estate) return;
  const have = await database.db.select({ id: standards.id }).from(standards).where(eq(standards.code, 'ENV-CORRECTIVE'));
  if (!have.length) await adoptTemplate(database, systemCtx('demo'), 'env-corrective-1bd', { active: true });
  const template = (await listTemplates(database, inspector)).items.find((x) => x.key === 'default')!.id;
  const check = (siteId: string, over: Record<string, number | boolean>, note: string | null) =>
    createCheck(database, inspector, { siteId, templateId: template, values: envValues(over), note });
  const first = await check(site.get('3栋') ?? estate, {}, '3栋大堂各项达标');
  const second = await check(site.get('商业街') ?? estate, { noise: 52 }, '商业街南段临街施工，噪音偏高');
  await closeTask(database, supervisor, second.tasks[0]!.id, { note: '已协调施工方错峰作业，复测 43 dB' });
  await check(estate, { temperature: 28.5, water: false }, '物业服务中心大厅空调故障，饮水机缺水');
  // The first two were a few days ago.
  await database.db.execute(sql`UPDATE env_checks SET created_at = created_at - interval '3 days' WHERE id IN (${first.id}, ${second.id})`);
}
