import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import * as care from './care';
import * as complaints from './complaints';
import * as recovery from './recovery';
import * as s from './loops.schema';
import { getLoopSettings, LoopSettingsPatch, updateLoopSettings } from './settings';

const { IdParam } = s;
const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export function registerLoopRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const { database } = deps;
  const tags = ['loops'];

  // ── low-score recovery ──
  app.get(
    '/tickets/:id/recovery',
    {
      config: { permission: 'tickets.work' },
      schema: { tags, summary: "The ticket's latest recovery case (contract): {id, state, standards}", params: IdParam, response: { 200: s.RecoveryCase } },
    },
    async (req) => recovery.ticketRecovery(database, ctxOf(req), req.params.id),
  );
  app.get(
    '/recovery-cases',
    {
      config: { permission: 'loops.recover' },
      schema: { tags, summary: 'Recovery board', querystring: s.RecoveryListQuery, response: { 200: page(s.RecoveryCase) } },
    },
    async (req) => recovery.listRecovery(database, ctxOf(req), req.query),
  );
  for (const step of ['contact', 'solution', 'revisit'] as const) {
    app.post(
      `/recovery-cases/:id/${step}`,
      {
        config: { permission: 'loops.recover' },
        schema: {
          tags,
          summary: `Recovery step: ${step} (timeline event; stops its clock)`,
          params: IdParam,
          body: s.RecoveryStepBody,
          response: { 200: s.RecoveryCase },
        },
      },
      async (req) => recovery.recoveryStep(database, ctxOf(req), req.params.id, step, req.body.note),
    );
  }
  app.post(
    '/recovery-cases/:id/close',
    {
      config: { permission: 'loops.recover' },
      schema: {
        tags,
        summary: "Close with the customer's outcome (required); optionally send a new survey",
        params: IdParam,
        body: s.RecoveryCloseBody,
        response: { 200: s.RecoveryCase },
      },
    },
    async (req) => recovery.closeRecovery(database, ctxOf(req), req.params.id, req.body),
  );

  // ── complaint loop ──
  app.get(
    '/complaints',
    {
      config: { permission: 'loops.work' },
      schema: {
        tags,
        summary: 'Complaint board: complaint tickets with their loop step',
        querystring: s.ComplaintListQuery,
        response: { 200: page(s.ComplaintBoardItem) },
      },
    },
    async (req) => complaints.listComplaints(database, ctxOf(req), req.query),
  );
  app.get(
    '/tickets/:id/complaint',
    {
      config: { permission: 'loops.work' },
      schema: { tags, summary: 'The complaint loop of a complaint ticket (6 steps, classification)', params: IdParam, response: { 200: s.ComplaintCase } },
    },
    async (req) => complaints.getComplaint(database, ctxOf(req), req.params.id),
  );
  app.post(
    '/tickets/:id/complaint/steps',
    {
      config: { permission: 'loops.work' },
      schema: {
        tags,
        summary: 'Record a complaint step with its evidence (in order)',
        params: IdParam,
        body: s.ComplaintStepBody,
        response: { 200: s.ComplaintCase },
      },
    },
    async (req) => complaints.recordStep(database, ctxOf(req), req.params.id, req.body),
  );
  app.patch(
    '/tickets/:id/complaint',
    {
      config: { permission: 'loops.work' },
      schema: {
        tags,
        summary: 'Classify a complaint (serious → management notified at once)',
        params: IdParam,
        body: s.ComplaintClassifyBody,
        response: { 200: s.ComplaintCase },
      },
    },
    async (req) => complaints.classifyComplaint(database, ctxOf(req), req.params.id, req.body),
  );

  // ── after-sales care, reactivation ──
  app.get(
    '/care-tasks',
    {
      config: { permission: 'loops.work' },
      schema: {
        tags,
        summary: 'Care calendar: care and reactivation tasks',
        querystring: s.CareTaskQuery,
        response: { 200: z.object({ items: z.array(s.CareTask) }) },
      },
    },
    async (req) => care.listTasks(database, ctxOf(req), req.query),
  );
  app.post(
    '/care-tasks/:id/complete',
    {
      config: { permission: 'loops.work' },
      schema: {
        tags,
        summary: 'Complete a care / reactivation task with its result and outcome',
        params: IdParam,
        body: s.CareTaskComplete,
        response: { 200: s.CareTask },
      },
    },
    async (req) => care.completeTask(database, ctxOf(req), req.params.id, req.body),
  );
  app.get(
    '/customers/:id/reactivation',
    {
      config: { permission: 'loops.work' },
      schema: { tags, summary: "A customer's reactivation sequences", params: IdParam, response: { 200: z.object({ items: z.array(s.ReactivationRun) }) } },
    },
    async (req) => care.customerReactivation(database, ctxOf(req), req.params.id),
  );
  app.post(
    '/loops/reactivation/scan',
    {
      config: { permission: 'surveys.manage' },
      schema: {
        tags,
        summary: 'Start reactivation sequences for silent customers now (the worker does it hourly)',
        response: { 200: z.object({ started: z.number() }) },
      },
    },
    async (req) => care.scanReactivationNow(database, ctxOf(req)),
  );

  // ── settings ──
  app.get(
    '/loops/settings',
    {
      config: { permission: 'surveys.view' },
      schema: { tags, summary: 'Low-score thresholds, care plan, reactivation', response: { 200: s.LoopSettingsOut } },
    },
    async (req) => getLoopSettings(database, ctxOf(req)),
  );
  app.put(
    '/loops/settings',
    {
      config: { permission: 'surveys.manage' },
      schema: {
        tags,
        summary: 'Change the loop settings (merged over the current ones, validated whole)',
        body: LoopSettingsPatch,
        response: { 200: s.LoopSettingsOut },
      },
    },
    async (req) => updateLoopSettings(database, ctxOf(req), req.body),
  );
}
