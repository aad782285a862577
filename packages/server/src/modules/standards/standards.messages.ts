import type { MessageBundle } from '../../i18n/index';

/**
 * Texts the standards engine writes (notification titles of warnings, breaches and escalation steps). Durations are a
 * number with the unit in the key (`…warning.left.minutes`: with the time left, in minutes).
 */
export const standardsMessages: MessageBundle = {
  'zh-CN': {
    'standards.notify.warning': '{number} 即将超时：{name}（已用 {percent}%）',
    'standards.notify.breached': '{number} 已超时：{name}',
    'standards.notify.escalated': '{number} 超时升级（第 {step} 级）：{name}',
    'standards.notify.warning.left.seconds': '{number} 即将超时：{name}（已用 {percent}%，剩余 {amount} 秒）',
    'standards.notify.warning.left.minutes': '{number} 即将超时：{name}（已用 {percent}%，剩余 {amount} 分钟）',
    'standards.notify.warning.left.hours': '{number} 即将超时：{name}（已用 {percent}%，剩余 {amount} 小时）',
    'standards.notify.warning.left.days': '{number} 即将超时：{name}（已用 {percent}%，剩余 {amount} 天）',
    'standards.notify.escalated.overdue.seconds': '{number} 超时升级（第 {step} 级）：{name}，已超时 {amount} 秒',
    'standards.notify.escalated.overdue.minutes': '{number} 超时升级（第 {step} 级）：{name}，已超时 {amount} 分钟',
    'standards.notify.escalated.overdue.hours': '{number} 超时升级（第 {step} 级）：{name}，已超时 {amount} 小时',
    'standards.notify.escalated.overdue.days': '{number} 超时升级（第 {step} 级）：{name}，已超时 {amount} 天',
  },
  en: {
    'standards.notify.warning': '{number} about to breach: {name} ({percent}% used)',
    'standards.notify.breached': '{number} breached: {name}',
    'standards.notify.escalated': '{number} escalated (level {step}): {name}',
    'standards.notify.warning.left.seconds': '{number} about to breach: {name} ({percent}% used, {amount} s left)',
    'standards.notify.warning.left.minutes': '{number} about to breach: {name} ({percent}% used, {amount} min left)',
    'standards.notify.warning.left.hours': '{number} about to breach: {name} ({percent}% used, {amount} h left)',
    'standards.notify.warning.left.days': '{number} about to breach: {name} ({percent}% used, {amount} d left)',
    'standards.notify.escalated.overdue.seconds': '{number} escalated (level {step}): {name}, {amount} s overdue',
    'standards.notify.escalated.overdue.minutes': '{number} escalated (level {step}): {name}, {amount} min overdue',
    'standards.notify.escalated.overdue.hours': '{number} escalated (level {step}): {name}, {amount} h overdue',
    'standards.notify.escalated.overdue.days': '{number} escalated (level {step}): {name}, {amount} d overdue',
  },
};
