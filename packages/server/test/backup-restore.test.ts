/**
 * `npm run backup` against a running embedded server that keeps taking writes (through DATA_DIR's admin socket),
 * then `npm run restore` into a new DATA_DIR and a server on it. PGlite only: the PostgreSQL project skips it
 * (PostgreSQL installs back up with pg_dump).
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openBackup, backupOffline } from '../src/ops/backup';
import { openPgliteDir } from '../src/ops/targets';
import { onPostgres } from './harness';
import { loginOver, startProcess, tempDataDir, type ServerProc } from './process-harness';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ADMIN = 'A0001';
const PASSWORD = 'Backup-Test-2026';

function runOps(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [path.join(root, 'scripts/ops.mjs'), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => proc.on('exit', (code) => resolve({ code, stdout, stderr })));
}

async function api(url: string, token: string, method: string, p: string, body?: unknown) {
  const res = await fetch(`${url}/api/v1${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe.skipIf(onPostgres)('backup and restore of the embedded database', () => {
  const dirs: string[] = [];
  const procs: ServerProc[] = [];
  afterAll(() => {
    for (const p of procs) if (p.proc.exitCode === null) p.proc.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('backs up a running server that keeps writing, consistently; restores into a new DATA_DIR that a server starts on', async () => {
    const dataDir = tempDataDir();
    const outDir = mkdtempSync(path.join(tmpdir(), 'chidu-backups-'));
    const restoredDir = path.join(mkdtempSync(path.join(tmpdir(), 'chidu-restored-')), 'data');
    dirs.push(dataDir, outDir, path.dirname(restoredDir));
    // The key that seals stored secrets (docs/security.md) lives in DATA_DIR: it must travel with the data.
    const secretKey = `${randomBytes(32).toString('base64')}\n`;
    writeFileSync(path.join(dataDir, 'secret.key'), secretKey, { mode: 0o600 });

    const srv = await startProcess({ DATA_DIR: dataDir, CHIDU_BOOTSTRAP_ADMIN: `${ADMIN}:${PASSWORD}` }, 150_000);
    procs.push(srv);
    const token = await loginOver(srv.url, ADMIN, PASSWORD);
    const customer = await api(srv.url, token, 'POST', '/customers', { name: '备份测试客户', phone: '13800000001' });
    expect(customer.status).toBe(201);
    // An attachment: its bytes live in the database (bytea) and must come back identical.
    const fileBytes = Buffer.from('备份附件 — 字节必须原样恢复 ✓\n'.repeat(2000));
    const form = new FormData();
    form.append('file', new Blob([fileBytes]), '备份说明.txt');
    const up = await fetch(`${srv.url}/api/v1/attachments`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    expect(up.status).toBe(201);
    const attachmentId = ((await up.json()) as { id: string }).id;

    // Writers: ticket creates, acknowledged ones counted, until told to stop.
    let acked = 0;
    let stop = false;
    const writer = async () => {
      while (!stop) {
        const r = await api(srv.url, token, 'POST', '/tickets', { customerId: customer.json.id, type: 'inquiry', channel: 'api', subject: `写入 ${acked}` });
        if (r.status !== 201) throw new Error(`create failed ${r.status} ${JSON.stringify(r.json)}`);
        acked++;
      }
    };
    const writers = [writer(), writer(), writer()];
    while (acked < 15) await new Promise((r) => setTimeout(r, 20));

    const ackedBefore = acked;
    const t0 = performance.now();
    const backup = await runOps(['backup', '--out', outDir], { DATA_DIR: dataDir });
    const backupMs = Math.round(performance.now() - t0);
    const ackedAfterBackup = acked;
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/online \(asked the running server\)/);
    // Writes went on while the backup was taken, and go on after it.
    while (acked < ackedAfterBackup + 10) await new Promise((r) => setTimeout(r, 20));
    stop = true;
    await Promise.all(writers);
    const total = acked;

    const [file] = readdirSync(outDir).filter((f) => /^chidu-backup-\d{8}-\d{6}\.tar\.gz$/.test(f));
    expect(file).toBeDefined();
    const backupFile = path.join(outDir, file!);
    const opened = await openBackup(backupFile);
    const manifest = opened.manifest;
    opened.cleanup();
    const tickets = manifest.tables.find((t) => t.name === 'tickets')!;
    expect(tickets.rows).toBeGreaterThanOrEqual(ackedBefore);
    expect(tickets.rows).toBeLessThanOrEqual(ackedAfterBackup);
    expect(tickets.rows).toBeLessThan(total);
    expect(manifest.migrations.map((m) => m.tag)).toContain('0000_foundation');
    expect(manifest.files.map((f) => f.path)).toEqual(['secret.key']);
    expect(manifest.tables.every((t) => /^[0-9a-f]{32}$/.test(t.checksum))).toBe(true);
    process.stdout.write(
      `backup of a running server: ${backupMs} ms for ${tickets.rows} tickets (${ackedBefore}–${ackedAfterBackup} acknowledged around it, ${total} in the end); snapshot ${manifest.snapshotMs} ms\n`,
    );

    // A second server cannot open the DATA_DIR; the backup did not need to.
    srv.proc.kill('SIGTERM');
    expect((await srv.exited).code).toBe(0);

    // Offline backup of the stopped installation has every acknowledged write.
    const offlineFile = path.join(outDir, 'offline.tar.gz');
    const offline = await backupOffline(dataDir, offlineFile);
    expect(offline.tables.find((t) => t.name === 'tickets')!.rows).toBe(total);

    // Restore the online backup into a new DATA_DIR.
    const restored = await runOps(['restore', backupFile], { DATA_DIR: restoredDir });
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/\d+ tables\s+\d+\s+\d+\s+all equal/);
    expect(statSync(path.join(restoredDir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(restoredDir, 'secret.key'), 'utf8')).toBe(secretKey);

    // The restored database is consistent: every ticket has its creation event and a number its day's counter had reserved.
    const db = await openPgliteDir(restoredDir);
    try {
      const q = async (s: string) => (await db.client.query<Record<string, unknown>>(s)).rows[0]!;
      expect(Number((await q('SELECT count(*)::int AS n FROM tickets')).n)).toBe(tickets.rows);
      expect(
        Number(
          (
            await q(
              `SELECT count(*)::int AS n FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.aggregate_id = t.id AND e.kind = 'ticket.created')`,
            )
          ).n,
        ),
      ).toBe(0);
      // Numbers come from blocks reserved on the day's counter: none may lie beyond its value in the same snapshot.
      expect(
        Number(
          (
            await q(
              `SELECT count(*)::int AS n FROM tickets t WHERE split_part(t.number, '-', 2)::int > coalesce((SELECT c.value FROM ticket_counters c WHERE 'GD' || c.day = split_part(t.number, '-', 1)), 0)`,
            )
          ).n,
        ),
      ).toBe(0);
    } finally {
      await db.close();
    }

    // Not over a non-empty DATA_DIR without --force.
    const again = await runOps(['restore', backupFile], { DATA_DIR: restoredDir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is not empty; restore into a new DATA_DIR, or add --force/);

    // A server starts on the restored DATA_DIR and has the data (and its sign-in).
    const srv2 = await startProcess({ DATA_DIR: restoredDir }, 150_000);
    procs.push(srv2);
    const token2 = await loginOver(srv2.url, ADMIN, PASSWORD);
    let seen = 0;
    let cursor: string | null = null;
    do {
      const page = await api(srv2.url, token2, 'GET', `/tickets?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      seen += (page.json.items as unknown[]).length;
      cursor = page.json.nextCursor as string | null;
    } while (cursor);
    expect(seen).toBe(tickets.rows);
    const download = await fetch(`${srv2.url}/api/v1/attachments/${attachmentId}`, { headers: { authorization: `Bearer ${token2}` } });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(fileBytes)).toBe(true);
    srv2.proc.kill('SIGTERM');
    expect((await srv2.exited).code).toBe(0);
    expect(existsSync(path.join(restoredDir, 'chidu.lock'))).toBe(false);
  }, 480_000);

  it('refuses a damaged backup before touching DATA_DIR', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chidu-damaged-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'bad.tar.gz'), 'not a backup');
    const r = await runOps(['restore', path.join(dir, 'bad.tar.gz')], { DATA_DIR: path.join(dir, 'data') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a readable \.tar\.gz/);
    expect(existsSync(path.join(dir, 'data'))).toBe(false);
  }, 150_000);
});
