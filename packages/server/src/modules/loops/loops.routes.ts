import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { AppError } from '../../lib/errors';
import { authorize } from '../identity/policy';
import * as care from './care';
import * as complaints from './complaints';
import * as recovery from './recovery';
import { LoopSettingsPatch, LoopSettingsSchema, loopSettings, saveLoopSettings } from './settings';
import { writeAudit, diff } from '../../lib/audit';

const IdParam = z.object({ id: z.uuid() });
const text = (max: number) => z.string().trim().min(1).max(max);

export function registerLoopRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const { database } = deps;
  const tags = ['loops'];

  // ── low-score recovery ──
  app.get('/tickets/:id/recovery', { config: { permission: 'tickets.work' }, schema: { tags, summary: 'The ticket\'s latest recovery case (contract): {id, state, standards}', params: IdParam } },
    async (req) => recovery.ticketRecovery(database, ctxOf(req), req.params.id));
  app.get('/recovery-cases', { config: { permission: 'loops.recover' }, schema: { tags, summary: 'Recovery board', querystring: z.object({ state: z.enum(['open', 'closed', 'all']).optional(), limit: z.coerce.number().int().min(1).max(200).default(100), cursor: z.uuid().optional() }) } },
    async (req) => recovery.listRecovery(database, ctxOf(req), req.query));
  for (const step of ['contact', 'solution', 'revisit'] as const) {
    app.post(`/recovery-cases/:id/${step}`, { config: { permission: 'loops.recover' }, schema: { tags, summary: `Recovery step: ${step} (timeline event; stops its clock)`, params: IdParam, body: z.object({ note: text(2000) }).strict() } },
      async (req) => recovery.recoveryStep(database, ctxOf(req), req.params.id, step, req.body.note));
  }
  app.post('/recovery-cases/:id/close', { config: { permission: 'loops.recover' }, schema: { tags, summary: 'Close with the customer\'s outcome (required); optionally send a new survey', params: IdParam, body: z.object({ outcome: z.enum(['recovered', 'not_recovered']), note: z.string().max(2000).optional(), sendSurvey: z.boolean().optional() }).strict() } },
    async (req) => recovery.closeRecovery(database, ctxOf(req), req.params.id, req.body));

  // ── complaint loop ──
  app.get('/complaints', { config: { permission: 'loops.work' }, schema: { tags, summary: 'Complaint board: complaint tickets with their loop step', querystring: z.object({ state: z.enum(['open', 'all']).optional(), limit: z.coerce.number().int().min(1).max(200).default(100), cursor: z.uuid().optional() }) } },
    async (req) => complaints.listComplaints(database, ctxOf(req), req.query));
  app.get('/tickets/:id/complaint', { config: { permission: 'loops.work' }, schema: { tags, summary: 'The complaint loop of a complaint ticket (6 steps, classification)', params: IdParam } },
    async (req) => complaints.getComplaint(database, ctxOf(req), req.params.id));
  app.post('/tickets/:id/complaint/steps', {
    config: { permission: 'loops.work' },
    schema: {
      tags, summary: 'Record a complaint step with its evidence (in order)', params: IdParam,
      body: z.object({
        step: z.enum(complaints.COMPLAINT_STEPS), evidence: text(4000), satisfied: z.boolean().optional(),
        improvement: z.object({ standardId: z.uuid(), cause: text(1000), change: text(1000), ownerId: z.uuid(), dueDate: z.iso.date() }).strict().optional(),
      }).strict(),
    },
  }, async (req) => complaints.recordStep(database, ctxOf(req), req.params.id, req.body));
  app.patch('/tickets/:id/complaint', {
    config: { permission: 'loops.work' },
    schema: { tags, summary: 'Classify a complaint (serious → management notified at once)', params: IdParam, body: z.object({ category: z.string().max(100).nullable().optional(), responsibility: z.enum(complaints.RESPONSIBILITIES).nullable().optional(), severity: z.enum(complaints.SEVERITIES).optional(), rootCause: z.string().max(1000).nullable().optional() }).strict() },
  }, async (req) => complaints.classifyComplaint(database, ctxOf(req), req.params.id, req.body));

  // ── after-sales care, reactivation ──
  app.get('/care-tasks', {
    config: { permission: 'loops.work' },
    schema: { tags, summary: 'Care calendar: care and reactivation tasks', querystring: z.object({ from: z.string().optional(), to: z.string().optional(), ownerId: z.uuid().optional(), kind: z.enum(['care', 'reactivation']).optional(), state: z.enum(['pending', 'done', 'cancelled', 'all']).optional(), limit: z.coerce.number().int().min(1).max(500).default(300) }) },
  }, async (req) => care.listTasks(database, ctxOf(req), req.query));
  app.post('/care-tasks/:id/complete', { config: { permission: 'loops.work' }, schema: { tags, summary: 'Complete a care / reactivation task with its result and outcome', params: IdParam, body: z.object({ result: z.enum(care.TASK_RESULTS), outcome: text(2000) }).strict() } },
    async (req) => care.completeTask(database, ctxOf(req), req.params.id, req.body));
  app.get('/customers/:id/reactivation', { config: { permission: 'loops.work' }, schema: { tags, summary: 'A customer\'s reactivation sequences', params: IdParam } },
    async (req) => ({ items: await care.customerRuns(database.db, req.params.id) }));
  app.post('/loops/reactivation/scan', { config: { permission: 'surveys.manage' }, schema: { tags, summary: 'Start reactivation sequences for silent customers now (the worker does it hourly)' } },
    async (req) => { authorize(ctxOf(req).actor, 'surveys.manage'); return { started: await care.scanReactivation(database) }; });

  // ── settings ──
  app.get('/loops/settings', { config: { permission: 'surveys.view' }, schema: { tags, summary: 'Low-score thresholds, care plan, reactivation' } },
    async () => loopSettings(database.db));
  app.put('/loops/settings', { config: { permission: 'surveys.manage' }, schema: { tags, body: LoopSettingsPatch } }, async (req) => {
    const ctx = ctxOf(req);
    authorize(ctx.actor, 'surveys.manage');
    const cur = await loopSettings(database.db);
    const next = { lowScore: { ...cur.lowScore, ...req.body.lowScore }, care: { ...cur.care, ...req.body.care }, reactivation: { ...cur.reactivation, ...req.body.reactivation } };
    const parsed = LoopSettingsSchema.safeParse(next);
    if (!parsed.success) throw new AppError('validation_failed', 'invalid settings', { errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
    await database.transaction(async (tx) => {
      await saveLoopSettings(tx, parsed.data);
      await writeAudit(tx, ctx, { action: 'loops.settings_changed', targetType: 'settings', targetId: null, changes: diff(cur as never, parsed.data as never) });
    });
    return parsed.data;
  });
}
