/**
 * Survey links (满意度调查链接): `<id>.<mac>` where id is the invitation's UUID (16 bytes, base64url) and mac the first
 * 16 bytes of HMAC-SHA256(secret, "survey:" + id), base64url. A forged or altered token fails the MAC check without a
 * database lookup; single use and expiry live in the invitation row.
 * The secret is CHIDU_SURVEY_SECRET, else a random secret created once and kept in `settings` (shared by every process).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Executor } from '../../db/client';
import { surveysRepo } from './surveys.repo';

let cached: Buffer | null = null;

export async function surveySecret(ex: Executor): Promise<Buffer> {
  if (cached) return cached;
  const env = process.env.CHIDU_SURVEY_SECRET;
  if (env && env.length >= 16) {
    cached = Buffer.from(env, 'utf8');
    return cached;
  }
  cached = Buffer.from(await surveysRepo.surveySecret(ex, randomBytes(32).toString('base64url')), 'base64url');
  return cached;
}
/** Tests and key rotation: forget the cached secret. */
export function resetSurveySecret(): void {
  cached = null;
}

const uuidToBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex');
const bytesToUuid = (b: Buffer) => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
const mac = (secret: Buffer, id: string) => createHmac('sha256', secret).update(`survey:${id}`).digest().subarray(0, 16);

export function signToken(secret: Buffer, invitationId: string): string {
  return `${uuidToBytes(invitationId).toString('base64url')}.${mac(secret, invitationId).toString('base64url')}`;
}

export const TOKEN_RE = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/;

/** The invitation id of a well-formed, authentic token; null when malformed or forged. */
export function verifyToken(secret: Buffer, token: string): string | null {
  if (!TOKEN_RE.test(token)) return null;
  const [a, b] = token.split('.') as [string, string];
  const idBytes = Buffer.from(a, 'base64url');
  if (idBytes.length !== 16) return null;
  const id = bytesToUuid(idBytes);
  const given = Buffer.from(b, 'base64url');
  const want = mac(secret, id);
  if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
  return id;
}
