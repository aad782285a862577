/** Texts the process requirements write (transfer reasons, solution offers), zh-CN and en, the same keys. */
import type { MessageBundle } from '../../i18n/index';

const zh: Record<string, string> = {
  'process.transfer_reason.specialist': '需专业处理',
  'process.transfer_reason.beyond_authority': '超出权限',
  'process.transfer_reason.customer_request': '客户要求',
  'process.transfer_reason.shift_handover': '交接班',
  'process.transfer_reason.other': '其他',
  'process.transfer_reason_with_note': '{label}：{note}',
  'process.solution.chosen_via.staff': '客服记录',
  'process.solution.chosen_via.portal': '客户在线选择',
};

const en: Record<string, string> = {
  'process.transfer_reason.specialist': 'Needs a specialist',
  'process.transfer_reason.beyond_authority': 'Beyond my authority',
  'process.transfer_reason.customer_request': 'Customer asked',
  'process.transfer_reason.shift_handover': 'Shift handover',
  'process.transfer_reason.other': 'Other',
  'process.transfer_reason_with_note': '{label}: {note}',
  'process.solution.chosen_via.staff': 'recorded by staff',
  'process.solution.chosen_via.portal': 'chosen online by the customer',
};

export const processMessages: MessageBundle = { 'zh-CN': zh, en };
