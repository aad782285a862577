/**
 * Rate limits of the internet-facing survey endpoints: per token and per client address, fixed one-minute windows,
 * counted in PostgreSQL (`survey_rate_limits`) so every server process shares them.
 * Defaults: 20 requests per token and 300 per address per minute (carrier NAT puts many phones behind one address); CHIDU_SURVEY_RATE_TOKEN / CHIDU_SURVEY_RATE_IP
 * raise or lower them (the bench raises them).
 */
import { createHash } from 'node:crypto';
import type { Executor } from '../../db/client';
import { AppError } from '../../lib/errors';
import { surveysRepo } from './surveys.repo';

export const limits = () => ({
  token: Number(process.env.CHIDU_SURVEY_RATE_TOKEN ?? 20),
  ip: Number(process.env.CHIDU_SURVEY_RATE_IP ?? 300),
});
const WINDOW_MS = 60_000;

const h = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 22);

/** Count one request; throws 429 `rate_limited` (with Retry-After) when either limit is exceeded. */
export async function hitRateLimit(ex: Executor, token: string, ip: string | null, now = Date.now()): Promise<void> {
  const l = limits();
  const w = Math.floor(now / WINDOW_MS) * WINDOW_MS;
  const tk = `t:${h(token)}`;
  const ik = `a:${h(ip ?? 'unknown')}`;
  const rows = await surveysRepo.countRequests(ex, [tk, ik], w);
  const over = rows.some((r) => (r.key === tk ? Number(r.count) > l.token : Number(r.count) > l.ip));
  if (over) {
    const retry = Math.max(1, Math.ceil((w + WINDOW_MS - now) / 1000));
    throw new AppError('rate_limited', 'Too many requests for this survey link or from this address; try again shortly', {
      headers: { 'retry-after': String(retry) },
      extra: { retryAfterSeconds: retry },
    });
  }
}

/** Drop windows older than ten minutes (the worker calls it). */
export async function pruneRateLimits(ex: Executor, now = Date.now()): Promise<void> {
  await surveysRepo.pruneRateWindows(ex, now - 10 * WINDOW_MS);
}
