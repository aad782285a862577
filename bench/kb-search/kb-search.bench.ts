/**
 * Knowledge-base search benchmark.
 *   npm run bench -- kb-search        (or: npx tsx bench/kb-search/kb-search.bench.ts)
 *
 * 1. Relevance (eval.ts): MRR@10 / recall@5 of Chidu vs PostgreSQL ILIKE and full-text 'simple' on the relevance set.
 * 2. In-process index latency at 100,000 documents (latency.ts).
 * 3. Through the server: BENCH_KB_PG_ITEMS (default 100,000) published items in PostgreSQL, BENCH_KB_PGLITE_ITEMS
 *    (default 10,000) in PGlite. The real app starts on that database (the search index is loaded from it at start),
 *    then GET /api/v1/kb/search (staff) and GET /api/v1/public/kb/search (help centre) are timed through the whole
 *    Fastify pipeline (auth, validation, category lookup, serialisation) with app.inject, for the relevance queries
 *    × BENCH_KB_ROUNDS (default 3). Target p95 ≤ 20 ms. Also: an edited article is visible to the next search.
 * Writes bench/results/kb-search.json (and kb-search-eval.json / kb-search-latency.json from the two scripts).
 */
import { spawnSync } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshDatabaseUrl, testConfig } from '../../packages/server/test/harness';
import { openDatabase, type Database } from '../../packages/server/src/db/client';
import { buildApp } from '../../packages/server/src/http/app';
import { kbCategories, kbCategoryExperts, kbItems, kbVersions } from '../../packages/server/src/db/schema';
import { systemCtx } from '../../packages/server/src/lib/context';
import { uuidv7 } from '../../packages/server/src/lib/ids';
import { createStaffInTx } from '../../packages/server/src/modules/identity/identity.commands';
import { hashPassword } from '../../packages/server/src/modules/identity/secrets';
import { loadArticles, loadQueries } from './dataset';
import { synthesize } from './synthetic';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const RESULTS = path.join(root, 'bench', 'results', 'kb-search.json');
const PG_ITEMS = Number(process.env.BENCH_KB_PG_ITEMS ?? 100_000);
const PGLITE_ITEMS = Number(process.env.BENCH_KB_PGLITE_ITEMS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_KB_ROUNDS ?? 3);
const SKIP_SCRIPTS = process.env.BENCH_KB_SKIP_SCRIPTS === '1';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const r2 = (x: number) => Math.round(x * 100) / 100;

