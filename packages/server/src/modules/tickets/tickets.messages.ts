/**
 * Texts the tickets domain generates (event titles, dispatch reasons, assignment reasons, notification titles,
 * approval summaries), as message keys rendered in the reader's language. Stored texts (an event's `reason`, a
 * dispatch decision) keep `{ key, params }`; a parameter may itself be a stored text or a list of them (rendered and
 * joined in the reader's language), so a dispatch reason keeps its rule's conditions translatable.
 */
import { t, type Locale, type MessageBundle } from '../../i18n/index';
import type { TicketEventKind } from './ticket-event-kinds';

const zh: Record<string, string> = {
  // Event titles (timeline, the owner's notifications).
  'tickets.event.ticket.created': '工单已创建',
  'tickets.event.ticket.assigned': '工单已分派',
  'tickets.event.ticket.taken': '工单已受理',
  'tickets.event.ticket.first_public_reply': '首次回复',
  'tickets.event.ticket.public_reply': '有新的回复',
  'tickets.event.ticket.internal_note': '有新的内部备注',
  'tickets.event.ticket.customer_reply': '客户回复了工单',
  'tickets.event.ticket.status_changed': '状态已变更',
  'tickets.event.ticket.resolved': '工单已解决',
  'tickets.event.ticket.closed': '工单已关闭',
  'tickets.event.ticket.reopened': '工单被重新打开',
  'tickets.event.ticket.priority_changed': '优先级已变更',
  'tickets.event.ticket.updated': '工单信息已更新',
  'tickets.event.ticket.merged': '工单已合并',
  'tickets.event.ticket.linked': '已关联工单',
  'tickets.event.ticket.team_transferred': '工单已转组',
  'tickets.event.ticket.handover_requested': '收到交接请求',
  'tickets.event.ticket.handover_confirmed': '交接已确认',
  'tickets.event.ticket.handover_declined': '交接被拒绝',
  'tickets.event.ticket.compensation_granted': '补偿已批准，待客户接受',
  'tickets.event.ticket.compensation_accepted': '客户已接受补偿（已发放）',
  'tickets.event.ticket.compensation_refused': '客户拒绝了补偿',
  'tickets.event.ticket.compensation_requested': '补偿待审批',
  'tickets.event.ticket.compensation_rejected': '补偿审批被驳回',
  'tickets.event.ticket.order_confirmed': '订单已与客户确认',
  'tickets.event.ticket.order_change_requested': '订单变更待审批',
  'tickets.event.ticket.order_change_approved': '订单变更已批准',
  'tickets.event.ticket.order_change_rejected': '订单变更被驳回',
  'tickets.event.ticket.owner_transferred': '工单已转交同事',
  'tickets.event.ticket.solution_options_offered': '已向客户提供解决方案',
  'tickets.event.ticket.solution_chosen': '客户已选定解决方案',
  'tickets.event.ticket.customer_confirmed': '客户已确认解决',
  'tickets.event.ticket.status_requested': '客户询问进度',
  'tickets.event.ticket.solution_confirmed': '客户确认方案',
  'tickets.event.ticket.checklist_recorded': '记录检查项',
  'tickets.event.ticket.attachment_added': '已添加附件',
  'tickets.event.ticket.revisited': '已回访客户',
  'tickets.event.standard.warning': '即将超时',
  'tickets.event.standard.breached': '已超时',
  'tickets.event.ticket.escalated': '已升级',
  'tickets.event.care.planned': '已安排关怀回访',
  'tickets.event.care.contacted': '已关怀回访',
  'tickets.event.care.guarantee_reopened': '保修期内重新打开',
  'tickets.event.complaint.listened': '投诉：已倾听',
  'tickets.event.complaint.empathised': '投诉：已共情',
  'tickets.event.complaint.confirmed': '投诉：已确认诉求',
  'tickets.event.complaint.resolved': '投诉：已处理',
  'tickets.event.complaint.revisited': '投诉：已回访',
  'tickets.event.complaint.feedback': '投诉：已反馈',
  'tickets.event.complaint.classified': '投诉已定性',
  'tickets.event.complaint.escalated': '投诉已升级',
  'tickets.event.recovery.opened': '低分挽回已开启',
  'tickets.event.recovery.contacted': '挽回：已联系客户',
  'tickets.event.recovery.solution_proposed': '挽回：已提出方案',
  'tickets.event.recovery.revisited': '挽回：已回访',
  'tickets.event.recovery.closed': '低分挽回已结束',
  'tickets.event.survey.sent': '满意度调查已发送',
  'tickets.event.survey.answered': '客户已评价',
  'tickets.event.field.visit_completed': '上门服务已完成',
  'tickets.event.field.visit_scheduled': '已预约上门',
  'tickets.event.field.visit_arrived': '技师扫码签到',
  'tickets.event.field.visit_signed': '客户已签收',
  'tickets.event.field.visit_reminded': '已提醒客户',
  'tickets.event.field.visit_reminder_unreachable': '无法提醒客户（无可用渠道或未同意接收）',
  'tickets.event.qa.inspected': '已质检',
  'tickets.event.qa.appeal_filed': '坐席提出质检申诉',
  'tickets.event.qa.appeal_ruled': '质检申诉已裁决',
  'tickets.event.env.corrective_opened': '环境检查不达标，整改任务已开启',
  'tickets.event.env.corrective_closed': '环境整改任务已关闭',

  // Why a ticket got its owner (stored in ticket.assigned / ticket.taken / ticket.reopened events).
  'tickets.reason.first_reply_owner': '首问负责：首位回复的员工成为负责人',
  'tickets.reason.take': '首问负责：主动受理',
  'tickets.reason.taken': '主动受理',
  'tickets.reason.manual': '手动分派',
  'tickets.reason.bulk': '批量分派',
  'tickets.reason.handover_confirmed': '服务交接已确认',
  'tickets.reason.assigned_on_create': '创建时指定',
  'tickets.reason.first_contact': '首问负责：受理人即负责人',
  'tickets.reason.one_to_one': '一对一帮办：客户需专人帮办，由指定专人 {name} 负责（先于派单规则）',
  'tickets.reason.customer_replied_after_resolve': '客户在解决后继续回复',
  'tickets.resolution.merged': '合并到 {number}',

  // Dispatch (rules, candidates, the decision).
  'tickets.dispatch.label.types': '类型',
  'tickets.dispatch.label.categoryIds': '分类',
  'tickets.dispatch.label.priorities': '优先级',
  'tickets.dispatch.label.channels': '渠道',
  'tickets.dispatch.label.tiers': '客户等级',
  'tickets.dispatch.label.vip': 'VIP',
  'tickets.dispatch.list_separator': '，',
  // Condition values in dispatch reasons (类型=报修, not repair).
  'tickets.dispatch.value.type.inquiry': '咨询',
  'tickets.dispatch.value.type.complaint': '投诉',
  'tickets.dispatch.value.type.repair': '报修',
  'tickets.dispatch.value.type.after_sales': '售后',
  'tickets.dispatch.value.type.order': '订单',
  'tickets.dispatch.value.type.suggestion': '建议',
  'tickets.dispatch.value.type.emergency': '突发事件',
  'tickets.dispatch.value.priority.urgent': '紧急',
  'tickets.dispatch.value.priority.high': '高',
  'tickets.dispatch.value.priority.normal': '普通',
  'tickets.dispatch.value.priority.low': '低',
  'tickets.dispatch.value.channel.portal': '客户门户',
  'tickets.dispatch.value.channel.phone': '电话',
  'tickets.dispatch.value.channel.walk_in': '到访',
  'tickets.dispatch.value.channel.email': '邮件',
  'tickets.dispatch.value.channel.chat': '在线客服',
  'tickets.dispatch.value.channel.wechat': '微信',
  'tickets.dispatch.value.channel.api': '系统接口',
  'tickets.dispatch.value.tier.diamond': '钻石',
  'tickets.dispatch.value.tier.gold': '金卡',
  'tickets.dispatch.value.tier.silver': '银卡',
  'tickets.dispatch.value.tier.regular': '普通',
  'tickets.dispatch.value.vip.true': '是',
  'tickets.dispatch.value.vip.false': '否',
  'tickets.dispatch.value.no_category': '未分类',
  'tickets.dispatch.value.other_category': '其他分类',
  'tickets.dispatch.why.mismatch': '{label}不符（{value}）',
  'tickets.dispatch.why.condition': '{label}={value}',
  'tickets.dispatch.why.fallback': '无条件（兜底规则）',
  'tickets.dispatch.why.conditions': '{list}',
  'tickets.dispatch.candidate.eligible': '可分派',
  'tickets.dispatch.candidate.off_duty': '未签入（不在班）',
  'tickets.dispatch.candidate.missing_skills': '缺少技能：{skills}',
  'tickets.dispatch.candidate.full': '待办已满（{load}/{max}）',
  'tickets.dispatch.team': '团队',
  'tickets.dispatch.reason.picked': '规则「{rule}」（{why}）→ {team}；轮询选中 {name}（当前待办 {load}）',
  'tickets.dispatch.reason.team_queue': '规则「{rule}」（{why}）→ {team}；无可分派人员，进入团队队列',
  'tickets.dispatch.reason.no_rule': '没有匹配的分派规则，进入待分派队列',

  // Notification titles.
  'tickets.notify.event': '{number} {event}',
  'tickets.notify.assigned_to_you': '{number} 分派给您：{subject}',
  'tickets.notify.new_assigned_to_you': '{number} 新工单分派给您：{subject}',
  'tickets.notify.handover_to_confirm': '{number} 交接待您确认：{subject}',
  'tickets.notify.handover_to_watch': '{number} 交接待确认（{from} → {to}）',
  'tickets.notify.handover_confirmed': '{number} 交接已被 {name} 确认',
  'tickets.notify.handover_declined': '{number} 交接被 {name} 拒绝',
  'tickets.notify.compensation_to_approve': '{number} 补偿 {amount} 待您审批',
  'tickets.notify.order_change_to_approve': '{number} 订单变更待您审批',
  'tickets.notify.compensation_approved': '{number} 您的补偿申请已批准',
  'tickets.notify.compensation_rejected': '{number} 您的补偿申请已驳回',
  'tickets.notify.order_change_approved': '{number} 您的订单变更申请已批准',
  'tickets.notify.order_change_rejected': '{number} 您的订单变更申请已驳回',

  // Approval summaries (the approvals list).
  'tickets.approval.summary.compensation': '补偿 {amount}',
  'tickets.approval.summary.order_change': '订单变更',
};

