import type { MessageBundle } from '../../i18n/index';

/** Headings of the field-service measures export (the web page has its own, packages/web/src/i18n/extra). */
export const fieldMeasuresMessages: MessageBundle = {
  'zh-CN': {
    'measures.field.title': '上门服务指标',
    'measures.field.measure': '指标',
    'measures.field.value': '值',
    'measures.field.numerator': '分子',
    'measures.field.denominator': '分母',
    'measures.field.technician': '技师',
    'measures.field.all': '全部技师',
    'measures.field.assetType': '设备类型',
    'measures.field.onTimeArrivalRate': '准时到达率（准时到达 / 到达）',
    'measures.field.firstTimeFixRate': '一次修复率（7天内无返修的完工 / 完工上门）',
    'measures.field.visitsPerTechnicianDay': '人均日上门数（完工上门 / 技师出勤天数）',
    'measures.field.partsCost': '备件成本（元，合计 / 完工上门）',
    'measures.field.repeatRepairRate': '返修率：{type}（7天内返修 / 完工上门）',
  },
  en: {
    'measures.field.title': 'Field service measures',
    'measures.field.measure': 'Measure',
    'measures.field.value': 'Value',
    'measures.field.numerator': 'Numerator',
    'measures.field.denominator': 'Denominator',
    'measures.field.technician': 'Technician',
    'measures.field.all': 'All technicians',
    'measures.field.assetType': 'Asset type',
    'measures.field.onTimeArrivalRate': 'On-time arrival rate (on-time arrivals / arrivals)',
    'measures.field.firstTimeFixRate': 'First-time fix rate (completed visits without a repeat in 7 days / completed visits)',
    'measures.field.visitsPerTechnicianDay': 'Visits per technician per day (completed visits / technician-days)',
    'measures.field.partsCost': 'Parts cost (yuan, total / completed visits)',
    'measures.field.repeatRepairRate': 'Repeat-repair rate: {type} (repeats within 7 days / completed visits)',
  },
};
