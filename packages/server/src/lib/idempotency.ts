import { createHash } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Database, Tx } from '../db/client';
import { idempotencyKeys } from '../db/schema';
import type { Ctx } from './context';
import { AppError } from './errors';

const KEY_RE = /^[\x21-\x7e]{1,200}$/;
const WINDOW_HOURS = 24;

export interface Created<T> { status: number; body: T }

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object).sort().map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * Run a create command at most once per (principal, Idempotency-Key) within 24 h.
 * The key row is inserted in the command's own transaction, so a failed command leaves no key behind,
 * and a concurrent duplicate waits on the unique index, then replays the committed result.
 */
export async function idempotent<T>(
  database: Database,
  ctx: Ctx,
  key: string | undefined,
  route: string,
  body: unknown,
  fn: (tx: Tx) => Promise<Created<T>>,
): Promise<Created<T> & { replayed: boolean }> {
  if (key === undefined) return { ...(await database.transaction(fn)), replayed: false };
  if (!KEY_RE.test(key)) {
    throw new AppError('validation_failed', 'Idempotency-Key must be 1–200 visible ASCII characters', { errors: [{ path: 'Idempotency-Key', message: 'must be 1–200 visible ASCII characters' }] });
  }
  const scope = `${ctx.actor.kind}:${ctx.actor.id ?? 'system'}`;
  const requestHash = createHash('sha256').update(`${route}\n${stableJson(body)}`).digest('hex');
  return database.transaction(async (tx) => {
    await tx.delete(idempotencyKeys).where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key), lt(idempotencyKeys.createdAt, sql`now() - interval '${sql.raw(String(WINDOW_HOURS))} hours'`)));
    const inserted = await tx.insert(idempotencyKeys).values({ scope, key, route, requestHash }).onConflictDoNothing().returning({ key: idempotencyKeys.key });
    if (inserted.length === 0) {
      const [prior] = await tx.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
      if (!prior || prior.statusCode === null) throw new AppError('conflict', 'A request with this Idempotency-Key is still in progress');
      if (prior.route !== route || prior.requestHash !== requestHash) {
        throw new AppError('idempotency_key_reused', 'This Idempotency-Key was used with a different request in the last 24 hours');
      }
      return { status: prior.statusCode, body: prior.response as T, replayed: true };
    }
    const result = await fn(tx);
    await tx.update(idempotencyKeys).set({ statusCode: result.status, response: result.body as unknown as Record<string, unknown> }).where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
    return { ...result, replayed: false };
  });
}
