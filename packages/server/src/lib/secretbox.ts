/**
 * Secrets at rest (docs/security.md "Secrets at rest"): TOTP secrets, webhook URLs (they carry the robot's key) and
 * any other stored credential are sealed with AES-256-GCM under a key held outside the database.
 *
 * Stored form: `v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64url parts; keyId = first 8 hex digits of SHA-256 of the
 * key; the purpose, e.g. `totp`, is bound as additional authenticated data). The current key (CHIDU_SECRET_KEY, or
 * DATA_DIR/secret.key generated on first start of the embedded mode) seals; old keys (CHIDU_SECRET_KEYS_OLD) only
 * open, until `npm run rotate-secrets` has re-sealed everything under the current key.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Bound as additional data: a sealed value only opens for the purpose it was sealed for. */
export type SecretPurpose = 'totp' | 'webhook_url' | 'channel_credential';
export interface SecretKey {
  id: string;
  key: Buffer;
}
export interface SecretKeyring {
  current: SecretKey;
  old: SecretKey[];
}

export const SECRET_PREFIX = 'v1:';
export const isSealed = (v: string | null | undefined): boolean => typeof v === 'string' && v.startsWith(SECRET_PREFIX);

/** 32 bytes as 64 hex digits or base64 / base64url; null when it is neither. */
export function parseSecretKey(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(t)) return null;
  const b = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return b.length === 32 ? b : null;
}

export const keyIdOf = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8);
export const toKey = (key: Buffer): SecretKey => ({ id: keyIdOf(key), key });

export class SecretKeyError extends Error {}

let ring: SecretKeyring | null = null;

export function configureSecrets(k: SecretKeyring): void {
  ring = k;
}
export function secretKeyring(): SecretKeyring {
  if (!ring) throw new SecretKeyError('secret keys are not configured (buildApp configures them from CHIDU_SECRET_KEY)');
  return ring;
}

const b64 = (b: Buffer) => b.toString('base64url');

/** Seal a plain secret under the current key. */
export function sealSecret(plain: string, purpose: SecretPurpose, k: SecretKeyring = secretKeyring()): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', k.current.key, iv);
  c.setAAD(Buffer.from(`chidu:${purpose}`));
  const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return `${SECRET_PREFIX}${k.current.id}:${b64(iv)}:${b64(c.getAuthTag())}:${b64(ct)}`;
}

export function keyIdOfSealed(stored: string): string | null {
  return isSealed(stored) ? (stored.split(':')[1] ?? null) : null;
}

/** Open a sealed secret (current or old key). A value that is not sealed is refused: it should not exist. */
export function openSecret(stored: string, purpose: SecretPurpose, k: SecretKeyring = secretKeyring()): string {
  if (!isSealed(stored)) throw new SecretKeyError(`a stored ${purpose} secret is not encrypted (the startup step encrypts them)`);
  const [, id, iv, tag, ct] = stored.split(':');
  const key = [k.current, ...k.old].find((x) => x.id === id);
  if (!key || !iv || !tag || ct === undefined)
    throw new SecretKeyError(`a stored ${purpose} secret is sealed with key ${id}, which is not configured (CHIDU_SECRET_KEY / CHIDU_SECRET_KEYS_OLD)`);
  const d = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
  d.setAAD(Buffer.from(`chidu:${purpose}`));
  d.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
}

/** Re-seal under the current key when sealed with another one; plain values are sealed. Returns null when already current. */
export function resealSecret(stored: string, purpose: SecretPurpose, k: SecretKeyring = secretKeyring()): string | null {
  if (isSealed(stored) && keyIdOfSealed(stored) === k.current.id) return null;
  return sealSecret(isSealed(stored) ? openSecret(stored, purpose, k) : stored, purpose, k);
}

/**
 * The keyring from the configuration: CHIDU_SECRET_KEY (+ CHIDU_SECRET_KEYS_OLD); without it the embedded mode
 * reads DATA_DIR/secret.key, generating it (0600) on first start. PostgreSQL requires CHIDU_SECRET_KEY (config load
 * already refuses to start without it).
 */
export function resolveSecretKeyring(
  cfg: { CHIDU_SECRET_KEY?: string | undefined; CHIDU_SECRET_KEYS_OLD?: string | undefined; DATA_DIR: string },
  kind: 'pglite' | 'postgres',
): SecretKeyring {
  const old = (cfg.CHIDU_SECRET_KEYS_OLD ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const key = parseSecretKey(s);
      if (!key) throw new SecretKeyError('CHIDU_SECRET_KEYS_OLD must be a comma-separated list of 32-byte keys (base64 or hex)');
      return toKey(key);
    });
  if (cfg.CHIDU_SECRET_KEY) {
    const key = parseSecretKey(cfg.CHIDU_SECRET_KEY);
    if (!key) throw new SecretKeyError('CHIDU_SECRET_KEY must be 32 bytes, base64 or hex');
    // Embedded mode with a new key in the environment: the key file's key still opens (until rotate-secrets replaces it).
    const file = kind === 'pglite' ? secretKeyFile(cfg.DATA_DIR) : null;
    const fileKey = file && existsSync(file) ? parseSecretKey(readFileSync(file, 'utf8')) : null;
    if (fileKey) old.push(toKey(fileKey));
    const id = keyIdOf(key);
    return { current: toKey(key), old: old.filter((o, i) => o.id !== id && old.findIndex((x) => x.id === o.id) === i) };
  }
  if (kind === 'postgres') throw new SecretKeyError('CHIDU_SECRET_KEY is required with PostgreSQL (32 random bytes, base64 or hex: `openssl rand -base64 32`)');
  return { current: toKey(readOrCreateKeyFile(secretKeyFile(cfg.DATA_DIR))), old };
}

export const secretKeyFile = (dataDir: string) => path.resolve(dataDir, 'secret.key');

/** Replace the key file atomically (0600): rotate-secrets does this once everything is sealed with the new key. */
export function writeKeyFile(file: string, key: Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${key.toString('base64')}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

export function readOrCreateKeyFile(file: string): Buffer {
  if (existsSync(file)) {
    const key = parseSecretKey(readFileSync(file, 'utf8'));
    if (!key) throw new SecretKeyError(`${file} does not hold a 32-byte key (base64 or hex)`);
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return key;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
