/**
 * Take a snapshot of a database (inside one REPEATABLE READ transaction) and load one into an empty database
 * (inside one transaction that is verified against the snapshot's checksums before it commits).
 * Used by backups (PGlite → file), restores (file → PGlite) and the move to PostgreSQL (PGlite/file → PostgreSQL).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import {
  appliedMigrations,
  applyCanonicalSettings,
  dumpTable,
  foreignKeyOrder,
  ident,
  listSequences,
  listTables,
  loadTable,
  matchMigrations,
  migrationsFolderUpTo,
  qname,
  sameColumns,
  tableSums,
  type MigrationRef,
  type Q,
  type SequenceState,
  type TableManifest,
} from './snapshot';

export interface SnapshotData {
  postgresVersion: string;
  migrations: MigrationRef[];
  tables: TableManifest[];
  sequences: SequenceState[];
}

/** Dump every table into dir/tables/<name>.rows; q must be inside a transaction that the caller opened. */
export async function takeSnapshot(q: Q, dir: string, source: string): Promise<SnapshotData> {
  await q.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
  await applyCanonicalSettings(q);
  const [v] = await q.query<{ v: string }>('SELECT version() AS v');
  const migrations = matchMigrations(await appliedMigrations(q), source);
  if (migrations.length === 0) throw new Error(`${source} holds no Chidu database (no migrations applied)`);
  const tables = await listTables(q);
  const sums = new Map(
    (
      await tableSums(
        q,
        tables.map((t) => t.name),
      )
    ).map((s) => [s.name, s]),
  );
  const sequences = await listSequences(q);
  const out: TableManifest[] = [];
  for (const t of tables) {
    const file = `tables/${t.name}.rows`;
    const { rows, sha256 } = await dumpTable(q, t.name, path.join(dir, file));
    const sum = sums.get(t.name)!;
    if (rows !== sum.rows) throw new Error(`${t.name}: dumped ${rows} rows but counted ${sum.rows} in the same snapshot`);
    out.push({ ...sum, columns: t.columns, file, sha256 });
  }
  return { postgresVersion: v!.v, migrations, tables: out, sequences };
}

export function pgliteQ(c: Pick<PGlite, 'query'>): Q {
  return {
    async query<T>(text: string, params?: unknown[]) {
      return (await c.query<T>(text, params)).rows;
    },
  };
}

interface PgQueryable {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}
export function pgQ(c: PgQueryable): Q {
  return {
    async query<T>(text: string, params?: unknown[]) {
      return (await c.query(text, params)).rows as T[];
    },
  };
}

/** Where a snapshot can be loaded: an empty PGlite DATA_DIR or an empty PostgreSQL database. */
export interface Target {
  kind: 'pglite' | 'postgres';
  describe: string;
  q: Q;
  transaction<T>(fn: (q: Q) => Promise<T>): Promise<T>;
  migrate(folder: string): Promise<void>;
  close(): Promise<void>;
}

export interface TableReport {
  table: string;
  sourceRows: number;
  targetRows: number;
  sourceChecksum: string;
  targetChecksum: string;
  equal: boolean;
}
export interface LoadReport {
  tables: TableReport[];
  sequences: number;
  migrationsApplied: number;
  migrationsAfter: number;
  allEqual: boolean;
  ms: number;
}

export class VerificationError extends Error {
  constructor(public readonly report: TableReport[]) {
    super(
      `verification failed for ${report
        .filter((r) => !r.equal)
        .map((r) => r.table)
        .join(', ')}; nothing was written to the target`,
    );
    this.name = 'VerificationError';
  }
}

/**
 * How many rows an untouched database of this migration level holds per table (the rows migrations seed
 * themselves, e.g. measure_state's version counter, stamped with the time they ran: so counts, not checksums).
 * Computed on an in-memory PGlite.
 */
async function seededCounts(migrationCount: number): Promise<Map<string, number>> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const mem = await PGlite.create();
  try {
    if (migrationCount > 0) await migrate(drizzle({ client: mem }), { migrationsFolder: migrationsFolderUpTo(migrationCount).dir });
    const q = pgliteQ(mem);
    const tables = await listTables(q);
    return new Map(
      (
        await tableSums(
          q,
          tables.map((t) => t.name),
        )
      ).map((s) => [s.name, s.rows]),
    );
  } finally {
    await mem.close();
  }
}

