/**
 * The catalogue of active standards, as the engine reads it on every ticket event: current versions of the active
 * standards, cached per process (versions are immutable: cached forever) and invalidated through NOTIFY.
 */
import type { Executor } from '../db/client';
import type { StandardDefinition } from '../modules/standards/definition';
import { clocksRepo } from './clocks.repo';

export interface VersionInfo {
  id: string;
  standardId: string;
  version: number;
  code: string;
  def: StandardDefinition;
  /** In the active catalogue: when the standard was adopted (ms). A standard never reaches back before it. */
  adoptedAt?: number;
}

const versionCache = new Map<string, VersionInfo>();

export async function loadVersions(ex: Executor, ids: Iterable<string>): Promise<Map<string, VersionInfo>> {
  const want = [...new Set(ids)];
  const missing = want.filter((id) => !versionCache.has(id));
  if (missing.length) {
    const rows = await clocksRepo.versions(ex, missing);
    for (const r of rows)
      versionCache.set(r.id, { id: r.id, standardId: r.standardId, version: r.version, code: r.code, def: r.definition as StandardDefinition });
  }
  const out = new Map<string, VersionInfo>();
  for (const id of want) {
    const v = versionCache.get(id);
    if (v) out.set(id, v);
  }
  return out;
}

export const CATALOGUE_CHANNEL = 'chidu_standards_changed';
/** Longest a process trusts its cached catalogue without hearing of a change (NOTIFY normally arrives in ms). */
const CATALOGUE_TTL_MS = Number(process.env.CHIDU_STANDARDS_CATALOGUE_TTL_MS ?? 5000);
let catalogueCache: { at: number; generation: number; value: Promise<VersionInfo[]> } | null = null;
let catalogueGeneration = 0;

/** Forget the cached catalogue: called after a standard changes (this process) and on NOTIFY (every process). */
export function invalidateCatalogue(): void {
  catalogueGeneration++;
  catalogueCache = null;
}

/**
 * Current versions of the active standards. Cached per process (no query on most ticket events); a change made
 * anywhere invalidates it through NOTIFY chidu_standards_changed, and the cache never outlives CATALOGUE_TTL_MS.
 */
export function activeCatalogue(ex: Executor): Promise<VersionInfo[]> {
  const now = Date.now();
  if (catalogueCache && now - catalogueCache.at < CATALOGUE_TTL_MS && catalogueCache.generation === catalogueGeneration) return catalogueCache.value;
  const generation = catalogueGeneration;
  const value = readCatalogue(ex);
  // Only a successful read is shared (a failed one, e.g. in an aborted transaction, is not cached).
  value.then(
    () => {
      if (generation === catalogueGeneration) catalogueCache = { at: now, generation, value };
    },
    () => undefined,
  );
  return value;
}

/** Announce a catalogue change to every process (delivered on commit). */
export async function announceCatalogueChange(tx: Executor): Promise<void> {
  await clocksRepo.notify(tx, CATALOGUE_CHANNEL, '');
}

async function readCatalogue(ex: Executor): Promise<VersionInfo[]> {
  const rows = await clocksRepo.activeVersionIds(ex);
  if (rows.length === 0) return [];
  const versions = await loadVersions(
    ex,
    rows.map((r) => r.versionId),
  );
  return rows.flatMap((r) => {
    const v = versions.get(r.versionId);
    return v ? [{ ...v, adoptedAt: r.adoptedAt.getTime() }] : [];
  });
}
