import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { loadDemoKb, loadDemoKbUsage } from './kb';
import type { Config } from '../config';
import { customers, settings, staff } from '../db/schema';
import { createCategoryInTx } from '../modules/tickets/tickets.categories.commands';
import { createRuleInTx } from '../modules/tickets/tickets.dispatch.commands';
import { systemCtx } from '../lib/context';
import { uuidv7 } from '../lib/ids';
import { createCustomerInTx, updateCustomer } from '../modules/customers/customers.commands';
import { createStaffInTx, createTeamInTx } from '../modules/identity/identity.commands';
import { hashPassword } from '../modules/identity/secrets';
import { DEMO_ORG, DEMO_PASSWORD, DEMO_STAFF, TEAMS } from './accounts';
import { loadDemoAssistanceStandard, loadDemoCalendars, loadDemoStandards } from './standards';
import { dressDemoHistory } from './history';
import { loadDemoTickets } from './live';
import { MODULES } from '../modules/index';
import { onTicketEvent, onTicketTransition } from '../modules/tickets/ticket-events';
import { loadDemoSurveys } from './surveys';
import { loadDemoMeasures } from './measures';
import { loadDemoEnvironment } from './environment';
import { loadDemoField } from './field';
import { loadDemoFieldDispatch } from './field-dispatch';
import { loadDemoFieldParts } from './field-parts';
import { loadDemoQuality } from './quality';
import { loadDemoMystery } from './mystery';

export { DEMO_ORG, DEMO_PASSWORD, DEMO_STAFF, TEAMS, demoAccounts, demoLoginsText } from './accounts';

const SUPERVISOR_OF: Record<string, string> = {
  客服中心一组: 'S0001',
  客服中心二组: 'S0002',
  VIP专属服务组: 'S0003',
  维修班组: 'S0004',
};

type Tier = 'diamond' | 'gold' | 'silver' | 'regular';
interface DemoCustomer {
  name: string;
  phone: string;
  email?: string;
  tier: Tier;
  vip?: boolean;
  tags: string[];
  /** 楼栋 / 单元 / 房号 (a shop on the street: 商业街, no unit, its shop number). */
  flat: [string, string | null, string];
}
/** Owners, tenants and shops of 翠湖苑 (1–10栋) and the shopping street; the flat is in its own fields, not the name. */
const CUSTOMERS: DemoCustomer[] = [
  { name: '张建华', phone: '13800138001', tier: 'diamond', vip: true, tags: ['业主'], flat: ['3栋', '1单元', '1201'] },
  { name: '李秀英', phone: '13900139002', tier: 'gold', tags: ['业主'], flat: ['5栋', '2单元', '502'] },
  { name: '王志刚', phone: '13700137003', email: 'wangzg@example.com', tier: 'regular', tags: ['租户'], flat: ['8栋', '1单元', '1603'] },
  { name: '刘芳', phone: '13600136004', tier: 'silver', tags: ['业主', '老年住户'], flat: ['2栋', '1单元', '301'] },
  { name: '陈磊', phone: '13500135005', email: 'chenlei.shop@example.com', tier: 'gold', tags: ['商户', '餐饮'], flat: ['商业街', null, 'A-12'] },
  { name: '杨丽', phone: '13400134006', tier: 'regular', tags: ['业主'], flat: ['7栋', '2单元', '902'] },
  { name: '赵军', phone: '13300133007', tier: 'diamond', vip: true, tags: ['业主', '业委会'], flat: ['1栋', '1单元', '2101'] },
  { name: '黄晓燕', phone: '13200132008', tier: 'regular', tags: ['租户'], flat: ['6栋', '1单元', '402'] },
  { name: '周海波', phone: '13100131009', tier: 'silver', tags: ['业主'], flat: ['4栋', '2单元', '1102'] },
  { name: '吴敏', phone: '15000150010', email: 'wumin@example.com', tier: 'gold', tags: ['业主', '装修中'], flat: ['9栋', '1单元', '601'] },
  { name: '徐国庆', phone: '15100151011', tier: 'regular', tags: ['业主'], flat: ['10栋', '2单元', '202'] },
  { name: '孙婷婷', phone: '15200152012', tier: 'regular', tags: ['租户'], flat: ['3栋', '2单元', '808'] },
  { name: '马丽娟', phone: '15300153013', tier: 'silver', tags: ['业主', '有宠物'], flat: ['2栋', '2单元', '1502'] },
  { name: '朱建平', phone: '15500155014', tier: 'regular', tags: ['业主', '老年住户'], flat: ['1栋', '2单元', '103'] },
  { name: '胡晓东', phone: '15600156015', tier: 'gold', tags: ['业主'], flat: ['6栋', '2单元', '1801'] },
  { name: '郭静', phone: '15700157016', email: 'guojing@example.com', tier: 'regular', tags: ['租户'], flat: ['4栋', '1单元', '705'] },
  { name: '何志明', phone: '15800158017', tier: 'silver', tags: ['业主', '新能源车主'], flat: ['5栋', '1单元', '1003'] },
  { name: '林小红', phone: '15900159018', tier: 'regular', tags: ['业主'], flat: ['7栋', '1单元', '206'] },
  { name: '罗伟', phone: '18600186019', tier: 'regular', tags: ['租户'], flat: ['9栋', '2单元', '1404'] },
  { name: '梁淑芬', phone: '18700187020', tier: 'gold', tags: ['业主', '老年住户'], flat: ['10栋', '1单元', '901'] },
  { name: '宋志强', phone: '18800188021', tier: 'regular', tags: ['业主'], flat: ['8栋', '2单元', '2202'] },
  { name: '郑美玲', phone: '18900189022', tier: 'silver', tags: ['业主', '有小孩'], flat: ['3栋', '1单元', '605'] },
  { name: '谢国栋', phone: '13810138023', tier: 'regular', tags: ['商户', '便利店'], flat: ['商业街', null, 'B-03'] },
  { name: '韩雪梅', phone: '13910139024', tier: 'regular', tags: ['业主'], flat: ['1栋', '2单元', '1708'] },
  { name: '唐立新', phone: '13710137025', tier: 'gold', tags: ['业主', '业委会'], flat: ['6栋', '1单元', '1203'] },
  { name: '冯丽', phone: '13610136026', tier: 'regular', tags: ['租户'], flat: ['2栋', '1单元', '902'] },
  { name: '董建军', phone: '13510135027', tier: 'regular', tags: ['业主'], flat: ['4栋', '2单元', '301'] },
  { name: '程晓燕', phone: '13410134028', tier: 'silver', tags: ['业主', '有小孩'], flat: ['7栋', '2单元', '1506'] },
];
const CATEGORY_TREE: Record<string, string[]> = {
  报修: ['水电维修', '门窗维修', '电梯故障', '空调故障', '管道疏通', '公共照明', '门禁对讲'],
  投诉: ['服务态度', '收费争议', '噪音扰民', '环境卫生', '维修质量', '停车秩序'],
  咨询: ['物业费', '停车管理', '快递代收', '装修手续', '门禁卡', '社区服务'],
  建议: ['公共设施', '社区活动'],
  订单: ['桶装水', '家政保洁'],
};

