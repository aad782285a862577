/** Survey rows → API shapes (templates, invitations, responses). */
import type { QuestionIn, RulesT } from './surveys.schema';
import type { InvitationRow, ResponseRow, TemplateRow } from './surveys.repo';
import { signToken } from './token';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function surveyUrl(token: string): string {
  const base = (process.env.CHIDU_PUBLIC_URL ?? '').replace(/\/+$/, '');
  return `${base}/s/${token}`;
}

export function presentTemplate(t: TemplateRow) {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    questions: t.questions as QuestionIn[],
    rules: t.rules as RulesT,
    active: t.active,
    version: t.version,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

/** An invitation with its signed link (none while scheduled); `secret` is the instance's survey secret (token.ts). */
export function presentInvitation(inv: InvitationRow, secret: Buffer) {
  const expired = inv.state !== 'answered' && inv.expiresAt.getTime() <= Date.now();
  const state = expired ? 'expired' : inv.state;
  const token = inv.state === 'scheduled' ? null : signToken(secret, inv.id);
  return {
    id: inv.id,
    token,
    url: token ? surveyUrl(token) : null,
    state,
    templateId: inv.templateId,
    trigger: inv.trigger,
    channel: inv.channel,
    sendAt: inv.sendAt.toISOString(),
    sentAt: iso(inv.sentAt),
    expiresAt: inv.expiresAt.toISOString(),
    answeredAt: iso(inv.answeredAt),
    recoveryCaseId: inv.recoveryCaseId,
  };
}

export function presentResponse(r: ResponseRow) {
  return {
    id: r.id,
    invitationId: r.invitationId,
    templateId: r.templateId,
    ticketId: r.ticketId,
    customerId: r.customerId,
    csat: r.csat,
    nps: r.nps,
    ces: r.ces,
    answers: r.answers as Record<string, unknown>,
    reasons: r.reasons,
    comment: r.comment,
    lowScore: r.lowScore,
    answeredAt: r.answeredAt.toISOString(),
  };
}
