/** The demo organisation's staff and logins (no database or module imports: the sign-in page's route reads it). */
import type { Role } from '../modules/identity/policy';

export const DEMO_PASSWORD = 'Chidu@2026';
export const DEMO_ORG = '申城物业服务有限公司（演示）';

export interface DemoStaff {
  no: string;
  name: string;
  roles: Role[];
  team: string | null;
  skills?: string[];
  limit?: number;
}

export const TEAMS = ['客服中心一组', '客服中心二组', 'VIP专属服务组', '维修班组', '前台接待组', '品质管理部', '培训部'] as const;

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

const firstPerRole = () => DEMO_STAFF.filter((s, i, all) => all.findIndex((x) => x.roles[0] === s.roles[0]) === i);

/** One demo login per role (the start banner's list) for the sign-in page (GET /demo/accounts, demo mode only). */
export function demoAccounts() {
  return { password: DEMO_PASSWORD, accounts: firstPerRole().map((s) => ({ employeeNo: s.no, name: s.name, roles: [...s.roles], team: s.team })) };
}

export function demoLoginsText(): string {
  const rows = firstPerRole().map((s) => `    ${s.no.padEnd(6)} ${s.roles.join(',').padEnd(11)} ${s.name}`);
  return [`  Demo logins (password ${DEMO_PASSWORD}, no TOTP enrolled):`, ...rows].join('\n');
}
