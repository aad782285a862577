/**
 * Relevance evaluation of the knowledge-base search.
 *
 *   npx tsx bench/kb-search/eval.ts [--verbose]
 *
 * Systems, all over the same 105 items and 158 graded queries:
 *   (a) chidu        — packages/core/src/search (in-process)
 *   (b) ilike        — PostgreSQL ILIKE '%q%' over title/body; whole query and a
 *                      variant split on whitespace/punctuation (pieces counted,
 *                      title hits weighted 2×); the better one is the baseline.
 *   (c) fts-simple   — to_tsvector('simple', title||' '||body) @@ plainto_tsquery('simple', q), ts_rank.
 * For transparency each baseline is also run over title/body + FAQ variants + tags ("+vt").
 *
 * Metrics: MRR@10 of the first primary (grade-2) article; recall@5 of primary
 * articles; success@3 (a primary article in the top 3); nDCG@10 with graded gains.
 * Writes bench/results/kb-search-eval.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SearchIndex, aboveFloor } from '../../packages/core/src/search/index';
import { KINDS, loadArticles, loadQueries, loadSuggestCases, type Article, type QueryKind, type RelevanceQuery, type SuggestCase } from './dataset';

const here = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(here, '..', 'results', 'kb-search-eval.json');
const PG_URL = process.env.KB_EVAL_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const verbose = process.argv.includes('--verbose');

interface Metrics {
  mrr10: number;
  recall5: number;
  success3: number;
  ndcg10: number;
  n: number;
}

type Ranker = (q: RelevanceQuery) => Promise<string[]> | string[];

function scoreQuery(q: RelevanceQuery, ranked: string[]): Metrics {
  const primary = Object.entries(q.rel)
    .filter(([, g]) => g >= 2)
    .map(([id]) => id);
  const top10 = ranked.slice(0, 10);
  const first = top10.findIndex((id) => (q.rel[id] ?? 0) >= 2);
  const mrr10 = first >= 0 ? 1 / (first + 1) : 0;
  const top5 = new Set(ranked.slice(0, 5));
  const recall5 = primary.filter((id) => top5.has(id)).length / primary.length;
  const success3 = first >= 0 && first < 3 ? 1 : 0;
  const dcg = top10.reduce((s, id, i) => s + ((q.rel[id] ?? 0) > 0 ? (2 ** q.rel[id]! - 1) / Math.log2(i + 2) : 0), 0);
  const ideal = Object.values(q.rel)
    .sort((a, b) => b - a)
    .slice(0, 10)
    .reduce((s, g, i) => s + (2 ** g - 1) / Math.log2(i + 2), 0);
  return { mrr10, recall5, success3, ndcg10: ideal > 0 ? dcg / ideal : 0, n: 1 };
}

function mean(list: Metrics[]): Metrics {
  const n = list.length || 1;
  const sum = (k: keyof Metrics) => list.reduce((s, m) => s + m[k], 0) / n;
  return { mrr10: sum('mrr10'), recall5: sum('recall5'), success3: sum('success3'), ndcg10: sum('ndcg10'), n: list.length };
}

interface SystemResult {
  name: string;
  overall: Metrics;
  byKind: Record<QueryKind, Metrics>;
  perQuery: { id: string; kind: QueryKind; q: string; top: string[]; mrr10: number }[];
}

async function evaluate(name: string, queries: RelevanceQuery[], rank: Ranker): Promise<SystemResult> {
  const perQuery: SystemResult['perQuery'] = [];
  const all: Metrics[] = [];
  const byKindList = Object.fromEntries(KINDS.map((k) => [k, [] as Metrics[]])) as Record<QueryKind, Metrics[]>;
  for (const q of queries) {
    const ranked = await rank(q);
    const m = scoreQuery(q, ranked);
    all.push(m);
    byKindList[q.kind].push(m);
    perQuery.push({ id: q.id, kind: q.kind, q: q.q, top: ranked.slice(0, 5), mrr10: m.mrr10 });
  }
  const byKind = Object.fromEntries(KINDS.map((k) => [k, mean(byKindList[k])])) as Record<QueryKind, Metrics>;
  return { name, overall: mean(all), byKind, perQuery };
}

// ----------------------------------------------------------------- systems

interface SuggestMetrics {
  cases: number;
  /** cases with an answer (grade 2) whose answer is among the shown suggestions */
  answered: number;
  withAnswer: number;
  /** cases without any related article that show nothing */
  silent: number;
  withoutAnswer: number;
  /** shown suggestions that are not related at all (grade 0) / all shown */
  noise: number;
  shown: number;
}

