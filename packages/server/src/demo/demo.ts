import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { loadDemoKb } from './kb';
import type { Config } from '../config';
import { categories, customers, settings, staff } from '../db/schema';
import type { Ctx } from '../lib/context';
import { actorFromRow } from '../modules/identity/identity.commands';
import { addReply, changeTicketStatus, closeTicket, createTicket, resolveTicket } from '../modules/tickets/tickets.commands';
import { createCategoryInTx, createRuleInTx } from '../modules/tickets/workflows.commands';
import { systemCtx } from '../lib/context';
import { uuidv7 } from '../lib/ids';
import { createCustomerInTx } from '../modules/customers/customers.commands';
import { createStaffInTx, createTeamInTx } from '../modules/identity/identity.commands';
import type { Role } from '../modules/identity/policy';
import { hashPassword } from '../modules/identity/secrets';
import { loadDemoCalendars } from './standards';
import { loadDemoSurveys } from './surveys';
import { loadDemoMeasures } from './measures';

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

const CATEGORY_TREE: Record<string, string[]> = {
  报修: ['水电维修', '门窗维修', '电梯故障', '空调故障', '管道疏通'],
  投诉: ['服务态度', '收费争议', '噪音扰民', '环境卫生', '维修质量'],
  咨询: ['物业费', '停车管理', '快递代收', '装修手续', '门禁卡'],
  订单: ['桶装水', '家政保洁'],
};

interface DemoTicket {
  by: string; customer: number; type: string; channel: string; priority: string; subject: string; description: string; category?: string;
  reply?: string; resolve?: string; close?: boolean; pendingCustomer?: boolean; note?: string;
}

const DEMO_TICKETS: DemoTicket[] = [
  { by: 'K0001', customer: 1, type: 'repair', channel: 'phone', priority: 'high', subject: '卫生间天花板漏水', description: '楼上漏水，天花板一直滴水，已经用盆接着了。', category: '水电维修', reply: '您好，已安排杨师傅今天下午两点上门查看，请保持电话畅通。', note: '疑似楼上 1301 防水层老化，需联系 1301 业主。' },
  { by: 'K0002', customer: 2, type: 'complaint', channel: 'phone', priority: 'high', subject: '物业费账单多收一个月', description: '11 月账单显示欠费两个月，但 10 月已经在 APP 缴过。', category: '收费争议', reply: '非常抱歉给您带来困扰，我们正在与财务核对缴费记录，今天内给您答复。' },
  { by: 'F0001', customer: 3, type: 'inquiry', channel: 'walk_in', priority: 'normal', subject: '办理停车月卡', description: '新租户，想办理地下车库月卡。', category: '停车管理', reply: '月卡每月 300 元，携带行驶证和租赁合同到前台办理即可。', resolve: '已告知办理材料和费用。', close: true },
  { by: 'K0004', customer: 4, type: 'inquiry', channel: 'phone', priority: 'normal', subject: '快递柜取件码收不到', description: '老人不会用手机，快递柜的短信取件码收不到。', category: '快递代收', reply: '已帮您把快递转到前台代收，您可随时凭身份证领取。', resolve: '快递已转前台代收。' },
  { by: 'K0005', customer: 5, type: 'complaint', channel: 'phone', priority: 'urgent', subject: '商铺门口垃圾两天未清运', description: '商铺 A-12 门口垃圾桶已满，异味严重，影响营业。', category: '环境卫生', reply: '已通知保洁主管，30 分钟内清运，稍后回电确认。', pendingCustomer: true },
  { by: 'K0007', customer: 0, type: 'repair', channel: 'phone', priority: 'urgent', subject: '电梯困人', description: '3 栋 2 号电梯停在 8 楼和 9 楼之间，里面有一位老人。', category: '电梯故障', reply: '维保单位已出发，预计 15 分钟到达，请安抚被困人员不要扒门。', resolve: '维保人员 12 分钟到场，已安全救出，电梯停运检修。' },
  { by: 'K0003', customer: 6, type: 'repair', channel: 'phone', priority: 'normal', subject: '空调外机噪音大', description: '隔壁空调外机夜里噪音很大，影响休息。', category: '噪音扰民' },
  { by: 'K0006', customer: 9, type: 'inquiry', channel: 'phone', priority: 'low', subject: '装修申请需要哪些材料', description: '9 栋 601 准备下个月装修，想了解手续。', category: '装修手续', reply: '需提交装修申请表、施工图纸和装修公司资质，押金 2000 元。', resolve: '已发送装修须知。', close: true },
  { by: 'K0001', customer: 10, type: 'order', channel: 'phone', priority: 'normal', subject: '订购桶装水', description: '每周二送两桶 18.9L 桶装水。', category: '桶装水' },
  { by: 'K0008', customer: 6, type: 'after_sales', channel: 'phone', priority: 'normal', subject: '门禁卡消磁无法刷卡', description: '上周新办的门禁卡刷不开单元门。', category: '门禁卡', reply: '请到前台免费更换，原卡作废。' },
];

