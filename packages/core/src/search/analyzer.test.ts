import { beforeAll, describe, expect, it } from 'vitest';
import { Analyzer } from './analyzer';
import { normalizeText, normalizeWithMap } from './normalize';

let a: Analyzer;
beforeAll(() => {
  a = new Analyzer();
});

describe('normalisation', () => {
  it('folds full-width letters/digits and case (NFKC), keeps punctuation as typed', () => {
    expect(normalizeText('ＡＢＣ１２３')).toBe('abc123');
    expect(normalizeText('漏水，请报修（紧急）')).toBe('漏水，请报修（紧急）');
    expect(a.tokenize('Ｗｉ－Ｆｉ密码')).toEqual(['wi', 'fi', '密码']);
  });

  it('folds traditional to simplified Chinese', () => {
    expect(normalizeText('樓上滲水怎麼辦')).toBe('楼上渗水怎么办');
    expect(normalizeText('門禁卡遺失補辦')).toBe('门禁卡遗失补办');
    expect(normalizeText('漏水')).toBe('漏水');
  });

  it('keeps an offset map when normalisation changes the length', () => {
    const n = normalizeWithMap('ﬁ漏水'); // the ligature expands to two letters
    expect(n.text).toBe('fi漏水');
    expect(n.map).not.toBeNull();
    expect(n.map![2]).toBe(1); // 漏 came from original offset 1
  });
});

describe('segmentation', () => {
  it('keeps 工单 / 客服 / 发货 whole in the main channel', () => {
    const tokens = a.tokenize('工单客服发货');
    expect(tokens).toEqual(expect.arrayContaining(['工单', '客服', '发货']));
    for (const ch of ['工', '单', '客', '服', '发', '货']) expect(tokens).not.toContain(ch);
  });

  it('keeps default domain words whole and adds their dictionary sub-words (search mode)', () => {
    const tokens = a.tokenize('物业费缴纳，门禁卡补办，首问负责制');
    expect(tokens).toEqual(expect.arrayContaining(['物业费', '物业', '门禁卡', '门禁', '首问负责制', '负责制']));
  });

  it('removes stop words', () => {
    const tokens = a.tokenize('我的快递怎么还没到呢');
    expect(tokens).toContain('快递');
    for (const s of ['我', '的', '怎么', '呢']) expect(tokens).not.toContain(s);
  });

  it('folds traditional input before segmenting', () => {
    expect(a.tokenize('樓上滲水')).toEqual(expect.arrayContaining(['楼上', '渗水']));
    expect(a.tokenize('電梯困人')).toContain('电梯');
  });

  it('produces CJK bigrams, broken at stop words', () => {
    const f = a.analyzeField('楼上的漏水');
    expect(f.bigrams).toEqual(['楼上', '漏水']);
  });

  it('indexes pinyin and initials of title words', () => {
    const f = a.analyzeField('物业费缴纳方式', { pinyin: true });
    expect(f.pinyin).toEqual(expect.arrayContaining(['wuyefei', 'wyf', 'jiaona', 'jn']));
  });

  it('treats Latin/digit runs as tokens and does not swallow Chinese after them', () => {
    const tokens = a.tokenize('B区车位被占用 SO20240518');
    expect(tokens).toEqual(expect.arrayContaining(['车位', '占用', 'so20240518']));
    expect(tokens.some((t) => t.length > 12)).toBe(false);
  });

  it('accepts runtime dictionary words', () => {
    const b = new Analyzer();
    expect(b.tokenize('智慧通行开通')).not.toContain('智慧通行');
    b.addWords(['智慧通行']);
    expect(b.tokenize('智慧通行开通')).toContain('智慧通行');
  });
});

describe('query analysis', () => {
  it('expands colloquial phrases with synonyms (丢了 → 挂失)', () => {
    const q = a.analyzeQuery('门禁卡丢了');
    const terms = q.units.flatMap((u) => u.core.map((t) => t.term));
    expect(terms).toEqual(expect.arrayContaining(['门禁卡', '挂失', '丢失']));
  });

  it('expands equivalence groups both ways (漏水 ↔ 渗水)', () => {
    const leak = a.analyzeQuery('漏水').units.find((u) => u.label === '漏水')!;
    expect(leak.core.map((t) => t.term)).toEqual(expect.arrayContaining(['漏水', '渗水']));
    const seep = a.analyzeQuery('滲水').units.find((u) => u.label === '渗水')!;
    expect(seep.core.map((t) => t.term)).toContain('漏水');
  });

  it('accepts runtime synonyms', () => {
    const b = new Analyzer({ defaults: false });
    b.addSynonymRule('网断了', ['宽带故障']);
    const terms = b.analyzeQuery('家里网断了').units.flatMap((u) => u.core.map((t) => t.term));
    expect(terms).toEqual(expect.arrayContaining(['宽带', '故障']));
  });

  it('gives the synonyms less weight than the typed word', () => {
    const u = a.analyzeQuery('物业费').units.find((x) => x.label === '物业费')!;
    const typed = u.core.find((t) => t.term === '物业费')!;
    const syn = u.core.find((t) => t.term === '管理费')!;
    expect(syn.weight).toBeLessThan(typed.weight);
  });

  it('marks 1–2 Han character queries for substring mode', () => {
    expect(a.analyzeQuery('梯').shortHan).toBe('梯');
    expect(a.analyzeQuery(' 電梯 ').shortHan).toBe('电梯');
    expect(a.analyzeQuery('电梯困人').shortHan).toBe('');
  });

  it('offers Latin tokens to the pinyin channel', () => {
    const u = a.analyzeQuery('wyf').units[0]!;
    expect(u.partial.some((t) => t.channel === 'pinyin' && t.term === 'wyf')).toBe(true);
    const joined = a.analyzeQuery('wu ye fei').units.find((x) => x.label === 'wuyefei');
    expect(joined).toBeDefined();
  });
});
