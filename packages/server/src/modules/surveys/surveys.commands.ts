/**
 * Surveys (满意度调查): templates with sending rules, signed single-use invitations, public answers that join the
 * ticket timeline (`survey.answered`) and the customer record, soft-standard compliance from the answers.
 */
import { randomInt } from 'node:crypto';
import { and, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Database, Executor, Tx } from '../../db/client';
import { customers, softStandardAnswers, staff, standards, standardVersions, surveyInvitations, surveyResponses, surveyTemplates, teams, tickets } from '../../db/schema';
import { diff, writeAudit } from '../../lib/audit';
import { systemCtx, type Ctx } from '../../lib/context';
import { AppError, invalid, notFound, type FieldError } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { idempotent } from '../../lib/idempotency';
import { authorize } from '../identity/policy';
import { parseRange } from '../standards/compliance';
import type { StandardDefinition } from '../standards/definition';
import { recordTicketEvent, type TicketSnapshot } from '../tickets/ticket-events';
import { ticketsRepo } from '../tickets/tickets.repo';
import { ensureRecoveryStandards, openRecoveryInTx } from '../loops/recovery';
import { isLowScore, loopSettings } from '../loops/settings';
import { stopReactivationInTx } from '../loops/care';
import { hitRateLimit } from './rate-limit';
import { signToken, surveySecret, verifyToken } from './token';
import { Question, Rules, type AnswerIn, type QuestionIn, type RulesT } from './surveys.schema';
import type { z } from 'zod';
import { ticketVisibilityScope } from '../tickets/visibility';

export type TemplateRow = typeof surveyTemplates.$inferSelect;
export type InvitationRow = typeof surveyInvitations.$inferSelect;
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export const DEFAULT_REASONS = ['响应太慢', '问题没有解决', '服务态度不好', '收费不透明', '需要多次联系', '其他'];

/** Built-in default template (created on first use when no template exists, and by the demo). */
export const DEFAULT_TEMPLATE = {
  name: '服务满意度调查',
  description: '工单解决后立即发送：一次点星即可完成，低分时请客户选择原因。',
  questions: [
    { id: 'csat', kind: 'csat' as const, label: '您对本次服务满意吗？', required: true, reasons: DEFAULT_REASONS },
    { id: 'comment', kind: 'text' as const, label: '还有什么想告诉我们的？（选填）', required: false },
  ],
  rules: { triggers: ['ticket.resolved' as const], delaySeconds: 0, channel: 'link' as const, samplingPercent: 100, minDaysBetween: 0, ticketTypes: [], expiresInDays: 7 },
};

export function presentTemplate(t: TemplateRow) {
  return {
    id: t.id, name: t.name, description: t.description, questions: t.questions as QuestionIn[], rules: t.rules as RulesT,
    active: t.active, version: t.version, createdAt: t.createdAt.toISOString(), updatedAt: t.updatedAt.toISOString(),
  };
}

async function checkQuestions(ex: Executor, qs: z.infer<typeof Question>[]) {
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
    if (q.kind === 'choice' && (!q.options || q.options.length < 2)) errors.push({ path: `questions[${i}].options`, message: 'a choice question needs at least 2 options' });
    if (q.kind === 'scale') {
      const min = q.min ?? 1; const max = q.max ?? 5;
      if (min >= max) errors.push({ path: `questions[${i}].max`, message: 'must be greater than min' });
    }
    if (q.standardId && q.kind === 'text') errors.push({ path: `questions[${i}].standardId`, message: 'a text question cannot measure a standard' });
  });
  const stdIds = [...new Set(qs.map((q) => q.standardId).filter((x): x is string => !!x))];
  if (stdIds.length) {
    const rows = await ex.select({ id: standards.id, def: standardVersions.definition }).from(standards)
      .innerJoin(standardVersions, eq(standardVersions.id, standards.currentVersionId)).where(inArray(standards.id, stdIds));
    const soft = new Set(rows.filter((r) => (r.def as StandardDefinition).kind === 'soft').map((r) => r.id));
    qs.forEach((q, i) => { if (q.standardId && !soft.has(q.standardId)) errors.push({ path: `questions[${i}].standardId`, message: 'no such soft standard' }); });
  }
  if (errors.length) throw new AppError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
}

