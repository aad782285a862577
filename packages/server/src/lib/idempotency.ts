import { createHash } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Database, Executor, Tx } from '../db/client';
import { idempotencyKeys } from '../db/schema';
import type { Ctx } from './context';
import { AppError } from './errors';

const KEY_RE = /^[\x21-\x7e]{1,200}$/;
const WINDOW_HOURS = 24;

export interface Created<T> {
  status: number;
  body: T;
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** The parts of an idempotent request that batch writers (the ticket create batch) need. */
export interface KeyedRequest {
  scope: string;
  key: string;
  route: string;
  requestHash: string;
}

export function keyedRequest(ctx: Ctx, key: string, route: string, body: unknown): KeyedRequest {
  if (!KEY_RE.test(key)) {
    throw new AppError('validation_failed', 'Idempotency-Key must be 1–200 visible ASCII characters', {
      errors: [{ path: 'Idempotency-Key', message: 'must be 1–200 visible ASCII characters' }],
    });
  }
  return {
    scope: `${ctx.actor.kind}:${ctx.actor.id ?? 'system'}`,
    key,
    route,
    requestHash: createHash('sha256')
      .update(`${route}\n${stableJson(body)}`)
      .digest('hex'),
  };
}

const pairKey = (r: KeyedRequest) => `${r.scope}\n${r.key}`;
const pairsSql = (reqs: KeyedRequest[]) =>
  sql.join(
    reqs.map((r) => sql`(${r.scope}, ${r.key})`),
    sql`, `,
  );

/** Of these requests, the ones (indexes) whose key is already stored within the window — to be replayed. */
export async function usedKeys(ex: Executor, reqs: KeyedRequest[]): Promise<Set<number>> {
  if (reqs.length === 0) return new Set();
  const res = (await ex.execute(sql`SELECT scope, key FROM idempotency_keys WHERE (scope, key) IN (${pairsSql(reqs)})
    AND created_at >= now() - interval '${sql.raw(String(WINDOW_HOURS))} hours'`)) as { rows: { scope: string; key: string }[] };
  const got = new Set(res.rows.map((r) => pairKey(r as KeyedRequest)));
  return new Set(reqs.map((r, i) => (got.has(pairKey(r)) ? i : -1)).filter((i) => i >= 0));
}

/**
 * Claim the keys of several requests in one statement (after dropping expired ones). Returns the indexes whose key
 * was new; for the others `replayKey` (after this transaction) tells the replay, the conflict or the reuse.
 */
export async function claimKeys(tx: Tx, reqs: KeyedRequest[]): Promise<Set<number>> {
  if (reqs.length === 0) return new Set();
  const values = sql.join(
    reqs.map((r) => sql`(${r.scope}, ${r.key}, ${r.route}, ${r.requestHash})`),
    sql`, `,
  );
  await tx.execute(
    sql`DELETE FROM idempotency_keys WHERE (scope, key) IN (${pairsSql(reqs)}) AND created_at < now() - interval '${sql.raw(String(WINDOW_HOURS))} hours'`,
  );
  const res = (await tx.execute(
    sql`INSERT INTO idempotency_keys (scope, key, route, request_hash) VALUES ${values} ON CONFLICT DO NOTHING RETURNING scope, key`,
  )) as { rows: { scope: string; key: string }[] };
  const got = new Set(res.rows.map((r) => pairKey(r as KeyedRequest)));
  const out = new Set<number>();
  reqs.forEach((r, i) => {
    if (got.delete(pairKey(r))) out.add(i);
  });
  return out;
}

/** Store the results of claimed keys (one statement). */
export async function settleKeys(tx: Tx, done: { req: KeyedRequest; status: number; body: unknown }[]): Promise<void> {
  if (done.length) {
    const values = sql.join(
      done.map((d) => sql`(${d.req.scope}, ${d.req.key}, ${d.status}::int, ${JSON.stringify(d.body)}::jsonb)`),
      sql`, `,
    );
    await tx.execute(
      sql`UPDATE idempotency_keys k SET status_code = v.status_code, response = v.response FROM (VALUES ${values}) AS v(scope, key, status_code, response) WHERE k.scope = v.scope AND k.key = v.key`,
    );
  }
}

/** A request whose key was already taken: replay the stored result, or say why not (null: the key is free again). */
export async function replayKey<T>(database: Database, r: KeyedRequest): Promise<(Created<T> & { replayed: boolean }) | null> {
  const [prior] = await database.db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, r.scope), eq(idempotencyKeys.key, r.key)));
  if (!prior) return null; // the first request failed meanwhile: this one runs
  if (prior.statusCode === null) throw new AppError('conflict', 'A request with this Idempotency-Key is still in progress', { reason: 'request_in_progress' });
  if (prior.route !== r.route || prior.requestHash !== r.requestHash) {
    throw new AppError('idempotency_key_reused', 'This Idempotency-Key was used with a different request in the last 24 hours');
  }
  return { status: prior.statusCode, body: prior.response as T, replayed: true };
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
    throw new AppError('validation_failed', 'Idempotency-Key must be 1–200 visible ASCII characters', {
      errors: [{ path: 'Idempotency-Key', message: 'must be 1–200 visible ASCII characters' }],
    });
  }
  const scope = `${ctx.actor.kind}:${ctx.actor.id ?? 'system'}`;
  const requestHash = createHash('sha256')
    .update(`${route}\n${stableJson(body)}`)
    .digest('hex');
  return database.transaction(async (tx) => {
    await tx
      .delete(idempotencyKeys)
      .where(
        and(
          eq(idempotencyKeys.scope, scope),
          eq(idempotencyKeys.key, key),
          lt(idempotencyKeys.createdAt, sql`now() - interval '${sql.raw(String(WINDOW_HOURS))} hours'`),
        ),
      );
    const inserted = await tx.insert(idempotencyKeys).values({ scope, key, route, requestHash }).onConflictDoNothing().returning({ key: idempotencyKeys.key });
    if (inserted.length === 0) {
      const [prior] = await tx
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
      if (!prior || prior.statusCode === null)
        throw new AppError('conflict', 'A request with this Idempotency-Key is still in progress', { reason: 'request_in_progress' });
      if (prior.route !== route || prior.requestHash !== requestHash) {
        throw new AppError('idempotency_key_reused', 'This Idempotency-Key was used with a different request in the last 24 hours');
      }
      return { status: prior.statusCode, body: prior.response as T, replayed: true };
    }
    const result = await fn(tx);
    await tx
      .update(idempotencyKeys)
      .set({ statusCode: result.status, response: result.body })
      .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
    return { ...result, replayed: false };
  });
}
