/**
 * Automatic inspection: precision and recall of the shipped rules on the labelled set (data/replies.jsonl, ≥ 300
 * Chinese staff replies; dev part and a held-out part never tuned on), per rule and overall, and the engine's
 * in-process throughput.   npm run bench -- inspection
 * A predicted hit is correct when a gold label of the same rule overlaps its span.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_RULES, inspect } from '../../packages/core/src/inspection/index';
import { DATA_FILE, type Item } from './dataset';

const items: Item[] = readFileSync(DATA_FILE, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Item);

interface Count {
  tp: number;
  fp: number;
  fn: number;
}
const overlap = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;

function evaluate(split: Item['split']) {
  const per = new Map<string, Count>();
  const c = (rule: string) => per.get(rule) ?? (per.set(rule, { tp: 0, fp: 0, fn: 0 }), per.get(rule)!);
  const errors: string[] = [];
  for (const it of items.filter((i) => i.split === split)) {
    const hits = inspect(DEFAULT_RULES, {
      text: it.text,
      channel: it.channel,
      ticketType: it.ticketType,
      audience: it.audience,
      first: it.first,
      last: it.last,
    });
    const used = new Set<number>();
    for (const h of hits) {
      const gi = it.labels.findIndex((g, i) => !used.has(i) && g.rule === h.rule && overlap(g, h));
      if (gi >= 0) {
        used.add(gi);
        c(h.rule).tp++;
      } else {
        c(h.rule).fp++;
        errors.push(`FP ${it.id} ${h.rule} «${it.text.slice(h.start, h.end)}» in ${it.text}`);
      }
    }
    it.labels.forEach((g, i) => {
      if (!used.has(i)) {
        c(g.rule).fn++;
        errors.push(`FN ${it.id} ${g.rule} «${it.text.slice(g.start, g.end)}» in ${it.text}`);
      }
    });
  }
  return { per, errors };
}

const f = (x: number) => (Number.isNaN(x) ? '  -  ' : x.toFixed(3));
// BENCH_SPLITS=dev,dev2 leaves the held-out parts out (while improving rules: never tune on them).
const SPLITS = (process.env.BENCH_SPLITS ?? 'dev,dev2,dev3,heldout,heldout2,heldout3,heldout4').split(',') as Item['split'][];
for (const split of SPLITS) {
  const { per, errors } = evaluate(split);
  const n = items.filter((i) => i.split === split).length;
  console.log(`\n${split}: ${n} replies`);
  console.log('rule                    gold  tp  fp  fn  precision recall');
  const total: Count = { tp: 0, fp: 0, fn: 0 };
  for (const [rule, k] of [...per.entries()].sort()) {
    total.tp += k.tp;
    total.fp += k.fp;
    total.fn += k.fn;
    console.log(
      `${rule.padEnd(22)} ${String(k.tp + k.fn).padStart(5)} ${String(k.tp).padStart(3)} ${String(k.fp).padStart(3)} ${String(k.fn).padStart(3)}  ${f(k.tp / (k.tp + k.fp))}     ${f(k.tp / (k.tp + k.fn))}`,
    );
  }
  console.log(
    `${'overall'.padEnd(22)} ${String(total.tp + total.fn).padStart(5)} ${String(total.tp).padStart(3)} ${String(total.fp).padStart(3)} ${String(total.fn).padStart(3)}  ${f(total.tp / (total.tp + total.fp))}     ${f(total.tp / (total.tp + total.fn))}`,
  );
  if (process.env.BENCH_VERBOSE) for (const e of errors) console.log(`  ${e}`);
}

// in-process throughput of the engine (the worker adds one claim, one read and one insert per batch)
const texts = items.map((i) => i.text);
const N = 20_000;
const started = performance.now();
for (let i = 0; i < N; i++) inspect(DEFAULT_RULES, { text: texts[i % texts.length]!, audience: 'customer', first: true, last: true, ticketType: 'complaint' });
const ms = performance.now() - started;
console.log(`\nengine: ${N} messages in ${ms.toFixed(0)} ms = ${Math.round((N / ms) * 60_000).toLocaleString('en')} messages/min (one core)`);
