import type { MessageBundle } from '../../i18n/index';

/** Texts the identity module generates (default names it invents). */
export const identityMessages: MessageBundle = {
  'zh-CN': {
    'identity.bootstrap_admin_name': '系统管理员',
  },
  en: {
    'identity.bootstrap_admin_name': 'System administrator',
  },
};
