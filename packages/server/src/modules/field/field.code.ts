/**
 * QR codes of sites and assets (站点码 / 设备码): `<kind>.<nonce>.<mac>` where kind is `s` (site) or `a` (asset), nonce
 * 16 random bytes (base64url, stored on the row) and mac the first 16 bytes of HMAC-SHA256(secret, "field:" + kind +
 * ":" + nonce), base64url. A forged, altered or guessed code fails the MAC check (compared in constant time) before any
 * lookup. The secret is CHIDU_FIELD_SECRET, else a random secret created once and kept in `settings`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Executor } from '../../db/client';
import { fieldRepo } from './field.repo';

let cached: Buffer | null = null;

export async function fieldSecret(ex: Executor): Promise<Buffer> {
  if (cached) return cached;
  const env = process.env.CHIDU_FIELD_SECRET;
  if (env && env.length >= 16) {
    cached = Buffer.from(env, 'utf8');
    return cached;
  }
  cached = Buffer.from(await fieldRepo.secret(ex, randomBytes(32).toString('base64url')), 'base64url');
  return cached;
}

export type CodeKind = 's' | 'a';

export const newNonce = (): string => randomBytes(16).toString('base64url');

const mac = (secret: Buffer, kind: CodeKind, nonce: string) => createHmac('sha256', secret).update(`field:${kind}:${nonce}`).digest().subarray(0, 16);

export function signCode(secret: Buffer, kind: CodeKind, nonce: string): string {
  return `${kind}.${nonce}.${mac(secret, kind, nonce).toString('base64url')}`;
}

const CODE_RE = /^([sa])\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$/;

/** The kind and nonce of an authentic code; null when malformed or forged. */
export function verifyCode(secret: Buffer, code: string): { kind: CodeKind; nonce: string } | null {
  const m = CODE_RE.exec(code.trim());
  if (!m) return null;
  const kind = m[1] as CodeKind;
  const nonce = m[2]!;
  // Compare the canonical text, not decoded bytes: base64url ignores the last character's spare bits, so an altered
  // code could otherwise decode to the same MAC.
  const given = Buffer.from(m[3]!, 'utf8');
  const want = Buffer.from(mac(secret, kind, nonce).toString('base64url'), 'utf8');
  if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
  return { kind, nonce };
}
