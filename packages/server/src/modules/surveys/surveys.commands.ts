/**
 * Surveys (满意度调查): templates with sending rules, signed single-use invitations, public answers that join the
 * ticket timeline (`survey.answered`) and the customer record, soft-standard compliance from the answers.
 * Where a survey is sent: surveys.invitations.ts. Queries: surveys.repo.ts.
 */
import type { Database, Executor, Tx } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import { systemCtx, type Ctx } from '../../lib/context';
import { AppError, conflict, invalid, notFound, type FieldError } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { idempotent } from '../../lib/idempotency';
import { authorize } from '../identity/policy';
import { parseRange } from '../standards/standards.period';
import type { StandardDefinition } from '../standards/definition';
import { recordTicketEvent } from '../tickets/ticket-events';
import { ticketsRepo } from '../tickets/tickets.repo';
import { ensureRecoveryStandards, openRecoveryInTx } from '../loops/recovery';
import { isLowScore, loopSettings } from '../loops/settings';
import { stopReactivationInTx } from '../loops/care';
import { hitRateLimit } from './rate-limit';
import { surveySecret, verifyToken } from './token';
import type { AnswerIn, QuestionIn, RulesT } from './surveys.schema';
import { createInvitation, defaultTemplate } from './surveys.invitations';
import { assertAnswerable, linkProblem } from './surveys.policy';
import { presentInvitation, presentResponse, presentTemplate } from './surveys.present';
import { surveysRepo, type AgreeCount, type TemplateRow } from './surveys.repo';
import { deliveryRepo } from './surveys.delivery.repo';

export type { InvitationRow, TemplateRow } from './surveys.repo';
export { presentInvitation, presentResponse, presentTemplate, surveyUrl } from './surveys.present';
export { createInvitation, DEFAULT_REASONS, DEFAULT_TEMPLATE, ensureDefaultTemplate, inviteOnTrigger, sendDueInvitations } from './surveys.invitations';

async function checkQuestions(ex: Executor, qs: QuestionIn[]) {
  const errors: FieldError[] = [];
  const ids = new Set<string>();
  const kinds = new Map<string, number>();
  qs.forEach((q, i) => {
    if (ids.has(q.id)) errors.push({ path: `questions[${i}].id`, message: 'duplicate question id' });
    ids.add(q.id);
    if (['csat', 'nps', 'ces'].includes(q.kind)) {
      kinds.set(q.kind, (kinds.get(q.kind) ?? 0) + 1);
      if (kinds.get(q.kind)! > 1) errors.push({ path: `questions[${i}].kind`, message: `only one ${q.kind} question per template` });
    }
    if (q.kind === 'choice' && (!q.options || q.options.length < 2))
      errors.push({ path: `questions[${i}].options`, message: 'a choice question needs at least 2 options' });
    if (q.kind === 'scale') {
      const min = q.min ?? 1;
      const max = q.max ?? 5;
      if (min >= max) errors.push({ path: `questions[${i}].max`, message: 'must be greater than min' });
    }
    if (q.standardId && q.kind === 'text') errors.push({ path: `questions[${i}].standardId`, message: 'a text question cannot measure a standard' });
  });
  const stdIds = [...new Set(qs.map((q) => q.standardId).filter((x): x is string => !!x))];
  if (stdIds.length) {
    const rows = await surveysRepo.standardDefinitions(ex, stdIds);
    const soft = new Set(rows.filter((r) => (r.def as StandardDefinition).kind === 'soft').map((r) => r.id));
    qs.forEach((q, i) => {
      if (q.standardId && !soft.has(q.standardId)) errors.push({ path: `questions[${i}].standardId`, message: 'no such soft standard' });
    });
  }
  if (errors.length) throw new AppError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
}

export async function createTemplate(
  database: Database,
  ctx: Ctx,
  input: { name: string; description?: string | null | undefined; questions: QuestionIn[]; rules: RulesT; active: boolean },
  idempotencyKey?: string,
) {
  authorize(ctx.actor, 'surveys.manage');
  return (
    await idempotent(database, ctx, idempotencyKey, 'POST /survey-templates', input, async (tx) => ({
      status: 201,
      body: await createTemplateInTx(tx, ctx, input),
    }))
  ).body;
}

