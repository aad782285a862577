#!/usr/bin/env node
// `npm start`: build the web app when its build is missing or stale, then run the server (TypeScript via tsx).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'packages/web');
const dist = path.join(web, 'dist');
const stampFile = path.join(dist, '.source-hash');

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(p);
    else yield p;
  }
}

/** Hash of everything the web build is made from: sources, index.html, configs, and the locked dependency versions. */
function sourceHash() {
  const h = createHash('sha256');
  const inputs = [
    ...[...files(path.join(web, 'src'))].sort(),
    ...['index.html', 'vite.config.ts', 'package.json', 'tsconfig.json'].map((f) => path.join(web, f)),
    path.join(root, 'package-lock.json'),
  ];
  const publicDir = path.join(web, 'public');
  if (existsSync(publicDir)) inputs.push(...[...files(publicDir)].sort());
  for (const f of inputs) {
    if (!existsSync(f) || !statSync(f).isFile()) continue;
    h.update(path.relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

if (existsSync(path.join(web, 'index.html')) && !process.env.CHIDU_SKIP_WEB_BUILD) {
  const want = sourceHash();
  const have = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : null;
  if (have !== want || !existsSync(path.join(dist, 'index.html'))) {
    console.log(have ? 'Web app sources changed: rebuilding…' : 'Building the web app (first start)…');
    const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: web, stdio: 'inherit' });
    if (r.status !== 0) {
      console.error('chidu: the web app build failed (see above)');
      process.exit(1);
    }
    writeFileSync(stampFile, want);
  }
}

const { register } = await import('tsx/esm/api');
register();
await import(pathToFileURL(path.join(root, 'packages/server/src/main.ts')).href);