/** Refuse a target that holds anything beyond an untouched Chidu schema no newer than the snapshot. */
export async function assertEmptyTarget(target: Target, snapshot: SnapshotData): Promise<void> {
  const foreign = await target.q.query<{ name: string }>(`
    SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'public', 'drizzle')
      AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
    ORDER BY 1 LIMIT 5`);
  if (foreign.length) throw new Error(`${target.describe} is not empty (it has ${foreign.map((f) => f.name).join(', ')}); use a new, empty database`);
  const applied = await appliedMigrations(target.q);
  const tables = await listTables(target.q);
  if (applied.length === 0) {
    if (tables.length)
      throw new Error(
        `${target.describe} is not empty (it has tables ${tables
          .slice(0, 5)
          .map((t) => t.name)
          .join(', ')}); use a new, empty database`,
      );
    return;
  }
  // A Chidu schema is there (say from an earlier attempt that failed and rolled back): accept it only untouched.
  matchMigrations(applied, target.describe);
  if (applied.length > snapshot.migrations.length) {
    throw new Error(
      `${target.describe} already has a newer Chidu schema (${applied.length} migrations) than the source (${snapshot.migrations.length}); use a new, empty database`,
    );
  }
  const seeded = await seededCounts(applied.length);
  const now = await target.transaction(async (q) =>
    tableSums(
      q,
      tables.map((t) => t.name),
    ),
  );
  const dirty = now.filter((s) => s.rows > (seeded.get(s.name) ?? 0));
  if (dirty.length) {
    throw new Error(
      `${target.describe} is not empty: ${dirty
        .slice(0, 5)
        .map((d) => `${d.name} (${d.rows} ${d.rows === 1 ? 'row' : 'rows'})`)
        .join(', ')}; use a new, empty database`,
    );
  }
}

/**
 * Load a snapshot (dumped by takeSnapshot into dir) into an empty target: the schema by the same migrations as the
 * source had, then all rows in one transaction with triggers off (the append-only audit trigger, the notification
 * outbox trigger: rows are copied, not re-derived), sequences set, every table's count and checksum compared
 * before COMMIT — on any difference the transaction rolls back and the target holds no data. Then any newer
 * migrations of this code run, exactly as a server start would.
 */
