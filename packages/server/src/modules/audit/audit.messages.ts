import type { MessageBundle } from '../../i18n/index';

/** How the audit trail labels a staff target (name and employee number) and a role target (its name). */
export const auditMessages: MessageBundle = {
  'zh-CN': {
    'audit.target_label.staff': '{name}（{employeeNo}）',
    'audit.role.admin': '管理员',
    'audit.role.director': '服务总监',
    'audit.role.supervisor': '服务主管',
    'audit.role.agent': '客服专员',
    'audit.role.frontdesk': '前台接待',
    'audit.role.technician': '维修技师',
    'audit.role.qa': '质检员',
    'audit.role.trainer': '培训师',
  },
  en: {
    'audit.target_label.staff': '{name} ({employeeNo})',
    'audit.role.admin': 'Administrator',
    'audit.role.director': 'Service director',
    'audit.role.supervisor': 'Service supervisor',
    'audit.role.agent': 'Service agent',
    'audit.role.frontdesk': 'Front desk',
    'audit.role.technician': 'Technician',
    'audit.role.qa': 'Quality inspector',
    'audit.role.trainer': 'Trainer',
  },
};
