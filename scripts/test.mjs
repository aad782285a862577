#!/usr/bin/env node
// `npm test`: core, web and the HTTP suite on PGlite; the HTTP suite again on PostgreSQL when
// TEST_DATABASE_URL / DATABASE_URL is set (mandatory with REQUIRE_POSTGRES=1).
import { spawn } from 'node:child_process';
import pg from 'pg';

const require_ = process.env.REQUIRE_POSTGRES === '1';
let url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
if (!url && require_) url = 'postgres://postgres@127.0.0.1:5432/test';

const projects = ['core', 'web', 'server-pglite'];
if (url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    projects.push('server-postgres');
    console.log(`PostgreSQL suite: on (${url.replace(/\/\/[^@]*@/, '//***@')})`);
  } catch (err) {
    if (require_) {
      console.error(`REQUIRE_POSTGRES=1 but PostgreSQL is unreachable at ${url}: ${err.message}`);
      process.exit(1);
    }
    console.warn(`PostgreSQL unreachable (${err.message}); running the PGlite suite only`);
  } finally {
    await client.end().catch(() => {});
  }
} else {
  console.log('PostgreSQL suite: off (set TEST_DATABASE_URL=postgres://… or REQUIRE_POSTGRES=1 to run it)');
}

const args = [
  'vitest',
  'run',
  ...projects.flatMap((p) => ['--project', p]),
  '--reporter=default',
  '--reporter=./scripts/summary-reporter.mjs',
  ...process.argv.slice(2),
];
const child = spawn('npx', args, {
  stdio: 'inherit',
  env: { ...process.env, TEST_DATABASE_URL: url ?? '', DATABASE_URL: '' },
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
