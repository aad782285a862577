/**
 * Where a survey is sent: a trigger on a ticket (resolved, field visit completed, complaint closed) invites the
 * customer by the matching templates' rules; a delayed invitation is sent by the loops worker (sendDueInvitations).
 * The loops (recovery follow-up surveys) use createInvitation; this file imports nothing from the loops, so the
 * surveys ↔ loops dependency runs one way (loops → surveys.invitations; surveys.commands → loops).
 */
import { randomInt } from 'node:crypto';
import type { Database, Executor, Tx } from '../../db/client';
import { systemCtx } from '../../lib/context';
import { uuidv7 } from '../../lib/ids';
import { recordTicketEvent, type TicketSnapshot } from '../tickets/ticket-events';
import { ticketsRepo } from '../tickets/tickets.repo';
import { Question, Rules, type RulesT } from './surveys.schema';
import { surveysRepo, type InvitationRow, type TemplateRow } from './surveys.repo';
import { deliverSurvey } from './surveys.delivery';

/** Seeded content (an admin edits it): the reasons offered on a low score. */
export const DEFAULT_REASONS = ['响应太慢', '问题没有解决', '服务态度不好', '收费不透明', '需要多次联系', '其他'];

/** Built-in default template (created on first use when no template exists, and by the demo). Seeded content. */
export const DEFAULT_TEMPLATE = {
  name: '服务满意度调查',
  description: '工单解决后立即发送：一次点星即可完成，低分时请客户选择原因。',
  questions: [
    { id: 'csat', kind: 'csat' as const, label: '您对本次服务满意吗？', required: true, reasons: DEFAULT_REASONS },
    { id: 'comment', kind: 'text' as const, label: '还有什么想告诉我们的？（选填）', required: false },
  ],
  rules: {
    triggers: ['ticket.resolved' as const],
    delaySeconds: 0,
    channel: 'link' as const,
    samplingPercent: 100,
    minDaysBetween: 0,
    ticketTypes: [],
    expiresInDays: 7,
  },
};

/** The default template, created once when the instance has none (so resolving a ticket always invites). */
export async function ensureDefaultTemplate(ex: Executor): Promise<void> {
  if (await surveysRepo.hasAnyTemplate(ex)) return;
  await surveysRepo.insertTemplateIfAbsent(ex, {
    id: '00000000-0000-7000-8000-00000000c5a7',
    ...DEFAULT_TEMPLATE,
    questions: DEFAULT_TEMPLATE.questions.map((q) => Question.parse(q)),
    rules: Rules.parse(DEFAULT_TEMPLATE.rules),
  });
}

/** The template a manual or follow-up survey uses: the given one, else the oldest active one. */
export async function defaultTemplate(ex: Executor, templateId?: string): Promise<TemplateRow | undefined> {
  await ensureDefaultTemplate(ex);
  if (templateId) return surveysRepo.templateById(ex, templateId);
  return (await surveysRepo.activeTemplates(ex, 1))[0];
}

/**
 * A trigger happened on a ticket (resolved, field visit completed, complaint closed): every active template whose
 * rules match invites the customer (sampling, one per customer per N days, consent), at once or after the delay.
 */
export async function inviteOnTrigger(tx: Tx, snap: TicketSnapshot, trigger: string, now = new Date()): Promise<InvitationRow[]> {
  if (snap.type === 'internal') return []; // 内部工单: nobody to ask
  await ensureDefaultTemplate(tx);
  const templates = (await surveysRepo.activeTemplates(tx)).filter((t) => {
    const r = t.rules as RulesT;
    return (
      r.triggers.includes(trigger as RulesT['triggers'][number]) &&
      (r.ticketTypes.length === 0 || r.ticketTypes.includes(snap.type as RulesT['ticketTypes'][number]))
    );
  });
  if (!templates.length) return [];
  if ((await surveysRepo.customerConsent(tx, snap.customerId))?.surveys === false) return [];
  const out: InvitationRow[] = [];
  for (const t of templates) {
    const r = t.rules as RulesT;
    if (r.samplingPercent < 100 && randomInt(0, 10000) >= r.samplingPercent * 100) continue;
    if (r.minDaysBetween > 0 && (await surveysRepo.invitedSince(tx, snap.customerId, t.id, new Date(now.getTime() - r.minDaysBetween * 86400_000)))) continue;
    out.push(await createInvitation(tx, snap, t, trigger, now, r.delaySeconds));
  }
  return out;
}

export async function createInvitation(
  tx: Tx,
  snap: TicketSnapshot,
  t: TemplateRow,
  trigger: string,
  now: Date,
  delaySeconds: number,
  recoveryCaseId: string | null = null,
  actorId: string | null = null,
): Promise<InvitationRow> {
  const r = t.rules as RulesT;
  const sendAt = new Date(now.getTime() + delaySeconds * 1000);
  const inv = await surveysRepo.insertInvitation(tx, {
    id: uuidv7(),
    templateId: t.id,
    templateVersion: t.version,
    ticketId: snap.id,
    customerId: snap.customerId,
    ownerId: snap.ownerId,
    teamId: snap.teamId,
    trigger,
    channel: r.channel,
    state: delaySeconds > 0 ? 'scheduled' : 'sent',
    sendAt,
    sentAt: delaySeconds > 0 ? null : now,
    expiresAt: new Date(sendAt.getTime() + r.expiresInDays * 86400_000),
    recoveryCaseId,
  });
  if (delaySeconds === 0) {
    await recordTicketEvent(tx, systemCtx('surveys'), snap, 'survey.sent', { surveyId: inv.id, templateId: t.id, channel: r.channel, trigger });
    await deliverSurvey(tx, inv, trigger === 'manual' || trigger === 'resend' ? trigger : 'auto', actorId);
  }
  return inv;
}

/** Scheduled invitations whose time came (claimed with SKIP LOCKED, so each is sent by one process). */
export async function sendDueInvitations(database: Database, now = new Date(), limit = 100): Promise<number> {
  return database.transaction(async (tx) => {
    const due = await surveysRepo.claimDueInvitations(tx, now, limit);
    for (const inv of due) {
      await surveysRepo.markSent(tx, inv.id, now);
      await deliverSurvey(tx, inv, 'delayed');
      const t = await surveysRepo.ticketById(tx, inv.ticketId);
      if (t)
        await recordTicketEvent(tx, systemCtx('surveys'), await ticketsRepo.snapshot(tx, t), 'survey.sent', {
          surveyId: inv.id,
          templateId: inv.templateId,
          channel: inv.channel,
          trigger: inv.trigger,
          delayed: true,
        });
    }
    await surveysRepo.expireInvitations(tx, now);
    return due.length;
  });
}
