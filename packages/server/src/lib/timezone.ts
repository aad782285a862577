/**
 * The organisation's time zone (CHIDU_TIME_ZONE): the one source for "which local day / hour is it" in ticket
 * numbers, knowledge review days, reports, exports and digests. Never write a zone literal elsewhere.
 */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

let current: string | null = null;

/** Set once per process from the configuration (buildApp); tests may set it. */
export function setOrgTimeZone(tz: string): void {
  if (!isTimeZone(tz)) throw new Error(`CHIDU_TIME_ZONE: unknown time zone ${tz}`);
  current = tz;
}

/** The organisation's time zone: the configured one, else CHIDU_TIME_ZONE from the environment, else the default. */
export function orgTimeZone(): string {
  if (current) return current;
  const env = process.env.CHIDU_TIME_ZONE;
  return env && isTimeZone(env) ? env : DEFAULT_TIME_ZONE;
}
