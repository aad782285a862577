#!/usr/bin/env node
/**
 * `npm run e2e`: builds the web app once, loads the demo data once, then runs every browser journey (each starts its
 * own server on a free port with a fresh DATA_DIR, for demo journeys a copy of the loaded one; E2E_DEMO_SNAPSHOT=0
 * makes each load the demo itself). Journeys run side by side, `E2E_JOBS` at a time (default: 2, or 1 on a one-core
 * machine); each journey's output is printed as one block when it ends, so logs don't interleave. Screenshots land
 * in e2e/artifacts/. Exits non-zero if any journey fails.
 *
 *   node e2e/all.mjs               # all journeys
 *   node e2e/all.mjs portal kb     # only the named ones
 *   E2E_JOBS=1 node e2e/all.mjs    # one after the other
 */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Journey name → script. The longest first, so two lanes finish close together. */
const JOURNEYS = {
  portal: 'e2e/portal.mjs',
  workspace: 'e2e/workspace.mjs',
  standards: 'e2e/standards.mjs',
  shell: 'e2e/run.mjs',
  kb: 'e2e/kb.mjs',
  surveys: 'e2e/surveys.mjs',
  'daily-survey': 'e2e/daily-survey.mjs',
  measures: 'e2e/measures.mjs',
  'daily-compose': 'e2e/daily-compose.mjs',
  'daily-calendar': 'e2e/daily-calendar.mjs',
  'daily-roles': 'e2e/daily-roles.mjs',
  'daily-demo': 'e2e/daily-demo.mjs',
  'daily-rates': 'e2e/daily-rates.mjs',
  'daily-reports': 'e2e/daily-reports.mjs',
  'std-process': 'e2e/std-process.mjs',
  'std-rules': 'e2e/std-rules.mjs',
  'std-fidelity': 'e2e/std-fidelity.mjs',
  'std-templates': 'e2e/std-templates.mjs',
  'std-define': 'e2e/std-define.mjs',
  field: 'e2e/field.mjs',
  'field-dispatch': 'e2e/field-dispatch.mjs',
  'field-offline': 'e2e/field-offline.mjs',
  'field-parts': 'e2e/field-parts.mjs',
  inspection: 'e2e/inspection.mjs',
  'env-check': 'e2e/env-check.mjs',
  channels: 'e2e/channels.mjs',
  quality: 'e2e/quality.mjs',
  calibration: 'e2e/calibration.mjs',
  widget: 'e2e/widget.mjs',
  mystery: 'e2e/mystery.mjs',
  'loops-auto': 'e2e/loops-auto.mjs',
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const names = wanted.length ? wanted : Object.keys(JOURNEYS);
for (const n of names)
  if (!JOURNEYS[n]) {
    console.error(`no journey "${n}" (have: ${Object.keys(JOURNEYS).join(', ')})`);
    process.exit(2);
  }

if (!process.argv.includes('--no-build')) {
  console.log('[e2e] building packages/web');
  const b = spawnSync('npm', ['run', 'build', '-w', '@chidu/web'], { cwd: ROOT, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

const jobs = Math.max(1, Number(process.env.E2E_JOBS ?? (availableParallelism() > 1 ? 2 : 1)));
console.log(`[e2e] ${names.length} journeys, ${jobs} at a time`);

/** Runs one journey, collecting its output; resolves with its result. */
function run(n) {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const chunks = [];
    const child = spawn(process.execPath, [JOURNEYS[n], '--no-build'], { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    child.on('close', (code, signal) => {
      const s = ((Date.now() - t0) / 1000).toFixed(0);
      const ok = code === 0;
      console.log(`\n[e2e] ── journey ${n} (${JOURNEYS[n]}): ${ok ? 'ok' : `FAILED (${signal ?? code})`} in ${s} s`);
      process.stdout.write(Buffer.concat(chunks));
      resolve({ n, ok, s });
    });
  });
}

// Load the demo once (E2E_DEMO_SNAPSHOT=0: every journey loads its own): the journeys' demo servers start from copies.
let template = null;
if (process.env.E2E_DEMO_SNAPSHOT !== '0' && names.length > 1) {
  const t0 = Date.now();
  const { startServer } = await import('./lib/harness.mjs');
  const server = await startServer({ tmpPrefix: 'chidu-e2e-demo-template-', env: { CHIDU_DEMO: '1' }, healthzTimeoutMs: 180_000 });
  // A copy is only as good as the shutdown that wrote it: give the server time to close its database, and fall back to
  // a demo load per journey if it had to be killed.
  const how = await server.stop({ graceMs: 120_000 });
  if (how && how.signal !== 'SIGKILL') {
    template = server.dataDir;
    process.env.E2E_DEMO_TEMPLATE = template;
    console.log(`[e2e] demo data loaded once in ${((Date.now() - t0) / 1000).toFixed(0)} s; each demo journey starts from a copy`);
  } else {
    rmSync(server.dataDir, { recursive: true, force: true });
    console.log(`[e2e] the demo template server did not stop cleanly (${JSON.stringify(how)}); each journey loads the demo itself`);
  }
}

const queue = [...names];
const results = [];
await Promise.all(
  Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    for (let n = queue.shift(); n !== undefined; n = queue.shift()) results.push(await run(n));
  }),
);
if (template) rmSync(template, { recursive: true, force: true });
console.log('\n[e2e] summary');
for (const r of results) console.log(`  ${r.ok ? '✔' : '✘'} ${r.n} (${r.s} s)`);
const failed = results.filter((r) => !r.ok).length;
console.log(`[e2e] journeys ok: ${results.length - failed} of ${results.length}`);
process.exit(failed ? 1 : 0);
