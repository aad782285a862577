import { randomInt } from 'node:crypto';
import type { Config } from '../../config';
import type { Database, Tx } from '../../db/client';
import { userAgentHash } from '../../http/auth';
import { invalidatePrincipal } from '../../http/session-cache';
import { t } from '../../i18n/index';
import { writeAudit } from '../../lib/audit';
import type { Ctx, CustomerActor } from '../../lib/context';
import { AppError } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { maskPhone } from '../../lib/mask';
import { clearAttempts, countAttempt } from '../../lib/throttle';
import { createCustomerInTx } from '../customers/customers.commands';
import { customersRepo } from '../customers/customers.repo';
import { newToken, safeEqual, sha256 } from '../identity/secrets';
import { presentPortalMe } from './portal.present';
import { portalRepo } from './portal.repo';

/**
 * Delivers portal sign-in codes: the channels module plugs in its SMS sender (an enabled sms_aliyun / sms_tencent
 * channel with a login_code template). `false` = no gateway: the code goes to the log (and on screen in demo mode).
 * It may throw (429 over a per-number limit, 503 when the provider fails).
 */
export interface CodeSender {
  send(database: Database, phone: string, code: string): Promise<boolean>;
}
let sender: CodeSender | null = null;
export function setCodeSender(s: CodeSender) {
  sender = s;
}

export const CODE_TTL_SECONDS = 300;
/** Wrong codes allowed per phone number within LOGIN_WINDOW_MINUTES (counted before the code is checked). */
const MAX_VERIFY_ATTEMPTS = 5;
const MAX_CODES_PER_HOUR = 5;
const codeThrottle = (phone: string) => ({ scope: 'portal_code', key: phone });
const codeHash = (phone: string, code: string) => sha256(`otp:${phone}:${code}`);

export interface CodeSettings {
  demo: boolean;
  log: { info(o: unknown, m?: string): void };
}
export type VerifySettings = Pick<Config, 'LOGIN_WINDOW_MINUTES' | 'CUSTOMER_SESSION_MAX_DAYS' | 'CUSTOMER_SESSION_IDLE_MINUTES'>;

/** The customer behind a portal request (the portal routes are customer-only; anything else is refused). */
export function requireCustomer(ctx: Ctx, detail?: string): CustomerActor {
  if (ctx.actor.kind !== 'customer') throw new AppError('forbidden', detail);
  return ctx.actor;
}

/** Send a one-time sign-in code (at most one a minute and five an hour per number). */
export async function requestCode(database: Database, _ctx: Ctx, phone: string, settings: CodeSettings) {
  const { db } = database;
  if ((await portalRepo.codesSentSince(db, phone, new Date(Date.now() - 60_000))) > 0) {
    throw new AppError('rate_limited', 'A code was sent less than a minute ago', { headers: { 'retry-after': '60' }, extra: { retryAfterSeconds: 60 } });
  }
  if ((await portalRepo.codesSentSince(db, phone, new Date(Date.now() - 3_600_000))) >= MAX_CODES_PER_HOUR) {
    throw new AppError('rate_limited', 'Too many codes for this number; try again later', { headers: { 'retry-after': '3600' } });
  }
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  // Sent before it is stored: a refused send (over a limit, provider down) leaves no code behind to count.
  const sent = sender ? await sender.send(database, phone, code) : false;
  await portalRepo.insertCode(db, { id: uuidv7(), phone, codeHash: codeHash(phone, code), expiresAt: new Date(Date.now() + CODE_TTL_SECONDS * 1000) });
  if (!sent) settings.log.info({ phone: maskPhone(phone), code: settings.demo ? code : '[sent]' }, 'portal sign-in code (no SMS sender configured)');
  return { sent: true, expiresInSeconds: CODE_TTL_SECONDS, ...(settings.demo ? { demoCode: code } : {}) };
}

/**
 * One attempt at a phone's code, counted before the code is compared (one upsert): racing guesses get at most
 * MAX_VERIFY_ATTEMPTS checks per number and window (429 after). Shared by the portal sign-in and the web chat widget.
 */
export async function countCodeAttempt(database: Database, phone: string, settings: Pick<Config, 'LOGIN_WINDOW_MINUTES'>) {
  await countAttempt(database.db, codeThrottle(phone), MAX_VERIFY_ATTEMPTS, settings.LOGIN_WINDOW_MINUTES * 60_000, 'Too many wrong codes for this number');
}