const en: Record<string, string> = {
  'tickets.event.ticket.created': 'Ticket created',
  'tickets.event.ticket.assigned': 'Ticket assigned',
  'tickets.event.ticket.taken': 'Ticket taken',
  'tickets.event.ticket.first_public_reply': 'First reply',
  'tickets.event.ticket.public_reply': 'New reply',
  'tickets.event.ticket.internal_note': 'New internal note',
  'tickets.event.ticket.customer_reply': 'The customer replied',
  'tickets.event.ticket.status_changed': 'Status changed',
  'tickets.event.ticket.resolved': 'Ticket resolved',
  'tickets.event.ticket.closed': 'Ticket closed',
  'tickets.event.ticket.reopened': 'Ticket reopened',
  'tickets.event.ticket.priority_changed': 'Priority changed',
  'tickets.event.ticket.updated': 'Ticket updated',
  'tickets.event.ticket.merged': 'Ticket merged',
  'tickets.event.ticket.linked': 'Ticket linked',
  'tickets.event.ticket.team_transferred': 'Moved to another team',
  'tickets.event.ticket.handover_requested': 'Handover requested',
  'tickets.event.ticket.handover_confirmed': 'Handover confirmed',
  'tickets.event.ticket.handover_declined': 'Handover declined',
  'tickets.event.ticket.compensation_granted': 'Compensation approved, awaiting the customer',
  'tickets.event.ticket.compensation_accepted': 'Customer accepted the compensation (granted)',
  'tickets.event.ticket.compensation_refused': 'Customer refused the compensation',
  'tickets.event.ticket.compensation_requested': 'Compensation awaiting approval',
  'tickets.event.ticket.compensation_rejected': 'Compensation rejected',
  'tickets.event.ticket.order_confirmed': 'Order confirmed with the customer',
  'tickets.event.ticket.order_change_requested': 'Order change awaiting approval',
  'tickets.event.ticket.order_change_approved': 'Order change approved',
  'tickets.event.ticket.order_change_rejected': 'Order change rejected',
  'tickets.event.ticket.owner_transferred': 'Transferred to a colleague',
  'tickets.event.ticket.solution_options_offered': 'Solution options offered',
  'tickets.event.ticket.solution_chosen': 'Customer chose a solution',
  'tickets.event.ticket.customer_confirmed': 'The customer confirmed the resolution',
  'tickets.event.ticket.status_requested': 'The customer asked for progress',
  'tickets.event.ticket.solution_confirmed': 'The customer accepted the solution',
  'tickets.event.ticket.checklist_recorded': 'Checklist step recorded',
  'tickets.event.ticket.attachment_added': 'Attachment added',
  'tickets.event.ticket.revisited': 'Customer revisited',
  'tickets.event.standard.warning': 'About to breach',
  'tickets.event.standard.breached': 'Breached',
  'tickets.event.ticket.escalated': 'Escalated',
  'tickets.event.care.planned': 'Care calls planned',
  'tickets.event.care.contacted': 'Care call made',
  'tickets.event.care.guarantee_reopened': 'Reopened under guarantee',
  'tickets.event.complaint.listened': 'Complaint: listened',
  'tickets.event.complaint.empathised': 'Complaint: empathised',
  'tickets.event.complaint.confirmed': 'Complaint: request confirmed',
  'tickets.event.complaint.resolved': 'Complaint: resolved',
  'tickets.event.complaint.revisited': 'Complaint: revisited',
  'tickets.event.complaint.feedback': 'Complaint: feedback given',
  'tickets.event.complaint.classified': 'Complaint classified',
  'tickets.event.complaint.escalated': 'Complaint escalated',
  'tickets.event.recovery.opened': 'Low-score recovery opened',
  'tickets.event.recovery.contacted': 'Recovery: customer contacted',
  'tickets.event.recovery.solution_proposed': 'Recovery: solution proposed',
  'tickets.event.recovery.revisited': 'Recovery: revisited',
  'tickets.event.recovery.closed': 'Low-score recovery closed',
  'tickets.event.survey.sent': 'Survey sent',
  'tickets.event.survey.answered': 'The customer rated the service',
  'tickets.event.field.visit_completed': 'Field visit completed',
  'tickets.event.field.visit_scheduled': 'Visit scheduled',
  'tickets.event.field.visit_arrived': 'Technician checked in by code',
  'tickets.event.field.visit_signed': 'Customer signed off the visit',
  'tickets.event.field.visit_reminded': 'Customer reminded of the visit',
  'tickets.event.field.visit_reminder_unreachable': 'Customer could not be reminded (no channel, or no consent)',
  'tickets.event.qa.inspected': 'Quality inspection done',
  'tickets.event.qa.appeal_filed': 'The agent appealed the inspection',
  'tickets.event.qa.appeal_ruled': 'Inspection appeal ruled',
  'tickets.event.env.corrective_opened': 'Environment check failed: corrective task opened',
  'tickets.event.env.corrective_closed': 'Environment corrective task closed',

  'tickets.reason.first_reply_owner': 'First contact: the first staff member to reply becomes the owner',
  'tickets.reason.take': 'First contact: taken by the agent',
  'tickets.reason.taken': 'Taken',
  'tickets.reason.manual': 'Assigned manually',
  'tickets.reason.bulk': 'Assigned in bulk',
  'tickets.reason.handover_confirmed': 'Handover confirmed',
  'tickets.reason.assigned_on_create': 'Assigned when created',
  'tickets.reason.first_contact': 'First contact: the receiving agent owns it',
  'tickets.reason.one_to_one': 'One-to-one help: the customer needs a designated helper, so {name} owns it (before the dispatch rules)',
  'tickets.reason.customer_replied_after_resolve': 'The customer replied after the resolution',
  'tickets.resolution.merged': 'Merged into {number}',

  'tickets.dispatch.label.types': 'type',
  'tickets.dispatch.label.categoryIds': 'category',
  'tickets.dispatch.label.priorities': 'priority',
  'tickets.dispatch.label.channels': 'channel',
  'tickets.dispatch.label.tiers': 'customer tier',
  'tickets.dispatch.label.vip': 'VIP',
  'tickets.dispatch.list_separator': ', ',
  // Condition values in dispatch reasons (类型=报修, not repair).
  'tickets.dispatch.value.type.inquiry': 'inquiry',
  'tickets.dispatch.value.type.complaint': 'complaint',
  'tickets.dispatch.value.type.repair': 'repair',
  'tickets.dispatch.value.type.after_sales': 'after-sales',
  'tickets.dispatch.value.type.order': 'order',
  'tickets.dispatch.value.type.suggestion': 'suggestion',
  'tickets.dispatch.value.type.emergency': 'emergency',
  'tickets.dispatch.value.priority.urgent': 'urgent',
  'tickets.dispatch.value.priority.high': 'high',
  'tickets.dispatch.value.priority.normal': 'normal',
  'tickets.dispatch.value.priority.low': 'low',
  'tickets.dispatch.value.channel.portal': 'portal',
  'tickets.dispatch.value.channel.phone': 'phone',
  'tickets.dispatch.value.channel.walk_in': 'walk-in',
  'tickets.dispatch.value.channel.email': 'e-mail',
  'tickets.dispatch.value.channel.chat': 'chat',
  'tickets.dispatch.value.channel.wechat': 'WeChat',
  'tickets.dispatch.value.channel.api': 'API',
  'tickets.dispatch.value.tier.diamond': 'diamond',
  'tickets.dispatch.value.tier.gold': 'gold',
  'tickets.dispatch.value.tier.silver': 'silver',
  'tickets.dispatch.value.tier.regular': 'regular',
  'tickets.dispatch.value.vip.true': 'yes',
  'tickets.dispatch.value.vip.false': 'no',
  'tickets.dispatch.value.no_category': 'no category',
  'tickets.dispatch.value.other_category': 'another category',
  'tickets.dispatch.why.mismatch': '{label} does not match ({value})',
  'tickets.dispatch.why.condition': '{label}={value}',
  'tickets.dispatch.why.fallback': 'no conditions (fallback rule)',
  'tickets.dispatch.why.conditions': '{list}',
  'tickets.dispatch.candidate.eligible': 'eligible',
  'tickets.dispatch.candidate.off_duty': 'not signed in (off duty)',
  'tickets.dispatch.candidate.missing_skills': 'missing skills: {skills}',
  'tickets.dispatch.candidate.full': 'queue full ({load}/{max})',
  'tickets.dispatch.team': 'team',
  'tickets.dispatch.reason.picked': 'Rule "{rule}" ({why}) → {team}; round-robin picked {name} ({load} open)',
  'tickets.dispatch.reason.team_queue': 'Rule "{rule}" ({why}) → {team}; nobody eligible, left in the team queue',
  'tickets.dispatch.reason.no_rule': 'No dispatch rule matched; left in the unassigned queue',

  'tickets.notify.event': '{number} {event}',
  'tickets.notify.assigned_to_you': '{number} assigned to you: {subject}',
  'tickets.notify.new_assigned_to_you': '{number} new ticket assigned to you: {subject}',
  'tickets.notify.handover_to_confirm': '{number} handover awaiting your confirmation: {subject}',
  'tickets.notify.handover_to_watch': '{number} handover awaiting confirmation ({from} → {to})',
  'tickets.notify.handover_confirmed': '{number} handover confirmed by {name}',
  'tickets.notify.handover_declined': '{number} handover declined by {name}',
  'tickets.notify.compensation_to_approve': '{number} compensation of {amount} awaits your approval',
  'tickets.notify.order_change_to_approve': '{number} order change awaits your approval',
  'tickets.notify.compensation_approved': '{number} your compensation request was approved',
  'tickets.notify.compensation_rejected': '{number} your compensation request was rejected',
  'tickets.notify.order_change_approved': '{number} your order change request was approved',
  'tickets.notify.order_change_rejected': '{number} your order change request was rejected',

  'tickets.approval.summary.compensation': 'Compensation {amount}',
  'tickets.approval.summary.order_change': 'Order change',
};

