import { randomInt } from 'node:crypto';
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { customerAccounts, customerOtps, customers, sessions } from '../../db/schema';
import type { AppDeps } from '../../http/app';
import { clearSessionCookies, ctxOf, setSessionCookies, userAgentHash } from '../../http/auth';
import { invalidatePrincipal } from '../../http/session-cache';
import { clearAttempts, countAttempt } from '../../lib/throttle';
import { writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { maskPhone } from '../../lib/mask';
import { createCustomerInTx } from '../customers/customers.commands';
import { newToken, safeEqual, sha256 } from '../identity/secrets';
import * as cmd from '../tickets/tickets.commands';
import { page } from '../identity/identity.schema';
import { TicketSummary, TICKET_TYPES } from '../tickets/tickets.schema';

/** Delivers portal sign-in codes. Production plugs in an SMS gateway; demo mode shows the code on screen and in the log. */
export interface CodeSender { send(phone: string, code: string): Promise<void> }
let sender: CodeSender | null = null;
export function setCodeSender(s: CodeSender) { sender = s; }

const Phone = z.string().trim().regex(/^1[3-9]\d{9}$/, 'must be an 11-digit mainland mobile number');
const CODE_TTL_SECONDS = 300;
/** Wrong codes allowed per phone number within LOGIN_WINDOW_MINUTES (counted before the code is checked). */
const MAX_VERIFY_ATTEMPTS = 5;
const codeThrottle = (phone: string) => ({ scope: 'portal_code', key: phone });

const VerifyBody = z.object({
  phone: Phone,
  code: z.string().trim().regex(/^\d{6}$/, 'must be the 6-digit code'),
  transport: z.enum(['cookie', 'bearer']).optional()
    .describe('cookie: a browser session, only in the HttpOnly cookie, refused as a Bearer token and bound to this User-Agent (default when an Origin header is sent); bearer: the token in the body for API clients (default otherwise)'),
});
const VerifyResponse = z.object({
  token: z.string().optional().describe('Only for transport = bearer'),
  csrfToken: z.string(),
  transport: z.enum(['cookie', 'bearer']),
  expiresAt: z.string().describe('Absolute end of the session (CUSTOMER_SESSION_MAX_DAYS)'),
  idleTimeoutSeconds: z.number().int().describe('The session ends after this long without a request (CUSTOMER_SESSION_IDLE_MINUTES)'),
  customer: z.object({ id: z.string(), name: z.string() }),
});

export function registerPortalRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['portal'];
  const { database, config } = deps;

  app.post('/portal/auth/code', {
    config: { public: true },
    schema: { tags, summary: 'Send a one-time sign-in code to a mobile number', security: [], body: z.object({ phone: Phone }), response: { 200: z.object({ sent: z.boolean(), expiresInSeconds: z.number(), demoCode: z.string().optional() }) } },
  }, async (req) => {
    const phone = req.body.phone;
    const recent = await database.db.select({ at: customerOtps.createdAt }).from(customerOtps).where(and(eq(customerOtps.phone, phone), gt(customerOtps.createdAt, new Date(Date.now() - 60_000))));
    if (recent.length) throw new AppError('rate_limited', 'A code was sent less than a minute ago', { headers: { 'retry-after': '60' }, extra: { retryAfterSeconds: 60 } });
    const hourly = await database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM customer_otps WHERE phone = ${phone} AND created_at > now() - interval '1 hour'`);
    if ((hourly[0]?.n ?? 0) >= 5) throw new AppError('rate_limited', 'Too many codes for this number; try again later', { headers: { 'retry-after': '3600' } });
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await database.db.insert(customerOtps).values({ id: uuidv7(), phone, codeHash: sha256(`otp:${phone}:${code}`), expiresAt: new Date(Date.now() + CODE_TTL_SECONDS * 1000) });
    if (sender) await sender.send(phone, code);
    else req.log.info({ phone: maskPhone(phone), code: config.CHIDU_DEMO ? code : '[sent]' }, 'portal sign-in code (no SMS sender configured)');
    return { sent: true, expiresInSeconds: CODE_TTL_SECONDS, ...(config.CHIDU_DEMO ? { demoCode: code } : {}) };
  });

  app.post('/portal/auth/verify', {
    config: { public: true },
    schema: { tags, summary: 'Exchange phone + code for a customer session (browser: HttpOnly cookie only; API client: Bearer token)', security: [], body: VerifyBody, response: { 200: VerifyResponse } },
  }, async (req, reply) => {
    const { phone, code } = req.body;
    const transport = req.body.transport ?? (typeof req.headers.origin === 'string' ? 'cookie' : 'bearer');
    // Counted before the code is compared (one upsert): racing guesses get at most MAX_VERIFY_ATTEMPTS checks.
    await countAttempt(database.db, codeThrottle(phone), MAX_VERIFY_ATTEMPTS, config.LOGIN_WINDOW_MINUTES * 60_000, 'Too many wrong codes for this number');
    const out = await database.transaction(async (tx) => {
      const [otp] = await tx.select().from(customerOtps).where(and(eq(customerOtps.phone, phone), isNull(customerOtps.usedAt))).orderBy(desc(customerOtps.createdAt)).limit(1).for('update');
      if (!otp || otp.expiresAt.getTime() < Date.now()) return { error: new AppError('otp_invalid', 'The code expired; request a new one', { errors: [{ path: 'code', message: 'expired' }] }) };
      if (!safeEqual(otp.codeHash, sha256(`otp:${phone}:${code}`))) {
        await tx.update(customerOtps).set({ attempts: otp.attempts + 1 }).where(eq(customerOtps.id, otp.id));
        return { error: new AppError('otp_invalid', 'The code is not correct', { errors: [{ path: 'code', message: 'is not correct' }] }) };
      }
      await tx.update(customerOtps).set({ usedAt: new Date() }).where(eq(customerOtps.id, otp.id));
      await clearAttempts(tx, codeThrottle(phone));
      let [acct] = await tx.select().from(customerAccounts).where(eq(customerAccounts.phone, phone));
      const ctx: Ctx = { actor: { kind: 'system', id: null, name: 'portal' }, requestId: req.id, ip: req.ip };
      if (!acct) {
        let [cust] = await tx.select().from(customers).where(and(eq(customers.phone, phone), isNull(customers.mergedIntoId))).orderBy(customers.id).limit(1);
        if (!cust) cust = await createCustomerInTx(tx, ctx, { name: `客户${maskPhone(phone)}`, phone, tier: 'regular', vip: false, tags: ['门户注册'] });
        [acct] = await tx.insert(customerAccounts).values({ id: uuidv7(), customerId: cust.id, phone }).returning();
      }
      await tx.update(customerAccounts).set({ lastLoginAt: new Date() }).where(eq(customerAccounts.id, acct!.id));
      const token = newToken();
      const csrfToken = newToken(18);
      const expiresAt = new Date(Date.now() + config.CUSTOMER_SESSION_MAX_DAYS * 86_400_000);
      const ua = req.headers['user-agent'];
      await tx.insert(sessions).values({
        id: uuidv7(), tokenHash: sha256(token), principalKind: 'customer', principalId: acct!.id, csrfToken, expiresAt, ip: req.ip, userAgent: ua?.slice(0, 300) ?? null,
        transport: transport === 'cookie' ? 'cookie' : 'any', userAgentHash: transport === 'cookie' ? userAgentHash(ua) : null,
      });
      const [cust] = await tx.select({ id: customers.id, name: customers.name }).from(customers).where(eq(customers.id, acct!.customerId));
      await writeAudit(tx, { ...ctx, actor: { kind: 'customer', id: acct!.id, customerId: acct!.customerId, sessionId: null } }, { action: 'portal.login', targetType: 'customer', targetId: acct!.customerId, changes: { transport: { before: null, after: transport } } });
      return { token, csrfToken, expiresAt: expiresAt.toISOString(), customer: { id: cust!.id, name: cust!.name } };
    });
    if ('error' in out) throw out.error;
    const body = { csrfToken: out.csrfToken, transport, expiresAt: out.expiresAt, idleTimeoutSeconds: config.CUSTOMER_SESSION_IDLE_MINUTES * 60, customer: out.customer };
    if (transport === 'bearer') return { ...body, token: out.token };
    // The token goes only into the HttpOnly cookie: page scripts never see it.
    setSessionCookies(reply, out.token, out.csrfToken, new Date(out.expiresAt), config.COOKIE_SECURE);
    return body;
  });

  const logouts = [
    { path: '/portal/auth/logout', which: 'this', summary: 'End this customer session (and clear the session cookie)', done: 'Signed out' },
    { path: '/portal/auth/logout-all', which: 'all', summary: 'End every session of the signed-in customer, on every device', done: 'Signed out everywhere' },
  ] as const;
  for (const l of logouts) {
    app.post(l.path, {
      config: { audience: 'customer' },
      schema: { tags, summary: l.summary, response: { 204: z.null().describe(l.done) } },
    }, async (req, reply) => {
      await endCustomerSessions(database, ctxOf(req), l.which);
      clearSessionCookies(reply);
      return reply.status(204).send(null);
    });
  }

  app.get('/portal/me', { config: { audience: 'customer' }, schema: { tags } }, async (req) => {
    const ctx = ctxOf(req);
    if (ctx.actor.kind !== 'customer') throw new AppError('forbidden');
    const [c] = await database.db.select().from(customers).where(eq(customers.id, ctx.actor.customerId));
    return { id: c!.id, name: c!.name, phone: maskPhone(c!.phone), tier: c!.tier };
  });

  app.get('/portal/tickets', { config: { audience: 'customer' }, schema: { tags, querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: z.uuid().optional() }), response: { 200: page(TicketSummary) } } },
    async (req) => cmd.listTickets(deps, ctxOf(req), { ...req.query }));

  app.post('/portal/tickets', {
    config: { audience: 'customer' },
    schema: {
      tags, summary: 'Submit a request (with photos uploaded first to /attachments)',
      body: z.object({ type: z.enum(TICKET_TYPES).default('repair'), subject: z.string().trim().min(1).max(200), description: z.string().trim().max(20_000).default(''), site: z.string().trim().max(64).optional(), attachmentIds: z.array(z.uuid()).max(10).optional() }),
    },
  }, async (req, reply) => {
    const ctx = ctxOf(req);
    if (ctx.actor.kind !== 'customer') throw new AppError('forbidden');
    const key = req.headers['idempotency-key'];
    const out = await cmd.createTicket(deps, ctx, { ...req.body, customerId: ctx.actor.customerId, channel: 'portal', priority: req.body.type === 'emergency' ? 'urgent' : 'normal' }, typeof key === 'string' ? key : undefined);
    return reply.status(201).send({ id: out.body.id, number: out.body.number, status: out.body.status });
  });

  app.post('/portal/tickets/:id/confirm', { config: { audience: 'customer' }, schema: { tags, summary: 'The customer confirms the problem is solved', params: z.object({ id: z.uuid() }) } },
    async (req) => cmd.closeTicket(deps, ctxOf(req), req.params.id, { customerConfirmed: true }));
}

/** Customer logout: revoke this session, or every session of the account; the session cache forgets them at once. */
async function endCustomerSessions(database: AppDeps['database'], ctx: Ctx, which: 'this' | 'all') {
  const actor = ctx.actor;
  if (actor.kind !== 'customer') throw new AppError('forbidden', 'Customer portal only');
  await database.transaction(async (tx) => {
    const now = new Date();
    if (which === 'all') {
      await tx.update(sessions).set({ revokedAt: now })
        .where(and(eq(sessions.principalKind, 'customer'), eq(sessions.principalId, actor.id), isNull(sessions.revokedAt)));
    } else if (actor.sessionId) {
      await tx.update(sessions).set({ revokedAt: now }).where(eq(sessions.id, actor.sessionId));
    }
    await writeAudit(tx, ctx, { action: which === 'all' ? 'portal.logout_all' : 'portal.logout', targetType: 'customer', targetId: actor.customerId });
  });
  invalidatePrincipal(actor.id);
}
