/**
 * Demo data for surveys and the closed loops (idempotent: runs once, marked `demo.surveys` in settings):
 * the default satisfaction template (immediate CSAT with low-score reasons), a repair revisit template whose question
 * measures the soft standard "收费前解释费用", a few answered surveys on the resolved demo tickets, and one open
 * low-score recovery case; the first complaint gets its first two loop steps.
 */
import { and, asc, eq, gte, inArray, notExists, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { settings, staff, standards, surveyInvitations, surveyTemplates, tickets } from '../db/schema';
import { systemCtx, type Ctx } from '../lib/context';
import { actorFromRow } from '../modules/identity/identity.commands';
import { recordStep } from '../modules/loops/complaints';
import { planCareInTx } from '../modules/loops/care';
import { createStandard } from '../modules/standards/standards.commands';
import { answerSurvey, createTemplate, ensureDefaultTemplate } from '../modules/surveys/surveys.commands';
import { Rules } from '../modules/surveys/surveys.schema';
import { signToken, surveySecret } from '../modules/surveys/token';
import { onTicketEventForClocks, onTicketEventsForClocks } from '../engine/engine';
import { onTicketEventForLoops, onTicketEventsForLoops } from '../modules/loops/handlers';
import { complaintGuard } from '../modules/loops/complaints';
import { onTicketEvent, onTicketTransition } from '../modules/tickets/ticket-events';
import { ticketsRepo } from '../modules/tickets/tickets.repo';
import { inviteOnTrigger } from '../modules/surveys/surveys.commands';

export async function loadDemoSurveys(database: Database): Promise<void> {
  const marked = await database.db
    .insert(settings)
    .values({ key: 'demo.surveys', value: { at: new Date().toISOString() } })
    .onConflictDoNothing()
    .returning();
  if (marked.length === 0) return;
  const ctx = systemCtx('demo');
  // The demo loads before the app registers its ticket-event consumers: register the two this data needs (clocks,
  // loops) now — the same functions, by the same names, so the app's own registration later replaces them in place.
  onTicketEvent('standards', onTicketEventForClocks, onTicketEventsForClocks);
  onTicketEvent('surveys-loops', onTicketEventForLoops, onTicketEventsForLoops);
  onTicketTransition('complaint-loop', complaintGuard);
  await database.transaction((tx) => ensureDefaultTemplate(tx));
  let [fees] = await database.db.select({ id: standards.id }).from(standards).where(eq(standards.code, 'EXPLAIN-FEES'));
  if (!fees) {
    const out = await createStandard(database, ctx, {
      code: 'EXPLAIN-FEES',
      name: '收费前解释费用',
      encounter: '上门维修',
      kind: 'soft',
      measure: 'survey',
      target: 0.95,
      description: '师傅开工前向业主说明收费项目和金额（客户评价衡量，目标 95% 认同）。',
    });
    fees = { id: out.body.id };
  }
  const repairTpl = await createTemplate(database, ctx, {
    name: '上门维修回访',
    description: '维修工单解决后立即发送；一题衡量软标准「收费前解释费用」。',
    active: true,
    questions: [
      {
        id: 'csat',
        kind: 'csat',
        label: '您对本次维修服务满意吗？',
        required: true,
        reasons: ['上门不准时', '没有修好', '收费不透明', '态度不好', '现场不整洁'],
      },
      {
        id: 'fees',
        kind: 'choice',
        label: '师傅开工前向您解释收费了吗？',
        required: false,
        options: ['解释了', '没有解释'],
        standardId: fees.id,
        agree: { options: ['解释了'] },
      },
      { id: 'comment', kind: 'text', label: '还有什么建议？（选填）', required: false },
    ],
    rules: Rules.parse({ triggers: ['ticket.resolved'], ticketTypes: ['repair', 'after_sales'], minDaysBetween: 7 }),
  });

  // Invitations for the demo tickets resolved before the consumers existed.
  await database.transaction(async (tx) => {
    // Only the tickets the demo loader resolved just now (not historical data other modules may seed).
    const resolved = await tx
      .select()
      .from(tickets)
      .where(
        and(
          inArray(tickets.status, ['resolved', 'closed']),
          gte(tickets.resolvedAt, sql`now() - interval '30 minutes'`),
          notExists(
            tx
              .select({ x: sql`1` })
              .from(surveyInvitations)
              .where(eq(surveyInvitations.ticketId, tickets.id)),
          ),
        ),
      )
      .orderBy(asc(tickets.createdAt))
      .limit(20);
    for (const t of resolved) {
      const snap = await ticketsRepo.snapshot(tx, t);
      await inviteOnTrigger(tx, snap, 'ticket.resolved', t.resolvedAt ?? new Date());
      await planCareInTx(tx, snap, t.resolvedAt ?? new Date());
    }
  });

  // Answer the invitations of the resolved demo tickets: two good ones and one low score (opens a recovery case).
  const [dflt] = await database.db.select({ id: surveyTemplates.id }).from(surveyTemplates).orderBy(asc(surveyTemplates.createdAt)).limit(1);
  const invs = await database.db
    .select()
    .from(surveyInvitations)
    .where(and(eq(surveyInvitations.state, 'sent'), eq(surveyInvitations.templateId, dflt!.id)))
    .orderBy(asc(surveyInvitations.createdAt));
  const secret = await surveySecret(database.db);
  const answers = [
    { csat: 5, comment: '办理很快，前台很耐心。' },
    { csat: 2, reasons: ['响应太慢', '需要多次联系'], comment: '打了三次电话才有人处理。' },
    { csat: 4 },
  ];
  for (const [i, inv] of invs.slice(0, answers.length).entries()) {
    await answerSurvey(database, signToken(secret, inv.id), answers[i]!, { ip: null, requestId: null });
  }

  // The repair revisit: the engineer explained the fees (soft standard EXPLAIN-FEES).
  const repairInvs = await database.db
    .select()
    .from(surveyInvitations)
    .where(and(eq(surveyInvitations.state, 'sent'), eq(surveyInvitations.templateId, repairTpl.id)));
  for (const inv of repairInvs)
    await answerSurvey(
      database,
      signToken(secret, inv.id),
      { csat: 5, answers: { fees: '解释了' }, comment: '师傅很专业，先讲清楚了收费。' },
      { ip: null, requestId: null },
    );

  // The first complaint: listen and empathise recorded by its owner.
  const [complaint] = await database.db
    .select()
    .from(tickets)
    .where(
      and(
        eq(tickets.type, 'complaint'),
        eq(tickets.subject, '物业费账单多收一个月'),
        inArray(tickets.status, ['new', 'assigned', 'in_progress', 'pending_customer', 'pending_internal']),
      ),
    )
    .limit(1);
  if (complaint?.ownerId) {
    const [owner] = await database.db.select().from(staff).where(eq(staff.id, complaint.ownerId));
    if (owner) {
      const octx: Ctx = { actor: actorFromRow(owner, null), requestId: null, ip: null };
      await recordStep(database, octx, complaint.id, {
        step: 'listen',
        evidence: '业主表示 10 月已在 APP 缴费，11 月账单仍显示欠费两个月，对催缴短信很不满。',
      });
      await recordStep(database, octx, complaint.id, { step: 'empathise', evidence: '向业主致歉，理解被误催缴的不快，承诺今天内核对并回电。' });
    }
  }
}
