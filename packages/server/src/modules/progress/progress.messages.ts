import type { MessageBundle } from '../../i18n/index';

/** Texts of status requests, solution confirmations and the measured/soft standard alerts (zh-CN and en, same keys). */
export const progressMessages: MessageBundle = {
  'zh-CN': {
    'progress.alert.below.title': '服务标准「{name}」低于目标：{value}（目标 {target}）',
    'progress.alert.recovered.title': '服务标准「{name}」已恢复达标：{value}（目标 {target}）',
    'progress.alert.period.day': '今日',
    'progress.alert.period.week': '本周',
    'progress.alert.period.month': '本月',
    'progress.notify.count_breached.ring_count': '{number} 超出次数限制：{name}（{observed} 声 > {limit} 声）',
    'progress.notify.count_breached.contacts_before_resolution': '{number} 超出次数限制：{name}（联系 {observed} 次 > {limit} 次）',
    'progress.notify.count_breached.transfers': '{number} 超出次数限制：{name}（转接 {observed} 次 > {limit} 次）',
    'progress.notify.count_breached.visits': '{number} 超出次数限制：{name}（上门 {observed} 次 > {limit} 次）',
  },
  en: {
    'progress.alert.below.title': 'Standard “{name}” is below its target: {value} (target {target})',
    'progress.alert.recovered.title': 'Standard “{name}” meets its target again: {value} (target {target})',
    'progress.alert.period.day': 'today',
    'progress.alert.period.week': 'this week',
    'progress.alert.period.month': 'this month',
    'progress.notify.count_breached.ring_count': '{number} over the count limit: {name} ({observed} rings > {limit})',
    'progress.notify.count_breached.contacts_before_resolution': '{number} over the count limit: {name} ({observed} contacts > {limit})',
    'progress.notify.count_breached.transfers': '{number} over the count limit: {name} ({observed} transfers > {limit})',
    'progress.notify.count_breached.visits': '{number} over the count limit: {name} ({observed} visits > {limit})',
  },
};