export async function loadSnapshot(target: Target, dir: string, snapshot: SnapshotData, log: (line: string) => void = () => undefined): Promise<LoadReport> {
  const t0 = performance.now();
  await assertEmptyTarget(target, snapshot);
  const level = migrationsFolderUpTo(snapshot.migrations.length);
  log(`schema: ${snapshot.migrations.length} migrations (${snapshot.migrations.at(-1)?.tag ?? '—'})`);
  await target.migrate(level.dir);
  for (const t of snapshot.tables) if (!existsSync(path.join(dir, t.file))) throw new Error(`snapshot is missing ${t.file}`);

  const report = await target.transaction(async (q) => {
    await applyCanonicalSettings(q);
    const tables = await listTables(q);
    const byName = new Map(tables.map((t) => [t.name, t]));
    const missing = snapshot.tables.filter((t) => !byName.has(t.name)).map((t) => t.name);
    const extra = tables.filter((t) => !snapshot.tables.some((s) => s.name === t.name)).map((t) => t.name);
    if (missing.length || extra.length)
      throw new Error(`the target schema does not match the source (missing: ${missing.join(', ') || '—'}; extra: ${extra.join(', ') || '—'})`);
    for (const t of snapshot.tables) {
      if (!sameColumns(t.columns, byName.get(t.name)!.columns)) throw new Error(`the columns of ${t.name} differ between source and target`);
    }
    const { order, selfOrCycle } = await foreignKeyOrder(
      q,
      tables.map((t) => t.name),
    );
    const [role] = await q.query<{ super: boolean | string }>('SELECT rolsuper AS super FROM pg_roles WHERE rolname = current_user');
    const superuser = role?.super === true || role?.super === 't';
    let disabled: string[] = [];
    if (superuser) {
      // Triggers (user and foreign-key) do not fire for this transaction only.
      await q.query("SET LOCAL session_replication_role = 'replica'");
    } else {
      if (selfOrCycle.length)
        throw new Error(`${selfOrCycle.join(', ')} reference themselves; loading them needs a superuser connection (session_replication_role)`);
      const withTriggers = await q.query<{ t: string }>(`
        SELECT DISTINCT c.relname AS t FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND NOT g.tgisinternal ORDER BY 1`);
      disabled = withTriggers.map((r) => r.t);
      // As the owner of the tables (who ran the migrations): user triggers off, inside this transaction.
      for (const t of disabled) await q.query(`ALTER TABLE ${qname(t)} DISABLE TRIGGER USER`);
    }
    // Remove what the migrations seeded (assertEmptyTarget proved there is nothing else).
    await q.query(`TRUNCATE ${order.map(qname).join(', ')}`);
    const manifestOf = new Map(snapshot.tables.map((t) => [t.name, t]));
    for (const name of order) {
      const t0t = performance.now();
      const rows = await loadTable(q, byName.get(name)!, path.join(dir, manifestOf.get(name)!.file));
      if (rows > 0) log(`  ${name}: ${rows} ${rows === 1 ? 'row' : 'rows'} (${Math.round(performance.now() - t0t)} ms)`);
    }
    for (const s of snapshot.sequences) {
      const [exists] = await q.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [qname(s.name)]);
      if (!exists?.t) throw new Error(`sequence ${s.name} does not exist in the target`);
      await q.query(`SELECT setval($1::regclass, $2::bigint, $3::boolean)`, [qname(s.name), s.lastValue, s.isCalled]);
    }
    for (const t of disabled) await q.query(`ALTER TABLE ${qname(t)} ENABLE TRIGGER USER`);
    const sums = await tableSums(
      q,
      snapshot.tables.map((t) => t.name),
    );
    const tablesReport = snapshot.tables.map((src, i): TableReport => {
      const dst = sums[i]!;
      return {
        table: src.name,
        sourceRows: src.rows,
        targetRows: dst.rows,
        sourceChecksum: src.checksum,
        targetChecksum: dst.checksum,
        equal: src.rows === dst.rows && src.checksum === dst.checksum,
      };
    });
    if (tablesReport.some((r) => !r.equal)) throw new VerificationError(tablesReport);
    return tablesReport;
  });

  let after = 0;
  if (!level.all) {
    const before = (await appliedMigrations(target.q)).length;
    await target.migrate(migrationsFolderUpTo(Infinity).dir);
    after = (await appliedMigrations(target.q)).length - before;
    log(`schema: ${after} newer migrations applied after the copy`);
  }
  return {
    tables: report,
    sequences: snapshot.sequences.length,
    migrationsApplied: snapshot.migrations.length,
    migrationsAfter: after,
    allEqual: report.every((r) => r.equal),
    ms: Math.round(performance.now() - t0),
  };
}

/** The verification report as a fixed-width table. */
export function formatReport(report: LoadReport): string {
  const head = ['table', 'source rows', 'target rows', 'checksum (md5)', 'result'];
  const rows = report.tables.map((r) => [
    r.table,
    String(r.sourceRows),
    String(r.targetRows),
    r.equal ? r.sourceChecksum : `${r.sourceChecksum} ≠ ${r.targetChecksum}`,
    r.equal ? 'equal' : 'DIFFERENT',
  ]);
  const total = report.tables.reduce((a, r) => a + r.sourceRows, 0);
  const totalT = report.tables.reduce((a, r) => a + r.targetRows, 0);
  rows.push([`${report.tables.length} tables`, String(total), String(totalT), '', report.allEqual ? 'all equal' : 'DIFFERENCES']);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 || i === 2 ? c.padStart(w[i]!) : c.padEnd(w[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.slice(0, -1).map(line), w.map((n) => '-'.repeat(n)).join('  '), line(rows.at(-1)!)].join(
    '\n',
  );
}

export { ident };
