#!/usr/bin/env node
// Supply-chain gate: `npm audit --json` (the npm registry only), fail on any high/critical advisory that is not in
// .ci/audit-allow.json with a reason. Usage: node scripts/audit.mjs [--input saved-audit.json] [--allow allow.json]
// Exit 0: nothing unaccepted; 1: unaccepted advisories or a bad allow list; 2: the audit could not run (registry
// without the audit endpoint, offline) and REQUIRE_AUDIT=1 — without REQUIRE_AUDIT that case only warns.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argAt = (flag) => {
  const i = process.argv.indexOf(flag);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const allowFile = path.resolve(argAt('--allow') ?? path.join(root, '.ci/audit-allow.json'));
const LEVELS = new Set(['high', 'critical']);

function fail(code, msg) {
  console.error(`audit: ${msg}`);
  process.exit(code);
}

const allow = JSON.parse(readFileSync(allowFile, 'utf8'));
if (!Array.isArray(allow.advisories)) fail(1, `${allowFile}: "advisories" must be an array`);
for (const a of allow.advisories) {
  if (!a || typeof a.id !== 'string' || !a.id) fail(1, `${allowFile}: every entry needs an "id"`);
  if (typeof a.reason !== 'string' || a.reason.trim().length < 10) fail(1, `${allowFile}: ${a.id} needs a "reason" (why it is accepted)`);
}
const allowed = new Map(allow.advisories.map((a) => [String(a.id).toUpperCase(), a]));

let report;
if (argAt('--input')) {
  report = JSON.parse(readFileSync(argAt('--input'), 'utf8'));
} else {
  // --audit-level only changes npm's exit code; the filtering below decides.
  const r = spawnSync('npm', ['audit', '--json', '--audit-level=high', '--include=prod', '--include=dev'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, npm_config_audit: 'true' },
  });
  try {
    report = JSON.parse(r.stdout || '{}');
  } catch {
    report = { error: { summary: (r.stderr || 'no output').trim().split('\n')[0] } };
  }
}

if (!report.vulnerabilities) {
  const why = report.error?.summary || report.message || report.error?.detail || 'no report';
  const msg = `npm audit could not run: ${why}`;
  if (process.env.REQUIRE_AUDIT === '1') fail(2, msg);
  console.warn(`audit: WARNING ${msg} — not checked (set REQUIRE_AUDIT=1 to make this fatal)`);
  process.exit(0);
}

const idOf = (v) => {
  const ghsa = typeof v.url === 'string' ? v.url.match(/GHSA-[\w-]+/i)?.[0] : null;
  return (ghsa ?? String(v.source)).toUpperCase();
};
const found = new Map(); // advisory id → { title, severity, packages }
for (const [name, vuln] of Object.entries(report.vulnerabilities)) {
  for (const v of vuln.via ?? []) {
    if (typeof v !== 'object' || !LEVELS.has(v.severity)) continue; // strings point at the package that carries it
    const id = idOf(v);
    const e = found.get(id) ?? { title: v.title, severity: v.severity, url: v.url, packages: new Set(), ids: new Set([id, String(v.source).toUpperCase()]) };
    e.packages.add(name);
    found.set(id, e);
  }
}

const unaccepted = [];
for (const [id, e] of found) {
  const ok = [...e.ids].some((x) => allowed.has(x));
  console.log(`${ok ? 'accepted  ' : 'UNACCEPTED'} ${e.severity.padEnd(8)} ${id} ${[...e.packages].join(', ')} — ${e.title}${ok ? '' : ` (${e.url})`}`);
  if (!ok) unaccepted.push(id);
}
const seen = new Set([...found.values()].flatMap((e) => [...e.ids]));
for (const id of allowed.keys()) if (!seen.has(id)) console.log(`stale      allow-list entry ${id} no longer reported; remove it from .ci/audit-allow.json`);
const m = report.metadata?.vulnerabilities;
if (m) console.log(`audit: ${m.critical ?? 0} critical, ${m.high ?? 0} high, ${m.moderate ?? 0} moderate, ${m.low ?? 0} low advisories in the tree`);
if (unaccepted.length)
  fail(
    1,
    `${unaccepted.length} high/critical advisor${unaccepted.length === 1 ? 'y is' : 'ies are'} not accepted in .ci/audit-allow.json: ${unaccepted.join(', ')}`,
  );
console.log('audit: no unaccepted high/critical advisories');