export async function createTemplate(database: Database, ctx: Ctx, input: { name: string; description?: string | null | undefined; questions: QuestionIn[]; rules: RulesT; active: boolean }, idempotencyKey?: string) {
  authorize(ctx.actor, 'surveys.manage');
  return (await idempotent(database, ctx, idempotencyKey, 'POST /survey-templates', input, async (tx) => ({ status: 201, body: await createTemplateInTx(tx, ctx, input) }))).body;
}

async function createTemplateInTx(tx: Tx, ctx: Ctx, input: { name: string; description?: string | null | undefined; questions: QuestionIn[]; rules: RulesT; active: boolean }) {
  await checkQuestions(tx, input.questions);
  const id = uuidv7();
  const [row] = await tx.insert(surveyTemplates).values({ id, name: input.name, description: input.description ?? null, questions: input.questions, rules: input.rules, active: input.active, createdBy: ctx.actor.id }).returning();
  await writeAudit(tx, ctx, { action: 'survey_template.created', targetType: 'survey_template', targetId: id, changes: diff(null, { name: input.name, active: input.active }) });
  return presentTemplate(row!);
}

export async function updateTemplate(database: Database, ctx: Ctx, id: string, input: { name?: string | undefined; description?: string | null | undefined; questions?: QuestionIn[] | undefined; rules?: RulesT | undefined; active?: boolean | undefined }) {
  authorize(ctx.actor, 'surveys.manage');
  return database.transaction(async (tx) => {
    const [t] = await tx.select().from(surveyTemplates).where(eq(surveyTemplates.id, id)).for('update');
    if (!t) throw notFound('Survey template');
    if (input.questions) await checkQuestions(tx, input.questions);
    const set: Partial<TemplateRow> = {};
    if (input.name !== undefined) set.name = input.name;
    if (input.description !== undefined) set.description = input.description;
    if (input.questions !== undefined) set.questions = input.questions;
    if (input.rules !== undefined) set.rules = input.rules;
    if (input.active !== undefined) set.active = input.active;
    const changes = diff({ name: t.name, description: t.description, questions: t.questions, rules: t.rules, active: t.active }, { ...{ name: t.name, description: t.description, questions: t.questions, rules: t.rules, active: t.active }, ...set });
    if (Object.keys(changes).length === 0) return presentTemplate(t);
    const [row] = await tx.update(surveyTemplates).set({ ...set, version: t.version + 1, updatedAt: new Date() }).where(eq(surveyTemplates.id, id)).returning();
    await writeAudit(tx, ctx, { action: 'survey_template.updated', targetType: 'survey_template', targetId: id, changes });
    return presentTemplate(row!);
  });
}

export async function listTemplates(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'surveys.view');
  const rows = await database.db.select().from(surveyTemplates).orderBy(surveyTemplates.createdAt);
  return { items: rows.map(presentTemplate) };
}

export async function getTemplate(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'surveys.view');
  const [t] = await database.db.select().from(surveyTemplates).where(eq(surveyTemplates.id, id));
  if (!t) throw notFound('Survey template');
  return presentTemplate(t);
}

/** The default template, created once when the instance has none (so resolving a ticket always invites). */
export async function ensureDefaultTemplate(ex: Executor): Promise<void> {
  const [any] = await ex.select({ id: surveyTemplates.id }).from(surveyTemplates).limit(1);
  if (any) return;
  await ex.insert(surveyTemplates).values({ id: '00000000-0000-7000-8000-00000000c5a7', ...DEFAULT_TEMPLATE, questions: DEFAULT_TEMPLATE.questions.map((q) => Question.parse(q)), rules: Rules.parse(DEFAULT_TEMPLATE.rules) }).onConflictDoNothing();
}

// ───────────────────────────── invitations ─────────────────────────────

export function surveyUrl(token: string): string {
  const base = (process.env.CHIDU_PUBLIC_URL ?? '').replace(/\/+$/, '');
  return `${base}/s/${token}`;
}

/**
 * A trigger happened on a ticket (resolved, field visit completed, complaint closed): every active template whose
 * rules match invites the customer (sampling, one per customer per N days, consent), at once or after the delay.
 */
