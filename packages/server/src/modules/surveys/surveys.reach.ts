/**
 * The survey reaches the customer (docs/surveys.md "How the survey reaches the customer"):
 * - staff: the ticket's survey panel (status, link, QR code, preview, delivery attempts) and the resend;
 * - customer: the rating card on their own request in the portal (answer inline);
 * - management: the answers list (score range, team, period; the comment; the recovery case).
 * Every send goes through deliverSurvey (surveys.delivery.ts). Queries: surveys.delivery.repo.ts.
 */
import QRCode from 'qrcode';
import type { Database } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, conflict, invalid, notFound } from '../../lib/errors';
import { maskPhone } from '../../lib/mask';
import { authorize, can } from '../identity/policy';
import { loopSettings } from '../loops/settings';
import { parseRange } from '../standards/standards.period';
import { recordTicketEvent } from '../tickets/ticket-events';
import { ticketsRepo } from '../tickets/tickets.repo';
import { answerInvitation } from './surveys.commands';
import { deliverSurvey, type DeliveryReason, type DeliveryState } from './surveys.delivery';
import { deliveryRepo, type ResponseMeasure } from './surveys.delivery.repo';
import { createInvitation } from './surveys.invitations';
import { presentInvitation, presentResponse } from './surveys.present';
import { surveysRepo, type InvitationRow, type TemplateRow } from './surveys.repo';
import type { AnswerIn, QuestionIn } from './surveys.schema';
import { surveySecret } from './token';

/** Resend limits per ticket: one every RESEND_GAP_MS, at most RESEND_PER_DAY a day (a customer is not spammed). */
export const RESEND_GAP_MS = 2 * 60_000;
export const RESEND_PER_DAY = 5;

/** open → opened (seen) → answered; expired when past the date; what the panel and the card show. */
function statusOf(inv: InvitationRow, now = Date.now()): 'scheduled' | 'sent' | 'opened' | 'answered' | 'expired' | 'cancelled' {
  if (inv.state === 'answered') return 'answered';
  if (inv.state === 'scheduled' || inv.state === 'cancelled') return inv.state;
  if (inv.state === 'expired' || inv.expiresAt.getTime() <= now) return 'expired';
  return inv.openedAt ? 'opened' : 'sent';
}

function publicQuestions(tpl: TemplateRow) {
  return (tpl.questions as QuestionIn[]).map((q) => ({
    id: q.id,
    kind: q.kind,
    label: q.label,
    required: q.required,
    options: q.options ?? null,
    reasons: q.reasons ?? null,
    min: q.min ?? null,
    max: q.max ?? null,
  }));
}

/** The absolute link (for the QR code and copying): CHIDU_PUBLIC_URL, else the address the caller reached us on. */
function absolute(url: string, origin: string): string {
  return /^https?:\/\//.test(url) ? url : `${origin.replace(/\/+$/, '')}${url}`;
}

async function resendCheck(database: Database, ticketId: string, now: number) {
  const { n, last } = await deliveryRepo.resendsSince(database.db, ticketId, new Date(now - 86_400_000));
  const gapUntil = last ? last.getTime() + RESEND_GAP_MS : 0;
  if (n >= RESEND_PER_DAY) return { allowed: false, retryAt: new Date((last?.getTime() ?? now) + 86_400_000) };
  if (gapUntil > now) return { allowed: false, retryAt: new Date(gapUntil) };
  return { allowed: true, retryAt: null };
}

