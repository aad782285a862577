/**
 * Default standards from the source decks (domain spec §4), shipped as editable Chinese templates.
 * `GET /api/v1/standards/templates` lists them; `POST /api/v1/standards/templates/{key}/adopt` creates a standard.
 * Figures are the sources'; where a source gives no figure (marked "示例") the value is an example to adjust.
 */
import type { StandardFields } from './definition';
import type { z } from 'zod';

export type TemplateInput = z.input<typeof StandardFields>;
export interface StandardTemplate { key: string; code: string; source: string; definition: TemplateInput }

const ladder = [{ afterBreachSeconds: 0, notifyRole: 'supervisor' as const }, { afterBreachSeconds: 3600, notifyRole: 'director' as const }];
const H = 3600;

export const STANDARD_TEMPLATES: StandardTemplate[] = [
  {
    key: 'phone-answer-3-rings', code: 'PHONE-ANSWER', source: '电话：三声内接听（约 15 秒）',
    definition: {
      name: '电话三声内接听', encounter: '电话', kind: 'hard', target: 0.95, description: '来电响铃三声（约 15 秒）内接听，并使用标准开场白。',
      start: 'ticket.created', stop: 'ticket.first_public_reply', limitSeconds: 15, calendarId: null, appliesTo: { channels: ['phone'] }, escalation: [{ afterBreachSeconds: 0, notifyRole: 'supervisor' }],
    },
  },
  {
    key: 'front-desk-greeting', code: 'DESK-GREET', source: '前台：10 秒内问候来访者；目光接触 3–5 秒',
    definition: {
      name: '前台 10 秒内问候', encounter: '前台接待', kind: 'hard', target: 0.95, description: '来访者进门 10 秒内主动问候，目光接触 3–5 秒（现场稽核 / 神秘顾客检查）。',
      start: 'ticket.created', stop: 'ticket.first_public_reply', limitSeconds: 10, calendarId: null, appliesTo: { channels: ['walk_in'] },
    },
  },
  {
    key: 'visitor-registration-30s', code: 'VISITOR-REG', source: '物业：30 秒内完成访客登记',
    definition: {
      name: '访客登记 30 秒内完成', encounter: '物业访客登记', kind: 'hard', target: 0.95,
      start: 'ticket.created', stop: 'ticket.resolved', limitSeconds: 30, calendarId: null, appliesTo: { channels: ['walk_in'], types: ['inquiry'] },
    },
  },
  {
    key: 'bank-lobby-wait-5min', code: 'BANK-WAIT', source: '银行大堂：等候不超过 5 分钟',
    definition: {
      name: '大堂等候不超过 5 分钟', encounter: '银行大堂', kind: 'hard', target: 0.9,
      start: 'ticket.created', stop: 'ticket.assigned', limitSeconds: 300, calendarId: null, appliesTo: { channels: ['walk_in'] }, warnAtPercent: [80], escalation: [{ afterBreachSeconds: 0, notifyRole: 'supervisor' }],
    },
  },
  {
    key: 'bank-fcr-90', code: 'BANK-FCR', source: '银行大堂：首问解决率 ≥ 90%',
    definition: { name: '首问解决率 ≥ 90%', encounter: '银行大堂', kind: 'hard', measure: 'operating_data', target: 0.9, description: '按首次接触即解决的工单占比统计（运营数据）。' },
  },
  {
    key: 'bank-satisfaction-4-8', code: 'BANK-CSAT', source: '银行大堂：满意度 ≥ 4.8/5',
    definition: { name: '客户满意度 ≥ 4.8 分', encounter: '银行大堂', kind: 'soft', measure: 'survey', target: 0.9, survey: { measure: 'csat', threshold: 4.8 }, description: '交易后满意度调查，五分制平均不低于 4.8。' },
  },
  {
    key: 'restaurant-menu-2min', code: 'REST-MENU', source: '餐厅：入座 2 分钟内递上菜单',
    definition: {
      name: '入座 2 分钟内递上菜单', encounter: '餐厅', kind: 'hard', target: 0.95,
      start: 'ticket.created', stop: 'ticket.first_public_reply', limitSeconds: 120, calendarId: null, appliesTo: { types: ['order'], channels: ['walk_in'] },
    },
  },
  {
    key: 'restaurant-order-5min', code: 'REST-ORDER', source: '餐厅：5 分钟内确认点单',
    definition: {
      name: '5 分钟内确认点单', encounter: '餐厅', kind: 'hard', target: 0.95,
      start: 'ticket.created', stop: 'ticket.order_confirmed', limitSeconds: 300, calendarId: null, appliesTo: { types: ['order'], channels: ['walk_in'] },
    },
  },
  {
    key: 'restaurant-hot-dishes-20min', code: 'REST-DISHES', source: '餐厅：热菜 20 分钟内上齐',
    definition: {
      name: '热菜 20 分钟内上齐', encounter: '餐厅', kind: 'hard', target: 0.9,
      start: 'ticket.order_confirmed', stop: 'ticket.resolved', limitSeconds: 1200, calendarId: null, appliesTo: { types: ['order'], channels: ['walk_in'] }, warnAtPercent: [75],
      escalation: [{ afterBreachSeconds: 0, notifyRole: 'supervisor' }],
    },
  },
  {
    key: 'restaurant-table-check-15min', code: 'REST-CHECK', source: '餐厅：每 15 分钟巡台一次',
    definition: {
      name: '每 15 分钟巡台', encounter: '餐厅', kind: 'hard', target: 0.9, description: '用餐期间每 15 分钟巡台一次（每次巡台记录一条公开回复）；买单（解决）后停止。',
      start: 'ticket.created', stop: 'ticket.public_reply', limitSeconds: 900, recurring: true, calendarId: null, appliesTo: { types: ['order'], channels: ['walk_in'] },
    },
  },
  {
    key: 'car-service-greet-4min', code: 'CAR-GREET', source: '汽车服务（福特）：4 分钟内迎接',
    definition: {
      name: '到店 4 分钟内迎接', encounter: '汽车服务', kind: 'hard', target: 0.95,
      start: 'ticket.created', stop: 'ticket.first_public_reply', limitSeconds: 240, calendarId: null, appliesTo: { types: ['repair', 'after_sales'], channels: ['walk_in'] },
    },
  },
  {
    key: 'car-service-status-1min', code: 'CAR-STATUS', source: '汽车服务（福特）：询问后 1 分钟内告知进度',
    definition: {
      name: '询问后 1 分钟内告知进度', encounter: '汽车服务', kind: 'hard', target: 0.95,
      start: 'ticket.customer_reply', stop: 'ticket.public_reply', limitSeconds: 60, calendarId: null, appliesTo: { types: ['repair', 'after_sales'] },
    },
  },
  {
    key: 'car-service-fix-first-time', code: 'CAR-FTF', source: '汽车服务（福特）：一次修好；预约当天全天有效；替换车按约定时间备好',
    definition: { name: '一次修好', encounter: '汽车服务', kind: 'hard', measure: 'operating_data', target: 0.9, description: '以工单是否被重新打开衡量（运营数据）；预约全天有效、替换车准时备好由现场稽核。' },
  },
  {
    key: 'callback-4h', code: 'CALLBACK-4H', source: '回电：4 小时内回电',
    definition: {
      name: '4 小时内回电', encounter: '回电', kind: 'hard', target: 0.95,
      start: 'ticket.created', stop: 'ticket.first_public_reply', limitSeconds: 4 * H, calendarId: null, calendarSource: 'ticket', appliesTo: { channels: ['phone'] },
      pauseWhile: ['pending_customer'], warnAtPercent: [75], escalation: ladder,
    },
  },
  {
    key: 'complaint-same-day', code: 'COMPLAINT-SAME-DAY', source: '投诉：所有投诉当日办结',
    definition: {
      name: '投诉当日办结', encounter: '投诉处理', kind: 'hard', target: 0.92, description: '投诉在受理当天的营业时间结束前解决（下班后受理的，次一营业日结束前）。',
      start: 'ticket.created', stop: 'ticket.resolved', deadline: 'end_of_business_day', calendarId: null, calendarSource: 'ticket', appliesTo: { types: ['complaint'] },
      warnAtPercent: [75], escalation: ladder, sqiWeight: 3,
    },
  },
  {
    key: 'first-response-4-business-hours', code: 'FIRST-RESPONSE', source: '首次响应：4 个工作小时内',
    definition: {
      name: '首次响应 4 个工作小时', encounter: '工单受理', kind: 'hard', target: 0.95,
      start: 'ticket.created', stop: 'ticket.first_public_reply', limitSeconds: 4 * H, calendarId: null, calendarSource: 'ticket', pauseWhile: ['pending_customer'],
      warnAtPercent: [75], escalation: ladder,
    },
  },
  {
    key: 'low-score-supervisor-15min', code: 'RECOVERY-CONTACT', source: '低分挽回：主管 15 分钟内联系客户',
    definition: {
      name: '低分 15 分钟主管联系', encounter: '低分挽回', kind: 'hard', target: 0.95,
      start: 'recovery.opened', stop: ['recovery.contacted', 'ticket.public_reply'], limitSeconds: 900, calendarId: null, warnAtPercent: [50],
      escalation: [{ afterBreachSeconds: 0, notifyRole: 'supervisor' }, { afterBreachSeconds: 900, notifyRole: 'director' }], sqiWeight: 2,
    },
  },
  {
    key: 'low-score-solution-48h', code: 'RECOVERY-SOLUTION', source: '低分挽回：48 小时内给出解决方案',
    definition: {
      name: '48 小时解决方案', encounter: '低分挽回', kind: 'hard', target: 0.95,
      start: 'recovery.opened', stop: ['recovery.solution_proposed', 'ticket.resolved'], limitSeconds: 48 * H, calendarId: null, warnAtPercent: [75], escalation: ladder,
    },
  },
  {
    key: 'low-score-revisit-1-week', code: 'RECOVERY-REVISIT', source: '低分挽回：一周内回访',
    definition: {
      name: '一周内回访', encounter: '低分挽回', kind: 'hard', target: 0.95,
      start: 'recovery.opened', stop: ['recovery.revisited', 'ticket.revisited'], limitSeconds: 7 * 24 * H, calendarId: null, warnAtPercent: [80],
    },
  },
  {
    key: 'revisit-7-days', code: 'REVISIT-7D', source: '满意度回访：服务结束后 7 天内回访',
    definition: {
      name: '7 天回访', encounter: '满意度回访', kind: 'hard', target: 0.95,
      start: 'ticket.resolved', stop: ['ticket.revisited', 'survey.answered'], limitSeconds: 7 * 24 * H, calendarId: null, warnAtPercent: [70],
    },
  },
  {
    key: 'after-sales-care-3x', code: 'AFTERSALES-CARE', source: '售后：7 天保障期内 3 次主动关怀',
    definition: {
      name: '7 天内 3 次主动关怀', encounter: '售后', kind: 'hard', target: 0.9, description: '解决后进入 7 天保障期，约每 56 小时主动联系一次，共 3 次（每次记录一次回访）。',
      start: 'ticket.resolved', stop: 'ticket.revisited', limitSeconds: 56 * H, recurring: true, maxCycles: 3, calendarId: null, appliesTo: { types: ['after_sales'] },
    },
  },
  {
    key: 'delivery-by-1030', code: 'DELIVERY-1030', source: '配送：10:30 前送达',
    definition: { name: '10:30 前送达', encounter: '配送', kind: 'hard', measure: 'operating_data', target: 0.95, description: '按实际送达时间统计（运营数据）。' },
  },
  {
    key: 'silent-customer-4-touches', code: 'SILENT-REACTIVATE', source: '沉默客户：4 个接触点的唤醒流程',
    definition: { name: '沉默客户 4 次唤醒接触', encounter: '客户关怀', kind: 'hard', measure: 'audit', target: 0.9, description: '对沉默客户执行 4 个接触点的唤醒流程（稽核）。' },
  },
  {
    key: 'repair-response-2h', code: 'REPAIR-RESPONSE', source: '报修派工：响应时间（示例 2 小时）',
    definition: {
      name: '报修 2 小时内响应', encounter: '报修派工', kind: 'hard', target: 0.95, description: '示例时限，请按本单位承诺调整。',
      start: 'ticket.created', stop: 'ticket.assigned', limitSeconds: 2 * H, calendarId: null, calendarSource: 'ticket', appliesTo: { types: ['repair'] },
      warnAtPercent: [75], escalation: ladder,
    },
  },
  {
    key: 'repair-customer-confirmation', code: 'REPAIR-CONFIRM', source: '报修派工：完工后客户确认（示例 3 天）',
    definition: {
      name: '完工 3 天内客户确认', encounter: '报修派工', kind: 'hard', target: 0.9, description: '示例时限，请按本单位承诺调整。',
      start: 'ticket.resolved', stop: ['ticket.customer_confirmed', 'ticket.closed'], limitSeconds: 3 * 24 * H, calendarId: null, appliesTo: { types: ['repair'] },
    },
  },
  {
    key: 'repair-courtesy', code: 'REPAIR-COURTESY', source: '报修派工：服务态度（软标准）',
    definition: { name: '维修人员礼貌专业', encounter: '报修派工', kind: 'soft', measure: 'survey', target: 0.85, survey: { measure: 'csat', threshold: 4 } },
  },
];
