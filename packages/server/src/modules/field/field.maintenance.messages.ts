import type { MessageBundle } from '../../i18n/index';

/** Texts the maintenance commands write (the recurring-fault proposal alert, the generated ticket). */
export const fieldMaintenanceMessages: MessageBundle = {
  'zh-CN': {
    'field.maintenance.proposal': '反复故障：「{name}」{days} 天内报修 {count} 次，建议制定预防性维护计划',
    'field.maintenance.ticket_subject': '预防性维护：{name}',
  },
  en: {
    'field.maintenance.proposal': 'Recurring fault: “{name}” had {count} repairs in {days} days — a preventive maintenance plan is proposed',
    'field.maintenance.ticket_subject': 'Preventive maintenance: {name}',
  },
};
