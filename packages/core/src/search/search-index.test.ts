import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Analyzer } from './analyzer';
import { SearchIndex, osaWithin1, type SearchDocument } from './search-index';

interface Meta {
  audience: 'customer' | 'agent';
  status: 'published' | 'draft';
}

/** A tiny fixture of its own (the bench relevance set is never used by tests). */
const DOCS: SearchDocument<Meta>[] = [
  {
    id: 'leak',
    fields: {
      title: '楼上漏水应急处理流程',
      variants: ['楼上往下漏水怎么办'],
      body: '接到漏水报修后立即派维修工上门，先关闭楼上住户的进水阀，再排查水管和防水层，拍照留存后协调赔偿。',
      tags: ['报修', '漏水'],
    },
    meta: { audience: 'customer', status: 'published' },
  },
  {
    id: 'roof',
    fields: {
      title: '屋面防水层保修说明',
      body: '顶层住户雨天天花板滴水，多为屋面防水层老化，保修期内由开发商维修。',
      tags: ['保修'],
    },
    meta: { audience: 'customer', status: 'published' },
  },
  {
    id: 'water-off',
    fields: { title: '计划停水通知', body: '因水管检修，本周六上午停水，请提前储水。', tags: ['通知'] },
    meta: { audience: 'customer', status: 'published' },
  },
  {
    id: 'fee',
    fields: {
      title: '物业费缴纳方式',
      variants: ['物业费怎么交'],
      body: '可通过小程序线上缴费，也可到服务中心前台缴纳。',
      tags: ['缴费'],
    },
    meta: { audience: 'customer', status: 'published' },
  },
  {
    id: 'card',
    fields: {
      title: '门禁卡丢失补办',
      variants: ['门卡找不到了'],
      body: '门禁卡遗失后请先挂失，再携带身份证到前台补办，工本费二十元。',
      tags: ['门禁卡'],
    },
    meta: { audience: 'customer', status: 'published' },
  },
  {
    id: 'elevator',
    fields: { title: '电梯困人应急处置', body: '被困时按下紧急呼叫按钮，维保人员三十分钟内到场救援。', tags: ['电梯'] },
    meta: { audience: 'customer', status: 'published' },
  },
  {
    id: 'dispatch',
    fields: { title: '工单派单规则', body: '客服受理后按楼栋和专业自动派单，紧急工单须电话通知维修工。', tags: ['工单'] },
    meta: { audience: 'agent', status: 'published' },
  },
  {
    id: 'draft',
    fields: { title: '漏水赔偿标准（草稿）', body: '漏水造成的家具损失按评估价赔偿。', tags: ['漏水'] },
    meta: { audience: 'customer', status: 'draft' },
  },
  {
    id: 'order',
    fields: { title: '订单查询', body: '订单号形如 SO20240518001，可在商城查询物流。', tags: [] },
    meta: { audience: 'customer', status: 'published' },
  },
];

let analyzer: Analyzer;
beforeAll(() => {
  analyzer = new Analyzer();
});

function build(docs = DOCS, ranking?: ConstructorParameters<typeof SearchIndex>[0] extends infer O ? (O extends { ranking?: infer R } ? R : never) : never) {
  const index = new SearchIndex<Meta>({ analyzer, ranking });
  for (const d of docs) index.add(d);
  return index;
}

const ids = (hits: { id: string }[]) => hits.map((h) => h.id);

