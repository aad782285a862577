/** Secrets at rest (issue #12): TOTP secrets and webhook URLs are stored sealed; start seals old plain values; rotation. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';
import {
  configureSecrets,
  isSealed,
  keyIdOf,
  openSecret,
  parseSecretKey,
  resolveSecretKeyring,
  SecretKeyError,
  secretKeyring,
  toKey,
  type SecretKeyring,
} from '../src/lib/secretbox';
import { rotateStoredSecrets, sealStoredSecrets, storedSecretKeyIds } from '../src/lib/stored-secrets';
import { TEST_SECRET_KEY, testApp, totpNow, type TestApp } from './harness';

let t: TestApp;
let original: SecretKeyring;
beforeAll(async () => {
  t = await testApp({ CHIDU_OUTBOUND_ALLOW: '127.0.0.1' });
  original = secretKeyring();
});
afterAll(async () => {
  configureSecrets(original);
  await t?.close();
});

const staffRow = async (id: string) =>
  (
    await t.database.rows<{ totp_secret: string | null; totp_pending_secret: string | null }>(
      sql`SELECT totp_secret, totp_pending_secret FROM staff WHERE id = ${id}`,
    )
  )[0]!;
const allowReplay = (id: string) => t.database.db.execute(sql`UPDATE staff SET totp_last_step = NULL WHERE id = ${id}`);

async function enrol(token: string) {
  const setup = (await t.inject('POST', '/api/v1/me/totp/setup', token)).json();
  const code = await totpNow(setup.secret);
  expect((await t.inject('POST', '/api/v1/me/totp/confirm', token, { code })).statusCode).toBe(200);
  return setup.secret as string;
}

describe('TOTP secrets are stored encrypted', () => {
  it('enrolment stores ciphertext (pending and confirmed); login with TOTP works; the API never returns it', async () => {
    const s = await t.staff({ roles: ['agent'] });
    const token = await t.login(s.employeeNo, s.password);
    const setup = (await t.inject('POST', '/api/v1/me/totp/setup', token)).json();
    const pending = await staffRow(s.id);
    expect(isSealed(pending.totp_pending_secret)).toBe(true);
    expect(pending.totp_pending_secret).not.toContain(setup.secret);
    expect((await t.inject('POST', '/api/v1/me/totp/confirm', token, { code: await totpNow(setup.secret) })).statusCode).toBe(200);
    const row = await staffRow(s.id);
    expect(row.totp_pending_secret).toBeNull();
    expect(row.totp_secret).toMatch(/^v1:[0-9a-f]{8}:[\w-]+:[\w-]+:[\w-]+$/);
    expect(row.totp_secret).not.toContain(setup.secret);
    expect(openSecret(row.totp_secret!, 'totp')).toBe(setup.secret);
    await allowReplay(s.id);
    const again = await t.login(s.employeeNo, s.password, await totpNow(setup.secret));
    const admin = await t.as(['admin']);
    for (const [url, tok] of [
      ['/api/v1/me', again],
      [`/api/v1/staff/${s.id}`, admin.token],
      ['/api/v1/staff', admin.token],
    ] as const) {
      const body = (await t.inject('GET', url, tok)).body;
      expect(body, url).not.toContain(setup.secret);
      expect(body, url).not.toContain(row.totp_secret!.slice(0, 20));
    }
  });

  it('a plain secret left from before migration 0008 is encrypted by the startup step, and login still works', async () => {
    const s = await t.staff({ roles: ['agent'] });
    const plain = await enrol(await t.login(s.employeeNo, s.password));
    // Simulate a row written before 0008: drop the constraint, store the plain value, re-add it NOT VALID.
    await t.database.db.execute(sql`ALTER TABLE staff DROP CONSTRAINT staff_totp_secret_encrypted`);
    await t.database.db.execute(sql`UPDATE staff SET totp_secret = ${plain} WHERE id = ${s.id}`);
    await t.database.db.execute(
      sql`ALTER TABLE staff ADD CONSTRAINT staff_totp_secret_encrypted CHECK (totp_secret IS NULL OR totp_secret LIKE 'v1:%') NOT VALID`,
    );
    expect((await staffRow(s.id)).totp_secret).toBe(plain);
    const { sealed } = await sealStoredSecrets(t.database);
    expect(sealed).toBeGreaterThanOrEqual(1);
    const all = await t.database.rows<{ totp_secret: string }>(sql`SELECT totp_secret FROM staff WHERE totp_secret IS NOT NULL`);
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const r of all) expect(isSealed(r.totp_secret)).toBe(true);
    const [c] = await t.database.rows<{ convalidated: boolean }>(sql`SELECT convalidated FROM pg_constraint WHERE conname = 'staff_totp_secret_encrypted'`);
    expect(c!.convalidated).toBe(true);
    // A plain write is now refused by the database itself.
    await expect(t.database.db.execute(sql`UPDATE staff SET totp_secret = 'JBSWY3DPEHPK3PXP' WHERE id = ${s.id}`)).rejects.toThrow();
    await allowReplay(s.id);
    expect(await t.login(s.employeeNo, s.password, await totpNow(plain))).toEqual(expect.any(String));
    expect((await sealStoredSecrets(t.database)).sealed).toBe(0); // idempotent
  });
});

describe('webhook URLs are stored encrypted and shown masked', () => {
  it('notification preferences and report targets', async () => {
    const me = await t.as(['director']);
    const url = 'http://127.0.0.1:9/cgi-bin/webhook/send?key=ROBOT-KEY-123';
    const put = await t.inject('PUT', '/api/v1/notifications/preferences', me.token, { webhook: { enabled: true, url, format: 'wecom' } });
    expect(put.statusCode).toBe(200);
    expect(put.body).not.toContain('ROBOT-KEY');
    const got = (await t.inject('GET', '/api/v1/notifications/preferences', me.token)).json();
    expect(got.webhook.url).toBe('http://127.0.0.1:9/…');
    const [p] = await t.database.rows<{ webhook_url: string }>(sql`SELECT webhook_url FROM notification_preferences WHERE staff_id = ${me.staff.id}`);
    expect(isSealed(p!.webhook_url)).toBe(true);
    expect(p!.webhook_url).not.toContain('ROBOT');
    // The web form sends the shown URL back with other changes: the stored URL is kept.
    expect((await t.inject('PUT', '/api/v1/notifications/preferences', me.token, { ...got, kinds: ['test'] })).statusCode).toBe(200);
    const [p2] = await t.database.rows<{ webhook_url: string }>(sql`SELECT webhook_url FROM notification_preferences WHERE staff_id = ${me.staff.id}`);
    expect(openSecret(p2!.webhook_url, 'webhook_url')).toBe(url);
    const audit = JSON.stringify(await t.auditRows('notification.preferences_updated'));
    expect(audit).not.toContain('ROBOT-KEY');

    const created = await t.inject('POST', '/api/v1/measures/reports', me.token, {
      name: '日报',
      frequency: 'daily',
      channel: 'webhook',
      target: 'http://127.0.0.1:9/robot/send?access_token=DING-TOKEN-9',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().target).toBe('http://127.0.0.1:9/…');
    expect((await t.inject('GET', '/api/v1/measures/reports', me.token)).body).not.toContain('DING-TOKEN');
    const [r] = await t.database.rows<{ target: string }>(sql`SELECT target FROM measure_reports WHERE id = ${created.json().id}`);
    expect(isSealed(r!.target)).toBe(true);
    expect(openSecret(r!.target, 'webhook_url')).toContain('DING-TOKEN-9');
  });
});

describe('key rotation', () => {
  it('re-encrypts every stored secret under the new key; the old key is then not needed; a missing key stops start', async () => {
    const s = await t.staff({ roles: ['agent'] });
    const plain = await enrol(await t.login(s.employeeNo, s.password));
    const oldKey = toKey(parseSecretKey(TEST_SECRET_KEY)!);
    const newKey = toKey(randomBytes(32));
    const before = await storedSecretKeyIds(t.database);
    expect(before['staff.totp_secret']).toEqual({ [oldKey.id]: expect.any(Number) });

    const ring = { current: newKey, old: [oldKey] };
    configureSecrets(ring);
    const { resealed, byColumn } = await rotateStoredSecrets(t.database, ring);
    expect(resealed).toBeGreaterThanOrEqual(3);
    expect(byColumn['staff.totp_secret']).toBeGreaterThanOrEqual(2);
    const after = await storedSecretKeyIds(t.database);
    for (const [col, m] of Object.entries(after)) for (const id of Object.keys(m)) expect(id, col).toBe(newKey.id);
    expect((await rotateStoredSecrets(t.database, ring)).resealed).toBe(0);

    // Only the new key from now on.
    configureSecrets({ current: newKey, old: [] });
    await allowReplay(s.id);
    expect(await t.login(s.employeeNo, s.password, await totpNow(plain))).toEqual(expect.any(String));
    await expect(sealStoredSecrets(t.database, { current: newKey, old: [] })).resolves.toMatchObject({ sealed: 0 });
    // Starting with only the old key: refused with a line naming the key in use.
    await expect(sealStoredSecrets(t.database, { current: oldKey, old: [] })).rejects.toThrow(new RegExp(`key id ${newKey.id}.*CHIDU_SECRET_KEYS_OLD`));
    configureSecrets(original);
    await rotateStoredSecrets(t.database, { current: oldKey, old: [newKey] }); // back, for the other tests in this file
  });
});

describe('key configuration', () => {
  it('PostgreSQL requires CHIDU_SECRET_KEY; keys must be 32 bytes (base64 or hex); shown hidden', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@h/db' })).toThrow(/CHIDU_SECRET_KEY is required with DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@h/db', CHIDU_SECRET_KEY: TEST_SECRET_KEY })).not.toThrow();
    expect(() => loadConfig({ CHIDU_SECRET_KEY: 'too-short' })).toThrow(ConfigError);
    try {
      loadConfig({ CHIDU_SECRET_KEY: 'too-short-secret' });
    } catch (e) {
      expect(String(e)).not.toContain('too-short-secret');
    }
    expect(() => loadConfig({ CHIDU_SECRET_KEY: 'ab'.repeat(32) })).not.toThrow();
    expect(() => loadConfig({ CHIDU_SECRET_KEY: TEST_SECRET_KEY, CHIDU_SECRET_KEYS_OLD: `${'cd'.repeat(32)}, nope` })).toThrow(/CHIDU_SECRET_KEYS_OLD/);
    expect(() => resolveSecretKeyring({ DATA_DIR: '/nonexistent' }, 'postgres')).toThrow(SecretKeyError);
  });

  it('the embedded mode generates DATA_DIR/secret.key (0600) once and reuses it; an environment key takes over with the file key kept for opening', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chidu-key-'));
    const a = resolveSecretKeyring({ DATA_DIR: dir }, 'pglite');
    const file = path.join(dir, 'secret.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(keyIdOf(parseSecretKey(readFileSync(file, 'utf8'))!)).toBe(a.current.id);
    expect(resolveSecretKeyring({ DATA_DIR: dir }, 'pglite').current.id).toBe(a.current.id);
    const b = resolveSecretKeyring({ DATA_DIR: dir, CHIDU_SECRET_KEY: TEST_SECRET_KEY }, 'pglite');
    expect(b.current.id).toBe(keyIdOf(parseSecretKey(TEST_SECRET_KEY)!));
    expect(b.old.map((k) => k.id)).toEqual([a.current.id]);
    rmSync(dir, { recursive: true, force: true });
  });
});
