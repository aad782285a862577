import type { MessageBundle } from '../../i18n/index';

/** Texts the spare-parts commands write (the low-stock alert). */
export const fieldPartsMessages: MessageBundle = {
  'zh-CN': {
    'field.parts.low_stock': '备件库存不足：{code} {name} 在「{location}」仅剩 {qty}（下限 {threshold}）',
    'field.parts.van': '{name}的车载库存',
  },
  en: {
    'field.parts.low_stock': 'Low stock: {code} {name} at “{location}” is down to {qty} (threshold {threshold})',
    'field.parts.van': "{name}'s van",
  },
};
