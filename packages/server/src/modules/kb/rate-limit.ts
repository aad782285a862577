import { AppError } from '../../lib/errors';

/**
 * Fixed-window limiter per key (client address) for the public help-centre endpoints. In-process: each server process
 * keeps its own windows, which bounds abuse per process; a reverse proxy should add a global limit in front.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  check(key: string, now = Date.now()): void {
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size > 50_000) this.sweep(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    if (w.count > this.limit) {
      const retry = Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000));
      throw new AppError('rate_limited', `Too many requests; try again in ${retry} s`, {
        headers: { 'retry-after': String(retry) },
        extra: { retryAfterSeconds: retry },
      });
    }
  }

  private sweep(now: number) {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
  }
}
