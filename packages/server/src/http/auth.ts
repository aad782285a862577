import { asLocale, DEFAULT_LOCALE, localeFromAcceptLanguage } from '../i18n/index';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Config } from '../config';
import type { Database } from '../db/client';
import { customerAccounts, sessions, staff } from '../db/schema';
import type { Actor, Ctx } from '../lib/context';
import { AppError } from '../lib/errors';
import { actorFromRow } from '../modules/identity/identity.commands';
import { safeEqual, sha256 } from '../modules/identity/secrets';
import { cacheLoad } from './session-cache';

export const SESSION_COOKIE = 'chidu_session';
export const CSRF_COOKIE = 'chidu_csrf';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    sessionScope: 'full' | 'enrol' | null;
  }
  interface FastifyContextConfig {
    /** Route is reachable without a session (login, public survey links…). */
    public?: boolean;
    /** Route stays usable by a session that must still enrol TOTP. */
    allowDuringEnrolment?: boolean;
    /** Who may call it: staff (default), customer (portal), or any signed-in principal. */
    audience?: 'staff' | 'customer' | 'any';
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** last_seen_at is written at most this often per session (idle timeouts are exact to within this). */
export const LAST_SEEN_WRITE_MS = 60_000;

export type SessionPolicy = Pick<Config, 'SESSION_IDLE_MINUTES' | 'CUSTOMER_SESSION_IDLE_MINUTES'>;

/** Minutes without a request after which a session of this principal kind ends (0 = never). */
export function idleMinutes(policy: SessionPolicy, principalKind: string): number {
  return principalKind === 'customer' ? policy.CUSTOMER_SESSION_IDLE_MINUTES : policy.SESSION_IDLE_MINUTES;
}

export const userAgentHash = (ua: string | undefined) => sha256(`ua:${ua ?? ''}`);

/**
 * Resolve the caller from a Bearer token or the session cookie (cookie writes need the CSRF header).
 * Also enforced here, on cached sessions too: the idle timeout (from last_seen_at, refreshed at most once a minute
 * with a conditional UPDATE), and the device binding of browser sessions (`transport = 'cookie'`: never accepted
 * as a Bearer token, and only from the User-Agent they were issued to).
 */
export async function authenticate(database: Database, req: FastifyRequest, policy: SessionPolicy): Promise<void> {
  const header = req.headers.authorization;
  let token: string | undefined;
  let viaCookie = false;
  if (header) {
    const m = /^Bearer\s+([A-Za-z0-9_-]{20,200})$/.exec(header);
    if (!m) throw new AppError('unauthenticated', 'Malformed Authorization header; use "Bearer <token>"');
    token = m[1];
  } else if (req.cookies?.[SESSION_COOKIE]) {
    token = req.cookies[SESSION_COOKIE];
    viaCookie = true;
  }
  if (!token) throw new AppError('unauthenticated', 'Sign in first');
  // One round trip (or none, within the short session cache): the session and, for staff, the account behind it.
  const hash = sha256(token);
  type Found = { session: typeof sessions.$inferSelect; staff: typeof staff.$inferSelect | null };
  const found = await cacheLoad<Found>(hash, async () => {
    const [row] = await database.db
      .select({ session: sessions, staff })
      .from(sessions)
      .leftJoin(staff, and(eq(sessions.principalKind, 'staff'), eq(staff.id, sessions.principalId)))
      .where(eq(sessions.tokenHash, hash));
    if (!row) return undefined;
    // A revoked session is answered but not cached.
    return { value: row, principalId: row.session.principalId, cache: !row.session.revokedAt };
  });
  const session = found?.session;
  if (!session || session.revokedAt) throw new AppError('unauthenticated', 'Session ended; sign in again');
  const now = Date.now();
  if (session.expiresAt.getTime() <= now) throw new AppError('token_expired', 'Session expired; sign in again');
  if (session.transport === 'cookie') {
    if (!viaCookie) throw new AppError('unauthenticated', 'This session belongs to the browser it was issued to and cannot be used as a Bearer token');
    if (session.userAgentHash && !safeEqual(session.userAgentHash, userAgentHash(req.headers['user-agent']))) {
      throw new AppError('unauthenticated', 'This session belongs to another browser; sign in again');
    }
  }
  const idle = idleMinutes(policy, session.principalKind);
  if (idle > 0 && session.lastSeenAt.getTime() + idle * 60_000 <= now) throw new AppError('token_expired', 'Session ended after inactivity; sign in again');
  // Only a request that gets through keeps the session alive.
  const touch = async () => {
    if (now - session.lastSeenAt.getTime() < LAST_SEEN_WRITE_MS) return;
    // The cached copy is the same object: later requests within the cache lifetime do not write again.
    session.lastSeenAt = new Date(now);
    await database.db
      .update(sessions)
      .set({ lastSeenAt: sql`now()` })
      .where(and(eq(sessions.id, session.id), lt(sessions.lastSeenAt, sql`now() - interval '1 minute'`)));
  };
  if (viaCookie && !SAFE_METHODS.has(req.method)) {
    const sent = req.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !safeEqual(sent, session.csrfToken)) throw new AppError('csrf_failed', 'Missing or wrong X-CSRF-Token header');
  }
  const audience = req.routeOptions.config.audience ?? 'staff';
  if (session.principalKind === 'customer') {
    if (audience === 'staff') throw new AppError('forbidden', 'Staff only');
    const [acct] = await database.db.select().from(customerAccounts).where(eq(customerAccounts.id, session.principalId));
    if (!acct) throw new AppError('unauthenticated', 'Session ended; sign in again');
    req.actor = { kind: 'customer', id: acct.id, customerId: acct.customerId, sessionId: session.id };
    req.sessionScope = 'full';
    await touch();
    return;
  }
  if (audience === 'customer') throw new AppError('forbidden', 'Customer portal only');
  const row = found?.staff;
  if (!row) throw new AppError('unauthenticated', 'Session ended; sign in again');
  if (!row.active) throw new AppError('account_disabled', 'This account is disabled');
  req.actor = actorFromRow(row, session.id);
  req.sessionScope = session.scope === 'enrol' ? 'enrol' : 'full';
  await touch();
  if (req.sessionScope === 'enrol' && !req.routeOptions.config.allowDuringEnrolment) {
    throw new AppError('totp_enrolment_required', 'Your role requires a dynamic password (TOTP): enrol on your profile page first');
  }
}

export function ctxOf(req: FastifyRequest): Ctx {
  if (!req.actor) throw new AppError('unauthenticated');
  // The web app sends its current language as Accept-Language; API clients without one read in their profile's.
  const locale = localeFromAcceptLanguage(req.headers['accept-language']) ?? (req.actor.kind === 'staff' ? asLocale(req.actor.locale) : null) ?? DEFAULT_LOCALE;
  return { actor: req.actor, requestId: req.id, ip: req.ip, locale };
}

export function setSessionCookies(reply: FastifyReply, token: string, csrfToken: string, expiresAt: Date, secure: boolean) {
  const base = { path: '/', sameSite: 'strict' as const, secure, expires: expiresAt };
  reply.setCookie(SESSION_COOKIE, token, { ...base, httpOnly: true });
  reply.setCookie(CSRF_COOKIE, csrfToken, { ...base, httpOnly: false });
}

export function clearSessionCookies(reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
  reply.clearCookie(CSRF_COOKIE, { path: '/' });
}
