/**
 * Backups of the embedded installation: one .tar.gz with manifest.json, a logical dump of every table taken in one
 * REPEATABLE READ transaction (PGlite runs it exclusively: requests wait for the snapshot, not for the compression),
 * and the files of DATA_DIR outside the database (secret.key and any other *.key, …).
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, copyFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { loadSnapshot, pgliteQ, takeSnapshot, type LoadReport, type SnapshotData } from './copy';
import { fileSha256 } from './snapshot';
import { extractTarGz, writeTarGz, type TarInput } from './tar';
import { openPgliteDir, pgliteTarget } from './targets';

export const BACKUP_FORMAT = 'chidu-backup';
export const BACKUP_FORMAT_VERSION = 1;

export interface BackupFile {
  path: string;
  size: number;
  sha256: string;
  mode: number;
}
export interface Manifest extends SnapshotData {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  chiduVersion: string;
  createdAt: string;
  source: { kind: 'pglite'; dataDir: string; host: string };
  snapshotMs: number;
  files: BackupFile[];
}

/** Names in DATA_DIR that are not data: the database (dumped logically), the lock, the admin socket, backups. */
const NOT_DATA = new Set(['pgdata', 'chidu.lock', 'run']);
const isBackupArtefact = (name: string) => /^chidu-backup-.*\.tar\.gz(\.partial)?$/.test(name) || name.startsWith('.chidu-backup-');

export function chiduVersion(): string {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
  try {
    return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

const pad = (n: number) => String(n).padStart(2, '0');
/** chidu-backup-YYYYMMDD-HHMMSS.tar.gz (UTC). */
export function backupFileName(d = new Date()): string {
  return `chidu-backup-${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}.tar.gz`;
}

/** Regular files of DATA_DIR that are not the database (relative posix paths). */
export function dataDirFiles(dataDir: string): { rel: string; abs: string }[] {
  const out: { rel: string; abs: string }[] = [];
  const walk = (dir: string, rel: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if ((!rel && NOT_DATA.has(e.name)) || isBackupArtefact(e.name)) continue;
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) walk(abs, r);
      else if (e.isFile()) out.push({ rel: r, abs });
    }
  };
  if (existsSync(dataDir)) walk(dataDir, '');
  return out.sort((a, b) => (a.rel < b.rel ? -1 : 1));
}

/**
 * Write a backup of the database behind `client` (open on dataDir) to `out`. The file appears complete or not at
 * all (written as out.partial, then renamed).
 */