export const ticketsMessages: MessageBundle = { 'zh-CN': zh, en };

/**
 * A text stored for later display: a key with parameters, where a parameter may itself be a stored text, or a list
 * of them (joined with the locale's list separator).
 */
export interface Text {
  key: string;
  params?: { [name: string]: TextParam };
}
export type TextParam = string | number | null | undefined | Text | readonly TextParam[];

export const text = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });

const isText = (v: unknown): v is Text => typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Text).key === 'string';

function param(locale: Locale | undefined, v: TextParam): string | number | null | undefined {
  if (Array.isArray(v)) return (v as readonly TextParam[]).map((x) => String(param(locale, x) ?? '')).join(t(locale, 'tickets.dispatch.list_separator'));
  if (isText(v)) return renderText(locale, v);
  return v as string | number | null | undefined;
}

/** Render a stored text in a locale; a plain string (stored before message keys) is shown as it is. */
export function renderText(locale: Locale | undefined, v: Text | string): string;
export function renderText(locale: Locale | undefined, v: unknown): unknown;
export function renderText(locale: Locale | undefined, v: unknown): unknown {
  if (typeof v === 'string' || !isText(v)) return v;
  const params: Record<string, string | number | null | undefined> = {};
  for (const [k, p] of Object.entries(v.params ?? {})) params[k] = param(locale, p);
  return t(locale, v.key, params);
}

/** The title of an event kind (unknown kinds: the kind itself). */
export const eventTitle = (locale: Locale | undefined, kind: string): string => {
  const key = `tickets.event.${kind}`;
  const out = t(locale, key);
  return out === key ? kind : out;
};

/** Every kind has a title (checked when the module loads, and by the completeness test). */
export const eventTitleKey = (kind: TicketEventKind) => `tickets.event.${kind}`;

/** Fields of an event's data that hold stored texts, rendered when the timeline is read. */
export const TEXT_FIELDS = ['reason'] as const;

/** `¥12.50` from fen. */
export const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;