/** GET /tickets/{id}/survey: the ticket's current survey for the staff panel (link and QR only for who may see the ticket). */
export async function ticketSurveyPanel(database: Database, ctx: Ctx, ticketId: string, origin: string) {
  authorize(ctx.actor, 'tickets.work');
  const t = await ticketsRepo.visibleById(database.db, ctx.actor, ticketId);
  if (!t) throw notFound('Ticket');
  const row = await deliveryRepo.latestSentInvitation(database.db, ticketId);
  const total = await deliveryRepo.countInvitations(database.db, ticketId);
  if (!row) return { invitation: null, invitations: total, resend: { allowed: false, reason: 'not_sent' as const, retryAt: null } };
  const { inv, tpl } = row;
  const secret = await surveySecret(database.db);
  const base = presentInvitation(inv, secret);
  const link = base.url ? absolute(base.url, origin) : null;
  const response = inv.state === 'answered' ? await deliveryRepo.responseOf(database.db, inv.id) : undefined;
  const recovery = response ? await deliveryRepo.recoveryOfResponse(database.db, response.id) : undefined;
  const deliveries = await deliveryRepo.deliveriesOf(database.db, [inv.id]);
  const status = statusOf(inv);
  const check = status === 'answered' ? { allowed: false, retryAt: null } : await resendCheck(database, ticketId, Date.now());
  return {
    invitation: {
      ...base,
      url: link,
      status,
      openedAt: inv.openedAt?.toISOString() ?? null,
      templateName: tpl.name,
      qrSvg: link ? await QRCode.toString(link, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }) : null,
      preview: { title: tpl.name, description: tpl.description, questions: publicQuestions(tpl), lowScore: (await loopSettings(database.db)).lowScore },
      response: response ? presentResponse(response) : null,
      recovery: recovery ? { id: recovery.id, state: recovery.state, outcome: recovery.outcome } : null,
      deliveries: deliveries.map(({ d, actorName }) => ({
        id: d.id,
        channel: d.channel,
        state: d.state as DeliveryState,
        reason: d.reason as DeliveryReason,
        actorName,
        at: d.createdAt.toISOString(),
      })),
    },
    invitations: total,
    resend: {
      allowed: check.allowed,
      reason: status === 'answered' ? ('answered' as const) : check.allowed ? null : ('rate_limited' as const),
      retryAt: check.retryAt?.toISOString() ?? null,
    },
  };
}

/**
 * POST /tickets/{id}/survey/resend: bring the survey to the customer again. An open invitation keeps its link (the
 * same token: what the customer already has stays valid) and gets a new delivery attempt; an expired one is replaced
 * by a new invitation (a new token; the old link stays expired). Answered → 409; a customer who refused surveys → 409;
 * more than one resend per 2 minutes or 5 a day per ticket → 429 with Retry-After. Audited; on the timeline.
 * Who: anyone who works the ticket (tickets.work and may see it) — the owner, the team, supervisors.
 */
export async function resendSurvey(database: Database, ctx: Ctx, ticketId: string, origin: string) {
  authorize(ctx.actor, 'tickets.work');
  const now = Date.now();
  await database.transaction(async (tx) => {
    const t = await ticketsRepo.visibleById(tx, ctx.actor, ticketId);
    if (!t) throw notFound('Ticket');
    await surveysRepo.ticketById(tx, ticketId, true); // one resend at a time per ticket
    const row = await deliveryRepo.latestSentInvitation(tx, ticketId);
    if (!row) throw conflict('survey_not_sent', 'No survey was sent on this ticket yet');
    const status = statusOf(row.inv, now);
    if (status === 'answered') throw conflict('survey_already_answered', 'The customer already answered this survey');
    const { n, last } = await deliveryRepo.resendsSince(tx, ticketId, new Date(now - 86_400_000));
    const retryAt = n >= RESEND_PER_DAY ? (last?.getTime() ?? now) + 86_400_000 : last ? last.getTime() + RESEND_GAP_MS : 0;
    if (retryAt > now) {
      const retry = Math.max(1, Math.ceil((retryAt - now) / 1000));
      throw new AppError('rate_limited', `This survey was resent recently; try again in ${retry} s`, {
        reason: 'survey_resend_limit',
        headers: { 'retry-after': String(retry) },
        extra: { retryAfterSeconds: retry },
      });
    }
    if ((await surveysRepo.customerConsent(tx, t.customerId))?.surveys === false)
      throw conflict('survey_consent_refused', 'The customer does not want surveys');
    const snap = await ticketsRepo.snapshot(tx, t);
    let inv = row.inv;
    if (status === 'expired') {
      inv = await createInvitation(tx, snap, row.tpl, 'resend', new Date(now), 0, null, ctx.actor.id);
    } else {
      await deliverSurvey(tx, inv, 'resend', ctx.actor.id);
      await recordTicketEvent(tx, ctx, snap, 'survey.sent', {
        surveyId: inv.id,
        templateId: inv.templateId,
        channel: inv.channel,
        trigger: 'resend',
        resend: true,
      });
    }
    await writeAudit(tx, ctx, {
      action: 'survey.resent',
      targetType: 'ticket',
      targetId: ticketId,
      changes: diff(null, { surveyId: inv.id, previousSurveyId: row.inv.id, newLink: inv.id !== row.inv.id }),
    });
  });
  return ticketSurveyPanel(database, ctx, ticketId, origin);
}