export async function inviteOnTrigger(tx: Tx, snap: TicketSnapshot, trigger: string, now = new Date()): Promise<InvitationRow[]> {
  await ensureDefaultTemplate(tx);
  const templates = (await tx.select().from(surveyTemplates).where(eq(surveyTemplates.active, true)).orderBy(surveyTemplates.createdAt))
    .filter((t) => {
      const r = t.rules as RulesT;
      return r.triggers.includes(trigger as RulesT['triggers'][number]) && (r.ticketTypes.length === 0 || r.ticketTypes.includes(snap.type as RulesT['ticketTypes'][number]));
    });
  if (!templates.length) return [];
  const [cust] = await tx.select({ consent: customers.consent }).from(customers).where(eq(customers.id, snap.customerId));
  if ((cust?.consent as { surveys?: boolean } | undefined)?.surveys === false) return [];
  const out: InvitationRow[] = [];
  for (const t of templates) {
    const r = t.rules as RulesT;
    if (r.samplingPercent < 100 && randomInt(0, 10000) >= r.samplingPercent * 100) continue;
    if (r.minDaysBetween > 0) {
      const [recent] = await tx.select({ id: surveyInvitations.id }).from(surveyInvitations)
        .where(and(eq(surveyInvitations.customerId, snap.customerId), eq(surveyInvitations.templateId, t.id), gte(surveyInvitations.createdAt, new Date(now.getTime() - r.minDaysBetween * 86400_000)))).limit(1);
      if (recent) continue;
    }
    out.push(await createInvitation(tx, snap, t, trigger, now, r.delaySeconds));
  }
  return out;
}

export async function createInvitation(tx: Tx, snap: TicketSnapshot, t: TemplateRow, trigger: string, now: Date, delaySeconds: number, recoveryCaseId: string | null = null): Promise<InvitationRow> {
  const r = t.rules as RulesT;
  const sendAt = new Date(now.getTime() + delaySeconds * 1000);
  const [inv] = await tx.insert(surveyInvitations).values({
    id: uuidv7(), templateId: t.id, templateVersion: t.version, ticketId: snap.id, customerId: snap.customerId, ownerId: snap.ownerId, teamId: snap.teamId,
    trigger, channel: r.channel, state: delaySeconds > 0 ? 'scheduled' : 'sent', sendAt, sentAt: delaySeconds > 0 ? null : now,
    expiresAt: new Date(sendAt.getTime() + r.expiresInDays * 86400_000), recoveryCaseId,
  }).returning();
  if (delaySeconds === 0) await recordTicketEvent(tx, systemCtx('surveys'), snap, 'survey.sent', { surveyId: inv!.id, templateId: t.id, channel: r.channel, trigger });
  return inv!;
}

/** Scheduled invitations whose time came (claimed with SKIP LOCKED, so each is sent by one process). */
export async function sendDueInvitations(database: Database, now = new Date(), limit = 100): Promise<number> {
  return database.transaction(async (tx) => {
    const due = await tx.select().from(surveyInvitations).where(and(eq(surveyInvitations.state, 'scheduled'), sql`${surveyInvitations.sendAt} <= ${now}`))
      .orderBy(surveyInvitations.sendAt).limit(limit).for('update', { skipLocked: true });
    for (const inv of due) {
      await tx.update(surveyInvitations).set({ state: 'sent', sentAt: now }).where(eq(surveyInvitations.id, inv.id));
      const [t] = await tx.select().from(tickets).where(eq(tickets.id, inv.ticketId));
      if (t) await recordTicketEvent(tx, systemCtx('surveys'), await ticketsRepo.snapshot(tx, t), 'survey.sent', { surveyId: inv.id, templateId: inv.templateId, channel: inv.channel, trigger: inv.trigger, delayed: true });
    }
    await tx.update(surveyInvitations).set({ state: 'expired' }).where(and(eq(surveyInvitations.state, 'sent'), lt(surveyInvitations.expiresAt, now)));
    return due.length;
  });
}

export async function presentInvitation(ex: Executor, inv: InvitationRow) {
  const secret = await surveySecret(ex);
  const expired = inv.state !== 'answered' && inv.expiresAt.getTime() <= Date.now();
  const state = expired ? 'expired' : inv.state;
  const token = inv.state === 'scheduled' ? null : signToken(secret, inv.id);
  return {
    id: inv.id, token, url: token ? surveyUrl(token) : null, state, templateId: inv.templateId, trigger: inv.trigger, channel: inv.channel,
    sendAt: inv.sendAt.toISOString(), sentAt: iso(inv.sentAt), expiresAt: inv.expiresAt.toISOString(), answeredAt: iso(inv.answeredAt),
    recoveryCaseId: inv.recoveryCaseId,
  };
}

