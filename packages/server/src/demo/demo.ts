import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { customers, settings, staff } from '../db/schema';
import { systemCtx } from '../lib/context';
import { uuidv7 } from '../lib/ids';
import { createCustomerInTx } from '../modules/customers/customers.commands';
import { createStaffInTx, createTeamInTx } from '../modules/identity/identity.commands';
import type { Role } from '../modules/identity/policy';
import { hashPassword } from '../modules/identity/secrets';

export const DEMO_PASSWORD = 'Chidu@2026';
export const DEMO_ORG = '申城物业服务有限公司（演示）';

interface DemoStaff { no: string; name: string; roles: Role[]; team: string | null; skills?: string[]; limit?: number }

const TEAMS = ['客服中心一组', '客服中心二组', 'VIP专属服务组', '维修班组', '前台接待组', '品质管理部', '培训部'] as const;

export const DEMO_STAFF: DemoStaff[] = [
  { no: 'A0001', name: '周明远', roles: ['admin'], team: null },
  { no: 'D0001', name: '陈静怡', roles: ['director'], team: null },
  { no: 'S0001', name: '王海燕', roles: ['supervisor'], team: '客服中心一组', skills: ['投诉处理', '补偿审批'] },
  { no: 'S0002', name: '刘建国', roles: ['supervisor'], team: '客服中心二组', skills: ['投诉处理', '订单变更'] },
  { no: 'S0003', name: '孙丽华', roles: ['supervisor'], team: 'VIP专属服务组', skills: ['VIP服务', '投诉处理'] },
  { no: 'S0004', name: '马志强', roles: ['supervisor'], team: '维修班组', skills: ['水电维修', '派工调度'] },
  { no: 'K0001', name: '李晓婷', roles: ['agent'], team: '客服中心一组', skills: ['咨询', '报修受理', '物业费'] },
  { no: 'K0002', name: '张伟', roles: ['agent'], team: '客服中心一组', skills: ['咨询', '投诉处理'] },
  { no: 'K0003', name: '赵雪', roles: ['agent'], team: '客服中心一组', skills: ['报修受理', '停车管理'] },
  { no: 'K0004', name: '黄磊', roles: ['agent'], team: '客服中心二组', skills: ['咨询', '快递代收'] },
  { no: 'K0005', name: '吴佳琪', roles: ['agent'], team: '客服中心二组', skills: ['投诉处理', '装修管理'] },
  { no: 'K0006', name: '徐晨', roles: ['agent'], team: '客服中心二组', skills: ['物业费', '发票'] },
  { no: 'K0007', name: '郑雅文', roles: ['agent'], team: 'VIP专属服务组', skills: ['VIP服务', '咨询', '投诉处理'], limit: 50_000 },
  { no: 'K0008', name: '林嘉怡', roles: ['agent'], team: 'VIP专属服务组', skills: ['VIP服务', '报修受理'], limit: 50_000 },
  { no: 'F0001', name: '何芳', roles: ['frontdesk'], team: '前台接待组', skills: ['访客登记', '咨询'] },
  { no: 'F0002', name: '高敏', roles: ['frontdesk'], team: '前台接待组', skills: ['访客登记', '快递代收'] },
  { no: 'T0001', name: '杨师傅（杨永强）', roles: ['technician'], team: '维修班组', skills: ['水电维修', '管道疏通'] },
  { no: 'T0002', name: '朱师傅（朱文斌）', roles: ['technician'], team: '维修班组', skills: ['空调维修', '电梯报修'] },
  { no: 'T0003', name: '胡师傅（胡国平）', roles: ['technician'], team: '维修班组', skills: ['门窗维修', '水电维修'] },
  { no: 'Q0001', name: '罗晓梅', roles: ['qa'], team: '品质管理部', skills: ['录音质检', '神秘顾客'] },
  { no: 'P0001', name: '谢文杰', roles: ['trainer'], team: '培训部', skills: ['服务礼仪', '话术培训'] },
];

const SUPERVISOR_OF: Record<string, string> = {
  客服中心一组: 'S0001', 客服中心二组: 'S0002', VIP专属服务组: 'S0003', 维修班组: 'S0004',
};

