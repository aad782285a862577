/**
 * The template catalogue's second half (issue #13 item 8): gallery groups, the seed reference of every template
 * (seed file + section, zh-CN), the templates the first audit found missing, and the targets of domain spec §6 as
 * adoptable **measure targets** (`PUT /measures/targets/{measure}`) rather than standards.
 */
import type { MeasureKey } from '@chidu/core/measures/index';
import type { z } from 'zod';
import type { StandardFields } from './definition';

export type TemplateInput = z.input<typeof StandardFields>;

/** Gallery groups (encounter / industry), in display order. */
export const TEMPLATE_GROUPS = [
  'front_desk',
  'phone',
  'property',
  'bank',
  'restaurant',
  'car_service',
  'callback',
  'complaint',
  'delivery',
  'recovery',
  'revisit',
  'after_sales',
  'repair',
  'general',
  'targets',
] as const;
export type TemplateGroup = (typeof TEMPLATE_GROUPS)[number];

/** The five source documents (../shared/seeds), as a template's source names them. */
export const SEEDS = {
  s000: '种子 000《规范服务培训课件》',
  s002: '种子 002《2025年员工客户服务规范培训》',
  s003: '种子 003《顾客定义的服务标准》',
} as const;

/** Group and source (seed file + section) of each template of templates.ts, by key. */
export const TEMPLATE_META: Record<string, { group: TemplateGroup; source: string }> = {
  'phone-answer-3-rings': { group: 'phone', source: `${SEEDS.s000} · 电话服务规范 · 接听准备：电话铃响三声内接听` },
  'front-desk-greeting': {
    group: 'front_desk',
    source: `${SEEDS.s000} · 服务礼仪实操 · 问候礼仪：主动问候，目光接触 3–5 秒（10 秒取自领域规格 §4，来源文本未见该数字）`,
  },
  'visitor-registration-30s': { group: 'property', source: `${SEEDS.s000} · 典型行业服务标准案例 2 物业前台接待：30 秒内完成基础登记` },
  'bank-lobby-wait-5min': { group: 'bank', source: `${SEEDS.s000} · 典型行业服务标准案例 1 银行大堂经理：客户等待时间控制在 5 分钟以内` },
  'bank-fcr-90': { group: 'bank', source: `${SEEDS.s000} · 典型行业服务标准案例 1 银行大堂经理：首次解决率达 90% 以上` },
  'bank-satisfaction-4-8': { group: 'bank', source: `${SEEDS.s000} · 典型行业服务标准案例 1 银行大堂经理：客户满意度评分不低于 4.8（满分 5 分）` },
  'restaurant-menu-2min': { group: 'restaurant', source: `${SEEDS.s000} · 典型行业服务标准案例 3 餐饮点餐：入座 2 分钟内提供菜单` },
  'restaurant-order-5min': { group: 'restaurant', source: `${SEEDS.s000} · 典型行业服务标准案例 3 餐饮点餐：点餐 5 分钟内下单确认` },
  'restaurant-hot-dishes-20min': { group: 'restaurant', source: `${SEEDS.s000} · 典型行业服务标准案例 3 餐饮点餐：热菜上齐时间不超过 20 分钟` },
  'restaurant-table-check-15min': { group: 'restaurant', source: `${SEEDS.s000} · 典型行业服务标准案例 3 餐饮点餐：每 15 分钟巡桌一次` },
  'car-service-greet-4min': { group: 'car_service', source: `${SEEDS.s003} · 判断软硬标准（福特的服务标准）(2)：必须在 4 分钟内开始接待顾客` },
  'car-service-status-1min': { group: 'car_service', source: `${SEEDS.s003} · 判断软硬标准（福特的服务标准）(5)：顾客询问后的 1 分钟内提供服务的基本情况` },
  'car-service-fix-first-time': { group: 'car_service', source: `${SEEDS.s003} · 判断软硬标准（福特的服务标准）(4)：每次进行服务一定要正确` },
  'car-service-appointment-day': { group: 'car_service', source: `${SEEDS.s003} · 判断软硬标准（福特的服务标准）(1)：预约在约定日期一整天都有效` },
  'callback-4h': { group: 'callback', source: `${SEEDS.s003} · 开发顾客定义的服务标准 第五步：如 4 小时内回电话` },
  'complaint-same-day': { group: 'complaint', source: `${SEEDS.s003} · 开发顾客定义的服务标准 第五步：当日解决所有投诉` },
  'complaint-same-day-cutoff': { group: 'complaint', source: `${SEEDS.s003} · 开发顾客定义的服务标准 第五步：当日解决所有投诉（16:00 截止为示例）` },
  'delivery-by-1030': { group: 'delivery', source: `${SEEDS.s003} · 开发顾客定义的服务标准 第五步：上午 10 点半送货` },
  'first-response-4-business-hours': { group: 'general', source: '领域规格 §4：首次响应 4 个工作小时（硬标准示例）' },
  'low-score-supervisor-15min': { group: 'recovery', source: `${SEEDS.s000} · 现场评价系统：主管收到低分提醒后 15 分钟内联系客户` },
  'low-score-solution-48h': { group: 'recovery', source: `${SEEDS.s000} · 现场评价系统：48 小时内提供问题解决方案` },
  'low-score-revisit-1-week': { group: 'recovery', source: `${SEEDS.s000} · 现场评价系统：一周内回访确认问题解决情况` },
  'revisit-7-days': { group: 'revisit', source: `${SEEDS.s002} · 第三章 关键流程标准化设计：服务结束后 7 天内进行满意度回访` },
  'after-sales-care-3x': { group: 'after_sales', source: `${SEEDS.s002} · 第三章 售后服务闭环：7 天服务保障机制和 3 次主动关怀节点` },
  'silent-customer-4-touches': { group: 'after_sales', source: `${SEEDS.s002} · 第三章 线上服务流程：包含 4 个触达节点的沉默客户激活流程` },
  'repair-response-2h': { group: 'repair', source: `${SEEDS.s000} · 物业工单数字闭环：响应时间（时限为示例 2 小时）` },
  'repair-customer-confirmation': { group: 'repair', source: `${SEEDS.s000} · 物业工单数字闭环：业主在线确认完工（时限为示例 3 天）` },
  'repair-courtesy': { group: 'repair', source: `${SEEDS.s000} · 服务质量管控机制 · 质检标准：服务态度（软标准）` },
  'qa-appeal-ruling-2bd': { group: 'general', source: '领域规格 §7 质检：坐席申诉由第二名质检员或主管裁决（2 个工作日为示例时限）' },
  'env-corrective-1bd': { group: 'general', source: '领域规格 §7 质检：环境检查的测量范围；种子 000：建立定期检查和及时整改机制（1 个工作日为示例时限）' },
  // added by the audit of issue #13 item 8
  'store-greet-5min': { group: 'front_desk', source: `${SEEDS.s003} · 开发顾客定义的服务标准：进店后 5 分钟内问候顾客` },
  'eye-contact-3-5s': { group: 'front_desk', source: `${SEEDS.s000} · 服务礼仪实操 · 问候礼仪：主动问候，目光接触 3–5 秒` },
  'phone-opening-script': { group: 'phone', source: `${SEEDS.s000} · 电话服务规范 · 标准开场：您好，感谢致电……很高兴为您服务` },
  'car-service-replacement-car': { group: 'car_service', source: `${SEEDS.s003} · 判断软硬标准（福特的服务标准）(6)：在约定的时间替代车必须准备好` },
  'car-service-explain-charges': { group: 'car_service', source: `${SEEDS.s003} · 判断软硬标准（福特的服务标准）(7)：提供详细的作业、保险范围和收费的说明` },
  // issue #13 item 7
  'one-to-one-greeting': { group: 'front_desk', source: `${SEEDS.s000} · 窗口服务创新：针对特殊群体如老年人、残障人士等……提供一对一帮办服务` },
  'quote-before-work': {
    group: 'repair',
    source: `${SEEDS.s003} · 判断软硬标准（福特的服务标准）(3)(7)：把顾客需要的服务准确记在修理单上并逐一核对；提供收费的说明 —— 开工前先告知报价（议题 #13 第 7 项）`,
  },
};

