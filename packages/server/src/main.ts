import { ConfigError, loadConfig } from './config';
import { DataDirLockedError } from './db/lock';
import { SecretKeyError } from './lib/secretbox';
import { demoLoginsText } from './demo/demo';
import { identityRepo } from './modules/identity/identity.repo';
import { startServer } from './server';
import { classifyDbFault } from './lib/db-faults';
import { healthCounters } from './lib/health';

// Safety net: a database fault that escaped every handler (an 'error' event, a rejected promise nobody awaited)
// is logged and survived — the process never exits because the database went away. Anything else is a bug:
// report it and exit as Node would.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (err: unknown) => {
    if (classifyDbFault(err)) {
      healthCounters.pgClientErrors++;
      process.stderr.write(
        `${JSON.stringify({ level: 40, time: Date.now(), msg: `database fault survived (${event})`, err: { message: (err as Error)?.message, code: (err as { code?: string })?.code } })}\n`,
      );
      return;
    }
    process.stderr.write(`chidu: ${event}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}

function fatal(message: string): never {
  process.stderr.write(`chidu: ${message}\n`);
  process.exit(1);
}

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) fatal(err.message);
  throw err;
}

const t0 = performance.now();
let running;
try {
  running = await startServer(config);
} catch (err) {
  if (err instanceof DataDirLockedError || err instanceof SecretKeyError) fatal(err.message);
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE')
    fatal(
      config.METRICS_PORT && (e as { port?: number }).port === config.METRICS_PORT
        ? `METRICS_PORT ${config.METRICS_PORT} on ${config.METRICS_HOST} is already in use; set METRICS_PORT to another port`
        : `port ${config.PORT} on ${config.HOST} is already in use; set PORT to another port`,
    );
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === '3D000' || e.code === '28P01')
    fatal(`cannot connect to DATABASE_URL (${e.code}): ${e.message}`);
  throw err;
}

const staffCount = await identityRepo.staffCount(running.database.db);
const lines = [
  '',
  `  尺度 Chidu is running at ${running.url}  (${running.database.kind === 'pglite' ? `embedded database in ${config.DATA_DIR}` : 'PostgreSQL'}; ready in ${Math.round(performance.now() - t0)} ms)`,
  `  API docs: ${running.url}/api/docs`,
  `  Customer portal 客户服务门户: ${running.url}/portal  ·  help centre 帮助中心: ${running.url}/portal/help`,
];
if (config.CHIDU_DEMO) lines.push(demoLoginsText());
if (running.bootstrapped) lines.push(`  First admin ${config.CHIDU_BOOTSTRAP_ADMIN!.split(':')[0]} created from CHIDU_BOOTSTRAP_ADMIN.`);
if (staffCount === 0) lines.push('  No staff yet: restart with CHIDU_BOOTSTRAP_ADMIN=EMPLOYEE_NO:PASSWORD, or run `npm run demo` for demo data.');
process.stdout.write(`${lines.join('\n')}\n\n`);

let shuttingDown = false;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (shuttingDown) return;
    shuttingDown = true;
    running.app.log.info({ signal: sig }, 'shutting down');
    const force = setTimeout(() => {
      process.stderr.write('chidu: shutdown timed out\n');
      process.exit(1);
    }, 15_000);
    force.unref();
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`chidu: shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  });
}