describe('SearchIndex ranking', () => {
  it('puts the leak procedure first for colloquial ticket text', () => {
    const index = build();
    const hits = index.search('楼上漏水，天花板一直滴水');
    expect(hits[0]!.id).toBe('leak');
    expect(hits[0]!.matchedTerms).toEqual(expect.arrayContaining(['楼上', '漏水']));
    expect(hits[0]!.matchedTerms).not.toContain('上漏'); // bigram fragments are not reported when words matched
  });

  it('puts the leak procedure first for a long pasted ticket', () => {
    const index = build();
    const hits = index.search('业主来电：楼上住户家里漏水，我家卫生间天花板一直在滴水，楼上没人在家，请尽快派维修工上门处理');
    expect(hits[0]!.id).toBe('leak');
  });

  it('ranks a title match above a body-only match', () => {
    const index = build();
    const hits = index.search('停水');
    expect(hits[0]!.id).toBe('water-off');
  });

  it('finds traditional-character and synonym queries', () => {
    const index = build();
    expect(index.search('門禁卡遺失')[0]!.id).toBe('card');
    expect(index.search('卡丢了')[0]!.id).toBe('card'); // 丢了 → 挂失/遗失
    expect(ids(index.search('滲水'))).toContain('leak'); // 渗水 ↔ 漏水
  });

  it('finds titles by pinyin, initials and a pinyin typo', () => {
    const index = build();
    expect(index.search('wyf')[0]!.id).toBe('fee');
    expect(index.search('wuyefei')[0]!.id).toBe('fee');
    expect(index.search('wu ye fei')[0]!.id).toBe('fee');
    expect(index.search('wuyefie')[0]!.id).toBe('fee'); // transposition, edit distance 1
    expect(index.search('mjk')[0]!.id).toBe('card');
  });

  it('finds homophone typos made with a pinyin IME', () => {
    const index = build();
    expect(index.search('门进卡丢了')[0]!.id).toBe('card');
    expect(index.search('电题困人')[0]!.id).toBe('elevator');
  });

  it('explain() accounts for the score without proximity', () => {
    const index = build();
    const [hit] = index.search('物业费');
    const parts = index.explain('物业费', hit!.id);
    const total = parts.reduce((s, p) => s + p.contribution, 0);
    expect(total).toBeCloseTo(hit!.score, 2);
    expect(parts[0]!.members.some((m) => m.term === '物业费')).toBe(true);
  });

  it('candidate scoring through term lists gives the same scores as posting traversal', () => {
    const exact = build(DOCS, { postingBudget: Infinity, candidatePool: 1e6 });
    // budget 1: only the first unit walks its postings, every other unit is scored per candidate
    const budget = build(DOCS, { postingBudget: 1, candidatePool: 1e6 });
    for (const q of ['楼上漏水，天花板一直滴水', '门禁卡丢了去哪补办', '维修工上门处理水管', '物业费怎么交']) {
      const want = new Map(exact.search(q, { limit: 50 }).map((h) => [h.id, h.score]));
      const got = budget.search(q, { limit: 50 });
      expect(got.length).toBeGreaterThan(0);
      for (const h of got) expect(h.score).toBeCloseTo(want.get(h.id)!, 3);
    }
  });

  it('a budget that covers the query gives the exact ranking', () => {
    const exact = build(DOCS, { postingBudget: Infinity, candidatePool: 1e6 });
    const dflt = build(DOCS);
    for (const q of ['楼上漏水，天花板一直滴水', '门禁卡丢了去哪补办', '维修工上门处理水管', '工单']) {
      expect(ids(dflt.search(q))).toEqual(ids(exact.search(q)));
    }
  });
});

describe('SearchIndex fallbacks', () => {
  it('answers 1-character queries by substring (title unigrams, then body scan)', () => {
    const index = build();
    expect(index.search('梯')[0]!.id).toBe('elevator');
    expect(ids(index.search('储'))).toEqual(['water-off']); // body only
  });

  it('answers 2-character queries by substring', () => {
    const index = build();
    expect(ids(index.search('挂失'))).toEqual(['card']);
    expect(ids(index.search('梯困'))).toEqual(['elevator']); // not a word, still a substring
  });

  it('falls back to substring search when nothing matched', () => {
    const index = build();
    const hits = index.search('20240518');
    expect(ids(hits)).toEqual(['order']);
    expect(hits[0]!.snippet).toContain('<mark>20240518</mark>');
  });

  it('returns nothing for empty or unmatched queries', () => {
    const index = build();
    expect(index.search('')).toEqual([]);
    expect(index.search('   ')).toEqual([]);
    expect(index.search('zzzzqqqq')).toEqual([]);
  });
});

