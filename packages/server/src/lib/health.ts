/**
 * Process health: the counters and gauges of the failure handling (for `/readyz`, the logs and a metrics endpoint),
 * the storage guard of the embedded database, and the readiness checks.
 *
 * For a metrics exporter: `healthCounters` (monotonic counters), `inFlightRequests()`, `createQueueDepth()`,
 * `poolStats(database)` (node-postgres pool totalCount / idleCount / waitingCount; null on PGlite),
 * `deadlineLagMs(database)` (age of the oldest due, unfired standards deadline; 0 when none is due),
 * `storageGuards.get(database)?.freeBytes()` (free bytes on DATA_DIR, embedded mode).
 */
import { readFileSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { MIGRATIONS_DIR } from '../db/paths';
import { AppError } from './errors';
import type { DbFault } from './db-faults';

// ───────────────────────────── counters and gauges ─────────────────────────────

/** Monotonic counters since the process started. */
export const healthCounters = {
  /** Requests answered 503 database_unavailable / database_busy, 507 storage_full. */
  dbUnavailable: 0,
  dbBusy: 0,
  storageFull: 0,
  /** Requests refused 503 overloaded (in-flight limit or create-queue limit). */
  shedInFlight: 0,
  shedCreateQueue: 0,
  /** pg client 'error' events handled (connections dropped while idle or checked out). */
  pgClientErrors: 0,
  /** Worker passes that met a database fault and backed off. */
  workerBackoffs: 0,
};

/** Where the database layer logs what it survives (the app's logger once it is built). */
let faultLogger: GuardLog | null = null;
export const faultLog = () => faultLogger;
export function setFaultLog(log: GuardLog): void {
  faultLogger = log;
}

const lastFault = { at: 0, kind: null as DbFault | null };
const lastFaultAt: Record<DbFault, number> = { unavailable: 0, busy: 0, storage_full: 0 };
/** When a fault of this kind was last met (ms since the epoch; 0 = never). */
export const lastFaultOf = (kind: DbFault) => lastFaultAt[kind];

/** A request (or worker) met a database fault: count it and remember it for readiness. */
export function recordDbFault(kind: DbFault): void {
  if (kind === 'unavailable') healthCounters.dbUnavailable++;
  else if (kind === 'busy') healthCounters.dbBusy++;
  else healthCounters.storageFull++;
  lastFault.at = Date.now();
  lastFault.kind = kind;
  lastFaultAt[kind] = lastFault.at;
}

export function lastDbFault(): { at: number; kind: DbFault | null } {
  return { ...lastFault };
}

let inFlight = 0;
export const inFlightRequests = () => inFlight;
export const requestStarted = () => {
  inFlight++;
};
export const requestEnded = () => {
  inFlight = Math.max(0, inFlight - 1);
};

let queueDepthFn: () => number = () => 0;
/** Ticket creates waiting for a batch in this process (all databases). */
export const createQueueDepth = () => queueDepthFn();
export function setCreateQueueDepth(fn: () => number): void {
  queueDepthFn = fn;
}
let queueAgeFn: (database: Database) => number = () => 0;
/** How long the oldest ticket create waiting for its batch on this database has waited (ms; 0 when none waits). */
export const createQueueAgeMs = (database: Database) => queueAgeFn(database);
export function setCreateQueueAge(fn: (database: Database) => number): void {
  queueAgeFn = fn;
}

export interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}
export function poolStats(database: Database): PoolStats | null {
  return database.poolStats?.() ?? null;
}

/** Age (ms) of the oldest deadline that is due and not fired yet (a row under a worker's claim counts for the milliseconds it is held). */
export async function deadlineLagMs(database: Database): Promise<number> {
  const [row] = await database.rows<{ lag: number | string | null }>(
    sql`SELECT (extract(epoch FROM now() - min(next_action_at)) * 1000)::float8 AS lag FROM standard_instances WHERE next_action_at <= now()`,
  );
  return Math.max(0, Number(row?.lag ?? 0));
}

// ───────────────────────────── storage guard (embedded database) ─────────────────────────────

/** WAL segment (16 MB) and some: below this PGlite is never asked to write (see docs/operations.md, "Storage full"). */
const HARD_FLOOR_BYTES = 24 * 1024 * 1024;
const MB = 1024 * 1024;

export interface GuardLog {
  warn(o: unknown, m?: string): void;
  error(o: unknown, m?: string): void;
  info(o: unknown, m?: string): void;
}

/**
 * Free space on DATA_DIR, read with statfs (cached for 250 ms). Writes are refused (507 storage_full) below
 * `minFreeBytes`; any transaction at all (workers included) below the hard floor, because PGlite does not recover
 * in-process from a failed WAL segment allocation. A warning is logged when free space crosses `warnFreeBytes`.
 */