export async function backupPglite(client: PGlite, dataDir: string, out: string): Promise<Manifest> {
  const target = path.resolve(out);
  if (existsSync(target)) throw new Error(`${target} already exists`);
  const work = mkdtempSync(path.join(path.dirname(target), '.chidu-backup-'));
  try {
    mkdirSync(path.join(work, 'tables'));
    const t0 = performance.now();
    const snapshot = await client.transaction((tx) => takeSnapshot(pgliteQ(tx), work, `DATA_DIR ${dataDir}`));
    const snapshotMs = Math.round(performance.now() - t0);
    const files: BackupFile[] = [];
    const entries: TarInput[] = [];
    for (const f of dataDirFiles(dataDir)) {
      // Copy first so the bytes archived are the bytes hashed.
      const copy = path.join(work, 'files', f.rel);
      mkdirSync(path.dirname(copy), { recursive: true });
      copyFileSync(f.abs, copy);
      const st = statSync(f.abs);
      files.push({ path: f.rel, size: statSync(copy).size, sha256: await fileSha256(copy), mode: st.mode & 0o777 });
      entries.push({ name: `files/${f.rel}`, file: copy, mode: st.mode & 0o777 });
    }
    const manifest: Manifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      chiduVersion: chiduVersion(),
      createdAt: new Date().toISOString(),
      source: { kind: 'pglite', dataDir: path.resolve(dataDir), host: hostname() },
      snapshotMs,
      ...snapshot,
      files,
    };
    await writeTarGz(`${target}.partial`, [
      { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest, null, 2)), mode: 0o600 },
      ...snapshot.tables.map((t) => ({ name: t.file, file: path.join(work, t.file), mode: 0o600 })),
      ...entries,
    ]);
    renameSync(`${target}.partial`, target);
    return manifest;
  } catch (err) {
    rmSync(`${target}.partial`, { force: true });
    throw err;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Backup with the server stopped: open DATA_DIR directly (under its lock). */
export async function backupOffline(dataDir: string, out: string): Promise<Manifest> {
  const opened = await openPgliteDir(dataDir);
  try {
    return await backupPglite(opened.client, opened.dir, out);
  } finally {
    await opened.close();
  }
}

export interface OpenedBackup {
  dir: string;
  manifest: Manifest;
  cleanup(): void;
}

/** Unpack a backup into a temporary folder and check it: format, every table file and data file against its hash. */
export async function openBackup(file: string, workParent?: string): Promise<OpenedBackup> {
  if (!existsSync(file)) throw new Error(`${file}: no such file`);
  const dir = mkdtempSync(path.join(workParent ?? path.dirname(path.resolve(file)), '.chidu-restore-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    await extractTarGz(file, dir);
    if (!existsSync(path.join(dir, 'manifest.json'))) throw new Error(`${file} is not a Chidu backup (no manifest.json)`);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
    if (manifest.format !== BACKUP_FORMAT) throw new Error(`${file} is not a Chidu backup (format ${JSON.stringify(manifest.format)})`);
    if (manifest.formatVersion > BACKUP_FORMAT_VERSION)
      throw new Error(`${file} has backup format ${manifest.formatVersion}; this Chidu reads up to ${BACKUP_FORMAT_VERSION}`);
    for (const t of manifest.tables) {
      const p = path.join(dir, t.file);
      if (!existsSync(p)) throw new Error(`${file} is incomplete: ${t.file} is missing`);
      if ((await fileSha256(p)) !== t.sha256) throw new Error(`${file} is damaged: ${t.file} does not match its hash in the manifest`);
    }
    for (const f of manifest.files) {
      const p = path.join(dir, 'files', f.path);
      if (!existsSync(p)) throw new Error(`${file} is incomplete: files/${f.path} is missing`);
      if ((await fileSha256(p)) !== f.sha256) throw new Error(`${file} is damaged: files/${f.path} does not match its hash in the manifest`);
    }
    return { dir, manifest, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}

const isEmptyDir = (dir: string) => !existsSync(dir) || readdirSync(dir).filter((n) => n !== 'lost+found').length === 0;

export interface RestoreResult {
  dataDir: string;
  manifest: Manifest;
  report: LoadReport;
  movedAside: string | null;
}

/**
 * Restore a backup into DATA_DIR, which must be empty (or missing). With force, what DATA_DIR holds is first moved
 * aside into a sibling folder (nothing is deleted); a running server (the lock) is still refused.
 * Every table is verified against the manifest before the restore commits; on failure DATA_DIR is left empty.
 */
export async function restoreBackup(file: string, dataDir: string, opts: { force?: boolean; log?: (line: string) => void } = {}): Promise<RestoreResult> {
  const log = opts.log ?? (() => undefined);
  const dir = path.resolve(dataDir);
  // Unpacked beside DATA_DIR: the disk that must hold the restored data anyway.
  mkdirSync(path.dirname(dir), { recursive: true });
  const backup = await openBackup(file, path.dirname(dir));
  let movedAside: string | null = null;
  try {
    log(
      `backup of ${backup.manifest.createdAt} (Chidu ${backup.manifest.chiduVersion}, ${backup.manifest.tables.length} tables, ${backup.manifest.files.length} files): archive checked`,
    );
    if (!isEmptyDir(dir)) {
      if (!opts.force) throw new Error(`${dir} is not empty; restore into a new DATA_DIR, or add --force to move its contents aside first`);
      if (existsSync(path.join(dir, 'chidu.lock'))) {
        // Refuses a running server, takes over a stale lock.
        const { acquireDataDirLock } = await import('../db/lock');
        acquireDataDirLock(dir).release();
      }
      movedAside = `${dir}.before-restore-${backupFileName().slice('chidu-backup-'.length, -'.tar.gz'.length)}`;
      mkdirSync(movedAside);
      for (const name of readdirSync(dir)) if (name !== 'lost+found') renameSync(path.join(dir, name), path.join(movedAside, name));
      log(`moved the previous contents of ${dir} to ${movedAside}`);
    }
    mkdirSync(dir, { recursive: true });
    const opened = await openPgliteDir(dir, { create: true });
    let report: LoadReport;
    try {
      report = await loadSnapshot(pgliteTarget(opened), backup.dir, backup.manifest, log);
      for (const f of backup.manifest.files) {
        const dest = path.join(dir, ...f.path.split('/'));
        if (!dest.startsWith(dir + path.sep) || lstatSync(path.join(backup.dir, 'files', f.path)).isSymbolicLink())
          throw new Error(`unsafe file path in the backup: ${f.path}`);
        mkdirSync(path.dirname(dest), { recursive: true });
        copyFileSync(path.join(backup.dir, 'files', f.path), dest);
        chmodSync(dest, f.mode & 0o777);
      }
    } catch (err) {
      await opened.close().catch(() => undefined);
      // Leave DATA_DIR as it was given: empty, or with what --force had moved aside moved back.
      for (const name of readdirSync(dir)) if (name !== 'lost+found') rmSync(path.join(dir, name), { recursive: true, force: true });
      if (movedAside) {
        for (const name of readdirSync(movedAside)) renameSync(path.join(movedAside, name), path.join(dir, name));
        rmSync(movedAside, { recursive: true, force: true });
      }
      throw err;
    }
    await opened.close();
    return { dataDir: dir, manifest: backup.manifest, report, movedAside };
  } finally {
    backup.cleanup();
  }
}
