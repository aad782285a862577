import type { MessageBundle } from '../../i18n/index';

/** The reminder before a visit (field.reminders.ts): what the customer receives. */
export const fieldReminderMessages: MessageBundle = {
  'zh-CN': {
    'field.reminder.subject': '上门服务提醒：{date} {from}–{to} [#{number}]',
    'field.reminder.body':
      '{name}，您好！\n\n您预约的上门服务（{number}）将于 {date} {from}–{to} 进行，上门技师：{technician}。技师出发前会与您电话联系，请保持电话畅通。\n\n如需改约或取消，请打开 {url} 或致电客服。',
  },
  en: {
    'field.reminder.subject': 'Visit reminder: {date} {from}–{to} [#{number}]',
    'field.reminder.body':
      'Hello {name},\n\nYour service visit ({number}) is on {date}, {from}–{to}, with our technician {technician}, who will call you before setting out.\n\nTo change or cancel it, open {url} or call us.',
  },
};
