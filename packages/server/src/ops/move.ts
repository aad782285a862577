/**
 * Move an embedded installation (a stopped DATA_DIR, or a backup file) into an empty PostgreSQL database: the same
 * migrations, every row in one transaction verified by count and checksum before it commits, sequences carried over.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dataDirFiles, openBackup } from './backup';
import { loadSnapshot, pgliteQ, takeSnapshot, type LoadReport, type SnapshotData } from './copy';
import { openPgliteDir, pgTarget, redactUrl } from './targets';

export type MoveSource = { dataDir: string } | { backupFile: string };

export interface MoveResult {
  source: string;
  target: string;
  report: LoadReport;
  /** Files of DATA_DIR (or of the backup) that the database cannot carry: key files must go with it. */
  keyFiles: string[];
  otherFiles: string[];
  startLine: string;
}

export async function moveToPostgres(url: string, from: MoveSource, log: (line: string) => void = () => undefined): Promise<MoveResult> {
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error('the target must be a postgres:// or postgresql:// URL');
  let dir: string;
  let snapshot: SnapshotData;
  let files: string[];
  let source: string;
  let cleanup: () => Promise<void>;
  if ('dataDir' in from) {
    source = `DATA_DIR ${path.resolve(from.dataDir)}`;
    // Held until the move is done: no server can start on the old installation and take writes meanwhile.
    const opened = await openPgliteDir(from.dataDir);
    dir = mkdtempSync(path.join(tmpdir(), 'chidu-move-'));
    try {
      mkdirSync(path.join(dir, 'tables'));
      const t0 = performance.now();
      snapshot = await opened.client.transaction((tx) => takeSnapshot(pgliteQ(tx), dir, source));
      log(
        `read ${source}: ${snapshot.tables.length} tables, ${snapshot.tables.reduce((a, t) => a + t.rows, 0)} rows (${Math.round(performance.now() - t0)} ms)`,
      );
    } catch (err) {
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    files = dataDirFiles(opened.dir).map((f) => f.rel);
    const d = dir;
    cleanup = async () => {
      rmSync(d, { recursive: true, force: true });
      await opened.close();
    };
  } else {
    source = `backup ${path.resolve(from.backupFile)}`;
    const b = await openBackup(from.backupFile, tmpdir());
    dir = b.dir;
    snapshot = b.manifest;
    files = b.manifest.files.map((f) => f.path);
    log(`read ${source} of ${b.manifest.createdAt}: ${snapshot.tables.length} tables, archive checked`);
    cleanup = () => {
      b.cleanup();
      return Promise.resolve();
    };
  }
  try {
    const target = await pgTarget(url);
    try {
      const report = await loadSnapshot(target, dir, snapshot, log);
      return {
        source,
        target: redactUrl(url),
        report,
        keyFiles: files.filter((f) => f.endsWith('.key')),
        otherFiles: files.filter((f) => !f.endsWith('.key')),
        startLine: `DATABASE_URL=${url} npm start`,
      };
    } finally {
      await target.close();
    }
  } finally {
    await cleanup();
  }
}
