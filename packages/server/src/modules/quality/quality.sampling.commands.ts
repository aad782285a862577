/** Sampling plans and the inspectors' queue (issue #15 item 3). */
import type { Database } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { orgTimeZone } from '../../lib/timezone';
import { authorize, can, requireStaff } from '../identity/policy';
import { criticalHitTicketIds } from '../inspection/inspection.repo';
import { presentPlan, presentSample } from './quality.present';
import { monthBounds, qualityRepo, weekBounds } from './quality.repo';
import type { PlanCreateInput } from './quality.schema';
import { drawSamples, type MandatorySource, type SamplingRules } from './sampling';

/** Extra mandatory sources for a period: the automatic inspection's critical hits (module `inspection`). */
export const mandatorySources: ((db: Database, period: { from: Date; to: Date }) => Promise<MandatorySource>)[] = [
  async (db, p) => ({ reason: 'critical_hit', ticketIds: new Set(await criticalHitTicketIds(db.db, p.from, p.to)) }),
];

export async function listPlans(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'qa.view');
  return { items: (await qualityRepo.listPlans(database.db)).map(presentPlan) };
}

export async function createPlan(database: Database, ctx: Ctx, input: PlanCreateInput) {
  authorize(ctx.actor, 'qa.manage');
  return database.transaction(async (tx) => {
    const row = await qualityRepo.insertPlan(tx, {
      id: uuidv7(),
      name: input.name,
      teamId: input.teamId ?? null,
      channel: input.channel ?? null,
      period: input.period,
      sharePercent: input.sharePercent,
      minPerWeek: input.minPerWeek,
      mandatory: input.mandatory,
      scorecardId: input.scorecardId ?? null,
    });
    await writeAudit(tx, ctx, {
      action: 'qa.plan_created',
      targetType: 'qa_sampling_plan',
      targetId: row.id,
      changes: diff(null, { name: row.name, sharePercent: row.sharePercent }),
    });
    return presentPlan(row);
  });
}

function periodOf(period: string, start: string): { from: Date; to: Date; month: string | null } {
  if (period === 'month') return { from: new Date(`${start.slice(0, 7)}-01T00:00:00Z`), to: new Date(0), month: start.slice(0, 7) };
  const from = new Date(`${start}T00:00:00Z`);
  return { from, to: new Date(from.getTime() + 7 * 86_400_000), month: null };
}

/** Draw a period's samples into the inspectors' queue (idempotent per plan and ticket). */
export async function drawPlan(database: Database, ctx: Ctx, id: string, input: { periodStart: string; seed?: number | undefined }) {
  authorize(ctx.actor, 'qa.manage');
  return database.transaction(async (tx) => {
    const plan = await qualityRepo.planById(tx, id);
    if (!plan) throw notFound('Sampling plan');
    const tz = orgTimeZone();
    const p = periodOf(plan.period, input.periodStart);
    const bounds = p.month ? monthBounds(p.month, tz) : weekBounds(input.periodStart, tz);
    const candidates = await qualityRepo.candidates(tx, { teamId: plan.teamId, channel: plan.channel, from: bounds.from, to: bounds.to, tz });
    const inspectors = await qualityRepo.staffWithRoles(tx, ['qa'], null);
    const loads = await qualityRepo.inspectorLoads(
      tx,
      inspectors.map((i) => i.id),
    );
    const mandatory = plan.mandatory as SamplingRules['mandatory'];
    const sources = mandatory.criticalHits ? await Promise.all(mandatorySources.map((f) => f(database, p))) : [];
    const drawn = drawSamples(
      candidates,
      { sharePercent: plan.sharePercent, minPerWeek: plan.minPerWeek, mandatory },
      inspectors.map((i) => ({ id: i.id, load: loads.get(i.id) ?? 0 })),
      input.seed ?? Date.now() % 2_147_483_647,
      sources,
    );
    const rows = await qualityRepo.insertSamples(
      tx,
      drawn.map((s) => ({
        id: uuidv7(),
        planId: plan.id,
        periodStart: input.periodStart,
        ticketId: s.ticketId,
        agentId: s.agentId,
        inspectorId: s.inspectorId,
        reason: s.reason,
        state: 'queued',
      })),
    );
    await writeAudit(tx, ctx, {
      action: 'qa.samples_drawn',
      targetType: 'qa_sampling_plan',
      targetId: plan.id,
      changes: diff(null, { periodStart: input.periodStart, drawn: rows.length }),
    });
    const people = await qualityRepo.staffNames(tx, [...new Set(rows.flatMap((r) => [r.agentId, ...(r.inspectorId ? [r.inspectorId] : [])]))]);
    const numbers = await qualityRepo.ticketNumbers(
      tx,
      rows.map((r) => r.ticketId),
    );
    return { candidates: candidates.length, items: rows.map((r) => presentSample(r, people, numbers)) };
  });
}

/** The caller's queue (an inspector), or every queued sample (`all`, managers). */
export async function getQueue(database: Database, ctx: Ctx, q: { all?: boolean | undefined; limit: number }) {
  authorize(ctx.actor, 'qa.inspect');
  const me = requireStaff(ctx.actor);
  const rows = await qualityRepo.queue(database.db, q.all && can(ctx.actor, 'qa.manage') ? null : me.id, q.limit);
  const people = await qualityRepo.staffNames(database.db, [...new Set(rows.flatMap((r) => [r.agentId, ...(r.inspectorId ? [r.inspectorId] : [])]))]);
  const numbers = await qualityRepo.ticketNumbers(
    database.db,
    rows.map((r) => r.ticketId),
  );
  return { items: rows.map((r) => presentSample(r, people, numbers)) };
}