/** Standards the audit found missing (see docs/standards.md «模板一览»). */
export const EXTRA_TEMPLATES: { key: string; code: string; definition: TemplateInput }[] = [
  {
    key: 'store-greet-5min',
    code: 'STORE-GREET',
    definition: {
      name: '进店 5 分钟内问候',
      encounter: '门店接待',
      kind: 'hard',
      target: 0.95,
      description: '顾客进店（登记到店工单）后 5 分钟内问候（第一条公开回复）。',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 300,
      calendarId: null,
      appliesTo: { channels: ['walk_in'] },
    },
  },
  {
    key: 'eye-contact-3-5s',
    code: 'DESK-EYE-CONTACT',
    definition: {
      name: '问候时目光接触 3–5 秒',
      encounter: '前台接待',
      kind: 'hard',
      measure: 'audit',
      target: 0.95,
      description: '问候来访者时保持目光接触 3–5 秒。系统不记录目光，由现场稽核或神秘顾客检查。',
    },
  },
  {
    key: 'phone-opening-script',
    code: 'PHONE-OPENING',
    definition: {
      name: '电话标准开场白',
      encounter: '电话',
      kind: 'hard',
      measure: 'audit',
      target: 0.95,
      description: '接听使用标准开场：「您好，感谢致电××公司××部门，我是客服××号，很高兴为您服务，请问有什么可以帮助您？」由录音抽检稽核。',
    },
  },
  {
    key: 'car-service-replacement-car',
    code: 'CAR-REPLACEMENT',
    definition: {
      name: '替代车按约定时间备好',
      encounter: '汽车服务',
      kind: 'hard',
      measure: 'audit',
      target: 0.95,
      description: '在约定的时间替代车必须准备好。系统尚无记录替代车约定与备好的事件，由现场稽核。',
    },
  },
  {
    key: 'car-service-explain-charges',
    code: 'CAR-EXPLAIN',
    definition: {
      name: '说明作业、保修范围和收费',
      encounter: '汽车服务',
      kind: 'hard',
      measure: 'audit',
      target: 0.95,
      description: '交车时提供详细的作业、保险（保修）范围和收费说明：报修与订单工单的检查项「已说明作业、保修范围和收费」在解决前记录。',
      checklist: 'work_explained',
    },
  },
  {
    key: 'one-to-one-greeting',
    code: 'ONE-TO-ONE-GREET',
    definition: {
      name: '专人 5 分钟内问候',
      encounter: '一对一帮办',
      kind: 'hard',
      target: 0.95,
      description: '需一对一帮办的客户（老人、残障人士等）的工单由指定专人负责，并在 5 分钟内问候（第一条公开回复，电话或当面问候后记一条公开回复）。',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 300,
      calendarId: null,
      appliesTo: { assistance: true },
    },
  },
  {
    key: 'quote-before-work',
    code: 'QUOTE-BEFORE-WORK',
    definition: {
      name: '开工前告知报价',
      encounter: '报修派工',
      kind: 'hard',
      measure: 'audit',
      target: 0.95,
      description: '报修与订单工单在开始作业（处理中 / 上门到场）前记录检查项「报价已告知客户」；之后补记算迟，未记录算不合格。',
      checklist: 'cost_quoted',
    },
  },
];

