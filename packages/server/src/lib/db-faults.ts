/**
 * Database failures that are the environment's, not the request's: a dropped or refused connection, a statement or
 * lock timeout, a full disk. They become retryable problems (`database_unavailable` / `database_busy`, 503 with
 * Retry-After) or `storage_full` (507), never a 500. Used by the HTTP error mapping, the workers (back off, do not
 * mark rows failed) and the process-level safety net in main.ts.
 */
import { AppError } from './errors';

export type DbFault = 'unavailable' | 'busy' | 'storage_full';

/** SQLSTATEs of a connection that is gone or cannot be had: admin shutdown, crash shutdown, cannot connect now, too many connections. */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', '57P05']);
/** Socket-level errors of a connection to the database. */
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTCONN', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i, // node-postgres: "Connection terminated unexpectedly" / "… due to connection timeout"
  /not queryable/i, // node-postgres: "Client has encountered a connection error and is not queryable"
  /Cannot use a pool after calling end/i,
  /terminating connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /PGlite is closed/i,
];
/** query_canceled (statement_timeout), lock_not_available (lock_timeout), idle-in-transaction timeout. */
const BUSY_CODES = new Set(['57014', '55P03', '25P03']);
const BUSY_MESSAGES = [/timeout exceeded when trying to connect/i, /Query read timeout/i];

function* chain(err: unknown): Generator<Record<string, unknown>> {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e && typeof e === 'object'; depth++) {
    yield e as Record<string, unknown>;
    e = (e as { cause?: unknown }).cause;
  }
}

/** What kind of environmental database failure `err` is (walking `cause`, as drizzle wraps driver errors), or null. */
export function classifyDbFault(err: unknown): DbFault | null {
  if (err instanceof AppError) {
    // Already a fault problem (the storage guard, a worker rethrowing): keep its kind.
    return err.code === 'storage_full' ? 'storage_full' : err.code === 'database_busy' ? 'busy' : err.code === 'database_unavailable' ? 'unavailable' : null;
  }
  for (const e of chain(err)) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    const message = typeof e.message === 'string' ? e.message : '';
    if (code === '53100' || code === 'ENOSPC' || /No space left on device/i.test(message)) return 'storage_full';
    if (code && (UNAVAILABLE_CODES.has(code) || code.startsWith('08') || UNAVAILABLE_ERRNO.has(code))) return 'unavailable';
    if (code && BUSY_CODES.has(code)) return 'busy';
    if (BUSY_MESSAGES.some((re) => re.test(message))) return 'busy';
    if (UNAVAILABLE_MESSAGES.some((re) => re.test(message))) return 'unavailable';
  }
  return null;
}

/** Seconds a client should wait before retrying a 503 of ours. */
export const RETRY_AFTER_SECONDS = 1;

/** The problem a database fault is answered with. */
export function dbFaultError(kind: DbFault): AppError {
  switch (kind) {
    case 'unavailable':
      return new AppError(
        'database_unavailable',
        'The database connection failed; nothing was saved by this request unless it was already acknowledged. Retry shortly (with the same Idempotency-Key for creates).',
        { headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } },
      );
    case 'busy':
      return new AppError('database_busy', 'The database did not answer in time (statement or lock timeout); nothing was saved. Retry shortly.', {
        headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
      });
    case 'storage_full':
      return new AppError('storage_full', 'The database storage is full; nothing was saved. An administrator has to free or add disk space.');
  }
}

/** A fault that goes away by itself (a dropped connection, a timeout), as opposed to a full disk. */
export function isTransientDbFault(err: unknown): boolean {
  const k = classifyDbFault(err);
  return k === 'unavailable' || k === 'busy';
}
