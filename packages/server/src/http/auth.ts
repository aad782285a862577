import type { FastifyReply, FastifyRequest } from 'fastify';
import { and, eq } from 'drizzle-orm';
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

/** Resolve the caller from a Bearer token or the session cookie (cookie writes need the CSRF header). */
export async function authenticate(database: Database, req: FastifyRequest): Promise<void> {
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
    const [row] = await database.db.select({ session: sessions, staff }).from(sessions)
      .leftJoin(staff, and(eq(sessions.principalKind, 'staff'), eq(staff.id, sessions.principalId)))
      .where(eq(sessions.tokenHash, hash));
    if (!row) return undefined;
    // A revoked session is answered but not cached.
    return { value: row, principalId: row.session.principalId, cache: !row.session.revokedAt };
  });
  const session = found?.session;
  if (!session || session.revokedAt) throw new AppError('unauthenticated', 'Session ended; sign in again');
  if (session.expiresAt.getTime() <= Date.now()) throw new AppError('token_expired', 'Session expired; sign in again');
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
    return;
  }
  if (audience === 'customer') throw new AppError('forbidden', 'Customer portal only');
  const row = found?.staff;
  if (!row) throw new AppError('unauthenticated', 'Session ended; sign in again');
  if (!row.active) throw new AppError('account_disabled', 'This account is disabled');
  req.actor = actorFromRow(row, session.id);
  req.sessionScope = session.scope === 'enrol' ? 'enrol' : 'full';
  if (req.sessionScope === 'enrol' && !req.routeOptions.config.allowDuringEnrolment) {
    throw new AppError('totp_enrolment_required', 'Your role requires a dynamic password (TOTP): enrol on your profile page first');
  }
}

export function ctxOf(req: FastifyRequest): Ctx {
  if (!req.actor) throw new AppError('unauthenticated');
  return { actor: req.actor, requestId: req.id, ip: req.ip };
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
