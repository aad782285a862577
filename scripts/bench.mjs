#!/usr/bin/env node
// `npm run bench` runs every benchmark; `npm run bench -- foundation calendar` runs the named ones.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = path.join(root, 'bench');
const all = readdirSync(benchDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'results' && d.name !== 'lib')
  .map((d) => d.name)
  .sort();
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : all;
let failed = 0;
for (const name of wanted) {
  const dir = path.join(benchDir, name);
  if (!existsSync(dir)) {
    console.error(`no benchmark "${name}" (have: ${all.join(', ')})`);
    process.exit(2);
  }
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort()) {
    console.log(`\n=== bench/${name}/${file}`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, file)], { cwd: root, stdio: 'inherit', env: process.env });
    if (r.status !== 0) failed++;
  }
}
process.exit(failed ? 1 : 0);