/**
 * Suggestions (the ticket's 知识推荐): the ticket text, the best five after the relevance floor (`aboveFloor`), as the
 * server shows them. Without the floor for comparison.
 */
function evaluateSuggestions(index: SearchIndex<{ audience: string; category: string }>, cases: SuggestCase[], floor: boolean) {
  const m: SuggestMetrics = { cases: cases.length, answered: 0, withAnswer: 0, silent: 0, withoutAnswer: 0, noise: 0, shown: 0 };
  const details: { id: string; shown: string[]; ok: boolean }[] = [];
  for (const c of cases) {
    const hits = index.search(c.q, { limit: 15 });
    const shown = (floor ? aboveFloor(hits) : hits).slice(0, 5).map((h) => h.id);
    const primary = Object.keys(c.rel).filter((id) => (c.rel[id] ?? 0) >= 2);
    let ok: boolean;
    if (primary.length > 0) {
      m.withAnswer++;
      ok = shown.some((id) => primary.includes(id));
      if (ok) m.answered++;
    } else {
      m.withoutAnswer++;
      ok = shown.every((id) => (c.rel[id] ?? 0) > 0);
      if (shown.length === 0) m.silent++;
    }
    m.shown += shown.length;
    m.noise += shown.filter((id) => (c.rel[id] ?? 0) === 0).length;
    details.push({ id: c.id, shown, ok });
  }
  return { m, details };
}

function fmtSuggest(m: SuggestMetrics): string {
  return `answer shown ${m.answered}/${m.withAnswer} · silent when nothing relates ${m.silent}/${m.withoutAnswer} · noise ${m.noise}/${m.shown} shown (${fmt(m.shown ? m.noise / m.shown : 0)})`;
}

function chiduRanker(articles: Article[]): { rank: Ranker; buildMs: number; index: SearchIndex<{ audience: string; category: string }> } {
  const t0 = performance.now();
  const index = new SearchIndex<{ audience: string; category: string }>();
  for (const a of articles) {
    index.add({
      id: a.id,
      fields: { title: a.title, variants: a.variants, body: a.body, tags: a.tags },
      meta: { audience: a.audience, category: a.category },
    });
  }
  const buildMs = performance.now() - t0;
  return { rank: (q) => index.search(q.q, { limit: 10 }).map((h) => h.id), buildMs, index };
}

