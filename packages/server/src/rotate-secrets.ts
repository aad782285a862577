/**
 * `npm run rotate-secrets`: re-encrypt every stored secret under the current key (CHIDU_SECRET_KEY), opening the old
 * ones with CHIDU_SECRET_KEYS_OLD (and, in the embedded mode, the key in DATA_DIR/secret.key). One transaction; then
 * checks that no other key is in use. Embedded mode: the new key replaces DATA_DIR/secret.key afterwards.
 * Steps: docs/security.md "Key rotation".
 */
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/client';
import { DataDirLockedError } from './db/lock';
import { configureSecrets, parseSecretKey, resolveSecretKeyring, SecretKeyError, secretKeyFile, writeKeyFile } from './lib/secretbox';
import { rotateStoredSecrets, sealStoredSecrets, storedSecretKeyIds } from './lib/stored-secrets';

function fatal(message: string): never {
  process.stderr.write(`chidu rotate-secrets: ${message}\n`);
  process.exit(1);
}

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) fatal(err.message);
  throw err;
}
if (!config.CHIDU_SECRET_KEY) fatal('set CHIDU_SECRET_KEY to the NEW key (openssl rand -base64 32) and CHIDU_SECRET_KEYS_OLD to the previous one(s)');

let database;
try {
  database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, poolSize: 2 });
} catch (err) {
  if (err instanceof DataDirLockedError) fatal(`${err.message} (stop the server first)`);
  throw err;
}
try {
  const ring = resolveSecretKeyring(config, database.kind);
  configureSecrets(ring);
  const { sealed } = await sealStoredSecrets(database, ring);
  const { resealed, byColumn } = await rotateStoredSecrets(database, ring);
  const ids = await storedSecretKeyIds(database);
  const stray = Object.entries(ids).flatMap(([col, m]) =>
    Object.keys(m)
      .filter((id) => id !== ring.current.id)
      .map((id) => `${col}: ${id}`),
  );
  if (stray.length) fatal(`still not under the current key after rotation: ${stray.join(', ')}`);
  if (database.kind === 'pglite') writeKeyFile(secretKeyFile(config.DATA_DIR), parseSecretKey(config.CHIDU_SECRET_KEY)!);
  process.stdout.write(
    [
      `chidu rotate-secrets: ${resealed} secret(s) re-encrypted under key ${ring.current.id}${sealed ? ` (${sealed} plain value(s) encrypted first)` : ''}.`,
      ...Object.entries(byColumn).map(([col, n]) => `  ${col}: ${n}`),
      database.kind === 'pglite'
        ? `  ${secretKeyFile(config.DATA_DIR)} now holds the new key; CHIDU_SECRET_KEY / CHIDU_SECRET_KEYS_OLD can be removed.`
        : '  Remove the old key from CHIDU_SECRET_KEYS_OLD on every server and restart them.',
      '',
    ].join('\n'),
  );
} catch (err) {
  if (err instanceof SecretKeyError) fatal(err.message);
  throw err;
} finally {
  await database.close();
}
