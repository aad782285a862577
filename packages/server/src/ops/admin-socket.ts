/**
 * The local admin channel of an embedded installation: a unix socket in DATA_DIR/run/ (a 0700 folder, so only the
 * account that runs Chidu — who can read DATA_DIR anyway — can connect). Nothing on the network: `npm run backup`
 * asks the running server through it, because PGlite is single-process and only the server may open the database.
 *
 * Protocol: one JSON line in ({"op":"ping"} or {"op":"backup","out":"/abs/file.tar.gz"}), one JSON line out.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { Manifest } from './backup';

const SOCKET_NAME = 'admin.sock';
/** sun_path is 108 bytes on Linux (104 on macOS). */
const MAX_SOCKET_PATH = 100;

/** The socket's path for a DATA_DIR (a private folder under the temp dir when DATA_DIR's path is too long). */
export function adminSocketPath(dataDir: string): string {
  const dir = realpathSync(dataDir);
  const inside = path.join(dir, 'run', SOCKET_NAME);
  if (Buffer.byteLength(inside) <= MAX_SOCKET_PATH) return inside;
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return path.join(tmpdir(), `chidu-${uid}-${createHash('sha256').update(dir).digest('hex').slice(0, 16)}`, SOCKET_NAME);
}

function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory`);
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) throw new Error(`${dir} belongs to another user`);
  chmodSync(dir, 0o700);
}

export interface BackupSummary {
  file: string;
  createdAt: string;
  snapshotMs: number;
  tables: { name: string; rows: number; checksum: string }[];
  files: string[];
  migrations: number;
}

export const summarize = (file: string, m: Manifest): BackupSummary => ({
  file,
  createdAt: m.createdAt,
  snapshotMs: m.snapshotMs,
  migrations: m.migrations.length,
  tables: m.tables.map((t) => ({ name: t.name, rows: t.rows, checksum: t.checksum })),
  files: m.files.map((f) => f.path),
});

export interface AdminSocket {
  path: string;
  close(): Promise<void>;
}

/** Listen on the admin socket of DATA_DIR for the server that holds its database. */
export async function startAdminSocket(
  dataDir: string,
  client: PGlite,
  log: { info(o: object, m: string): void; error(o: object, m: string): void },
): Promise<AdminSocket> {
  const sock = adminSocketPath(dataDir);
  privateDir(path.dirname(sock));
  // We hold DATA_DIR's lock, so a socket file left here belongs to a process that is gone.
  if (existsSync(sock)) rmSync(sock, { force: true });
  let busy = false;
  const server = net.createServer((conn) => {
    conn.setEncoding('utf8');
    let buf = '';
    conn.on('error', () => undefined);
    conn.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) {
        if (buf.length > 64 * 1024) conn.destroy();
        return;
      }
      conn.removeAllListeners('data');
      const reply = (o: object) => conn.end(`${JSON.stringify(o)}\n`);
      let req: { op?: unknown; out?: unknown };
      try {
        req = JSON.parse(buf.slice(0, nl)) as typeof req;
      } catch {
        reply({ ok: false, error: 'bad request' });
        return;
      }
      if (req.op === 'ping') {
        reply({ ok: true, pid: process.pid });
        return;
      }
      if (req.op !== 'backup') {
        reply({ ok: false, error: `unknown op ${JSON.stringify(req.op)}` });
        return;
      }
      if (typeof req.out !== 'string' || !path.isAbsolute(req.out)) {
        reply({ ok: false, error: 'out must be an absolute path' });
        return;
      }
      if (busy) {
        reply({ ok: false, error: 'a backup is already running' });
        return;
      }
      busy = true;
      const out = req.out;
      const t0 = performance.now();
      // Loaded on first use: the backup code costs a server nothing until someone asks for a backup.
      import('./backup')
        .then(({ backupPglite }) => backupPglite(client, dataDir, out))
        .then(
          (m) => {
            log.info({ file: out, ms: Math.round(performance.now() - t0), snapshotMs: m.snapshotMs }, 'backup written');
            reply({ ok: true, summary: summarize(out, m) });
          },
          (err: unknown) => {
            log.error({ err }, 'backup failed');
            reply({ ok: false, error: (err as Error).message });
          },
        )
        .finally(() => {
          busy = false;
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(sock, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(sock, 0o600);
  return {
    path: sock,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          rmSync(sock, { force: true });
          resolve();
        });
      }),
  };
}

export class NoServerError extends Error {}

/** Send one request to the server of DATA_DIR; NoServerError when no server listens there. */
export function adminRequest<T>(dataDir: string, req: object, timeoutMs = 60 * 60_000): Promise<T> {
  let sock: string;
  try {
    sock = adminSocketPath(dataDir);
  } catch {
    return Promise.reject(new NoServerError(`${dataDir} does not exist`));
  }
  return new Promise<T>((resolve, reject) => {
    const conn = net.connect(sock);
    let buf = '';
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new Error(`the server did not answer within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(`${JSON.stringify(req)}\n`));
    conn.on('data', (d: string) => {
      buf += d;
    });
    conn.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') reject(new NoServerError('no server is listening'));
      else reject(err);
    });
    conn.on('end', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buf.trim()) as T);
      } catch {
        reject(new Error('the server closed the admin connection without an answer'));
      }
    });
  });
}

/** Ask the running server of DATA_DIR for a backup to `out`; NoServerError when none runs. */
export async function requestBackup(dataDir: string, out: string): Promise<BackupSummary> {
  const res = await adminRequest<{ ok: boolean; error?: string; summary?: BackupSummary }>(dataDir, { op: 'backup', out: path.resolve(out) });
  if (!res.ok) throw new Error(`the server could not write the backup: ${res.error}`);
  return res.summary!;
}
