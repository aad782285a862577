/**
 * Attempt limiters for secrets that can be guessed: staff passwords (per account and per address), TOTP codes at
 * enrolment, portal one-time codes (per phone). Every attempt is COUNTED BEFORE the secret is checked, in one
 * statement (`INSERT … ON CONFLICT DO UPDATE … RETURNING count` on the `auth_throttle` row of (scope, key)), so
 * however many requests race, at most `max` of them in a window ever reach the check: the (max+1)-th counted
 * attempt gets 429 without the secret being looked at. PostgreSQL serialises the upserts on the row lock; PGlite
 * has one connection. The window starts with the first counted attempt and restarts once it has passed.
 * A success clears the counter (`clearAttempts`) or gives its attempt back (`releaseAttempt`, for address limits
 * that count failures only).
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { AppError } from './errors';

export interface ThrottleKey {
  scope: string;
  key: string;
}

/** Count one attempt on (scope, key); 429 `rate_limited` (with Retry-After) once the count exceeds `max`. */
export async function countAttempt(ex: Executor, k: ThrottleKey, max: number, windowMs: number, message: string): Promise<number> {
  const secs = windowMs / 1000;
  const res = (await ex.execute(sql`INSERT INTO auth_throttle AS t (scope, key, window_start, count) VALUES (${k.scope}, ${k.key}, now(), 1)
    ON CONFLICT (scope, key) DO UPDATE SET
      count = CASE WHEN t.window_start <= now() - ${secs}::double precision * interval '1 second' THEN 1 ELSE t.count + 1 END,
      window_start = CASE WHEN t.window_start <= now() - ${secs}::double precision * interval '1 second' THEN now() ELSE t.window_start END
    RETURNING count, window_start`)) as { rows: { count: number; window_start: string | Date }[] };
  const row = res.rows[0]!;
  const n = Number(row.count);
  if (n > max) {
    const start = new Date(row.window_start).getTime();
    const retry = Math.max(1, Math.ceil((start + windowMs - Date.now()) / 1000));
    throw new AppError('rate_limited', `${message}; try again in ${retry} s`, {
      headers: { 'retry-after': String(retry) },
      extra: { retryAfterSeconds: retry },
    });
  }
  return n;
}

/** A success: forget the counted attempts of this key. */
export async function clearAttempts(ex: Executor, k: ThrottleKey): Promise<void> {
  await ex.execute(sql`DELETE FROM auth_throttle WHERE scope = ${k.scope} AND key = ${k.key}`);
}

/** A success on a limiter that counts failures only: give this attempt back. */
export async function releaseAttempt(ex: Executor, k: ThrottleKey): Promise<void> {
  await ex.execute(sql`UPDATE auth_throttle SET count = GREATEST(count - 1, 0) WHERE scope = ${k.scope} AND key = ${k.key}`);
}

/** Drop counters whose window ended long ago (older than a day). */
export async function pruneThrottle(ex: Executor): Promise<void> {
  await ex.execute(sql`DELETE FROM auth_throttle WHERE window_start < now() - interval '1 day'`);
}
