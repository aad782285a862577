/**
 * Just enough ustar to write and read Chidu backups (regular files only), streamed through gzip so a backup of
 * gigabytes of attachments never has to fit in memory.
 */
import { createReadStream, createWriteStream, mkdirSync, statSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';

export interface TarInput {
  /** Path inside the archive (forward slashes, relative). */
  name: string;
  /** Either a file on disk or the bytes themselves. */
  file?: string;
  data?: Buffer;
  mode?: number;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, mode: number, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100 || Buffer.byteLength(name.slice(0, cut)) > 155) {
      throw new Error(`backup: path too long for the archive: ${name}`);
    }
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  h.write(base, 0, 100, 'utf8');
  h.write(octal(mode & 0o7777, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii');
  h.write(octal(0, 8), 116, 8, 'ascii');
  h.write(octal(size, 12), 124, 12, 'ascii');
  h.write(octal(Math.floor(mtime / 1000), 12), 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii');
  h.write('0', 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 8, 'ascii');
  return h;
}

/** Write the entries, in order, to a .tar.gz file. */
export async function writeTarGz(out: string, entries: TarInput[]): Promise<void> {
  const now = Date.now();
  async function* blocks(): AsyncGenerator<Buffer> {
    for (const e of entries) {
      const size = e.data ? e.data.length : statSync(e.file!).size;
      yield header(e.name, size, e.mode ?? 0o644, now);
      let written = 0;
      if (e.data) {
        yield e.data;
        written = e.data.length;
      } else {
        for await (const chunk of createReadStream(e.file!)) {
          written += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
      }
      if (written !== size) throw new Error(`backup: ${e.name} changed while it was archived`);
      const pad = (BLOCK - (size % BLOCK)) % BLOCK;
      if (pad) yield Buffer.alloc(pad, 0);
    }
    yield Buffer.alloc(BLOCK * 2, 0);
  }
  await pipeline(Readable.from(blocks()), createGzip({ level: 6 }), createWriteStream(out, { mode: 0o600 }));
}

export interface TarEntry {
  name: string;
  size: number;
  mode: number;
}

function parseOctal(buf: Buffer): number {
  const s = buf.toString('ascii').replace(/\0.*$/s, '').trim();
  return s ? parseInt(s, 8) : 0;
}

function safeJoin(root: string, name: string): string {
  const target = path.resolve(root, name);
  if (name.startsWith('/') || name.split('/').includes('..') || !target.startsWith(path.resolve(root) + path.sep)) {
    throw new Error(`backup: unsafe path in the archive: ${name}`);
  }
  return target;
}

/** Extract a .tar.gz written by writeTarGz into dest (which must exist); returns the entries. Only regular files. */
export async function extractTarGz(file: string, dest: string): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  let buf: Buffer = Buffer.alloc(0);
  let current: { entry: TarEntry; out: ReturnType<typeof createWriteStream>; left: number; pad: number } | null = null;
  let skip = 0;
  let ended = false;

  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      void (async () => {
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        for (;;) {
          if (ended) {
            buf = Buffer.alloc(0);
            break;
          }
          if (current) {
            if (buf.length === 0) break;
            const take = Math.min(current.left, buf.length);
            if (take > 0 && !current.out.write(buf.subarray(0, take))) await once(current.out, 'drain');
            current.left -= take;
            buf = buf.subarray(take);
            if (current.left === 0) {
              current.out.end();
              await once(current.out, 'close');
              skip = current.pad;
              current = null;
            } else break;
            continue;
          }
          if (skip) {
            const s = Math.min(skip, buf.length);
            skip -= s;
            buf = buf.subarray(s);
            if (skip) break;
            continue;
          }
          if (buf.length < BLOCK) break;
          const h = buf.subarray(0, BLOCK);
          buf = buf.subarray(BLOCK);
          if (h.every((b) => b === 0)) {
            ended = true;
            continue;
          }
          let sum = 0;
          for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
          if (sum !== parseOctal(h.subarray(148, 156))) throw new Error('backup: the archive is damaged (bad tar header checksum)');
          const type = String.fromCharCode(h[156]!);
          const base = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
          const prefix = h.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
          const name = prefix ? `${prefix}/${base}` : base;
          const size = parseOctal(h.subarray(124, 136));
          const mode = parseOctal(h.subarray(100, 108));
          if (type !== '0' && type !== '\0') throw new Error(`backup: unexpected entry type ${JSON.stringify(type)} for ${name}`);
          const target = safeJoin(dest, name);
          mkdirSync(path.dirname(target), { recursive: true });
          const entry = { name, size, mode };
          entries.push(entry);
          current = { entry, out: createWriteStream(target, { mode: 0o600 }), left: size, pad: (BLOCK - (size % BLOCK)) % BLOCK };
          if (size === 0) {
            current.out.end();
            await once(current.out, 'close');
            skip = 0;
            current = null;
          }
        }
      })().then(() => done(), done);
    },
    final(done) {
      if (current || !ended) done(new Error('backup: the archive is truncated'));
      else done();
    },
  });
  try {
    await pipeline(createReadStream(file), createGunzip(), sink);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR') throw new Error(`backup: ${file} is not a readable .tar.gz (${e.message})`, { cause: err });
    throw err;
  }
  return entries;
}
