import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { syncPlugin } from '../../http/plugin';
import { IdParam } from '../identity/identity.schema';
import { EnvCheckList } from '../environment/environment.schema';
import { HitsQuery } from '../inspection/inspection.schema';
import * as calib from './quality.calibration';
import * as drill from './quality.drill.export';
import * as coaching from './quality.coaching';
import * as cmd from './quality.commands';
import * as peer from './quality.peer';
import * as perf from './quality.performance.commands';
import * as samp from './quality.sampling.commands';
import * as stats from './quality.stats.commands';
import * as s from './quality.schema';

export function registerQualityRoutes(api: FastifyInstance, deps: AppDeps) {
  void api.register(
    syncPlugin((scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      const tags = ['quality'];
      const db = deps.database;

      // ── scorecards ──
      app.get(
        '/qa/scorecards',
        {
          config: { permission: 'qa.view' },
          schema: { tags, summary: 'Scorecards (质检评分表), active first', response: { 200: z.object({ items: z.array(s.Scorecard) }) } },
        },
        async (req) => cmd.listScorecards(db, ctxOf(req)),
      );
      app.post(
        '/qa/scorecards',
        { config: { permission: 'qa.manage' }, schema: { tags, summary: 'Create a scorecard', body: s.ScorecardCreate, response: { 201: s.Scorecard } } },
        async (req, reply) => reply.status(201).send(await cmd.createScorecard(db, ctxOf(req), req.body)),
      );
      app.get(
        '/qa/scorecard-templates',
        {
          config: { permission: 'qa.manage' },
          schema: {
            tags,
            summary: 'The shipped zh-CN scorecard templates (phone, counter, chat, field, environment)',
            response: { 200: z.object({ items: z.array(s.ScorecardTemplate) }) },
          },
        },
        async (req) => cmd.listTemplates(db, ctxOf(req)),
      );
      app.post(
        '/qa/scorecard-templates/:key/adopt',
        {
          config: { permission: 'qa.manage' },
          schema: { tags, summary: 'Adopt a template as an editable scorecard', params: s.TemplateParam, response: { 201: s.Scorecard } },
        },
        async (req, reply) => reply.status(201).send(await cmd.adoptTemplate(db, ctxOf(req), req.params.key)),
      );
      app.get(
        '/qa/scorecards/:id',
        { config: { permission: 'qa.view' }, schema: { tags, summary: 'A scorecard (current version)', params: IdParam, response: { 200: s.Scorecard } } },
        async (req) => cmd.getScorecard(db, ctxOf(req), req.params.id),
      );
      app.patch(
        '/qa/scorecards/:id',
        {
          config: { permission: 'qa.manage' },
          schema: {
            tags,
            summary: 'Change a scorecard (a new version; running inspections keep theirs)',
            params: IdParam,
            body: s.ScorecardPatch,
            response: { 200: s.Scorecard },
          },
        },
        async (req) => cmd.patchScorecard(db, ctxOf(req), req.params.id, req.body),
      );

      // ── inspections ──
      app.post(
        '/qa/inspections',
        {
          config: { permission: 'qa.inspect' },
          schema: {
            tags,
            summary: 'Open a manual inspection of a ticket (the owner is the inspected agent; never one’s own work)',
            body: s.InspectionCreate,
            response: { 201: z.object({ id: z.uuid(), state: z.literal('draft') }) },
          },
        },
        async (req, reply) => reply.status(201).send(await cmd.createInspection(db, ctxOf(req), req.body)),
      );
      app.get(
        '/qa/inspections',
        {
          config: { permission: 'qa.own' },
          schema: {
            tags,
            summary: 'Inspections, newest first (agents: only their own)',
            querystring: s.InspectionListQuery,
            response: { 200: z.object({ items: z.array(s.Inspection) }) },
          },
        },
        async (req) => cmd.listInspections(db, ctxOf(req), req.query),
      );
      app.get(
        '/qa/inspections/:id',
        {
          config: { permission: 'qa.own' },
          schema: { tags, summary: 'An inspection with its scorecard version, evidence and appeal', params: IdParam, response: { 200: s.Inspection } },
        },
        async (req) => cmd.getInspection(db, ctxOf(req), req.params.id),
      );
      app.post(
        '/qa/inspections/:id/submit',
        {
          config: { permission: 'qa.inspect' },
          schema: {
            tags,
            summary: 'Score every item (with evidence) and give sandwich feedback: strength, improvement, encouragement',
            params: IdParam,
            body: s.InspectionSubmit,
            response: { 200: s.SubmitResult },
          },
        },
        async (req) => cmd.submitInspection(db, ctxOf(req), req.params.id, req.body),
      );
      app.post(
        '/qa/inspections/:id/acknowledge',
        {
          config: { permission: 'qa.own' },
          schema: { tags, summary: 'The inspected agent acknowledges the result', params: IdParam, response: { 200: s.Inspection } },
        },
        async (req) => cmd.acknowledgeInspection(db, ctxOf(req), req.params.id),
      );
      app.post(
        '/qa/inspections/:id/appeal',
        {
          config: { permission: 'qa.own' },
          schema: {
            tags,
            summary: 'The inspected agent appeals (申诉) within the window (default 3 business days)',
            params: IdParam,
            body: s.AppealCreate,
            response: { 201: z.object({ appealId: z.uuid() }) },
          },
        },
        async (req, reply) => reply.status(201).send(await cmd.fileAppeal(db, ctxOf(req), req.params.id, req.body)),
      );

      // ── appeals ──
      app.get(
        '/qa/appeals',
        {
          config: { permission: 'qa.own' },
          schema: {
            tags,
            summary: 'Appeals, newest first (agents: only their own)',
            querystring: s.AppealListQuery,
            response: { 200: z.object({ items: z.array(s.Appeal) }) },
          },
        },
        async (req) => cmd.listAppeals(db, ctxOf(req), req.query),
      );
      app.post(
        '/qa/appeals/:id/rule',
        {
          config: { permission: 'qa.rule_appeals' },
          schema: {
            tags,
            summary: 'Rule on an appeal (a second inspector or a supervisor): upheld, or revised with a new score',
            params: IdParam,
            body: s.AppealRule,
            response: { 200: s.Appeal },
          },
        },
        async (req) => cmd.ruleAppeal(db, ctxOf(req), req.params.id, req.body),
      );

      // ── coaching ──
      app.get(
        '/qa/coaching',
        {
          config: { permission: 'qa.own' },
          schema: {
            tags,
            summary: 'Coaching tasks from low inspection items, newest first (agents: only their own)',
            querystring: s.CoachingListQuery,
            response: { 200: z.object({ items: z.array(s.CoachingTask) }) },
          },
        },
        async (req) => coaching.listCoaching(db, ctxOf(req), req.query),
      );
      app.post(
        '/qa/coaching/:id/complete',
        {
          config: { permission: 'qa.rule_appeals' },
          schema: {
            tags,
            summary: 'A supervisor closes a coaching task with what the coaching covered',
            params: IdParam,
            body: s.CoachingComplete,
            response: { 200: s.CoachingTask },
          },
        },
        async (req) => coaching.completeCoaching(db, ctxOf(req), req.params.id, req.body.note),
      );

      // ── calibration (校准) ──
      app.get(
        '/qa/calibrations',
        {
          config: { permission: 'qa.view' },
          schema: {
            tags,
            summary: 'Calibration sessions (校准), newest first, with each inspector’s progress (never a score while open)',
            querystring: s.CalibrationListQuery,
            response: { 200: s.CalibrationList },
          },
        },
        async (req) => calib.listCalibrations(db, ctxOf(req), req.query),
      );
      app.post(
        '/qa/calibrations',
        {
          config: { permission: 'qa.manage' },
          schema: {
            tags,
            summary: 'Start a calibration session: a scorecard version, 1–10 tickets, 2+ inspectors, a due date',
            body: s.CalibrationCreate,
            response: { 201: s.Calibration },
          },
        },
        async (req, reply) => reply.status(201).send(await calib.createCalibration(db, ctxOf(req), req.body)),
      );
      app.get(
        '/qa/calibrations/agreement',
        {
          config: { permission: 'qa.view' },
          schema: { tags, summary: 'Agreement over time: closed sessions with their MAD and ICC(2,1)', response: { 200: s.CalibrationAgreement } },
        },
        async (req) => calib.calibrationAgreement(db, ctxOf(req)),
      );
      app.get(
        '/qa/calibrations/:id',
        {
          config: { permission: 'qa.view' },
          schema: {
            tags,
            summary: 'A calibration session: the caller’s own scores; the results (spread, consensus, deviations) once closed',
            params: IdParam,
            response: { 200: s.Calibration },
          },
        },
        async (req) => calib.getCalibration(db, ctxOf(req), req.params.id),
      );
      app.post(
        '/qa/calibrations/:id/scores',
        {
          config: { permission: 'qa.view' },
          schema: {
            tags,
            summary: 'An inspector of the session scores one ticket blind; the last missing score closes the session',
            params: IdParam,
            body: s.CalibrationScoresBody,
            response: { 200: s.Calibration },
          },
        },
        async (req) => calib.scoreCalibration(db, ctxOf(req), req.params.id, req.body),
      );
      app.post(
        '/qa/calibrations/:id/close',
        {
          config: { permission: 'qa.manage' },
          schema: { tags, summary: 'The lead closes the session (results are shown)', params: IdParam, response: { 200: s.Calibration } },
        },
        async (req) => calib.closeCalibration(db, ctxOf(req), req.params.id),
      );
      app.put(
        '/qa/calibrations/:id/reference',
        {
          config: { permission: 'qa.manage' },
          schema: {
            tags,
            summary: 'The lead’s reference scores of a ticket: they become its consensus (null removes them)',
            params: IdParam,
            body: s.CalibrationReferenceBody,
            response: { 200: s.Calibration },
          },
        },
        async (req) => calib.setCalibrationReference(db, ctxOf(req), req.params.id, req.body),
      );

      // ── peer review (互评) ──
      app.get(
        '/qa/peer-rounds',
        {
          config: { permission: 'qa.rule_appeals' },
          schema: {
            tags,
            summary: 'Peer review rounds (互评), newest first, with every review and each agent’s means',
            querystring: s.PeerRoundListQuery,
            response: { 200: z.object({ items: z.array(s.PeerRound) }) },
          },
        },
        async (req) => peer.listPeerRounds(db, ctxOf(req), req.query),
      );
      app.post(
        '/qa/peer-rounds',
        {
          config: { permission: 'qa.rule_appeals' },
          schema: {
            tags,
            summary: 'Start a peer review round for a team: each agent gets N colleagues’ tickets of the period (never their own)',
            body: s.PeerRoundCreate,
            response: { 201: s.PeerRound },
          },
        },
        async (req, reply) => reply.status(201).send(await peer.startPeerRound(db, ctxOf(req), req.body)),
      );
      app.post(
        '/qa/peer-rounds/:id/close',
        {
          config: { permission: 'qa.rule_appeals' },
          schema: { tags, summary: 'Close a peer review round', params: IdParam, response: { 200: s.PeerRound } },
        },
        async (req) => peer.closePeerRound(db, ctxOf(req), req.params.id),
      );
      app.get(
        '/qa/peer-reviews',
        {
          config: { permission: 'qa.own' },
          schema: {
            tags,
            summary: 'The caller’s peer review: colleagues’ tickets to score (anonymised) and the scores on their own (reviewer hidden)',
            response: { 200: s.MyPeerReviews },
          },
        },
        async (req) => peer.myPeerReviews(db, ctxOf(req)),
      );
      app.post(
        '/qa/peer-reviews/:id',
        {
          config: { permission: 'qa.own' },
          schema: {
            tags,
            summary: 'Score a colleague’s ticket 1–5 on each item (the reviewer only, once)',
            params: IdParam,
            body: s.PeerReviewSubmit,
            response: { 200: z.object({ id: z.uuid(), submittedAt: z.string() }) },
          },
        },
        async (req) => peer.submitPeerReview(db, ctxOf(req), req.params.id, req.body),
      );

      // ── dashboard ──
      app.get(
        '/qa/stats',
        {
          config: { permission: 'qa.view' },
          schema: {
            tags,
            summary: 'The QA dashboard: score by dimension, item, agent, team and month; most-failed items; appeal rate and outcome',
            querystring: s.StatsQuery,
            response: { 200: s.Stats },
          },
        },
        async (req) => stats.getStats(db, ctxOf(req), req.query),
      );
      app.get(
        '/qa/stats/inspections',
        {
          config: { permission: 'qa.view' },
          schema: {
            tags,
            summary: 'Drill-down: the inspections behind a dashboard figure (agent, team, month, dimension, item, failed, appeal), newest first',
            querystring: s.StatsDrillQuery,
            response: { 200: s.StatsDrill },
          },
        },
        async (req) => stats.drillStats(db, ctxOf(req), req.query),
      );
      app.get(
        '/qa/stats/export',
        {
          config: { permission: 'qa.view' },
          schema: {
            tags,
            summary: 'Export the QA dashboard: .xlsx (a sheet per table) or one table as .csv (UTF-8 with BOM)',
            querystring: s.StatsExportQuery,
          },
        },
        async (req, reply) => {
          const ctx = ctxOf(req);
          const file = await stats.exportStats(db, ctx, req.query, req.query.lang ?? ctx.locale ?? 'zh-CN');
          reply.header('content-disposition', `attachment; filename="${file.filename}"`);
          return reply.type(file.type).send(file.body);
        },
      );

      // The dashboard's other drill-downs as files, like the inspection list above (quality.drill.export.ts).
      const exportFields = {
        format: z.enum(['csv', 'xlsx']),
        lang: z.enum(['zh-CN', 'en']).optional().describe("headings' language (default: the requester's)"),
      };
      app.get(
        '/qa/hits/export',
        {
          config: { permission: 'qa.view' },
          schema: {
            tags,
            summary: 'Export the automatic hits behind a rule’s rate (filters as GET /qa/hits; team scope) as .csv or .xlsx',
            querystring: HitsQuery.omit({ limit: true, cursor: true }).extend(exportFields).strict(),
          },
        },
        async (req, reply) => {
          const ctx = ctxOf(req);
          const file = await drill.exportHits(db, ctx, req.query, req.query.lang ?? ctx.locale ?? 'zh-CN');
          reply.header('content-disposition', `attachment; filename="${file.filename}"`);
          return reply.type(file.type).send(file.body);
        },
      );
      app.get(
        '/env/checks/export',
        {
          config: { permission: 'qa.view' },
          schema: {
            tags: ['environment'],
            summary: 'Export the environment checks behind the out-of-range figures (filters as GET /env/checks; per site) as .csv or .xlsx',
            querystring: EnvCheckList.omit({ limit: true, cursor: true }).extend(exportFields).strict(),
          },
        },
        async (req, reply) => {
          const ctx = ctxOf(req);
          const file = await drill.exportChecks(db, ctx, req.query, req.query.lang ?? ctx.locale ?? 'zh-CN');
          reply.header('content-disposition', `attachment; filename="${file.filename}"`);
          return reply.type(file.type).send(file.body);
        },
      );

      // ── performance ──
      app.get(
        '/performance',
        {
          config: { permission: 'qa.own' },
          schema: {
            tags,
            summary: 'An agent’s monthly composite: QA 40 % + satisfaction 30 % + complaints 20 % + proposals 10 % (weights editable)',
            querystring: s.PerformanceQuery,
            response: { 200: s.Performance },
          },
        },
        async (req) => perf.getPerformance(db, ctxOf(req), req.query),
      );
      app.get(
        '/performance/ranking',
        {
          config: { permission: 'performance.view' },
          schema: { tags, summary: 'Every agent’s composite for a month (one team), best first', querystring: s.RankingQuery, response: { 200: s.Ranking } },
        },
        async (req) => perf.getRanking(db, ctxOf(req), req.query),
      );
      app.get(
        '/performance/weights',
        { config: { permission: 'qa.own' }, schema: { tags, summary: 'The composite’s weights', response: { 200: s.WeightsOut } } },
        async (req) => perf.getWeights(db, ctxOf(req)),
      );
      app.put(
        '/performance/weights',
        {
          config: { permission: 'measures.manage' },
          schema: { tags, summary: 'Change the composite’s weights (they add up to 1)', body: s.WeightsBody, response: { 200: s.WeightsOut } },
        },
        async (req) => perf.putWeights(db, ctxOf(req), req.body),
      );

      // ── improvement proposals ──
      app.post(
        '/proposals',
        {
          config: { permission: 'qa.own' },
          schema: { tags, summary: 'Submit an improvement proposal (合理化建议)', body: s.ProposalCreate, response: { 201: s.Proposal } },
        },
        async (req, reply) => reply.status(201).send(await perf.createProposal(db, ctxOf(req), req.body)),
      );
      app.get(
        '/proposals',
        {
          config: { permission: 'qa.own' },
          schema: {
            tags,
            summary: 'Improvement proposals (reviewers: all; others: their own)',
            querystring: s.ProposalListQuery,
            response: { 200: z.object({ items: z.array(s.Proposal) }) },
          },
        },
        async (req) => perf.listProposals(db, ctxOf(req), req.query),
      );
      app.post(
        '/proposals/:id/review',
        {
          config: { permission: 'proposals.review' },
          schema: {
            tags,
            summary: 'Adopt or decline a proposal (adopted ones score in the composite)',
            params: IdParam,
            body: s.ProposalReview,
            response: { 200: s.Proposal },
          },
        },
        async (req) => perf.reviewProposal(db, ctxOf(req), req.params.id, req.body),
      );

      // ── sampling ──
      app.get(
        '/qa/sampling-plans',
        { config: { permission: 'qa.view' }, schema: { tags, summary: 'Sampling plans (抽检方案)', response: { 200: z.object({ items: z.array(s.Plan) }) } } },
        async (req) => samp.listPlans(db, ctxOf(req)),
      );
      app.post(
        '/qa/sampling-plans',
        { config: { permission: 'qa.manage' }, schema: { tags, summary: 'Create a sampling plan', body: s.PlanCreate, response: { 201: s.Plan } } },
        async (req, reply) => reply.status(201).send(await samp.createPlan(db, ctxOf(req), req.body)),
      );
      app.post(
        '/qa/sampling-plans/:id/draw',
        {
          config: { permission: 'qa.manage' },
          schema: {
            tags,
            summary: 'Draw a period’s samples into the inspectors’ queues (mandatory items, random share, weekly minimum)',
            params: IdParam,
            body: s.DrawBody,
            response: { 200: z.object({ candidates: z.number(), items: z.array(s.Sample) }) },
          },
        },
        async (req) => samp.drawPlan(db, ctxOf(req), req.params.id, req.body),
      );
      app.get(
        '/qa/queue',
        {
          config: { permission: 'qa.inspect' },
          schema: {
            tags,
            summary: 'The inspector’s queue of drawn tickets',
            querystring: s.QueueQuery,
            response: { 200: z.object({ items: z.array(s.Sample) }) },
          },
        },
        async (req) => samp.getQueue(db, ctxOf(req), req.query),
      );
    }),
  );
}
