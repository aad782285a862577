import type { MessageBundle } from '../i18n/index';

/**
 * Notification texts: titles of notifications about ticket events (`notifications.ticket.<kind>`, parameter `number`),
 * the test notification, and the frame of e-mails and webhook messages the delivery worker sends (in the recipient's language).
 */
export const realtimeMessages: MessageBundle = {
  'zh-CN': {
    'notifications.ticket.ticket.assigned': '{number} 工单已分派',
    'notifications.ticket.ticket.public_reply': '{number} 有新的回复',
    'notifications.ticket.ticket.customer_reply': '{number} 客户回复了工单',
    'notifications.ticket.ticket.internal_note': '{number} 有新的内部备注',
    'notifications.ticket.ticket.resolved': '{number} 工单已解决',
    'notifications.ticket.ticket.reopened': '{number} 工单被重新打开',
    'notifications.ticket.ticket.closed': '{number} 工单已关闭',
    'notifications.ticket.ticket.priority_changed': '{number} 优先级已变更',
    'notifications.ticket.ticket.handover_requested': '{number} 收到交接请求',
    'notifications.ticket.ticket.handover_confirmed': '{number} 交接已确认',
    'notifications.ticket.ticket.handover_declined': '{number} 交接被拒绝',
    'notifications.ticket.ticket.compensation_granted': '{number} 补偿已发放',
    'notifications.ticket.ticket.compensation_requested': '{number} 补偿待审批',
    'notifications.ticket.ticket.compensation_rejected': '{number} 补偿审批被驳回',
    'notifications.ticket.ticket.status_changed': '{number} 状态已变更',
    'notifications.ticket.ticket.customer_confirmed': '{number} 客户已确认解决',
    'notifications.ticket.ticket.merged': '{number} 工单已合并',
    'notifications.ticket.ticket.updated': '{number} 工单信息已更新',
    'notifications.ticket.ticket.team_transferred': '{number} 工单已转组',
    'notifications.ticket.ticket.order_change_requested': '{number} 订单变更待审批',
    'notifications.ticket.ticket.order_change_approved': '{number} 订单变更已批准',
    'notifications.ticket.ticket.order_change_rejected': '{number} 订单变更被驳回',
    'notifications.delivery.webhook_text': '【尺度】{title}',
    'notifications.delivery.email_subject': '[尺度] {title}',
    'notifications.delivery.email_ticket': '工单 / Ticket: {ticketId}',
    'notifications.delivery.wecom_card': '{at} UTC · 点击查看详情',
  },
  en: {
    'notifications.ticket.ticket.assigned': '{number} Ticket assigned',
    'notifications.ticket.ticket.public_reply': '{number} New reply',
    'notifications.ticket.ticket.customer_reply': '{number} The customer replied',
    'notifications.ticket.ticket.internal_note': '{number} New internal note',
    'notifications.ticket.ticket.resolved': '{number} Ticket resolved',
    'notifications.ticket.ticket.reopened': '{number} Ticket reopened',
    'notifications.ticket.ticket.closed': '{number} Ticket closed',
    'notifications.ticket.ticket.priority_changed': '{number} Priority changed',
    'notifications.ticket.ticket.handover_requested': '{number} Handover requested',
    'notifications.ticket.ticket.handover_confirmed': '{number} Handover confirmed',
    'notifications.ticket.ticket.handover_declined': '{number} Handover declined',
    'notifications.ticket.ticket.compensation_granted': '{number} Compensation granted',
    'notifications.ticket.ticket.compensation_requested': '{number} Compensation awaiting approval',
    'notifications.ticket.ticket.compensation_rejected': '{number} Compensation rejected',
    'notifications.ticket.ticket.status_changed': '{number} Status changed',
    'notifications.ticket.ticket.customer_confirmed': '{number} The customer confirmed the solution',
    'notifications.ticket.ticket.merged': '{number} Ticket merged',
    'notifications.ticket.ticket.updated': '{number} Ticket details updated',
    'notifications.ticket.ticket.team_transferred': '{number} Ticket moved to another team',
    'notifications.ticket.ticket.order_change_requested': '{number} Order change awaiting approval',
    'notifications.ticket.ticket.order_change_approved': '{number} Order change approved',
    'notifications.ticket.ticket.order_change_rejected': '{number} Order change rejected',
    'notifications.delivery.webhook_text': '[Chidu] {title}',
    'notifications.delivery.email_subject': '[Chidu] {title}',
    'notifications.delivery.email_ticket': 'Ticket: {ticketId}',
    'notifications.delivery.wecom_card': '{at} UTC · open for details',
  },
};

/** The kinds of ticket events whose owner is notified, and the title key of each. */
export const TICKET_EVENT_NOTIFICATION_KINDS = Object.keys(realtimeMessages.en)
  .filter((k) => k.startsWith('notifications.ticket.'))
  .map((k) => k.slice('notifications.ticket.'.length));

/** The title of a notification about a ticket event, or null when that kind is not notified. */
export function ticketEventNotificationTitle(kind: string, number: string) {
  return TICKET_EVENT_NOTIFICATION_KINDS.includes(kind) ? { key: `notifications.ticket.${kind}`, params: { number } } : null;
}
