/**
 * An open-loop load: requests start at random (Poisson) moments at a mean rate, whatever the answers do, as users'
 * screens refreshing on their own would — unlike autocannon's `overallRate`, which sends each second's quota at the
 * start of the second (a burst of `connections` requests at once, then silence). Latency is measured from each
 * request's planned start, so a server that falls behind is charged for the wait (no coordinated omission).
 */

export interface OpenLoopResult {
  rate: number;
  seconds: number;
  total: number;
  non2xx: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Deterministic PRNG (mulberry32), so two runs offer the same arrival pattern. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : 0);

export async function openLoop(url: string, headers: Record<string, string>, rate: number, seconds: number, seed = 1): Promise<OpenLoopResult> {
  const random = rng(seed);
  const latencies: number[] = [];
  let non2xx = 0;
  const inflight: Promise<void>[] = [];
  const t0 = performance.now();
  let planned = 0;
  for (;;) {
    planned += (-Math.log(1 - random()) / rate) * 1000; // exponential inter-arrival, mean 1/rate s
    if (planned > seconds * 1000) break;
    const wait = t0 + planned - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const start = t0 + planned;
    inflight.push(
      fetch(url, { headers })
        .then(async (res) => {
          await res.arrayBuffer();
          if (!res.ok) non2xx++;
        })
        .catch(() => {
          non2xx++;
        })
        .finally(() => {
          latencies.push(performance.now() - start);
        }),
    );
  }
  await Promise.all(inflight);
  latencies.sort((a, b) => a - b);
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return {
    rate,
    seconds,
    total: latencies.length,
    non2xx,
    p50Ms: r1(pct(latencies, 50)),
    p90Ms: r1(pct(latencies, 90)),
    p95Ms: r1(pct(latencies, 95)),
    p99Ms: r1(pct(latencies, 99)),
    maxMs: r1(latencies.at(-1) ?? 0),
  };
}