type Tier = 'diamond' | 'gold' | 'silver' | 'regular';
const CUSTOMERS: { name: string; phone: string; email?: string; tier: Tier; vip?: boolean; tags: string[] }[] = [
  { name: '张建华（3栋1201业主）', phone: '13800138001', tier: 'diamond', vip: true, tags: ['业主', '3栋'] },
  { name: '李秀英（5栋502业主）', phone: '13900139002', tier: 'gold', tags: ['业主', '5栋'] },
  { name: '王志刚（8栋1603租户）', phone: '13700137003', email: 'wangzg@example.com', tier: 'regular', tags: ['租户', '8栋'] },
  { name: '刘芳（2栋301业主）', phone: '13600136004', tier: 'silver', tags: ['业主', '2栋', '老年住户'] },
  { name: '陈磊（商铺A-12）', phone: '13500135005', email: 'chenlei.shop@example.com', tier: 'gold', tags: ['商户'] },
  { name: '杨丽（7栋902业主）', phone: '13400134006', tier: 'regular', tags: ['业主', '7栋'] },
  { name: '赵军（1栋2101业主）', phone: '13300133007', tier: 'diamond', vip: true, tags: ['业主', '1栋', '业委会'] },
  { name: '黄晓燕（6栋402租户）', phone: '13200132008', tier: 'regular', tags: ['租户', '6栋'] },
  { name: '周海波（4栋1102业主）', phone: '13100131009', tier: 'silver', tags: ['业主', '4栋'] },
  { name: '吴敏（9栋601业主）', phone: '15000150010', email: 'wumin@example.com', tier: 'gold', tags: ['业主', '9栋', '装修中'] },
  { name: '徐国庆（10栋202业主）', phone: '15100151011', tier: 'regular', tags: ['业主', '10栋'] },
  { name: '孙婷婷（3栋808租户）', phone: '15200152012', tier: 'regular', tags: ['租户', '3栋'] },
];

/** Loads the demo organisation once; a second call (or a second process) creates nothing. */
export async function loadDemo(database: Database): Promise<boolean> {
  const ctx = systemCtx('demo');
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return database.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(727276)`);
    const marked = await tx.insert(settings).values({ key: 'demo.loaded', value: { at: new Date().toISOString(), org: DEMO_ORG } }).onConflictDoNothing().returning();
    if (marked.length === 0) return false;
    const teamIds = new Map<string, string>();
    for (const name of TEAMS) teamIds.set(name, (await createTeamInTx(tx, ctx, { name })).id);
    const staffIds = new Map<string, string>();
    for (const s of DEMO_STAFF) {
      const existing = await tx.select({ id: staff.id }).from(staff).where(sql`${staff.employeeNo} = ${s.no}`);
      if (existing[0]) { staffIds.set(s.no, existing[0].id); continue; }
      const row = await createStaffInTx(tx, ctx, {
        employeeNo: s.no, name: s.name, password: DEMO_PASSWORD, roles: s.roles,
        teamId: s.team ? teamIds.get(s.team) : null, skills: s.skills, compensationLimitFen: s.limit ?? null,
      }, passwordHash);
      staffIds.set(s.no, row.id);
    }
    for (const [team, sup] of Object.entries(SUPERVISOR_OF)) {
      await tx.execute(sql`UPDATE teams SET supervisor_id = ${staffIds.get(sup)!} WHERE id = ${teamIds.get(team)!}`);
    }
    const existingCustomers = await tx.select({ n: sql<number>`count(*)::int` }).from(customers);
    if ((existingCustomers[0]?.n ?? 0) === 0) {
      for (const c of CUSTOMERS) await createCustomerInTx(tx, ctx, { name: c.name, phone: c.phone, email: c.email, tier: c.tier, vip: c.vip ?? false, tags: c.tags });
    }
    void uuidv7;
    return true;
  });
}

export function demoLoginsText(): string {
  const rows = DEMO_STAFF.filter((s, i, all) => all.findIndex((x) => x.roles[0] === s.roles[0]) === i)
    .map((s) => `    ${s.no.padEnd(6)} ${s.roles.join(',').padEnd(11)} ${s.name}`);
  return [`  Demo logins (password ${DEMO_PASSWORD}, no TOTP enrolled):`, ...rows].join('\n');
}
