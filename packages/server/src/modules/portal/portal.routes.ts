import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { clearSessionCookies, ctxOf, setSessionCookies } from '../../http/auth';
import { anonymousCtx } from '../identity/identity.routes';
import { page } from '../identity/identity.schema';
import { Answer, AnswerResult, PortalSurveyCard } from '../surveys/surveys.schema';
import { portalAnswer, portalSurvey } from '../surveys/surveys.reach';
import * as tickets from '../tickets/tickets.commands';
import { TicketSummary } from '../tickets/tickets.schema';
import * as cmd from './portal.commands';
import * as s from './portal.schema';

export { setCodeSender, type CodeSender } from './portal.commands';

export function registerPortalRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['portal'];
  const { database, config } = deps;

  app.post(
    '/portal/auth/code',
    {
      config: { public: true },
      schema: { tags, summary: 'Send a one-time sign-in code to a mobile number', security: [], body: s.CodeBody, response: { 200: s.CodeResponse } },
    },
    async (req) => cmd.requestCode(database, anonymousCtx(req, 'portal'), req.body.phone, { demo: config.CHIDU_DEMO, log: req.log }),
  );

  app.post(
    '/portal/auth/verify',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Exchange phone + code for a customer session (browser: HttpOnly cookie only; API client: Bearer token)',
        security: [],
        body: s.VerifyBody,
        response: { 200: s.VerifyResponse },
      },
    },
    async (req, reply) => {
      const transport = req.body.transport ?? (typeof req.headers.origin === 'string' ? 'cookie' : 'bearer');
      const out = await cmd.verifyCode(database, anonymousCtx(req, 'portal'), { ...req.body, transport, userAgent: req.headers['user-agent'] }, config);
      const { token, ...body } = out;
      if (transport === 'bearer') return out;
      // The token goes only into the HttpOnly cookie: page scripts never see it.
      setSessionCookies(reply, token, out.csrfToken, new Date(out.expiresAt), config.COOKIE_SECURE);
      return body;
    },
  );

  const logouts = [
    { path: '/portal/auth/logout', which: 'this', summary: 'End this customer session (and clear the session cookie)', done: 'Signed out' },
    { path: '/portal/auth/logout-all', which: 'all', summary: 'End every session of the signed-in customer, on every device', done: 'Signed out everywhere' },
  ] as const;
  for (const l of logouts) {
    app.post(
      l.path,
      {
        config: { audience: 'customer' },
        schema: { tags, summary: l.summary, response: { 204: z.null().describe(l.done) } },
      },
      async (req, reply) => {
        await cmd.endCustomerSessions(database, ctxOf(req), l.which);
        clearSessionCookies(reply);
        return reply.status(204).send(null);
      },
    );
  }

  app.get(
    '/portal/me',
    { config: { audience: 'customer' }, schema: { tags, summary: 'The signed-in customer (phone masked)', response: { 200: s.PortalMe } } },
    async (req) => cmd.getPortalMe(database, ctxOf(req)),
  );

  app.get(
    '/portal/tickets',
    {
      config: { audience: 'customer' },
      schema: { tags, summary: 'My requests, newest first', querystring: s.PortalTicketQuery, response: { 200: page(TicketSummary) } },
    },
    async (req) => tickets.listTickets(deps.database, ctxOf(req), { ...req.query }),
  );

  app.post(
    '/portal/tickets',
    {
      config: { audience: 'customer' },
      schema: {
        tags,
        summary: 'Submit a request (with photos uploaded first to /attachments)',
        body: s.PortalTicketCreate,
        response: { 201: s.PortalTicketCreated },
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req);
      const customer = cmd.requireCustomer(ctx);
      const key = req.headers['idempotency-key'];
      const input = { ...req.body, customerId: customer.customerId, channel: 'portal', priority: req.body.type === 'emergency' ? 'urgent' : 'normal' } as const;
      const out = await tickets.createTicket(deps.database, ctx, input, typeof key === 'string' ? key : undefined);
      return reply.status(201).send({ id: out.body.id, number: out.body.number, status: out.body.status });
    },
  );

  app.get(
    '/portal/tickets/:id/survey',
    {
      config: { audience: 'customer' },
      schema: {
        tags,
        summary: 'The rating card on my request: none / open (with the questions) / answered (my score) / expired',
        params: s.TicketIdParam,
        response: { 200: PortalSurveyCard },
      },
    },
    async (req) => portalSurvey(deps.database, ctxOf(req), req.params.id),
  );
  app.post(
    '/portal/tickets/:id/survey',
    {
      config: { audience: 'customer' },
      schema: {
        tags,
        summary: 'Answer the survey on my request (once; 409 already_answered, 410 expired)',
        params: s.TicketIdParam,
        body: Answer,
        response: { 200: AnswerResult },
      },
    },
    async (req) => portalAnswer(deps.database, ctxOf(req), req.params.id, req.body),
  );

  app.post(
    '/portal/tickets/:id/confirm',
    {
      config: { audience: 'customer' },
      schema: { tags, summary: 'The customer confirms the problem is solved', params: s.TicketIdParam, response: { 200: s.PortalTicketConfirmed } },
    },
    async (req) => tickets.closeTicket(deps.database, ctxOf(req), req.params.id, { customerConfirmed: true }),
  );
}
