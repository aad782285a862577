/**
 * Environment checklist items (环境检查项) and the range judgement: a measured value is in range when it lies within
 * [min, max] (an exclusive bound — "PM2.5 < 35" — excludes the bound itself); a yes/no item passes on "yes".
 * Pure: property-tested at the boundaries (environment.test.ts).
 */
export interface EnvItem {
  key: string;
  label: string;
  kind: 'measure' | 'yesno';
  unit?: string | null | undefined;
  min?: number | null | undefined;
  max?: number | null | undefined;
  minExclusive?: boolean | undefined;
  maxExclusive?: boolean | undefined;
  /** Where the figure comes from (the spec or a seed). */
  source?: string | null | undefined;
}

export type EnvValue = number | boolean;

const set = (x: number | null | undefined): x is number => typeof x === 'number';

/** Whether a value meets its item: null when the value has the wrong type for the item. */
export function judge(item: EnvItem, value: EnvValue): boolean | null {
  if (item.kind === 'yesno') return typeof value === 'boolean' ? value : null;
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  if (set(item.min) && (item.minExclusive ? !(value > item.min) : !(value >= item.min))) return false;
  if (set(item.max) && (item.maxExclusive ? !(value < item.max) : !(value <= item.max))) return false;
  return true;
}

/** The expected range as text, e.g. "22–26 ℃", "< 35 µg/m³", "≤ 45 dB", "是". */
export function expected(item: EnvItem): string {
  if (item.kind === 'yesno') return '是';
  const u = item.unit ? ` ${item.unit}` : '';
  if (set(item.min) && set(item.max) && !item.minExclusive && !item.maxExclusive) return `${item.min}–${item.max}${u}`;
  const parts: string[] = [];
  if (set(item.min)) parts.push(`${item.minExclusive ? '>' : '≥'} ${item.min}`);
  if (set(item.max)) parts.push(`${item.maxExclusive ? '<' : '≤'} ${item.max}`);
  return `${parts.join(' ')}${u}`;
}

const S000 = '种子 000《服务环境与硬件标准》';
const SPEC = '领域规格 §7 质检：环境检查';

/** The zh-CN default checklist shipped from the spec (domain.md §7) and seeds 000/004; an administrator edits it. */
export const DEFAULT_ENV_ITEMS: EnvItem[] = [
  { key: 'temperature', label: '室温', kind: 'measure', unit: '℃', min: 22, max: 26, source: `${SPEC}；${S000}：室温保持 22–26℃（种子 001 另有 20–26℃）` },
  { key: 'humidity', label: '相对湿度', kind: 'measure', unit: '%', min: 40, max: 60, source: `${SPEC}；${S000}：湿度 40–60%` },
  { key: 'lux_public', label: '照度（公共区域）', kind: 'measure', unit: 'lx', min: 300, max: 500, source: `${S000}：公共区域 300–500 勒克斯` },
  { key: 'lux_work', label: '照度（工作区域）', kind: 'measure', unit: 'lx', min: 500, max: 750, source: `${S000}：工作区 500–750 勒克斯` },
  { key: 'pm25', label: 'PM2.5', kind: 'measure', unit: 'µg/m³', max: 35, maxExclusive: true, source: `${S000}：PM2.5 低于 35 μg/m³` },
  { key: 'noise', label: '背景噪音', kind: 'measure', unit: 'dB', max: 45, source: `${S000}：背景噪音不超过 45 分贝` },
  { key: 'signage', label: '方向指引间距', kind: 'measure', unit: 'm', max: 20, source: `${S000}：主要路径每 20 米设置一处方向指引` },
  { key: 'air_changes', label: '换气次数', kind: 'measure', unit: '次/小时', min: 3, max: 5, source: `${S000}：每小时换气 3–5 次` },
  { key: 'clean', label: '环境整洁、无异味', kind: 'yesno', source: `${S000}：洗手间清洁干燥；气味管理无异味` },
  { key: 'facilities', label: '设施完好（座椅、无障碍设施）', kind: 'yesno', source: `${S000}：等候区舒适座椅；无障碍设施` },
  { key: 'water', label: '饮水设施可用', kind: 'yesno', source: '种子 004：环境检查包括饮水等设施；种子 000：等候区饮水设施' },
  { key: 'wifi', label: 'Wi-Fi 可用', kind: 'yesno', source: '种子 004：环境检查包括 Wi-Fi 等设施' },
];
