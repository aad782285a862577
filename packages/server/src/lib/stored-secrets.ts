/**
 * Every column that holds a secret, and the two passes over them:
 * - at start (`sealStoredSecrets`): values written before migration 0008 are still plain — seal them in one
 *   transaction, then VALIDATE the `*_encrypted` CHECK constraints (added NOT VALID by 0008). Once they are
 *   validated later starts skip the scan. It also refuses to start when stored secrets use a key that is not configured.
 * - rotation (`rotateStoredSecrets`, `npm run rotate-secrets`): re-seal everything not under the current key.
 */
import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/client';
import { isSealed, keyIdOfSealed, resealSecret, SecretKeyError, secretKeyring, type SecretKeyring, type SecretPurpose } from './secretbox';

interface StoredSecret {
  table: string;
  id: string;
  column: string;
  purpose: SecretPurpose;
  where?: string;
  constraint: string;
  scanKeys: boolean;
}

/** Add a row here (and a CHECK … NOT VALID in a migration) for every new stored secret. */
export const STORED_SECRETS: readonly StoredSecret[] = [
  { table: 'staff', id: 'id', column: 'totp_secret', purpose: 'totp', constraint: 'staff_totp_secret_encrypted', scanKeys: true },
  { table: 'staff', id: 'id', column: 'totp_pending_secret', purpose: 'totp', constraint: 'staff_totp_pending_secret_encrypted', scanKeys: true },
  {
    table: 'notification_preferences',
    id: 'staff_id',
    column: 'webhook_url',
    purpose: 'webhook_url',
    constraint: 'notification_preferences_webhook_url_encrypted',
    scanKeys: true,
  },
  {
    table: 'notification_deliveries',
    id: 'id',
    column: 'target',
    purpose: 'webhook_url',
    where: `channel = 'webhook'`,
    constraint: 'notification_deliveries_webhook_target_encrypted',
    scanKeys: false,
  },
  {
    table: 'measure_reports',
    id: 'id',
    column: 'target',
    purpose: 'webhook_url',
    where: `channel = 'webhook'`,
    constraint: 'measure_reports_webhook_target_encrypted',
    scanKeys: true,
  },
  { table: 'channels', id: 'id', column: 'secrets', purpose: 'channel_credential', constraint: 'channels_secrets_encrypted', scanKeys: true },
];

const LOCK = 727275;
const rows = async <T>(ex: Executor, q: ReturnType<typeof sql>) => ((await ex.execute(q)) as { rows: T[] }).rows;

async function resealWhere(tx: Executor, s: StoredSecret, onlyPlain: boolean, k: SecretKeyring): Promise<number> {
  const col = sql.raw(`"${s.column}"`);
  const cond = onlyPlain ? sql`${col} NOT LIKE 'v1:%'` : sql`${col} NOT LIKE ${`v1:${k.current.id}:%`}`;
  const found = await rows<{ id: string; v: string }>(
    tx,
    sql`SELECT ${sql.raw(`"${s.id}"`)}::text AS id, ${col} AS v FROM ${sql.raw(`"${s.table}"`)}
    WHERE ${col} IS NOT NULL AND ${cond} ${s.where ? sql.raw(`AND ${s.where}`) : sql``} FOR UPDATE`,
  );
  for (const r of found) {
    const next = resealSecret(r.v, s.purpose, k);
    if (next === null) continue;
    await tx.execute(sql`UPDATE ${sql.raw(`"${s.table}"`)} SET ${col} = ${next} WHERE ${sql.raw(`"${s.id}"`)}::text = ${r.id}`);
  }
  return found.length;
}

/** Startup step (idempotent, safe with several processes): seal plain values, validate the constraints, check key ids. */
export async function sealStoredSecrets(database: Database, k: SecretKeyring = secretKeyring()): Promise<{ sealed: number }> {
  let sealed = 0;
  const pending = await rows<{ conname: string }>(
    database.db,
    sql`SELECT conname FROM pg_constraint WHERE conname IN (${sql.join(
      STORED_SECRETS.map((s) => sql`${s.constraint}`),
      sql`, `,
    )}) AND NOT convalidated`,
  );
  if (pending.length) {
    await database.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(${LOCK})`);
      for (const s of STORED_SECRETS) sealed += await resealWhere(tx, s, true, k);
      for (const s of STORED_SECRETS) {
        if (pending.some((p) => p.conname === s.constraint)) await tx.execute(sql.raw(`ALTER TABLE "${s.table}" VALIDATE CONSTRAINT "${s.constraint}"`));
      }
    });
  }
  const known = new Set([k.current.id, ...k.old.map((o) => o.id)]);
  const unknown = new Set<string>();
  for (const s of STORED_SECRETS.filter((x) => x.scanKeys)) {
    const ids = await rows<{ id: string }>(
      database.db,
      sql`SELECT DISTINCT split_part(${sql.raw(`"${s.column}"`)}, ':', 2) AS id FROM ${sql.raw(`"${s.table}"`)} WHERE ${sql.raw(`"${s.column}"`)} LIKE 'v1:%'`,
    );
    for (const { id } of ids) if (!known.has(id)) unknown.add(id);
  }
  if (unknown.size) {
    throw new SecretKeyError(
      `stored secrets are encrypted with key id ${[...unknown].join(', ')}, which is not configured (current key ${k.current.id}); set CHIDU_SECRET_KEY to that key or list it in CHIDU_SECRET_KEYS_OLD`,
    );
  }
  return { sealed };
}

/** Re-seal every stored secret that is not under the current key (rotation); one transaction. */
export async function rotateStoredSecrets(
  database: Database,
  k: SecretKeyring = secretKeyring(),
): Promise<{ resealed: number; byColumn: Record<string, number> }> {
  const byColumn: Record<string, number> = {};
  let resealed = 0;
  await database.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${LOCK})`);
    for (const s of STORED_SECRETS) {
      const n = await resealWhere(tx, s, false, k);
      byColumn[`${s.table}.${s.column}`] = n;
      resealed += n;
    }
  });
  return { resealed, byColumn };
}

/** Key ids in use per column (for the rotation report and tests). */
export async function storedSecretKeyIds(database: Database): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const s of STORED_SECRETS) {
    const r = await rows<{ v: string }>(
      database.db,
      sql`SELECT ${sql.raw(`"${s.column}"`)} AS v FROM ${sql.raw(`"${s.table}"`)} WHERE ${sql.raw(`"${s.column}"`)} IS NOT NULL ${s.where ? sql.raw(`AND ${s.where}`) : sql``}`,
    );
    const m: Record<string, number> = {};
    for (const { v } of r) {
      const id = isSealed(v) ? keyIdOfSealed(v)! : 'plain';
      m[id] = (m[id] ?? 0) + 1;
    }
    out[`${s.table}.${s.column}`] = m;
  }
  return out;
}