/** GET /tickets/{id}/surveys (contract): the ticket's invitations, newest first. */
export async function ticketSurveys(database: Database, ctx: Ctx, ticketId: string) {
  authorize(ctx.actor, 'tickets.work');
  const t = await ticketsRepo.visibleById(database.db, ctx.actor, ticketId);
  if (!t) throw notFound('Ticket');
  const rows = await database.db.select().from(surveyInvitations).where(eq(surveyInvitations.ticketId, ticketId)).orderBy(desc(surveyInvitations.id));
  const resp = rows.length ? await database.db.select().from(surveyResponses).where(inArray(surveyResponses.invitationId, rows.map((r) => r.id))) : [];
  const byInv = new Map(resp.map((r) => [r.invitationId, r]));
  return Promise.all(rows.map(async (r) => ({ ...(await presentInvitation(database.db, r)), response: byInv.has(r.id) ? presentResponse(byInv.get(r.id)!) : null })));
}

/** POST /tickets/{id}/surveys: send a survey by hand (e.g. over the phone), bypassing sampling and the N-day rule. */
export async function sendSurveyNow(database: Database, ctx: Ctx, ticketId: string, templateId: string | undefined) {
  authorize(ctx.actor, 'tickets.work');
  return database.transaction(async (tx) => {
    const t = await ticketsRepo.visibleById(tx, ctx.actor, ticketId);
    if (!t) throw notFound('Ticket');
    await ensureDefaultTemplate(tx);
    const [tpl] = templateId
      ? await tx.select().from(surveyTemplates).where(eq(surveyTemplates.id, templateId))
      : await tx.select().from(surveyTemplates).where(eq(surveyTemplates.active, true)).orderBy(surveyTemplates.createdAt).limit(1);
    if (!tpl) throw invalid('templateId', 'no such survey template');
    const inv = await createInvitation(tx, await ticketsRepo.snapshot(tx, t), tpl, 'manual', new Date(), 0);
    await writeAudit(tx, ctx, { action: 'survey.sent', targetType: 'ticket', targetId: ticketId, changes: diff(null, { surveyId: inv.id, templateId: tpl.id }) });
    return presentInvitation(tx, inv);
  });
}

export function presentResponse(r: typeof surveyResponses.$inferSelect) {
  return {
    id: r.id, invitationId: r.invitationId, templateId: r.templateId, ticketId: r.ticketId, customerId: r.customerId,
    csat: r.csat, nps: r.nps, ces: r.ces, answers: r.answers as Record<string, unknown>, reasons: r.reasons, comment: r.comment,
    lowScore: r.lowScore, answeredAt: r.answeredAt.toISOString(),
  };
}

// ───────────────────────────── public answering ─────────────────────────────

type Problemish = { code: 'not_found' | 'gone' | 'already_answered'; reason: string };
function tokenProblem(p: Problemish): AppError {
  const detail = p.code === 'gone' ? '此调查链接已过期 / This survey link has expired'
    : p.code === 'already_answered' ? '此调查已经提交过了，感谢您的反馈 / This survey was already answered'
      : '调查链接无效 / This survey link is not valid';
  return new AppError(p.code, detail, { extra: { reason: p.reason } });
}

async function resolveToken(ex: Executor, token: string): Promise<string> {
  const id = verifyToken(await surveySecret(ex), token);
  if (!id) throw tokenProblem({ code: 'not_found', reason: 'invalid_token' });
  return id;
}

function checkUsable(inv: InvitationRow | undefined, now: number) {
  if (!inv || inv.state === 'scheduled' || inv.state === 'cancelled') throw tokenProblem({ code: 'not_found', reason: 'unknown_survey' });
  if (inv.state === 'answered') throw tokenProblem({ code: 'already_answered', reason: 'already_answered' });
  if (inv.state === 'expired' || inv.expiresAt.getTime() <= now) throw tokenProblem({ code: 'gone', reason: 'expired' });
}

