import type { Database } from '../../db/client';
import type { Ctx } from '../../lib/context';
import { notFound } from '../../lib/errors';
import { authorize } from '../identity/policy';
import { orgDay } from '../tickets/tickets.create';
import { ticketsRepo } from '../tickets/tickets.repo';
import { cadenceOf, decide, insertPlan, invalid } from './field.maintenance.commands';
import { fieldMaintenanceRepo as repo, type SubjectKind } from './field.maintenance.repo';
import type { ProposalAcceptInput } from './field.maintenance.schema';
import { generateVisit } from './field.maintenance.worker';
import { localDate } from './field.time';

/**
 * Accept a proposal as a maintenance plan of its asset or site (every N days or months, lead days; the default), or as
 * a one-off inspection (巡检): a ticket of the internal customer with a visit at the asset or unit from `date` on (today
 * when absent), placed and dispatched like a generated maintenance visit. The proposal records the outcome.
 */
export async function acceptProposal(database: Database, ctx: Ctx, id: string, input: ProposalAcceptInput) {
  authorize(ctx.actor, 'field.manage');
  if (input.outcome === 'inspection') {
    const due = input.date ?? localDate(new Date());
    if (due < localDate(new Date())) throw invalid('date', 'the inspection date is in the past');
    const number = await ticketsRepo.nextNumber(database.db, orgDay(new Date()));
    return decide(database, ctx, id, async (tx, p) => {
      const target =
        p.subjectKind === 'asset'
          ? await repo.assetById(tx, p.subjectId).then((a) => (a ? { assetId: a.id, siteId: a.siteId } : null))
          : { assetId: null, siteId: p.subjectId };
      if (!target) throw notFound('Asset');
      const out = await generateVisit(tx, ctx, { number, target, due, calendarId: input.calendarId ?? null, kind: 'inspection' });
      return { state: 'accepted', outcome: 'inspection', ticketId: out.ticketId, visitId: out.visitId };
    });
  }
  cadenceOf(input);
  return decide(database, ctx, id, async (tx, p) => {
    const plan = await insertPlan(tx, ctx, { kind: p.subjectKind as SubjectKind, id: p.subjectId }, input);
    return { state: 'accepted', outcome: 'plan', planId: plan.id };
  });
}