/** Loads the demo organisation once; a second call (or a second process) creates nothing. */
export async function loadDemo(database: Database, config?: Config): Promise<boolean> {
  const ctx = systemCtx('demo');
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const loaded = await database.transaction(async (tx) => {
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
    for (const [parent, children] of Object.entries(CATEGORY_TREE)) {
      const p = await createCategoryInTx(tx, ctx, { name: parent });
      for (const [i, child] of children.entries()) await createCategoryInTx(tx, ctx, { name: child, parentId: p.id, position: i });
    }
    const team = (name: string) => teamIds.get(name)!;
    await createRuleInTx(tx, ctx, { name: '钻石/VIP 客户 → VIP专属服务组', active: true, conditions: { tiers: ['diamond'] }, teamId: team('VIP专属服务组'), requiredSkills: [], maxOpenPerAgent: null });
    await createRuleInTx(tx, ctx, { name: '突发事件 → 客服中心一组（主管盯办）', active: true, conditions: { types: ['emergency'] }, teamId: team('客服中心一组'), requiredSkills: [], maxOpenPerAgent: null });
    await createRuleInTx(tx, ctx, { name: '报修 → 客服中心一组（报修受理）', active: true, conditions: { types: ['repair'] }, teamId: team('客服中心一组'), requiredSkills: ['报修受理'], maxOpenPerAgent: 30 });
    await createRuleInTx(tx, ctx, { name: '投诉 → 客服中心二组（投诉处理）', active: true, conditions: { types: ['complaint'] }, teamId: team('客服中心二组'), requiredSkills: ['投诉处理'], maxOpenPerAgent: 30 });
    await createRuleInTx(tx, ctx, { name: '其他 → 客服中心二组', active: true, conditions: {}, teamId: team('客服中心二组'), requiredSkills: [], maxOpenPerAgent: 40 });
    return true;
  });
  if (loaded) await loadDemoCalendars(database);
  await loadDemoKb(database);
  if (loaded && config) await loadDemoTickets(database, config);
  if (config) await loadDemoSurveys(database);
  if (config) await loadDemoMeasures(database);
  return loaded;
}

async function loadDemoTickets(database: Database, config: Config) {
  const deps = { database, config };
  const staffRows = await database.db.select().from(staff);
  const byNo = new Map(staffRows.map((s) => [s.employeeNo, s]));
  const custRows = await database.db.select().from(customers).orderBy(customers.id);
  const cats = await database.db.select().from(categories);
  for (const d of DEMO_TICKETS) {
    const s = byNo.get(d.by);
    const c = custRows[d.customer];
    if (!s || !c) continue;
    const ctx: Ctx = { actor: actorFromRow(s, null), requestId: null, ip: null };
    const created = await createTicket(deps, ctx, {
      customerId: c.id, type: d.type, channel: d.channel, priority: d.priority, subject: d.subject, description: d.description,
      categoryId: cats.find((x) => x.name === d.category)?.id ?? null,
      orderLines: d.type === 'order' ? [{ item: '桶装水', spec: '18.9L', quantity: 2 }] : undefined,
    });
    const id = created.body.id;
    if (d.note) await addReply(deps, ctx, id, { body: d.note, visibility: 'internal' });
    if (d.reply) await addReply(deps, ctx, id, { body: d.reply, visibility: 'public' });
    if (d.pendingCustomer) await changeTicketStatus(deps, ctx, id, { status: 'pending_customer' });
    if (d.resolve) await resolveTicket(deps, ctx, id, d.resolve);
    if (d.close) await closeTicket(deps, ctx, id);
  }
}

export function demoLoginsText(): string {
  const rows = DEMO_STAFF.filter((s, i, all) => all.findIndex((x) => x.roles[0] === s.roles[0]) === i)
    .map((s) => `    ${s.no.padEnd(6)} ${s.roles.join(',').padEnd(11)} ${s.name}`);
  return [`  Demo logins (password ${DEMO_PASSWORD}, no TOTP enrolled):`, ...rows].join('\n');
}
