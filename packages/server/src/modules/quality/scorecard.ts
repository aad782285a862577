/**
 * Scorecards (质检评分表): item shapes, the scoring rule and the zh-CN templates built from the seeds (seed 000:
 * 服务态度 / 专业能力 / 流程规范 / 服务环境; seed 001: telephone, reception and field-visit norms). Pure: no I/O.
 */
export const DIMENSIONS = ['attitude', 'professional', 'process', 'environment'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export type Scale = { kind: 'yesno' } | { kind: 'points'; max: number };
export interface ScorecardItem {
  key: string;
  dimension: Dimension;
  label: string;
  weight: number;
  scale: Scale;
  /** N/A (不适用) allowed: the item is left out of the score. */
  allowNa: boolean;
  /** 一票否决: a zero on this item zeroes the whole score. */
  critical: boolean;
}

export interface ItemScore {
  item: string;
  score: number | null;
}

export const maxOf = (s: Scale) => (s.kind === 'yesno' ? 1 : s.max);

export type ScoreProblem = { path: string; message: string };

/** Check every item is scored once, in range, N/A only where allowed. Returns problems naming the item. */
export function checkScores(items: readonly ScorecardItem[], scores: readonly ItemScore[]): ScoreProblem[] {
  const problems: ScoreProblem[] = [];
  const byKey = new Map(scores.map((s) => [s.item, s]));
  scores.forEach((s, i) => {
    if (!items.some((it) => it.key === s.item)) problems.push({ path: `scores.${i}.item`, message: `unknown item ${s.item}` });
  });
  for (const it of items) {
    const s = byKey.get(it.key);
    if (!s) {
      problems.push({ path: `scores.${it.key}`, message: 'not scored' });
      continue;
    }
    if (s.score === null) {
      if (!it.allowNa) problems.push({ path: `scores.${it.key}`, message: 'N/A is not allowed for this item' });
      continue;
    }
    const max = maxOf(it.scale);
    if (!Number.isInteger(s.score) || s.score < 0 || s.score > max) problems.push({ path: `scores.${it.key}`, message: `score must be an integer 0..${max}` });
  }
  return problems;
}

/**
 * The score 0..100: Σ weight × score/max over the items not N/A, divided by Σ weight of those items, × 100, rounded
 * to one decimal. A critical item scored 0 makes the whole score 0 (一票否决). Every item N/A: 100.
 */
export function scoreOf(items: readonly ScorecardItem[], scores: readonly ItemScore[], passMark: number): { score: number; passed: boolean; vetoed: boolean } {
  const byKey = new Map(scores.map((s) => [s.item, s.score]));
  let got = 0;
  let total = 0;
  let vetoed = false;
  for (const it of items) {
    const s = byKey.get(it.key);
    if (s === null || s === undefined) continue;
    if (it.critical && s === 0) vetoed = true;
    got += (it.weight * s) / maxOf(it.scale);
    total += it.weight;
  }
  const score = vetoed ? 0 : total === 0 ? 100 : Math.round((1000 * got) / total) / 10;
  return { score, passed: !vetoed && score >= passMark, vetoed };
}

export interface ScorecardTemplate {
  key: string;
  name: string;
  channel: string | null;
  passMark: number;
  items: ScorecardItem[];
}

const yes: Scale = { kind: 'yesno' };
const pts = (max: number): Scale => ({ kind: 'points', max });
const item = (key: string, dimension: Dimension, label: string, weight: number, scale: Scale, o: { na?: boolean; critical?: boolean } = {}): ScorecardItem => ({
  key,
  dimension,
  label,
  weight,
  scale,
  allowNa: o.na ?? false,
  critical: o.critical ?? false,
});

/** Shipped templates (zh-CN content an administrator adopts and edits). */
export const SCORECARD_TEMPLATES: ScorecardTemplate[] = [
  {
    key: 'phone',
    name: '电话服务质检表',
    channel: 'phone',
    passMark: 80,
    items: [
      item('answer-3-rings', 'process', '铃响三声内接听', 10, yes),
      item('opening', 'attitude', '使用标准开场白（您好，感谢致电……我是客服工号……）', 10, yes),
      item('tone', 'attitude', '语调亲切、语速适中、吐字清晰', 15, pts(5)),
      item('restate', 'professional', '复述确认客户需求（您的意思是……）', 10, yes),
      item('accuracy', 'professional', '答复准确、方案明确', 20, pts(5)),
      item('transfer', 'process', '转接时说明原因并温馨提示', 5, yes, { na: true }),
      item('no-negative', 'attitude', '未使用否定或推诿用语（不能 / 不行 / 不知道 / 这不归我管）', 15, yes, { critical: true }),
      item('closing', 'attitude', '使用标准结束语（感谢您的来电……还有其他需要帮助的吗？）', 10, yes),
      item('record', 'process', '工单记录完整', 5, yes),
    ],
  },
  {
    key: 'counter',
    name: '柜台 / 前台接待质检表',
    channel: 'walk_in',
    passMark: 80,
    items: [
      item('greet-10s', 'process', '来访者进门 10 秒内主动问候', 10, yes),
      item('eye-smile', 'attitude', '目光接触 3–5 秒，真诚微笑', 15, pts(5)),
      item('appearance', 'attitude', '着装整洁、仪容仪表符合规范', 10, pts(3)),
      item('listen', 'attitude', '耐心倾听、不打断，表达理解', 15, pts(5)),
      item('first-ask', 'process', '首问负责：负责到底或有序交接', 15, yes, { critical: true }),
      item('answer', 'professional', '解答准确、告知解决路径和时间', 20, pts(5)),
      item('farewell', 'attitude', '温馨送别', 5, yes),
      item('register', 'process', '登记 / 工单信息完整', 10, yes, { na: true }),
    ],
  },
  {
    key: 'chat',
    name: '在线客服质检表',
    channel: 'chat',
    passMark: 80,
    items: [
      item('first-response', 'process', '首次响应及时（符合在线响应标准）', 15, yes),
      item('greeting', 'attitude', '使用规范问候语', 10, yes),
      item('empathy', 'attitude', '投诉 / 不满时先表达理解与歉意', 15, pts(3), { na: true }),
      item('accuracy', 'professional', '答复准确、引用知识库', 25, pts(5)),
      item('time-promise', 'process', '承诺带有明确时间（不说“尽快”）', 10, yes, { na: true }),
      item('privacy', 'process', '未向客户发送未打码的手机号或证件号', 15, yes, { critical: true }),
      item('closing', 'attitude', '结束前确认客户无其他需要', 10, yes),
    ],
  },
  {
    key: 'field',
    name: '上门服务质检表',
    channel: null,
    passMark: 80,
    items: [
      item('confirm', 'process', '提前电话确认时间和地址', 10, yes),
      item('on-time', 'process', '按约定时间到达', 15, yes),
      item('safety', 'process', '遵守安全规程、佩戴防护装备', 15, yes, { critical: true }),
      item('appearance', 'attitude', '着装整洁、出示工牌、穿戴鞋套', 10, pts(3)),
      item('explain', 'professional', '说明故障原因与处理方案', 15, pts(5)),
      item('fix', 'professional', '一次修复', 20, yes, { na: true }),
      item('clean-up', 'environment', '完工后清理现场', 10, yes),
      item('confirm-result', 'process', '请客户确认结果', 5, yes),
    ],
  },
  {
    key: 'environment',
    name: '服务环境质检表',
    channel: null,
    passMark: 85,
    items: [
      item('temperature', 'environment', '室温 22–26 ℃', 10, yes),
      item('humidity', 'environment', '湿度 40–60 %', 5, yes),
      item('light', 'environment', '照度：公共区域 300–500 lx，工作区 500–750 lx', 10, yes),
      item('air', 'environment', 'PM2.5 低于 35 µg/m³，每小时换气 3–5 次', 10, yes),
      item('noise', 'environment', '背景噪音不超过 45 dB', 10, yes),
      item('signage', 'environment', '主要路径每 20 米设置一处方向指引', 10, yes),
      item('clean', 'environment', '整洁、无异味，洗手间清洁干燥', 20, pts(5)),
      item('facilities', 'environment', '座椅、饮水、Wi-Fi、无障碍设施完好', 15, pts(5)),
      item('safety-exit', 'environment', '安全通道畅通', 10, yes, { critical: true }),
    ],
  },
];