async function createTemplateInTx(
  tx: Tx,
  ctx: Ctx,
  input: { name: string; description?: string | null | undefined; questions: QuestionIn[]; rules: RulesT; active: boolean },
) {
  await checkQuestions(tx, input.questions);
  const id = uuidv7();
  const row = await surveysRepo.insertTemplate(tx, {
    id,
    name: input.name,
    description: input.description ?? null,
    questions: input.questions,
    rules: input.rules,
    active: input.active,
    createdBy: ctx.actor.id,
  });
  await writeAudit(tx, ctx, {
    action: 'survey_template.created',
    targetType: 'survey_template',
    targetId: id,
    changes: diff(null, { name: input.name, active: input.active }),
  });
  return presentTemplate(row);
}

export async function updateTemplate(
  database: Database,
  ctx: Ctx,
  id: string,
  input: {
    name?: string | undefined;
    description?: string | null | undefined;
    questions?: QuestionIn[] | undefined;
    rules?: RulesT | undefined;
    active?: boolean | undefined;
  },
) {
  authorize(ctx.actor, 'surveys.manage');
  return database.transaction(async (tx) => {
    const t = await surveysRepo.lockTemplate(tx, id);
    if (!t) throw notFound('Survey template');
    if (input.questions) await checkQuestions(tx, input.questions);
    const set: Partial<TemplateRow> = {};
    if (input.name !== undefined) set.name = input.name;
    if (input.description !== undefined) set.description = input.description;
    if (input.questions !== undefined) set.questions = input.questions;
    if (input.rules !== undefined) set.rules = input.rules;
    if (input.active !== undefined) set.active = input.active;
    const changes = diff(
      { name: t.name, description: t.description, questions: t.questions, rules: t.rules, active: t.active },
      { ...{ name: t.name, description: t.description, questions: t.questions, rules: t.rules, active: t.active }, ...set },
    );
    if (Object.keys(changes).length === 0) return presentTemplate(t);
    const row = await surveysRepo.updateTemplate(tx, id, { ...set, version: t.version + 1, updatedAt: new Date() });
    await writeAudit(tx, ctx, { action: 'survey_template.updated', targetType: 'survey_template', targetId: id, changes });
    return presentTemplate(row);
  });
}

export async function listTemplates(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'surveys.view');
  const rows = await surveysRepo.listTemplates(database.db);
  return { items: rows.map(presentTemplate) };
}

export async function getTemplate(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'surveys.view');
  const t = await surveysRepo.templateById(database.db, id);
  if (!t) throw notFound('Survey template');
  return presentTemplate(t);
}

/** GET /tickets/{id}/surveys (contract): the ticket's invitations, newest first. */
export async function ticketSurveys(database: Database, ctx: Ctx, ticketId: string) {
  authorize(ctx.actor, 'tickets.work');
  const t = await ticketsRepo.visibleById(database.db, ctx.actor, ticketId);
  if (!t) throw notFound('Ticket');
  const rows = await surveysRepo.invitationsOfTicket(database.db, ticketId);
  const resp = await surveysRepo.responsesOfInvitations(
    database.db,
    rows.map((r) => r.id),
  );
  const byInv = new Map(resp.map((r) => [r.invitationId, r]));
  const secret = await surveySecret(database.db);
  return rows.map((r) => ({ ...presentInvitation(r, secret), response: byInv.has(r.id) ? presentResponse(byInv.get(r.id)!) : null }));
}

/** POST /tickets/{id}/surveys: send a survey by hand (e.g. over the phone), bypassing sampling and the N-day rule. */
export async function sendSurveyNow(database: Database, ctx: Ctx, ticketId: string, templateId: string | undefined) {
  authorize(ctx.actor, 'tickets.work');
  return database.transaction(async (tx) => {
    const t = await ticketsRepo.visibleById(tx, ctx.actor, ticketId);
    if (!t) throw notFound('Ticket');
    if (t.type === 'internal') throw conflict('ticket_internal', 'An internal ticket (内部工单) has no customer to survey');
    const tpl = await defaultTemplate(tx, templateId);
    if (!tpl) throw invalid('templateId', 'no such survey template');
    const inv = await createInvitation(tx, await ticketsRepo.snapshot(tx, t), tpl, 'manual', new Date(), 0, null, ctx.actor.id);
    await writeAudit(tx, ctx, {
      action: 'survey.sent',
      targetType: 'ticket',
      targetId: ticketId,
      changes: diff(null, { surveyId: inv.id, templateId: tpl.id }),
    });
    return presentInvitation(inv, await surveySecret(tx));
  });
}

