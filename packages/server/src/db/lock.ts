import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

export interface DataDirLock {
  file: string;
  release(): void;
}

export class DataDirLockedError extends Error {
  constructor(
    public readonly dir: string,
    public readonly pid: number,
  ) {
    super(`DATA_DIR ${dir} is in use by another Chidu process (pid ${pid}); stop it first or choose another DATA_DIR`);
    this.name = 'DataDirLockedError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is single-process: hold `DATA_DIR/chidu.lock` (pid + host) while open.
 * A lock left by a killed process (pid no longer alive on this host) is taken over.
 */
export function acquireDataDirLock(dir: string): DataDirLock {
  const file = path.join(dir, 'chidu.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() }));
      closeSync(fd);
      let released = false;
      return {
        file,
        release() {
          if (released) return;
          released = true;
          try {
            unlinkSync(file);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: { pid?: number; host?: string } = {};
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as typeof holder;
      } catch {
        /* torn write: treat as stale */
      }
      const pid = Number(holder.pid);
      const otherHost = holder.host !== undefined && holder.host !== hostname();
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && (otherHost || alive(pid))) {
        throw new DataDirLockedError(dir, pid);
      }
      try {
        unlinkSync(file);
      } catch {
        /* raced with another taker */
      }
    }
  }
  throw new DataDirLockedError(dir, -1);
}