// ───────────────────────────── the customer's rating card (portal) ─────────────────────────────

/** The portal's rating card on the customer's own request: its state, and the questions while it is open. */
export async function portalSurvey(database: Database, ctx: Ctx, ticketId: string) {
  if (ctx.actor.kind !== 'customer') throw notFound('Ticket');
  const t = await ticketsRepo.visibleById(database.db, ctx.actor, ticketId);
  if (!t) throw notFound('Ticket');
  const row = await deliveryRepo.latestSentInvitation(database.db, ticketId);
  if (!row || row.inv.customerId !== ctx.actor.customerId) return { state: 'none' as const };
  const { inv, tpl } = row;
  const status = statusOf(inv);
  if (status === 'answered') {
    const r = await deliveryRepo.responseOf(database.db, inv.id);
    return {
      state: 'answered' as const,
      answeredAt: inv.answeredAt?.toISOString() ?? null,
      score: r ? { csat: r.csat, nps: r.nps, ces: r.ces } : null,
      lowScore: r?.lowScore ?? false,
    };
  }
  if (status === 'expired') return { state: 'expired' as const, expiresAt: inv.expiresAt.toISOString() };
  if (!inv.openedAt) await deliveryRepo.markOpened(database.db, inv.id, new Date());
  return {
    state: 'open' as const,
    expiresAt: inv.expiresAt.toISOString(),
    title: tpl.name,
    description: tpl.description,
    questions: publicQuestions(tpl),
    lowScore: (await loopSettings(database.db)).lowScore,
    url: presentInvitation(inv, await surveySecret(database.db)).url,
  };
}

/** POST /portal/tickets/{id}/survey: the customer answers on the rating card (their own request only). */
export async function portalAnswer(database: Database, ctx: Ctx, ticketId: string, body: AnswerIn) {
  if (ctx.actor.kind !== 'customer') throw notFound('Ticket');
  const t = await ticketsRepo.visibleById(database.db, ctx.actor, ticketId);
  if (!t) throw notFound('Ticket');
  const row = await deliveryRepo.latestSentInvitation(database.db, ticketId);
  if (!row || row.inv.customerId !== ctx.actor.customerId) throw conflict('survey_not_sent', 'There is no survey on this request');
  return answerInvitation(database, row.inv.id, body, ctx);
}

// ───────────────────────────── answers list ─────────────────────────────

export interface ResponsesQuery {
  measure?: ResponseMeasure | undefined;
  scoreMin?: number | undefined;
  scoreMax?: number | undefined;
  teamId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  lowOnly?: boolean | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** GET /surveys/responses: answers on the tickets the caller may see, newest first, filtered on the server. */
export async function listResponses(database: Database, ctx: Ctx, q: ResponsesQuery) {
  authorize(ctx.actor, 'surveys.view');
  if (q.scoreMin !== undefined && q.scoreMax !== undefined && q.scoreMin > q.scoreMax) throw invalid('scoreMax', 'must not be below scoreMin');
  const range = q.from || q.to ? parseRange({ from: q.from, to: q.to }) : null;
  const limit = q.limit ?? 20;
  const rows = await deliveryRepo.listResponses(database.db, ctx.actor, {
    measure: q.measure ?? 'csat',
    scoreMin: q.scoreMin,
    scoreMax: q.scoreMax,
    teamId: q.teamId,
    from: range?.from,
    to: range?.to,
    lowOnly: q.lowOnly,
    limit,
    cursor: q.cursor,
  });
  const page = rows.slice(0, limit);
  const seesRecovery = can(ctx.actor, 'loops.recover');
  return {
    items: page.map((x) => ({
      ...presentResponse(x.r),
      ticketNumber: x.number,
      ticketSubject: x.subject,
      customerName: x.customerName,
      customerPhone: maskPhone(x.customerPhone),
      teamId: x.r.teamId,
      teamName: x.teamName,
      ownerName: x.ownerName,
      recovery: x.recoveryId ? { id: x.recoveryId, state: x.recoveryState!, outcome: x.recoveryOutcome, canOpen: seesRecovery } : null,
    })),
    nextCursor: rows.length > limit ? page[page.length - 1]!.r.id : null,
  };
}
