/**
 * Business-calendar throughput benchmark.
 *
 *   npx tsx bench/calendar/calendar.bench.ts [--ops 1000000]
 *
 * Calendar: Asia/Shanghai, Mon–Fri 09:00–12:00 + 13:00–18:00, cn-mainland holidays and 调休 days.
 * Inputs: seeded random `from` instants over 2025–2026 (ms precision) and spans of 1 s … 10 business
 * days (288 000 s). Prints one line per figure and writes bench/results/calendar.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileCalendar, type CalendarSpec } from '../../packages/core/src/calendar/index';

const argOps = process.argv.indexOf('--ops');
const OPS = argOps > 0 ? Number(process.argv[argOps + 1]) : 1_000_000;
const LATENCY_SAMPLES = 200_000;
const TARGET_ADD_OPS = 200_000;
const MAX_SPAN_S = 10 * 8 * 3600;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const P: [string, string][] = [
  ['09:00', '12:00'],
  ['13:00', '18:00'],
];
const spec: CalendarSpec = { timeZone: 'Asia/Shanghai', weekly: { mon: P, tue: P, wed: P, thu: P, fri: P }, holidays: 'cn-mainland' };

// Cold start: compile + first query (builds zone tables and the first days).
const c0 = performance.now();
const cal = compileCalendar(spec);
cal.addSeconds(Date.parse('2025-06-02T10:00:00+08:00'), 3600);
const coldMs = performance.now() - c0;

const rnd = mulberry32(20251001);
const start = Date.parse('2025-01-01T00:00:00+08:00');
const end = Date.parse('2027-01-01T00:00:00+08:00');
const froms = new Float64Array(OPS);
const spans = new Float64Array(OPS);
const tos = new Float64Array(OPS);
for (let i = 0; i < OPS; i++) {
  froms[i] = start + Math.floor(rnd() * (end - start));
  spans[i] = 1 + Math.floor(rnd() * MAX_SPAN_S);
}
for (let i = 0; i < OPS; i++) tos[i] = cal.addSeconds(froms[i] as number, spans[i] as number) as number; // also warms the caches

function throughput(name: string, fn: (i: number) => number): { opsPerSec: number; checksum: number } {
  for (let i = 0; i < Math.min(OPS, 100_000); i++) fn(i); // warm-up / JIT
  let checksum = 0;
  const t0 = performance.now();
  for (let i = 0; i < OPS; i++) checksum += fn(i);
  const secs = (performance.now() - t0) / 1000;
  const opsPerSec = OPS / secs;
  console.log(
    `${name.padEnd(16)} ${Math.round(opsPerSec).toLocaleString('en-US').padStart(12)} ops/s  (${OPS.toLocaleString('en-US')} ops in ${secs.toFixed(3)} s)`,
  );
  return { opsPerSec, checksum };
}

// Timer overhead, to read the per-op figures honestly.
function timerOverheadUs(): number {
  const d: number[] = [];
  for (let i = 0; i < 50_000; i++) {
    const a = process.hrtime.bigint();
    const b = process.hrtime.bigint();
    d.push(Number(b - a) / 1000);
  }
  d.sort((x, y) => x - y);
  return d[Math.floor(d.length / 2)] as number;
}

function latency(name: string, fn: (i: number) => number): { p50Us: number; p99Us: number; p999Us: number; maxUs: number } {
  const n = Math.min(LATENCY_SAMPLES, OPS);
  const d = new Float64Array(n);
  let sink = 0;
  for (let k = 0; k < n; k++) {
    const i = (k * 7919) % OPS;
    const a = process.hrtime.bigint();
    sink += fn(i);
    const b = process.hrtime.bigint();
    d[k] = Number(b - a) / 1000;
  }
  d.sort();
  const q = (p: number): number => d[Math.min(n - 1, Math.floor(p * n))] as number;
  const r = { p50Us: q(0.5), p99Us: q(0.99), p999Us: q(0.999), maxUs: d[n - 1] as number };
  console.log(
    `${name.padEnd(16)} p50 ${r.p50Us.toFixed(2)} µs  p99 ${r.p99Us.toFixed(2)} µs  p99.9 ${r.p999Us.toFixed(2)} µs  (per op, incl. timer; sink ${sink > 0 ? 'ok' : '0'})`,
  );
  return r;
}

console.log(`business-calendar bench — node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}`);
console.log(`calendar: Asia/Shanghai Mon–Fri 09:00–12:00/13:00–18:00 + cn-mainland; from ∈ 2025–2026, spans 1 s … ${MAX_SPAN_S} s (10 business days)`);
console.log(`cold start (compile + first add): ${coldMs.toFixed(2)} ms`);

const addFn = (i: number): number => cal.addSeconds(froms[i] as number, spans[i] as number) as number;
const elapsedFn = (i: number): number => cal.elapsedSeconds(froms[i] as number, tos[i] as number);
const isOpenFn = (i: number): number => (cal.isOpen(froms[i] as number) ? 1 : 0);
const nextOpenFn = (i: number): number => cal.nextOpen(froms[i] as number) as number;

const addT = throughput('addSeconds', addFn);
const elT = throughput('elapsedSeconds', elapsedFn);
const openT = throughput('isOpen', isOpenFn);
const nextT = throughput('nextOpen', nextOpenFn);
const overhead = timerOverheadUs();
console.log(`timer overhead   ~${overhead.toFixed(2)} µs per measurement (included below)`);
const addL = latency('addSeconds', addFn);
const elL = latency('elapsedSeconds', elapsedFn);

// Sanity: the inverse property on the benchmark data.
let mismatches = 0;
for (let i = 0; i < OPS; i += 97) if (cal.elapsedSeconds(froms[i] as number, tos[i] as number) !== spans[i]) mismatches++;
console.log(`inverse check: ${mismatches === 0 ? 'ok' : `${mismatches} mismatches`}`);
const pass = addT.opsPerSec >= TARGET_ADD_OPS;
console.log(`target ≥ ${TARGET_ADD_OPS.toLocaleString('en-US')} addSeconds ops/s: ${pass ? 'PASS' : 'FAIL'}`);

const out = {
  benchmark: 'calendar',
  date: new Date().toISOString(),
  node: process.version,
  cpu: os.cpus()[0]?.model ?? null,
  cpus: os.cpus().length,
  calendar: spec,
  inputs: { ops: OPS, fromRange: ['2025-01-01', '2026-12-31'], maxSpanSeconds: MAX_SPAN_S, seed: 20251001 },
  coldStartMs: coldMs,
  timerOverheadUs: overhead,
  addSeconds: { opsPerSec: addT.opsPerSec, ...addL },
  elapsedSeconds: { opsPerSec: elT.opsPerSec, ...elL },
  isOpen: { opsPerSec: openT.opsPerSec },
  nextOpen: { opsPerSec: nextT.opsPerSec },
  inverseMismatches: mismatches,
  target: { addSecondsOpsPerSec: TARGET_ADD_OPS, pass },
};
const file = fileURLToPath(new URL('../results/calendar.json', import.meta.url));
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
console.log(`wrote ${file}`);
if (mismatches > 0) process.exitCode = 1;
