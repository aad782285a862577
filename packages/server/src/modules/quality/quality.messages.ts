import type { MessageBundle } from '../../i18n/index';

/**
 * Texts the quality module generates. Scorecard templates are content an administrator edits (seeded in Chinese,
 * scorecard.ts); refusals carry a stable `reason` the web app translates (errors-quality bundle).
 */
export const qualityMessages: MessageBundle = {
  'zh-CN': {
    'quality.notify.inspected': '工单 {number} 已完成质检：{score} 分',
    'quality.notify.appeal_filed': '工单 {number} 的质检结果被申诉，请裁决',
    'quality.notify.appeal_ruled': '工单 {number} 的质检申诉已裁决：{decision}',
    'quality.decision.upheld': '维持原判',
    'quality.decision.revised': '改判',
  },
  en: {
    'quality.notify.inspected': 'Ticket {number} was inspected: {score} points',
    'quality.notify.appeal_filed': 'The inspection of ticket {number} was appealed; please rule',
    'quality.notify.appeal_ruled': 'The appeal on ticket {number} was ruled: {decision}',
    'quality.decision.upheld': 'upheld',
    'quality.decision.revised': 'revised',
  },
};