function runScript(file: string, args: string[] = []) {
  console.log(`\n--- ${file} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, file), ...args], { cwd: root, stdio: 'inherit', env: process.env });
  return r.status === 0;
}

async function seed(database: Database, n: number) {
  const articles = loadArticles();
  const docs = synthesize(articles, n);
  const cats = [...new Set(articles.map((a) => a.category))];
  const catIds = new Map(cats.map((c) => [c, uuidv7()]));
  await database.db.insert(kbCategories).values(cats.map((c, i) => ({ id: catIds.get(c)!, name: c, position: i })));
  const t0 = performance.now();
  for (let i = 0; i < docs.length; i += 1000) {
    const batch = docs.slice(i, i + 1000).map((d) => ({
      id: uuidv7(),
      kind: 'article',
      title: d.fields.title,
      body: `<p>${d.fields.body ?? ''}</p>`,
      variants: [...(d.fields.variants ?? [])],
      tags: [...(d.fields.tags ?? [])],
      categoryId: catIds.get(d.meta!.category)!,
      audience: d.meta!.audience === 'customer' ? 'customer' : 'internal',
      status: 'published',
      version: 1,
      publishedVersion: 1,
      publishedAt: new Date(),
    }));
    await database.transaction(async (tx) => {
      await tx.insert(kbItems).values(batch);
    });
  }
  return { insertMs: performance.now() - t0, categoryId: catIds.get(cats[0]!)! };
}

async function serverRun(kind: 'postgres' | 'pglite', n: number) {
  console.log(`\n--- server on ${kind}: seeding ${n.toLocaleString('en')} published items…`);
  let drop: (() => Promise<void>) | null = null;
  let database: Database;
  if (kind === 'postgres') {
    const fresh = await freshDatabaseUrl();
    drop = () => fresh.drop();
    database = await openDatabase({ databaseUrl: fresh.url, poolSize: 5 });
  } else {
    database = await openDatabase({ inMemory: true });
  }
  try {
    const { insertMs, categoryId } = await seed(database, n);
    const password = 'Bench@2026';
    const staffRow = await database.transaction(async (tx) =>
      createStaffInTx(
        tx,
        systemCtx('bench'),
        { employeeNo: 'B0001', name: '基准专家', password, roles: ['supervisor'], teamId: null },
        await hashPassword(password),
      ),
    );
    await database.db.insert(kbCategoryExperts).values({ categoryId, staffId: staffRow.id });
    const t0 = performance.now();
    const app = await buildApp({ config: testConfig(), database }, { logger: false });
    await app.ready(); // loads the search index from the database
    const startMs = performance.now() - t0;
    console.log(`inserted in ${(insertMs / 1000).toFixed(1)} s; app ready (index loaded) in ${(startMs / 1000).toFixed(1)} s`);
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { employeeNo: 'B0001', password } });
    const token = login.json().token as string;
    const queries = loadQueries();
    const time = async (url: string, auth: boolean) => {
      const t = performance.now();
      const res = await app.inject({ method: 'GET', url, headers: auth ? { authorization: `Bearer ${token}` } : {} });
      const ms = performance.now() - t;
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      return ms;
    };
    // warm-up
    for (const q of queries.slice(0, 20)) await time(`/api/v1/kb/search?q=${encodeURIComponent(q.q)}&limit=10`, true);
    const staffMs: number[] = [];
    const publicMs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const q of queries) staffMs.push(await time(`/api/v1/kb/search?q=${encodeURIComponent(q.q)}&limit=10`, true));
    }
    // The public endpoint is rate-limited per address (60/min): vary the client address like distinct visitors.
    let ip = 0;
    for (const q of queries) {
      const t = performance.now();
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/public/kb/search?q=${encodeURIComponent(q.q.slice(0, 200))}`,
        remoteAddress: `10.0.${(ip >> 8) & 255}.${ip++ & 255}`,
      });
      publicMs.push(performance.now() - t);
      if (res.statusCode !== 200) throw new Error(`public search: ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    // Edit → visible at once: the expert edits a published item of their category (it stays published) and the
    // very next search finds the new phrase. (Seeded rows have no version history; give this one its first version.)
    const [victim] = await database.db.select({ id: kbItems.id }).from(kbItems).where(eq(kbItems.categoryId, categoryId)).limit(1);
    await database.db
      .insert(kbVersions)
      .values({ id: uuidv7(), itemId: victim!.id, version: 1, kind: 'article', title: 'x', body: 'x', categoryId, audience: 'internal' });
    const phrase = '基准验证短语丙午年雪松';
    const te = performance.now();
    const patch = await app.inject({
      method: 'PATCH',
      url: `/api/v1/kb/articles/${victim!.id}`,
      headers: { authorization: `Bearer ${token}` },
      payload: { body: `<p>${phrase}：编辑后立即可检索。</p>` },
    });
    const editMs = performance.now() - te;
    const after = await app.inject({
      method: 'GET',
      url: `/api/v1/kb/search?q=${encodeURIComponent(phrase)}&limit=3`,
      headers: { authorization: `Bearer ${token}` },
    });
    const visible = patch.statusCode === 200 && after.json().hits[0]?.id === victim!.id;
    await app.close();
    const out = {
      database: kind,
      items: n,
      insertSeconds: r2(insertMs / 1000),
      startSeconds: r2(startMs / 1000),
      rounds: ROUNDS,
      staffSearchMs: { n: staffMs.length, p50: r2(pct(staffMs, 50)), p95: r2(pct(staffMs, 95)), p99: r2(pct(staffMs, 99)), max: r2(Math.max(...staffMs)) },
      publicSearchMs: { n: publicMs.length, p50: r2(pct(publicMs, 50)), p95: r2(pct(publicMs, 95)), p99: r2(pct(publicMs, 99)) },
      editThenSearch: { editMs: r2(editMs), visibleToNextSearch: visible },
      targetP95Ms: 20,
      targetMet: pct(staffMs, 95) <= 20 && pct(publicMs, 95) <= 20,
    };
    console.log(JSON.stringify(out, null, 1));
    return out;
  } finally {
    await database.close();
    await drop?.();
  }
}

async function main() {
  const scripts = SKIP_SCRIPTS ? null : { eval: runScript('eval.ts'), latency: runScript('latency.ts') };
  const runs = [];
  try {
    runs.push(await serverRun('postgres', PG_ITEMS));
  } catch (err) {
    console.warn(`PostgreSQL run skipped: ${(err as Error).message}`);
  }
  runs.push(await serverRun('pglite', PGLITE_ITEMS));
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  writeFileSync(
    RESULTS,
    JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        command: 'npm run bench -- kb-search',
        node: process.version,
        cpus: os.cpus().length,
        loadavg: os.loadavg().map(r2),
        scripts,
        server: runs,
        note: 'latency through app.inject (whole Fastify pipeline, no socket); eval and in-process latency results are in kb-search-eval.json and kb-search-latency.json',
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nwrote ${RESULTS}`);
  if (scripts && (!scripts.eval || !scripts.latency)) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
