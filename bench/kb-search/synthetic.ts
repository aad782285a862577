/**
 * Synthetic-but-realistic knowledge-base documents for the latency benchmark,
 * assembled from the relevance set's vocabulary (see latency.ts).
 */
import type { SearchDocument } from '../../packages/core/src/search/index';
import type { Article } from './dataset';

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Meta {
  audience: string;
  status: 'published' | 'draft';
  category: string;
}

export function synthesize(articles: Article[], n: number): SearchDocument<Meta>[] {
  const rand = rng(20240601);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const sentences = articles.flatMap((a) => a.body.split(/(?<=[。！？])/).filter((s) => s.trim().length > 4));
  const qualifiers = [
    '',
    '',
    '',
    '（2024版）',
    '（补充说明）',
    '（高层住宅）',
    '（商铺适用）',
    '（夜间）',
    '（节假日）',
    '操作指引',
    '常见问题',
    '话术参考',
    '（一期）',
    '（二期）',
    '（新版）',
  ];
  const places = ['1号楼', '3栋2单元', '5栋', '12号楼', 'A座', 'B区', '东区', '西门', '地下二层', '会所'];
  const subst = (s: string) =>
    s
      .replace(/\d+(?=栋|号楼)/g, () => String(1 + Math.floor(rand() * 30)))
      .replace(/\d+元/g, () => `${5 * (1 + Math.floor(rand() * 100))}元`)
      .replace(/\d+(?=个?工作日|小时|分钟|天)/g, () => String(1 + Math.floor(rand() * 30)));
  const docs: SearchDocument<Meta>[] = [];
  for (let i = 0; i < n; i++) {
    const a = pick(articles);
    const b = pick(articles);
    const c = pick(articles);
    const nSent = 3 + Math.floor(rand() * 6);
    const body: string[] = [];
    for (let k = 0; k < nSent; k++) {
      const src = k === 0 ? a : pick([a, a, b, c]);
      const own = src.body.split(/(?<=[。！？])/).filter((s) => s.trim().length > 4);
      body.push(subst(rand() < 0.8 ? pick(own) : pick(sentences)));
    }
    if (rand() < 0.3) body.push(`适用范围：${pick(places)}。`);
    docs.push({
      id: `syn-${i}`,
      fields: {
        title: a.title + pick(qualifiers),
        variants: [...a.variants.filter(() => rand() < 0.8), ...b.variants.filter(() => rand() < 0.2)],
        body: body.join(''),
        tags: a.tags,
      },
      meta: { audience: a.audience, status: rand() < 0.9 ? 'published' : 'draft', category: a.category },
    });
  }
  return docs;
}
