import type { MessageBundle } from '../../i18n/index';

/** Dispatch reasons of field visits (field.dispatch.ts). */
export const fieldDispatchMessages: MessageBundle = {
  'zh-CN': {
    'field.dispatch.reason.free': '该时段空闲',
    'field.dispatch.reason.busy': '该时段已有上门',
    'field.dispatch.reason.off_calendar': '该时段不在工作时间',
    'field.dispatch.reason.no_calendar': '未设置工作日历',
    'field.dispatch.reason.skill_any': '不限技能',
    'field.dispatch.reason.skill_match': '具备技能：{skill}',
    'field.dispatch.reason.skill_missing': '缺少技能：{skill}',
    'field.dispatch.reason.area_covered': '负责该片区',
    'field.dispatch.reason.area_everywhere': '不限片区',
    'field.dispatch.reason.area_outside': '不负责该片区',
    'field.dispatch.reason.open_load': '待办上门 {n} 单',
  },
  en: {
    'field.dispatch.reason.free': 'Free in this window',
    'field.dispatch.reason.busy': 'Already has a visit in this window',
    'field.dispatch.reason.off_calendar': 'Outside working hours',
    'field.dispatch.reason.no_calendar': 'No working calendar set',
    'field.dispatch.reason.skill_any': 'Any skill',
    'field.dispatch.reason.skill_match': 'Has the skill: {skill}',
    'field.dispatch.reason.skill_missing': 'Lacks the skill: {skill}',
    'field.dispatch.reason.area_covered': 'Covers this area',
    'field.dispatch.reason.area_everywhere': 'Covers every area',
    'field.dispatch.reason.area_outside': 'Does not cover this area',
    'field.dispatch.reason.open_load': '{n} open visits',
  },
};
