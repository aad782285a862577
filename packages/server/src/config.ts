import { DEFAULT_TIME_ZONE, isTimeZone } from './lib/timezone';
import { z } from 'zod';
import { parseAllowList } from './lib/outbound';
import { parseSecretKey } from './lib/secretbox';

const bool = z.enum(['1', '0', 'true', 'false', 'yes', 'no', '']).transform((v) => v === '1' || v === 'true' || v === 'yes');

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_WORKER_POOL_SIZE: z.coerce.number().int().min(1).max(50).default(3),
  CHIDU_BOOTSTRAP_ADMIN: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}:.{8,128}$/, 'must be EMPLOYEE_NO:PASSWORD with a password of at least 8 characters')
    .optional(),
  CHIDU_DEMO: bool.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Requests slower than this are logged at warn (the rest at debug; 5xx at error). 0 = never. */
  CHIDU_SLOW_REQUEST_MS: z.coerce.number().int().min(0).default(1000),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .min(0.01)
    .max(24 * 90)
    .default(12),
  /** Staff sessions end after this many minutes without a request; 0 = no idle timeout (only SESSION_TTL_HOURS). */
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .min(0)
    .max(60 * 24 * 90)
    .default(0),
  /** Customer (portal) sessions end after this many minutes without a request. */
  CUSTOMER_SESSION_IDLE_MINUTES: z.coerce
    .number()
    .min(1)
    .max(60 * 24 * 90)
    .default(120),
  /** Customer (portal) sessions end this many days after sign-in, however active. */
  CUSTOMER_SESSION_MAX_DAYS: z.coerce.number().min(0.001).max(365).default(7),
  /** Failed logins allowed per account / per address in LOGIN_WINDOW_MINUTES before 429. */
  LOGIN_MAX_FAILURES_ACCOUNT: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_FAILURES_IP: z.coerce.number().int().min(1).default(30),
  LOGIN_WINDOW_MINUTES: z.coerce.number().min(1).default(15),
  TRUST_PROXY: bool.default(false),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /** Serve the built web app from this folder (default packages/web/dist). */
  WEB_DIST: z.string().optional(),
  /** Prometheus `GET /metrics` (docs/operations.md#monitor): bearer token on the main listener (unset = 404 there). */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** A separate listener serving only /metrics (unset = none); the token is checked there too when set. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Shared secret for signed inbound webhooks (POST /api/v1/inbound/chat). Unset = webhooks off. */
  CHIDU_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Organisation time zone (IANA): ticket numbers, local days, reports, exports, digests use its calendar. */
  CHIDU_TIME_ZONE: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Shanghai').default(DEFAULT_TIME_ZONE),
  /** Organisation name in the title block of exported reports (default: the demo organisation's, else none). */
  CHIDU_ORG_NAME: z.string().trim().max(200).optional(),
  /** Set cookies with the Secure flag (behind HTTPS). */
  COOKIE_SECURE: bool.default(false),
  // ── Failure handling (database faults, timeouts, readiness, storage, overload; docs/operations.md) ──
  /** PostgreSQL: statement_timeout / lock_timeout of request transactions (ms; 0 = none). */
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(5000),
  DB_LOCK_TIMEOUT_MS: z.coerce.number().int().min(0).default(3000),
  /** PostgreSQL: the same for background workers' transactions (SET LOCAL per transaction). */
  DB_WORKER_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(60_000),
  DB_WORKER_LOCK_TIMEOUT_MS: z.coerce.number().int().min(0).default(15_000),
  /** PostgreSQL: statement_timeout / lock_timeout while migrating at start. */
  DB_MIGRATION_TIMEOUT_MS: z.coerce.number().int().min(0).default(600_000),
  /** PostgreSQL: longest wait for a new connection or a free pooled one before 503 database_busy. */
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  /** /readyz fails when the oldest due, unfired standards deadline is older than this (ms). */
  READY_DEADLINE_LAG_MS: z.coerce.number().int().min(100).default(30_000),
  /** /readyz fails for this long (ms) after a request failed with database_busy / database_unavailable / storage_full. */
  READY_FAULT_WINDOW_MS: z.coerce.number().int().min(0).default(10_000),
  /** Embedded database: writes are refused with 507 storage_full below this much free space on DATA_DIR (MB). */
  DISK_MIN_FREE_MB: z.coerce.number().min(0).default(64),
  /** Embedded database: a warning is logged when free space on DATA_DIR falls below this (MB). */
  DISK_WARN_FREE_MB: z.coerce.number().min(0).default(512),
  /** Requests handled at once per process before the excess gets 503 overloaded (0 = no limit). */
  MAX_IN_FLIGHT: z.coerce.number().int().min(0).default(256),
  /**
   * The listening socket's accept queue (the kernel caps it at net.core.somaxconn). Node's 511 overflowed when a
   * thousand clients connected at once while the process was busy: the kernel then drops the handshake's last packet
   * and the client's first request waits 1 s, 3 s, 7 s… for the retransmissions (docs/benchmarks.md#overload).
   */
  LISTEN_BACKLOG: z.coerce.number().int().min(1).default(4096),
  /**
   * Listening sockets on PORT (SO_REUSEPORT; Node 22.12+ on Linux, else one). A busy process takes one new connection
   * per socket per event-loop turn, so several sockets take a burst of new connections in that many times faster
   * (src/http/accept-sockets.ts). 1 = one socket.
   */
  LISTEN_SOCKETS: z.coerce.number().int().min(1).max(64).default(8),
  /**
   * Delay-based shedding (CoDel-like): when the fastest request answered in the last CHIDU_SHED_INTERVAL_MS spent
   * longer than this in the process, new requests get 503 overloaded until an interval's fastest is back under it (ms;
   * 0 = off). Decided on the raw request, before routing, authentication or the body (src/http/resilience.ts).
   * Off by default: during a PostgreSQL fault storm it kept refusing after the database had recovered (db-faults
   * test); opt in (e.g. 100) after measuring your deployment. Issue #19 item 7.
   */
  CHIDU_SHED_TARGET_MS: z.coerce.number().int().min(0).default(0),
  /** The interval over which CHIDU_SHED_TARGET_MS is judged (ms). */
  CHIDU_SHED_INTERVAL_MS: z.coerce.number().int().min(10).max(10_000).default(100),
  /** Ticket creates waiting for their batch per process before the excess gets 503 overloaded (0 = no limit). */
  CHIDU_CREATE_QUEUE_MAX: z.coerce.number().int().min(0).default(512),
  /** A new ticket create is refused with 503 overloaded while the oldest waiting one has waited this long (ms; 0 = never). */
  CHIDU_CREATE_MAX_WAIT_MS: z.coerce.number().int().min(0).default(2000),
  /**
   * Embedded database only (PGlite; PostgreSQL is not affected): new requests get 503 overloaded while the oldest
   * request job waiting in the database's queue (db/lanes.ts) or the oldest ticket create waiting for its batch has
   * waited this long (ms; 0 = off). The embedded database is the process's one real queue: shedding on its wait keeps
   * the admitted requests' wait bounded whatever the machine's speed. Decided at the edge like the other rules.
   */
  CHIDU_SHED_QUEUE_WAIT_MS: z.coerce.number().int().min(0).default(1000),
  // ── end of failure handling ──
  // ── outbound requests and secrets at rest (docs/security.md) ──
  /** Internal targets outbound requests may reach despite the private-address rule: IPs, CIDR ranges, host names, *.suffixes. */
  CHIDU_OUTBOUND_ALLOW: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      try {
        parseAllowList(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  /** Removed (it allowed every private address): refuse to start rather than silently change behaviour. */
  CHIDU_WEBHOOK_ALLOW_PRIVATE: z
    .string()
    .optional()
    .refine((v) => v === undefined, 'was removed; list the internal targets in CHIDU_OUTBOUND_ALLOW instead'),
  /** Built-in SMTP listener for the email channels (`HOST:PORT`, off by default; docs/channels.md). */
  SMTP_LISTEN: z
    .string()
    .regex(/^[^\s]*:\d{1,5}$/, 'HOST:PORT')
    .optional(),
  CHIDU_OUTBOUND_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  CHIDU_OUTBOUND_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  CHIDU_OUTBOUND_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(1024 * 1024),
  /** AES-256-GCM key for secrets at rest (32 bytes, base64 or hex). Embedded mode: generated into DATA_DIR/secret.key when unset; PostgreSQL: required. */
  CHIDU_SECRET_KEY: z
    .string()
    .optional()
    .refine((v) => v === undefined || parseSecretKey(v) !== null, 'must be 32 bytes, base64 or hex (openssl rand -base64 32)'),
  /** Previous keys, comma-separated: only decrypt, until `npm run rotate-secrets` re-encrypted everything. */
  CHIDU_SECRET_KEYS_OLD: z
    .string()
    .optional()
    .refine(
      (v) =>
        v === undefined ||
        v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
          .every((x) => parseSecretKey(x) !== null),
      'must be a comma-separated list of 32-byte keys (base64 or hex)',
    ),
  // ── end outbound / secrets ──
});

