/**
 * Logical snapshots of a Chidu database: every table of the `public` schema dumped row by row in PostgreSQL's own
 * record text form (`t::text`, read back with the row type's input function, like COPY), plus sequences and the
 * applied migrations. Checksums are computed by the database on both sides with the same session settings, so a
 * copy is verified by the database that received it, not by the code that wrote it.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { MIGRATIONS_DIR } from '../db/paths';

/** The least a snapshot needs from a connection: text in, rows out. Inside a transaction when it matters. */
export interface Q {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

export interface ColumnInfo {
  name: string;
  type: string;
  generated: boolean;
}
export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
}
export interface TableSum {
  name: string;
  rows: number;
  checksum: string;
}
export interface SequenceState {
  name: string;
  lastValue: string;
  isCalled: boolean;
}
export interface MigrationRef {
  tag: string | null;
  hash: string;
  createdAt: string;
}
export interface TableManifest extends TableSum {
  columns: ColumnInfo[];
  file: string;
  sha256: string;
}

/** Session settings under which record text, and so every checksum, is the same on PGlite and PostgreSQL. */
export const CANONICAL_SETTINGS = [
  "SET LOCAL TimeZone = 'UTC'",
  "SET LOCAL DateStyle = 'ISO, YMD'",
  "SET LOCAL IntervalStyle = 'postgres'",
  "SET LOCAL bytea_output = 'hex'",
  'SET LOCAL extra_float_digits = 1',
];

export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
export const qname = (name: string) => `public.${ident(name)}`;

export async function applyCanonicalSettings(q: Q): Promise<void> {
  for (const s of CANONICAL_SETTINGS) await q.query(s);
}

export async function listTables(q: Q): Promise<TableInfo[]> {
  const rows = await q.query<{ table: string; column: string; type: string; generated: string }>(`
    SELECT c.relname AS "table", a.attname AS "column", format_type(a.atttypid, a.atttypmod) AS "type", a.attgenerated::text AS "generated"
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY c.relname, a.attnum`);
  const tables = new Map<string, TableInfo>();
  for (const r of rows) {
    let t = tables.get(r.table);
    if (!t) {
      t = { name: r.table, columns: [] };
      tables.set(r.table, t);
    }
    t.columns.push({ name: r.column, type: r.type, generated: r.generated !== '' });
  }
  return [...tables.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function listSequences(q: Q): Promise<SequenceState[]> {
  const names = await q.query<{ name: string }>(`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'S' ORDER BY c.relname`);
  const out: SequenceState[] = [];
  for (const { name } of names) {
    const [s] = await q.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text AS last_value, is_called FROM ${qname(name)}`);
    out.push({ name, lastValue: s!.last_value, isCalled: s!.is_called === true || (s!.is_called as unknown) === 't' });
  }
  return out;
}

/** Rows of drizzle's migrations table, oldest first ([] when the database was never migrated). */
export async function appliedMigrations(q: Q): Promise<{ hash: string; createdAt: string }[]> {
  const [has] = await q.query<{ t: string | null }>(`SELECT to_regclass('drizzle.__drizzle_migrations')::text AS t`);
  if (!has?.t) return [];
  const rows = await q.query<{ hash: string; created_at: string }>(
    `SELECT hash, created_at::text AS created_at FROM drizzle.__drizzle_migrations ORDER BY created_at, id`,
  );
  return rows.map((r) => ({ hash: r.hash, createdAt: r.created_at }));
}

/** The migrations this code ships, in order, hashed exactly as drizzle hashes them. */
export function codeMigrations(dir = MIGRATIONS_DIR): MigrationRef[] {
  const journal = JSON.parse(readFileSync(path.join(dir, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
  return journal.entries.map((e) => ({
    tag: e.tag,
    hash: createHash('sha256')
      .update(readFileSync(path.join(dir, `${e.tag}.sql`)).toString())
      .digest('hex'),
    createdAt: String(e.when),
  }));
}

/** Name the applied migrations after the code's journal; refuse a database this code does not know. */
export function matchMigrations(applied: { hash: string; createdAt: string }[], what: string): MigrationRef[] {
  const code = codeMigrations();
  if (applied.length > code.length) {
    throw new Error(
      `${what} has ${applied.length} migrations applied but this Chidu knows only ${code.length}: it comes from a newer Chidu; update this installation first`,
    );
  }
  return applied.map((m, i) => {
    const c = code[i]!;
    if (c.hash !== m.hash || c.createdAt !== m.createdAt) {
      throw new Error(
        `${what}: migration ${i} (${c.tag}) differs from this Chidu's (hash ${m.hash.slice(0, 12)} ≠ ${c.hash.slice(0, 12)}); it was made by a different build`,
      );
    }
    return { tag: c.tag, hash: m.hash, createdAt: m.createdAt };
  });
}

/** A migrations folder holding only the first n migrations (to rebuild a schema exactly as old as a snapshot). */
export function migrationsFolderUpTo(n: number): { dir: string; all: boolean } {
  const code = codeMigrations();
  if (n >= code.length) return { dir: MIGRATIONS_DIR, all: true };
  const dir = mkdtempSync(path.join(tmpdir(), 'chidu-migrations-'));
  mkdirSync(path.join(dir, 'meta'));
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  journal.entries = journal.entries.slice(0, n);
  writeFileSync(path.join(dir, 'meta/_journal.json'), JSON.stringify(journal, null, 2));
  for (const e of journal.entries) copyFileSync(path.join(MIGRATIONS_DIR, `${e.tag}.sql`), path.join(dir, `${e.tag}.sql`));
  return { dir, all: false };
}