// ───────────────────────────── public answering ─────────────────────────────
// The public commands take the link's token (and the caller's address) instead of a Ctx: nobody is signed in.

async function resolveToken(ex: Executor, token: string): Promise<string> {
  const id = verifyToken(await surveySecret(ex), token);
  if (!id) throw linkProblem({ code: 'not_found', reason: 'invalid_token' });
  return id;
}

/** GET /public/surveys/{token}: what the mobile page shows. */
export async function publicSurvey(database: Database, token: string, ip: string | null) {
  await hitRateLimit(database.db, token, ip);
  const id = await resolveToken(database.db, token);
  const row = await surveysRepo.publicSurvey(database.db, id);
  assertAnswerable(row?.inv, Date.now());
  if (!row) throw linkProblem({ code: 'not_found', reason: 'unknown_survey' });
  if (!row.inv.openedAt) await deliveryRepo.markOpened(database.db, id, new Date());
  const s = await loopSettings(database.db);
  return {
    id,
    state: 'open' as const,
    expiresAt: row.inv.expiresAt.toISOString(),
    title: row.tpl.name,
    description: row.tpl.description,
    ticket: { number: row.number, subject: row.subject },
    questions: (row.tpl.questions as QuestionIn[]).map((q) => ({
      id: q.id,
      kind: q.kind,
      label: q.label,
      required: q.required,
      options: q.options ?? null,
      reasons: q.reasons ?? null,
      min: q.min ?? null,
      max: q.max ?? null,
    })),
    lowScore: s.lowScore,
  };
}

function agreeOf(q: QuestionIn, v: number | string): boolean {
  if (typeof v === 'string') return (q.agree?.options ?? q.options?.slice(0, 1) ?? []).includes(v);
  if (q.kind === 'ces') return v <= (q.agree?.max ?? 3);
  const dflt = q.kind === 'csat' ? 4 : q.kind === 'nps' ? 9 : Math.ceil(((q.min ?? 1) + (q.max ?? 5)) / 2) + 1;
  return v >= (q.agree?.min ?? dflt);
}

/** POST /public/surveys/{token} (contract): one answer per token; 409 already_answered, 404 forged/unknown, 410 expired. */
export async function answerSurvey(database: Database, token: string, body: AnswerIn, meta: { ip: string | null; requestId: string | null }) {
  await hitRateLimit(database.db, token, meta.ip);
  const id = await resolveToken(database.db, token);
  return answerInvitation(database, id, body, { ...systemCtx('survey'), requestId: meta.requestId, ip: meta.ip });
}

/**
 * Answer an invitation (by id: the public link after its token was checked, or the portal's rating card after the
 * customer's visibility was checked). `ctx` is who answers (the link: a system actor; the portal: the customer).
 */