export type Config = z.output<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** Validate the environment; a bad value stops the process with one clear line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<keyof Config, string>> = {}): Config {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(ConfigSchema.shape)) {
    const v = overrides[key as keyof Config] ?? env[key];
    input[key] = v === '' && key !== 'CHIDU_DEMO' ? undefined : v;
  }
  const parsed = ConfigSchema.safeParse(input);
  if (!parsed.success && parsed.error.issues[0]?.path[0] === 'METRICS_TOKEN')
    throw new ConfigError(`invalid configuration: METRICS_TOKEN ${parsed.error.issues[0].message} (got (hidden))`);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? '?');
    const shown =
      key === 'CHIDU_BOOTSTRAP_ADMIN' ||
      key === 'DATABASE_URL' ||
      key === 'CHIDU_WEBHOOK_SECRET' ||
      key === 'METRICS_TOKEN' ||
      key.startsWith('CHIDU_SECRET_KEY')
        ? '(hidden)'
        : JSON.stringify(input[key]);
    throw new ConfigError(`invalid configuration: ${key} ${issue.message} (got ${shown})`);
  }
  if (parsed.data.DATABASE_URL && !parsed.data.CHIDU_SECRET_KEY) {
    throw new ConfigError(
      'invalid configuration: CHIDU_SECRET_KEY is required with DATABASE_URL (32 random bytes, base64 or hex: openssl rand -base64 32); see docs/security.md',
    );
  }
  return parsed.data;
}
