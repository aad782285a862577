import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { generate } from 'otplib';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../src/config';
import { openDatabase, type Database } from '../src/db/client';
import { buildApp } from '../src/http/app';
import { systemCtx } from '../src/lib/context';
import { createStaffInTx, createTeamInTx } from '../src/modules/identity/identity.commands';
import type { Role } from '../src/modules/identity/policy';
import { hashPassword } from '../src/modules/identity/secrets';

export const onPostgres = process.env.CHIDU_TEST_DB === 'postgres';
/**
 * The `ws` package (a dependency of @fastify/websocket) has no type declarations installed: imported by a name typed
 * `string`, `await import(WS_MODULE)` is `any`, and each test declares the part of the client it uses.
 */
export const WS_MODULE: string = 'ws';
export const pgAdminUrl = () => process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh, migrated database for one test file: in-memory PGlite, or a new PostgreSQL database. */
export async function freshDatabaseUrl(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: pgAdminUrl() });
  await admin.connect();
  const name = `chidu_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(pgAdminUrl());
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: pgAdminUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

let image: Blob | null | undefined;
/** The migrated PGlite image written by test/global-setup.ts (read once per test file), or undefined without it. */
function migratedImage(): Blob | undefined {
  if (image === undefined) {
    const file = inject('pgliteImagePath');
    image = file ? new Blob([readFileSync(file)]) : null;
  }
  return image ?? undefined;
}

export async function testDatabase(): Promise<{ database: Database; url: string | null; dispose: () => Promise<void> }> {
  if (onPostgres) {
    const fresh = await freshDatabaseUrl();
    const database = await openDatabase({ databaseUrl: fresh.url, poolSize: 5 });
    return {
      database,
      url: fresh.url,
      async dispose() {
        await database.close();
        await fresh.drop();
      },
    };
  }
  const database = await openDatabase({ inMemory: true, pgliteImage: migratedImage() });
  return { database, url: null, dispose: () => database.close() };
}

/** A fixed 32-byte key for secrets at rest in tests (PostgreSQL requires one; PGlite in memory has no DATA_DIR). */
export const TEST_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');

export function testConfig(over: Partial<Record<keyof Config, string>> = {}): Config {
  // CHIDU_SHED_QUEUE_WAIT_MS off: a test's burst of in-process requests on a shared machine may wait 300 ms for the
  // embedded database; the rule has its own tests (pglite-lanes.test.ts), which set it.
  return loadConfig({}, { LOG_LEVEL: 'silent', CHIDU_SECRET_KEY: TEST_SECRET_KEY, CHIDU_SHED_QUEUE_WAIT_MS: '0', ...over });
}

export type TestApp = Awaited<ReturnType<typeof testApp>>;

/** Build the real app on a fresh database; helpers sign in and create staff like an admin would. */
export async function testApp(over: Partial<Record<keyof Config, string>> = {}) {
  const { database, url, dispose } = await testDatabase();
  const config = testConfig(over);
  const app = await buildApp({ config, database }, { logger: false });
  await app.ready();
  let seq = 0;
  const passwordHashes = new Map<string, Promise<string>>();
  const hashOf = (p: string) => {
    if (!passwordHashes.has(p)) passwordHashes.set(p, hashPassword(p));
    return passwordHashes.get(p)!;
  };

  const t = {
    app,
    database,
    config,
    url,
    async close() {
      await app.close();
      await dispose();
    },
    async team(name = `team-${++seq}`, supervisorId: string | null = null) {
      return database.transaction((tx) => createTeamInTx(tx, systemCtx('test'), { name, supervisorId }));
    },
    async staff(o: {
      roles: Role[];
      employeeNo?: string;
      password?: string;
      teamId?: string | null;
      name?: string;
      compensationLimitFen?: number | null;
      skills?: string[];
    }) {
      const employeeNo = o.employeeNo ?? `E${String(++seq).padStart(5, '0')}`;
      const password = o.password ?? 'Passw0rd!';
      const row = await database.transaction(async (tx) =>
        createStaffInTx(
          tx,
          systemCtx('test'),
          {
            employeeNo,
            name: o.name ?? `员工${employeeNo}`,
            password,
            roles: o.roles,
            teamId: o.teamId ?? null,
            skills: o.skills,
            compensationLimitFen: o.compensationLimitFen ?? null,
          },
          await hashOf(password),
        ),
      );
      return { ...row, password };
    },
    async login(employeeNo: string, password = 'Passw0rd!', otp?: string) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { employeeNo, password, ...(otp ? { otp } : {}) } });
      if (res.statusCode !== 200) throw new Error(`login ${employeeNo} failed: ${res.statusCode} ${res.body}`);
      return res.json().token as string;
    },
    /** Create a staff member with the roles and return a bearer token for them. */
    async as(roles: Role[], extra: { teamId?: string | null } = {}) {
      const s = await t.staff({ roles, ...extra });
      return { staff: s, token: await t.login(s.employeeNo, s.password) };
    },
    inject(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, token?: string, payload?: unknown, headers: Record<string, string> = {}) {
      return app.inject({ method, url, payload: payload as never, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
    },
    async auditRows(action?: string) {
      return database.rows<{ action: string; actor_id: string | null; target_id: string | null; changes: unknown }>(
        action
          ? (await import('drizzle-orm')).sql`SELECT * FROM audit_log WHERE action = ${action} ORDER BY id`
          : (await import('drizzle-orm')).sql`SELECT * FROM audit_log ORDER BY id`,
      );
    },
  };
  return t;
}

export const totpNow = (secret: string, epoch?: number) => generate({ secret, ...(epoch ? { epoch } : {}) });