describe('SearchIndex updates', () => {
  it('makes updates visible to the next query', () => {
    const index = build();
    expect(index.search('充电桩')).toEqual([]);
    index.update({ id: 'fee', fields: { title: '充电桩安装申请', body: '业主可申请在产权车位安装充电桩。' }, meta: DOCS[3]!.meta });
    expect(index.search('充电桩')[0]!.id).toBe('fee');
    expect(ids(index.search('物业费缴纳'))).not.toContain('fee');
    expect(index.size).toBe(DOCS.length);
  });

  it('removes documents completely', () => {
    const index = build();
    expect(index.remove('elevator')).toBe(true);
    expect(index.remove('elevator')).toBe(false);
    expect(ids(index.search('电梯困人'))).not.toContain('elevator');
    expect(ids(index.search('梯'))).not.toContain('elevator');
    expect(index.has('elevator')).toBe(false);
    expect(index.size).toBe(DOCS.length - 1);
    index.add(DOCS[5]!);
    expect(index.search('电梯困人')[0]!.id).toBe('elevator');
  });

  it('stays correct across many rewrites (storage compaction)', () => {
    const index = build();
    for (let i = 0; i < 700; i++) {
      const code = `rev${i}x`;
      index.update({ id: 'fee', fields: { title: '物业费缴纳方式', body: `第${i}版说明，编号 ${code}。`.repeat(20) }, meta: DOCS[3]!.meta });
      if (i % 50 === 0) index.compact();
    }
    expect(ids(index.search('rev699x'))).toEqual(['fee']);
    expect(index.search('rev350x')).toEqual([]); // ≥ 2 edits from the live code (1 edit would match as a typo)
    expect(index.search('rev0x')).toEqual([]);
    expect(index.search('wyf')[0]!.id).toBe('fee');
    expect(index.search('楼上漏水，天花板一直滴水')[0]!.id).toBe('leak');
    expect(index.search('门禁卡丢了')[0]!.id).toBe('card');
    expect(index.size).toBe(DOCS.length);
  });

  it('re-analyses on rebuild() after dictionary words are added', () => {
    const b = new Analyzer();
    const index = new SearchIndex({ analyzer: b });
    index.add({ id: 'x', fields: { title: '智慧通行开通指南', body: '在小程序开通智慧通行。' } });
    b.addWords(['智慧通行']);
    index.rebuild();
    const parts = index.explain('智慧通行', 'x');
    expect(parts[0]!.members.some((m) => m.term === '智慧通行' && m.channel === 'main')).toBe(true);
  });

  it('property: after random add/update/remove, a unique code finds exactly the live documents carrying it', () => {
    const index = new SearchIndex<null>({ analyzer });
    const model = new Map<string, string>(); // id → code in its body
    const codes = ['alpha', 'bravo', 'charlie', 'delta'];
    const op = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), id: fc.integer({ min: 0, max: 7 }), code: fc.constantFrom(...codes) }),
      fc.record({ kind: fc.constant('remove' as const), id: fc.integer({ min: 0, max: 7 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        for (const o of ops) {
          const id = `d${o.id}`;
          if (o.kind === 'put') {
            index.add({ id, fields: { title: `文档${o.id}`, body: `编号 ${o.code} 的说明。` }, meta: null });
            model.set(id, o.code);
          } else {
            expect(index.remove(id)).toBe(model.delete(id));
          }
        }
        expect(index.size).toBe(model.size);
        for (const c of codes) {
          const want = [...model]
            .filter(([, code]) => code === c)
            .map(([id]) => id)
            .sort();
          expect(ids(index.search(c, { limit: 20 })).sort()).toEqual(want);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('SearchIndex filters and snippets', () => {
  it('applies the filter (customers see only published, customer-facing content)', () => {
    const index = build();
    const seen: string[] = [];
    const customer = (m: Meta, id: string) => {
      seen.push(id);
      return m.status === 'published' && m.audience === 'customer';
    };
    const all = ids(index.search('漏水'));
    expect(all).toContain('draft');
    const visible = ids(index.search('漏水', { filter: customer }));
    expect(visible).toContain('leak');
    expect(visible).not.toContain('draft');
    expect(ids(index.search('派单', { filter: customer }))).toEqual([]);
    expect(seen.length).toBeGreaterThan(0);
  });

  it('respects limit', () => {
    const index = build();
    expect(index.search('水', { limit: 2 })).toHaveLength(2);
  });

  it('returns escaped, highlighted snippets from the original text', () => {
    const index = build();
    index.add({ id: 'xss', fields: { title: '恶意内容', body: '漏水<img src=x onerror=alert(1)>处理"说明"&' }, meta: DOCS[0]!.meta });
    const hit = index.search('恶意内容 漏水').find((h) => h.id === 'xss')!;
    expect(hit.snippet).toBe('<mark>漏水</mark>&lt;img src=x onerror=alert(1)&gt;处理&quot;说明&quot;&amp;');
    index.add({ id: 'tw', fields: { title: '繁體說明', body: '樓上漏水時請先關閉總閥。' }, meta: DOCS[0]!.meta });
    const tw = index.search('楼上漏水').find((h) => h.id === 'tw')!;
    expect(tw.snippet).toMatch(/^<mark>樓上/);
    expect(tw.snippet).toContain('時請先關閉總閥。');
  });
});

describe('osaWithin1', () => {
  it('accepts one edit and rejects two', () => {
    expect(osaWithin1('wuyefei', 'wuyefei')).toBe(true);
    expect(osaWithin1('wuyefie', 'wuyefei')).toBe(true); // transposition
    expect(osaWithin1('wuyefe', 'wuyefei')).toBe(true); // deletion
    expect(osaWithin1('wuyefeii', 'wuyefei')).toBe(true); // insertion
    expect(osaWithin1('wuyafei', 'wuyefei')).toBe(true); // substitution
    expect(osaWithin1('wuyafie', 'wuyefei')).toBe(false);
    expect(osaWithin1('abc', 'abcde')).toBe(false);
  });
});