export async function answerInvitation(database: Database, id: string, body: AnswerIn, ctx: Ctx) {
  const settings = await loopSettings(database.db);
  const low = isLowScore(settings.lowScore, body);
  if (low) await ensureRecoveryStandards(database);
  return database.transaction(async (tx) => {
    const inv = await surveysRepo.lockInvitation(tx, id);
    const now = new Date();
    assertAnswerable(inv, now.getTime());
    const tpl = await surveysRepo.templateById(tx, inv.templateId);
    const questions = (tpl?.questions ?? []) as QuestionIn[];
    const errors: FieldError[] = [];
    const answers: Record<string, number | string> = {};
    const std: { q: QuestionIn; v: number | string }[] = [];
    for (const q of questions) {
      let v: number | string | undefined;
      if (q.kind === 'csat' || q.kind === 'nps' || q.kind === 'ces')
        v = body[q.kind] ?? (typeof body.answers?.[q.id] === 'number' ? body.answers[q.id] : undefined);
      else if (q.kind === 'text' && q.id === 'comment') v = body.comment ?? body.answers?.[q.id];
      else v = body.answers?.[q.id];
      if (v === undefined || v === '') {
        if (q.required) errors.push({ path: q.kind === 'csat' || q.kind === 'nps' || q.kind === 'ces' ? q.kind : `answers.${q.id}`, message: 'required' });
        continue;
      }
      if (q.kind === 'scale') {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < (q.min ?? 1) || v > (q.max ?? 5)) {
          errors.push({ path: `answers.${q.id}`, message: `must be an integer ${q.min ?? 1}..${q.max ?? 5}` });
          continue;
        }
      } else if (q.kind === 'choice') {
        if (typeof v !== 'string' || !(q.options ?? []).includes(v)) {
          errors.push({ path: `answers.${q.id}`, message: 'must be one of the options' });
          continue;
        }
      } else if (q.kind === 'text') {
        if (typeof v !== 'string') {
          errors.push({ path: `answers.${q.id}`, message: 'must be text' });
          continue;
        }
        v = v
          .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f<>]/g, '')
          .trim()
          .slice(0, 2000);
      }
      answers[q.id] = v;
      if (q.standardId) std.push({ q, v });
    }
    const csat = body.csat ?? null;
    const nps = body.nps ?? null;
    const ces = body.ces ?? null;
    if (csat === null && nps === null && ces === null && Object.keys(answers).length === 0) errors.push({ path: 'csat', message: 'give at least one answer' });
    if (errors.length) throw new AppError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
    const allowedReasons = new Set(questions.flatMap((q) => q.reasons ?? []));
    const reasons = [...new Set((body.reasons ?? []).filter((r) => allowedReasons.has(r)))];
    const comment = body.comment
      ? body.comment
          .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f<>]/g, '')
          .trim()
          .slice(0, 2000) || null
      : null;
    const responseId = uuidv7();
    const t = await surveysRepo.ticketById(tx, inv.ticketId, true);
    await surveysRepo.insertResponse(tx, {
      id: responseId,
      invitationId: inv.id,
      templateId: inv.templateId,
      ticketId: inv.ticketId,
      customerId: inv.customerId,
      ownerId: t?.ownerId ?? inv.ownerId,
      teamId: t?.teamId ?? inv.teamId,
      csat,
      nps,
      ces,
      answers,
      reasons,
      comment,
      lowScore: low,
      answeredAt: now,
    });
    await surveysRepo.markAnswered(tx, inv.id, now);
    if (std.length) {
      await surveysRepo.insertSoftAnswers(
        tx,
        std.map(({ q, v }) => ({
          responseId,
          questionId: q.id,
          standardId: q.standardId!,
          agree: agreeOf(q, v),
          ownerId: t?.ownerId ?? null,
          teamId: t?.teamId ?? null,
          answeredAt: now,
        })),
      );
    }
    const snap = await ticketsRepo.snapshot(tx, t!);
    const score: { csat?: number; nps?: number; ces?: number } = {};
    if (csat !== null) score.csat = csat;
    if (nps !== null) score.nps = nps;
    if (ces !== null) score.ces = ces;
    await recordTicketEvent(tx, ctx, snap, 'survey.answered', { surveyId: inv.id, responseId, answers: score, lowScore: low, reasons });
    await writeAudit(tx, ctx, { action: 'survey.answered', targetType: 'survey', targetId: inv.id, changes: diff(null, { ...score, lowScore: low }) });
    await stopReactivationInTx(tx, ctx, inv.customerId, 'survey_answered');
    let recoveryCaseId: string | null = null;
    if (low) recoveryCaseId = await openRecoveryInTx(tx, ctx, snap, { responseId, score, reasons, comment });
    return { id: responseId, surveyId: inv.id, lowScore: low, recoveryOpened: recoveryCaseId !== null };
  });
}

// ───────────────────────────── customer record, soft standards ─────────────────────────────

