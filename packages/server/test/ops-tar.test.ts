/** The backup archive format: ustar through gzip, written and read by packages/server/src/ops/tar.ts (no database). */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractTarGz, writeTarGz } from '../src/ops/tar';

describe('backup archive (tar.gz)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'chidu-tar-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const longName = `files/${'深'.repeat(20)}/${'a'.repeat(80)}.key`;
  const big = randomBytes(3 * 1024 * 1024 + 17);

  it('round-trips files of any size, long (prefix) and non-ASCII names, modes; GNU tar reads it too', async () => {
    const src = path.join(dir, 'big.bin');
    writeFileSync(src, big);
    const out = path.join(dir, 'a.tar.gz');
    await writeTarGz(out, [
      { name: 'manifest.json', data: Buffer.from('{"format":"chidu-backup"}') },
      { name: 'empty', data: Buffer.alloc(0) },
      { name: 'tables/big.rows', file: src },
      { name: longName, data: Buffer.from('secret\n'), mode: 0o600 },
    ]);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const dest = mkdtempSync(path.join(dir, 'x-'));
    const entries = await extractTarGz(out, dest);
    expect(entries.map((e) => [e.name, e.size])).toEqual([
      ['manifest.json', 25],
      ['empty', 0],
      ['tables/big.rows', big.length],
      [longName, 7],
    ]);
    expect(entries[3]!.mode).toBe(0o600);
    expect(readFileSync(path.join(dest, 'tables/big.rows')).equals(big)).toBe(true);
    expect(readFileSync(path.join(dest, longName), 'utf8')).toBe('secret\n');
    const listed = execFileSync('tar', ['-tzf', out], { encoding: 'utf8' }).trim().split('\n');
    expect(listed).toEqual(['manifest.json', 'empty', 'tables/big.rows', longName]);
  });

  it('refuses a truncated archive, a non-archive, and paths that leave the folder', async () => {
    const out = path.join(dir, 'b.tar.gz');
    await writeTarGz(out, [{ name: 'tables/t.rows', data: randomBytes(200_000) }]);
    truncateSync(out, Math.floor(statSync(out).size / 2));
    await expect(extractTarGz(out, mkdtempSync(path.join(dir, 'y-')))).rejects.toThrow(/truncated|not a readable/);

    writeFileSync(path.join(dir, 'c.tar.gz'), 'plain text');
    await expect(extractTarGz(path.join(dir, 'c.tar.gz'), mkdtempSync(path.join(dir, 'z-')))).rejects.toThrow(/not a readable \.tar\.gz/);

    const evil = path.join(dir, 'd.tar.gz');
    await writeTarGz(evil, [{ name: '../escape', data: Buffer.from('x') }]);
    await expect(extractTarGz(evil, mkdtempSync(path.join(dir, 'w-')))).rejects.toThrow(/unsafe path/);
  });
});