/** Loads the demo organisation once; a second call (or a second process) creates nothing. */
export async function loadDemo(database: Database, config?: Config): Promise<boolean> {
  const ctx = systemCtx('demo');
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const loaded = await database.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(727276)`);
    const marked = await tx
      .insert(settings)
      .values({ key: 'demo.loaded', value: { at: new Date().toISOString(), org: DEMO_ORG } })
      .onConflictDoNothing()
      .returning();
    if (marked.length === 0) return false;
    const teamIds = new Map<string, string>();
    for (const name of TEAMS) teamIds.set(name, (await createTeamInTx(tx, ctx, { name })).id);
    const staffIds = new Map<string, string>();
    for (const s of DEMO_STAFF) {
      const existing = await tx
        .select({ id: staff.id })
        .from(staff)
        .where(sql`${staff.employeeNo} = ${s.no}`);
      if (existing[0]) {
        staffIds.set(s.no, existing[0].id);
        continue;
      }
      const row = await createStaffInTx(
        tx,
        ctx,
        {
          employeeNo: s.no,
          name: s.name,
          password: DEMO_PASSWORD,
          roles: s.roles,
          teamId: s.team ? teamIds.get(s.team) : null,
          skills: s.skills,
          compensationLimitFen: s.limit ?? null,
        },
        passwordHash,
      );
      staffIds.set(s.no, row.id);
    }
    for (const [team, sup] of Object.entries(SUPERVISOR_OF)) {
      await tx.execute(sql`UPDATE teams SET supervisor_id = ${staffIds.get(sup)!} WHERE id = ${teamIds.get(team)!}`);
    }
    const existingCustomers = await tx.select({ n: sql<number>`count(*)::int` }).from(customers);
    if ((existingCustomers[0]?.n ?? 0) === 0) {
      for (const c of CUSTOMERS)
        await createCustomerInTx(tx, ctx, {
          name: c.name,
          phone: c.phone,
          email: c.email,
          tier: c.tier,
          vip: c.vip ?? false,
          tags: c.tags,
          building: c.flat[0],
          unit: c.flat[1] ?? undefined,
          room: c.flat[2],
        });
    }
    void uuidv7;
    for (const [parent, children] of Object.entries(CATEGORY_TREE)) {
      const p = await createCategoryInTx(tx, ctx, { name: parent });
      for (const [i, child] of children.entries()) await createCategoryInTx(tx, ctx, { name: child, parentId: p.id, position: i });
    }
    const team = (name: string) => teamIds.get(name)!;
    await createRuleInTx(tx, ctx, {
      name: '钻石/VIP 客户 → VIP专属服务组',
      active: true,
      conditions: { tiers: ['diamond'] },
      teamId: team('VIP专属服务组'),
      requiredSkills: [],
      maxOpenPerAgent: null,
    });
    await createRuleInTx(tx, ctx, {
      name: '突发事件 → 客服中心一组（主管盯办）',
      active: true,
      conditions: { types: ['emergency'] },
      teamId: team('客服中心一组'),
      requiredSkills: [],
      maxOpenPerAgent: null,
    });
    await createRuleInTx(tx, ctx, {
      name: '报修 → 客服中心一组（报修受理）',
      active: true,
      conditions: { types: ['repair'] },
      teamId: team('客服中心一组'),
      requiredSkills: ['报修受理'],
      maxOpenPerAgent: 30,
    });
    await createRuleInTx(tx, ctx, {
      name: '投诉 → 客服中心二组（投诉处理）',
      active: true,
      conditions: { types: ['complaint'] },
      teamId: team('客服中心二组'),
      requiredSkills: ['投诉处理'],
      maxOpenPerAgent: 30,
    });
    await createRuleInTx(tx, ctx, {
      name: '其他 → 客服中心二组',
      active: true,
      conditions: {},
      teamId: team('客服中心二组'),
      requiredSkills: [],
      maxOpenPerAgent: 40,
    });
    return true;
  });
  if (loaded) {
    await loadDemoCalendars(database);
    await loadDemoStandards(database);
  }
  await loadDemoKb(database);
  if (loaded && config) {
    registerTicketConsumers();
    await loadDemoTickets(database, config);
  }
  if (config) await loadDemoField(database);
  if (config) await loadDemoFieldDispatch(database);
  if (config) await loadDemoFieldParts(database);
  if (config) await loadDemoSurveys(database);
  // After the surveys: its corrective tickets are internal work, never surveyed or given after-care.
  if (config) await loadDemoEnvironment(database);
  if (config) await loadDemoMeasures(database);
  if (config) await dressDemoHistory(database);
  if (config) await loadDemoKbUsage(database);
  if (config) await loadDemoQuality(database);
  if (config) await loadDemoMystery(database);
  if (loaded && config) await loadDemoAssistance(database);
  return loaded;
}

/**
 * 需一对一帮办 (seed 000, issue #13 item 7): 梁淑芬, an elderly owner living alone in 10栋, has 赵雪 as her designated
 * staff member, and the one-to-one greeting standard is adopted. Set after the history, so it routes the tickets she
 * opens from now on (her past ones keep the owners they had).
 */
async function loadDemoAssistance(database: Database): Promise<void> {
  const ctx = systemCtx('demo');
  const found = ((await database.db.execute(sql`SELECT id FROM customers WHERE name = '梁淑芬' AND NOT internal LIMIT 1`)) as { rows: { id: string }[] })
    .rows[0];
  const helper = ((await database.db.execute(sql`SELECT id FROM staff WHERE employee_no = 'K0003'`)) as { rows: { id: string }[] }).rows[0];
  if (!found || !helper) return;
  await updateCustomer(database, ctx, found.id, {
    assistance: 'elderly',
    assistanceNote: '独居老人，听力较弱：请放慢语速，重要事项电话后再上门确认',
    assistStaffId: helper.id,
  });
  await loadDemoAssistanceStandard(database);
}

/**
 * The demo loads before the app registers its ticket-event consumers and transition guards (server.ts); today's
 * tickets need them (clocks, complaint loop, measures queue …). Register every module's now, in module order and by
 * the same names, so the app's own registration later replaces them in place.
 */
function registerTicketConsumers(): void {
  for (const m of MODULES) {
    for (const c of m.consumers ?? []) onTicketEvent(c.name, c.handle, c.batch, c.kinds);
    for (const g of m.guards ?? []) onTicketTransition(g.name, g.fn);
  }
}
