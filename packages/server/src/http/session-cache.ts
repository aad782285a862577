/**
 * A short-lived in-process cache of resolved sessions (token hash → session + account), so a busy agent's requests
 * do not each pay a database round trip for authentication. Entries live at most TTL_MS; every command that ends or
 * changes a session or an account in this process drops that principal's entries after it commits. Another server
 * process sees a revocation within TTL_MS.
 */
const TTL_MS = 2000;
const MAX = 20_000;

interface Entry<T> {
  value: T;
  principalId: string;
  at: number;
}
const byHash = new Map<string, Entry<unknown>>();

export function cacheGet<T>(hash: string): T | undefined {
  const e = byHash.get(hash);
  if (!e) return undefined;
  if (Date.now() - e.at > TTL_MS) {
    byHash.delete(hash);
    return undefined;
  }
  return e.value as T;
}

export function cacheSet<T>(hash: string, principalId: string, value: T): void {
  if (byHash.size >= MAX) byHash.clear();
  byHash.set(hash, { value, principalId, at: Date.now() });
}

let generation = 0;
const inflight = new Map<string, { gen: number; p: Promise<unknown> }>();

/**
 * Look a session up once however many requests ask at the same moment (when an entry expires, every open request
 * of a busy client would otherwise query at once). A lookup that started before an invalidation is not cached.
 */
export async function cacheLoad<T>(hash: string, load: () => Promise<{ value: T; principalId: string; cache: boolean } | undefined>): Promise<T | undefined> {
  const hit = cacheGet<T>(hash);
  if (hit !== undefined) return hit;
  const running = inflight.get(hash);
  if (running && running.gen === generation) return (await running.p) as T | undefined;
  const gen = generation;
  const p = load()
    .then((r) => {
      if (r?.cache && gen === generation) cacheSet(hash, r.principalId, r.value);
      return r?.value;
    })
    .finally(() => {
      if (inflight.get(hash)?.p === p) inflight.delete(hash);
    });
  inflight.set(hash, { gen, p });
  return p;
}

export function invalidatePrincipal(principalId: string): void {
  generation++;
  for (const [k, e] of byHash) if (e.principalId === principalId) byHash.delete(k);
}

export function invalidateAllSessions(): void {
  generation++;
  byHash.clear();
}