/**
 * Check and use up the newest open code of a phone (locked, in the caller's transaction): null when it matched (now
 * used, the attempt counter cleared), else the 401 `otp_invalid` naming `code` (expired / not correct). The caller
 * commits the wrong-code count and throws the error after the transaction.
 */
export async function consumeCode(tx: Tx, phone: string, code: string): Promise<AppError | null> {
  const otp = await portalRepo.latestOpenCodeForUpdate(tx, phone);
  if (!otp || otp.expiresAt.getTime() < Date.now())
    return new AppError('otp_invalid', 'The code expired; request a new one', { errors: [{ path: 'code', message: 'expired' }] });
  if (!safeEqual(otp.codeHash, codeHash(phone, code))) {
    await portalRepo.countWrongCode(tx, otp);
    return new AppError('otp_invalid', 'The code is not correct', { errors: [{ path: 'code', message: 'is not correct' }] });
  }
  await portalRepo.markCodeUsed(tx, otp.id);
  await clearAttempts(tx, codeThrottle(phone));
  return null;
}

export interface VerifyInput {
  phone: string;
  code: string;
  transport: 'cookie' | 'bearer';
  userAgent: string | undefined;
}

/**
 * Exchange phone + code for a customer session: the first sign-in of a number creates its portal account (and the
 * customer, named in the caller's language, when no active customer has this phone).
 */
export async function verifyCode(database: Database, ctx: Ctx, input: VerifyInput, settings: VerifySettings) {
  const { phone, code, transport } = input;
  await countCodeAttempt(database, phone, settings);
  const out = await database.transaction(async (tx) => {
    const error = await consumeCode(tx, phone, code);
    if (error) return { error };
    let acct = await portalRepo.accountByPhone(tx, phone);
    if (!acct) {
      let cust = await customersRepo.firstByPhone(tx, phone);
      if (!cust) {
        const name = t(ctx.locale, 'portal.default_customer_name', { phone: maskPhone(phone) });
        cust = await createCustomerInTx(tx, ctx, { name, phone, tier: 'regular', vip: false, tags: ['门户注册'] });
      }
      acct = await portalRepo.insertAccount(tx, { id: uuidv7(), customerId: cust.id, phone });
    }
    await portalRepo.touchAccount(tx, acct.id);
    const token = newToken();
    const csrfToken = newToken(18);
    const expiresAt = new Date(Date.now() + settings.CUSTOMER_SESSION_MAX_DAYS * 86_400_000);
    const ua = input.userAgent;
    await portalRepo.insertSession(tx, {
      id: uuidv7(),
      tokenHash: sha256(token),
      principalKind: 'customer',
      principalId: acct.id,
      csrfToken,
      expiresAt,
      ip: ctx.ip,
      userAgent: ua?.slice(0, 300) ?? null,
      transport: transport === 'cookie' ? 'cookie' : 'any',
      userAgentHash: transport === 'cookie' ? userAgentHash(ua) : null,
    });
    const cust = (await portalRepo.customerBrief(tx, acct.customerId))!;
    await writeAudit(
      tx,
      { ...ctx, actor: { kind: 'customer', id: acct.id, customerId: acct.customerId, sessionId: null } },
      {
        action: 'portal.login',
        targetType: 'customer',
        targetId: acct.customerId,
        changes: { transport: { before: null, after: transport } },
      },
    );
    return { token, csrfToken, expiresAt: expiresAt.toISOString(), customer: { id: cust.id, name: cust.name } };
  });
  if (out.error) throw out.error;
  return {
    token: out.token,
    csrfToken: out.csrfToken,
    transport,
    expiresAt: out.expiresAt,
    idleTimeoutSeconds: settings.CUSTOMER_SESSION_IDLE_MINUTES * 60,
    customer: out.customer,
  };
}

/** Customer logout: revoke this session, or every session of the account; the session cache forgets them at once. */
export async function endCustomerSessions(database: Database, ctx: Ctx, which: 'this' | 'all') {
  const actor = requireCustomer(ctx, 'Customer portal only');
  await database.transaction(async (tx) => {
    if (which === 'all') await portalRepo.revokeAccountSessions(tx, actor.id);
    else if (actor.sessionId) await portalRepo.revokeSession(tx, actor.sessionId);
    await writeAudit(tx, ctx, { action: which === 'all' ? 'portal.logout_all' : 'portal.logout', targetType: 'customer', targetId: actor.customerId });
  });
  invalidatePrincipal(actor.id);
}

export async function getPortalMe(database: Database, ctx: Ctx) {
  const actor = requireCustomer(ctx);
  const c = await portalRepo.customerBrief(database.db, actor.customerId);
  return presentPortalMe(c!);
}
