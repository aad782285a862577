import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { generateSecret, generateURI, verify as otpVerify } from 'otplib';

export const hashPassword = (password: string) => argonHash(password);

// A fixed hash so that unknown employee numbers cost the same time as wrong passwords.
let dummyHash: Promise<string> | null = null;
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  if (!hash) {
    dummyHash ??= argonHash('chidu-timing-equaliser');
    await argonVerify(await dummyHash, password).catch(() => false);
    return false;
  }
  return argonVerify(hash, password).catch(() => false);
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const newToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export const TOTP_PERIOD = 30;
export const newTotpSecret = () => generateSecret();
export const totpUri = (secret: string, label: string) => generateURI({ issuer: 'Chidu 尺度', label, secret });

/** Verify a TOTP code (±1 step of drift). Returns the matched time step, or null. */
export async function verifyTotp(secret: string, code: string): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const res = await otpVerify({ secret, token: code, epochTolerance: TOTP_PERIOD });
  if (!res.valid) return null;
  const epoch = (res as { epoch?: number }).epoch;
  const step = typeof epoch === 'number' ? Math.floor(epoch / TOTP_PERIOD) : Math.floor(Date.now() / 1000 / TOTP_PERIOD) + res.delta;
  return step;
}

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
export function newRecoveryCodes(n = 10): string[] {
  const codes: string[] = [];
  for (let i = 0; i < n; i++) {
    const b = randomBytes(8);
    let s = '';
    for (let j = 0; j < 8; j++) s += ALPHABET[b[j]! % ALPHABET.length];
    codes.push(`${s.slice(0, 4)}-${s.slice(4)}`);
  }
  return codes;
}
export const RECOVERY_RE = /^[a-z0-9]{4}-[a-z0-9]{4}$/i;
export const hashRecovery = (code: string) => sha256(`recovery:${code.toLowerCase()}`);
