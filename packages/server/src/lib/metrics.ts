/**
 * Process-wide Prometheus metrics (prom-client), recorded as things happen: HTTP latency by route pattern, problems by
 * code, the standards worker's firing lag, every background worker's passes. A leaf module (no app imports) so the engine can call it with one line.
 * `/metrics`, the scrape-time gauges and access control live in `src/http/metrics.ts`; see docs/operations.md#monitor.
 */
import client from 'prom-client';

export const registry = new client.Registry();
let defaultsOn = false;

/** Node's process metrics (CPU, memory, event-loop lag, GC), once per process. */
export function collectDefaults(): void {
  if (!defaultsOn) {
    defaultsOn = true;
    client.collectDefaultMetrics({ register: registry });
  }
}

export const httpDuration = new client.Histogram({
  name: 'chidu_http_request_duration_seconds',
  help: 'HTTP request latency by route pattern, method and status class',
  labelNames: ['method', 'route', 'status_class'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const problems = new client.Counter({
  name: 'chidu_http_problems_total',
  help: 'Error responses (problem+json) by stable problem code and HTTP status',
  labelNames: ['code', 'status'] as const,
  registers: [registry],
});

const firingLag = new client.Histogram({
  name: 'chidu_standards_firing_lag_seconds',
  help: "Standards deadline worker: time from an action's scheduled time (deadline, warning point, escalation step) to when it fired",
  labelNames: ['action'] as const,
  buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600],
  registers: [registry],
});

/** The engine fired `action` (warning | breach | escalation) scheduled for `scheduledAtMs`. */
export function observeFiringLag(action: string, scheduledAtMs: number): void {
  firingLag.observe({ action }, Math.max(0, Date.now() - scheduledAtMs) / 1000);
}

const workerPasses = new client.Counter({
  name: 'chidu_worker_passes_total',
  help: 'Background worker passes (each claims and handles what is due), by worker: standards, measures, delivery, loops, kb-review',
  labelNames: ['worker'] as const,
  registers: [registry],
});

const workerItems = new client.Counter({
  name: 'chidu_worker_items_total',
  help: 'Items a background worker handled (clocks fired, queued tickets refreshed, deliveries attempted, …), by worker',
  labelNames: ['worker'] as const,
  registers: [registry],
});

const workerFailures = new client.Counter({
  name: 'chidu_worker_failures_total',
  help: 'Background worker passes that failed (a database fault backs off; anything else is logged as "<worker> worker pass failed"), by worker',
  labelNames: ['worker'] as const,
  registers: [registry],
});

const workerPassSeconds = new client.Histogram({
  name: 'chidu_worker_pass_seconds',
  help: 'Duration of one background worker pass, by worker',
  labelNames: ['worker'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [registry],
});

/** A pass of background worker `worker` took `seconds`, handled `items`, and failed or not (src/lib/worker.ts). */
export function observeWorkerPass(worker: string, seconds: number, items: number, failed: boolean): void {
  workerPasses.inc({ worker });
  // inc(0) too: every series exists from the worker's first pass (rate() and alerts need no absent() special case).
  workerItems.inc({ worker }, Math.max(0, items));
  workerFailures.inc({ worker }, failed ? 1 : 0);
  workerPassSeconds.observe({ worker }, seconds);
}