/**
 * Row count and checksum of one table: md5 over the sorted md5s of every row's record text. Sorting by the row hash
 * (bytewise) makes it independent of physical order, primary-key types and collations.
 */
export async function tableSum(q: Q, table: string): Promise<TableSum> {
  const [r] = await q.query<{ n: string; sum: string }>(`
    SELECT count(*)::text AS n, md5(coalesce(string_agg(h, '' ORDER BY h COLLATE "C"), '')) AS sum
    FROM (SELECT md5(t::text) AS h FROM ${qname(table)} t) s`);
  return { name: table, rows: Number(r!.n), checksum: r!.sum };
}

export async function tableSums(q: Q, tables: string[]): Promise<TableSum[]> {
  const out: TableSum[] = [];
  for (const t of tables) out.push(await tableSum(q, t));
  return out;
}

const BATCH_BYTES = 8 * 1024 * 1024;

/**
 * Write every row of a table to `file`, one JSON string (the record text) per line, through a cursor in the
 * current transaction; batches shrink for wide rows (attachments) so memory stays bounded.
 */
export async function dumpTable(q: Q, table: string, file: string): Promise<{ rows: number; sha256: string }> {
  const out = createWriteStream(file, { mode: 0o600 });
  const hash = createHash('sha256');
  let rows = 0;
  let fetch = 500;
  const cursor = `chidu_dump_${table.replace(/[^a-z0-9_]/gi, '_')}`;
  await q.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT t::text AS r FROM ${qname(table)} t`);
  try {
    for (;;) {
      const batch = await q.query<{ r: string }>(`FETCH FORWARD ${fetch} FROM ${cursor}`);
      if (batch.length === 0) break;
      let bytes = 0;
      const chunk = batch
        .map((b) => {
          bytes += b.r.length;
          return `${JSON.stringify(b.r)}\n`;
        })
        .join('');
      hash.update(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      rows += batch.length;
      fetch = Math.max(1, Math.min(5000, Math.floor(BATCH_BYTES / Math.max(1, bytes / batch.length))));
    }
  } finally {
    await q.query(`CLOSE ${cursor}`).catch(() => undefined);
    out.end();
    await once(out, 'close');
  }
  return { rows, sha256: hash.digest('hex') };
}

export async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Insert the rows of a dump file into a table (all columns but generated ones), in batches. `OFFSET 0` keeps the
 * planner from inlining the cast into every column reference (one record_in per row, not one per column).
 */
export async function loadTable(q: Q, table: TableInfo, file: string): Promise<number> {
  const cols = table.columns.filter((c) => !c.generated).map((c) => ident(c.name));
  const insert = `INSERT INTO ${qname(table.name)} (${cols.join(', ')}) SELECT ${cols.map((c) => `(x).${c}`).join(', ')} FROM (SELECT r::${qname(table.name)} AS x FROM unnest($1::text[]) AS r OFFSET 0) s`;
  let batch: string[] = [];
  let bytes = 0;
  let rows = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await q.query(insert, [batch]);
    rows += batch.length;
    batch = [];
    bytes = 0;
  };
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    const r = JSON.parse(line) as string;
    batch.push(r);
    bytes += r.length;
    if (bytes >= BATCH_BYTES || batch.length >= 1000) await flush();
  }
  await flush();
  return rows;
}

/** Tables ordered so that every table comes after the tables it references; self-references and cycles are reported. */
export async function foreignKeyOrder(q: Q, tables: string[]): Promise<{ order: string[]; selfOrCycle: string[] }> {
  const edges = await q.query<{ child: string; parent: string }>(`
    SELECT ch.relname AS child, pa.relname AS parent
    FROM pg_constraint k JOIN pg_class ch ON ch.oid = k.conrelid JOIN pg_class pa ON pa.oid = k.confrelid
    JOIN pg_namespace n ON n.oid = ch.relnamespace
    WHERE k.contype = 'f' AND n.nspname = 'public'`);
  const deps = new Map<string, Set<string>>(tables.map((t) => [t, new Set<string>()]));
  const selfOrCycle = new Set<string>();
  for (const e of edges) {
    if (e.child === e.parent) {
      selfOrCycle.add(e.child);
      continue;
    }
    deps.get(e.child)?.add(e.parent);
  }
  const order: string[] = [];
  const done = new Set<string>();
  const visiting = new Set<string>();
  const visit = (t: string) => {
    if (done.has(t)) return;
    if (visiting.has(t)) {
      selfOrCycle.add(t);
      return;
    }
    visiting.add(t);
    for (const p of deps.get(t) ?? []) if (deps.has(p)) visit(p);
    visiting.delete(t);
    done.add(t);
    order.push(t);
  };
  for (const t of tables) visit(t);
  return { order, selfOrCycle: [...selfOrCycle].sort() };
}

export function sameColumns(a: ColumnInfo[], b: ColumnInfo[]): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i]!.name && c.type === b[i]!.type && c.generated === b[i]!.generated);
}
