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
    'loops.touch.care.default': '{name}您好！您的诉求（{number}）处理完成后使用情况如何？如仍有问题，直接回复本消息即可，我们会尽快跟进。',
    'loops.touch.reactivation.default': '{name}您好！好久没有您的消息了，最近使用是否顺利？有任何需要，直接回复本消息即可联系我们。',
    'loops.touch.care.subject': '售后关怀：{number}',
    'loops.touch.reactivation.subject': '客户回访',
  },
  en: {
    'loops.recovery.opened.title': '{number} low-score recovery: contact the customer within 15 minutes ({score})',
    'loops.complaint.escalated.title': '{number} serious complaint, management attention needed now: {subject}',
    'loops.care.guarantee_reopen_reason': 'The customer reported a problem again within the guarantee period ({number})',
    'loops.reactivation.started.title': 'Silent customer reactivation: {count} contact tasks scheduled',
    'loops.touch.care.default':
      'Hello {name}, how is everything since we resolved your request ({number})? If anything is still wrong, just reply to this message and we will follow up.',
    'loops.touch.reactivation.default':
      "Hello {name}, we haven't heard from you for a while. Is everything going well? Just reply to this message if you need anything.",
    'loops.touch.care.subject': 'After-sales care: {number}',
    'loops.touch.reactivation.subject': 'Checking in',
  },
};
