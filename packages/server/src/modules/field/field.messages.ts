import type { MessageBundle } from '../../i18n/index';

/** Texts the field module writes (label sheet headings are in the sheet itself, zh-CN). */
export const fieldMessages: MessageBundle = {
  'zh-CN': {
    'field.event.visit_scheduled': '已预约上门',
    'field.event.visit_arrived': '技师扫码签到',
    'field.event.visit_completed': '上门服务完成',
  },
  en: {
    'field.event.visit_scheduled': 'Visit scheduled',
    'field.event.visit_arrived': 'Technician checked in by code',
    'field.event.visit_completed': 'Visit completed',
  },
};