interface Pg {
  query: (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;
  end: () => Promise<void>;
}

async function connectPg(): Promise<Pg | null> {
  try {
    const mod = await import('pg');
    const Client = (mod.default ?? mod).Client;
    const client = new Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
    await client.connect();
    return client;
  } catch (err) {
    console.warn(`PostgreSQL unreachable at ${PG_URL} (${(err as Error).message}); skipping baselines.`);
    return null;
  }
}

function likePattern(s: string): string {
  return '%' + s.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
}

function splitPieces(q: string): string[] {
  return [...new Set(q.split(/[\s\p{P}\p{S}]+/u).filter((p) => p.length > 0))];
}

function ilikeWhole(pg: Pg, table: string): Ranker {
  return async (q) => {
    const r = await pg.query(
      `SELECT id FROM ${table} WHERE title ILIKE $1 OR body ILIKE $1
       ORDER BY (title ILIKE $1) DESC, id LIMIT 10`,
      [likePattern(q.q.trim())],
    );
    return r.rows.map((x) => String(x.id));
  };
}

function ilikeSplit(pg: Pg, table: string): Ranker {
  return async (q) => {
    const pieces = splitPieces(q.q).slice(0, 40);
    if (pieces.length === 0) return [];
    const terms = pieces.map((_, i) => `(CASE WHEN title ILIKE $${i + 1} THEN 2 ELSE 0 END + CASE WHEN body ILIKE $${i + 1} THEN 1 ELSE 0 END)`);
    const r = await pg.query(
      `SELECT id, s FROM (SELECT id, ${terms.join(' + ')} AS s FROM ${table}) x
       WHERE s > 0 ORDER BY s DESC, id LIMIT 10`,
      pieces.map(likePattern),
    );
    return r.rows.map((x) => String(x.id));
  };
}

function ftsSimple(pg: Pg, table: string): Ranker {
  return async (q) => {
    const r = await pg.query(
      `SELECT id, ts_rank(tsv, plainto_tsquery('simple', $1)) AS r FROM ${table}
       WHERE tsv @@ plainto_tsquery('simple', $1) ORDER BY r DESC, id LIMIT 10`,
      [q.q],
    );
    return r.rows.map((x) => String(x.id));
  };
}

// ----------------------------------------------------------------- report

function fmt(x: number): string {
  return x.toFixed(3);
}

function printTable(results: SystemResult[]): void {
  const cols = ['overall', ...KINDS];
  const header = ['system'.padEnd(22), ...cols.map((c) => c.padStart(19))].join(' ');
  console.log('\nMRR@10 / recall@5 (primary articles)');
  console.log(header);
  for (const r of results) {
    const cells = [r.overall, ...KINDS.map((k) => r.byKind[k])].map((m) => `${fmt(m.mrr10)} / ${fmt(m.recall5)}`.padStart(19));
    console.log([r.name.padEnd(22), ...cells].join(' '));
  }
  console.log('\nsuccess@3 / nDCG@10');
  console.log(header);
  for (const r of results) {
    const cells = [r.overall, ...KINDS.map((k) => r.byKind[k])].map((m) => `${fmt(m.success3)} / ${fmt(m.ndcg10)}`.padStart(19));
    console.log([r.name.padEnd(22), ...cells].join(' '));
  }
  const n = Object.fromEntries(KINDS.map((k) => [k, results[0]!.byKind[k].n]));
  console.log(`\nqueries: ${results[0]!.overall.n} ${JSON.stringify(n)}`);
}

async function main(): Promise<void> {
  const articles = loadArticles();
  const queries = loadQueries();
  const ids = new Set(articles.map((a) => a.id));
  for (const q of queries) for (const id of Object.keys(q.rel)) if (!ids.has(id)) throw new Error(`${q.id}: unknown article ${id}`);

  const results: SystemResult[] = [];
  const chidu = chiduRanker(articles);
  results.push(await evaluate('chidu', queries, chidu.rank));

  const pg = await connectPg();
  let baselineNote = 'skipped (PostgreSQL unreachable)';
  if (pg) {
    const schema = `kb_eval_${process.pid}_${Date.now()}`;
    try {
      await pg.query(`CREATE SCHEMA ${schema}`);
      for (const [table, withVt] of [
        ['a', false],
        ['avt', true],
      ] as const) {
        await pg.query(`CREATE TABLE ${schema}.${table} (id text PRIMARY KEY, title text NOT NULL, body text NOT NULL, tsv tsvector)`);
        for (const a of articles) {
          const body = withVt ? [a.body, ...a.variants, ...a.tags].join(' ') : a.body;
          await pg.query(`INSERT INTO ${schema}.${table} (id, title, body) VALUES ($1, $2, $3)`, [a.id, a.title, body]);
        }
        await pg.query(`UPDATE ${schema}.${table} SET tsv = to_tsvector('simple', title || ' ' || body)`);
      }
      const A = `${schema}.a`;
      const AVT = `${schema}.avt`;
      const ilike = [
        await evaluate('ilike-whole', queries, ilikeWhole(pg, A)),
        await evaluate('ilike-split', queries, ilikeSplit(pg, A)),
        await evaluate('ilike-whole +vt', queries, ilikeWhole(pg, AVT)),
        await evaluate('ilike-split +vt', queries, ilikeSplit(pg, AVT)),
      ];
      const fts = [await evaluate('fts-simple', queries, ftsSimple(pg, A)), await evaluate('fts-simple +vt', queries, ftsSimple(pg, AVT))];
      results.push(...ilike, ...fts);
      baselineNote = 'ok';
    } finally {
      await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await pg.end();
    }
  }

  printTable(results);
  const chiduRes = results[0]!;
  const baselines = results.slice(1);
  const bestBaseline = baselines.reduce<SystemResult | undefined>((b, r) => (!b || r.overall.mrr10 > b.overall.mrr10 ? r : b), undefined);
  const specBaselines = baselines.filter((r) => !r.name.endsWith('+vt'));
  const bestSpec = specBaselines.reduce<SystemResult | undefined>((b, r) => (!b || r.overall.mrr10 > b.overall.mrr10 ? r : b), undefined);
  console.log(`\nchidu index build: ${chidu.buildMs.toFixed(0)} ms for ${articles.length} articles (includes analyzer start-up)`);
  if (bestSpec && bestBaseline) {
    console.log(
      `best baseline (title/body, as specified): ${bestSpec.name} MRR@10 ${fmt(bestSpec.overall.mrr10)} → chidu +${fmt(chiduRes.overall.mrr10 - bestSpec.overall.mrr10)}`,
    );
    console.log(
      `best baseline (any, incl. +vt):           ${bestBaseline.name} MRR@10 ${fmt(bestBaseline.overall.mrr10)} → chidu +${fmt(chiduRes.overall.mrr10 - bestBaseline.overall.mrr10)}`,
    );
  }
  const target = chiduRes.overall.mrr10 >= 0.85 && (!bestBaseline || chiduRes.overall.mrr10 - bestBaseline.overall.mrr10 >= 0.25);
  console.log(`target (MRR@10 ≥ 0.85 and ≥ 0.25 above the better baseline): ${target ? 'met' : 'NOT met'}`);

  if (verbose) {
    console.log('\nchidu misses (primary not first):');
    for (const p of chiduRes.perQuery) {
      if (p.mrr10 < 1) {
        const q = queries.find((x) => x.id === p.id)!;
        const primary = Object.entries(q.rel)
          .filter(([, g]) => g === 2)
          .map(([id]) => id);
        console.log(`  ${p.id} [${p.kind}] rr=${fmt(p.mrr10)} ${p.q}\n      want ${primary.join(',')}  got ${p.top.join(', ')}`);
      }
    }
  }

  // suggestions: tuning part in detail, held-out part as totals only
  const cases = loadSuggestCases();
  for (const c of cases) for (const id of Object.keys(c.rel)) if (!ids.has(id)) throw new Error(`${c.id}: unknown article ${id}`);
  const suggest: Record<string, { floor: SuggestMetrics; noFloor: SuggestMetrics }> = {};
  console.log('\nsuggestions (ticket text → best 5 above the relevance floor; without the floor in brackets)');
  for (const split of ['tune', 'holdout'] as const) {
    const part = cases.filter((c) => c.split === split);
    const withFloor = evaluateSuggestions(chidu.index, part, true);
    const noFloor = evaluateSuggestions(chidu.index, part, false);
    suggest[split] = { floor: withFloor.m, noFloor: noFloor.m };
    console.log(`  ${split.padEnd(8)} ${fmtSuggest(withFloor.m)}\n  ${''.padEnd(8)} (${fmtSuggest(noFloor.m)})`);
    if (verbose && split === 'tune') for (const d of withFloor.details) console.log(`      ${d.ok ? 'ok  ' : 'MISS'} ${d.id} → ${d.shown.join(', ') || '—'}`);
  }

  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(
    RESULTS,
    JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        command: 'npx tsx bench/kb-search/eval.ts',
        data: {
          articles: articles.length,
          queries: queries.length,
          byKind: Object.fromEntries(KINDS.map((k) => [k, queries.filter((q) => q.kind === k).length])),
        },
        metrics:
          'mrr10 = MRR@10 of first grade-2 article; recall5 = share of grade-2 articles in top 5; success3 = grade-2 article in top 3; ndcg10 = graded nDCG@10',
        baselines: baselineNote,
        targetMet: target,
        bestBaseline: bestBaseline?.name ?? null,
        systems: results.map((r) => ({ name: r.name, overall: r.overall, byKind: r.byKind })),
        suggestions: suggest,
        chiduPerQuery: chiduRes.perQuery,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nwrote ${RESULTS}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
