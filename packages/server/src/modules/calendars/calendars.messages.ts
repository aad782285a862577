import type { MessageBundle } from '../../i18n/index';

/** Texts the calendars module writes: the warning on a calendar whose built-in holiday set does not cover a year. */
export const calendarsMessages: MessageBundle = {
  'zh-CN': {
    'calendars.warning.uncovered':
      '内置节假日集 {set} 未覆盖 {years} 年。国务院每年秋末公布次年节假日安排；' +
      '在内置数据更新前，请将该年的节假日和调休工作日添加为特殊日期（或导入 .ics 文件）。',
    'calendars.notify.holiday_update': '节假日源有更新：日历「{calendar}」可导入 {years} 年的节假日安排，请核对后确认',
  },
  en: {
    'calendars.warning.uncovered':
      "{years} not covered by the built-in {set} holiday set. The State Council publishes each year's holidays in late " +
      "autumn; until the built-in set is updated, add that year's holidays and make-up workdays as overrides (or import an .ics).",
    'calendars.notify.holiday_update': 'Holiday feed update: calendar "{calendar}" can import the {years} holiday schedule — review and confirm',
  },
};
