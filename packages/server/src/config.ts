import { z } from 'zod';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  CHIDU_BOOTSTRAP_ADMIN: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}:.{8,128}$/, 'must be EMPLOYEE_NO:PASSWORD with a password of at least 8 characters')
    .optional(),
  CHIDU_DEMO: bool.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: z.coerce.number().min(0.01).max(24 * 90).default(12),
  /** Failed logins allowed per account / per address in LOGIN_WINDOW_MINUTES before 429. */
  LOGIN_MAX_FAILURES_ACCOUNT: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_FAILURES_IP: z.coerce.number().int().min(1).default(30),
  LOGIN_WINDOW_MINUTES: z.coerce.number().min(1).default(15),
  TRUST_PROXY: bool.default(false),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  /** Serve the built web app from this folder (default packages/web/dist). */
  WEB_DIST: z.string().optional(),
  /** Prometheus `GET /metrics` (docs/operations.md#monitor): bearer token on the main listener (unset = 404 there). */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** A separate listener serving only /metrics (unset = none); the token is checked there too when set. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Shared secret for signed inbound webhooks (POST /api/v1/inbound/chat). Unset = webhooks off. */
  CHIDU_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Organisation time zone: ticket numbers use its calendar day. */
  CHIDU_TIME_ZONE: z.string().default('Asia/Shanghai'),
  /** Set cookies with the Secure flag (behind HTTPS). */
  COOKIE_SECURE: bool.default(false),
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
  if (!parsed.success && parsed.error.issues[0]?.path[0] === 'METRICS_TOKEN') throw new ConfigError(`invalid configuration: METRICS_TOKEN ${parsed.error.issues[0].message} (got (hidden))`);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? '?');
    const shown = key === 'CHIDU_BOOTSTRAP_ADMIN' || key === 'DATABASE_URL' || key === 'CHIDU_WEBHOOK_SECRET' ? '(hidden)' : JSON.stringify(input[key]);
    throw new ConfigError(`invalid configuration: ${key} ${issue.message} (got ${shown})`);
  }
  return parsed.data;
}