export class StorageGuard {
  private cached = { at: 0, free: Number.POSITIVE_INFINITY };
  private warned = false;
  constructor(
    readonly dir: string,
    readonly minFreeBytes: number,
    readonly warnFreeBytes: number,
  ) {}

  private get log(): GuardLog | null {
    return faultLogger;
  }

  freeBytes(): number {
    const now = Date.now();
    if (now - this.cached.at < 250) return this.cached.free;
    let free = Number.POSITIVE_INFINITY;
    try {
      const s = statfsSync(this.dir);
      free = s.bavail * s.bsize;
    } catch {
      /* not a file system we can ask: no guard */
    }
    this.cached = { at: now, free };
    if (free < this.warnFreeBytes && !this.warned) {
      this.warned = true;
      this.log?.warn(
        { dataDir: this.dir, freeMb: Math.floor(free / MB), warnBelowMb: Math.floor(this.warnFreeBytes / MB) },
        'low disk space for the embedded database',
      );
    } else if (free >= this.warnFreeBytes && this.warned) {
      this.warned = false;
      this.log?.info({ dataDir: this.dir, freeMb: Math.floor(free / MB) }, 'disk space for the embedded database is back above the warning threshold');
    }
    return free;
  }

  /** Below the write threshold (requests' writes are refused). */
  get low(): boolean {
    return this.minFreeBytes > 0 && this.freeBytes() < this.minFreeBytes;
  }
  /** Below the hard floor (no transaction at all). */
  get critical(): boolean {
    return this.minFreeBytes > 0 && this.freeBytes() < Math.min(this.minFreeBytes, HARD_FLOOR_BYTES);
  }

  /** Throw 507 storage_full when writes must not be attempted. */
  assertWritable(hard = false): void {
    if (hard ? this.critical : this.low) {
      throw new AppError(
        'storage_full',
        `The database storage is full (${Math.floor(this.freeBytes() / MB)} MB free on the data volume, writes need ${Math.ceil(this.minFreeBytes / MB)} MB); nothing was saved. An administrator has to free or add disk space.`,
      );
    }
  }
}

export const storageGuards = new WeakMap<Database, StorageGuard>();

// ───────────────────────────── readiness ─────────────────────────────

export interface ReadyOptions {
  deadlineLagMs: number;
  faultWindowMs: number;
  minFreeBytes: number;
}
export interface Check {
  ok: boolean;
  [k: string]: unknown;
}

let journalCount: number | null = null;
function expectedMigrations(): number {
  if (journalCount === null) {
    const j = JSON.parse(readFileSync(path.join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] };
    journalCount = j.entries.length;
  }
  return journalCount;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 200);

/**
 * The readiness checks: `database` (a round trip within 2 s), `migrations` (every migration of this build applied),
 * `faults` (no request met database_busy / database_unavailable / storage_full in the last window — a lock held on a
 * table, a dropped database or a full disk show here even though `SELECT 1` still answers), `deadlines` (the
 * standards worker keeps up), `disk` (embedded mode: free space on DATA_DIR above the write threshold).
 */
export async function readiness(database: Database, opts: ReadyOptions): Promise<{ ready: boolean; checks: Record<string, Check> }> {
  const checks: Record<string, Check> = {};
  const t0 = performance.now();
  try {
    await withTimeout(database.rows(sql`SELECT 1`), 2000);
    checks.database = { ok: true, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    checks.database = { ok: false, error: errText(err) };
  }
  if (checks.database.ok) {
    try {
      const [row] = await withTimeout(database.rows<{ n: number | string }>(sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`), 2000);
      const applied = Number(row?.n ?? 0);
      const expected = expectedMigrations();
      checks.migrations = { ok: applied >= expected, applied, expected };
    } catch (err) {
      checks.migrations = { ok: false, error: errText(err) };
    }
    try {
      const lag = await withTimeout(deadlineLagMs(database), 2000);
      checks.deadlines = { ok: lag <= opts.deadlineLagMs, lagMs: Math.round(lag), thresholdMs: opts.deadlineLagMs };
    } catch (err) {
      checks.deadlines = { ok: false, error: errText(err) };
    }
  }
  const f = lastDbFault();
  const since = f.at ? Date.now() - f.at : null;
  checks.faults =
    since !== null && since < opts.faultWindowMs
      ? { ok: false, last: f.kind === 'busy' ? 'database_busy' : f.kind === 'unavailable' ? 'database_unavailable' : 'storage_full', msAgo: since }
      : { ok: true };
  const guard = storageGuards.get(database);
  if (guard) {
    const free = guard.freeBytes();
    checks.disk = { ok: !guard.low, freeMb: Number.isFinite(free) ? Math.floor(free / MB) : null, minFreeMb: Math.ceil(guard.minFreeBytes / MB) };
  }
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}
