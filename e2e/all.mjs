#!/usr/bin/env node
/**
 * `npm run e2e`: builds the web app once, then runs every browser journey in turn (each starts its own server on a
 * free port with a fresh DATA_DIR). Screenshots land in e2e/artifacts/. Exits non-zero if any journey fails.
 *
 *   node e2e/all.mjs               # all journeys
 *   node e2e/all.mjs portal kb     # only the named ones
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Journey name → script. Order: the shell first, then the domains in the order they build on each other. */
const JOURNEYS = {
  shell: 'e2e/run.mjs',
  portal: 'e2e/portal.mjs',
  workspace: 'e2e/workspace.mjs',
  standards: 'e2e/standards.mjs',
  kb: 'e2e/kb.mjs',
  surveys: 'e2e/surveys.mjs',
  measures: 'e2e/measures.mjs',
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const names = wanted.length ? wanted : Object.keys(JOURNEYS);
for (const n of names) if (!JOURNEYS[n]) { console.error(`no journey "${n}" (have: ${Object.keys(JOURNEYS).join(', ')})`); process.exit(2); }

if (!process.argv.includes('--no-build')) {
  console.log('[e2e] building packages/web');
  const b = spawnSync('npm', ['run', 'build', '-w', '@chidu/web'], { cwd: ROOT, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
const results = [];
for (const n of names) {
  const t0 = Date.now();
  console.log(`\n[e2e] ── journey ${n} (${JOURNEYS[n]})`);
  const r = spawnSync(process.execPath, [JOURNEYS[n], '--no-build'], { cwd: ROOT, stdio: 'inherit', env: process.env });
  results.push({ n, ok: r.status === 0, s: ((Date.now() - t0) / 1000).toFixed(0) });
}
console.log('\n[e2e] summary');
for (const r of results) console.log(`  ${r.ok ? '✔' : '✘'} ${r.n} (${r.s} s)`);
const failed = results.filter((r) => !r.ok).length;
console.log(`[e2e] journeys ok: ${results.length - failed} of ${results.length}`);
process.exit(failed ? 1 : 0);
