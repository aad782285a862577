import type { MessageBundle } from '../../i18n/index';

/** Texts the customers module stores: the internal customer's name and place (written in zh-CN, the organisation's language). */
export const customersMessages: MessageBundle = {
  'zh-CN': {
    'customers.internal.name': '内部工单',
    'customers.internal.building': '物业服务中心',
    'customers.internal.room': '内部',
  },
  en: {
    'customers.internal.name': 'Internal tasks',
    'customers.internal.building': 'Service centre',
    'customers.internal.room': 'Internal',
  },
};