/** GET /public/surveys/{token}: what the mobile page shows. */
export async function publicSurvey(database: Database, token: string, ip: string | null) {
  await hitRateLimit(database.db, token, ip);
  const id = await resolveToken(database.db, token);
  const [row] = await database.db.select({ inv: surveyInvitations, tpl: surveyTemplates, number: tickets.number, subject: tickets.subject })
    .from(surveyInvitations).innerJoin(surveyTemplates, eq(surveyTemplates.id, surveyInvitations.templateId)).innerJoin(tickets, eq(tickets.id, surveyInvitations.ticketId))
    .where(eq(surveyInvitations.id, id));
  checkUsable(row?.inv, Date.now());
  const s = await loopSettings(database.db);
  return {
    id, state: 'open' as const, expiresAt: row!.inv.expiresAt.toISOString(),
    title: row!.tpl.name, description: row!.tpl.description,
    ticket: { number: row!.number, subject: row!.subject },
    questions: (row!.tpl.questions as QuestionIn[]).map((q) => ({ id: q.id, kind: q.kind, label: q.label, required: q.required, options: q.options ?? null, reasons: q.reasons ?? null, min: q.min ?? null, max: q.max ?? null })),
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
  const settings = await loopSettings(database.db);
  const low = isLowScore(settings.lowScore, body);
  if (low) await ensureRecoveryStandards(database);
  const ctx: Ctx = { ...systemCtx('survey'), requestId: meta.requestId, ip: meta.ip };
  return database.transaction(async (tx) => {
    const [inv] = await tx.select().from(surveyInvitations).where(eq(surveyInvitations.id, id)).for('update');
    const now = new Date();
    checkUsable(inv, now.getTime());
    const [tpl] = await tx.select().from(surveyTemplates).where(eq(surveyTemplates.id, inv!.templateId));
    const questions = (tpl?.questions ?? []) as QuestionIn[];
    const errors: FieldError[] = [];
    const answers: Record<string, number | string> = {};
    const std: { q: QuestionIn; v: number | string }[] = [];
    for (const q of questions) {
      let v: number | string | undefined;
      if (q.kind === 'csat' || q.kind === 'nps' || q.kind === 'ces') v = body[q.kind] ?? (typeof body.answers?.[q.id] === 'number' ? body.answers[q.id] : undefined);
      else if (q.kind === 'text' && q.id === 'comment') v = body.comment ?? body.answers?.[q.id];
      else v = body.answers?.[q.id];
      if (v === undefined || v === '') { if (q.required) errors.push({ path: q.kind === 'csat' || q.kind === 'nps' || q.kind === 'ces' ? q.kind : `answers.${q.id}`, message: 'required' }); continue; }
      if (q.kind === 'scale') {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < (q.min ?? 1) || v > (q.max ?? 5)) { errors.push({ path: `answers.${q.id}`, message: `must be an integer ${q.min ?? 1}..${q.max ?? 5}` }); continue; }
      } else if (q.kind === 'choice') {
        if (typeof v !== 'string' || !(q.options ?? []).includes(v)) { errors.push({ path: `answers.${q.id}`, message: 'must be one of the options' }); continue; }
      } else if (q.kind === 'text') {
        if (typeof v !== 'string') { errors.push({ path: `answers.${q.id}`, message: 'must be text' }); continue; }
        v = v.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f<>]/g, '').trim().slice(0, 2000);
      }
      answers[q.id] = v;
      if (q.standardId) std.push({ q, v });
    }
    const csat = body.csat ?? null; const nps = body.nps ?? null; const ces = body.ces ?? null;
    if (csat === null && nps === null && ces === null && Object.keys(answers).length === 0) errors.push({ path: 'csat', message: 'give at least one answer' });
    if (errors.length) throw new AppError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
    const allowedReasons = new Set(questions.flatMap((q) => q.reasons ?? []));
    const reasons = [...new Set((body.reasons ?? []).filter((r) => allowedReasons.has(r)))];
    const comment = body.comment ? body.comment.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f<>]/g, '').trim().slice(0, 2000) || null : null;
    const responseId = uuidv7();
    const [t] = await tx.select().from(tickets).where(eq(tickets.id, inv!.ticketId)).for('update');
    await tx.insert(surveyResponses).values({
      id: responseId, invitationId: inv!.id, templateId: inv!.templateId, ticketId: inv!.ticketId, customerId: inv!.customerId,
      ownerId: t?.ownerId ?? inv!.ownerId, teamId: t?.teamId ?? inv!.teamId, csat, nps, ces, answers, reasons, comment, lowScore: low, answeredAt: now,
    });
    await tx.update(surveyInvitations).set({ state: 'answered', answeredAt: now }).where(eq(surveyInvitations.id, inv!.id));
    if (std.length) {
      await tx.insert(softStandardAnswers).values(std.map(({ q, v }) => ({ responseId, questionId: q.id, standardId: q.standardId!, agree: agreeOf(q, v), ownerId: t?.ownerId ?? null, teamId: t?.teamId ?? null, answeredAt: now })));
    }
    const snap = await ticketsRepo.snapshot(tx, t!);
    const score: { csat?: number; nps?: number; ces?: number } = {};
    if (csat !== null) score.csat = csat;
    if (nps !== null) score.nps = nps;
    if (ces !== null) score.ces = ces;
    await recordTicketEvent(tx, ctx, snap, 'survey.answered', { surveyId: inv!.id, responseId, answers: score, lowScore: low, reasons });
    await writeAudit(tx, ctx, { action: 'survey.answered', targetType: 'survey', targetId: inv!.id, changes: diff(null, { ...score, lowScore: low }) });
    await stopReactivationInTx(tx, ctx, inv!.customerId, 'survey_answered');
    let recoveryCaseId: string | null = null;
    if (low) recoveryCaseId = await openRecoveryInTx(tx, ctx, snap, { responseId, score, reasons, comment });
    return { id: responseId, surveyId: inv!.id, lowScore: low, recoveryOpened: recoveryCaseId !== null };
  });
}

