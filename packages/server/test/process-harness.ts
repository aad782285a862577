import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const MAIN = path.join(root, 'packages/server/src/main.ts');

export interface ServerProc {
  proc: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export const tempDataDir = () => mkdtempSync(path.join(tmpdir(), 'chidu-proc-'));

/** PostgreSQL requires CHIDU_SECRET_KEY: processes on PostgreSQL get a fixed test key unless the test sets one (the embedded mode generates DATA_DIR/secret.key). */
const PROC_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');
const withKey = (env: Record<string, string>) => (env.DATABASE_URL && !('CHIDU_SECRET_KEY' in env) ? { CHIDU_SECRET_KEY: PROC_SECRET_KEY, ...env } : env);

/** Start `packages/server/src/main.ts` as a real process; resolves once it prints its URL (or rejects if it exits). */
export function startProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<ServerProc> {
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', LOG_LEVEL: 'warn', ...withKey(env) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server did not start in ${timeoutMs} ms\n${out}\n${err}`));
    }, timeoutMs);
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]!, stdout: () => out, stderr: () => err, exited });
      }
    });
    proc.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`server exited with ${code}: ${err}`), { code, stderr: err }));
    });
  });
}

/** Run main.ts expecting it to exit; returns its exit code and output. */
export function runToExit(env: Record<string, string>, timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', LOG_LEVEL: 'warn', ...withKey(env) },
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
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export async function loginOver(url: string, employeeNo: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ employeeNo, password }),
  });
  if (res.status !== 200) throw new Error(`login failed ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}
