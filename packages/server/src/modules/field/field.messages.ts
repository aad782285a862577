import type { MessageBundle } from '../../i18n/index';

/** Texts the field module writes (the HTML label sheet's headings are in the sheet itself, zh-CN; the PDF's are here). */
export const fieldMessages: MessageBundle = {
  'zh-CN': {
    'field.event.visit_scheduled': '已预约上门',
    'field.event.visit_arrived': '技师扫码签到',
    'field.event.visit_completed': '上门服务完成',
    'field.labels.title': '站点与设备二维码：{name}',
    'field.labels.site': '站点码 · 扫码签到',
    'field.labels.asset': '设备码 · 扫码签到',
    'field.labels.model': '型号 {model}',
    'field.labels.serial': '序列号 {serial}',
    'field.labels.empty': '该站点下没有站点或设备。',
  },
  en: {
    'field.event.visit_scheduled': 'Visit scheduled',
    'field.event.visit_arrived': 'Technician checked in by code',
    'field.event.visit_completed': 'Visit completed',
    'field.labels.title': 'Site and asset QR codes: {name}',
    'field.labels.site': 'Site code · scan to check in',
    'field.labels.asset': 'Asset code · scan to check in',
    'field.labels.model': 'Model {model}',
    'field.labels.serial': 'Serial {serial}',
    'field.labels.empty': 'No sites or assets under this site.',
  },
};
