import type { MessageBundle } from '../../i18n/index';

/**
 * Texts the environment module generates. The checklist template is content an administrator edits (seeded in
 * Chinese, environment.items.ts); refusals carry a stable `reason` the web app translates (env-check bundle).
 */
export const environmentMessages: MessageBundle = {
  'zh-CN': {
    'environment.ticket.subject': '环境整改：{site} · {label} {value}（标准 {expected}）',
    'environment.ticket.description': '环境检查发现不达标：{label} 实测 {value}，标准 {expected}。请在时限内整改并在环境检查页关闭任务。',
    'environment.value.yes': '是',
    'environment.value.no': '否',
  },
  en: {
    'environment.ticket.subject': 'Environment fix: {site} · {label} {value} (standard {expected})',
    'environment.ticket.description':
      'An environment check failed: {label} measured {value}, standard {expected}. Fix it in time and close the task on the environment page.',
    'environment.value.yes': 'yes',
    'environment.value.no': 'no',
  },
};
