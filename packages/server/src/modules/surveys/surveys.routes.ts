import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import * as cmd from './surveys.commands';
import * as reach from './surveys.reach';
import {
  Answer,
  AnswerResult,
  CustomerSurveys,
  IdParam,
  PublicSurvey,
  ResponsesPage,
  ResponsesQuery,
  SoftCompliance,
  SoftComplianceQuery,
  SurveyInvitation,
  SurveyTemplate,
  TemplateCreate,
  TemplatePatch,
  TicketSurvey,
  TicketSurveyPanel,
  TokenParam,
} from './surveys.schema';

/**
 * Survey routes (the closed loops' routes, consumer, guard and worker are declared in loops/loops.module.ts).
 * Environment: CHIDU_SURVEY_RATE_TOKEN / CHIDU_SURVEY_RATE_IP; CHIDU_SURVEY_SECRET;
 * CHIDU_PUBLIC_URL (prefix of survey links).
 */
export function registerSurveyRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['surveys'];
  const { database } = deps;

  app.get(
    '/survey-templates',
    {
      config: { permission: 'surveys.view' },
      schema: {
        tags,
        summary: 'Survey templates (CSAT / NPS / CES / custom questions, sending rules)',
        response: { 200: z.object({ items: z.array(SurveyTemplate) }) },
      },
    },
    async (req) => cmd.listTemplates(database, ctxOf(req)),
  );
  app.post(
    '/survey-templates',
    {
      config: { permission: 'surveys.manage' },
      schema: { tags, summary: 'Create a survey template; accepts Idempotency-Key', body: TemplateCreate, response: { 201: SurveyTemplate } },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(
          await cmd.createTemplate(
            database,
            ctxOf(req),
            req.body,
            typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined,
          ),
        ),
  );
  app.get(
    '/survey-templates/:id',
    { config: { permission: 'surveys.view' }, schema: { tags, summary: 'A survey template', params: IdParam, response: { 200: SurveyTemplate } } },
    async (req) => cmd.getTemplate(database, ctxOf(req), req.params.id),
  );
  app.patch(
    '/survey-templates/:id',
    {
      config: { permission: 'surveys.manage' },
      schema: { tags, summary: 'Change a template (version + 1)', params: IdParam, body: TemplatePatch, response: { 200: SurveyTemplate } },
    },
    async (req) => cmd.updateTemplate(database, ctxOf(req), req.params.id, req.body),
  );

  app.get(
    '/tickets/:id/surveys',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags,
        summary: 'Survey invitations of a ticket (contract): [{id, token, url, state}]',
        params: IdParam,
        response: { 200: z.array(TicketSurvey) },
      },
    },
    async (req) => cmd.ticketSurveys(database, ctxOf(req), req.params.id),
  );
  app.post(
    '/tickets/:id/surveys',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags,
        summary: 'Send a survey now (bypasses sampling and the N-day rule)',
        params: IdParam,
        body: z.object({ templateId: z.uuid().optional() }).strict().optional(),
        response: { 201: SurveyInvitation },
      },
    },
    async (req, reply) => reply.status(201).send(await cmd.sendSurveyNow(database, ctxOf(req), req.params.id, req.body?.templateId)),
  );

  // How the survey reaches the customer (surveys.reach.ts): the staff panel, the resend, the answers list.
  const origin = (req: { protocol: string; host: string }) => process.env.CHIDU_PUBLIC_URL || `${req.protocol}://${req.host}`;
  app.get(
    '/tickets/:id/survey',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags,
        summary: "The ticket's current survey for the staff panel: status (sent/opened/answered/expired), link, QR code, preview, delivery attempts",
        params: IdParam,
        response: { 200: TicketSurveyPanel },
      },
    },
    async (req) => reach.ticketSurveyPanel(database, ctxOf(req), req.params.id, origin(req)),
  );
  app.post(
    '/tickets/:id/survey/resend',
    {
      config: { permission: 'tickets.work' },
      schema: {
        tags,
        summary:
          'Resend the survey: same link while open, a new link when expired. 409 answered / not sent / consent refused; 429 more than 1 per 2 min or 5 a day',
        params: IdParam,
        response: { 200: TicketSurveyPanel },
      },
    },
    async (req) => reach.resendSurvey(database, ctxOf(req), req.params.id, origin(req)),
  );
  app.get(
    '/surveys/responses',
    {
      config: { permission: 'surveys.view' },
      schema: {
        tags,
        summary: 'Survey answers on the tickets the caller may see: score range, team, period; the comment and the recovery case',
        querystring: ResponsesQuery,
        response: { 200: ResponsesPage },
      },
    },
    async (req) => reach.listResponses(database, ctxOf(req), req.query),
  );

  app.get(
    '/public/surveys/:token',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Public: the survey behind a signed link (rate-limited per token and address)',
        params: TokenParam,
        security: [],
        response: { 200: PublicSurvey },
      },
    },
    async (req) => cmd.publicSurvey(database, req.params.token, req.ip),
  );
  app.post(
    '/public/surveys/:token',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Public: answer once. 409 already_answered, 404 unknown/forged, 410 expired, 429 rate_limited',
        params: TokenParam,
        body: Answer,
        security: [],
        response: { 200: AnswerResult },
      },
    },
    async (req) => cmd.answerSurvey(database, req.params.token, req.body, { ip: req.ip, requestId: req.id }),
  );

  app.get(
    '/surveys/soft-compliance',
    {
      config: { permission: 'surveys.view' },
      schema: {
        tags,
        summary: 'Soft-standard compliance from survey answers: rate vs target, by team / agent / day',
        querystring: SoftComplianceQuery,
        response: { 200: SoftCompliance },
      },
    },
    async (req) => cmd.softCompliance(database, ctxOf(req), req.query),
  );

  app.get(
    '/customers/:id/surveys',
    {
      config: { permission: 'surveys.view' },
      schema: { tags, summary: "A customer's survey answers (customer 360)", params: IdParam, response: { 200: CustomerSurveys } },
    },
    async (req) => cmd.customerSurveys(database, ctxOf(req), req.params.id),
  );
}
