import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { onTicketEvent, onTicketTransition } from '../tickets/ticket-events';
import { registerLoopRoutes } from '../loops/loops.routes';
import { complaintGuard } from '../loops/complaints';
import { LoopsWorker } from '../loops/worker';
import { onTicketEventForLoops, onTicketEventsForLoops } from '../loops/handlers';
import * as cmd from './surveys.commands';
import { Answer, IdParam, TemplateCreate, TemplatePatch, TokenParam } from './surveys.schema';

const Invitation = z.object({ id: z.string(), token: z.string().nullable(), url: z.string().nullable(), state: z.string() }).loose();

/**
 * Surveys and the closed loops (recovery, complaint, after-sales care, reactivation): routes, the ticket-event
 * consumer, the resolve/close guard of the complaint loop and the periodic worker.
 * Environment: CHIDU_LOOPS_WORKER=0 disables the worker; CHIDU_LOOPS_POLL_MS (default 10000);
 * CHIDU_REACTIVATION_SCAN_MS (default 3600000); CHIDU_SURVEY_RATE_TOKEN / CHIDU_SURVEY_RATE_IP; CHIDU_SURVEY_SECRET;
 * CHIDU_PUBLIC_URL (prefix of survey links).
 */
export function registerSurveyRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['surveys'];
  const { database } = deps;

  onTicketEvent('surveys-loops', onTicketEventForLoops, onTicketEventsForLoops);
  onTicketTransition('complaint-loop', complaintGuard);

  app.get('/survey-templates', { config: { permission: 'surveys.view' }, schema: { tags, summary: 'Survey templates (CSAT / NPS / CES / custom questions, sending rules)' } },
    async (req) => cmd.listTemplates(database, ctxOf(req)));
  app.post('/survey-templates', { config: { permission: 'surveys.manage' }, schema: { tags, summary: 'Create a survey template; accepts Idempotency-Key', body: TemplateCreate } },
    async (req, reply) => reply.status(201).send(await cmd.createTemplate(database, ctxOf(req), req.body, typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined)));
  app.get('/survey-templates/:id', { config: { permission: 'surveys.view' }, schema: { tags, params: IdParam } },
    async (req) => cmd.getTemplate(database, ctxOf(req), req.params.id));
  app.patch('/survey-templates/:id', { config: { permission: 'surveys.manage' }, schema: { tags, summary: 'Change a template (version + 1)', params: IdParam, body: TemplatePatch } },
    async (req) => cmd.updateTemplate(database, ctxOf(req), req.params.id, req.body));

  app.get('/tickets/:id/surveys', { config: { permission: 'tickets.work' }, schema: { tags, summary: 'Survey invitations of a ticket (contract): [{id, token, url, state}]', params: IdParam, response: { 200: z.array(Invitation) } } },
    async (req) => cmd.ticketSurveys(database, ctxOf(req), req.params.id));
  app.post('/tickets/:id/surveys', { config: { permission: 'tickets.work' }, schema: { tags, summary: 'Send a survey now (bypasses sampling and the N-day rule)', params: IdParam, body: z.object({ templateId: z.uuid().optional() }).strict().optional() } },
    async (req, reply) => reply.status(201).send(await cmd.sendSurveyNow(database, ctxOf(req), req.params.id, req.body?.templateId)));

  app.get('/public/surveys/:token', { config: { public: true }, schema: { tags, summary: 'Public: the survey behind a signed link (rate-limited per token and address)', params: TokenParam, security: [] } },
    async (req) => cmd.publicSurvey(database, req.params.token, req.ip));
  app.post('/public/surveys/:token', { config: { public: true }, schema: { tags, summary: 'Public: answer once. 409 already_answered, 404 unknown/forged, 410 expired, 429 rate_limited', params: TokenParam, body: Answer, security: [] } },
    async (req) => cmd.answerSurvey(database, req.params.token, req.body, { ip: req.ip, requestId: req.id }));

  app.get('/surveys/soft-compliance', {
    config: { permission: 'surveys.view' },
    schema: { tags, summary: 'Soft-standard compliance from survey answers: rate vs target, by team / agent / day', querystring: z.object({ from: z.string().optional(), to: z.string().optional(), tz: z.string().optional(), by: z.enum(['team', 'agent', 'day']).optional(), teamId: z.uuid().optional(), agentId: z.uuid().optional(), standardId: z.uuid().optional() }) },
  }, async (req) => cmd.softCompliance(database, ctxOf(req), req.query));

  app.get('/customers/:id/surveys', { config: { permission: 'surveys.view' }, schema: { tags, summary: 'A customer\'s survey answers (customer 360)', params: IdParam } },
    async (req) => cmd.customerSurveys(database, ctxOf(req), req.params.id));

  registerLoopRoutes(app as unknown as FastifyInstance, deps);

  if (process.env.CHIDU_LOOPS_WORKER === '0') return;
  const worker = new LoopsWorker(database, api(base));
  base.addHook('onReady', async () => { worker.start(); });
  base.addHook('onClose', async () => { await worker.stop(); });
}

const api = (b: FastifyInstance) => b.log;
