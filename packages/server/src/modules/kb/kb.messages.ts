import type { MessageBundle } from '../../i18n/index';

/**
 * Texts the knowledge base generates. A status reason or version note the server writes is stored as a message
 * (kb.present.ts `storedText`) and rendered in the reader's language; notifications are stored for their recipients
 * in the default language with the message in `data.message`.
 */
export const kbMessages: MessageBundle = {
  'zh-CN': {
    'kb.status.withdrawn': '编辑后撤回，待重新审核',
    'kb.status.review_due': '已到复审日期（{date}）',
    'kb.status.customer_not_helpful': '客户反馈没有帮助',
    'kb.status.customer_not_helpful_query': '客户反馈没有帮助（搜索：{query}）',
    'kb.version.restored': '恢复自第 {version} 版',
    'kb.diff.variants': '问法：{list}',
    'kb.diff.tags': '标签：{list}',
    'kb.notify.review_requested': '知识待审核：{title}',
    'kb.notify.approved': '知识已发布：{title}',
    'kb.notify.returned': '知识被退回：{title}',
    'kb.notify.needs_update': '知识需更新：{title}',
    'kb.notify.review_due': '知识到期待复审：{title}',
    'kb.notify.customer_not_helpful': '客户反馈没有帮助：{title}',
  },
  en: {
    'kb.status.withdrawn': 'Withdrawn for review after an edit',
    'kb.status.review_due': 'Review due ({date})',
    'kb.status.customer_not_helpful': 'A customer found it not helpful',
    'kb.status.customer_not_helpful_query': 'A customer found it not helpful (searched: {query})',
    'kb.version.restored': 'Restored from version {version}',
    'kb.diff.variants': 'Phrasings: {list}',
    'kb.diff.tags': 'Tags: {list}',
    'kb.notify.review_requested': 'Knowledge to review: {title}',
    'kb.notify.approved': 'Knowledge published: {title}',
    'kb.notify.returned': 'Knowledge returned: {title}',
    'kb.notify.needs_update': 'Knowledge needs an update: {title}',
    'kb.notify.review_due': 'Knowledge due for review: {title}',
    'kb.notify.customer_not_helpful': 'A customer found it not helpful: {title}',
  },
};
