/**
 * Latency / memory benchmark of the knowledge-base search at 100,000 documents.
 *
 *   npx tsx bench/kb-search/latency.ts [--docs 100000] [--rounds 10]
 *
 * Documents are synthetic but built from the relevance set's vocabulary:
 * each one takes an article's title (with a realistic qualifier), mixes FAQ
 * variants of two articles, and a 3–8 sentence body sampled from the bodies
 * of three articles with building numbers, dates and amounts substituted.
 * That gives dense posting lists (a small vocabulary repeated 100k times),
 * which is the hard case for an inverted index.
 *
 * Reports index build time, heap growth, query p50/p95/p99 over the 158
 * relevance queries (no filter and with a meta filter), and update latency.
 * Writes bench/results/kb-search-latency.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SearchIndex } from '../../packages/core/src/search/index';
import { KINDS, loadArticles, loadQueries } from './dataset';
import { rng, synthesize, type Meta } from './synthetic';

const here = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(here, '..', 'results', 'kb-search-latency.json');

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const N_DOCS = arg('docs', 100_000);
const ROUNDS = arg('rounds', 10);

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

function stats(samples: number[]) {
  const s = [...samples].sort((x, y) => x - y);
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return {
    n: s.length,
    p50: r(percentile(s, 50)),
    p95: r(percentile(s, 95)),
    p99: r(percentile(s, 99)),
    max: r(s[s.length - 1] ?? 0),
    mean: r(s.reduce((a, b) => a + b, 0) / (s.length || 1)),
  };
}

function main(): void {
  const articles = loadArticles();
  const queries = loadQueries();
  const docs = synthesize(articles, N_DOCS);
  const avgBody = docs.reduce((s, d) => s + (d.fields.body?.length ?? 0), 0) / docs.length;
  const avgVariants = docs.reduce((s, d) => s + (d.fields.variants?.length ?? 0), 0) / docs.length;
  console.log(`synthesised ${docs.length} documents: body ${avgBody.toFixed(0)} chars avg, ${avgVariants.toFixed(1)} FAQ variants avg`);

  // Analyzer start-up (jieba dictionary load) is measured separately from indexing.
  const t0 = performance.now();
  const index = new SearchIndex<Meta>();
  index.search('预热'); // loads OpenCC tables lazily
  const startupMs = performance.now() - t0;

  const MB = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
  gc();
  const m0 = process.memoryUsage();
  const t1 = performance.now();
  for (const d of docs) index.add(d);
  const buildMs = performance.now() - t1;
  gc();
  const m1 = process.memoryUsage();
  const tc = performance.now();
  index.compact();
  const compactMs = performance.now() - tc;
  gc();
  const m2 = process.memoryUsage();
  const mem = {
    heapUsedDeltaMB: MB(m2.heapUsed - m0.heapUsed),
    arrayBuffersDeltaMB: MB(m2.arrayBuffers - m0.arrayBuffers),
    totalDeltaMB: MB(m2.heapUsed - m0.heapUsed + m2.arrayBuffers - m0.arrayBuffers),
    beforeCompactTotalDeltaMB: MB(m1.heapUsed - m0.heapUsed + m1.arrayBuffers - m0.arrayBuffers),
    rssDeltaMB: MB(m2.rss - m0.rss),
    bytesPerDoc: Math.round((m2.heapUsed - m0.heapUsed + m2.arrayBuffers - m0.arrayBuffers) / docs.length),
  };
  console.log(
    `analyzer start-up ${startupMs.toFixed(0)} ms; index build ${(buildMs / 1000).toFixed(1)} s (${((buildMs * 1000) / docs.length).toFixed(0)} µs/doc); compact() ${compactMs.toFixed(0)} ms`,
  );
  console.log(
    `memory after compact(): heapUsed +${mem.heapUsedDeltaMB} MB, typed arrays +${mem.arrayBuffersDeltaMB} MB, total +${mem.totalDeltaMB} MB (${mem.bytesPerDoc} B/doc; before compact +${mem.beforeCompactTotalDeltaMB} MB); RSS +${mem.rssDeltaMB} MB`,
  );

  const dense = ['物业', '业主', '处理', '维修', '小区'].map((w) => `${w} ${((100 * index.documentFrequency(w)) / index.size).toFixed(0)}%`);
  console.log(`posting-list density (share of documents containing the word): ${dense.join(', ')}`);

  const customerFilter = (m: Meta) => m.status === 'published' && m.audience !== 'agent';
  // warm-up
  for (const q of queries) {
    index.search(q.q, { limit: 10 });
    index.search(q.q, { limit: 10, filter: customerFilter });
  }
  const all: number[] = [];
  const cpuAll: number[] = [];
  const filtered: number[] = [];
  const perQuery: number[][] = queries.map(() => []);
  const byKind: Record<string, number[]> = Object.fromEntries(KINDS.map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    queries.forEach((q, qi) => {
      const c0 = process.cpuUsage();
      let t = performance.now();
      index.search(q.q, { limit: 10 });
      const dt = performance.now() - t;
      const c1 = process.cpuUsage(c0);
      all.push(dt);
      cpuAll.push((c1.user + c1.system) / 1000);
      perQuery[qi]!.push(dt);
      byKind[q.kind]!.push(dt);
      t = performance.now();
      index.search(q.q, { limit: 10, filter: customerFilter });
      filtered.push(performance.now() - t);
    });
  }
  const qAll = stats(all);
  const qCpu = stats(cpuAll);
  const qMedians = stats(perQuery.map((xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!));
  const qFiltered = stats(filtered);
  const qKinds = Object.fromEntries(KINDS.map((k) => [k, stats(byKind[k]!)]));
  console.log(`\nquery latency (ms) over ${queries.length} relevance queries × ${ROUNDS} rounds, limit 10:`);
  console.log(`  ${'no filter (wall)'.padEnd(22)} p50 ${qAll.p50}  p95 ${qAll.p95}  p99 ${qAll.p99}  max ${qAll.max}`);
  console.log(`  ${'no filter (CPU time)'.padEnd(22)} p50 ${qCpu.p50}  p95 ${qCpu.p95}  p99 ${qCpu.p99}`);
  console.log(`  ${'per-query median (wall)'.padEnd(22)} p50 ${qMedians.p50}  p95 ${qMedians.p95}  p99 ${qMedians.p99}`);
  console.log(`  ${'customer filter (wall)'.padEnd(22)} p50 ${qFiltered.p50}  p95 ${qFiltered.p95}  p99 ${qFiltered.p99}  max ${qFiltered.max}`);
  for (const k of KINDS) {
    const s = qKinds[k]!;
    console.log(`  ${k.padEnd(22)} p50 ${s.p50}  p95 ${s.p95}  p99 ${s.p99}`);
  }

  // Fidelity of the posting budget / candidate pool against exhaustive scoring on this index.
  const ranking = index.ranking;
  const saved = { postingBudget: ranking.postingBudget, candidatePool: ranking.candidatePool };
  const approx = queries.map((q) => index.search(q.q, { limit: 10 }).map((h) => h.id));
  ranking.postingBudget = Infinity;
  ranking.candidatePool = Number.MAX_SAFE_INTEGER;
  const exactTimes: number[] = [];
  const exact = queries.map((q) => {
    const t = performance.now();
    const r = index.search(q.q, { limit: 10 }).map((h) => h.id);
    exactTimes.push(performance.now() - t);
    return r;
  });
  Object.assign(ranking, saved);
  const bm25 = (q: string, id: string) => index.explain(q, id).reduce((s, u) => s + u.contribution, 0);
  let overlap = 0;
  let top1 = 0;
  let fidelity = 0;
  let minFidelity = 1;
  queries.forEach((q, i) => {
    const a = approx[i]!;
    const e = exact[i]!;
    overlap += e.length ? a.filter((id) => e.includes(id)).length / e.length : 1;
    top1 += a[0] === e[0] ? 1 : 0;
    const ea = a.reduce((s, id) => s + bm25(q.q, id), 0);
    const ee = e.reduce((s, id) => s + bm25(q.q, id), 0);
    const f = ee > 0 ? Math.min(1, ea / ee) : 1;
    fidelity += f;
    minFidelity = Math.min(minFidelity, f);
  });
  const fid = {
    overlapAt10: Math.round((overlap / queries.length) * 1000) / 1000,
    top1Agreement: Math.round((top1 / queries.length) * 1000) / 1000,
    scoreFidelityMean: Math.round((fidelity / queries.length) * 10000) / 10000,
    scoreFidelityMin: Math.round(minFidelity * 1000) / 1000,
    exactQueryMs: stats(exactTimes),
  };
  console.log(
    `\nbudgeted vs exhaustive scoring (posting budget ${saved.postingBudget}, pool ${saved.candidatePool}): top-1 agreement ${fid.top1Agreement}, overlap@10 ${fid.overlapAt10}, BM25F score mass of top 10 ${fid.scoreFidelityMean} (min ${fid.scoreFidelityMin}); exhaustive p50 ${fid.exactQueryMs.p50} ms p95 ${fid.exactQueryMs.p95} ms`,
  );

  // updates: replace, then query for the new text at once
  const upd: number[] = [];
  const rem: number[] = [];
  const rand = rng(7);
  for (let i = 0; i < 500; i++) {
    const d = docs[Math.floor(rand() * docs.length)]!;
    const t = performance.now();
    index.update({ ...d, fields: { ...d.fields, body: (d.fields.body ?? '') + `补充：第${i}次修订。` } });
    upd.push(performance.now() - t);
  }
  for (let i = 0; i < 200; i++) {
    const d = docs[Math.floor(rand() * docs.length)]!;
    const t = performance.now();
    index.remove(d.id);
    rem.push(performance.now() - t);
    index.add(d);
  }
  const uStats = stats(upd);
  const rStats = stats(rem);
  console.log(`\nupdate (replace) ms: p50 ${uStats.p50}  p95 ${uStats.p95}  p99 ${uStats.p99}`);
  console.log(`remove ms:           p50 ${rStats.p50}  p95 ${rStats.p95}  p99 ${rStats.p99}`);
  const target = qAll.p95 <= 2;
  console.log(
    `\ntarget p95 ≤ 2 ms per query (no filter): ${target ? 'met' : 'NOT met'}  (load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} on ${cpus().length} CPUs)`,
  );

  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(
    RESULTS,
    JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        command: 'npx tsx bench/kb-search/latency.ts',
        node: process.version,
        docs: docs.length,
        avgBodyChars: Math.round(avgBody),
        avgVariants: Math.round(avgVariants * 10) / 10,
        loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
        cpus: cpus().length,
        analyzerStartupMs: Math.round(startupMs),
        buildMs: Math.round(buildMs),
        buildUsPerDoc: Math.round((buildMs * 1000) / docs.length),
        compactMs: Math.round(compactMs),
        memory: mem,
        density: Object.fromEntries(
          ['物业', '业主', '处理', '维修', '小区'].map((w) => [w, Math.round((1000 * index.documentFrequency(w)) / index.size) / 1000]),
        ),
        ranking: { postingBudget: saved.postingBudget, candidatePool: saved.candidatePool },
        queryMs: { noFilter: qAll, noFilterCpu: qCpu, perQueryMedian: qMedians, customerFilter: qFiltered, byKind: qKinds },
        fidelityVsExhaustive: fid,
        updateMs: uStats,
        removeMs: rStats,
        targetMet: target,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`wrote ${RESULTS}`);
}

try {
  main();
} catch (err) {
  console.error(err);
  process.exitCode = 1;
}