// ───────────────────────────── customer record, soft standards ─────────────────────────────

export async function customerSurveys(database: Database, ctx: Ctx, customerId: string) {
  authorize(ctx.actor, 'customers.read');
  authorize(ctx.actor, 'surveys.view');
  const rows = await database.db.select({ r: surveyResponses, number: tickets.number, subject: tickets.subject })
    .from(surveyResponses).innerJoin(tickets, eq(tickets.id, surveyResponses.ticketId))
    .where(and(eq(surveyResponses.customerId, customerId), ticketVisibilityScope(ctx.actor))).orderBy(desc(surveyResponses.answeredAt)).limit(100);
  const pending = (await database.db.select({ p: surveyInvitations }).from(surveyInvitations).innerJoin(tickets, eq(tickets.id, surveyInvitations.ticketId))
    .where(and(eq(surveyInvitations.customerId, customerId), inArray(surveyInvitations.state, ['scheduled', 'sent']), ticketVisibilityScope(ctx.actor))).orderBy(desc(surveyInvitations.id)).limit(20)).map((r) => r.p);
  const csats = rows.map((x) => x.r.csat).filter((v): v is number => v !== null);
  return {
    items: rows.map((x) => ({ ...presentResponse(x.r), ticketNumber: x.number, ticketSubject: x.subject })),
    pending: pending.map((p) => ({ id: p.id, ticketId: p.ticketId, state: p.state, sendAt: p.sendAt.toISOString(), expiresAt: p.expiresAt.toISOString() })),
    summary: { answered: rows.length, csatAverage: csats.length ? csats.reduce((a, b) => a + b, 0) / csats.length : null, lowScores: rows.filter((x) => x.r.lowScore).length },
  };
}

/**
 * Soft-standard compliance (软标准达成率): for each soft standard, the share of "agree" answers vs its target.
 * Sources: questions linked to the standard (`questions[].standardId`), and soft standards with a survey measure
 * (`survey: {measure: csat|nps|ces, threshold}` — agree = csat/nps ≥ threshold, ces ≤ threshold).
 */