export async function customerSurveys(database: Database, ctx: Ctx, customerId: string) {
  authorize(ctx.actor, 'customers.read');
  authorize(ctx.actor, 'surveys.view');
  const rows = await surveysRepo.customerResponses(database.db, ctx.actor, customerId);
  const pending = await surveysRepo.customerPendingInvitations(database.db, ctx.actor, customerId);
  const csats = rows.map((x) => x.r.csat).filter((v): v is number => v !== null);
  return {
    items: rows.map((x) => ({ ...presentResponse(x.r), ticketNumber: x.number, ticketSubject: x.subject })),
    pending: pending.map((p) => ({ id: p.id, ticketId: p.ticketId, state: p.state, sendAt: p.sendAt.toISOString(), expiresAt: p.expiresAt.toISOString() })),
    summary: {
      answered: rows.length,
      csatAverage: csats.length ? csats.reduce((a, b) => a + b, 0) / csats.length : null,
      lowScores: rows.filter((x) => x.r.lowScore).length,
    },
  };
}

/**
 * Soft-standard compliance (软标准达成率): for each soft standard, the share of "agree" answers vs its target.
 * Sources: questions linked to the standard (`questions[].standardId`), and soft standards with a survey measure
 * (`survey: {measure: csat|nps|ces, threshold}` — agree = csat/nps ≥ threshold, ces ≤ threshold).
 */
export async function softCompliance(
  database: Database,
  ctx: Ctx,
  q: {
    from?: string | undefined;
    to?: string | undefined;
    tz?: string | undefined;
    by?: 'team' | 'agent' | 'day' | undefined;
    teamId?: string | undefined;
    agentId?: string | undefined;
    standardId?: string | undefined;
  },
) {
  authorize(ctx.actor, 'surveys.view');
  const { from, to, tz } = parseRange(q);
  const ex = database.db;
  const stds = (await surveysRepo.standardDefinitions(ex)).filter(
    // Soft standards judged by the mean of the answers are shown by the standards' compliance (a mean, not a share).
    (s) =>
      (s.def as StandardDefinition).kind === 'soft' && (s.def as StandardDefinition).survey?.aggregate !== 'mean' && (!q.standardId || s.id === q.standardId),
  );
  const f = { from, to, tz, by: q.by, teamId: q.teamId, agentId: q.agentId };
  const items = [];
  for (const s of stds) {
    const def = s.def as StandardDefinition & { survey?: { measure: 'csat' | 'nps' | 'ces'; threshold: number } };
    const parts: AgreeCount[] = [...(await surveysRepo.linkedAgreeCounts(ex, s.id, f))];
    if (def.survey && ['csat', 'nps', 'ces'].includes(def.survey.measure))
      parts.push(...(await surveysRepo.measuredAgreeCounts(ex, def.survey.measure, def.survey.threshold, f)));
    const merged = new Map<string, { agree: number; total: number }>();
    for (const p of parts) {
      const k = p.key ?? 'none';
      const m = merged.get(k) ?? { agree: 0, total: 0 };
      m.agree += Number(p.agree);
      m.total += Number(p.total);
      merged.set(k, m);
    }
    const agree = [...merged.values()].reduce((a, b) => a + b.agree, 0);
    const total = [...merged.values()].reduce((a, b) => a + b.total, 0);
    const rate = total ? agree / total : null;
    let breakdown: { key: string; name: string | null; agree: number; total: number; rate: number | null }[] = [];
    if (q.by) {
      const keys = [...merged.keys()].filter((k) => k !== 'none' && k !== 'all');
      const names = new Map<string, string>();
      if (q.by === 'agent') for (const r of await surveysRepo.staffNames(ex, keys)) names.set(r.id, r.name);
      if (q.by === 'team') for (const r of await surveysRepo.teamNames(ex, keys)) names.set(r.id, r.name);
      breakdown = [...merged.entries()]
        .map(([key, m]) => ({
          key,
          name: names.get(key) ?? (q.by === 'day' ? key : null),
          agree: m.agree,
          total: m.total,
          rate: m.total ? m.agree / m.total : null,
        }))
        .sort((a, b) => a.key.localeCompare(b.key));
    }
    items.push({
      standardId: s.id,
      code: s.code,
      name: def.name,
      encounter: def.encounter,
      active: s.active,
      target: def.target,
      source: def.survey ? `survey.${def.survey.measure}` : 'questions',
      agree,
      total,
      rate,
      meetsTarget: rate === null ? null : rate >= def.target,
      breakdown,
    });
  }
  return { from: from.toISOString(), to: to.toISOString(), items };
}
