import type { MessageBundle } from '../../i18n/index';

/** Texts the portal generates: the name of a customer created by their first sign-in (in the language they use). */
export const portalMessages: MessageBundle = {
  'zh-CN': {
    'portal.default_customer_name': '客户{phone}',
  },
  en: {
    'portal.default_customer_name': 'Customer {phone}',
  },
};