export async function softCompliance(database: Database, ctx: Ctx, q: { from?: string | undefined; to?: string | undefined; tz?: string | undefined; by?: 'team' | 'agent' | 'day' | undefined; teamId?: string | undefined; agentId?: string | undefined; standardId?: string | undefined }) {
  authorize(ctx.actor, 'surveys.view');
  const { from, to, tz } = parseRange(q);
  const ex = database.db;
  const stds = (await ex.select({ id: standards.id, code: standards.code, active: standards.active, def: standardVersions.definition }).from(standards)
    .innerJoin(standardVersions, eq(standardVersions.id, standards.currentVersionId)))
    .filter((s) => (s.def as StandardDefinition).kind === 'soft' && (!q.standardId || s.id === q.standardId));
  const groupExpr = (owner: ReturnType<typeof sql>, team: ReturnType<typeof sql>, at: ReturnType<typeof sql>) =>
    q.by === 'team' ? sql`${team}::text` : q.by === 'agent' ? sql`${owner}::text` : q.by === 'day' ? sql`to_char(${at} AT TIME ZONE ${tz}, 'YYYY-MM-DD')` : sql`'all'`;
  const filters = (owner: ReturnType<typeof sql>, team: ReturnType<typeof sql>) => sql`${q.teamId ? sql` AND ${team} = ${q.teamId}` : sql``}${q.agentId ? sql` AND ${owner} = ${q.agentId}` : sql``}`;
  const items = [];
  for (const s of stds) {
    const def = s.def as StandardDefinition & { survey?: { measure: 'csat' | 'nps' | 'ces'; threshold: number } };
    const parts: { key: string | null; agree: number; total: number }[] = [];
    const linked = (await ex.execute(sql`SELECT ${groupExpr(sql`owner_id`, sql`team_id`, sql`answered_at`)} AS key, count(*) FILTER (WHERE agree)::int AS agree, count(*)::int AS total
      FROM soft_standard_answers WHERE standard_id = ${s.id} AND answered_at >= ${from} AND answered_at < ${to}${filters(sql`owner_id`, sql`team_id`)} GROUP BY 1`)) as unknown as { rows: { key: string | null; agree: number; total: number }[] };
    parts.push(...linked.rows);
    if (def.survey && ['csat', 'nps', 'ces'].includes(def.survey.measure)) {
      const col = sql.raw(def.survey.measure);
      const cmp = def.survey.measure === 'ces' ? sql`${col} <= ${def.survey.threshold}` : sql`${col} >= ${def.survey.threshold}`;
      const measured = (await ex.execute(sql`SELECT ${groupExpr(sql`owner_id`, sql`team_id`, sql`answered_at`)} AS key, count(*) FILTER (WHERE ${cmp})::int AS agree, count(*)::int AS total
        FROM survey_responses WHERE ${col} IS NOT NULL AND answered_at >= ${from} AND answered_at < ${to}${filters(sql`owner_id`, sql`team_id`)} GROUP BY 1`)) as unknown as { rows: { key: string | null; agree: number; total: number }[] };
      parts.push(...measured.rows);
    }
    const merged = new Map<string, { agree: number; total: number }>();
    for (const p of parts) { const k = p.key ?? 'none'; const m = merged.get(k) ?? { agree: 0, total: 0 }; m.agree += Number(p.agree); m.total += Number(p.total); merged.set(k, m); }
    const agree = [...merged.values()].reduce((a, b) => a + b.agree, 0);
    const total = [...merged.values()].reduce((a, b) => a + b.total, 0);
    const rate = total ? agree / total : null;
    let breakdown: { key: string; name: string | null; agree: number; total: number; rate: number | null }[] = [];
    if (q.by) {
      const keys = [...merged.keys()].filter((k) => k !== 'none' && k !== 'all');
      const names = new Map<string, string>();
      if (keys.length && q.by === 'agent') for (const r of await ex.select({ id: staff.id, name: staff.name }).from(staff).where(inArray(staff.id, keys))) names.set(r.id, r.name);
      if (keys.length && q.by === 'team') for (const r of await ex.select({ id: teams.id, name: teams.name }).from(teams).where(inArray(teams.id, keys))) names.set(r.id, r.name);
      breakdown = [...merged.entries()].map(([key, m]) => ({ key, name: names.get(key) ?? (q.by === 'day' ? key : null), agree: m.agree, total: m.total, rate: m.total ? m.agree / m.total : null }))
        .sort((a, b) => a.key.localeCompare(b.key));
    }
    items.push({
      standardId: s.id, code: s.code, name: def.name, encounter: def.encounter, active: s.active, target: def.target,
      source: def.survey ? `survey.${def.survey.measure}` : 'questions', agree, total, rate, meetsTarget: rate === null ? null : rate >= def.target, breakdown,
    });
  }
  return { from: from.toISOString(), to: to.toISOString(), items };
}