export interface TargetTemplate {
  key: string;
  group: 'targets';
  name: string;
  measure: MeasureKey;
  target: number;
  source: string;
  note: string;
}

/**
 * The targets of domain spec §6: each adopts the measures module's target for its measure (alerts, dashboards and
 * reports read it there); two CSAT figures are shipped because the sources give two.
 */
export const TARGET_TEMPLATES: TargetTemplate[] = [
  {
    key: 'target-csat-80',
    group: 'targets',
    name: '客户满意度（CSAT）≥ 80%',
    measure: 'csat',
    target: 0.8,
    source: `${SEEDS.s000} · 数据化服务管理：目标是保持满意度在 80% 以上`,
    note: '来源给出的目标值。',
  },
  {
    key: 'target-csat-85',
    group: 'targets',
    name: '客户满意度（CSAT）≥ 85%',
    measure: 'csat',
    target: 0.85,
    source: `${SEEDS.s002} · 第一章 培训效果预期：客户满意度提升至 90%（行业平均 85%）`,
    note: '85% 是来源给出的行业平均水平（领域规格采用此值为默认目标）；90% 为提升目标。',
  },
  {
    key: 'target-nps-40',
    group: 'targets',
    name: '净推荐值（NPS）高于 40',
    measure: 'nps',
    target: 40,
    source: `${SEEDS.s000} · 数据化服务管理：NPS 值高于 40`,
    note: '以 40 为下限（低于 40 即告警）。',
  },
  {
    key: 'target-fcr-85',
    group: 'targets',
    name: '首次解决率（FCR）目标 85%',
    measure: 'fcr',
    target: 0.85,
    source: `${SEEDS.s000} · 数据化服务管理 · 首次解决率：72% → 85%`,
    note: '72% 是来源中的起点（现状），不是目标；目标为 85%。',
  },
  {
    key: 'target-execution-93',
    group: 'targets',
    name: '标准执行率 ≥ 93%',
    measure: 'standardExecutionRate',
    target: 0.93,
    source: `${SEEDS.s000} · 数据化服务管理 · 标准执行率：93%`,
    note: '按时达标的服务接触 ÷ 计入的服务接触（超时从超时时刻起计为失败）。',
  },
  {
    key: 'target-complaint-rate-3-2',
    group: 'targets',
    name: '投诉率 ≤ 3.2%',
    measure: 'complaintRate',
    target: 0.032,
    source: `${SEEDS.s000} · 数据化服务管理 · 投诉率：投诉数量 ÷ 服务总量，3.2%`,
    note: '上限：高于 3.2% 即告警。',
  },
  {
    key: 'target-complaint-resolution-92',
    group: 'targets',
    name: '投诉解决率 ≥ 92%',
    measure: 'complaintResolutionRate',
    target: 0.92,
    source: `${SEEDS.s002} · 第一章 改进指标设定：投诉解决率提升至 92%`,
    note: '已解决投诉 ÷ 全部投诉。',
  },
];
