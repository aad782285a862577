/**
 * `npm run backup`, `npm run restore -- <file>`, `npm run move-to-postgres -- postgres://…` (scripts/ops.mjs).
 * Each prints what it did and exits 0, or prints one `chidu: …` line and exits 1 (2 for a usage error).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { DataDirLockedError } from '../db/lock';
import { NoServerError, requestBackup, summarize, type BackupSummary } from './admin-socket';
import { backupFileName, backupOffline, restoreBackup } from './backup';
import { formatReport, VerificationError } from './copy';
import { moveToPostgres } from './move';

class UsageError extends Error {}

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

function parseArgs(argv: string[], valued: string[], bools: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (bools.includes(name)) {
      flags.set(name, true);
      continue;
    }
    if (!valued.includes(name)) throw new UsageError(`unknown option --${name}`);
    const v = inline ?? argv[++i];
    if (v === undefined || v === '') throw new UsageError(`--${name} needs a value`);
    flags.set(name, v);
  }
  return { positional, flags };
}

const str = (p: Parsed, name: string) => {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
};
/** Paths typed on the command line are relative to where the user typed them (npm run moves to the project root). */
let userCwd = process.cwd();
const userPath = (p: string) => path.resolve(userCwd, p);
/** DATA_DIR: --data-dir, else the variable exactly as the server reads it (relative to the project root). */
const dataDirOf = (p: Parsed, env: NodeJS.ProcessEnv) => {
  const d = str(p, 'data-dir');
  return d ? userPath(d) : path.resolve(env.DATA_DIR || './data');
};
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 2 : 0)} MB`;

/** Output path: --out may be a folder (the default name goes into it) or a file name. */
function outputPath(p: Parsed, name: string): string {
  const out = str(p, 'out');
  if (!out) return userPath(name);
  if (existsSync(userPath(out)) && statSync(userPath(out)).isDirectory()) return path.resolve(userPath(out), name);
  return userPath(out);
}

function printBackup(s: BackupSummary, mode: string, print: (l: string) => void) {
  const rows = s.tables.reduce((a, t) => a + t.rows, 0);
  print(`Backup written: ${s.file} (${mb(statSync(s.file).size)})`);
  print(`  ${mode}; snapshot of ${s.tables.length} tables, ${rows} rows, ${s.migrations} migrations, taken in ${s.snapshotMs} ms at ${s.createdAt}`);
  print(`  files from DATA_DIR: ${s.files.length ? s.files.join(', ') : 'none'}`);
  print(`  Restore with: npm run restore -- ${s.file}   (into an empty DATA_DIR)`);
}

async function backup(argv: string[], env: NodeJS.ProcessEnv, print: (l: string) => void): Promise<void> {
  const p = parseArgs(argv, ['out', 'data-dir'], ['offline']);
  if (p.positional.length) throw new UsageError(`unexpected argument ${p.positional[0]}`);
  if (env.DATABASE_URL && !p.flags.has('data-dir')) {
    const file = outputPath(p, backupFileName().replace(/\.tar\.gz$/, '.pgdump'));
    const u = new URL(env.DATABASE_URL);
    const password = decodeURIComponent(u.password);
    u.password = '';
    print(`DATABASE_URL is set: running pg_dump (custom format) to ${file}`);
    // The dump is the whole database: readable by this account only (pg_dump creates the file).
    process.umask(0o077);
    const r = spawnSync('pg_dump', ['--format=custom', `--file=${file}`, `--dbname=${u.toString()}`], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...env, ...(password ? { PGPASSWORD: password } : {}) },
    });
    if (r.error)
      throw new Error(`cannot run pg_dump (${(r.error as NodeJS.ErrnoException).code}); install the PostgreSQL client tools of your server's version`);
    if (r.status !== 0) throw new Error(`pg_dump failed (exit ${r.status})`);
    print(`Backup written: ${file} (${mb(statSync(file).size)}). Restore into an empty database with: pg_restore --no-owner --dbname=postgres://… ${file}`);
    return;
  }
  const dataDir = dataDirOf(p, env);
  if (!existsSync(dataDir)) throw new Error(`DATA_DIR ${dataDir} does not exist (set DATA_DIR or --data-dir)`);
  const file = outputPath(p, backupFileName());
  if (existsSync(file)) throw new Error(`${file} already exists`);
  if (!p.flags.has('offline')) {
    try {
      printBackup(await requestBackup(dataDir, file), 'online (asked the running server)', print);
      return;
    } catch (err) {
      if (!(err instanceof NoServerError)) throw err;
    }
  }
  try {
    const m = await backupOffline(dataDir, file);
    printBackup(summarize(file, m), 'offline (no server running on this DATA_DIR)', print);
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      throw new Error(
        `a Chidu server (pid ${err.pid}) holds ${dataDir} but did not answer on its admin socket (${path.join(dataDir, 'run/admin.sock')}); ` +
          'restart it with this version of Chidu, or stop it and run the backup again',
        { cause: err },
      );
    }
    throw err;
  }
}

