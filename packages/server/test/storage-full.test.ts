/**
 * Storage full (issue #19 item 3): the embedded database on a small tmpfs, the server as a real process. A filler file
 * takes the space: creates answer 507 storage_full, /readyz fails on `disk`, the admins get one notification, a
 * warning is logged; the filler removed, creates succeed again without a restart; a second episode notifies again;
 * every acknowledged ticket is there. Needs root (mount); skipped on PostgreSQL (no DATA_DIR there).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyDbFault, dbFaultError } from '../src/lib/db-faults';
import { toAppError } from '../src/http/errors';
import { onPostgres } from './harness';
import { loginOver, startProcess, type ServerProc } from './process-harness';
import { sleep, waitFor } from './standards-helpers';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
});

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const MB = 1024 * 1024;

function mountTmpfs(sizeMb: number): string | null {
  const dir = mkdtempSync(path.join(tmpdir(), 'chidu-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}M`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  cleanups.push(() => {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    } catch {
      /* already */
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

const freeBytes = (dir: string) => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};

/** Take all but `leaveMb` of the free space with a filler file. */
function fill(dir: string, leaveMb: number): string {
  const file = path.join(dir, `filler-${Date.now()}`);
  writeFileSync(file, Buffer.alloc(Math.max(0, freeBytes(dir) - leaveMb * MB)));
  return file;
}

describe('disk-full errors are classified', () => {
  it('PGlite / PostgreSQL 53100, ENOSPC → 507 storage_full; connection and timeout errors → 503 with Retry-After', () => {
    // What PGlite throws when a relation cannot be extended (measured on a full tmpfs).
    const pgliteFull = Object.assign(new Error('could not extend file "base/5/16385": No space left on device'), { code: '53100', severity: 'ERROR' });
    const drizzleWrapped = Object.assign(new Error('Failed query: insert into …'), { cause: pgliteFull });
    expect(classifyDbFault(drizzleWrapped)).toBe('storage_full');
    expect(classifyDbFault(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }))).toBe('storage_full');
    const p = toAppError(drizzleWrapped);
    expect({ status: p.status, code: p.code }).toEqual({ status: 507, code: 'storage_full' });
    for (const [err, code] of [
      [Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }), 'database_unavailable'],
      [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), 'database_unavailable'],
      [new Error('Connection terminated unexpectedly'), 'database_unavailable'],
      [Object.assign(new Error('connection failure'), { code: '08006' }), 'database_unavailable'],
      [Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }), 'database_busy'],
      [Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' }), 'database_busy'],
      [new Error('timeout exceeded when trying to connect'), 'database_busy'],
    ] as const) {
      const e = toAppError({ message: 'Failed query', cause: err });
      expect(e.code).toBe(code);
      expect(e.status).toBe(503);
      expect(e.headers?.['retry-after']).toBe('1');
    }
    expect(classifyDbFault(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeNull();
    expect(dbFaultError('storage_full').status).toBe(507);
  });
});

describe.skipIf(onPostgres || !isRoot)('storage full (embedded database on a small tmpfs)', () => {
  it('507 storage_full while the disk is full, readiness degraded, admins notified once per episode, writes again as soon as space is freed', async () => {
    const mnt = mountTmpfs(200);
    if (!mnt) return; // no tmpfs here: nothing to test
    const dataDir = path.join(mnt, 'data');
    const s: ServerProc = await startProcess(
      {
        DATA_DIR: dataDir,
        CHIDU_BOOTSTRAP_ADMIN: 'ADM01:Disk-Test-Passw0rd',
        DISK_MIN_FREE_MB: '48',
        DISK_WARN_FREE_MB: '64',
        READY_FAULT_WINDOW_MS: '500',
        LOG_LEVEL: 'info',
      },
      60_000,
    );
    cleanups.push(async () => {
      if (s.proc.exitCode === null) {
        s.proc.kill('SIGTERM');
        await s.exited;
      }
    });
    expect(freeBytes(mnt)).toBeGreaterThan(100 * MB);
    const token = await loginOver(s.url, 'ADM01', 'Disk-Test-Passw0rd');
    const call = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(`${s.url}${p}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : null,
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null, type: res.headers.get('content-type') ?? '' };
    };
    const customer = (await call('POST', '/api/v1/customers', { name: '满盘客户', phone: '13700007777' })).json;
    const acknowledged: string[] = [];
    const create = async (i: number | string) => {
      const r = await call('POST', '/api/v1/tickets', {
        customerId: customer.id,
        type: 'inquiry',
        channel: 'email',
        priority: 'normal',
        subject: `满盘 ${i}`,
        description: '磁盘',
      });
      if (r.status === 201) acknowledged.push(r.json.id);
      return r;
    };
    for (let i = 0; i < 5; i++) expect((await create(`before-${i}`)).status).toBe(201);
    expect((await call('GET', '/readyz')).status).toBe(200);
    const storageNotes = async () =>
      ((await call('GET', '/api/v1/notifications?limit=100')).json.items as { kind: string; title: string }[]).filter((n) => n.kind === 'system.storage_full');

    for (const episode of [1, 2]) {
      const filler = fill(mnt, 32); // below DISK_MIN_FREE_MB (48), above the 24 MB hard floor
      await sleep(300); // the free-space reading is cached for 250 ms
      const refused = await Promise.all(Array.from({ length: 10 }, (_, i) => create(`full-${episode}-${i}`)));
      for (const r of refused) {
        expect(r.status).toBe(507);
        expect(r.json.code).toBe('storage_full');
        expect(r.type).toMatch(/application\/problem\+json/);
      }
      const ready = await call('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.json.failing).toContain('disk');
      // Reads still work, and the admins hear about it once per episode.
      await waitFor(async () => (await storageNotes()).length === episode, 8000, 200);
      await sleep(2500);
      expect(await storageNotes()).toHaveLength(episode);
      // Space freed: writes again, no restart.
      rmSync(filler);
      const back = await waitFor(
        async () => {
          const r = await create(`after-${episode}`);
          return r.status === 201 ? r : null;
        },
        3000,
        100,
      );
      expect(back.status).toBe(201);
      await waitFor(async () => (await call('GET', '/readyz')).status === 200, 5000, 200);
      await sleep(2500); // the episode ends (space back, no storage_full for the fault window, a 1 s tick) before the next one starts
    }
    expect(s.stdout()).toMatch(/low disk space for the embedded database/);
    expect(s.stdout()).toMatch(/storage full: writes are refused/);
    expect(s.stdout() + s.stderr()).not.toMatch(/"statusCode":500|request failed"/);
    // Every acknowledged ticket is there.
    for (const id of acknowledged) expect((await call('GET', `/api/v1/tickets/${id}`)).status).toBe(200);
    expect(acknowledged.length).toBe(7);
    expect(s.proc.exitCode).toBeNull();
  }, 120_000);
});
