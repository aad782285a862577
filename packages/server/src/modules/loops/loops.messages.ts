import type { MessageBundle } from '../../i18n/index';

/**
 * Texts the loops generate. Notifications are stored for their recipients: the title in the default language and
 * the message in `data.message`, so a reader in another language sees it in theirs.
 */
export const loopsMessages: MessageBundle = {
  'zh-CN': {
    'loops.recovery.opened.title': '{number} 低分挽回：请 15 分钟内联系客户（{score}）',
    'loops.complaint.escalated.title': '{number} 严重投诉，请管理层立即关注：{subject}',
    'loops.care.guarantee_reopen_reason': '保障期内客户再次报告问题（{number}）',
    'loops.reactivation.started.title': '沉默客户唤醒：{count} 次接触任务已安排',
  },
  en: {
    'loops.recovery.opened.title': '{number} low-score recovery: contact the customer within 15 minutes ({score})',
    'loops.complaint.escalated.title': '{number} serious complaint, management attention needed now: {subject}',
    'loops.care.guarantee_reopen_reason': 'The customer reported a problem again within the guarantee period ({number})',
    'loops.reactivation.started.title': 'Silent customer reactivation: {count} contact tasks scheduled',
  },
};