async function restore(argv: string[], env: NodeJS.ProcessEnv, print: (l: string) => void): Promise<void> {
  const p = parseArgs(argv, ['data-dir'], ['force']);
  const [file, extra] = p.positional;
  if (!file || extra) throw new UsageError('usage: npm run restore -- <chidu-backup-….tar.gz> [--data-dir DIR] [--force]');
  if (file.endsWith('.pgdump'))
    throw new Error(`${file} is a PostgreSQL dump: restore it into an empty database with pg_restore --no-owner --dbname=postgres://… ${file}`);
  const dataDir = dataDirOf(p, env);
  const r = await restoreBackup(userPath(file), dataDir, { force: p.flags.has('force'), log: print });
  print('');
  print(formatReport(r.report));
  print('');
  if (r.movedAside) print(`The previous contents of DATA_DIR are in ${r.movedAside}.`);
  print(`Restored ${r.report.tables.length} tables and ${r.manifest.files.length} files into ${r.dataDir} (${r.report.ms} ms).`);
  print(`Start it with: DATA_DIR=${r.dataDir} npm start`);
}

async function move(argv: string[], env: NodeJS.ProcessEnv, print: (l: string) => void): Promise<void> {
  const p = parseArgs(argv, ['data-dir', 'from-backup'], []);
  const [url, extra] = p.positional;
  if (!url || extra) throw new UsageError('usage: npm run move-to-postgres -- postgres://user@host:5432/db [--data-dir DIR | --from-backup FILE]');
  if (p.flags.has('data-dir') && p.flags.has('from-backup')) throw new UsageError('give --data-dir or --from-backup, not both');
  const backupFile = str(p, 'from-backup');
  const from = backupFile ? { backupFile: userPath(backupFile) } : { dataDir: dataDirOf(p, env) };
  const r = await moveToPostgres(url, from, print);
  print('');
  print(`Verification (${r.source} → ${r.target}; counts and checksums computed by each database):`);
  print(formatReport(r.report));
  print('');
  print(`Moved ${r.report.tables.length} tables and ${r.report.sequences} sequences in ${r.report.ms} ms; all tables equal.`);
  for (const k of r.keyFiles) {
    const read = backupFile ? `tar -xzOf ${userPath(backupFile)} files/${k}` : `cat ${path.join(dataDirOf(p, env), k)}`;
    print(`Key file ${k}: a PostgreSQL installation has no DATA_DIR, so carry the key over — set CHIDU_SECRET_KEY to its contents`);
    print(`  (CHIDU_SECRET_KEY="$(${read})", see docs/security.md), or secrets stored encrypted in the database cannot be read.`);
  }
  if (r.otherFiles.length) print(`Other files in DATA_DIR (not in the database): ${r.otherFiles.join(', ')}`);
  print('The embedded database is unchanged; keep it (or a backup) until you are satisfied.');
  print('Start Chidu on PostgreSQL with:');
  print(`  ${r.keyFiles.includes('secret.key') ? 'CHIDU_SECRET_KEY=… ' : ''}${r.startLine}`);
}

export async function runOps(
  command: string | undefined,
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  print: (l: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<number> {
  userCwd = env.INIT_CWD || process.cwd();
  try {
    if (command === 'backup') await backup(argv, env, print);
    else if (command === 'restore') await restore(argv, env, print);
    else if (command === 'move-to-postgres') await move(argv, env, print);
    else throw new UsageError(`unknown command ${command ?? ''} (backup, restore, move-to-postgres)`);
    return 0;
  } catch (err) {
    if (err instanceof VerificationError) {
      print(formatReport({ tables: err.report, sequences: 0, migrationsApplied: 0, migrationsAfter: 0, allEqual: false, ms: 0 }));
    }
    process.stderr.write(`chidu: ${(err as Error).message}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}
